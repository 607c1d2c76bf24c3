"""The abandonment breakdown: its parts add up, the summary and `compliance` agree, and the CLI reports it.

Hand-built records put one call in each part, so every count is known exactly.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dialer_sim as ds
from dialer_sim.cli import main
from dialer_sim.compliance import REGIMES, abandonment_breakdown, compliance_rates, read_records
from dialer_sim.records._cdr import CallRecord, RecordSink, records_to_frame

NAN = float("nan")
PARTS = ("dialer_drops", "amd_false_positives", "late_connects", "callee_hangups")


def call(dial_at_s, kind="human", *, speech=0.3, greet=1.0, amd="", amd_at=NAN, connect=NAN, end=60.0,
         ended_by="agent", outcome="answered"):  # fmt: skip
    """One record; ``speech``, ``greet``, ``amd_at``, ``connect`` and ``end`` are seconds after the answer."""
    a = dial_at_s + 5.0
    answered = outcome == "answered"
    return CallRecord(
        campaign_id="c1", day=int(dial_at_s // 86400), number_id=int(dial_at_s), attempt=1, caller_id="0800",
        dial_at_s=dial_at_s, network_outcome=outcome, ring_s=5.0, answer_kind=kind if answered else "",
        speech_start_at_s=a + speech if answered else NAN, greeting_end_at_s=a + greet if answered else NAN,
        amd_label=amd, amd_decided_at_s=a + amd_at, agent_id=3 if np.isfinite(connect) else -1,
        agent_connect_at_s=a + connect, end_at_s=a + end if answered else a, ended_by=ended_by if answered else "dialer",
        disposition="human_to_agent",
    )  # fmt: skip


def one_of_each(day: int = 0, *, amd: bool = True) -> list[CallRecord]:
    """One call in each part under Ofcom's 2 s from speech start (deadline 2.3 s after the answer)."""
    t = day * 86_400.0 + 36_000.0
    label = "human" if amd else ""
    return [
        call(t + 10, amd=label, amd_at=0.9, connect=1.0),  # given an agent in time: L
        call(t + 20, amd=label, amd_at=0.9, end=2.3, ended_by="dialer"),  # dropped for want of an agent
        call(t + 30, amd="machine" if amd else "", amd_at=2.0, end=2.0, ended_by="dialer"),  # AMD false positive
        call(t + 40, amd=label, amd_at=3.0, connect=3.5),  # agent after the deadline
        call(t + 50, amd=label, amd_at=0.9, end=4.0, ended_by="callee"),  # hung up in dead air after it
        call(t + 60, amd=label, amd_at=0.9, end=1.5, ended_by="callee"),  # hung up within the window
        call(t + 70, "machine_beep", speech=0.4, greet=6.0, amd="machine" if amd else "", amd_at=2.5, end=2.5,
             ended_by="dialer"),  # fmt: skip
        call(t + 80, outcome="no_answer"),
    ]


def parts_sum(b: dict) -> float:
    return sum(b[f"n_{p}"] for p in PARTS)


def test_ofcom_breakdown_counts_each_part_once_and_they_add_up():
    b = abandonment_breakdown(records_to_frame(one_of_each()), regime="ofcom2010")
    assert b["clock"] == "2 s from speech start"
    assert [b[f"n_{p}"] for p in PARTS] == [1.0, 1.0, 1.0, 1.0]
    # L = 1 in time, D = 3 (drop, late, dead-air hang-up), F = 1: 4 of L + D + F = 5.
    assert (b["n_abandoned"], b["n_live_answers"]) == (4.0, 5.0)
    assert parts_sum(b) == b["n_abandoned"]
    assert b["rate"] == pytest.approx(0.8)
    assert sum(b[f"rate_{p}"] for p in PARTS) == pytest.approx(b["rate"])
    assert b["ci95_low"] < b["rate"] < b["ci95_high"]
    # The dialer's own drops: the one live answer it dropped, of six live answers.
    assert (b["n_own_drops"], b["n_all_live_answers"]) == (1.0, 6.0)
    assert b["dialer_drop_rate"] == pytest.approx(1 / 6)
    assert b["dialer_drop_ci95_low"] < 1 / 6 < b["dialer_drop_ci95_high"]
    assert b["breached"] is True
    assert b["computable"] is True


def test_ftc_breakdown_uses_the_greeting_end_clock():
    """Deadline 3.0 s after the answer: the same four calls abandoned, of the six live answers."""
    b = abandonment_breakdown(records_to_frame(one_of_each()), regime="ftc")
    assert b["clock"] == "2 s from greeting end"
    assert [b[f"n_{p}"] for p in PARTS] == [1.0, 1.0, 1.0, 1.0]
    assert (b["n_abandoned"], b["n_live_answers"]) == (4.0, 6.0)


