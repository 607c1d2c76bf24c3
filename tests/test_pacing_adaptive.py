"""Cisco-style batch gain, Genesys strict max rate and the queueing-model predictive policy."""

from __future__ import annotations

import pytest

from dialer_sim.pacing import (
    CiscoGainParams,
    DialerState,
    ErlangPredictiveParams,
    StrictMaxParams,
    make_policy,
)
from dialer_sim.pacing.cisco import cisco_gain_step

DAY_S = 86_400.0


# -- cisco_gain --------------------------------------------------------------------------


def _feed(policy, dispositions, t_s=0.0):
    for disposition in dispositions:
        policy.on_outcome(t_s, disposition)


def test_cisco_gain_step_arithmetic():
    """lines × (1 + gain (limit − measured)/limit), clamped to [1, max]."""
    assert cisco_gain_step(2.0, 1.5, limit_pct=3.0, gain=0.5, max_lines_per_agent=3.0) == pytest.approx(2.5)
    assert cisco_gain_step(2.0, 3.0, limit_pct=3.0, gain=1.0, max_lines_per_agent=3.0) == 2.0
    assert cisco_gain_step(2.0, 4.5, limit_pct=3.0, gain=1.0, max_lines_per_agent=3.0) == pytest.approx(1.0)
    assert cisco_gain_step(2.0, 10.0, limit_pct=3.0, gain=1.0, max_lines_per_agent=3.0) == 1.0
    assert cisco_gain_step(2.0, 0.0, limit_pct=3.0, gain=1.0, max_lines_per_agent=3.0) == 3.0


def test_cisco_batches_count_only_live_voice_answers():
    """Corrections happen every 10 live answers; machines and no-answers do not count."""
    policy = make_policy(
        CiscoGainParams(predictive_correction=10, predictive_gain=0.5, initial_lines_per_agent=1.0)
    )
    _feed(policy, ["human_to_agent"] * 9 + ["no_answer"] * 30 + ["machine_hangup"] * 5)
    assert policy.lines_per_agent == 1.0
    _feed(policy, ["human_to_agent"])  # batch of 10, no drops: × 1.5
    assert policy.lines_per_agent == pytest.approx(1.5)
    _feed(policy, ["human_to_agent"] * 10)  # × 1.5 again
    assert policy.lines_per_agent == pytest.approx(2.25)
    _feed(policy, ["human_to_agent"] * 9 + ["abandoned"])  # measured 10 %: factor 1 − 0.5·7/3 < 0 → floor
    assert policy.lines_per_agent == 1.0


def test_cisco_places_with_current_lines_per_agent():
    policy = make_policy(CiscoGainParams(predictive_correction=10, predictive_gain=0.5))
    _feed(policy, ["human_to_agent"] * 10)
    state = DialerState(n_agents=10, n_agents_idle=3, n_lines_ringing=4, n_calls_with_agent=7)
    assert policy.lines_to_launch(state) == 15 - 11


# -- strict_max --------------------------------------------------------------------------


def test_strict_max_falls_back_to_progressive_and_recovers():
    """One drop in one answer (100 %) → progressive; 1 drop in 41 answers (2.4 %) → ratio again."""
    policy = make_policy(StrictMaxParams(max_abandon_pct=3.0, base={"lines_per_agent": 2.0}))
    state = DialerState(now_s=3600.0, n_agents=10, n_agents_idle=3, n_calls_with_agent=7)
    assert policy.lines_to_launch(state) == 20 - 7
    policy.on_outcome(3600.0, "abandoned")
    assert policy.in_fallback
    assert policy.lines_to_launch(state) == 3
    _feed(policy, ["human_to_agent"] * 32, 3600.0)  # 1/33 = 3.03 % still above
    assert policy.in_fallback
    policy.on_outcome(3600.0, "human_to_agent")  # 1/34 = 2.94 %
    assert not policy.in_fallback
    assert policy.lines_to_launch(state) == 13


def test_strict_max_all_calls_denominator_and_exact_limit_keeps_mode():
    """With 'all', no-answers count; a rate exactly at the maximum keeps the current mode."""
    policy = make_policy(StrictMaxParams(max_abandon_pct=5.0, abandon_denominator="all"))
    policy.on_outcome(10.0, "abandoned")
    assert policy.in_fallback
    _feed(policy, ["no_answer"] * 19, 10.0)  # 1/20 = 5 %: not below, stays in fallback
    assert policy.in_fallback
    policy.on_outcome(10.0, "busy")  # 1/21
    assert not policy.in_fallback


