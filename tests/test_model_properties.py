"""Invariants of the model over random valid configurations (hypothesis)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dialer_sim as ds
from dialer_sim.pacing import make_policy
from dialer_sim.records import CDR_COLUMNS, DISPOSITIONS

POLICIES = {
    "progressive": {},
    "ratio": {"lines_per_agent": 2.5},
    "vicidial_adapt": {"mode": "hard_limit", "initial_dial_level": 2.0},
    "cisco_gain": {},
    "strict_max": {},
    "erlang_predictive": {},
}


@st.composite
def configs(draw):
    policy = draw(st.sampled_from(sorted(POLICIES)))
    drop_action = draw(st.sampled_from(["silent", "message"]))
    data = {
        "campaign": {"n_numbers": 400, "shift_length_s": draw(st.sampled_from([900.0, 1800.0])),
                     "max_attempts": draw(st.integers(1, 3)), "retry_gap_s": 300.0},
        "network": {"p_busy": draw(st.floats(0, 0.2)), "ring_timeout_s": draw(st.floats(15.0, 30.0))},
        "answer": {"p_pickup": draw(st.floats(0.3, 1.0))},
        "amd": {"mode": draw(st.sampled_from(["off", "parametric"])),
                "machine_action": draw(st.sampled_from(["hangup", "leave_message"])),
                "notsure_action": draw(st.sampled_from(["agent", "hangup"]))},
        "agents": {"n_agents": draw(st.integers(1, 6)),
                   "talk_time_s": {"kind": "exponential", "mean": draw(st.floats(20.0, 200.0))},
                   "wrap_up_s": draw(st.sampled_from([0.0, 5.0]))},
        "abandon": {"window_s": draw(st.floats(0.0, 5.0)),
                    "clock_start": draw(st.sampled_from(["speech_start", "greeting_end", "connect"])),
                    "drop_action": drop_action, "message_s": 6.0,
                    "hold_queue": draw(st.booleans())},
        "pacing": {"policy": policy, **POLICIES[policy]},
    }
    return ds.config_from_dict(data), draw(st.integers(0, 2**32 - 1))


def busy_intervals(records: pd.DataFrame, trace: list) -> dict[int, list[tuple[float, float]]]:
    """Agent -> [(connected_at, idle_at)], from the records and the agents' idle events."""
    idle: dict[int, list[float]] = {}
    for actor, event, t in trace:
        if actor.startswith("agent-") and event == "idle_at":
            idle.setdefault(int(actor[6:]), []).append(t)
    out: dict[int, list[tuple[float, float]]] = {}
    conn = records.dropna(subset=["agent_connect_at_s"]).sort_values("agent_connect_at_s", kind="stable")
    for agent, g in conn.groupby("agent_id"):
        ends = sorted(idle.get(int(agent), []))
        starts = g["agent_connect_at_s"].tolist()
        assert len(ends) == len(starts), f"agent {agent}: {len(starts)} connects but {len(ends)} releases"
        out[int(agent)] = list(zip(starts, ends, strict=True))
    return out


