"""Progressive and ratio pacing, parameter validation and the registry."""

from __future__ import annotations

import dataclasses

import pytest

from dialer_sim.errors import ConfigError
from dialer_sim.pacing import (
    PACING_PARAMS,
    CiscoGainParams,
    DialerState,
    ErlangPredictiveParams,
    PacingPolicy,
    ProgressiveParams,
    RatioParams,
    StrictMaxParams,
    VicidialAdaptParams,
    make_policy,
)


def test_progressive_launches_one_line_per_unmatched_idle_agent():
    """Idle agents minus lines ringing, in AMD and waiting."""
    policy = make_policy(ProgressiveParams())
    state = DialerState(n_agents=10, n_agents_idle=6, n_lines_ringing=2, n_calls_in_amd=1, n_calls_waiting=1)
    assert policy.lines_to_launch(state) == 2


def test_progressive_never_launches_beyond_idle_agents():
    """With more lines in flight than idle agents it launches nothing."""
    policy = make_policy(ProgressiveParams())
    state = DialerState(n_agents=10, n_agents_idle=2, n_lines_ringing=5, n_calls_with_agent=8)
    assert policy.lines_to_launch(state) == 0
    state = DialerState(n_agents=10, n_agents_idle=4, n_calls_with_agent=6)
    assert policy.lines_to_launch(state) == 4


def test_ratio_goal_counts_calls_already_talking():
    """Goal = round(level × agents); lines up include calls with agents (VICIdial)."""
    policy = make_policy(RatioParams(lines_per_agent=2.0))
    state = DialerState(
        n_agents=10, n_agents_idle=2, n_lines_ringing=5, n_calls_in_amd=2, n_calls_with_agent=8
    )
    assert policy.lines_to_launch(state) == 20 - 15


def test_ratio_rounds_half_to_even_like_perl_sprintf():
    """1.25 × 10 = 12.5 rounds to 12 and 1.35 × 10 = 13.5 to 14, as sprintf('%.0f')."""
    assert make_policy(RatioParams(lines_per_agent=1.25)).lines_to_launch(DialerState(n_agents=10)) == 12
    assert make_policy(RatioParams(lines_per_agent=1.5)).lines_to_launch(DialerState(n_agents=3)) == 4
    assert make_policy(RatioParams(lines_per_agent=2.5)).lines_to_launch(DialerState(n_agents=1)) == 2


def test_ratio_never_negative_when_over_goal():
    """More lines up than the goal launches zero, not a negative number."""
    policy = make_policy(RatioParams(lines_per_agent=1.0))
    assert policy.lines_to_launch(DialerState(n_agents=4, n_lines_ringing=9)) == 0


def test_registry_maps_every_design_name_to_a_policy_of_that_name():
    """PACING_PARAMS covers the policy names and make_policy builds a fresh policy each time."""
    assert sorted(PACING_PARAMS) == sorted(
        ["progressive", "ratio", "vicidial_adapt", "cisco_gain", "strict_max", "erlang_predictive"]
    )
    for name, params_class in PACING_PARAMS.items():
        params = params_class()
        first, second = make_policy(params), make_policy(params)
        assert isinstance(first, PacingPolicy)
        assert first.name == name
        assert first is not second


def test_unknown_key_names_the_key():
    """A misspelt TOML key is a ConfigError naming it, not a TypeError."""
    with pytest.raises(
        ConfigError, match=r"pacing\.lines_per_agnet is not a parameter of the 'ratio' policy"
    ):
        PACING_PARAMS["ratio"](lines_per_agnet=2.0)


def test_matching_policy_key_is_accepted_and_a_wrong_one_rejected():
    """A [pacing] table may repeat its own policy name."""
    assert PACING_PARAMS["ratio"](policy="ratio", lines_per_agent=1.5).lines_per_agent == 1.5
    with pytest.raises(ConfigError, match=r"pacing\.policy must be 'ratio'"):
        PACING_PARAMS["ratio"](policy="progressive")


def test_positional_arguments_are_rejected():
    with pytest.raises(ConfigError, match="keyword-only"):
        RatioParams(2.0)