def test_strict_max_new_day_returns_to_base():
    """The calendar day resets the rate at midnight."""
    policy = make_policy(StrictMaxParams())
    policy.on_outcome(DAY_S - 5.0, "abandoned")
    state = DialerState(now_s=DAY_S - 1.0, n_agents=4, n_agents_idle=4)
    assert policy.lines_to_launch(state) == 4
    state.now_s = DAY_S + 1.0
    assert policy.lines_to_launch(state) == 8
    assert policy.abandon_pct_today == 0.0


def test_strict_max_forwards_to_an_adaptive_base():
    """The base keeps learning (here Cisco batches) and its update interval is used."""
    policy = make_policy(
        StrictMaxParams(base_policy="cisco_gain", base={"predictive_correction": 10, "predictive_gain": 1.0})
    )
    assert policy.update_interval_s is None
    _feed(policy, ["human_to_agent"] * 10, 50.0)
    assert policy.base.lines_per_agent == 2.0
    vici = make_policy(StrictMaxParams(base_policy="vicidial_adapt"))
    assert vici.update_interval_s == 1.0


# -- erlang_predictive -------------------------------------------------------------------


def _erlang(**kwargs):
    return make_policy(ErlangPredictiveParams(**kwargs))


def test_erlang_hand_computed_single_agent_case():
    """One idle agent, p_hit = 0.5 fixed: n = 2 gives E[(Y − 1)+]/E[Y] = 0.25 and n = 3 gives 0.4167."""
    state = DialerState(n_agents=1, n_agents_idle=1)
    fixed = {"p_hit_prior": 0.5, "prior_weight_n": 1e6}
    assert _erlang(target_abandon_pct=10.0, **fixed).lines_to_launch(state) == 1
    assert _erlang(target_abandon_pct=25.0, **fixed).lines_to_launch(state) == 2
    assert _erlang(target_abandon_pct=41.0, **fixed).lines_to_launch(state) == 2
    assert _erlang(target_abandon_pct=42.0, **fixed).lines_to_launch(state) == 3  # cap 3 × 1 agent


def test_erlang_launches_more_lines_when_hit_rate_is_low():
    """Learned p_hit ≈ 0.1 launches more than p_hit ≈ 0.8 for the same state."""
    low, high = _erlang(), _erlang()
    _feed(low, ["no_answer"] * 180 + ["human_to_agent"] * 20)
    _feed(high, ["no_answer"] * 40 + ["human_to_agent"] * 160)
    assert low.p_hit < 0.15 < 0.7 < high.p_hit
    state = DialerState(n_agents=20, n_agents_idle=5, n_calls_with_agent=15)
    assert low.lines_to_launch(state) > high.lines_to_launch(state) > 0


def test_erlang_launches_fewer_lines_with_a_tighter_target():
    state = DialerState(n_agents=20, n_agents_idle=4, n_lines_ringing=6, n_calls_with_agent=16)
    loose = _erlang(target_abandon_pct=10.0).lines_to_launch(state)
    tight = _erlang(target_abandon_pct=1.0).lines_to_launch(state)
    assert loose > tight


def test_erlang_launches_nothing_when_no_agent_will_be_free():
    """All agents busy with very long calls and nobody idle: zero lines."""
    policy = _erlang(handle_time_prior_s=36_000.0, prior_weight_n=1e6)
    state = DialerState(n_agents=10, n_agents_idle=0, n_calls_with_agent=10)
    assert policy.lines_to_launch(state) == 0


def test_erlang_respects_max_lines_per_agent():
    """With a tiny hit rate every agent gets the full cap, minus lines already up."""
    policy = _erlang(p_hit_prior=0.001, prior_weight_n=1e6, max_lines_per_agent=2.5)
    state = DialerState(n_agents=10, n_agents_idle=10, n_lines_ringing=3)
    assert policy.lines_to_launch(state) == 25 - 3


def test_erlang_learns_delay_and_handle_time():
    """on_routed moves the delay estimate; update() measures finished busy intervals."""
    policy = _erlang(route_delay_prior_s=12.0, handle_time_prior_s=180.0, prior_weight_n=20.0)
    policy.on_routed(5.0, 2.0)
    policy.on_routed(5.0, float("nan"))  # ignored
    policy.on_routed(5.0, -1.0)  # ignored
    decay = 1 - 1 / 200
    assert policy.route_delay_s == pytest.approx((20 * 12.0 * decay + 2.0) / (20 * decay + 1))
    state = DialerState(now_s=10.0, agent_busy_since_s={1: 0.0, 2: 4.0})
    policy.update(state)
    state.now_s = 11.0
    state.agent_busy_since_s = {2: 10.5}  # agent 1 ended in (10, 11]; agent 2 started a new call at 10.5
    policy.update(state)
    weight, total = 20.0, 20.0 * 180.0
    for x in (10.5 - 0.0, 10.5 - 4.0):  # dict order: agent 1 (ended at the midpoint 10.5), then agent 2
        weight, total = weight * decay + 1, total * decay + x
    assert policy.handle_time_s == pytest.approx(total / weight)


