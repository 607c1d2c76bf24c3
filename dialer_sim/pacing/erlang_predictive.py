"""Model-based predictive pacing: launch lines from a short-horizon queueing model.

The policy keeps online estimates of

- p_hit: P(a dial attempt becomes a call routed to the agents), routed meaning
  observed ``live`` or ``drop`` or an agent-reached machine
  (``machine_to_agent``);
- p_route: P(routed | answered), for calls still in AMD;
- the mean delay d from dial to routing (from :meth:`on_routed`);
- the mean agent handle time h (talk + wrap-up), measured from the busy
  intervals in ``DialerState.agent_busy_since_s``.

Each estimate is a discounted mean with a prior: after observations x_i,
``estimate = (w0·prior·λ^n + Σ λ^(n−i) x_i) / (w0·λ^n + Σ λ^(n−i))`` with
λ = 1 − 1/memory, so old observations and the prior fade.

**Decision model** (two stages; our construction in the spirit of Samuelson's
queueing-based dialer, docs/sources.md §1.5, §2.1). τ = ``abandon_wait_s``
is how long a routed call may wait before it counts as abandoned. I agents are
idle and B = n_agents − I busy; a busy agent is free by time t with
probability 1 − exp(−t/h) (exponential residual handle time, so the elapsed
busy time does not matter), and the agents free up independently.

1. Calls already on their way are routed, on average, in d/2 seconds: the W
   calls waiting, Bin(n_ring, p_hit) of the ringing lines and
   Bin(n_amd, p_route) of the calls in AMD. They meet the I idle agents and the
   R1 ~ Bin(B, p1) releases with p1 = 1 − exp(−(d/2 + τ)/h). With
   X = W + Ring + Amd − I − R1, stage 1 abandons E[X⁺] calls and leaves
   L = (−X)⁺ agents.
2. n new lines give N ~ Bin(n, p_hit) calls, routed in d seconds. They meet L
   plus the later releases R2 ~ Bin(B, p2), p2 = exp(−(d/2 + τ)/h) −
   exp(−(d + τ)/h) (the exact marginal; its dependence on R1 is ignored), and
   abandon E[(N − L − R2)⁺].

The expected abandon fraction is
a(n) = (E[X⁺] + E[(N − L − R2)⁺]) / (W + n_ring·p_hit + n_amd·p_route + n·p_hit),
taken as 0 when the denominator is 0. The policy launches the largest n such
that a(m) ≤ ``target_abandon_pct``/100 for every m ≤ n. The cap keeps lines up
at or below ``floor(max_lines_per_agent × n_agents)``. Every pmf is an exact
numpy convolution of binomial pmfs (no sampling), trimmed below ``PMF_TRIM``.

Search: each extra line raises the numerator by p_hit·P(N − L − R2 ≥ 0), which
grows with n. So a(n) first falls and then rises (it is quasi-convex). Once
a(0), …, a(``GREEDY_STEPS``) are within target, the feasible n form an
interval, and an exponential search followed by a binary search finds its end.

Conventions
-----------
- Times in seconds, percentages in percent.
- Known simplifications: every in-flight call is routed at d/2 and every new
  call at d. A ringing line's hit probability ignores how long it has rung.
  Handle times are exponential. Releases R1 and R2 are treated as independent.
  In a toy closed loop (20 agents, p_hit 0.25, exponential 180 s handle times,
  6–18 s to routing) a 3 % target gave about 5 % abandonment: the model is
  optimistic, so set the target below the regulatory limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dialer_sim.pacing._base import DialerState, observed_outcome
from dialer_sim.pacing._params import PacingParams
from dialer_sim.pacing._policy import PolicyBase
from dialer_sim.pacing.ratio import MAX_LINES_PER_AGENT

__all__ = ["ErlangPredictiveParams", "ErlangPredictivePolicy"]

#: Dispositions whose call was routed to the agents (it needed an agent).
ROUTED_DISPOSITIONS = frozenset({"human_to_agent", "abandoned", "callee_hung_up", "machine_to_agent"})

#: Values of n checked one by one before switching to exponential and binary search.
GREEDY_STEPS = 4
#: Binomial probabilities below this are dropped (their total mass is negligible).
PMF_TRIM = 1e-15
_ONE = np.ones(1)
_ONE.flags.writeable = False


@dataclass(frozen=True, kw_only=True)
class ErlangPredictiveParams(PacingParams):
    """Parameters of :class:`ErlangPredictivePolicy`.

    Parameters
    ----------
    target_abandon_pct : float in (0, 100), default 3.0
        Expected abandon % allowed per decision (3 %: FTC and Ofcom 2010, §3).
    max_lines_per_agent : float in [1, 15], default 3.0
        Cap on lines up per agent (Cisco's maxLinesPerAgent default, §1.2).
    abandon_wait_s : float in [0, 60], default 2.0
        τ: how long a routed call may wait for an agent (the 2 s compliance
        window of FTC, Ofcom and Genesys, §1.4, §3.6).
    p_hit_prior : float in (0, 1], default 0.25
        Prior P(dial → routed): about 1 in 4 residential first attempts reach
        the right party (§4, [V]).
    p_route_prior : float in (0, 1], default 0.5
        Prior P(routed | answered); voicemail is 40–70 % of connects (§4, [V]).
    prior_weight_n : float in [1, 1e6], default 20.0
        Weight of each prior, in pseudo-observations (our choice).
    hit_memory_n : int in [10, 10000000], default 1000
        Attempts over which hit-rate observations fade (our choice).
    route_delay_prior_s : float in (0, 600], default 12.0
        Prior mean dial → routed delay: ring-to-answer modes at 6–10 s and
        18–22 s plus 1–3 s of AMD (§4).
    handle_time_prior_s : float in (0, 36000], default 180.0
        Prior mean handle time (talk + wrap-up), as in §2.6.
    estimate_memory_n : int in [1, 10000000], default 200
        Observations over which delay and handle-time means fade (our choice).
    """

    policy = "erlang_predictive"

    target_abandon_pct: float = 3.0
    max_lines_per_agent: float = 3.0
    abandon_wait_s: float = 2.0
    p_hit_prior: float = 0.25
    p_route_prior: float = 0.5
    prior_weight_n: float = 20.0
    hit_memory_n: int = 1000
    route_delay_prior_s: float = 12.0
    handle_time_prior_s: float = 180.0
    estimate_memory_n: int = 200

    def __post_init__(self) -> None:
        self._float_in("target_abandon_pct", 0.0, 100.0, lo_open=True, hi_open=True)
        self._float_in("max_lines_per_agent", 1.0, MAX_LINES_PER_AGENT)
        self._float_in("abandon_wait_s", 0.0, 60.0)
        self._float_in("p_hit_prior", 0.0, 1.0, lo_open=True)
        self._float_in("p_route_prior", 0.0, 1.0, lo_open=True)
        self._float_in("prior_weight_n", 1.0, 1e6)
        self._int_in("hit_memory_n", 10, 10_000_000)
        self._float_in("route_delay_prior_s", 0.0, 600.0, lo_open=True)
        self._float_in("handle_time_prior_s", 0.0, 36_000.0, lo_open=True)
        self._int_in("estimate_memory_n", 1, 10_000_000)


def _positive_part_mean(pmf: np.ndarray, z_min: int) -> float:
    """E[Z+] for the pmf of an integer Z whose first entry is ``Z = z_min``."""
    first_positive = max(1 - z_min, 0)  # index of Z = 1
    if first_positive >= pmf.size:
        return 0.0
    values = np.arange(z_min + first_positive, z_min + pmf.size, dtype=float)
    return float(pmf[first_positive:] @ values)


def _leftover_pmf(x_pmf: np.ndarray, x_min: int) -> np.ndarray:
    """pmf over l = 0, 1, ... of L = (−X)+ (agents left over after stage 1)."""
    if x_min >= 0:
        return _ONE
    zero_at = -x_min  # index of X = 0
    out = np.zeros(zero_at + 1)
    out[0] = x_pmf[zero_at:].sum()
    m = min(zero_at, x_pmf.size)
    out[zero_at - m + 1 :] = x_pmf[:m][::-1]
    return out


class _FadingMean:
    """Discounted mean with a prior (see module docstring)."""

    __slots__ = ("_decay", "_weight", "_total", "value")

    def __init__(self, prior: float, prior_weight: float, memory_n: float) -> None:
        self._decay = 1.0 - 1.0 / memory_n
        self._weight = prior_weight
        self._total = prior_weight * prior
        self.value = prior

    def add(self, x: float) -> None:
        self._weight = self._weight * self._decay + 1.0
        self._total = self._total * self._decay + x
        self.value = self._total / self._weight


class ErlangPredictivePolicy(PolicyBase):
    """Launch the most lines whose expected abandon fraction stays under target.

    Parameters
    ----------
    params : ErlangPredictiveParams

    Attributes
    ----------
    p_hit, p_route, route_delay_s, handle_time_s : float
        Current estimates (see module docstring).
    """

    name = "erlang_predictive"
    #: Seconds between scans of the agents' busy intervals.
    update_interval_s = 1.0

    def __init__(self, params: ErlangPredictiveParams) -> None:
        self.params = params
        w = params.prior_weight_n
        self._hit = _FadingMean(params.p_hit_prior, w, params.hit_memory_n)
        self._route = _FadingMean(params.p_route_prior, w, params.hit_memory_n)
        self._delay = _FadingMean(params.route_delay_prior_s, w, params.estimate_memory_n)
        self._handle = _FadingMean(params.handle_time_prior_s, w, params.estimate_memory_n)
        self._target = params.target_abandon_pct / 100.0
        self._busy_seen: dict[int, float] = {}
        self._last_scan_s: float | None = None
        self._log_fact = np.zeros(1)
        self._cache_key: tuple[object, ...] | None = None
        self._cache_value = 0

    # -- estimates -----------------------------------------------------------------
    @property
    def p_hit(self) -> float:
        """Estimated P(dial → routed)."""
        return self._hit.value

    @property
    def p_route(self) -> float:
        """Estimated P(routed | answered)."""
        return self._route.value

    @property
    def route_delay_s(self) -> float:
        """Estimated mean dial → routed delay, seconds."""
        return self._delay.value

    @property
    def handle_time_s(self) -> float:
        """Estimated mean agent handle time (talk + wrap-up), seconds."""
        return self._handle.value

    def on_outcome(self, now_s: float, disposition: str) -> None:
        """Learn the hit rates from one finished attempt."""
        routed = 1.0 if disposition in ROUTED_DISPOSITIONS else 0.0
        self._hit.add(routed)
        if observed_outcome(disposition) != "none":
            self._route.add(routed)

    def on_routed(self, now_s: float, delay_s: float) -> None:
        """Learn the dial → routed delay; non-finite or negative delays are ignored."""
        if math.isfinite(delay_s) and delay_s >= 0.0:
            self._delay.add(delay_s)

    def update(self, state: DialerState) -> None:
        """Learn handle times from agents whose busy interval ended since the last scan.

        An agent that left ``agent_busy_since_s`` ended its call between the two
        scans (taken as the midpoint); one whose start time changed started a new
        call, so the old one lasted until at most the new start.
        """
        now_s = state.now_s
        busy = state.agent_busy_since_s
        seen = self._busy_seen
        # Equal tables (compared in C) mean no agent ended or started a call: the scan would learn nothing.
        if self._last_scan_s is not None and busy != seen:
            end_s = 0.5 * (self._last_scan_s + now_s)
            for agent, since_s in seen.items():
                current_s = busy.get(agent)
                if current_s is None:
                    self._handle.add(max(end_s - since_s, 0.0))
                elif current_s != since_s:
                    self._handle.add(max(current_s - since_s, 0.0))
        self._busy_seen = busy.copy()  # the next scan walks the agents in the table's current order
        self._last_scan_s = now_s

    # -- decision ------------------------------------------------------------------
    def lines_to_launch(self, state: DialerState) -> int:
        """The largest n whose expected abandon fraction stays under target (>= 0)."""
        n_agents = state.n_agents
        n_max = int(self.params.max_lines_per_agent * n_agents) - state.n_lines_up
        if n_agents <= 0 or n_max <= 0:
            return 0
        idle = state.n_agents_idle
        key = (
            n_max, idle, n_agents, state.n_lines_ringing, state.n_calls_in_amd, state.n_calls_waiting,
            self._hit.value, self._route.value, self._delay.value, self._handle.value,
        )  # fmt: skip
        if key == self._cache_key:
            return self._cache_value
        value = self._solve(state, n_max)
        self._cache_key = key
        self._cache_value = value
        return value

    def _solve(self, state: DialerState, n_max: int) -> int:
        """Largest feasible n: greedy for small n, then exponential and binary search."""
        p_hit = self._hit.value
        z_pmf, z_min, excess_early, demand0 = self._stages(state, n_max)
        pmf = z_pmf
        for n in range(min(n_max, GREEDY_STEPS) + 1):
            if n > 0:  # one more line: convolve with Bernoulli(p_hit)
                grown = np.empty(pmf.size + 1)
                grown[:-1] = pmf * (1.0 - p_hit)
                grown[-1] = 0.0
                grown[1:] += pmf * p_hit
                pmf = grown
            if not self._within_target(pmf, z_min, excess_early, demand0 + n * p_hit):
                return max(n - 1, 0)
        if n_max <= GREEDY_STEPS:
            return n_max
        # a(n) is quasi-convex and a(0..GREEDY_STEPS) <= target, so the feasible n form [0, n*].
        low, high = GREEDY_STEPS, n_max + 1
        while low < n_max:
            probe = min(2 * low, n_max)
            if not self._feasible(z_pmf, z_min, excess_early, demand0, probe, p_hit):
                high = probe
                break
            low = probe
        while high - low > 1:
            middle = (low + high) // 2
            if self._feasible(z_pmf, z_min, excess_early, demand0, middle, p_hit):
                low = middle
            else:
                high = middle
        return low

    def _stages(self, state: DialerState, n_max: int) -> tuple[np.ndarray, int, float, float]:
        """Stage 1 and the pmf of −(L + R2) (module docstring).

        Returns
        -------
        z_pmf, z_min : np.ndarray, int
            pmf of −(L + R2); ``z_pmf[0]`` is the probability of the value ``z_min``.
        excess_early : float
            E[X+], the calls stage 1 abandons.
        demand0 : float
            Expected routed calls already on their way.
        """
        p_hit, p_route = self._hit.value, self._route.value
        delay_s, wait_s, handle_s = self._delay.value, self.params.abandon_wait_s, self._handle.value
        p_early = -math.expm1(-(0.5 * delay_s + wait_s) / handle_s)
        p_late = -math.expm1(-(delay_s + wait_s) / handle_s) - p_early
        idle = state.n_agents_idle
        n_busy = max(state.n_agents - idle, 0)
        n_ring, n_amd, n_wait = state.n_lines_ringing, state.n_calls_in_amd, state.n_calls_waiting
        self._ensure_log_fact(max(n_ring, n_amd, n_busy, n_max))
        # Stage 1: X = W − I + Ring + Amd − R1; x_pmf[i] is P(X = x_min + i).
        ring_off, ring = self._binom_pmf(n_ring, p_hit)
        amd_off, amd = self._binom_pmf(n_amd, p_route)
        early_off, early = self._binom_pmf(n_busy, p_early)
        x_pmf = np.convolve(np.convolve(ring, amd), early[::-1])
        x_min = n_wait - idle + ring_off + amd_off - (early_off + early.size - 1)
        # Stage 2 supply V = (−X)+ + R2; new calls see −V.
        late_off, late = self._binom_pmf(n_busy, p_late)
        v_pmf = np.convolve(_leftover_pmf(x_pmf, x_min), late)
        demand0 = n_wait + n_ring * p_hit + n_amd * p_route
        return v_pmf[::-1], -(late_off + v_pmf.size - 1), _positive_part_mean(x_pmf, x_min), demand0

    def _feasible(
        self, z_pmf: np.ndarray, z_min: int, excess_early: float, demand0: float, n: int, p_hit: float
    ) -> bool:
        """Whether n new lines keep a(n) within the target."""
        new_off, new = self._binom_pmf(n, p_hit)
        return self._within_target(
            np.convolve(z_pmf, new), z_min + new_off, excess_early, demand0 + n * p_hit
        )

    def _within_target(self, pmf: np.ndarray, z_min: int, excess_early: float, demand: float) -> bool:
        """(excess_early + E[Z+]) <= target × demand for the pmf of Z starting at ``z_min``."""
        if demand <= 0.0:
            return True
        return excess_early + _positive_part_mean(pmf, z_min) <= self._target * demand

    def _ensure_log_fact(self, n: int) -> None:
        """Grow the table of log k! to cover k <= n."""
        if self._log_fact.size <= n:
            size = max(n + 1, 2 * self._log_fact.size)
            self._log_fact = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, size, dtype=float)))))

    def _binom_pmf(self, n: int, p: float) -> tuple[int, np.ndarray]:
        """Binomial(n, p) pmf, trimmed to where it exceeds ``PMF_TRIM``: (first k, pmf)."""
        if n == 0 or p <= 0.0:
            return 0, _ONE
        if p >= 1.0:
            return n, _ONE
        lf = self._log_fact
        k = np.arange(n + 1, dtype=float)
        pmf = np.exp(lf[n] - lf[: n + 1] - lf[n::-1] + k * math.log(p) + (n - k) * math.log1p(-p))
        if n <= 32:
            return 0, pmf
        kept = np.flatnonzero(pmf > PMF_TRIM)
        return int(kept[0]), pmf[kept[0] : kept[-1] + 1]
