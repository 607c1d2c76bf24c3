"""``amd.undecided_action = "connect_at_deadline"``: hand-fed traces of every case, and a property test.

Every hand-fed call is answered 5 s after the dial and speaks 0.5 s after the
answer, so the 2 s window from speech start ends at T0 + 7.5 s.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_model_properties import POLICIES, busy_intervals, merged
from test_model_traces import T0, LaunchOnce

import dialer_sim as ds
from dialer_sim.records import ANSWER_KINDS, HUMAN_KINDS

DEADLINE = T0 + 7.5
LABELS = {"human": [1.0, 0.0, 0.0], "machine": [0.0, 1.0, 0.0], "notsure": [0.0, 0.0, 1.0]}


class Watching(LaunchOnce):
    """Launches ``n`` lines once and keeps every disposition the pacing is told."""

    def __init__(self, n: int):
        super().__init__(n)
        self.seen: list[str] = []

    def on_outcome(self, now_s, disposition):
        self.seen.append(disposition)


def config(kind: str, label: str, amd_delay_s: float, *, action: str = "connect_at_deadline", n_agents: int = 1,
           talk_s: float = 100.0, handling_s: float = 6.0, recognition_s: float = 1.0, hold_queue: bool = False):
    """Every dial is answered by ``kind`` after 5 s; the AMD says ``label`` ``amd_delay_s`` after speech starts."""
    greeting_s = 0.5 if kind in HUMAN_KINDS else 8.0
    data = {
        "campaign": {"n_numbers": 10, "max_attempts": 1, "shift_length_s": 3600.0},
        "network": {"p_busy": 0.0, "p_unobtainable": 0.0},
        "answer": {"p_pickup": 1.0, "kind_weights": {kind: 1.0}, "human_answer_delay_s": 5.0,
                   "machine_answer_delay_s": 5.0, "timing": {kind: {"speech_start_s": 0.5, "greeting_s": greeting_s}}},
        "amd": {"mode": "parametric", "confusion": {k: LABELS[label] for k in ANSWER_KINDS},
                "delay_after_speech_s": amd_delay_s, "undecided_action": action},
        "agents": {"n_agents": n_agents, "talk_time_s": talk_s, "wrap_up_s": 0.0, "machine_handling_s": handling_s,
                   "human_recognition_s": recognition_s},
        "abandon": {"window_s": 2.0, "clock_start": "speech_start", "drop_action": "message", "message_s": 8.0,
                    "patience_s": {"kind": "never"}, "hold_queue": hold_queue},
    }
    return ds.config_from_dict(data)


def run(cfg, n_calls: int = 1):
    trace: list = []
    policy = Watching(n_calls)
    result = ds.run(cfg, 0, trace=trace, policy=policy)
    return result, trace, policy.seen


def test_human_decided_before_the_deadline_is_connected_at_the_decision():
    """Decided human at +1 s: connected at the verdict, exactly as under `wait`."""
    for action in ("wait", "connect_at_deadline"):
        result, trace, seen = run(config("human", "human", 1.0, action=action))
        assert trace == [("call-0", "answered_at", T0 + 5.0), ("call-0", "amd_decided_at", T0 + 6.5),
                         ("call-0", "connected_at", T0 + 6.5), ("call-0", "human_to_agent", T0 + 106.5),
                         ("agent-0", "idle_at", T0 + 106.5)]
        assert seen == ["human_to_agent"]
        assert result.summary["n_routed_undecided"] == 0
        assert result.summary["agent_s_on_machines"] == 0.0


def test_machine_decided_before_the_deadline_is_hung_up_on_without_an_agent():
    """Decided machine at +1 s: the dialer hangs up at the verdict; no agent time."""
    result, trace, _ = run(config("machine_beep", "machine", 1.0))
    assert trace == [("call-0", "answered_at", T0 + 5.0), ("call-0", "amd_decided_at", T0 + 6.5),
                     ("call-0", "machine_hangup", T0 + 6.5)]
    row = result.records.iloc[0]
    assert pd.isna(row["agent_id"])
    assert row["ended_by"] == "dialer"
    assert result.summary["agent_s_on_machines"] == 0.0


def test_undecided_person_is_connected_at_the_deadline_and_the_late_human_verdict_changes_nothing():
    """Human verdict at +3 s (after the deadline): connected at T0 + 7.5, talks 100 s; under `wait` at T0 + 8.5."""
    result, trace, seen = run(config("human", "human", 3.0))
    assert trace == [("call-0", "answered_at", T0 + 5.0), ("call-0", "routed_undecided_at", DEADLINE),
                     ("call-0", "connected_at", DEADLINE), ("call-0", "human_to_agent", DEADLINE + 100.0),
                     ("agent-0", "idle_at", DEADLINE + 100.0)]
    row = result.records.iloc[0]
    assert (row["amd_label"], row["amd_decided_at_s"], row["agent_connect_at_s"]) == ("human", T0 + 8.5, DEADLINE)
    assert seen == ["human_to_agent"]
    s = result.summary
    assert (s["n_routed_undecided"], s["n_window_late_connect"], s["abandon_rate_window_live"]) == (1, 0, 0.0)
    waited = run(config("human", "human", 3.0, action="wait"))[0]
    assert waited.records.iloc[0]["agent_connect_at_s"] == T0 + 8.5
    assert (waited.summary["n_window_late_connect"], waited.summary["abandon_rate_window_live"]) == (1, 1.0)


def test_undecided_machine_is_released_by_the_late_verdict():
    """Machine verdict at T0 + 8.5, before the agent's 6 s handling ends: the dialer frees the agent at once."""
    result, trace, seen = run(config("machine_beep", "machine", 3.0))
    assert trace == [("call-0", "answered_at", T0 + 5.0), ("call-0", "routed_undecided_at", DEADLINE),
                     ("call-0", "connected_at", DEADLINE), ("call-0", "amd_decided_at", T0 + 8.5),
                     ("call-0", "machine_to_agent", T0 + 8.5), ("agent-0", "idle_at", T0 + 8.5)]
    row = result.records.iloc[0]
    assert (row["ended_by"], row["disposition"], row["agent_id"]) == ("dialer", "machine_to_agent", 0)
    assert row["amd_decided_at_s"] > row["agent_connect_at_s"]
    assert seen == ["machine_to_agent"]
    s = result.summary
    assert (s["agent_s_on_machines"], s["n_machine_released_by_amd"]) == (1.0, 1)
    assert s["agent_s_per_machine_answer"] == 1.0


