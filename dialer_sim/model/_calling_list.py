"""The calling list of a list campaign: per-number state, calling rules and list hygiene.

:class:`CallingList` decides, after every attempt, whether a number stays on the
list and when it may be dialled next: the calling windows, the caps per day,
week and campaign, the minimum gap and the Ofcom redial rules
(:class:`~dialer_sim.config.RulesConfig`), and the drop rules of
:class:`~dialer_sim.config.HygieneConfig`. It also counts what each person
received (calls, silent calls, AMD hang-ups), which the daily snapshots report.

Conventions
-----------
- Day ``d`` spans ``[86400 d, 86400 (d + 1))``; its weekday is
  ``(rules.start_weekday + d) % 7``; calendar week ``(start_weekday + d) // 7``
  (weeks start on Monday).
- Status codes: :data:`ACTIVE` (still on the list), :data:`SUCCESSFUL` (a live
  person reached an agent, or for a probing robot the AMD said human: passed
  on), :data:`DROPPED` (hygiene or attempt cap).
- "The dialer saw a machine" uses the dialer's view (``observed_outcome``): AMD
  false positives count as machines, as they do for a real dialer.
"""

from __future__ import annotations

import math
from array import array

import numpy as np

from callvocab.cdr import DISPOSITIONS

from .._time import SECONDS_PER_DAY, SECONDS_PER_WEEK
from ..config._dialer import DialerConfig
from ..pacing._base import observed_outcome

__all__ = ["ACTIVE", "DROPPED", "SUCCESSFUL", "CallingList"]

ACTIVE, SUCCESSFUL, DROPPED = 0, 1, 2
_REASON = {"no_answer": 0, "busy": 0, "machine": 1, "rejected": 2, "unobtainable": 3, "fax": 4}
#: The hygiene reason each disposition counts towards (None: none), and the dispositions the dialer sees as a
#: drop: looked up once per attempt instead of mapping through ``observed_outcome`` each time.
_REASON_OF = {d: _REASON.get("machine" if observed_outcome(d) == "machine" else d) for d in DISPOSITIONS}
_SEEN_AS_DROP = frozenset(d for d in DISPOSITIONS if observed_outcome(d) == "drop")
#: Dispositions a person experiences as a silent call: dead air until dropped or until they hang up.
SILENT = frozenset({"abandoned", "callee_hung_up"})


#: The typed-array code of a 32-bit signed integer on this platform (C ``int`` wherever numpy runs).
_INT32 = next(code for code in "ilq" if array(code).itemsize == 4)


def _filled(typecode: str, value: int, n: int) -> array:
    """A typed array of ``n`` copies of ``value``."""
    return array(typecode, [value]) * n


def _numpy(values: array | list[int], dtype=np.int32) -> np.ndarray:
    """A numpy copy of a typed array (its buffer, reinterpreted, then copied) or of a list: later updates do not show."""
    if isinstance(values, list):
        return np.array(values, dtype=dtype)
    return np.frombuffer(values, dtype=dtype).copy() if len(values) else np.zeros(0, dtype=dtype)