def test_ofcom_machine_deduction_without_amd_scales_every_part():
    """No AMD: D′ = D·(1 − AM/(AM + L)); one machine and one person given an agent halve D."""
    rows = [r for r in one_of_each(amd=False) if r.answer_kind != "machine_beep"]
    rows.append(call(36_500.0, "machine_beep", speech=0.4, greet=6.0, connect=1.0, end=9.0))
    b = abandonment_breakdown(records_to_frame(rows), regime="ofcom2010")
    # D = drop, no-AMD "false positive" row (a dialer drop now), late, dead-air hang-up = 4.
    assert b["n_amd_false_positives"] == 0.0
    assert b["n_abandoned"] == pytest.approx(4 * 0.5)
    assert parts_sum(b) == pytest.approx(b["n_abandoned"])
    assert b["n_dialer_drops"] == pytest.approx(1.0)
    assert b["n_late_connects"] == pytest.approx(0.5)
    assert "D′ = D·(1 − AM/(AM + L))" in b["adjustment"]


@pytest.mark.parametrize("regime", sorted(REGIMES))
def test_parts_add_up_on_simulated_records_under_every_regime(regime, short_run):
    b = abandonment_breakdown(short_run.records, regime=regime)
    assert b["n_abandoned"] > 0
    assert parts_sum(b) == pytest.approx(b["n_abandoned"], abs=1e-9)
    row = compliance_rates(short_run.records, regime, window="campaign").iloc[0]
    assert (row["numerator"], row["denominator"]) == (b["n_abandoned"], b["n_live_answers"])


@pytest.fixture(scope="module")
def short_run():
    cfg = ds.apply_overrides(ds.load_config("experiments/configs/predictive_campaign.toml"),
                             {"campaign.shift_length_s": 1800.0})
    return ds.run(cfg, 5)


def test_agent_id_is_a_nullable_integer(short_run, tmp_path):
    assert short_run.records["agent_id"].dtype == "Int64"
    assert short_run.records["agent_id"].isna().any()
    assert short_run.records["agent_id"].notna().any()
    path = tmp_path / "r.parquet"
    sink = RecordSink(path)
    for rec in one_of_each():
        sink.append_record(rec)
    sink.close()
    field = pq.read_schema(path).field("agent_id")
    assert pa.types.is_integer(field.type)
    assert field.nullable
    assert pq.read_table(path)["agent_id"].null_count == 6
    assert read_records(path)["agent_id"].dtype == "Int64"
    csv = tmp_path / "r.csv"
    records_to_frame(one_of_each()).to_csv(csv, index=False)
    assert read_records(csv)["agent_id"].dtype == "Int64"
    assert "3" in csv.read_text().splitlines()[1]  # written as 3, not 3.0


def _write(path, rows, start_date=None):
    sink = RecordSink(path, start_date=start_date)
    for rec in rows:
        sink.append_record(rec)
    sink.close()
    return path


def test_regime_all_writes_one_object_per_regime_and_window(tmp_path, capsys):
    records = _write(tmp_path / "r.parquet", one_of_each(0) + one_of_each(1), start_date="2026-01-01")
    out = tmp_path / "all.json"
    assert main(["compliance", str(records), "--regime", "all", "--json", str(out), "--report",
                 str(tmp_path / "rep")]) == 0  # fmt: skip
    rows = json.loads(out.read_text())
    # Day windows for ofcom2010, vicidial and genesys; one 30-day period (ftc) and one month (crtc).
    assert sorted((r["regime"], r["window_start_s"]) for r in rows) == sorted(
        [(g, d * 86_400.0) for g in ("ofcom2010", "vicidial", "genesys") for d in (0, 1)]
        + [("ftc", 0.0), ("crtc", 0.0)]
    )
    for r in rows:
        assert {"regime", "campaign_id", "window_start_s", "window_end_s", "numerator", "denominator", "rate",
                "ci95_low", "ci95_high", "limit", "breached", "computable", "clock"} <= set(r)  # fmt: skip
        assert sum(r[f"n_{p}"] for p in PARTS) == pytest.approx(r["numerator"])
    ofcom = [r for r in rows if r["regime"] == "ofcom2010"]
    assert all(r["numerator"] == 4.0 and r["denominator"] == 5.0 for r in ofcom)
    printed = capsys.readouterr().out
    assert all(name in printed for name in REGIMES)
    md = (tmp_path / "rep" / "compliance.md").read_text()
    assert all(f"| {name} |" in md for name in REGIMES)


def test_check_exits_1_on_a_breach_0_within_limits_and_2_on_bad_input(tmp_path):
    breach = _write(tmp_path / "breach.parquet", one_of_each())
    fine = _write(tmp_path / "fine.parquet", [call(36_000.0 + 10 * i, amd="human", amd_at=0.9, connect=1.0)
                                               for i in range(50)])  # fmt: skip
    assert main(["compliance", str(breach), "--regime", "ofcom2010", "--check"]) == 1
    assert main(["compliance", str(breach), "--regime", "ofcom2010"]) == 0  # without --check: a report only
    assert main(["compliance", str(fine), "--regime", "all", "--check"]) == 0
    assert main(["compliance", str(breach), "--regime", "all", "--check"]) == 1
    assert main(["compliance", str(tmp_path / "missing.parquet"), "--regime", "ftc", "--check"]) == 2
    assert main(["compliance", str(fine), "--regime", "all", "--limit", "0.05", "--check"]) == 2