def test_erlang_decision_is_cached_per_state_and_estimates():
    """Two calls on an unchanged state give the same answer; a new estimate can change it."""
    policy = _erlang()
    state = DialerState(n_agents=10, n_agents_idle=4, n_calls_with_agent=6)
    first = policy.lines_to_launch(state)
    assert policy.lines_to_launch(state) == first
    _feed(policy, ["human_to_agent"] * 300)
    assert policy.lines_to_launch(state) < first


def _bernoulli_steps(dist, probs):
    """Add independent ±1 Bernoulli steps to a {value: probability} distribution."""
    for p, step in probs:
        nxt = {}
        for z, mass in dist.items():
            nxt[z] = nxt.get(z, 0.0) + mass * (1 - p)
            nxt[z + step] = nxt.get(z + step, 0.0) + mass * p
        dist = nxt
    return dist


def _naive_erlang_lines(state, p_hit, p_route, p_early, p_late, target, n_max):
    """Independent reference: dictionary DP of the two-stage model, greedy over every n up to n_max."""
    n_busy = state.n_agents - state.n_agents_idle
    x = _bernoulli_steps(
        {state.n_calls_waiting - state.n_agents_idle: 1.0},
        [(p_hit, 1)] * state.n_lines_ringing
        + [(p_route, 1)] * state.n_calls_in_amd
        + [(p_early, -1)] * n_busy,
    )
    excess_early = sum(v * m for v, m in x.items() if v > 0)
    minus_v = {}
    for v, m in x.items():
        minus_v[-max(-v, 0)] = minus_v.get(-max(-v, 0), 0.0) + m
    z = _bernoulli_steps(minus_v, [(p_late, -1)] * n_busy)
    demand0 = state.n_calls_waiting + state.n_lines_ringing * p_hit + state.n_calls_in_amd * p_route
    for n in range(n_max + 1):
        if n > 0:
            z = _bernoulli_steps(z, [(p_hit, 1)])
        demand = demand0 + n * p_hit
        excess = excess_early + sum(v * m for v, m in z.items() if v > 0)
        if demand > 0 and excess > target * demand * (1 + 1e-9):
            return max(n - 1, 0)
    return n_max


@pytest.mark.parametrize("seed", range(40))
def test_erlang_matches_a_naive_dictionary_dp_reference(seed, rng_factory):
    """The trimmed-convolution search equals a direct greedy DP of the same model on random small states."""
    import math

    rng = rng_factory(seed)
    n_agents = int(rng.integers(1, 25))
    idle = int(rng.integers(0, n_agents + 1))
    state = DialerState(
        n_agents=n_agents,
        n_agents_idle=idle,
        n_lines_ringing=int(rng.integers(0, 40)),
        n_calls_in_amd=int(rng.integers(0, 5)),
        n_calls_waiting=int(rng.integers(0, 3)),
        n_calls_with_agent=n_agents - idle,
    )
    params = ErlangPredictiveParams(
        target_abandon_pct=float(rng.uniform(0.5, 20.0)),
        p_hit_prior=float(rng.uniform(0.02, 0.9)),
        p_route_prior=float(rng.uniform(0.1, 0.9)),
        handle_time_prior_s=float(rng.uniform(10.0, 400.0)),
        prior_weight_n=1e6,
        max_lines_per_agent=float(rng.uniform(1.0, 6.0)),
    )
    policy = make_policy(params)
    n_max = max(int(params.max_lines_per_agent * n_agents) - state.n_lines_up, 0)
    d, tau, h = params.route_delay_prior_s, params.abandon_wait_s, params.handle_time_prior_s
    p_early = -math.expm1(-(0.5 * d + tau) / h)
    p_late = -math.expm1(-(d + tau) / h) - p_early
    target = params.target_abandon_pct / 100
    expected = _naive_erlang_lines(
        state, params.p_hit_prior, params.p_route_prior, p_early, p_late, target, n_max
    )
    assert policy.lines_to_launch(state) == expected
