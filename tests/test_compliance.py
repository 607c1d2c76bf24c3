"""Regimes of dialer_sim.compliance on hand-built records with known answers (issue 5)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from dialer_sim.compliance import AmdAudit, binomial_interval, compliance_json_rows, compliance_rates
from dialer_sim.compliance._report import PART_JSON_KEYS
from dialer_sim.errors import ConfigError, RecordsError
from dialer_sim.records._cdr import CallRecord, records_to_frame

NAN = float("nan")


def call(dial_at_s, kind="human", *, ring_s=5.0, speech=0.3, greet=1.0, amd="", amd_at=NAN, connect=NAN,
         end=60.0, ended_by="agent", outcome="answered", campaign="c1"):  # fmt: skip
    """One record; ``speech``, ``greet``, ``amd_at``, ``connect`` and ``end`` are seconds after the answer."""
    answered = outcome == "answered"
    a = dial_at_s + ring_s
    return CallRecord(
        campaign_id=campaign, day=int(dial_at_s // 86400), number_id=int(dial_at_s), attempt=1, caller_id="0800",
        dial_at_s=dial_at_s, network_outcome=outcome, ring_s=ring_s, answer_kind=kind if answered else "",
        speech_start_at_s=a + speech if answered else NAN, greeting_end_at_s=a + greet if answered else NAN,
        amd_label=amd, amd_decided_at_s=a + amd_at, agent_id=0 if np.isfinite(connect) else -1,
        agent_connect_at_s=a + connect, end_at_s=a + end if answered else dial_at_s + ring_s,
        ended_by=ended_by if answered else "dialer", disposition="human_to_agent",
    )  # fmt: skip


def scenario() -> pd.DataFrame:
    """Ten calls on day 0 exercising every rule (expected values in each test)."""
    rows = [
        call(1000, amd="human", amd_at=1.5, connect=2.2),  # 1 in time for FTC and Ofcom, late for CRTC
        call(2000, amd="human", amd_at=1.5, connect=3.2),  # 2 late for FTC (greeting end 1.0 + 2)
        call(3000, "human_long_greeting", speech=0.5, greet=4.0, amd="human", amd_at=1.5, connect=5.5),  # 3
        call(
            4000, "human_silent", speech=NAN, greet=NAN, amd="notsure", amd_at=2.5, connect=2.5
        ),  # 4 never speaks
        call(5000, end=1.5, ended_by="callee"),  # 5 hangs up before any window elapses
        call(6000, amd="machine", amd_at=2.0, end=2.0, ended_by="dialer"),  # 6 AMD false positive
        call(
            7000, "machine_beep", speech=0.4, greet=6.0, amd="machine", amd_at=2.5, end=2.5, ended_by="dialer"
        ),
        call(
            8000, "machine_nobeep", speech=0.4, greet=5.0, amd="human", amd_at=3.0, connect=3.1, end=20.0
        ),  # 8
        call(9000, outcome="no_answer"),
        call(9500, "fax", speech=NAN, greet=NAN, end=3.0, ended_by="dialer"),
    ]
    return records_to_frame(rows)


def only(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


def test_ftc_counts_greeting_end_clock_silent_answer_and_amd_false_positive():
    """FTC: 6 live answers; #2 late, #4 silent (clock at pickup), #6 hung up by AMD; #5 left in time."""
    row = only(compliance_rates(scenario(), "ftc"))
    assert (row.numerator, row.denominator) == (3, 6)
    assert row.rate == pytest.approx(0.5)
    assert (row.window_start_s, row.window_end_s) == (0.0, 86400.0)  # campaign shorter than 30 days
    assert row.limit == 0.03
    assert row.breached
    assert row.computable


def test_crtc_clock_at_answer_and_answered_denominator():
    """CRTC: clock at answer, so #1 (2.2 s) is late too; denominator = 8 answered calls (not fax)."""
    row = only(compliance_rates(scenario(), "crtc", start_date=dt.date(2024, 3, 4)))
    assert (row.numerator, row.denominator) == (5, 8)
    assert row.limit == 0.05
    assert (row.window_start_s, row.window_end_s) == (-3 * 86400.0, 28 * 86400.0)  # March 2024


