"""Ping calls: who sees a ping's missed call, who calls back, what it costs, and when the number is shut down.

A ping dialer (``[ping]``, :class:`~dialer_sim.config.PingConfig`) rings
each number for a second or two and hangs up: :class:`PingCampaign` is the
list campaign's number source with that dial mode (``docs/architecture.md``,
"Number sources"). :class:`PingCallbacks` follows
each ping from the called phone to the bill: it uses the population's traits
(:mod:`.population`: strategy, whether the number is in service, fax lines)
and the community blocklist (:mod:`.caller_id`) of the list campaign, so a
ping meets the same screening strategies as any other call.

Conventions
-----------
- Times are seconds since midnight of the campaign's first day (the model's
  clock); call-backs and complaints are SimPy events on the model's
  environment, so a shutdown takes effect at the moment of the complaint that
  crossed the threshold.
- A call-back to a number that was shut down before it was placed reaches
  nothing and costs nothing; one placed before the shutdown is billed in full.
- Billed minutes are whole billing increments: a 61 s call-back with 60 s
  increments bills 2 minutes (``docs/sources.md`` §7.2).
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from ..config._list_campaign import STRATEGIES
from ..config._ping import PingConfig
from ..pacing._base import PacingPolicy
from ._caller_id import CommunityBlocklist
from ._draws import Block
from ._list_campaign import ListCampaign, _FixedLines
from ._population import Caller, Population

__all__ = ["CALLBACK_RULES", "PING_SUMMARY_KEYS", "PingCallbacks", "PingCampaign", "ping_outcome"]

#: How each screening strategy meets a ping's missed call (``docs/consumer_world.md``, "Ping calls"):
#: ``unknown`` calls an unknown missed number back with ``ping.p_callback``; ``message_only`` calls back only a
#: number that left a message (a ping leaves none); ``unseen`` never sees the call (an assistant answers it).
#: ``blocklist`` users call back like ``unknown`` unless the number is flagged, which their phone rejects.
CALLBACK_RULES = {
    "answer_all": "unknown",
    "screen_unknown": "message_only",
    "block_withheld": "unknown",
    "blocklist": "unknown",
    "silent_answer": "unknown",
    "screening_assistant": "unseen",
    "never_answer": "message_only",
    "change_number": "unknown",
}
#: Scalars of :meth:`PingCallbacks.summary`, in order.
PING_SUMMARY_KEYS = ("pings", "missed_calls_seen", "callbacks", "callbacks_billed", "callbacks_unreached",
                     "premium_minutes", "consumer_cost_eur", "complaints", "n_numbers_shut_down",
                     "first_shutdown_at_s")
_S = {name: i for i, name in enumerate(STRATEGIES)}
_UNKNOWN = np.array([CALLBACK_RULES[s] == "unknown" for s in STRATEGIES])


def _substreams(rng: np.random.Generator, n: int) -> list[np.random.Generator]:
    """``n`` independent generators seeded from ``rng``, so each quantity keeps its own sequence."""
    return [np.random.default_rng(int(s)) for s in rng.integers(0, 2**63, size=n)]


def ping_outcome(population: Population, number_id: int, caller: Caller) -> str:
    """What a ping meets at the called number: ``unobtainable``, ``rejected``, ``assistant`` or ``rings``.

    ``rejected``: a ``blocklist`` user's phone refuses a flagged number. ``assistant``: a screening
    assistant takes the call, so its person sees nothing. A fax line rings (and never calls back).
    """
    if not population.assigned[number_id] or population.changed[number_id]:
        return "unobtainable"
    s = population.strategy[number_id]
    if s == _S["blocklist"] and caller.flagged:
        return "rejected"
    if s == _S["screening_assistant"]:
        return "assistant"
    return "rings"


class PingCallbacks:
    """Call-backs, premium minutes, complaints and shutdowns of one ping campaign.

    Parameters
    ----------
    config : PingConfig
    population : Population
    blocklist : CommunityBlocklist
        Complaints about a number are also reported to the community blocklist, so ``blocklist`` users
        reject it once it is flagged.
    env : simpy.Environment
        The model's clock; call-backs and complaints are scheduled on it.
    rng : numpy.random.Generator
        The ``ping`` stream: call-back decisions, delays, durations and complaints.
    """

    def __init__(self, config: PingConfig, population: Population, blocklist: CommunityBlocklist,
                 env: simpy.Environment, *, rng: np.random.Generator):
        self.cfg = config
        self.population = population
        self.blocklist = blocklist
        self.env = env
        decide, delay, duration, complain = _substreams(rng, 4)
        self._u = Block.uniform(decide)
        self._u_complaint = Block.uniform(complain)
        self._delay = Block.of(config.callback_delay_s, delay)
        self._duration = Block.of(config.callback_s, duration)
        self._p = config.p_callback_unknown
        self._tariff_per_s = config.tariff_eur_per_min / 60.0
        n = population.n_numbers
        self.seen = np.zeros(n, dtype=bool)             # the person saw the ping's missed call
        self.callbacks = np.zeros(n, dtype=np.int32)    # call-backs the person placed
        self.billed_s = np.zeros(n, dtype=np.float64)   # billed seconds (whole increments)
        self.cost_eur = np.zeros(n, dtype=np.float64)
        self.complaints: dict[str, int] = {}
        self.shutdown_at_s: dict[str, float] = {}
        self.n_pings = 0
        self.n_unreached = 0
        self.n_billed = 0

    # -- the two events of a ping ----------------------------------------------------------------------
    def on_ping(self, number_id: int, caller: Caller, outcome: str, *, ends_in_s: float = 0.0) -> None:
        """A ping to ``number_id`` met ``outcome`` (:func:`ping_outcome`) and ends ``ends_in_s`` from now.

        Draws whether its person calls back, and schedules the call-back after the ping's end.
        """
        self.n_pings += 1
        pop = self.population
        if outcome != "rings" or pop.fax_line[number_id] or caller.withheld:
            return
        self.seen[number_id] = True
        if not _UNKNOWN[pop.strategy[number_id]]:
            return  # message_only: a ping leaves no message
        if self._u() >= self._p:
            return
        delay = ends_in_s + self._delay()
        self.env.timeout(delay).callbacks.append(
            lambda _e, n=number_id, c=caller.caller_id: self._call_back(n, c))

    def _call_back(self, number_id: int, caller_id: str) -> None:
        now = self.env._now
        self.callbacks[number_id] += 1
        if self.is_shut_down(caller_id, now):
            self.n_unreached += 1  # the number is dead: the call reaches nothing and costs nothing
            return
        self.n_billed += 1
        duration = self._duration()
        inc = self.cfg.billing_increment_s
        billed = math.ceil(duration / inc - 1e-12) * inc if duration > 0 else 0.0
        self.billed_s[number_id] += billed
        self.cost_eur[number_id] += billed * self._tariff_per_s
        if self._u_complaint() < self.cfg.p_complaint:
            self.env.timeout(duration).callbacks.append(lambda _e, c=caller_id: self._complain(c))

    def _complain(self, caller_id: str) -> None:
        now = self.env._now
        self.blocklist.complain(caller_id, now)
        n = self.complaints.get(caller_id, 0) + 1
        self.complaints[caller_id] = n
        if n >= self.cfg.shutdown_after_n_complaints and caller_id not in self.shutdown_at_s:
            self.shutdown_at_s[caller_id] = now

    def is_shut_down(self, caller_id: str, t_s: float) -> bool:
        """Whether the regulator had shut ``caller_id`` down by ``t_s``."""
        at = self.shutdown_at_s.get(caller_id)
        return at is not None and at <= t_s

    # -- results -------------------------------------------------------------------------------------
    def summary(self) -> dict[str, float]:
        """Campaign totals (:data:`PING_SUMMARY_KEYS`); money in EUR, minutes are billed minutes."""
        first = min(self.shutdown_at_s.values()) if self.shutdown_at_s else math.nan
        return {
            "pings": self.n_pings,
            "missed_calls_seen": int(self.seen.sum()),
            "callbacks": int(self.callbacks.sum()),
            "callbacks_billed": self.n_billed,
            "callbacks_unreached": self.n_unreached,
            "premium_minutes": float(self.billed_s.sum() / 60.0),
            "consumer_cost_eur": float(self.cost_eur.sum()),
            "complaints": int(sum(self.complaints.values())),
            "n_numbers_shut_down": len(self.shutdown_at_s),
            "first_shutdown_at_s": float(first),
        }

    def by_strategy(self) -> dict[str, dict[str, float]]:
        """Per screening strategy present: numbers, missed calls seen, call-backs and cost."""
        out = {}
        strat = self.population.strategy
        for i, name in enumerate(STRATEGIES):
            mask = strat == i
            if mask.any():
                out[name] = {"n_numbers": int(mask.sum()), "missed_calls_seen": int(self.seen[mask].sum()),
                             "callbacks": int(self.callbacks[mask].sum()),
                             "consumer_cost_eur": float(self.cost_eur[mask].sum())}
        return out


class PingCampaign(ListCampaign):
    """The ping dial mode of a list campaign: ring briefly, hang up, and follow the missed call to the bill.

    Its population, caller-ID pool, blocklist and calling list serve the pings as any other list campaign's
    attempts; the ``ping`` stream is split into the ring times, the assistants' answer delays and the
    call-backs (:class:`PingCallbacks`, as ``self.callbacks``).
    """

    def __init__(self, model, streams, dial_list: list[int]):
        super().__init__(model, streams, dial_list)
        cfg = model.cfg
        ring, assistant, calls = _substreams(streams["ping"], 3)
        self._ring = Block.of(cfg.ping.ring_s, ring)
        self._assistant = Block.of(cfg.answer.instant_answer_delay_s, assistant)
        self.callbacks = PingCallbacks(cfg.ping, self.population, self.blocklist, model.env, rng=calls)

    def probe_policy(self) -> PacingPolicy:
        """A ping dialer keeps ``ping.n_lines`` lines busy; it has no agents to pace for."""
        return _FixedLines(self.cfg.ping.n_lines)

    def dial(self, number_id: int, attempt: int) -> None:
        """Place a ping on ``number_id`` now: the network's draws, then :func:`ping_outcome`, then a short ring."""
        m = self.model
        now = m.env._now
        attempt = self.calling_list.on_dial(number_id, now)
        caller = self.pool.next_caller(now)
        call = m.new_call(number_id, attempt, caller.caller_id)
        ring = self._ring()  # drawn for every attempt, so each ping keeps its ring whatever the others met
        if m.network_fails(call, rejected=False):
            self.callbacks.on_ping(number_id, caller, "network")
            return
        outcome = ping_outcome(self.population, number_id, caller)
        self.callbacks.on_ping(number_id, caller, outcome, ends_in_s=ring)
        if outcome in ("unobtainable", "rejected"):
            m.end_unanswered(call, outcome)
        elif outcome == "assistant" and (delay := self._assistant()) < ring:
            m.hang_up_at_answer(call, "screening_assistant", delay)  # the assistant picked up first
        else:
            m.end_unanswered(call, "no_answer", ring_s=ring)
