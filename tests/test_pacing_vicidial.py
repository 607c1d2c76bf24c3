"""VICIdial adaptive dial level: hand-computed steps of AST_VDadapt.pl's controller.

The last sections are regression tests for issue 16 (who counts toward N, the freeze with no agents, calls
counted at their answer, the level's 6 characters): each fails on the model as it was before it followed
VICIdial on that point.
"""

from __future__ import annotations

import numpy as np
import pytest

import dialer_sim as ds
from dialer_sim.pacing import DialerState, VicidialAdaptParams, VicidialAdaptPolicy, make_policy, vicidial
from dialer_sim.pacing.vicidial import server_hhmm, tapered_rate

DAY_S = 86_400.0
T0 = 9 * 3600.0


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


def _over_the_limit(policy, t_s):
    """60 finished attempts today, 15 of them dropped (25 % of answers)."""
    for _ in range(45):
        policy.on_outcome(t_s, "human_to_agent")
    for _ in range(15):
        policy.on_outcome(t_s, "abandoned")


# -- 1. the placement count N ---------------------------------------------------------------------------------------
def test_agents_in_wrap_up_are_not_counted_in_the_placement_goal():
    """10 agents logged in, 3 of them in wrap-up: N = 7, goal round(2 × 7) = 14, 9 lines up → 5 new lines."""
    state = DialerState(n_agents=10, n_agents_idle=2, n_calls_with_agent=5, n_agents_wrap_up=3, n_lines_ringing=4)
    assert state.n_agents_dialable == 7
    assert _policy(initial_dial_level=2.0).lines_to_launch(state) == 14 - 9
    # The model's former rule, kept as an option, counts all 10: round(2 × 10) − 9 = 11.
    assert _policy(initial_dial_level=2.0, count_wrapup_agents=True).lines_to_launch(state) == 20 - 9


def test_no_agent_logged_in_means_no_placement():
    """Off shift (no agent logged in) with agents still finishing their wrap-up: N is 0, never negative."""
    state = DialerState(n_agents=0, n_agents_wrap_up=2)
    assert state.n_agents_dialable == 0
    assert _policy(initial_dial_level=3.0).lines_to_launch(state) == 0


class _Recording(VicidialAdaptPolicy):
    """Records, at each placement, the lines up after it and the agents ready or talking."""

    def __init__(self, params):
        super().__init__(params)
        self.placements: list[tuple[int, int]] = []

    def lines_to_launch(self, state):
        n = super().lines_to_launch(state)
        n = min(n, state.n_numbers_left)
        ready_or_talking = state.n_agents_idle + state.n_calls_with_agent
        self.placements.append((state.n_lines_up + n, ready_or_talking))
        return n


def test_at_level_one_the_model_keeps_one_line_per_agent_ready_or_talking():
    """With the level pinned at 1.0 (VICIdial's HARD_LIMIT floor), lines up never exceed the agents ready or talking.

    Agents in wrap-up (here 20 s after every call; every answer is a person) are paused in VICIdial and get no
    line.
    """
    cfg = ds.load_config("experiments/configs/predictive_campaign.toml")
    cfg = ds.apply_overrides(cfg, {"agents.n_agents": 10, "campaign.shift_length_s": 1800.0,
                                   "campaign.n_numbers": 3000, "agents.wrap_up_s": 20.0,
                                   "answer.kind_weights": {"human": 1.0},  # every agent call has a wrap-up
                                   "pacing.initial_dial_level": 1.0, "pacing.adaptive_maximum_level": 1.0})
    policy = _Recording(cfg.pacing.params)
    ds.run(cfg, 3, policy=policy, keep_records=False)
    placements = np.array(policy.placements)
    assert len(placements) > 100
    in_shift = placements[:, 1] > 0
    assert np.all(placements[in_shift, 0] <= placements[in_shift, 1])


# -- 2. the freeze with no agents -----------------------------------------------------------------------------------
def test_controller_is_frozen_while_no_agent_is_logged_in():
    """AVERAGE over the daily limit halves the level every 15 s, but not while the average agent count is 0."""
    policy = _policy(mode="average", initial_dial_level=3.0)
    _over_the_limit(policy, 1000.0)
    _drive(policy, 1001.0, [(0, 0, 0)] * 60)
    assert policy.dial_level == 3.0
    assert policy.n_calls_today == 0  # the drop statistics were not refreshed either
    _drive(policy, 1061.0, [(0, 0, 10)] * 15)  # an agent appears: statistics and level update at once
    assert policy.n_calls_today == 60
    assert policy.dial_level == 1.5