def test_ofcom_with_amd_adds_true_false_positives():
    """Ofcom + AMD: D = 4 (#2, #3, #4, machine #8), L = 1, F = 1 (#6); rate (D + F) / (L + D + F)."""
    row = only(compliance_rates(scenario(), "ofcom2010"))
    assert (row.n_drops, row.n_live_to_agent, row.n_amd_fp) == (4, 1, 1)
    assert (row.numerator, row.denominator) == (5, 6)


def test_ofcom_without_amd_deducts_machine_share():
    """Ofcom without AMD: D′ = D (1 − AM / (AM + L)) = 4 · (1 − 1/2) = 2 and no F."""
    row = only(compliance_rates(scenario(), "ofcom2010", amd_used=False))
    assert row.n_drops_adjusted == pytest.approx(2.0)
    assert (row.numerator, row.denominator) == (2, 3)


def test_ofcom_audit_estimate_replaces_truth():
    """With an audit of 100 recordings, 10 people: F = 2 machine hang-ups · 0.1 = 0.2."""
    row = only(compliance_rates(scenario(), "ofcom2010", audit=AmdAudit(n_audited=100, n_found_human=10)))
    assert row.n_amd_fp == pytest.approx(0.2)
    assert row.numerator == pytest.approx(4.2)
    assert row.denominator == pytest.approx(5.2)
    assert row.amd_fp_source.startswith("audit")
    assert row.n_amd_fp_high > row.n_amd_fp
    # Bonferroni combination: wider than the plain 95 % interval at the point estimate.
    low, high = binomial_interval(4.2, 5.2, method="wilson")
    assert row.ci95_low < low
    assert row.ci95_high > high


def test_vicidial_drop_timer_and_uk_option():
    """VICIdial: 5 human-answered (machine #8 reached an agent), one drop (#3 at 5.5 s); UK D′ = 0.75."""
    row = only(compliance_rates(scenario(), "vicidial"))
    assert (row.numerator, row.denominator) == (1, 5)
    uk = only(compliance_rates(scenario(), "vicidial", uk=True))
    assert uk.regime == "vicidial_uk"
    assert uk.numerator == pytest.approx(0.75)
    assert uk.rate == pytest.approx(0.75 / 3.75)


def test_genesys_routing_clock_and_both_denominators():
    """Genesys: routed at the AMD decision; only #3 misses 2 s; 6 reached the queue, 10 dialled."""
    queue = only(compliance_rates(scenario(), "genesys"))
    assert (queue.numerator, queue.denominator) == (1, 6)
    every = only(compliance_rates(scenario(), "genesys", denominator="all", threshold_s=1.0, limit=0.1))
    # At 1 s: #2 (1.7 s after routing), #3, and #5 who waited 1.5 s before hanging up.
    assert (every.numerator, every.denominator, every.limit) == (3, 10, 0.1)


def test_disposition_column_is_never_read():
    """Scrambling the stored disposition changes no regime's numbers."""
    base, scrambled = scenario(), scenario()
    scrambled["disposition"] = "abandoned"
    for regime in ("ofcom2010", "ftc", "vicidial", "genesys"):
        pd.testing.assert_frame_equal(compliance_rates(base, regime), compliance_rates(scrambled, regime))


def test_call_across_midnight_counts_on_the_day_it_was_dialled():
    """Dialled at 23:59:50, answered and abandoned after midnight: day 0's window."""
    frame = records_to_frame(
        [call(86390.0, ring_s=15.0, end=3.0, ended_by="dialer"), call(86400.0 + 50, connect=1.0)]
    )
    out = compliance_rates(frame, "vicidial")
    assert list(out["window_start_s"]) == [0.0, 86400.0]
    assert list(out["numerator"]) == [1, 0]
    assert list(out["denominator"]) == [1, 1]


def test_ftc_thirty_day_windows_end_with_the_campaign():
    """A 40-day campaign has windows [day 0, day 30) and [day 30, day 40)."""
    frame = records_to_frame([call(0.0 + 3600), call(39 * 86400.0 + 3600, connect=5.0)])
    out = compliance_rates(frame, "ftc")
    assert list(zip(out.window_start_s / 86400, out.window_end_s / 86400, strict=True)) == [(0, 30), (30, 40)]
    assert list(out["numerator"]) == [1, 1]


