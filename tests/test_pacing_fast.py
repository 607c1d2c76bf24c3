"""The cheap controller steps and the skipped ticks give exactly what ticking every second gives.

Each policy's fast path is compared with the straightforward per-second computation on random inputs:
VICIdial's loop (running count of agent samples instead of ``any`` over the window, no missed-loop arithmetic
on consecutive loops, placement arithmetic inlined), the Erlang policy's busy-table scan (skipped when the table
did not change), and the model's ticks, run ahead through quiet stretches with their placements skipped. The
last is checked on whole runs of every ticking policy: the records and the controller's steps must be equal to
those of a run that ticks as one event per second.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import dialer_sim as ds
from callvocab import DISPOSITIONS
from dialer_sim.model import DialerEnvironment
from dialer_sim.pacing import (
    DialerState,
    ErlangPredictiveParams,
    ErlangPredictivePolicy,
    VicidialAdaptParams,
    VicidialAdaptPolicy,
    make_policy,
)
from dialer_sim.pacing.ratio import ratio_lines
from dialer_sim.pacing.vicidial import N_SAMPLES, stored_level


class _StraightVicidial(VicidialAdaptPolicy):
    """VICIdial's controller computed the straightforward way: every loop looks at the whole window."""

    def update(self, state):
        if self._last_loop_s is not None:
            self._skipped_loops(state.now_s)
        self._loop(state.now_s, state.n_agents_idle, state.n_calls_waiting, state.n_agents)
        self._last_loop_s = state.now_s

    def _loop(self, now_s, n_idle, n_waiting, n_agents):
        self._ready.append(n_idle)
        self._waiting.append(n_waiting)
        self._agents.append(n_agents)
        self._n_loops_since_level += 1
        if not any(self._agents):
            return
        if now_s >= self._next_stats_at_s:
            self._refresh_drop_stats(now_s)
            self._next_stats_at_s = now_s + 60.0
        if self._n_loops_since_level >= N_SAMPLES:
            self._n_loops_since_level = 0
            self.dial_level = stored_level(self._next_level(now_s))

    def lines_to_launch(self, state):
        n_agents = state.n_agents if self.params.count_wrapup_agents else state.n_agents_dialable
        return ratio_lines(state, self.dial_level, n_agents)


def _observable(policy: VicidialAdaptPolicy) -> tuple:
    return (policy.dial_level, policy.n_calls_today, policy.drops_pct_today, policy.n_calls_one_min,
            policy.drops_pct_one_min, list(policy._ready), list(policy._waiting), list(policy._agents))


def feed_event(step: tuple, now_s: float, *policies) -> None:
    """Report an answer (``("answered",)``) or an outcome (``("outcome", disposition)``) to every policy."""
    for policy in policies:
        if step[0] == "answered":
            policy.on_answered(now_s)
        else:
            policy.on_outcome(now_s, step[1])


VICIDIAL_PARAMS = st.builds(
    VicidialAdaptParams,
    mode=st.sampled_from(["hard_limit", "tapered", "average"]),
    initial_dial_level=st.floats(1.0, 3.0),
    adaptive_intensity=st.integers(-40, 40),
    adaptive_dl_diff_target=st.integers(-3, 3),
    ofcom_uk_drop_calc=st.booleans(),
    count_wrapup_agents=st.booleans(),
)
# One step of a history: a controller loop after a gap (mostly 1 s, sometimes loops skipped between shifts),
# an answer, or a reported outcome.
STEPS = st.one_of(
    st.tuples(st.just("loop"), st.sampled_from([1.0] * 8 + [0.5, 2.0, 3.0, 16.0, 90.0, 4000.0]),
              st.integers(0, 12), st.integers(0, 6), st.sampled_from([0, 0, 3, 10, 12])),
    st.tuples(st.just("answered")),
    st.tuples(st.just("outcome"), st.sampled_from(DISPOSITIONS)),
)
STATES = st.builds(
    DialerState,
    n_agents=st.integers(0, 40), n_agents_wrap_up=st.integers(0, 45), n_lines_ringing=st.integers(0, 90),
    n_calls_in_amd=st.integers(0, 9), n_calls_waiting=st.integers(0, 9), n_calls_with_agent=st.integers(0, 40),
)


@settings(max_examples=200, deadline=None)
@given(params=VICIDIAL_PARAMS, steps=st.lists(STEPS, max_size=400), probes=st.lists(STATES, min_size=1, max_size=5))
def test_vicidial_fast_loop_equals_the_per_second_computation(params, steps, probes):
    """After any history of loops, answers and outcomes, both controllers agree on every value they keep."""
    fast, straight = make_policy(params), _StraightVicidial(params)
    state = DialerState()
    now_s = 9 * 3600.0
    for step in steps:
        if step[0] == "loop":
            now_s += step[1]
            state.now_s = now_s
            state.n_agents_idle, state.n_calls_waiting, state.n_agents = step[2:]
            fast.update(state)
            straight.update(state)
        else:
            feed_event(step, now_s, fast, straight)
        assert _observable(fast) == _observable(straight)
    for probe in probes:
        assert fast.lines_to_launch(probe) == straight.lines_to_launch(probe)


class _StraightErlang(ErlangPredictivePolicy):
    """The Erlang policy's busy-table scan, walking every agent every second."""

    def update(self, state):
        busy, seen = state.agent_busy_since_s, self._busy_seen
        if self._last_scan_s is not None:
            end_s = 0.5 * (self._last_scan_s + state.now_s)
            for agent, since_s in seen.items():
                current_s = busy.get(agent)
                if current_s is None:
                    self._handle.add(max(end_s - since_s, 0.0))
                elif current_s != since_s:
                    self._handle.add(max(current_s - since_s, 0.0))
        seen.clear()
        seen.update(busy)
        self._last_scan_s = state.now_s


