"""Call-record files that once gave tracebacks, silent truncation or double counts (docs/compliance.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import dialer_sim as ds
from dialer_sim.cli import main

DATA = Path(__file__).parent / "data"
SAMPLE = (DATA / "vicidial_log_sample.csv").read_text(encoding="utf-8").splitlines()


def _log(tmp_path: Path, edit) -> Path:
    lines = list(SAMPLE)
    edit(lines)
    path = tmp_path / "vicidial_log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cli(capsys, *argv) -> tuple[int, str, str]:
    status = main(["compliance", *map(str, argv)])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err
    return status, cap.out, cap.err.strip()


def _one_line(err: str, pattern: str) -> None:
    assert len(err.splitlines()) == 1, err
    assert re.search(pattern, err), err


def _zone(lines: list[str]) -> None:
    lines[3] = re.sub(r",(2024-\d\d-\d\d) (\d\d:\d\d:\d\d),", r",\1T\2+01:00,", lines[3], count=1)


def test_a_call_date_with_a_zone_offset_is_one_line_naming_row_and_field(tmp_path, capsys):
    """Regression (issue 14, failure 5): a pandas 'Mixed timezones' traceback."""
    status, _, err = _cli(capsys, _log(tmp_path, _zone), "--format", "vicidial", "--regime", "vicidial")
    assert status == 2
    _one_line(err, r"line 4: call_date must be the server's local time with no time-zone offset .*"
                   r"got '2024-\d\d-\d\dT\d\d:\d\d:\d\d\+01:00'; pass --skip-bad-rows")


def test_a_zoned_call_date_is_skipped_and_counted_with_skip_bad_rows(tmp_path, capsys):
    status, out, _ = _cli(capsys, _log(tmp_path, _zone), "--format", "vicidial", "--regime", "vicidial",
                          "--skip-bad-rows")
    assert status == 0
    assert "Skipped 1 bad rows; first: line 4: call_date must be the server's local time" in out
    frame = ds.read_records(_log(tmp_path, _zone), format="vicidial", skip_bad_rows=True)
    assert frame.attrs["n_bad_rows"] == 1
    assert 4 not in set(frame["source_line"])


def test_every_row_zoned_is_refused_too(tmp_path):
    """Consistent semantics: an offset is never mixed with, or converted to, the server's wall clock."""

    def all_zoned(lines):
        for i in range(1, len(lines)):
            lines[i] = re.sub(r",(2024-\d\d-\d\d \d\d:\d\d:\d\d),", r",\1Z,", lines[i], count=1)

    with pytest.raises(ds.RecordsError, match=r"line 2: call_date must be .* got '2024-.*Z'"):
        ds.read_records(_log(tmp_path, all_zoned), format="vicidial")


@pytest.mark.parametrize("lead", ["1.5", "1e30", "-3", "12345678901234567890", "0x10"])
def test_a_non_integer_lead_id_is_an_error(tmp_path, lead):
    """Regression (issue 14, failure 5): 1.5 was truncated and 1e30 overflowed, silently."""

    def edit(lines):
        cells = lines[2].split(",")
        cells[1] = lead
        lines[2] = ",".join(cells)

    with pytest.raises(ds.RecordsError, match=rf"line 3: lead_id must be an integer in \[0, 10\^18\); got '{re.escape(lead)}'"):
        ds.read_records(_log(tmp_path, edit), format="vicidial")


def test_a_huge_called_count_is_an_error_not_an_overflow(tmp_path):
    def edit(lines):
        lines[2] = lines[2].rsplit(",", 1)[0] + ",1e30"

    with pytest.raises(ds.RecordsError, match=r"line 3: called_count must be an integer in \[0, 999999\] or empty"):
        ds.read_records(_log(tmp_path, edit), format="vicidial")


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    cfg = ds.config_from_dict({"campaign": {"n_numbers": 300, "shift_length_s": 1800.0}, "agents": {"n_agents": 3}})
    frame = ds.run(cfg, seed=3).records
    path = tmp_path_factory.mktemp("cdr") / "records.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_duplicate_cdr_rows_are_refused(records, tmp_path, capsys):
    """Regression (issue 14, failure 6): duplicated rows were counted twice without a word."""
    path, frame = records
    dup = tmp_path / "dup.csv"
    pd.concat([frame, frame.iloc[[4, 9]]]).to_csv(dup, index=False)
    status, _, err = _cli(capsys, dup, "--regime", "ofcom2010")
    assert status == 2
    n = len(frame)
    _one_line(err, rf"line {n + 2}: duplicate of line 6 \(every column equal\) \(and 1 more duplicate rows\); "
                   r".*pass --skip-bad-rows")