class CallingList:
    """Per-number list state for one replication.

    Parameters
    ----------
    config : DialerConfig
        A list-mode configuration.
    n_numbers : int
    """

    def __init__(self, config: DialerConfig, n_numbers: int):
        self.cfg = config
        self.rules = config.rules
        h = config.hygiene
        self._limits = (h.max_no_answer, h.max_machine, h.max_rejected, h.max_unobtainable, h.max_fax)
        self._probe = config.probe is not None
        self._end_s = config.campaign.n_shifts * SECONDS_PER_DAY
        r = self.rules
        self._windows = [r.window_s(wd) for wd in range(7)]
        self._start_weekday = r.start_weekday
        self._max_attempts = r.max_attempts_per_campaign
        n = int(n_numbers)
        # Per-number state. What the daily snapshot reads (status and the counts of what each person received)
        # is in typed arrays, whose numpy copy is a memcpy of the buffer; what only the per-attempt rules read
        # and write is in lists, whose element access the interpreter specialises (a typed array's read costs
        # about 150 machine instructions and its write about 350; measured under callgrind).
        self._status = _filled("b", ACTIVE, n)
        self._calls = _filled(_INT32, 0, n)        # attempts that rang or were answered
        self._silent = _filled(_INT32, 0, n)       # silent calls heard by the person
        self._amd_hangups = _filled(_INT32, 0, n)  # the person was hung up on as a machine
        self._contacts = _filled(_INT32, 0, n)     # the person talked to an agent
        self._callbacks = _filled(_INT32, 0, n)    # a screener called back after a message
        self._attempts = [0] * n
        self._reasons = [0] * (5 * n)  # [number_id * 5 + reason]
        self._status_day = [-1] * n    # day the number was dropped or marked successful
        self._first_day = [-1] * n     # day of the number's first attempt
        self._day_of_last = [-1] * n
        self._n_day = [0] * n
        self._week_of_last = [-1] * n
        self._n_week = [0] * n

    # -- per-number arrays (numpy copies of the typed arrays and lists) --------------------------
    status = property(lambda self: _numpy(self._status, np.int8), doc="List status of each number.")
    attempts = property(lambda self: _numpy(self._attempts), doc="Attempts placed per number.")
    reasons = property(lambda self: _numpy(self._reasons).reshape(-1, 5),
                       doc="Hygiene counts per number: no answer, machine, rejected, unobtainable, fax.")
    status_day = property(lambda self: _numpy(self._status_day),
                          doc="Day each number was dropped or marked successful (-1: still active).")
    first_day = property(lambda self: _numpy(self._first_day), doc="Day of the first attempt.")
    calls = property(lambda self: _numpy(self._calls), doc="Attempts that rang or were answered.")
    silent = property(lambda self: _numpy(self._silent), doc="Silent calls heard by the person.")
    amd_hangups = property(lambda self: _numpy(self._amd_hangups), doc="Times the person was hung up on as a machine.")
    contacts = property(lambda self: _numpy(self._contacts), doc="Times the person talked to an agent.")
    callbacks = property(lambda self: _numpy(self._callbacks), doc="Times a screener called back after a message.")

    def status_of(self, number_id: int) -> int:
        """The list status of one number (:data:`ACTIVE`, :data:`SUCCESSFUL` or :data:`DROPPED`)."""
        return self._status[number_id]

    # -- time helpers ----------------------------------------------------------------------------
    def weekday(self, day: int) -> int:
        return (self._start_weekday + day) % 7

    def week(self, day: int) -> int:
        return (self._start_weekday + day) // 7

    def next_window_open(self, t_s: float) -> float:
        """The earliest time >= ``t_s`` inside a calling window (inf if none before the campaign ends)."""
        day = int(t_s // SECONDS_PER_DAY)
        windows, start_weekday = self._windows, self._start_weekday
        while day * SECONDS_PER_DAY < self._end_s:
            win = windows[(start_weekday + day) % 7]
            if win is not None:
                start, end = day * SECONDS_PER_DAY + win[0], day * SECONDS_PER_DAY + win[1]
                if t_s < end:
                    return start if start > t_s else t_s  # max(t_s, start), without the builtin's call
            day += 1
        return math.inf

    # -- the two events of an attempt ------------------------------------------------------------
    def on_dial(self, number_id: int, now_s: float) -> int:
        """Count an attempt placed now; return its attempt number (1-based)."""
        day = int(now_s // SECONDS_PER_DAY)
        if self._first_day[number_id] < 0:
            self._first_day[number_id] = day
        if self._day_of_last[number_id] != day:
            self._day_of_last[number_id] = day
            self._n_day[number_id] = 1
        else:
            self._n_day[number_id] += 1
        week = (self._start_weekday + day) // 7
        if self._week_of_last[number_id] != week:
            self._week_of_last[number_id] = week
            self._n_week[number_id] = 1
        else:
            self._n_week[number_id] += 1
        attempt = self._attempts[number_id] = self._attempts[number_id] + 1
        return attempt

    def after_attempt(self, number_id: int, disposition: str, amd_label: str, end_s: float,
                      *, live: bool, received: str | None = None) -> float | None:
        """Update the number after an attempt ended; return when it may be dialled next, or None.

        ``live``: a live person answered (truth), for the per-person counts. ``disposition`` is what the
        dialer saw; ``received`` what the person got when it differs (a person hung up on by a late AMD
        verdict after connection looks like a released machine to the dialer).
        """
        self._count_received(number_id, disposition if received is None else received, live)
        if (amd_label == "human") if self._probe else (disposition == "human_to_agent"):  # a success: passed on
            self._status[number_id], self._status_day[number_id] = SUCCESSFUL, int(end_s // SECONDS_PER_DAY)
            return None
        reason = _REASON_OF[disposition]
        if reason is not None:
            i = number_id * 5 + reason
            n = self._reasons[i] = self._reasons[i] + 1
            if n >= self._limits[reason]:
                return self.drop(number_id, int(end_s // SECONDS_PER_DAY))
        if self._attempts[number_id] >= self._max_attempts:
            return self.drop(number_id, int(end_s // SECONDS_PER_DAY))
        return self.next_allowed(number_id, end_s, disposition, amd_label)

    def drop(self, number_id: int, day: int) -> None:
        """Take ``number_id`` off the list on ``day`` (status ``DROPPED``); returns None, "no retry"."""
        self._status[number_id], self._status_day[number_id] = DROPPED, day
        return None

    def _count_received(self, number_id: int, disposition: str, live: bool) -> None:
        if disposition not in ("busy", "unobtainable", "rejected"):
            self._calls[number_id] += 1
        if live:
            if disposition in SILENT:
                self._silent[number_id] += 1
            elif disposition == "amd_false_positive":
                self._amd_hangups[number_id] += 1
        if disposition == "human_to_agent":
            self._contacts[number_id] += 1

    def next_allowed(self, number_id: int, end_s: float, disposition: str = "", amd_label: str = "") -> float | None:
        """The earliest time the rules allow the next attempt on ``number_id`` after one ending at ``end_s``."""
        r = self.rules
        due = end_s + r.min_gap_s
        if r.ofcom_abandoned_gap_s > 0 and disposition in _SEEN_AS_DROP:
            # Every drop the dialer saw, including a callee who hung up in dead air: it cannot guarantee that
            # the person was not abandoned (Ofcom counts a hang-up after the 2 s deadline as abandoned).
            due = max(due, end_s + r.ofcom_abandoned_gap_s)
        if r.ofcom_no_same_day_after_machine and amd_label == "machine":
            due = max(due, (end_s // SECONDS_PER_DAY + 1) * SECONDS_PER_DAY)
        day_of_last, n_day = self._day_of_last[number_id], self._n_day[number_id]
        week_of_last, n_week = self._week_of_last[number_id], self._n_week[number_id]
        for _ in range(16):  # each pass moves to a later day or week, or returns
            due = self.next_window_open(due)
            if due == math.inf:
                return None
            day = int(due // SECONDS_PER_DAY)
            if day == day_of_last and n_day >= r.max_attempts_per_day:
                due = (day + 1) * SECONDS_PER_DAY
                continue
            week = (self._start_weekday + day) // 7  # self.week(day), inlined
            if week == week_of_last and n_week >= r.max_attempts_per_week:
                due = (week + 1) * SECONDS_PER_WEEK - r.start_weekday * SECONDS_PER_DAY
                continue
            return due
        return None  # pragma: no cover - more than 16 moves cannot happen with 7-day weeks

    def mark_callback(self, number_id: int) -> None:
        self._callbacks[number_id] += 1
