"""Calling windows, attempt caps, gaps and the Ofcom redial rules are never violated (property-based)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dialer_sim as ds
from dialer_sim.config import WEEKDAYS
from dialer_sim.model import CallingList

DAY_S = 86_400.0


@st.composite
def rules(draw) -> dict:
    windows = {}
    for name in draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)):
        start = draw(st.integers(0, 22))
        windows[name] = [float(start), float(draw(st.integers(start + 1, 24)))]
    return {
        "start_weekday": draw(st.integers(0, 6)),
        "windows": windows,
        "max_attempts_per_day": draw(st.integers(1, 4)),
        "max_attempts_per_week": draw(st.integers(1, 8)),
        "max_attempts_per_campaign": draw(st.integers(1, 12)),
        "min_gap_s": float(draw(st.sampled_from([0, 600, 3600, 4 * 3600]))),
        "ofcom_no_same_day_after_machine": draw(st.booleans()),
        "ofcom_abandoned_gap_s": float(draw(st.sampled_from([0, 72 * 3600]))),
    }


def campaign(rule_table: dict, seed: int) -> ds.DialerConfig:
    return ds.config_from_dict({
        "campaign": {"n_numbers": 80, "n_shifts": 12, "shift_start_s": 0.0, "shift_length_s": DAY_S},
        "agents": {"n_agents": 3},
        "pacing": {"policy": "ratio", "lines_per_agent": 2.5},  # over-dials, so calls are abandoned too
        "population": {"strategy_mix": {"answer_all": 0.6, "never_answer": 0.2, "silent_answer": 0.2},
                       "p_voicemail": 0.5},
        "hygiene": {"max_no_answer": 50, "max_machine": 50},
        "rules": rule_table,
    })


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_table=rules(), seed=st.integers(0, 2**16))
def test_no_attempt_breaks_a_window_cap_gap_or_redial_rule(rule_table, seed):
    cfg = campaign(rule_table, seed)
    rec = ds.run(cfg, seed).records
    r = cfg.rules
    day = (rec["dial_at_s"] // DAY_S).astype(int)
    weekday = (r.start_weekday + day) % 7
    week = (r.start_weekday + day) // 7
    for wd, tod in zip(weekday, rec["dial_at_s"] % DAY_S, strict=True):
        win = r.window_s(int(wd))
        assert win is not None, WEEKDAYS[wd]
        assert win[0] <= tod < win[1], (WEEKDAYS[wd], tod, win)
    assert rec.assign(day=day).groupby(["number_id", "day"]).size().max() <= r.max_attempts_per_day
    assert rec.assign(week=week).groupby(["number_id", "week"]).size().max() <= r.max_attempts_per_week
    assert rec.groupby("number_id").size().max() <= r.max_attempts_per_campaign
    for _, g in rec.sort_values("dial_at_s").groupby("number_id"):
        assert list(g["attempt"]) == list(range(1, len(g) + 1))
        prev = g.iloc[:-1]
        nxt = g["dial_at_s"].to_numpy()[1:]
        assert (nxt >= prev["end_at_s"].to_numpy() + r.min_gap_s - 1e-6).all()
        if r.ofcom_abandoned_gap_s:
            after = prev["disposition"].isin(["abandoned", "callee_hung_up"]).to_numpy()  # every drop it saw
            assert (nxt[after] >= prev["end_at_s"].to_numpy()[after] + r.ofcom_abandoned_gap_s - 1e-6).all()
        if r.ofcom_no_same_day_after_machine:
            after = (prev["amd_label"] == "machine").to_numpy()
            assert (nxt[after] // DAY_S > prev["end_at_s"].to_numpy()[after] // DAY_S).all()


def test_next_window_open_walks_to_the_next_calling_day():
    """Starting on a Friday: after Friday 20 h the next window is Saturday 9 h; after Saturday 18 h, Monday 8 h."""
    cfg = campaign({"start_weekday": 4}, 0)
    lst = CallingList(cfg, 1)
    assert lst.next_window_open(0.0) == 8 * 3600.0
    assert lst.next_window_open(12 * 3600.0) == 12 * 3600.0
    assert lst.next_window_open(20 * 3600.0) == DAY_S + 9 * 3600.0
    assert lst.next_window_open(DAY_S + 18 * 3600.0) == 3 * DAY_S + 8 * 3600.0
    assert math.isinf(lst.next_window_open(12 * DAY_S))


def test_a_full_week_pushes_the_next_attempt_to_monday():
    cfg = campaign({"start_weekday": 0, "max_attempts_per_week": 2, "min_gap_s": 0.0}, 0)
    lst = CallingList(cfg, 1)
    lst.on_dial(0, 9 * 3600.0)
    assert lst.next_allowed(0, 9 * 3600.0 + 30) == 9 * 3600.0 + 30
    lst.on_dial(0, 10 * 3600.0)
    assert lst.next_allowed(0, 10 * 3600.0 + 30) == 7 * DAY_S + 8 * 3600.0
    assert np.array_equal(lst.attempts, [2])
