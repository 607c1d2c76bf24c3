"""The model's SimPy environment: callback timeouts without event objects, and a slot for the next tick.

Almost every event of the model is a timeout with one callback
(``env.timeout(delay, value).callbacks.append(callback)``), and the pacing
policy ticks every ``update_interval_s`` of a shift, about as often as all the
calls' events together. :class:`DialerEnvironment` serves both without SimPy's
event machinery:

- :meth:`DialerEnvironment.call_later` queues a bare ``(callback, value)`` tuple
  in SimPy's own event queue, and :meth:`DialerEnvironment.step` calls
  ``callback(value)``;
- :meth:`DialerEnvironment.schedule_tick` holds the one pending tick in a slot
  outside the queue, and :meth:`DialerEnvironment.step` runs it when it comes
  first.

Processes, conditions and every other SimPy event work as in
:class:`simpy.Environment`.

Conventions
-----------
Both order exactly as the timeouts they replace. Each takes its event id from
the environment's counter when it is scheduled, and the tick is keyed
``(instant, NORMAL, event id)`` like a queued timeout, so ties at one instant
are broken as SimPy breaks them (``tests/test_run_fingerprints.py`` holds whole
runs to the records of a revision that used timeouts).

The model reads the clock as ``env._now``, the attribute behind SimPy's ``now``
property, which would cost a Python call on each of the few reads per attempt.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappop, heappush

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL

__all__ = ["DialerEnvironment"]

INF = math.inf


class DialerEnvironment(simpy.Environment):
    """:class:`simpy.Environment` plus callback timeouts and one pending tick, in SimPy's event order."""

    def __init__(self, initial_time: float = 0):
        super().__init__(initial_time)
        self._tick_at = INF
        self._tick_eid = 0
        self._tick_callback: Callable[[], None] | None = None

    def call_later(self, delay_s: float, callback: Callable, value=None) -> None:
        """``callback(value)`` after ``delay_s``: ordered as ``timeout(delay_s, value).callbacks.append(...)``,
        with no event object to build (the queue holds the tuple ``(callback, value)``)."""
        if delay_s < 0:
            raise ValueError(f"Negative delay {delay_s}")
        heappush(self._queue, (self._now + delay_s, NORMAL, next(self._eid), (callback, value)))

    def schedule_tick(self, delay_s: float, callback: Callable[[], None]) -> None:
        """Run ``callback()`` after ``delay_s``, ordered as ``timeout(delay_s).callbacks.append(...)``.

        At most one tick is pending: scheduling another while one is pending is an error.
        """
        if self._tick_callback is not None:
            raise RuntimeError("a tick is already pending; a DialerEnvironment holds one.")
        if delay_s < 0:
            raise ValueError(f"tick delay_s must be >= 0; got {delay_s!r}.")
        self._tick_at = self._now + delay_s  # the instant SimPy would have computed for the timeout
        self._tick_eid = next(self._eid)
        self._tick_callback = callback

    @property
    def tick_pending_at_s(self) -> float:
        """The pending tick's instant, or infinity."""
        return self._tick_at

    def peek(self) -> float:
        """The instant of the next event or tick (infinity when there is neither)."""
        queue = self._queue
        head = queue[0][0] if queue else INF
        return head if head < self._tick_at else self._tick_at

    def step(self) -> None:
        """Run the pending tick when it comes before the queue's head, else process the head event.

        A :meth:`call_later` tuple is called; any other event's part is :meth:`simpy.Environment.step`'s,
        inlined (this is the model's inner loop).
        """
        queue = self._queue
        t = self._tick_at
        if t != INF:
            head = queue[0] if queue else None
            if head is None or t < head[0] or (t == head[0] and (NORMAL < head[1] or (
                    NORMAL == head[1] and self._tick_eid < head[2]))):
                self._now = t
                callback, self._tick_callback, self._tick_at = self._tick_callback, None, INF
                callback()
                return
        try:
            self._now, _, _, event = heappop(queue)
        except IndexError:
            raise EmptySchedule from None
        if type(event) is tuple:  # call_later's (callback, value)
            event[0](event[1])
            return
        callbacks, event.callbacks = event.callbacks, None
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            event.callbacks = callbacks[callbacks.index(callback) + 1:]
            self.schedule(event, simpy.events.EventPriority(-1))
            raise
        if not event._ok and not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc
