"""Quiet seconds in closed form: VICIdial's ``advance_quiet`` equals one loop per second, state for state.

In a quiet stretch (no event before the next tick that may place) the controller's samples are constant and its
placement changes only at a level update. ``VicidialAdaptPolicy.advance_quiet`` runs the loops before the next
level update at once; the model asks for placement only before the stretch and after each step that may change
it. These tests drive the controller through random histories of quiet stretches and events and compare every
value it keeps with per-second stepping, and compare whole runs with runs that tick as one event per second.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_pacing_fast import DISPOSITIONS, VICIDIAL_PARAMS, feed_event

import dialer_sim as ds
from dialer_sim._bench_child import _config
from dialer_sim._time import n_steps_before
from dialer_sim.pacing import DialerState, make_policy

ROOT = Path(__file__).resolve().parent.parent


def _snapshot(policy) -> dict:
    """Every value the controller keeps, its windows and tallies included."""
    out = {}
    for name, value in vars(policy).items():
        if name == "params":
            continue
        if hasattr(value, "__slots__"):  # DayTally, WindowTally
            value = {slot: list(getattr(value, slot)) if slot == "_events" else getattr(value, slot)
                     for slot in value.__slots__}
        elif hasattr(value, "maxlen"):
            value = list(value)
        out[name] = value
    return out


def _quiet_stretch(fast, state: DialerState, start_s: float, n_loops: int) -> list[tuple[int, int, float]]:
    """The model's protocol: advance in closed form, one ``update`` where placement may change.

    Returns the advanced segments as (first loop, number of loops, dial level before them).
    """
    segments, k = [], 0
    while k < n_loops:
        state.now_s = start_s + k
        level = fast.dial_level
        n = fast.advance_quiet(state, n_loops - k)
        if n:
            assert state.now_s == start_s + k + n - 1  # left at the last loop's clock
            segments.append((k, n, level))
            k += n
            if k == n_loops:
                break
            state.now_s = start_s + k
        fast.update(state)
        k += 1
    return segments


STEPS = st.one_of(
    st.tuples(st.just("quiet"), st.sampled_from([1.0] * 6 + [2.0, 16.0, 90.0, 4000.0]), st.integers(1, 200),
              st.integers(0, 12), st.integers(0, 6), st.sampled_from([0, 1, 3, 10, 12])),
    st.tuples(st.just("answered")),
    st.tuples(st.just("outcome"), st.sampled_from(DISPOSITIONS)),
)


@settings(max_examples=300, deadline=None)
@given(params=VICIDIAL_PARAMS, steps=st.lists(STEPS, max_size=120))
def test_advance_quiet_leaves_exactly_the_state_of_one_loop_per_second(params, steps):
    """After every stretch and event both controllers hold equal values; advanced loops never move the level,
    and an advanced segment that ends early ends just before a level update."""
    fast, straight = make_policy(params), make_policy(params)
    state = DialerState()
    now_s = 9 * 3600.0
    for step in steps:
        if step[0] == "quiet":
            gap_s, n_loops = step[1], step[2]
            state.n_agents_idle, state.n_calls_waiting, state.n_agents = step[3:]
            start_s = now_s + gap_s  # 1 s after the last loop, or after skipped seconds
            segments = _quiet_stretch(fast, state, start_s, n_loops)
            levels, level_updates = [], []
            for k in range(n_loops):
                state.now_s = start_s + k
                straight.update(state)
                levels.append(straight.dial_level)
                level_updates.append(straight._n_loops_since_level == 0)
            for first, n, level in segments:
                assert levels[first:first + n] == [level] * n
                if first + n < n_loops:
                    assert level_updates[first + n]
            now_s = start_s + n_loops - 1
        else:
            feed_event(step, now_s, fast, straight)
        assert _snapshot(fast) == _snapshot(straight)


@settings(max_examples=300, deadline=None)
@given(start=st.integers(-50, 10**6), step=st.sampled_from([1.0, 2.0, 15.0]), n_max=st.integers(0, 300),
       offset=st.one_of(st.floats(-400.0, 5000.0), st.sampled_from([float("inf"), float("-inf")])),
       inclusive=st.booleans())
def test_n_steps_before_counts_what_comparing_each_instant_gives(start, step, n_max, offset, inclusive):
    """The closed-form count of whole-second instants before a limit equals the count one by one."""
    start_s = float(start)
    limit_s = start_s + offset
    expected = 0
    for i in range(n_max):
        t = start_s + i * step
        if not (t <= limit_s if inclusive else t < limit_s):
            break
        expected += 1
    assert n_steps_before(start_s, step, limit_s, n_max, inclusive=inclusive) == expected


# -- whole runs: the closed form against one tick event per second -------------------------------------------
def _records_digest(config: ds.DialerConfig, seed: int, *, every_second: bool) -> tuple[int, str]:
    """Number of dials and a hash of every record of one run; ``every_second`` ticks one event per second."""
    policy = make_policy(config.pacing.params)
    if every_second:
        policy.pure_placement = False
    records = ds.run(config, seed, policy=policy, keep_records=True).records
    return len(records), hashlib.sha256(records.to_csv(index=False).encode()).hexdigest()


def _assert_identical_runs(config: ds.DialerConfig, seed: int) -> None:
    fast = _records_digest(config, seed, every_second=False)
    assert fast[0] > 100
    assert fast == _records_digest(config, seed, every_second=True)


PREDICTIVE_MODES = {
    "hard_limit": {"pacing.mode": "hard_limit"},
    "tapered": {"pacing.mode": "tapered", "pacing.adaptive_latest_server_time_hhmm": 1000},
    "average": {"pacing.mode": "average"},
    "hard_limit ofcom": {"pacing.mode": "hard_limit", "pacing.ofcom_uk_drop_calc": True},
    "tapered ofcom": {"pacing.mode": "tapered", "pacing.ofcom_uk_drop_calc": True},
}


@settings(max_examples=6, deadline=None)
@given(mode=st.sampled_from(sorted(PREDICTIVE_MODES)), seed=st.integers(0, 2**31))
def test_predictive_campaign_records_equal_ticking_every_second(mode, seed):
    """``predictive_campaign.toml`` (an hour of its shift) in every VICIdial mode, with and without Ofcom's rule."""
    config = ds.load_config(ROOT / "experiments" / "configs" / "predictive_campaign.toml")
    overrides = {"campaign.shift_length_s": 3600.0, "campaign.n_numbers": 6000, **PREDICTIVE_MODES[mode]}
    _assert_identical_runs(ds.apply_overrides(config, overrides), seed)


