"""`dialer-sim` under bad input: one line on stderr, a non-zero exit, no traceback, earlier results intact.

Each test names the mistake a user makes (a mistyped option, a binary file where
TOML or CSV belongs, a corrupted call-record file, Ctrl-C during a ``--force``
re-run) and asserts what the command line promises (docs/architecture.md, command contracts).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from small_campaign import SMALL_CAMPAIGN  # noqa: E402

from dialer_sim.cli import main
from dialer_sim.records import records_schema

NOT_UTF8 = b"\xff\xfe[agents]\nn_agents = 3\n"


def _one_error_line(capsys, match: str) -> str:
    """stderr holds exactly one line, an error matching ``match``, and no traceback."""
    err = capsys.readouterr().err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert "error:" in lines[0]
    assert re.search(match, lines[0]), lines[0]
    return lines[0]


@pytest.fixture
def campaign(tmp_path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL_CAMPAIGN)
    return path


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["run", "{cfg}", "--out", "{out}", "--seed", "abc"], r"--seed: invalid int value: 'abc'"),
        (["run", "{cfg}"], r"--out"),
        (["sweep", "{cfg}", "--out", "{out}", "--workers", "x"], r"--workers: invalid int value: 'x'"),
        (["compliance", "{cfg}", "--regime", "nowhere"], r"--regime: invalid choice: 'nowhere'"),
        (["bench", "--json", "{out}/b.json", "--scale", "big"], r"--scale: invalid float value: 'big'"),
    ],
)
def test_usage_mistakes_are_one_line_without_the_usage_block(tmp_path, campaign, capsys, argv, match):
    argv = [a.format(cfg=campaign, out=tmp_path / "out") for a in argv]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    line = _one_error_line(capsys, match)
    assert not line.startswith("usage:")


def test_a_config_that_is_not_utf8_names_the_file_and_the_rule(tmp_path, capsys):
    bad = tmp_path / "exported.toml"
    bad.write_bytes(NOT_UTF8)
    assert main(["run", str(bad), "--out", str(tmp_path / "out")]) == 2
    _one_error_line(capsys, r"exported\.toml: not valid TOML \(must be UTF-8 text; line 1, column 1 holds byte 0xff\)")
    assert not (tmp_path / "out").exists()


def test_a_sweep_whose_base_config_is_not_utf8_is_one_line(tmp_path, capsys):
    (tmp_path / "base.toml").write_bytes(NOT_UTF8)
    sweep = tmp_path / "sweep.toml"
    sweep.write_text('replications = 2\nseed = 1\nbase = "base.toml"\n[grid]\n"agents.n_agents" = [2]\n')
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--workers", "1"]) == 2
    _one_error_line(capsys, r"base\.toml: not valid TOML \(must be UTF-8")


# ---------------------------------------------------------------------------------------------- compliance


@pytest.fixture(scope="module")
def good_records(tmp_path_factory) -> pd.DataFrame:
    """The call records of a small simulated campaign (the CDR schema, as ``run`` writes it)."""
    out = tmp_path_factory.mktemp("records")
    cfg = out / "small.toml"
    cfg.write_text(SMALL_CAMPAIGN)
    assert main(["run", str(cfg), "--out", str(out / "run"), "--quiet"]) == 0
    frame = pd.read_parquet(out / "run" / "records.parquet")
    assert (frame["network_outcome"] == "answered").sum() >= 5
    return frame


def _answered_row(frame: pd.DataFrame) -> int:
    return int(np.flatnonzero(frame["network_outcome"].to_numpy() == "answered")[0])


def _set(column, value, *, answered=False):
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.astype({column: object}) if isinstance(value, str) else frame.copy()
        frame.loc[_answered_row(frame) if answered else 0, column] = value
        return frame

    return edit


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set("disposition", "dropped"), r"line 2: `disposition` must be one of .*; got 'dropped'"),
        (_set("network_outcome", "answerd"), r"line 2: `network_outcome` must be one of .*; got 'answerd'"),
        (_set("answer_kind", "alien", answered=True), r"`answer_kind` must be one of .*; got 'alien'"),
        (_set("amd_label", "robot", answered=True), r"`amd_label` must be one of .*; got 'robot'"),
        (_set("ended_by", "nobody"), r"line 2: `ended_by` must be one of dialer, callee, agent or empty"),
        (_set("ring_s", -4.0), r"line 2: `ring_s` must be a duration >= 0 s or empty; got -4\.0"),
        (_set("end_at_s", np.inf), r"line 2: `end_at_s` must be a finite time in s; got inf"),
        (_set("end_at_s", np.nan), r"line 2: `end_at_s` must be a finite time in s; got nan"),
        (_set("day", -1), r"line 2: `day` must be an integer >= 0; got -1"),
        (_set("attempt", 0), r"line 2: `attempt` must be an integer >= 1; got 0"),
        (_set("agent_connect_at_s", 1.0, answered=True), r"`agent_connect_at_s` must be empty or a finite time"),
        (lambda f: f.iloc[:0], r"has a header but no rows"),
    ],
)
def test_corrupted_cdr_csv_is_refused_with_its_line(tmp_path, capsys, good_records, edit, match):
    path = tmp_path / "records.csv"
    edit(good_records).to_csv(path, index=False)
    assert main(["compliance", str(path), "--regime", "ofcom2010"]) == 2
    _one_error_line(capsys, match)


def test_an_empty_parquet_file_is_refused_not_reported_as_compliant(tmp_path, capsys):
    path = tmp_path / "records.parquet"
    records_schema().empty_table().to_pandas().to_parquet(path)
    assert main(["compliance", str(path), "--regime", "ftc"]) == 2
    _one_error_line(capsys, r"records '.*records\.parquet' has a header but no rows")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("content", "fmt", "match"),
    [
        (bytes(range(256)) * 4, "cdr", r"is not a readable CSV: Error tokenizing data"),
        (b"\xff\xfe" + bytes(range(256)), "cdr", r"is not a readable CSV: must be UTF-8 text; line 1, column 1 holds byte 0xff"),
        (b"\xff\xfe" + bytes(range(256)), "vicidial", r"vicidial_log .* must be UTF-8 text; line 1, column 1 holds byte 0xff"),
    ],
)
def test_binary_files_given_as_records_are_one_line(tmp_path, capsys, content, fmt, match):
    path = tmp_path / "calls.csv"
    path.write_bytes(content)
    assert main(["compliance", str(path), "--regime", "vicidial", "--format", fmt]) == 2
    _one_error_line(capsys, match)


def test_a_parquet_file_passed_as_a_vicidial_export_is_one_line(tmp_path, capsys, good_records):
    path = tmp_path / "calls.parquet"
    good_records.to_parquet(path)
    assert main(["compliance", str(path), "--regime", "vicidial", "--format", "vicidial"]) == 2
    _one_error_line(capsys, r"vicidial_log .* is not a readable CSV")


def test_intact_records_still_pass(tmp_path, capsys, good_records):
    path = tmp_path / "records.csv"
    good_records.to_csv(path, index=False)
    assert main(["compliance", str(path), "--regime", "ofcom2010"]) == 0
    assert "ofcom2010" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------- earlier results


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_an_interrupted_forced_rerun_leaves_the_earlier_results_intact(tmp_path, campaign, capsys, monkeypatch):
    """Ctrl-C during `run --force` must not finalise the partial records over the earlier ones."""
    from dialer_sim import api

    out = tmp_path / "out"
    assert main(["run", str(campaign), "--out", str(out), "--quiet"]) == 0
    before = _snapshot(out)
    finished = api.CampaignModel.run

    def run_then_interrupt(self):
        finished(self)  # every record of the new run is buffered: a flush now would replace the file
        raise KeyboardInterrupt

    monkeypatch.setattr(api.CampaignModel, "run", run_then_interrupt)
    capsys.readouterr()
    assert main(["run", str(campaign), "--out", str(out), "--seed", "7", "--force", "--quiet"]) == 130
    assert _snapshot(out) == before  # same names (no partial or staging files left) and same bytes


def test_a_forced_rerun_removes_outputs_the_new_run_does_not_make(tmp_path, campaign):
    """records.csv of an earlier --csv run would otherwise sit beside records of another seed."""
    out = tmp_path / "out"
    assert main(["run", str(campaign), "--out", str(out), "--csv", "--quiet"]) == 0
    assert (out / "records.csv").exists()
    assert main(["run", str(campaign), "--out", str(out), "--seed", "3", "--force", "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "records.parquet", "summary.json"]


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--n-calls", "1000", "--batches", "2", "--quiet"],
        ["bench", "--scale", "0.0001", "--no-sweep"],
    ],
)
def test_validate_and_bench_refuse_to_overwrite_an_earlier_json(tmp_path, capsys, argv):
    earlier = tmp_path / "earlier.json"
    earlier.write_text('{"measured": "before"}\n')
    assert main([*argv, "--json", str(earlier)]) == 2
    _one_error_line(capsys, r"--json '.*earlier\.json' already exists; .*pass --force")
    assert earlier.read_text() == '{"measured": "before"}\n'


def test_bench_checks_its_seed_before_running(tmp_path, capsys):
    assert main(["bench", "--json", str(tmp_path / "b.json"), "--scale", "0.0001", "--seed", "-1"]) == 2
    _one_error_line(capsys, r"--seed must be an integer >= 0; got -1\.")
    assert not (tmp_path / "b.json").exists()


def test_a_refused_report_names_its_option_and_writes_no_json(tmp_path, capsys, good_records):
    """--report holding an earlier report: refused up front, naming --report, before --json is written."""
    records = tmp_path / "records.csv"
    good_records.to_csv(records, index=False)
    report = tmp_path / "report"
    assert main(["compliance", str(records), "--regime", "ftc", "--report", str(report)]) == 0
    before = _snapshot(report)
    capsys.readouterr()
    argv = ["compliance", str(records), "--regime", "ftc", "--report", str(report), "--json", str(tmp_path / "r.json")]
    assert main(argv) == 2
    _one_error_line(capsys, r"--report '.*report' already holds compliance\.md, compliance\.png, compliance\.csv")
    assert not (tmp_path / "r.json").exists()
    assert _snapshot(report) == before


def test_a_fractional_integer_in_parquet_names_the_integer_rule(tmp_path, capsys, good_records):
    frame = good_records.astype({"day": float})
    frame.loc[0, "day"] = 0.5
    frame.to_parquet(tmp_path / "records.parquet")
    assert main(["compliance", str(tmp_path / "records.parquet"), "--regime", "ftc"]) == 2
    _one_error_line(capsys, r"row 0: `day` must be an integer; got 0\.5\.$")


def test_an_infinite_vicidial_call_length_is_a_bad_row(tmp_path, capsys):
    sample = pd.read_csv(Path(__file__).parent / "data" / "vicidial_log_sample.csv", dtype=str,
                         keep_default_na=False)  # fmt: skip
    sample.loc[0, "length_in_sec"] = "inf"
    sample.to_csv(tmp_path / "log.csv", index=False)
    assert main(["compliance", str(tmp_path / "log.csv"), "--format", "vicidial", "--regime", "vicidial"]) == 2
    _one_error_line(capsys, r"line 2: unparseable length_in_sec 'inf'")


def test_an_unreadable_amd_behaviour_table_in_a_config_is_one_line(tmp_path, capsys):
    (tmp_path / "behaviour.csv").write_bytes(b"\xff\xfe\x00not a table")
    config = tmp_path / "amd.toml"
    config.write_text(SMALL_CAMPAIGN + '[amd]\nmode = "empirical"\ntable_path = "' + str(tmp_path / "behaviour.csv")
                      + '"\n')  # fmt: skip
    assert main(["run", str(config), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    _one_error_line(capsys, r"amd\.table_path '.*behaviour\.csv' is not a readable table")
