"""The dialer's caller IDs and the community blocklist that flags them.

:class:`CommunityBlocklist` scores each caller ID from complaints in a sliding
window (a Tellows-style 1-9 score, :class:`~dialer_sim.config.BlocklistConfig`).
:class:`CallerIdPool` picks the caller ID of each attempt under the policy
``withheld``, ``fixed`` or ``rotating`` (docs/screening.md), and retires rotating numbers
that are flagged or whose answer rate has fallen.

Conventions
-----------
- Times are seconds since midnight of the campaign's first day.
- Rotating numbers are ``number`` with a four-digit (or longer) suffix:
  ``+4930000000-0000``, ``+4930000000-0001``, ... in the order they are taken
  into use; the pool starts with the first ``pool_size`` of them.
"""

from __future__ import annotations

from collections import deque

from .._time import SECONDS_PER_DAY
from ..config._list_campaign import BlocklistConfig, CallerIdConfig
from ._population import Caller

__all__ = ["CallerIdPool", "CommunityBlocklist", "WITHHELD"]

WITHHELD = "withheld"
_WITHHELD_CALLER = Caller(WITHHELD, True, False)


class CommunityBlocklist:
    """Complaint scores of caller IDs, and whether each is listed now."""

    def __init__(self, config: BlocklistConfig):
        self.cfg = config
        self._events: dict[str, deque] = {}
        self._window_s = config.window_days * SECONDS_PER_DAY
        self._weight: dict[str, float] = {}
        self.first_flagged_at_s: dict[str, float] = {}
        #: ``is_flagged``'s last answer per caller ID, valid until a complaint arrives or one leaves the window.
        self._flagged: dict[str, bool] = {}

    def _prune(self, caller_id: str, now_s: float) -> float:
        events = self._events.get(caller_id)
        if not events:
            return 0.0
        horizon = now_s - self._window_s
        w = self._weight[caller_id]
        if events[0][0] < horizon:
            self._flagged.pop(caller_id, None)
        while events and events[0][0] < horizon:
            w -= events.popleft()[1]
        w = (0.0 if 0.0 > w else w) if events else 0.0  # max(w, 0.0), without the builtin's call
        self._weight[caller_id] = w
        return w

    def complain(self, caller_id: str, now_s: float, weight: float = 1.0) -> None:
        """Add a complaint (or the weight of a short call) about ``caller_id`` at ``now_s``."""
        if caller_id == WITHHELD or weight <= 0:
            return  # a withheld number cannot be rated
        self._events.setdefault(caller_id, deque()).append((now_s, weight))
        self._flagged.pop(caller_id, None)
        self._weight[caller_id] = self._weight.get(caller_id, 0.0) + weight
        if caller_id not in self.first_flagged_at_s and self.is_flagged(caller_id, now_s):
            self.first_flagged_at_s[caller_id] = now_s

    def score(self, caller_id: str, now_s: float) -> float:
        """The 1-9 score: ``1 + 8 C / (C + half_score_weight)`` with ``C`` the complaint weight in the window."""
        c = self._prune(caller_id, now_s)
        return 1.0 + 8.0 * c / (c + self.cfg.half_score_weight)

    def is_flagged(self, caller_id: str, now_s: float) -> bool:
        """Listed now: the score is at least ``flag_score``.

        The answer is kept until a complaint arrives or one leaves the window: asked again in between, the
        score is the same (the pruned weight does not change when nothing is pruned).
        """
        if caller_id == WITHHELD:
            return False
        events = self._events.get(caller_id)
        if events is None:
            return False
        if events and events[0][0] >= now_s - self._window_s:  # nothing leaves the window now
            flagged = self._flagged.get(caller_id)
            if flagged is not None:
                return flagged
        flagged = self._flagged[caller_id] = self.score(caller_id, now_s) >= self.cfg.flag_score - 1e-12
        return flagged


class CallerIdPool:
    """Chooses the caller ID of each attempt and keeps the pool's answer statistics."""

    def __init__(self, config: CallerIdConfig, blocklist: CommunityBlocklist):
        self.cfg = config
        self.blocklist = blocklist
        self._next_fresh = 0
        self.active: list[str] = []
        self.retired: dict[str, tuple[float, str]] = {}  # caller_id -> (time, reason)
        self._recent: dict[str, deque] = {}
        self._baseline: dict[str, float] = {}
        self._turn = 0
        self._policy = config.policy
        self._callers: dict[tuple[str, bool], Caller] = {}
        if config.policy == "rotating":
            for _ in range(config.pool_size):
                self._take_fresh()
        elif config.policy == "fixed":
            self.active.append(config.number)
            self._recent[config.number] = deque(maxlen=config.answer_rate_window_calls)

    def _take_fresh(self) -> bool:
        limit = self.cfg.pool_size + self.cfg.n_spare_numbers
        if self._next_fresh >= limit:
            return False
        width = max(4, len(str(limit - 1)))
        number = f"{self.cfg.number}-{self._next_fresh:0{width}d}"
        self._next_fresh += 1
        self.active.append(number)
        self._recent[number] = deque(maxlen=self.cfg.answer_rate_window_calls)
        return True

    @property
    def n_used(self) -> int:
        """Numbers taken into use so far (rotating), including retired ones."""
        return self._next_fresh if self.cfg.policy == "rotating" else len(self.active)

    def next_caller(self, now_s: float) -> Caller:
        """The caller ID for an attempt placed now."""
        policy = self._policy
        if policy == "withheld":
            return _WITHHELD_CALLER
        if policy == "rotating":
            self._turn = (self._turn + 1) % len(self.active)
            number = self.active[self._turn]
        else:
            number = self.active[0]
        key = (number, self.blocklist.is_flagged(number, now_s))
        caller = self._callers.get(key)  # a Caller is immutable: one object per (number, flagged) serves all calls
        if caller is None:
            caller = self._callers[key] = Caller(number, False, key[1])
        return caller

    def on_result(self, caller_id: str, answered: bool, now_s: float) -> None:
        """Record whether an attempt was answered; retire a rotating number that is flagged or answered less."""
        recent = self._recent.get(caller_id)
        if recent is None:
            return
        recent.append(answered)
        n = recent.maxlen  # cfg.answer_rate_window_calls
        if len(recent) == n and caller_id not in self._baseline:
            self._baseline[caller_id] = sum(recent) / n
        if self._policy != "rotating" or caller_id not in self.active:
            return
        reason = ""
        if self.cfg.retire_when_flagged and self.blocklist.is_flagged(caller_id, now_s):
            reason = "flagged"
        elif caller_id in self._baseline and len(recent) == n:
            if sum(recent) / n < self.cfg.retire_answer_ratio * self._baseline[caller_id]:
                reason = "answer_rate"
        if reason and (self._take_fresh() or len(self.active) > 1):
            self.active.remove(caller_id)
            self.retired[caller_id] = (now_s, reason)
            self._turn %= len(self.active)