def test_next_shift_starts_from_its_own_samples():
    """Between shifts no update runs; the first loop of the next shift sees only that shift's samples.

    Day 0 ends with a level update on a balanced window (R = W = 5, A = 10: d = 0). At 09:00 on day 1 all 10
    agents are ready. VICIdial has seen no agent overnight, so the 15-second update is overdue and its window
    holds 14 zeros and one sample (10, 0, 10): d = 10/10 = 1 and the level doubles at once (2 × 1.2 = 2.4).
    """
    policy = _policy(mode="hard_limit", initial_dial_level=1.2)
    _drive(policy, 17 * 3600.0 - 15, [(5, 5, 10)] * 15)
    assert policy.dial_level == 1.2
    _drive(policy, DAY_S + T0, [(10, 0, 10)])
    assert policy.dial_level == pytest.approx(2.4)


def test_loops_right_after_the_shift_still_update_with_a_decaying_window():
    """The 15 loops after the last agent leaves still run: their window mixes the shift's samples and zeros.

    Over the limit, AVERAGE halves at the level update that falls inside those 15 loops (4.0 → 2.0), and then
    stays frozen overnight instead of halving every 15 s down to 1.0.
    """
    policy = _policy(mode="average", initial_dial_level=4.0, adaptive_maximum_level=5.0)
    _over_the_limit(policy, 17 * 3600.0 - 100)
    _drive(policy, 17 * 3600.0 - 10, [(0, 0, 10)] * 10)  # no level update within these 10 loops
    _drive(policy, DAY_S + T0 - 20, [(0, 0, 0)])  # a loop long after: the 15 loops after 17:00 are run first
    assert policy.dial_level == 2.0


# -- 3. calls counted at their answer -------------------------------------------------------------------------------
def test_calls_in_progress_count_in_the_emergency_window():
    """21 calls answered in the last minute, 11 dropped, 10 still talking: 11/21 = 52.38 % > 50 %, the level halves."""
    policy = _policy(initial_dial_level=2.8)
    for _ in range(21):
        policy.on_answered(100.0)
    for _ in range(11):
        policy.on_outcome(105.0, "abandoned")
    _drive(policy, 110.0, [(0, 0, 10)] * 15)
    assert policy.n_calls_one_min == 21
    assert policy.drops_pct_one_min == 52.38
    assert policy.dial_level == pytest.approx(1.4)


def test_an_answered_call_is_counted_once():
    """Counted at its answer, an attempt is not counted again when its outcome comes; unanswered ones count at the end."""
    policy = _policy()
    policy.on_answered(10.0)
    policy.on_outcome(200.0, "human_to_agent")
    policy.on_outcome(30.0, "no_answer")
    _drive(policy, 201.0, [(0, 0, 10)])
    assert policy.n_calls_today == 2


class _StatsLog(VicidialAdaptPolicy):
    """Logs today's attempt count at every drop-statistics refresh."""

    def __init__(self, params):
        super().__init__(params)
        self.log: list[tuple[float, int]] = []

    def _refresh_drop_stats(self, now_s):
        super()._refresh_drop_stats(now_s)
        self.log.append((now_s, self.n_calls_today))


def test_model_counts_calls_today_at_answer():
    """In a simulated shift, 'calls today' at each refresh = answered by then + unanswered ended by then."""
    cfg = ds.load_config("experiments/configs/predictive_campaign.toml")
    cfg = ds.apply_overrides(cfg, {"agents.n_agents": 10, "campaign.shift_length_s": 1800.0,
                                   "campaign.n_numbers": 3000})
    policy = _StatsLog(cfg.pacing.params)
    records = ds.run(cfg, 5, policy=policy).records
    answered = records["network_outcome"] == "answered"
    counted_at = np.where(answered, records["dial_at_s"] + records["ring_s"], records["end_at_s"])
    checked = 0
    for t, n_calls in policy.log:
        expected = int(np.sum(counted_at <= t))
        assert n_calls == expected, (t, n_calls, expected)
        checked += expected > 0
    assert checked >= 20


# -- the level's VARCHAR(6) -----------------------------------------------------------------------------------------
def test_level_is_stored_in_six_characters():
    """TAPERED at 12:01 (r = 0.899): 2.345 × 0.899 = 2.108155, stored as "2.1081" (cut, not rounded)."""
    assert vicidial.stored_level(2.108155) == 2.1081
    assert vicidial.stored_level(1.5) == 1.5
    assert vicidial.stored_level(12.34567) == 12.345
    policy = _policy(mode="tapered", initial_dial_level=2.345)
    t0 = 12 * 3600.0 + 60
    _over_the_limit(policy, t0 - 10)
    _drive(policy, t0, [(0, 0, 10)] * 15)
    assert policy.dial_level == 2.1081


def test_count_wrapup_agents_must_be_a_bool():
    with pytest.raises(ds.ConfigError, match="pacing.count_wrapup_agents must be true or false"):
        VicidialAdaptParams(count_wrapup_agents=1)
