"""The calling list of a list campaign: per-number state, calling rules and list hygiene.

:class:`CallingList` decides, after every attempt, whether a number stays on the
list and when it may be dialled next: the calling windows, the caps per day,
week and campaign, the minimum gap and the Ofcom redial rules
(:class:`~dialer_sim.config_list.RulesConfig`), and the drop rules of
:class:`~dialer_sim.config_list.HygieneConfig`. It also counts what each person
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

import numpy as np

from ._time import SECONDS_PER_DAY, SECONDS_PER_WEEK
from .config import DialerConfig
from .pacing._base import observed_outcome

__all__ = ["ACTIVE", "DROPPED", "SUCCESSFUL", "CallingList"]

ACTIVE, SUCCESSFUL, DROPPED = 0, 1, 2
_REASON = {"no_answer": 0, "busy": 0, "machine": 1, "rejected": 2, "unobtainable": 3, "fax": 4}
#: Dispositions a person experiences as a silent call: dead air until dropped or until they hang up.
SILENT = frozenset({"abandoned", "callee_hung_up"})


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
        n = int(n_numbers)
        self.status = np.zeros(n, dtype=np.int8)
        self.attempts = np.zeros(n, dtype=np.int32)
        self.reasons = np.zeros((n, 5), dtype=np.int32)
        self.status_day = np.full(n, -1, dtype=np.int32)  # day the number was dropped or marked successful
        self.first_day = np.full(n, -1, dtype=np.int32)   # day of the number's first attempt
        self.calls = np.zeros(n, dtype=np.int32)           # attempts that rang or were answered
        self.silent = np.zeros(n, dtype=np.int32)          # silent calls heard by the person
        self.amd_hangups = np.zeros(n, dtype=np.int32)     # the person was hung up on as a machine
        self.contacts = np.zeros(n, dtype=np.int32)        # the person talked to an agent
        self.callbacks = np.zeros(n, dtype=np.int32)       # a screener called back after a message
        self._day_of_last = np.full(n, -1, dtype=np.int32)
        self._n_day = np.zeros(n, dtype=np.int32)
        self._week_of_last = np.full(n, -1, dtype=np.int32)
        self._n_week = np.zeros(n, dtype=np.int32)

    # -- time helpers ----------------------------------------------------------------------------
    def weekday(self, day: int) -> int:
        return (self.rules.start_weekday + day) % 7

    def week(self, day: int) -> int:
        return (self.rules.start_weekday + day) // 7

    def next_window_open(self, t_s: float) -> float:
        """The earliest time >= ``t_s`` inside a calling window (inf if none before the campaign ends)."""
        day = int(t_s // SECONDS_PER_DAY)
        while day * SECONDS_PER_DAY < self._end_s:
            win = self.rules.window_s(self.weekday(day))
            if win is not None:
                start, end = day * SECONDS_PER_DAY + win[0], day * SECONDS_PER_DAY + win[1]
                if t_s < end:
                    return max(t_s, start)
            day += 1
        return math.inf

    # -- the two events of an attempt ------------------------------------------------------------
    def on_dial(self, number_id: int, now_s: float) -> int:
        """Count an attempt placed now; return its attempt number (1-based)."""
        day = int(now_s // SECONDS_PER_DAY)
        if self.first_day[number_id] < 0:
            self.first_day[number_id] = day
        if self._day_of_last[number_id] != day:
            self._day_of_last[number_id] = day
            self._n_day[number_id] = 0
        week = self.week(day)
        if self._week_of_last[number_id] != week:
            self._week_of_last[number_id] = week
            self._n_week[number_id] = 0
        self._n_day[number_id] += 1
        self._n_week[number_id] += 1
        self.attempts[number_id] += 1
        return int(self.attempts[number_id])

    def after_attempt(self, number_id: int, disposition: str, amd_label: str, end_s: float,
                      *, live: bool, received: str | None = None) -> float | None:
        """Update the number after an attempt ended; return when it may be dialled next, or None.

        ``live``: a live person answered (truth), for the per-person counts. ``disposition`` is what the
        dialer saw; ``received`` what the person got when it differs (a person hung up on by a late AMD
        verdict after connection looks like a released machine to the dialer).
        """
        day = int(end_s // SECONDS_PER_DAY)
        self._count_received(number_id, disposition if received is None else received, live)
        if self._is_success(disposition, amd_label):
            self.status[number_id], self.status_day[number_id] = SUCCESSFUL, day
            return None
        seen = observed_outcome(disposition)
        reason = _REASON.get("machine" if seen == "machine" else disposition)
        if reason is not None:
            self.reasons[number_id, reason] += 1
            if self.reasons[number_id, reason] >= self._limits[reason]:
                return self._drop(number_id, day)
        if self.attempts[number_id] >= self.rules.max_attempts_per_campaign:
            return self._drop(number_id, day)
        return self.next_allowed(number_id, end_s, disposition, amd_label)

    def _is_success(self, disposition: str, amd_label: str) -> bool:
        if self._probe:
            return amd_label == "human"
        return disposition == "human_to_agent"

    def _drop(self, number_id: int, day: int) -> None:
        self.status[number_id], self.status_day[number_id] = DROPPED, day
        return None

    def _count_received(self, number_id: int, disposition: str, live: bool) -> None:
        if disposition not in ("busy", "unobtainable", "rejected"):
            self.calls[number_id] += 1
        if live:
            if disposition in SILENT:
                self.silent[number_id] += 1
            elif disposition == "amd_false_positive":
                self.amd_hangups[number_id] += 1
        if disposition == "human_to_agent":
            self.contacts[number_id] += 1

    def next_allowed(self, number_id: int, end_s: float, disposition: str = "", amd_label: str = "") -> float | None:
        """The earliest time the rules allow the next attempt on ``number_id`` after one ending at ``end_s``."""
        r = self.rules
        due = end_s + r.min_gap_s
        if r.ofcom_abandoned_gap_s > 0 and disposition and observed_outcome(disposition) == "drop":
            # Every drop the dialer saw, including a callee who hung up in dead air: it cannot guarantee that
            # the person was not abandoned (Ofcom counts a hang-up after the 2 s deadline as abandoned).
            due = max(due, end_s + r.ofcom_abandoned_gap_s)
        if r.ofcom_no_same_day_after_machine and amd_label == "machine":
            due = max(due, (end_s // SECONDS_PER_DAY + 1) * SECONDS_PER_DAY)
        for _ in range(16):  # each pass moves to a later day or week, or returns
            due = self.next_window_open(due)
            if due == math.inf:
                return None
            day = int(due // SECONDS_PER_DAY)
            if day == self._day_of_last[number_id] and self._n_day[number_id] >= r.max_attempts_per_day:
                due = (day + 1) * SECONDS_PER_DAY
                continue
            week = self.week(day)
            if week == self._week_of_last[number_id] and self._n_week[number_id] >= r.max_attempts_per_week:
                due = (week + 1) * SECONDS_PER_WEEK - r.start_weekday * SECONDS_PER_DAY
                continue
            return due
        return None  # pragma: no cover - more than 16 moves cannot happen with 7-day weeks

    def mark_callback(self, number_id: int) -> None:
        self.callbacks[number_id] += 1