def merged(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Join back-to-back busy spans (an agent handed straight to the next waiting call is never idle)."""
    out: list[list[float]] = []
    for s, e in spans:
        if out and s <= out[-1][1] + 1e-9:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_invariants(case):
    """One disposition per dial; agents serve one call at a time; times are monotone; drops need busy agents."""
    config, seed = case
    trace: list = []
    result = ds.run(config, seed, trace=trace)
    rec = result.records
    assert list(rec.columns) == list(CDR_COLUMNS)
    # Every dial attempt ends in exactly one disposition.
    assert rec["disposition"].isin(DISPOSITIONS).all()
    assert not rec.duplicated(["number_id", "attempt"]).any()
    assert len(rec) == result.summary["n_dials"]
    assert (rec["attempt"] <= config.campaign.max_attempts).all()
    # Times are monotone within a record.
    answer = rec["dial_at_s"] + rec["ring_s"]
    chain = [rec["dial_at_s"], answer, rec["speech_start_at_s"], rec["greeting_end_at_s"]]
    for a, b in zip(chain, chain[1:], strict=False):
        assert ((a <= b + 1e-9) | a.isna() | b.isna()).all()
    for later in ("amd_decided_at_s", "agent_connect_at_s", "end_at_s"):
        assert ((answer <= rec[later] + 1e-9) | rec[later].isna()).all()
    assert ((rec["agent_connect_at_s"] <= rec["end_at_s"]) | rec["agent_connect_at_s"].isna()).all()
    # No agent ever serves two calls at once.
    intervals = busy_intervals(rec, trace)
    for spans in intervals.values():
        for (s0, e0), (s1, _) in zip(spans, spans[1:], strict=False):
            assert s0 <= e0 <= s1 + 1e-9
    # `abandoned` only when every agent was busy for the whole time the call waited.
    drops = rec[rec["disposition"] == "abandoned"]
    message_s = config.abandon.message_s if config.abandon.drop_action == "message" else 0.0
    for _, r in drops.iterrows():
        routed = r["amd_decided_at_s"] if r["amd_label"] in ("human", "notsure") else r["dial_at_s"] + r["ring_s"]
        dropped = r["end_at_s"] - message_s
        assert not config.abandon.hold_queue
        for agent in range(config.agents.n_agents):
            spans = merged(intervals.get(agent, []))
            assert any(s <= routed + 1e-9 and e >= dropped - 1e-9 for s, e in spans), (
                f"agent {agent} was idle while a call waited from {routed} to {dropped}")


class CheckedProgressive:
    """Wraps the progressive policy and checks its promise on every placement."""

    def __init__(self):
        self.inner = make_policy(ds.PacingConfig().params)
        self.update_interval_s = None
        self.placements = 0

    def lines_to_launch(self, state):
        n = self.inner.lines_to_launch(state)
        in_flight = state.n_lines_ringing + state.n_calls_in_amd + state.n_calls_waiting
        assert in_flight + n <= state.n_agents_idle
        self.placements += 1
        return n

    def on_outcome(self, now_s, disposition):
        self.inner.on_outcome(now_s, disposition)


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 8), st.integers(0, 10_000))
def test_progressive_never_has_more_lines_up_than_idle_agents(n_agents, seed):
    """Lines ringing, in AMD or waiting never exceed the idle agents, so progressive never abandons."""
    cfg = ds.config_from_dict({"agents": {"n_agents": n_agents}, "campaign": {"shift_length_s": 3600.0}})
    policy = CheckedProgressive()
    result = ds.run(cfg, seed, policy=policy)
    assert policy.placements > 0
    assert result.summary["n_abandoned"] == 0


def test_same_seed_same_records_different_seed_different():
    """Results are a pure function of (config, seed)."""
    cfg = ds.load_config("experiments/configs/predictive_campaign.toml")
    cfg = ds.apply_overrides(cfg, {"campaign.shift_length_s": 3600.0, "agents.n_agents": 10})
    a, b, c = (ds.run(cfg, s).records for s in (7, 7, 8))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert len(a) > 100


def test_common_random_numbers_across_policies():
    """The i-th dial sees the same network outcome and answer kind under two different pacing policies."""
    base = ds.config_from_dict({"campaign": {"shift_length_s": 1800.0}, "agents": {"n_agents": 5}})
    other = ds.apply_overrides(base, {"pacing.policy": "ratio", "pacing.lines_per_agent": 2.0})
    cols = ["network_outcome", "answer_kind"]

    def first_dials(cfg):
        rec = ds.run(cfg, 3).records
        rec = rec[(rec["attempt"] == 1) & (rec["number_id"] < 40)].sort_values("number_id")
        return rec[cols].reset_index(drop=True)

    a, b = first_dials(base), first_dials(other)
    assert len(a) == 40
    pd.testing.assert_frame_equal(a, b)
    assert a["network_outcome"].nunique() > 1


@pytest.mark.parametrize(("clock", "window_s", "regime"),
                         [("speech_start", 2.0, "ofcom2010"), ("greeting_end", 2.0, "ftc"),
                          ("connect", 2.0, "crtc"), ("connect", 5.0, "vicidial")])
def test_summary_abandonment_is_compliance_on_the_same_records(clock, window_s, regime):
    """Regression: the summary's regime rate and its parts are `compliance_rates` on the run's records."""
    cfg = ds.apply_overrides(ds.load_config("experiments/configs/predictive_campaign.toml"),
                             {"campaign.shift_length_s": 3600.0, "abandon.clock_start": clock,
                              "abandon.window_s": window_s})
    result = ds.run(cfg, 11)
    rates = ds.compliance_rates(result.records, regime, window="campaign", threshold_s=window_s)
    assert len(rates) == 1
    row, b = rates.iloc[0], result.abandonment[regime]
    assert result.abandonment["regime"] == regime == result.summary["abandonment_regime"]
    assert b["n_abandoned"] == row["numerator"]
    assert b["n_live_answers"] == row["denominator"]
    assert result.summary["abandon_rate_window_live"] == b["rate"] == pytest.approx(row["rate"], abs=0)
    assert (b["ci95_low"], b["ci95_high"]) == (row["ci95_low"], row["ci95_high"])
    for part in ("dialer_drops", "amd_false_positives", "late_connects", "callee_hangups"):
        assert b[f"n_{part}"] == row[f"n_{part}"]
    # The dialer's own drops are the calls it disposed of as `abandoned` (live answers it dropped).
    assert result.summary["dialer_drop_rate"] == pytest.approx(result.summary["abandon_rate_live"], abs=1e-12)