def test_undecided_machine_recognised_by_the_agent_before_the_verdict():
    """Machine verdict at T0 + 15.5, after the 6 s handling: the agent ended the call; no verdict recorded."""
    result, trace, _ = run(config("machine_beep", "machine", 10.0))
    assert trace[-2:] == [("call-0", "machine_to_agent", DEADLINE + 6.0), ("agent-0", "idle_at", DEADLINE + 6.0)]
    row = result.records.iloc[0]
    assert row["ended_by"] == "agent"
    assert pd.isna(row["amd_label"])
    assert pd.isna(row["amd_decided_at_s"])
    assert (result.summary["agent_s_on_machines"], result.summary["n_machine_released_by_amd"]) == (6.0, 0)


def test_late_machine_verdict_inside_the_recognition_span_hangs_up_on_the_person():
    """Verdict at T0 + 8.0, 0.5 s into the agent's 1 s recognition: an AMD false positive after connection."""
    result, trace, seen = run(config("human", "machine", 2.5))
    assert trace == [("call-0", "answered_at", T0 + 5.0), ("call-0", "routed_undecided_at", DEADLINE),
                     ("call-0", "connected_at", DEADLINE), ("call-0", "amd_decided_at", T0 + 8.0),
                     ("call-0", "amd_false_positive", T0 + 8.0), ("agent-0", "idle_at", T0 + 8.0)]
    row = result.records.iloc[0]
    assert (row["ended_by"], row["disposition"], row["agent_connect_at_s"]) == ("dialer", "amd_false_positive",
                                                                                DEADLINE)
    assert seen == ["machine_to_agent"]  # the dialer believes it released a machine
    s = result.summary
    assert (s["n_amd_false_positive"], s["n_amd_false_positive_after_connect"]) == (1, 1)
    assert s["abandon_rate_window_live"] == 1.0
    assert s["agent_s_on_machines"] == 0.0
    for regime in ("ofcom2010", "ftc"):
        rate = ds.compliance.compliance_rates(result.records, regime)
        assert rate["numerator"].sum() == 1.0, regime


