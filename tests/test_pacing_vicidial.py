"""VICIdial adaptive dial level: hand-computed steps of AST_VDadapt.pl's controller."""

from __future__ import annotations

import pytest

from dialer_sim.pacing import DialerState, VicidialAdaptParams, VicidialAdaptPolicy, make_policy
from dialer_sim.pacing.vicidial import server_hhmm, tapered_rate

DAY_S = 86_400.0


def _policy(**kwargs) -> VicidialAdaptPolicy:
    policy = make_policy(VicidialAdaptParams(**kwargs))
    assert isinstance(policy, VicidialAdaptPolicy)
    return policy


def _drive(policy, t0_s, samples):
    """Call update once a second from t0_s with (idle, waiting, agents) samples; return the state."""
    state = DialerState()
    for k, (idle, waiting, agents) in enumerate(samples):
        state.now_s = t0_s + k
        state.n_agents_idle, state.n_calls_waiting, state.n_agents = idle, waiting, agents
        policy.update(state)
    return state


def _report(policy, t_s, n_live=0, n_drops=0, n_none=0):
    for _ in range(n_live):
        policy.on_outcome(t_s, "human_to_agent")
    for _ in range(n_drops):
        policy.on_outcome(t_s, "abandoned")
    for _ in range(n_none):
        policy.on_outcome(t_s, "no_answer")


def test_differential_update_matches_hand_computation():
    """R̄ = 3, W̄ = 0, Ā = 12, I = 20: d = 0.25, d′ = 0.3, L′ = 1.5 × 1.3 = 1.95."""
    policy = _policy(initial_dial_level=1.5, adaptive_intensity=20)
    samples = [(2, 0, 12)] * 10 + [(5, 0, 12)] * 5
    _drive(policy, 100.0, samples[:14])
    assert policy.dial_level == 1.5  # no update before the 15th sample
    _drive(policy, 114.0, samples[14:])
    assert policy.dial_level == pytest.approx(1.95)


def test_waiting_calls_lower_the_level_and_diff_target_shifts_the_balance():
    """R̄ = 1, W̄ = 2, Ā = 10, T = 0: d = −0.1, L′ = 2.0 × 0.9; with T = +1, D + T = 0 keeps L."""
    policy = _policy(initial_dial_level=2.0)
    _drive(policy, 0.0, [(1, 2, 10)] * 15)
    assert policy.dial_level == pytest.approx(1.8)
    policy = _policy(initial_dial_level=2.0, adaptive_dl_diff_target=1)
    _drive(policy, 0.0, [(1, 2, 10)] * 15)
    assert policy.dial_level == 2.0


@pytest.mark.parametrize(
    ("intensity", "idle", "waiting", "expected"),
    [
        (20, 0, 3, 2.5 * (1 - 0.3 * 0.8)),  # positive I lowers slower
        (-20, 0, 3, 2.5 * (1 - 0.3 * 1.2)),  # negative I lowers faster
        (20, 3, 0, 2.5 * (1 + 0.3 * 1.2)),  # positive I raises faster
        (-20, 3, 0, 2.5 * (1 + 0.3 * 0.8)),  # negative I raises slower
    ],
)
def test_intensity_is_asymmetric(intensity, idle, waiting, expected):
    """d = ±0.3; d′ = d·|I − 1| when lowering and d·(1 + I) when raising."""
    policy = _policy(initial_dial_level=2.5, adaptive_intensity=intensity, adaptive_maximum_level=5.0)
    _drive(policy, 0.0, [(idle, waiting, 10)] * 15)
    assert policy.dial_level == pytest.approx(expected)


def test_level_is_capped_at_maximum_and_floored_at_one():
    """Many idle agents push the level to 3.0; many waiting calls drop it to 1.0."""
    policy = _policy(initial_dial_level=2.0)
    _drive(policy, 0.0, [(10, 0, 10)] * 15)
    assert policy.dial_level == 3.0
    _drive(policy, 15.0, [(0, 30, 10)] * 15)
    assert policy.dial_level == 1.0


def test_emergency_rule_halves_when_last_minute_is_over_half_dropped():
    """21 attempts in the last minute, 11 dropped (52.38 %): the level is halved; 20 attempts: not."""
    policy = _policy(initial_dial_level=2.8)
    _report(policy, 100.0, n_drops=11, n_none=10)
    _drive(policy, 101.0, [(0, 0, 10)] * 15)
    assert policy.n_calls_one_min == 21
    assert policy.drops_pct_one_min == 52.38
    assert policy.dial_level == pytest.approx(1.4)

    policy = _policy(initial_dial_level=2.8)
    _report(policy, 100.0, n_drops=11, n_none=9)
    _drive(policy, 101.0, [(0, 0, 10)] * 15)
    assert policy.dial_level == pytest.approx(2.8)


def test_hard_limit_drops_to_one_only_after_fifty_calls_today():
    """2 drops in 51 answers (3.92 % > 3 %): level 1.0; the same share in 50 calls changes nothing."""
    policy = _policy(mode="hard_limit", initial_dial_level=2.5)
    _report(policy, 1000.0, n_live=48, n_drops=2)
    _drive(policy, 1001.0, [(0, 0, 10)] * 15)
    assert policy.n_calls_today == 50
    assert policy.drops_pct_today == 4.0
    assert policy.dial_level == 2.5

    policy = _policy(mode="hard_limit", initial_dial_level=2.5)
    _report(policy, 1000.0, n_live=49, n_drops=2)
    _drive(policy, 1001.0, [(0, 0, 10)] * 15)
    assert policy.drops_pct_today == 3.92
    assert policy.dial_level == 1.0