@pytest.mark.parametrize(
    ("params_class", "kwargs", "message"),
    [
        (
            RatioParams,
            {"lines_per_agent": 0.5},
            r"pacing\.lines_per_agent must be a number in \[1\.0, 15\.0\]; got 0\.5\.",
        ),
        (RatioParams, {"lines_per_agent": "2"}, r"pacing\.lines_per_agent must be a number"),
        (RatioParams, {"lines_per_agent": True}, r"pacing\.lines_per_agent must be a number"),
        # Regression: placement_interval_s was accepted but never read; the model places on every state change.
        (RatioParams, {"placement_interval_s": 2.5}, r"pacing\.placement_interval_s is not a parameter of the 'ratio'"),
        (ProgressiveParams, {"placement_interval_s": 1.0}, r"placement_interval_s is not a parameter of the 'progr"),
        (
            VicidialAdaptParams,
            {"mode": "strict"},
            r"pacing\.mode must be one of \['hard_limit', 'tapered', 'average'\]",
        ),
        (
            VicidialAdaptParams,
            {"initial_dial_level": 3.5},
            r"pacing\.initial_dial_level must be a number in \[1\.0, 3\.0\]",
        ),
        (
            VicidialAdaptParams,
            {"adaptive_intensity": 41},
            r"pacing\.adaptive_intensity must be an integer in \[-40, 40\]",
        ),
        (
            VicidialAdaptParams,
            {"adaptive_dl_diff_target": 0.5},
            r"pacing\.adaptive_dl_diff_target must be an integer",
        ),
        (VicidialAdaptParams, {"adaptive_latest_server_time_hhmm": 1575}, r"minutes < 60; got 1575\."),
        (VicidialAdaptParams, {"ofcom_uk_drop_calc": 1}, r"pacing\.ofcom_uk_drop_calc must be true or false"),
        (
            VicidialAdaptParams,
            {"adaptive_dropped_percentage": 0.0},
            r"pacing\.adaptive_dropped_percentage must be",
        ),
        (
            CiscoGainParams,
            {"predictive_correction": 5},
            r"pacing\.predictive_correction must be an integer in \[10, 1000\]",
        ),
        (
            CiscoGainParams,
            {"predictive_gain": 1.5},
            r"pacing\.predictive_gain must be a number in \[0\.0, 1\.0\]",
        ),
        (
            CiscoGainParams,
            {"call_abandon_limit_pct": 0.0},
            r"pacing\.call_abandon_limit_pct must be a number in \(0\.0",
        ),
        (
            CiscoGainParams,
            {"max_lines_per_agent": 2.0, "initial_lines_per_agent": 2.5},
            r"initial_lines_per_agent must be <=",
        ),
        (StrictMaxParams, {"base_policy": "strict_max"}, r"pacing\.base_policy must be one of"),
        (StrictMaxParams, {"base": {"lines_per_agent": 99.0}}, r"pacing\.base\.lines_per_agent must be"),
        (StrictMaxParams, {"base": {"colour": 1}}, r"pacing\.base\.colour is not a parameter"),
        (StrictMaxParams, {"abandon_denominator": "dials"}, r"pacing\.abandon_denominator must be one of"),
        (
            ErlangPredictiveParams,
            {"target_abandon_pct": 0.0},
            r"pacing\.target_abandon_pct must be a number in \(0\.0, 100\.0\)",
        ),
        (ErlangPredictiveParams, {"p_hit_prior": 0.0}, r"pacing\.p_hit_prior must be"),
        (
            ErlangPredictiveParams,
            {"handle_time_prior_s": -3.0},
            r"pacing\.handle_time_prior_s must be .*got -3\.0\.",
        ),
    ],
)
def test_invalid_parameters_raise_config_error_naming_the_field(params_class, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        params_class(**kwargs)


def test_integer_values_are_stored_as_floats_and_replace_revalidates():
    """TOML integers become floats; dataclasses.replace re-runs validation."""
    params = RatioParams(lines_per_agent=2)
    assert isinstance(params.lines_per_agent, float)
    with pytest.raises(ConfigError, match="lines_per_agent"):
        dataclasses.replace(params, lines_per_agent=0.0)


def test_strict_max_params_round_trip_through_asdict():
    """asdict records the base's full table, and rebuilding from it gives equal parameters."""
    params = StrictMaxParams(base_policy="erlang_predictive", base={"target_abandon_pct": 2})
    table = dataclasses.asdict(params)
    assert table["base"]["target_abandon_pct"] == 2.0
    assert table["base"]["max_lines_per_agent"] == 3.0
    assert PACING_PARAMS["strict_max"](**table) == params
    assert params.base_params == ErlangPredictiveParams(target_abandon_pct=2.0)


def test_make_policy_rejects_non_parameters():
    with pytest.raises(ConfigError, match="pacing parameters must be one of"):
        make_policy({"lines_per_agent": 2.0})
