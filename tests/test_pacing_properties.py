"""Property tests: every policy returns a sane line count for any valid state and history."""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import dialer_sim.pacing as pacing
from callvocab import DISPOSITIONS
from dialer_sim.pacing import (
    CiscoGainParams,
    DialerState,
    ErlangPredictiveParams,
    ProgressiveParams,
    RatioParams,
    StrictMaxParams,
    VicidialAdaptParams,
    make_policy,
)


@st.composite
def dialer_states(draw):
    """A consistent DialerState: idle + busy agents = n_agents, calls with agents <= busy."""
    n_agents = draw(st.integers(0, 60))
    idle = draw(st.integers(0, n_agents))
    n_busy = n_agents - idle
    now_s = draw(st.floats(0.0, 5 * 86_400.0))
    since = draw(st.lists(st.floats(0.0, 3600.0), min_size=n_busy, max_size=n_busy))
    return DialerState(
        now_s=now_s,
        n_agents=n_agents,
        n_agents_idle=idle,
        n_lines_ringing=draw(st.integers(0, 200)),
        n_calls_in_amd=draw(st.integers(0, 30)),
        n_calls_waiting=draw(st.integers(0, 30)),
        n_calls_with_agent=draw(st.integers(0, n_busy)),
        n_numbers_left=draw(st.integers(0, 10_000)),
        agent_busy_since_s={agent: max(now_s - age, 0.0) for agent, age in enumerate(since)},
    )


PARAMS = st.one_of(
    st.builds(ProgressiveParams),
    st.builds(RatioParams, lines_per_agent=st.floats(1.0, 15.0)),
    st.builds(
        VicidialAdaptParams,
        mode=st.sampled_from(["hard_limit", "tapered", "average"]),
        adaptive_intensity=st.integers(-40, 40),
        adaptive_dl_diff_target=st.integers(-40, 40),
        ofcom_uk_drop_calc=st.booleans(),
    ),
    st.builds(
        CiscoGainParams, predictive_correction=st.integers(10, 30), predictive_gain=st.floats(0.0, 1.0)
    ),
    st.builds(StrictMaxParams, base_policy=st.sampled_from(["ratio", "vicidial_adapt", "erlang_predictive"])),
    st.builds(
        ErlangPredictiveParams,
        target_abandon_pct=st.floats(0.1, 50.0),
        max_lines_per_agent=st.floats(1.0, 5.0),
        p_hit_prior=st.floats(0.01, 1.0),
        handle_time_prior_s=st.floats(1.0, 3600.0),
    ),
)


def _cap(params, state) -> int:
    """Most lines a policy may ask for: its maximum level times the agents."""
    if isinstance(params, ProgressiveParams):
        return state.n_agents_idle
    if isinstance(params, StrictMaxParams):
        return max(_cap(params.base_params, state), state.n_agents_idle)
    level = {
        RatioParams: lambda p: p.lines_per_agent,
        VicidialAdaptParams: lambda p: p.adaptive_maximum_level,
        CiscoGainParams: lambda p: p.max_lines_per_agent,
        ErlangPredictiveParams: lambda p: p.max_lines_per_agent,
    }[type(params)](params)
    return math.floor(level * state.n_agents + 0.5)


@settings(max_examples=150, deadline=None)
@given(
    params=PARAMS,
    states=st.lists(dialer_states(), min_size=1, max_size=4),
    outcomes=st.lists(st.sampled_from(DISPOSITIONS), max_size=120),
    n_updates=st.integers(0, 40),
    delays=st.lists(st.floats(0.0, 60.0), max_size=5),
)
def test_lines_to_launch_is_a_bounded_non_negative_int(params, states, outcomes, n_updates, delays):
    """After any history, every decision is an int in [0, max level × agents]."""
    policy = make_policy(params)
    first = states[0]
    for disposition in outcomes:
        policy.on_outcome(first.now_s, disposition)
    for delay_s in delays:
        policy.on_routed(first.now_s, delay_s)
    for _ in range(n_updates):
        first.now_s += 1.0
        policy.update(first)
    for state in states:
        state.now_s = max(state.now_s, first.now_s)
        if policy.update_interval_s is not None:
            policy.update(state)
        n = policy.lines_to_launch(state)
        assert type(n) is int
        assert 0 <= n <= _cap(params, state)


def test_public_api_is_documented():
    """Every public name of dialer_sim.pacing appears in docs/pacing.md."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "pacing.md").read_text(encoding="utf-8")
    missing = [name for name in pacing.__all__ if f"`{name}`" not in text]
    assert missing == []
