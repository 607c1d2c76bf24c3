"""Drop-rate counters the adaptive pacing policies keep from ``on_outcome``.

Conventions
-----------
- Times are seconds since midnight of the campaign's first day; the calendar day
  of an instant is ``int(now_s // 86400)``.
- An outcome is counted at the moment the model reports it (the end of the dial
  attempt), which is when a real dialer writes the disposition. A policy that
  counts answered calls at their answer instead (VICIdial writes the call's log
  row then) counts the attempt with :meth:`DayTally.add_call` and its outcome
  later with :meth:`DayTally.add_outcome`.
- "answers" are human-answered attempts as the dialer sees them: observed
  ``live`` plus observed ``drop`` (VICIdial counts DROP among its
  human-answered statuses, ``docs/sources.md`` §1.1).
"""

from __future__ import annotations

from collections import deque

from .._time import SECONDS_PER_DAY

__all__: list[str] = []


#: Dispositions of attempts that were answered (by a person, a machine or a fax); the others rang out or failed.
ANSWERED_DISPOSITIONS = frozenset({
    "human_to_agent", "abandoned", "callee_hung_up", "machine_hangup", "amd_false_positive", "machine_to_agent",
    "fax",
})


def day_of(now_s: float) -> int:
    """Calendar day index of an instant (day 0 starts at ``now_s = 0``)."""
    return int(now_s // SECONDS_PER_DAY)


class DayTally:
    """Counts of one calendar day, reset when the day changes.

    Attributes
    ----------
    day : int
        Day the counts belong to.
    n_calls : int
        Finished dial attempts of any outcome.
    n_live : int
        Attempts observed ``live`` (a person reached an agent).
    n_drops : int
        Attempts observed ``drop``.
    n_agent_machines : int
        Machines an agent dispositioned (``machine_to_agent``), used by the
        Ofcom drop adjustment.
    """

    __slots__ = ("day", "n_calls", "n_live", "n_drops", "n_agent_machines", "_start_s", "_end_s")

    def __init__(self) -> None:
        self.day = 0
        self._start_s, self._end_s = 0.0, SECONDS_PER_DAY  # day 0's bounds, [start, end)
        self.n_calls = 0
        self.n_live = 0
        self.n_drops = 0
        self.n_agent_machines = 0

    def roll(self, now_s: float) -> None:
        """Reset the counts if ``now_s`` falls on another day than the counts.

        Inside the counts' day (``day * 86400 <= now_s < (day + 1) * 86400``, both bounds exact) the day is
        the same without dividing; the model asks on every finished attempt.
        """
        if self._start_s <= now_s < self._end_s:
            return
        day = day_of(now_s)
        self._start_s, self._end_s = day * SECONDS_PER_DAY, (day + 1) * SECONDS_PER_DAY
        if day != self.day:
            self.day = day
            self.n_calls = self.n_live = self.n_drops = self.n_agent_machines = 0

    def add(self, now_s: float, observed: str, disposition: str) -> None:
        """Count one finished attempt (observed class and raw disposition)."""
        self.roll(now_s)
        self.n_calls += 1
        self._count_outcome(observed, disposition)

    def add_call(self, now_s: float) -> None:
        """Count one attempt in ``n_calls`` only (its outcome is counted later)."""
        self.roll(now_s)
        self.n_calls += 1

    def add_outcome(self, now_s: float, observed: str, disposition: str) -> None:
        """Count the outcome of an attempt already counted with :meth:`add_call`."""
        self.roll(now_s)
        self._count_outcome(observed, disposition)

    def _count_outcome(self, observed: str, disposition: str) -> None:
        if observed == "live":
            self.n_live += 1
        elif observed == "drop":
            self.n_drops += 1
        elif disposition == "machine_to_agent":
            self.n_agent_machines += 1

    @property
    def n_answers(self) -> int:
        """Human-answered attempts today: live plus dropped."""
        return self.n_live + self.n_drops


class WindowTally:
    """Attempts and drops within a trailing window of ``window_s`` seconds.

    An attempt at time ``t`` is inside the window at ``now_s`` when
    ``t > now_s - window_s`` (VICIdial's ``call_date > now - 1 minute``). An
    attempt and its drop may be entered at different times (:meth:`add_call`
    at the answer, :meth:`add_drop` when the drop is reported).
    """

    __slots__ = ("window_s", "_events", "n_calls", "n_drops")

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._events: deque[tuple[float, int, int]] = deque()
        self.n_calls = 0
        self.n_drops = 0

    def add(self, now_s: float, is_drop: bool) -> None:
        """Count one attempt finished at ``now_s``."""
        self._events.append((now_s, 1, int(is_drop)))
        self.n_calls += 1
        self.n_drops += is_drop

    def add_call(self, now_s: float) -> None:
        """Count one attempt at ``now_s`` whose drop, if any, comes later."""
        self._events.append((now_s, 1, 0))
        self.n_calls += 1

    def add_drop(self, now_s: float) -> None:
        """Count the drop of an attempt already counted with :meth:`add_call`."""
        self._events.append((now_s, 0, 1))
        self.n_drops += 1

    def prune(self, now_s: float) -> None:
        """Forget attempts that left the window by ``now_s``."""
        horizon_s = now_s - self.window_s
        events = self._events
        while events and events[0][0] <= horizon_s:
            _, was_call, was_drop = events.popleft()
            self.n_calls -= was_call
            self.n_drops -= was_drop
