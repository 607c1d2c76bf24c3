"""The called population: who is behind each number, and how they meet a dial attempt.

Each number gets fixed traits when the replication starts (its screening
strategy, whether it is in service, a fax line, has voicemail, which voicemail
greeting, how its owner answers). Each attempt then draws whether the person is
free and picks up, given the hour, the weekday and how the phone shows the
caller ID (the strategies of docs/screening.md; parameters in
:class:`dialer_sim.config.PopulationConfig`).

Conventions
-----------
- Numbers are ``0 .. n_numbers - 1``; traits are numpy arrays indexed by number.
- A strategy is assigned by comparing one uniform draw per number with the
  cumulative shares of ``strategy_mix`` in the order of
  :data:`~dialer_sim.config.STRATEGIES`. Raising one strategy's share
  therefore switches the same numbers to it as the share grows (a coupled sweep:
  adoption curves are smooth, not noisy).
- :meth:`Population.respond` returns ``(outcome, kind)``: the network outcome
  (``answered``, ``no_answer``, ``rejected``, ``unobtainable``) and the answer
  kind when answered. The model draws the answer delay for the kind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from callvocab import ANSWER_KINDS, HUMAN_KINDS, VOICEMAIL_KINDS

from ..config._dialer import DialerConfig
from ..config._list_campaign import STRATEGIES
from ._draws import Block

__all__ = ["Caller", "Population"]

_S = {name: i for i, name in enumerate(STRATEGIES)}
_VOICEMAIL_KINDS = VOICEMAIL_KINDS
_PERSON_KINDS = tuple(k for k in ANSWER_KINDS if k in HUMAN_KINDS)  # in ANSWER_KINDS order: drawn by index


@dataclass(frozen=True, slots=True)
class Caller:
    """How the dialer's caller ID looks to the called phone for one attempt.

    Attributes
    ----------
    caller_id : str
        The presented number, or ``"withheld"``.
    withheld : bool
    flagged : bool
        On the community blocklist at the time of the call.
    """

    caller_id: str
    withheld: bool
    flagged: bool


def _pick(u: np.ndarray, names: tuple[str, ...], weights: dict[str, float]) -> np.ndarray:
    """Index into ``names`` for each uniform in ``u`` (inverse CDF of the normalised weights)."""
    w = np.array([max(float(weights.get(k, 0.0)), 0.0) for k in names])
    if w.sum() <= 0:
        w = np.ones(len(names))
    cum = np.cumsum(w / w.sum())
    return np.minimum(np.searchsorted(cum, u, side="right"), len(names) - 1).astype(np.int8)


class Population:
    """Traits and per-attempt behaviour of every number on a list.

    Parameters
    ----------
    config : DialerConfig
        A list-mode configuration (``config.population`` set).
    n_numbers : int
    rng : numpy.random.Generator
        Draws the fixed traits (the ``population`` stream).
    rng_attempts : numpy.random.Generator
        Draws per-attempt behaviour (the ``screening`` stream).
    """

    def __init__(self, config: DialerConfig, n_numbers: int, *, rng: np.random.Generator,
                 rng_attempts: np.random.Generator):
        pc = config.population
        self.cfg = pc
        self._start_weekday = config.rules.start_weekday
        n = int(n_numbers)
        # Fixed draw order (append only): strategy, assigned, fax, voicemail, voicemail kind, person kind.
        u = rng.random((6, n))
        self.strategy = _pick(u[0], STRATEGIES, pc.strategy_mix)
        self.assigned = u[1] >= pc.p_unassigned
        self.fax_line = u[2] < pc.p_fax_line
        self.has_voicemail = u[3] < pc.p_voicemail
        weights = config.answer.kind_weights
        self.voicemail_kind = _pick(u[4], _VOICEMAIL_KINDS, weights)
        self.person_kind = _pick(u[5], _PERSON_KINDS, weights)
        self.person_kind[self.strategy == _S["silent_answer"]] = _PERSON_KINDS.index("human_silent")
        self.changed = np.zeros(n, dtype=bool)
        # Python-list copies of the traits for the per-attempt reads (one element access is ~10x cheaper than
        # numpy's); the numpy arrays above stay the public view, and unwanted_call updates both. The count of
        # unwanted calls is a list alone (its numpy view, :attr:`n_unwanted`, is built when asked for).
        self._strategy, self._assigned, self._fax = self.strategy.tolist(), self.assigned.tolist(), self.fax_line.tolist()
        self._voicemail, self._changed, self._n_unwanted = self.has_voicemail.tolist(), [False] * n, [0] * n
        self._person_kind = [_PERSON_KINDS[i] for i in self.person_kind.tolist()]
        self._voicemail_kind = [_VOICEMAIL_KINDS[i] for i in self.voicemail_kind.tolist()]
        self._u = Block.uniform(rng_attempts)
        # availability[weekday, hour]
        self._availability = np.array(
            [pc.availability_weekday] * 5 + [pc.availability_saturday, pc.availability_sunday]).tolist()
        self._hour_start_s, self._hour_end_s, self._hour_share = 0, 0, 0.0  # no hour kept yet
        pick = pc.p_pickup_by_caller
        self._p_known, self._p_withheld, self._p_flagged = (
            pick[pc.known_caller_type], pick["unidentified"], pick["flagged_spam"])
        # Set by a campaign with [consent]: True where the person saved the company's number (docs/consumer_world.md).
        self.in_contacts: np.ndarray | None = None
        self._p_contact, self._company_number = pick["contact"], config.caller_id.number

    @property
    def n_numbers(self) -> int:
        return len(self.strategy)

    @property
    def n_unwanted(self) -> np.ndarray:
        """Campaign calls that reached each number's phone so far (a copy: later calls do not show)."""
        return np.array(self._n_unwanted, dtype=np.int32)

    def availability(self, t_s: float) -> float:
        """Share of calls at time ``t_s`` that find the person free to answer.

        The share is kept for the clock hour of the last call: inside ``[start, end)`` of that hour (exact
        bounds) it is the same without dividing, and the model asks once per attempt.
        """
        if self._hour_start_s <= t_s < self._hour_end_s:
            return self._hour_share
        day, sec = divmod(t_s, 86_400.0)
        hour = int(sec // 3600.0)
        self._hour_start_s = int(day) * 86_400 + hour * 3600
        self._hour_end_s = self._hour_start_s + 3600
        weekday = (self._start_weekday + int(day)) % 7
        share = self._hour_share = self._availability[weekday][hour if hour < 23 else 23]
        return share

    def p_answer(self, number_id: int, t_s: float, caller: Caller, *, label_shown: bool) -> float:
        """Probability that the person picks up this call themselves (before any voicemail)."""
        s = self._strategy[number_id]
        saved = self.in_contacts is not None and self.shows_name(number_id, caller)
        if s == _S["never_answer"] or (s == _S["screen_unknown"] and not saved):
            return 0.0
        if caller.withheld:
            p = self._p_withheld
        elif saved:
            p = self._p_contact  # "name shown -> answer": a saved contact is not screened
        elif caller.flagged and label_shown:
            p = self._p_flagged
        else:
            p = self._p_known
        return p * self.availability(t_s)

    def respond(self, number_id: int, t_s: float, caller: Caller, *, label_shown: bool = True) -> tuple[str, str]:
        """Network outcome and answer kind of one attempt that got through the network.

        ``label_shown``: whether phones show a flagged caller ID as spam to everyone.
        """
        if not self._assigned[number_id] or self._changed[number_id]:
            return "unobtainable", ""
        if self._fax[number_id]:
            return "answered", "fax"
        s = self._strategy[number_id]
        saved = self.in_contacts is not None and self.shows_name(number_id, caller)
        if (s == _S["block_withheld"] and caller.withheld) or (s == _S["blocklist"] and caller.flagged and not saved):
            return "rejected", ""
        if s == _S["screening_assistant"] and not saved:
            return "answered", "screening_assistant"
        if self._u() < self.p_answer(number_id, t_s, caller, label_shown=label_shown):
            return "answered", self._person_kind[number_id]
        if self._voicemail[number_id]:
            return "answered", self._voicemail_kind[number_id]
        return "no_answer", ""

    def shows_name(self, number_id: int, caller: Caller) -> bool:
        """The phone shows the company's name: the person saved its number and the dialer presents that number."""
        return (self.in_contacts is not None and bool(self.in_contacts[number_id])
                and caller.caller_id == self._company_number)

    def accepts_after_screening(self) -> bool:
        """A screening assistant rang its person after an agent spoke: does the person take the call?"""
        return self._u() < self.cfg.p_accept_after_screening

    def calls_back(self) -> bool:
        """A screener heard the dialer's voicemail message: does the person call back?"""
        return self._u() < self.cfg.p_callback_after_message

    def unwanted_call(self, number_id: int) -> None:
        """Count a campaign call that reached the phone; a ``change_number`` user gives up the number after enough."""
        n = self._n_unwanted[number_id] = self._n_unwanted[number_id] + 1
        if self._strategy[number_id] == _S["change_number"] and n >= self.cfg.change_after_n_unwanted:
            self.changed[number_id] = self._changed[number_id] = True