def test_late_machine_verdict_after_the_recognition_span_is_overridden():
    """Verdict at T0 + 9.0, after the 1 s recognition: the agent talks on; the record keeps the verdict."""
    result, trace, seen = run(config("human", "machine", 3.5))
    assert trace[-2:] == [("call-0", "human_to_agent", DEADLINE + 100.0), ("agent-0", "idle_at", DEADLINE + 100.0)]
    row = result.records.iloc[0]
    assert (row["disposition"], row["ended_by"], row["amd_label"], row["amd_decided_at_s"]) == (
        "human_to_agent", "agent", "machine", T0 + 9.0)
    assert seen == ["human_to_agent"]
    assert result.summary["abandon_rate_window_live"] == 0.0
    assert ds.compliance.compliance_rates(result.records, "ofcom2010")["numerator"].sum() == 0.0


def test_no_agent_free_at_the_deadline_is_a_dialer_drop():
    """Two undecided people, one agent: the first is connected at the deadline, the second dropped then."""
    result, trace, _ = run(config("human", "human", 3.0), n_calls=2)
    assert ("call-1", "dropped_at", DEADLINE) in trace
    rec = result.records.set_index("number_id")
    assert rec.loc[0, "agent_connect_at_s"] == DEADLINE
    assert (rec.loc[1, "disposition"], rec.loc[1, "end_at_s"]) == ("abandoned", DEADLINE + 8.0)
    assert pd.isna(rec.loc[1, "amd_decided_at_s"])  # the dialer dropped the call before the verdict


def test_a_waiting_call_is_hung_up_on_by_the_late_verdict():
    """Hold queue, one agent: the person waiting since the deadline is hung up on at the verdict, T0 + 8.5."""
    result, _, _ = run(config("human", "machine", 3.0, hold_queue=True, recognition_s=0.5), n_calls=2)
    rec = result.records.set_index("number_id")
    assert (rec.loc[0, "disposition"], rec.loc[0, "agent_connect_at_s"]) == ("human_to_agent", DEADLINE)
    assert (rec.loc[1, "disposition"], rec.loc[1, "end_at_s"], rec.loc[1, "ended_by"]) == (
        "amd_false_positive", T0 + 8.5, "dialer")
    assert pd.isna(rec.loc[1, "agent_id"])


def test_undecided_action_is_validated():
    """A bad value names the field and the allowed values."""
    with pytest.raises(ds.ConfigError, match="amd.undecided_action must be one of wait, connect_at_deadline"):
        ds.config_from_dict({"amd": {"undecided_action": "connect"}})


# -- property: no live person is connected late or dropped for AMD latency --------------------------------------
@st.composite
def slow_amd_configs(draw):
    policy = draw(st.sampled_from(sorted(POLICIES)))
    hold_queue = draw(st.booleans())
    data = {
        "campaign": {"n_numbers": 400, "shift_length_s": 1200.0, "max_attempts": 2, "retry_gap_s": 300.0},
        "answer": {"p_pickup": draw(st.floats(0.5, 1.0))},
        "amd": {"mode": "parametric", "undecided_action": "connect_at_deadline",
                "notsure_action": draw(st.sampled_from(["agent", "hangup"])),
                "delay_after_speech_s": {"kind": "uniform", "low": 0.2, "high": draw(st.floats(2.0, 8.0))},
                "delay_no_speech_s": {"kind": "uniform", "low": 0.5, "high": draw(st.floats(1.0, 6.0))}},
        "agents": {"n_agents": draw(st.integers(1, 6)),
                   "talk_time_s": {"kind": "exponential", "mean": draw(st.floats(20.0, 120.0))},
                   "wrap_up_s": draw(st.sampled_from([0.0, 5.0])),
                   "human_recognition_s": draw(st.floats(0.2, 3.0))},
        "abandon": {"window_s": draw(st.floats(0.5, 4.0)),
                    "clock_start": draw(st.sampled_from(["speech_start", "greeting_end", "connect"])),
                    "hold_queue": hold_queue},
        "pacing": {"policy": policy, **POLICIES[policy]},
    }
    return ds.config_from_dict(data), draw(st.integers(0, 2**32 - 1))


def deadlines(rec: pd.DataFrame, cfg) -> pd.Series:
    answer = rec["dial_at_s"] + rec["ring_s"]
    start = {"speech_start": rec["speech_start_at_s"], "greeting_end": rec["greeting_end_at_s"],
             "connect": answer}[cfg.abandon.clock_start]
    return start.fillna(answer) + cfg.abandon.window_s