def test_crtc_works_on_simulated_records_without_start_date(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text(open("experiments/configs/predictive_campaign.toml").read())
    assert main(["run", str(cfg), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    out = tmp_path / "crtc.json"
    assert main(["compliance", str(tmp_path / "run" / "records.parquet"), "--regime", "crtc",
                 "--json", str(out)]) == 0  # fmt: skip
    (row,) = json.loads(out.read_text())
    assert row["computable"] is True
    # January 2026 (the default campaign.start_date, a Monday) starts four days before day 0.
    assert (row["window_start_s"], row["window_end_s"]) == (-4 * 86_400.0, 27 * 86_400.0)


def test_run_summary_names_both_rates_and_equals_compliance(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    text = open("experiments/configs/predictive_campaign.toml").read()
    cfg.write_text(text)
    assert main(["run", str(cfg), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    err = capsys.readouterr().err
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    ab = summary["abandonment"]
    assert ab["regime"] == "ofcom2010"
    assert "proportion" in ab["unit"]
    assert summary["amd_source"].startswith("parametric fallback")
    assert "dialer's own drops" in err
    assert "Ofcom 2 s from speech start" in err
    assert "late connects" in err
    out = tmp_path / "o.json"
    assert main(["compliance", str(tmp_path / "run" / "records.parquet"), "--regime", "ofcom2010",
                 "--json", str(out)]) == 0  # fmt: skip
    (row,) = json.loads(out.read_text())  # one day: the day window is the whole campaign
    b = ab["ofcom2010"]
    assert (b["n_abandoned"], b["n_live_answers"], b["rate"]) == (row["numerator"], row["denominator"], row["rate"])
    assert all(b[f"n_{p}"] == row[f"n_{p}"] for p in PARTS)
    assert ab["dialer_drops"]["rate"] == row["dialer_drop_rate"] == summary["abandon_rate_live"]


def test_compliance_help_prints_single_percent_signs(capsys):
    with pytest.raises(SystemExit):
        main(["compliance", "--help"])
    text = capsys.readouterr().out
    assert "95 %" in text
    assert "%%" not in text


@pytest.mark.parametrize("regime", ["ofcom2010", "ftc"])
def test_a_person_released_by_a_late_verdict_is_one_false_positive_not_also_a_late_connect(regime):
    """Regression: under connect-at-deadline a person connected at the deadline and then hung up on by
    a late machine verdict is an AMD false positive only; a machine released by a late `notsure`
    (``amd.notsure_action = "hangup"``) is an AMD hang-up, not a drop or a late connect."""
    t = 36_000.0
    records = records_to_frame([
        call(t + 10, amd="machine", amd_at=2.6, connect=2.3, end=2.6, ended_by="dialer"),  # FP after connect
        call(t + 20, amd="human", amd_at=0.9, connect=1.0),  # in time
        call(t + 30, "machine_beep", speech=0.4, greet=6.0, amd="notsure", amd_at=2.8, connect=2.4, end=2.8,
             ended_by="dialer"),  # fmt: skip
    ])
    b = abandonment_breakdown(records, regime=regime)
    assert b["n_late_connects"] == 0
    assert b["n_dialer_drops"] == 0
    assert b["n_amd_false_positives"] > 0
    assert parts_sum(b) == pytest.approx(b["n_abandoned"])


@pytest.mark.parametrize("regime", sorted(REGIMES))
@pytest.mark.parametrize("amd", [True, False])
def test_the_vectorised_rows_equal_one_breakdown_per_row(regime, amd):
    """breakdown_rows (the run summary's per-day figures in one pass) gives each day what breakdown_from_totals does."""
    from dialer_sim.compliance._breakdown import breakdown_from_totals, breakdown_rows, breakdown_totals

    # Day 1 has no live answer, so it is not computable (None); the others hold one call of each part.
    rows = one_of_each(0, amd=amd) + [call(86400.0 + 9 * 3600, "machine_beep", end=20.0)] + one_of_each(2, amd=amd)
    totals = breakdown_totals(records_to_frame(rows), regime=regime, threshold_s=None, by="day")
    used = bool(totals["n_amd_labelled"].sum() > 0) if "n_amd_labelled" in totals else None
    vectorised = breakdown_rows(totals, regime=regime, amd_used=used)
    one_by_one = [breakdown_from_totals(row, regime=regime, amd_used=used) for _, row in totals.iterrows()]
    assert len(vectorised) == 3
    for i, expected in enumerate(one_by_one):
        got = {k: (None if isinstance(v, float) and v != v else v) for k, v in vectorised.iloc[i].items()
               if k in expected and k not in ("threshold_s", "unit")}
        assert got == {k: expected[k] for k in got}