def test_shifts_with_gaps_give_records_equal_ticking_every_second():
    """Three short shifts a day apart: the first loops of each shift follow skipped seconds."""
    config = ds.load_config(ROOT / "experiments" / "configs" / "predictive_campaign.toml")
    overrides = {"campaign.shift_length_s": 900.0, "campaign.n_shifts": 3, "campaign.n_numbers": 3000,
                 "campaign.retry_gap_s": 600.0, "agents.n_agents": 20, "pacing.mode": "average",
                 "pacing.adaptive_dropped_percentage": 50.0}
    _assert_identical_runs(ds.apply_overrides(config, overrides), 7)


def test_bench_list_campaign_records_equal_ticking_every_second():
    """The bench's ``list_campaign`` workload (its smallest scale, 1000 numbers over 30 days)."""
    _assert_identical_runs(_config("list_campaign", 0.0, ROOT), 0)


def test_strict_max_over_vicidial_records_equal_ticking_every_second():
    """Strict Max forwards the closed form to its VICIdial base (a 2 % maximum, so it may fall back)."""
    config = ds.load_config(ROOT / "experiments" / "configs" / "predictive_campaign.toml")
    overrides = {"campaign.shift_length_s": 3600.0, "campaign.n_numbers": 6000, "pacing.policy": "strict_max",
                 "pacing.base_policy": "vicidial_adapt", "pacing.max_abandon_pct": 2.0,
                 "pacing.base": {"adaptive_dropped_percentage": 50.0}}
    config = ds.apply_overrides(config, overrides)
    assert make_policy(config.pacing.params).advance_quiet is not None
    _assert_identical_runs(config, 3)
