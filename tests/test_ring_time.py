"""Ofcom's minimum ring time: `dialer-sim compliance` counts exactly the unanswered calls cut short by the dialer."""

from __future__ import annotations

import numpy as np
import pytest

import dialer_sim as ds
from dialer_sim.cli import main
from dialer_sim.compliance import RING_RULES, short_rings
from dialer_sim.records._cdr import CallRecord, RecordSink, records_to_frame

NAN = float("nan")


def attempt(i: int, outcome: str, ring_s: float, *, ended_by: str = "dialer", campaign: str = "c1") -> CallRecord:
    """One dial attempt at 10 h + 60 i s; answered ones reach an agent at once."""
    dial = 36_000.0 + 60.0 * i
    a = dial + ring_s
    answered = outcome == "answered"
    return CallRecord(
        campaign_id=campaign, day=0, number_id=i, attempt=1, caller_id="+49301234567", dial_at_s=dial,
        network_outcome=outcome, ring_s=ring_s, answer_kind="human" if answered else "",
        speech_start_at_s=a + 0.3 if answered else NAN, greeting_end_at_s=a + 1.0 if answered else NAN,
        amd_label="", amd_decided_at_s=NAN, agent_id=1 if answered else -1,
        agent_connect_at_s=a + 0.5 if answered else NAN, end_at_s=a + 30.0 if answered else a,
        ended_by=ended_by if answered else "dialer", disposition="human_to_agent" if answered else outcome,
    )


def mixed_records() -> list[CallRecord]:
    """7 short unanswered rings (< 15 s), 5 long ones, and short rings that do not count."""
    rows = [attempt(i, "no_answer", r) for i, r in enumerate([1.0, 2.5, 4.9, 5.0, 10.0, 14.0, 14.99])]
    rows += [attempt(10 + i, "no_answer", r) for i, r in enumerate([15.0, 15.01, 20.0, 25.0, 60.0])]
    rows += [attempt(20, "answered", 3.0, ended_by="agent"), attempt(21, "busy", 2.0),
             attempt(22, "rejected", 0.5), attempt(23, "unobtainable", 1.0)]
    return rows


def test_ring_rule_counts_exactly_the_short_unanswered_rings():
    out = short_rings(records_to_frame(mixed_records()))
    assert len(out) == 1
    r = out.iloc[0]
    assert (r["rule"], r["n_short_rings"], r["n_unanswered"], r["min_ring_s"]) == ("ofcom_min_ring", 7, 12, 15.0)
    assert r["share"] == pytest.approx(7 / 12)
    assert r["ci95_low"] < 7 / 12 < r["ci95_high"]
    assert bool(r["breached"])
    assert r["source"] == RING_RULES["ofcom_min_ring"].source
    assert short_rings(records_to_frame(mixed_records()), min_ring_s=5.0).iloc[0]["n_short_rings"] == 3


def test_ring_rule_per_campaign_and_not_computable_without_ring_times():
    rows = [attempt(i, "no_answer", 20.0, campaign="long") for i in range(3)]
    rows += [attempt(10 + i, "no_answer", 2.0, campaign="ping") for i in range(4)]
    out = short_rings(records_to_frame(rows)).set_index("campaign_id")
    assert out.loc["long", "n_short_rings"] == 0
    assert not out.loc["long", "breached"]
    assert out.loc["ping", "n_short_rings"] == 4
    assert out.loc["ping", "breached"]
    frame = records_to_frame(rows)
    frame.attrs["unrecorded_columns"] = ["ring_s"]
    assert not short_rings(frame)["computable"].any()
    with pytest.raises(ds.ConfigError, match=r"^`rule` must be one of ofcom_min_ring; got 'x'\.$"):
        short_rings(frame, "x")


def test_compliance_cli_reports_the_ring_rule_and_check_exits_1_on_short_rings(tmp_path, capsys):
    path = tmp_path / "r.parquet"
    sink = RecordSink(path)
    for rec in mixed_records():
        sink.append_record(rec)
    sink.close()
    assert main(["compliance", str(path), "--regime", "ftc", "--check"]) == 1
    out = capsys.readouterr().out
    assert "ofcom_min_ring (Ofcom: ring >= 15 s before hanging up; docs/sources.md §4.14, §7.4) c1: 7 of 12 " \
           "unanswered calls rang < 15 s" in out
    assert "BREACH" in out.splitlines()[-1]
    assert main(["compliance", str(path), "--regime", "ftc", "--check", "--ring-rule", "none"]) == 0
    assert "ofcom_min_ring" not in capsys.readouterr().out


def test_simulated_campaign_at_the_default_ring_timeout_keeps_the_rule():
    cfg = ds.config_from_dict({"campaign": {"n_numbers": 300, "n_shifts": 1, "shift_start_s": 32400,
                                            "shift_length_s": 1800}, "agents": {"n_agents": 3}})
    records = ds.run(cfg, seed=3).records
    out = short_rings(records).iloc[0]
    assert out["n_unanswered"] == int(np.sum(records["network_outcome"] == "no_answer")) > 0
    assert out["n_short_rings"] == 0
    assert not out["breached"]