def test_duplicate_cdr_rows_are_skipped_and_counted_with_skip_bad_rows(records, tmp_path, capsys):
    path, frame = records
    dup = tmp_path / "dup.csv"
    pd.concat([frame, frame]).to_csv(dup, index=False)
    status, out, _ = _cli(capsys, dup, "--regime", "ofcom2010", "--skip-bad-rows")
    assert status == 0
    assert f"Skipped {len(frame)} bad rows; first: line {len(frame) + 2}: duplicate of line 2" in out
    once = ds.compliance_rates(ds.read_records(path), "ofcom2010")
    twice = ds.compliance_rates(ds.read_records(dup, skip_bad_rows=True), "ofcom2010")
    assert twice["numerator"].tolist() == once["numerator"].tolist()
    assert twice["denominator"].tolist() == once["denominator"].tolist()


def test_a_timestamp_dial_at_s_in_parquet_is_reported_against_dial_at_s(records, tmp_path, capsys):
    """Regression (issue 14, failure 7): the error named end_at_s."""
    _, frame = records
    bad = frame.copy()
    bad["dial_at_s"] = pd.to_datetime(bad["dial_at_s"], unit="s")
    path = tmp_path / "records.parquet"
    bad.to_parquet(path)
    status, _, err = _cli(capsys, path, "--regime", "ofcom2010")
    assert status == 2
    _one_line(err, r"`dial_at_s` must be a column of numbers \(seconds or counts\); got a column of type datetime64")


def test_a_non_utf8_byte_is_reported_by_line(records, tmp_path, capsys):
    """Regression (issue 14, failure 7): 'byte 3' instead of line 12."""
    path, _ = records
    lines = path.read_bytes().split(b"\n")
    lines[11] = lines[11][:7] + b"\xe9" + lines[11][7:]
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"\n".join(lines))
    status, _, err = _cli(capsys, bad, "--regime", "ofcom2010")
    assert status == 2
    _one_line(err, r"must be UTF-8 text; line 12, column 8 holds byte 0xe9")


def test_a_non_utf8_byte_past_the_first_chunk_is_found_by_line(tmp_path):
    from dialer_sim._inputs import non_utf8_position

    path = tmp_path / "big.csv"
    row = "é,ü,ok\n".encode()
    n = (3 << 20) // len(row)
    path.write_bytes(row * n + b"x\xff\n")
    assert non_utf8_position(path) == (n + 1, 2, 0xFF)
    path.write_bytes(row * n)
    assert non_utf8_position(path) is None


def test_json_under_a_file_is_a_clear_message(records, tmp_path, capsys):
    """Regression (issue 14, failure 7): `--json afile/x.json` said 'File exists'."""
    path, _ = records
    afile = tmp_path / "afile"
    afile.write_text("not a folder\n", encoding="utf-8")
    status, _, err = _cli(capsys, path, "--regime", "ofcom2010", "--json", afile / "x.json")
    assert status == 2
    _one_line(err, rf"--json '{re.escape(str(afile / 'x.json'))}' must be under a folder; '{re.escape(str(afile))}' is a file")
    assert afile.read_text(encoding="utf-8") == "not a folder\n"


@pytest.mark.parametrize(("column", "value"), [("agent_id", "-inf"), ("agent_id", "1e30"), ("attempt", "inf")])
def test_an_infinite_or_huge_integer_cell_is_one_line(records, tmp_path, capsys, column, value):
    """Regression (found by the fuzz suite): an infinite or huge value in an integer CDR column crashed
    the nullable-integer conversion instead of being named as a bad cell."""
    _, frame = records
    bad = frame.astype({column: object})
    bad.loc[1, column] = value
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    status, _, err = _cli(capsys, path, "--regime", "ofcom2010")
    assert status == 2
    _one_line(err, rf"line 3: `{column}` must be an integer")
