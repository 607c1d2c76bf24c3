"""Exact event traces of hand-fed deterministic calls."""

from __future__ import annotations

import pandas as pd

import dialer_sim as ds
from dialer_sim.pacing import PacingPolicy

T0 = 9 * 3600.0  # the shift starts at 09:00


class LaunchOnce(PacingPolicy):
    """Launches ``n`` lines at the first opportunity and none after."""

    name = "launch_once"

    def __init__(self, n: int):
        self.n = n

    def lines_to_launch(self, state):
        n, self.n = self.n, 0
        return n


def deterministic_config(*, n_agents: int, talk_s: float, amd: str = "off", confusion=None) -> ds.DialerConfig:
    """Every dial is answered by a human after 5 s, who speaks at +0.5 s for 0.5 s."""
    data = {
        "campaign": {"n_numbers": 10, "max_attempts": 1, "shift_length_s": 3600.0},
        "network": {"p_busy": 0.0, "p_unobtainable": 0.0},
        "answer": {
            "p_pickup": 1.0,
            "kind_weights": {"human": 1.0},
            "human_answer_delay_s": 5.0,
            "timing": {"human": {"speech_start_s": 0.5, "greeting_s": 0.5}},
        },
        "amd": {"mode": amd, **({"confusion": confusion, "delay_after_speech_s": 1.0} if confusion else {})},
        "agents": {"n_agents": n_agents, "talk_time_s": talk_s, "wrap_up_s": 0.0},
        "abandon": {"window_s": 2.0, "clock_start": "speech_start", "drop_action": "message", "message_s": 8.0,
                    "patience_s": {"kind": "never"}},
    }
    return ds.config_from_dict(data)


def test_two_agents_four_calls_full_event_log():
    """Two agents take calls 0 and 1; calls 2 and 3 are dropped 2 s after speech starts, with a message."""
    trace = []
    ds.run(deterministic_config(n_agents=2, talk_s=100.0), 0, trace=trace, policy=LaunchOnce(4))
    assert trace == [
        ("call-0", "answered_at", T0 + 5.0),
        ("call-0", "connected_at", T0 + 5.0),
        ("call-1", "answered_at", T0 + 5.0),
        ("call-1", "connected_at", T0 + 5.0),
        ("call-2", "answered_at", T0 + 5.0),
        ("call-3", "answered_at", T0 + 5.0),
        ("call-2", "dropped_at", T0 + 7.5),
        ("call-3", "dropped_at", T0 + 7.5),
        ("call-2", "abandoned", T0 + 15.5),
        ("call-3", "abandoned", T0 + 15.5),
        ("call-0", "human_to_agent", T0 + 105.0),
        ("agent-0", "idle_at", T0 + 105.0),
        ("call-1", "human_to_agent", T0 + 105.0),
        ("agent-1", "idle_at", T0 + 105.0),
    ]


def test_waiting_call_takes_the_agent_freed_inside_the_window():
    """One agent: call 1 waits in dead air and is connected the moment call 0 ends (before its deadline)."""
    trace = []
    result = ds.run(deterministic_config(n_agents=1, talk_s=1.0), 0, trace=trace, policy=LaunchOnce(2))
    assert trace == [
        ("call-0", "answered_at", T0 + 5.0),
        ("call-0", "connected_at", T0 + 5.0),
        ("call-1", "answered_at", T0 + 5.0),
        ("call-0", "human_to_agent", T0 + 6.0),
        ("agent-0", "idle_at", T0 + 6.0),
        ("call-1", "connected_at", T0 + 6.0),
        ("call-1", "human_to_agent", T0 + 7.0),
        ("agent-0", "idle_at", T0 + 7.0),
    ]
    rec = result.records.sort_values("dial_at_s", kind="stable")
    assert rec["agent_id"].tolist() == [0, 0]
    assert rec["speech_start_at_s"].tolist() == [T0 + 5.5, T0 + 5.5]
    assert rec["greeting_end_at_s"].tolist() == [T0 + 6.0, T0 + 6.0]


def test_amd_false_positive_hangs_up_at_the_decision():
    """An AMD that calls every human a machine hangs up 1 s after speech starts; no agent is used."""
    confusion = {k: [0.0, 1.0, 0.0] for k in ds.records.ANSWER_KINDS}
    trace = []
    result = ds.run(deterministic_config(n_agents=1, talk_s=1.0, amd="parametric", confusion=confusion), 0,
                    trace=trace, policy=LaunchOnce(1))
    assert trace == [
        ("call-0", "answered_at", T0 + 5.0),
        ("call-0", "amd_decided_at", T0 + 6.5),
        ("call-0", "amd_false_positive", T0 + 6.5),
    ]
    row = result.records.iloc[0]
    assert (row["amd_label"], row["ended_by"], row["disposition"]) == ("machine", "dialer", "amd_false_positive")
    assert pd.isna(row["agent_id"])
    assert row["amd_decided_at_s"] == T0 + 6.5