def test_hard_limit_holds_level_under_target():
    """1 drop in 51 answers (1.96 %) is under 3 %: the differential rule alone applies."""
    policy = _policy(mode="hard_limit", initial_dial_level=2.0)
    _report(policy, 1000.0, n_live=50, n_drops=1)
    _drive(policy, 1001.0, [(1, 0, 10)] * 15)
    assert policy.dial_level == pytest.approx(2.2)


def test_drop_statistics_refresh_once_a_minute():
    """Outcomes after a refresh are used only at the next refresh, 60 s later."""
    policy = _policy(mode="hard_limit", initial_dial_level=2.5)
    _drive(policy, 0.0, [(0, 0, 10)] * 15)  # refresh at t = 0 (nothing yet)
    _report(policy, 20.0, n_live=40, n_drops=20)
    _drive(policy, 15.0, [(0, 0, 10)] * 45)  # levels at t = 29, 44, 59 use the stale stats
    assert policy.dial_level == 2.5
    assert policy.n_calls_today == 0
    _drive(policy, 60.0, [(0, 0, 10)] * 15)  # refresh at t = 60, level at t = 74
    assert policy.n_calls_today == 60
    assert policy.dial_level == 1.0


def test_average_halves_and_compounds_every_fifteen_seconds():
    """Over the daily limit, AVERAGE halves at every level update: 12 → 6 → 3 → 1.5 → 1.0."""
    policy = _policy(mode="average", initial_dial_level=12.0, adaptive_maximum_level=15.0)
    _report(policy, 1000.0, n_live=45, n_drops=15)
    levels = []
    for k in range(4):
        _drive(policy, 1001.0 + 15 * k, [(0, 0, 10)] * 15)
        levels.append(policy.dial_level)
    assert levels == pytest.approx([6.0, 3.0, 1.5, 1.0])


def test_tapered_rate_uses_hhmm_arithmetic():
    """r = (2100 − HHMM)/1000: 17:30 → 0.37, 18:00 → 0.30, before 11:00 → 1, past 21:00 → None."""
    assert server_hhmm(17 * 3600 + 30 * 60) == 1730
    assert server_hhmm(DAY_S + 17 * 3600 + 30 * 60 + 59) == 1730
    assert tapered_rate(2100, 17 * 3600 + 30 * 60) == pytest.approx(0.37)
    assert tapered_rate(2100, 18 * 3600) == pytest.approx(0.30)
    assert tapered_rate(2100, 9 * 3600) == 1.0
    assert tapered_rate(2100, 21 * 3600) == 0.0
    assert tapered_rate(2100, 21 * 3600 + 60) is None


def test_tapered_scales_level_by_time_left_and_forces_one_past_latest_time():
    """At 17:30 over the limit: 3.0 × 0.37 = 1.11; at 21:30: 1.0."""
    policy = _policy(mode="tapered", initial_dial_level=3.0)
    t0 = 17 * 3600 + 30 * 60.0
    _report(policy, t0 - 10.0, n_live=45, n_drops=15)
    _drive(policy, t0, [(0, 0, 10)] * 15)
    assert policy.dial_level == pytest.approx(1.11)

    policy = _policy(mode="tapered", initial_dial_level=3.0)
    t0 = 21 * 3600 + 30 * 60.0
    _report(policy, t0 - 10.0, n_live=45, n_drops=15)
    _drive(policy, t0, [(3, 0, 10)] * 15)
    assert policy.dial_level == 1.0


def test_ofcom_uk_drop_calc_discounts_drops_by_machine_share():
    """4 drops, 40 live, 10 agent machines: drops′ = 3.2 and 100 × 3.2 / 43.2 = 7.41 %."""
    for uk, expected in [(False, 9.09), (True, 7.41)]:
        policy = _policy(ofcom_uk_drop_calc=uk)
        _report(policy, 10.0, n_live=40, n_drops=4)
        for _ in range(10):
            policy.on_outcome(10.0, "machine_to_agent")
        for _ in range(5):
            policy.on_outcome(10.0, "machine_hangup")
        _drive(policy, 11.0, [(0, 0, 10)])
        assert policy.drops_pct_today == expected


def test_day_rollover_at_midnight_resets_today():
    """Day 0 over the limit pins hard_limit at 1.0; after midnight the level can rise again."""
    policy = _policy(mode="hard_limit", initial_dial_level=2.0)
    _report(policy, DAY_S - 300.0, n_live=45, n_drops=15)
    _drive(policy, DAY_S - 240.0, [(5, 0, 10)] * 60)
    assert policy.dial_level == 1.0
    assert policy.n_calls_today == 60
    _drive(policy, DAY_S, [(5, 0, 10)] * 15)  # refresh at midnight, level update at 00:00:14
    assert policy.n_calls_today == 0
    assert policy.drops_pct_today == 0.0
    assert policy.dial_level == pytest.approx(1.5)


def test_placement_uses_current_level():
    """Goal = round(L × agents) − lines up, with L the adapted level."""
    policy = _policy(initial_dial_level=1.0)
    _drive(policy, 0.0, [(5, 0, 10)] * 15)  # d = 0.5: L = 1.5
    state = DialerState(n_agents=10, n_agents_idle=5, n_lines_ringing=4, n_calls_with_agent=5)
    assert policy.lines_to_launch(state) == 15 - 9