def all_agents_busy(intervals, n_agents: int, t0: float, t1: float) -> bool:
    return all(any(s <= t0 + 1e-9 and e >= t1 - 1e-9 for s, e in merged(intervals.get(a, [])))
               for a in range(n_agents))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slow_amd_configs())
def test_no_person_is_connected_late_or_dropped_while_an_agent_was_free(case):
    """Late connects and drops of live people happen only when every agent was busy; FPs only in the span."""
    cfg, seed = case
    trace: list = []
    result = ds.run(cfg, seed, trace=trace)
    rec = result.records
    live = rec[rec["answer_kind"].isin(HUMAN_KINDS)].assign(deadline=lambda d: deadlines(d, cfg))
    intervals = busy_intervals(rec, trace)
    late = live[live["agent_connect_at_s"] > live["deadline"] + 1e-9]
    if not cfg.abandon.hold_queue:
        assert late.empty  # the regulator's late-connect count
        assert result.summary["n_window_late_connect"] == 0
    decided_in_time = live["amd_label"].isin(["human", "notsure"]) & (live["amd_decided_at_s"] <= live["deadline"])
    routed = live["amd_decided_at_s"].where(decided_in_time, live["deadline"])
    for i in late.index:
        assert all_agents_busy(intervals, cfg.agents.n_agents, routed[i], late.at[i, "agent_connect_at_s"])
    message_s = cfg.abandon.message_s if cfg.abandon.drop_action == "message" else 0.0
    for i in live.index[live["disposition"] == "abandoned"]:
        assert all_agents_busy(intervals, cfg.agents.n_agents, routed[i], live.at[i, "end_at_s"] - message_s)
    # A person hung up on after connection heard the verdict inside the recognition span, never later.
    after = live[(live["disposition"] == "amd_false_positive") & live["agent_connect_at_s"].notna()]
    recognition_s = cfg.agents.human_recognition_s.value
    assert (after["amd_decided_at_s"] < after["agent_connect_at_s"] + recognition_s + 1e-9).all()
    assert (after["ended_by"] == "dialer").all()
    overridden = live[(live["amd_label"] == "machine") & (live["disposition"] == "human_to_agent")]
    assert (overridden["amd_decided_at_s"] >= overridden["agent_connect_at_s"] + recognition_s - 1e-9).all()
    assert result.summary["n_amd_false_positive_after_connect"] == len(after)
    on_machines = rec[rec["disposition"] == "machine_to_agent"]
    assert math.isclose(result.summary["agent_s_on_machines"],
                        float((on_machines["end_at_s"] - on_machines["agent_connect_at_s"]).sum()), abs_tol=1e-6)


def test_connect_at_deadline_removes_late_connects_that_wait_leaves():
    """Same campaign and seed: `wait` connects people late, `connect_at_deadline` never (no hold queue)."""
    cfg = ds.apply_overrides(ds.load_config("experiments/configs/predictive_campaign.toml"),
                             {"campaign.shift_length_s": 1800.0, "agents.n_agents": 20})
    wait = ds.run(cfg, 5).summary
    now = ds.run(ds.apply_overrides(cfg, {"amd.undecided_action": "connect_at_deadline"}), 5).summary
    assert wait["n_window_late_connect"] > 0
    assert now["n_window_late_connect"] == 0
    assert now["n_routed_undecided"] > 0
    assert np.isfinite(now["agent_s_per_machine_answer"])


def test_list_counts_a_person_hung_up_on_after_connection_as_an_amd_hang_up():
    """Silent answerers (AMD verdict 2.5-3 s after answer) are connected at the deadline, then hung up on.

    The dialer sees a released machine, but the person's tally of AMD hang-ups counts every one.
    """
    cfg = ds.apply_overrides(ds.load_config("experiments/configs/screening_campaign.toml"), {
        "campaign.n_numbers": 300, "campaign.n_shifts": 2, "agents.n_agents": 3,
        "population.strategy_mix": {"silent_answer": 1.0}, "amd.undecided_action": "connect_at_deadline"})
    result = ds.run(cfg, 2)
    rec = result.records
    fp = rec[(rec["disposition"] == "amd_false_positive") & rec["answer_kind"].isin(HUMAN_KINDS)]
    assert fp["agent_connect_at_s"].notna().sum() > 0
    assert result.numbers["amd_hangups"].sum() == len(fp)