def test_windows_without_needed_information_are_not_computable():
    """Unknown answer kind or an empty denominator: NaN numbers and a reason, never a guess."""
    frame = scenario()
    frame.loc[0, "answer_kind"] = ""
    row = only(compliance_rates(frame, "ftc"))
    assert not row.computable
    assert np.isnan(row.rate)
    assert row.breached is None
    assert "1 answered calls have no answer_kind" in row.reason
    empty = records_to_frame([call(100.0, outcome="no_answer")])
    row = only(compliance_rates(empty, "ftc"))
    assert not row.computable
    assert row.reason == "no calls in the denominator"
    assert only(compliance_rates(frame, "genesys")).computable  # Genesys does not need the kind


def test_json_rows_follow_the_design_contract():
    """The contract keys, ``reason`` only when not computable, then the breakdown; NaN as None."""
    frame = pd.concat(
        [scenario(), records_to_frame([call(100.0, outcome="busy", campaign="c2")])], ignore_index=True
    )
    rows = compliance_json_rows(compliance_rates(frame, "ftc"))
    keys = ["regime", "campaign_id", "window_start_s", "window_end_s", "numerator", "denominator", "rate",
            "ci95_low", "ci95_high", "limit", "breached", "computable"]  # fmt: skip
    assert list(rows[0]) == [*keys, *PART_JSON_KEYS]
    assert list(rows[1]) == [*keys, "reason", *PART_JSON_KEYS]
    assert rows[1]["rate"] is None
    assert rows[1]["breached"] is None
    assert rows[0]["breached"] is True
    assert isinstance(rows[0]["numerator"], float)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"regime": "ofcom2016"}, "`regime` must be one of"),
        ({"regime": "ftc", "uk": True}, "applies only to regime 'vicidial'"),
        ({"regime": "ftc", "limit": 3.0}, r"`limit` must be in \[0, 1\] \(a proportion"),
        ({"regime": "crtc"}, "calendar-month windows need the date of day 0"),
        ({"regime": "ftc", "ci": "wald"}, "`ci` must be one of"),
        ({"regime": "ftc", "window": "week"}, "`window` must be one of"),
    ],
)
def test_bad_options_name_the_field(kwargs, match):
    """Each bad option raises ConfigError naming the field and value."""
    with pytest.raises(ConfigError, match=match):
        compliance_rates(scenario(), **kwargs)


def test_records_without_cdr_columns_are_rejected():
    """A frame missing call-record columns raises RecordsError."""
    with pytest.raises(RecordsError, match="missing the call-record column"):
        compliance_rates(scenario().drop(columns=["ring_s"]), "ftc")


def test_all_matches_the_api_table_in_the_docs():
    """``__all__`` lists exactly the names of docs/compliance.md's API table."""
    import re
    from pathlib import Path

    import dialer_sim.compliance as compliance

    text = (Path(__file__).parents[1] / "docs" / "compliance.md").read_text(encoding="utf-8")
    section = text.split("## API", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", section, flags=re.M)
    assert sorted(documented) == sorted(compliance.__all__)
    assert compliance.__all__ == sorted(compliance.__all__)


def test_cdr_files_round_trip_through_read_records(tmp_path):
    """Parquet and CSV call-record files give the same rates as the in-memory frame."""
    from dialer_sim.compliance import read_records

    frame = scenario()
    frame.to_parquet(tmp_path / "r.parquet")
    frame.to_csv(tmp_path / "r.csv", index=False)
    expected = compliance_rates(frame, "ofcom2010")
    for name in ("r.parquet", "r.csv"):
        got = compliance_rates(read_records(tmp_path / name), "ofcom2010")
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_bad_cdr_csv_names_line_and_field(tmp_path):
    """A missing column or a non-numeric time in a CDR CSV is reported with its line."""
    from dialer_sim.compliance import read_records

    frame = scenario().astype({"ring_s": object})
    frame.loc[2, "ring_s"] = "soon"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(RecordsError, match=r"line 4: `ring_s` must be a number; got 'soon'"):
        read_records(tmp_path / "bad.csv")
    scenario().drop(columns=["end_at_s"]).to_csv(tmp_path / "short.csv", index=False)
    with pytest.raises(RecordsError, match=r"line 1: missing call-record column\(s\) end_at_s"):
        read_records(tmp_path / "short.csv")
