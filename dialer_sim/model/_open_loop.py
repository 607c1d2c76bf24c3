"""The open-loop mode: Poisson answers by people who speak at once, straight to the agents (no dialer).

With an ``[open_loop]`` section the model is the textbook queue M/M/n+M (callee
patience, ``abandon.hold_queue = true``) or M/M/n+D (every waiting call dropped
at the compliance deadline), which ``dialer-sim validate`` compares with the
closed forms of :mod:`dialer_sim.queueing`. There are no shifts, no pacing
policy decisions, no retries and no wrap-up.

Conventions
-----------
Call ``i`` (0-based) is number ``i``, attempt 1, answered the instant it
arrives: ring time 0, speech start and greeting end at the arrival. Talk times
are exponential with mean ``open_loop.mean_talk_time_s`` on the ``talk``
stream; a caller's patience is drawn (``patience`` stream) only when no agent
is free on arrival.
"""

from __future__ import annotations

import math

from ._call import Call
from ._draws import Block
from ._number_sources import NumberSource

__all__ = ["OpenLoopArrivals"]

INF = math.inf


class OpenLoopArrivals(NumberSource):
    """``open_loop.n_calls`` Poisson arrivals at ``open_loop.arrival_rate_per_s``."""

    paced = False

    def __init__(self, model, streams):
        ol = model.cfg.open_loop
        self.model = model
        self.n_calls = ol.n_calls
        self._i = 0
        rate = ol.arrival_rate_per_s
        self._iat = Block(lambda n: streams["arrivals"].exponential(1.0 / rate, n))
        self._patience = model.draw_patience_s if model.cfg.abandon.hold_queue else None

    def start(self) -> None:
        if self.n_calls > 0:
            self.model.env.call_later(self._iat(), self._arrive)

    def _arrive(self, _value=None) -> None:
        m = self.model
        i, now = self._i, m.env._now
        self._i = i + 1
        call = Call(i, i, 1, now, "", ring_s=0.0, kind="human", human=True)
        m.mark_answered(call, now, now, now)
        if m.trace is not None:
            m.trace_call(call, "answered_at", now)
        if not m.agent_free() and self._patience is not None:
            call.hang_up_at_s = now + self._patience()
        m.route(call)
        if self._i < self.n_calls:
            m.env.call_later(self._iat(), self._arrive)

    def n_ready(self, now_s: float) -> int:
        return 0

    def dial_next(self) -> None:  # pragma: no cover - never called: the source is not paced
        raise RuntimeError("open-loop arrivals are not dialled")

    def exhausted(self) -> bool:
        return self._i >= self.n_calls
