"""VICIdial ``vicidial_log`` import and the ``dialer-sim compliance`` command (issue 5)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from dialer_sim.cli import main
from dialer_sim.compliance import compliance_rates, read_records
from dialer_sim.errors import RecordsError

SAMPLE = Path(__file__).parent / "data" / "vicidial_log_sample.csv"
# Default human-answered statuses, docs/compliance.md (independent of the package's table).
HUMAN_ANSWERED = set(
    "DROP XDROP CALLBK CBHOLD DEC DNC SALE NI NP XFER RQXFER TIMEOT AFTHRS NANQUE IQNANQ PDROP IVRXFR SVYCLM "
    "MLINAT MAXCAL LRERR QCFAIL".split()
)


def sample_rows() -> list[dict]:
    with SAMPLE.open(newline="") as f:
        return list(csv.DictReader(f))


def naive_counts() -> dict:
    """Drops, answers, L and AM per (campaign, calendar date), counted directly from the CSV."""
    counts: dict = {}
    for row in sample_rows():
        key = (row["campaign_id"], row["call_date"][:10])
        c = counts.setdefault(key, Counter())
        agent = row["user"] not in ("VDAD", "")
        c["drops"] += row["status"] in ("DROP", "XDROP")
        c["answers"] += row["status"] in HUMAN_ANSWERED
        c["L"] += row["status"] in HUMAN_ANSWERED and agent
        c["AM"] += row["status"] in ("A", "AM", "AL") and agent
    return counts


def write_variant(tmp_path: Path, edit, name: str = "log.csv") -> Path:
    """The first 6 sample rows, with ``edit(rows)`` applied, written as CSV."""
    rows = sample_rows()[:6]
    fields = list(rows[0])
    rows, fields = edit(rows, fields) or (rows, fields)
    path = tmp_path / name
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_sample_drop_rate_matches_a_direct_count():
    """VICIdial's drop % per campaign and day equals DROP+XDROP over human-answered rows."""
    records = read_records(SAMPLE, format="vicidial")
    out = compliance_rates(records, "vicidial")
    expected = naive_counts()
    day0 = records.attrs["day0_date"]
    assert day0 == dt.date(2024, 3, 4)
    assert len(out) == len(expected)
    for row in out.itertuples():
        date = (day0 + dt.timedelta(days=int(row.window_start_s // 86400))).isoformat()
        c = expected[(row.campaign_id, date)]
        assert (row.numerator, row.denominator) == (c["drops"], c["answers"])


def test_sample_uk_option_matches_direct_formula():
    """UK option: D′ = round(D − D·AM/(AM + L), 3), rate D′ / (L + D′)."""
    out = compliance_rates(read_records(SAMPLE, format="vicidial"), "vicidial", uk=True)
    expected = naive_counts()
    for row in out.itertuples():
        date = (dt.date(2024, 3, 4) + dt.timedelta(days=int(row.window_start_s // 86400))).isoformat()
        c = expected[(row.campaign_id, date)]
        d_adj = round(c["drops"] - c["drops"] * c["AM"] / (c["AM"] + c["L"]), 3)
        assert row.rate == pytest.approx(d_adj / (c["L"] + d_adj))


def test_sample_import_times_and_unrecorded_columns():
    """Late-night call stays on its day; in-progress call has no end; unrecorded times are NaN."""
    records = read_records(SAMPLE, format="vicidial")
    late = records[records["vicidial_uniqueid"].str.endswith(".10186")].iloc[0]
    assert late["dial_at_s"] == 86400 - 2
    assert late["end_at_s"] == 86400 - 2 + 95
    incall = records[records["vicidial_status"] == "INCALL"].iloc[0]
    assert np.isnan(incall["end_at_s"])
    assert records["agent_connect_at_s"].isna().all()
    assert "greeting_end_at_s" in records.attrs["unrecorded_columns"]
    assert set(records.loc[records["vicidial_status"] == "AA", "disposition"]) == {"machine_hangup"}


@pytest.mark.parametrize("regime", ["ftc", "ofcom2010", "crtc", "genesys"])
def test_time_based_regimes_are_not_computable_from_vicidial_logs(regime):
    """No greeting, speech or connect times in vicidial_log: every window says so, no number."""
    out = compliance_rates(read_records(SAMPLE, format="vicidial"), regime, start_date=dt.date(2024, 3, 4))
    assert not out["computable"].any()
    assert out["rate"].isna().all()
    assert out["reason"].str.contains("VICIdial's vicidial_log does not record").all()
    assert out["reason"].str.contains("agent_connect_at_s").all()


def _set(index, field, value):
    def edit(rows, fields):
        rows[index][field] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda rows, fields: (rows, [f for f in fields if f != "status"]),
            r"line 1: missing column\(s\) status",
        ),
        (_set(2, "call_date", "2024-03-04 25:61:00"), r"line 4: unparseable call_date '2024-03-04 25:61:00'"),
        (_set(3, "length_in_sec", "-12"), r"line 5: negative duration: length_in_sec = -12"),
        (_set(1, "end_epoch", "1000"), r"line 3: negative duration: end_epoch 1000 < start_epoch"),
        (_set(4, "status", "ZZTOP"), r"line 6: unknown status code 'ZZTOP'"),
        (
            _set(5, "uniqueid", "1709542991.10001"),
            r"line 7: duplicate uniqueid '1709542991.10001' \(first on line 2\)",
        ),
        (_set(0, "lead_id", "abc"), r"line 2: lead_id must be an integer"),
    ],
)
def test_bad_vicidial_rows_are_reported_with_their_line(tmp_path, edit, match):
    """Each kind of bad row stops the import with its line number."""
    path = write_variant(tmp_path, edit)
    with pytest.raises(RecordsError, match=match):
        read_records(path, format="vicidial")


def test_empty_and_header_only_files(tmp_path):
    """An empty file and a header without rows both raise clear errors."""
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(RecordsError, match="is empty"):
        read_records(empty, format="vicidial")
    header = write_variant(tmp_path, lambda rows, fields: ([], fields), name="header.csv")
    with pytest.raises(RecordsError, match="has a header but no rows"):
        read_records(header, format="vicidial")


def test_skip_bad_rows_counts_them_and_campaign_statuses_can_be_mapped(tmp_path):
    """--skip-bad-rows keeps the good rows; a mapped campaign status is no longer bad."""

    def edit(rows, fields):
        rows[1]["length_in_sec"] = "-3"
        rows[2]["status"] = "INTRST"

    path = write_variant(tmp_path, edit)
    records = read_records(path, format="vicidial", skip_bad_rows=True)
    assert len(records) == 4
    assert records.attrs["n_bad_rows"] == 2
    assert records.attrs["bad_rows"][0].startswith("line 3: negative duration")
    mapped = read_records(
        path, format="vicidial", skip_bad_rows=True, extra_statuses={"INTRST": "human_agent"}
    )
    assert mapped.attrs["n_bad_rows"] == 1
    assert set(mapped.loc[mapped["vicidial_status"] == "INTRST", "disposition"]) == {"human_to_agent"}


def test_cli_prints_rates_and_writes_contract_json(tmp_path, capsys):
    """The command prints one line per window and writes the documented JSON."""
    out_json = tmp_path / "rates.json"
    argv = ["compliance", str(SAMPLE), "--format", "vicidial", "--regime", "vicidial", "--json", str(out_json)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "SALESUK" in printed
    assert "BREACH" in printed
    rows = json.loads(out_json.read_text())
    assert len(rows) == 3
    assert {r["regime"] for r in rows} == {"vicidial"}
    assert all(r["computable"] for r in rows)
    # No overwrite without --force.
    assert main(argv) == 2
    assert "already exists" in capsys.readouterr().err


def test_cli_report_and_not_computable_reason(tmp_path, capsys):
    """--report writes the page, chart and table; non-computable windows carry their reason."""
    report = tmp_path / "report"
    args = ["compliance", str(SAMPLE), "--format", "vicidial", "--regime", "ftc", "--report", str(report)]
    assert main([*args, "--json", str(tmp_path / "ftc.json")]) == 0
    assert "not computable" in capsys.readouterr().out
    assert sorted(p.name for p in report.iterdir()) == ["compliance.csv", "compliance.md", "compliance.png"]
    assert "does not record" in (report / "compliance.md").read_text()
    rows = json.loads((tmp_path / "ftc.json").read_text())
    assert all(r["rate"] is None and "reason" in r for r in rows)
    assert main(args) == 2
    assert main([*args, "--force"]) == 0


def test_cli_bad_file_is_one_line_error(tmp_path, capsys):
    """A bad row gives exit status 2 and one line on stderr; --skip-bad-rows reports the count."""
    path = write_variant(tmp_path, _set(3, "length_in_sec", "-12"))
    assert main(["compliance", str(path), "--format", "vicidial", "--regime", "vicidial"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "line 5: negative duration" in err
    assert (
        main(["compliance", str(path), "--format", "vicidial", "--regime", "vicidial", "--skip-bad-rows"])
        == 0
    )
    assert "Skipped 1 bad rows" in capsys.readouterr().out