@settings(max_examples=200, deadline=None)
@given(
    memory_n=st.integers(1, 50),
    steps=st.lists(st.tuples(st.sampled_from([0, 0, 0, 1, 2]), st.integers(0, 7), st.floats(0.0, 1.0)),
                   max_size=300),
)
def test_erlang_scan_that_skips_unchanged_tables_learns_the_same_handle_times(memory_n, steps):
    """Agents start and end calls at random seconds; both scans learn bit-identical handle-time means."""
    params = ErlangPredictiveParams(estimate_memory_n=memory_n)
    fast, straight = make_policy(params), _StraightErlang(params)
    state = DialerState(n_agents=8)
    busy = state.agent_busy_since_s
    for k, (action, agent, offset) in enumerate(steps):
        state.now_s = 100.0 + k
        if action == 1:  # the agent takes a call (or a new one) part-way through the last second
            busy.pop(agent, None)
            busy[agent] = state.now_s - offset
        elif action == 2:
            busy.pop(agent, None)
        fast.update(state)
        straight.update(state)
        assert fast.handle_time_s == straight.handle_time_s


# -- whole runs: ticks run ahead and skipped versus one tick event per second ------------------------------------
# Daily limits high enough that VICIdial's level keeps moving, so quiet seconds do place lines at level updates.
_FREE = {"pacing.adaptive_dropped_percentage": 50.0}
TICKING = {
    "vicidial hard_limit": {"pacing.policy": "vicidial_adapt", "pacing.mode": "hard_limit", **_FREE},
    "vicidial tapered ofcom": {"pacing.policy": "vicidial_adapt", "pacing.mode": "tapered", **_FREE,
                               "pacing.ofcom_uk_drop_calc": True, "pacing.adaptive_latest_server_time_hhmm": 1000},
    "vicidial average wrap-up": {"pacing.policy": "vicidial_adapt", "pacing.mode": "average", **_FREE,
                                 "pacing.count_wrapup_agents": True, "pacing.adaptive_intensity": 30},
    "erlang_predictive": {"pacing.policy": "erlang_predictive", "pacing.target_abandon_pct": 2.0},
    "strict_max over vicidial": {"pacing.policy": "strict_max", "pacing.base_policy": "vicidial_adapt",
                                 "pacing.max_abandon_pct": 10.0, "pacing.base": {"adaptive_dropped_percentage": 50.0}},
    "strict_max over erlang": {"pacing.policy": "strict_max", "pacing.base_policy": "erlang_predictive"},
}
#: Voicemail messages and drop messages free lines between placements; retries fall due inside the shift.
BASE = {"agents.n_agents": 12, "campaign.shift_length_s": 1500.0, "campaign.n_shifts": 2, "campaign.n_numbers": 1500,
        "campaign.retry_gap_s": 240.0, "amd.machine_action": "leave_message"}


def _run(config: ds.DialerConfig, seed: int, *, every_second: bool):
    """Records, controller steps and SimPy events of one run; ``every_second`` forbids running ticks ahead."""
    policy = make_policy(config.pacing.params)
    if every_second:
        policy.pure_placement = False
    steps: list[float] = []
    update = policy.update

    def recording_update(state):
        steps.append(state.now_s)
        update(state)

    policy.update = recording_update
    advance = getattr(policy, "advance_quiet", None)
    if advance is not None:  # the controller steps it runs at once count as steps too, at their clocks

        def recording_advance(state, n_steps):
            start_s = state.now_s
            n = advance(state, n_steps)
            steps.extend(start_s + k * policy.update_interval_s for k in range(n))
            return n

        policy.advance_quiet = recording_advance
    n_events = [0]
    step = DialerEnvironment.step  # one call per queued event and per tick

    def counting_step(env):
        n_events[0] += 1
        step(env)

    DialerEnvironment.step = counting_step
    try:
        result = ds.run(config, seed, policy=policy)
    finally:
        DialerEnvironment.step = step
    return result.records, steps, n_events[0]


def _assert_same_run(config: ds.DialerConfig, seed: int) -> None:
    fast_records, fast_steps, fast_events = _run(config, seed, every_second=False)
    slow_records, slow_steps, slow_events = _run(config, seed, every_second=True)
    assert len(fast_records) > 50
    assert fast_records.equals(slow_records)
    assert fast_steps == slow_steps  # one controller step per second of every shift, at the same instants
    assert fast_events < slow_events  # and quiet seconds cost no step of the event loop


@settings(max_examples=12, deadline=None)
@given(name=st.sampled_from(sorted(TICKING)), seed=st.integers(0, 2**31), drop_message=st.booleans())
def test_skipped_ticks_leave_every_record_unchanged(name, seed, drop_message):
    """Every ticking policy, any seed, with and without drop messages (lines freed between placements)."""
    config = ds.load_config("experiments/configs/predictive_campaign.toml")
    overrides = {**BASE, **TICKING[name], "abandon.drop_action": "message" if drop_message else "silent"}
    _assert_same_run(ds.apply_overrides(config, overrides), seed)


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**31))
def test_skipped_ticks_leave_a_list_campaign_unchanged(seed):
    """The list campaign (calling windows, per-number retry rules, a mixed population) under VICIdial pacing."""
    config = ds.load_config("experiments/configs/screening_campaign.toml")
    mix = {"answer_all": 0.5, "screen_unknown": 0.2, "never_answer": 0.2, "change_number": 0.1}
    config = ds.apply_overrides(config, {"campaign.n_numbers": 400, "campaign.n_shifts": 3,
                                         "agents.n_agents": 4, "population.strategy_mix": mix})
    _assert_same_run(config, seed)

