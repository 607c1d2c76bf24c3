"""The experiment scripts under bad input: one line on stderr, exit 2, earlier results never overwritten."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import dialer_sim as ds
from dialer_sim.errors import ConfigError
from experiments import estimating_abandonment, predictive_day
from experiments.kit import Runner, cli

ROOT = Path(__file__).resolve().parent.parent

NOT_UTF8 = b"\xff\xfe[agents]\nn_agents = 3\n"


def _script(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "experiments" / f"{name}.py"), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)  # fmt: skip


def _one_line(err: str) -> str:
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_predictive_day_refuses_an_out_folder_holding_results(tmp_path, capsys):
    earlier = tmp_path / "config.json"
    earlier.write_text('{"experiment": "predictive_day", "seed": 1}\n')
    assert predictive_day.cli_main(["--smoke", "--out", str(tmp_path)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "already holds results (config.json)" in line
    assert "--force" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]
    assert earlier.read_text() == '{"experiment": "predictive_day", "seed": 1}\n'


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--seed", "-1"], "--seed must be an integer >= 0; got -1."),
        (["--workers", "0"], "--workers must be an integer >= 1; got 0."),
        (["--replications", "1"], "--replications must be an integer >= 2 (for 95 % intervals); got 1."),
    ],
)
def test_predictive_day_bad_arguments_are_one_line_and_create_nothing(tmp_path, capsys, argv, match):
    out = tmp_path / "out"
    assert predictive_day.cli_main([*argv, "--out", str(out)]) == 2
    assert match in _one_line(capsys.readouterr().err)
    assert not out.exists()


def test_predictive_day_tables_do_not_depend_on_workers():
    """Jobs are seeded up front and collected in order: 1 and 2 worker processes give identical tables."""
    tiny = ds.apply_overrides(
        ds.load_config(predictive_day.CONFIG),
        {"agents.n_agents": 3, "campaign.shift_length_s": 1800.0, "campaign.n_numbers": 400},
    )
    one = predictive_day.run_policies(tiny, replications=2, seed=5, runner=Runner(workers=1))
    two = predictive_day.run_policies(tiny, replications=2, seed=5, runner=Runner(workers=2))
    for a, b in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert len(one[0]) == 2 * len(predictive_day.POLICIES)


@pytest.mark.parametrize("name", ["amd_in_the_loop", "pacing_vs_abandonment"])
def test_the_script_refuses_an_out_folder_holding_results(tmp_path, name):
    """Earlier results are kept without --force: one line on stderr, exit 2, nothing overwritten."""
    (tmp_path / "config.json").write_text("{}")
    proc = _script(name, "--smoke", "--out", str(tmp_path))
    assert proc.returncode == 2
    assert "--force" in _one_line(proc.stderr)
    assert (tmp_path / "config.json").read_text() == "{}"


def test_a_usage_mistake_is_one_line_without_the_usage_block(tmp_path):
    proc = _script("pacing_vs_abandonment", "--smoke", "--workers", "x", "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    line = _one_line(proc.stderr)
    assert "argument --workers: invalid int value: 'x'" in line
    assert not line.startswith("usage:")


def test_a_config_that_is_not_utf8_is_one_line(tmp_path):
    bad = tmp_path / "exported.toml"
    bad.write_bytes(NOT_UTF8)
    proc = _script("pacing_vs_abandonment", "--smoke", "--config", str(bad), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "exported.toml: not valid TOML (must be UTF-8 text; line 1, column 1 holds byte 0xff)" in _one_line(proc.stderr)
    assert not (tmp_path / "o").exists()


def _smoke_table(**changes) -> dict:
    config = estimating_abandonment.load_experiment_config(estimating_abandonment.SMOKE_CONFIG)
    return {**config, **changes}


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"limit": "three percent"}, r"`limit` must be a number in \(0, 1\); got 'three percent'"),
        ({"max_days": "ten"}, r"`max_days` must be an integer >= 1; got 'ten'"),
        ({"max_days": 2.5}, r"`max_days` must be an integer >= 1; got 2\.5"),
        ({"n_replications": True}, r"`n_replications` must be an integer >= 1; got True"),
        ({"seed": -1}, r"`seed` must be an integer >= 0; got -1"),
        ({"regime": "fcc"}, r"`regime` must be one of crtc, ftc, genesys, ofcom2010, vicidial; got 'fcc'"),
        ({"max_day": 3}, r"`max_day` is not a known setting"),
    ],
)
def test_estimating_abandonment_checks_every_setting(changes, match):
    with pytest.raises(ConfigError, match=match):
        estimating_abandonment.check_config(_smoke_table(**changes))


def test_estimating_abandonment_bad_config_is_one_line_and_keeps_earlier_results(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text(json.dumps({"earlier": True}))
    bad = tmp_path / "bad.toml"
    bad.write_bytes(NOT_UTF8)
    assert estimating_abandonment.cli_main(["--config", str(bad), "--out", str(out), "--force"]) == 2
    assert "bad.toml: not valid TOML (must be UTF-8 text" in _one_line(capsys.readouterr().err)
    broken = tmp_path / "broken.toml"
    broken.write_text("seed = \n")
    assert estimating_abandonment.cli_main(["--config", str(broken), "--out", str(out), "--force"]) == 2
    assert "broken.toml: not valid TOML (" in _one_line(capsys.readouterr().err)
    assert json.loads((out / "summary.json").read_text()) == {"earlier": True}


def _earlier_results(folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    (folder / "config.json").write_text('{"experiment": "x", "seed": 1}\n')
    (folder / "table.csv").write_text("a\n1\n")
    (folder / "notes.txt").write_text("the analyst's own notes\n")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize(("failure", "status"), [(KeyboardInterrupt, 130), (ConfigError("bad value"), 2)])
def test_a_forced_run_that_fails_puts_the_earlier_results_back(tmp_path, capsys, failure, status):
    out = tmp_path / "out"
    before = _earlier_results(out)

    def run_then_fail(args, config):
        (args.out / "table.csv").write_text("a\n2\n")  # half of a new run's outputs
        (args.out / "new_chart.png").write_bytes(b"png")
        raise failure

    config = ROOT / "experiments" / "configs" / "predictive_campaign.toml"
    assert cli("x", "doc", config, 1, run_then_fail, argv=["--out", str(out), "--force"]) == status
    _one_line(capsys.readouterr().err)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_forced_run_that_succeeds_replaces_results_and_keeps_other_files(tmp_path):
    out = tmp_path / "out"
    _earlier_results(out)

    def run(args, config):
        (args.out / "table.csv").write_text("a\n2\n")
        (args.out / "config.json").write_text('{"experiment": "x", "seed": 2}\n')

    config = ROOT / "experiments" / "configs" / "predictive_campaign.toml"
    assert cli("x", "doc", config, 1, run, argv=["--out", str(out), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "notes.txt", "table.csv"]
    assert (out / "table.csv").read_text() == "a\n2\n"
    assert (out / "notes.txt").read_text() == "the analyst's own notes\n"


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"\xff\xfe\x00not a table", "is not a readable table: 'utf-8' codec can't decode byte 0xff"),
        (b"", "is empty (no header, no rows)."),
        (b"detector,kind,label,decided_at_s,speech_start_s,greeting_end_s\nvad,alien,machine,1.0,0.2,1.1\n",
         ": kind must be one of the answer kinds; got 'alien'."),
        (b"detector,kind,label,decided_at_s,speech_start_s,greeting_end_s\nvad,human,machine,-1.0,0.2,1.1\n",
         ": decided_at_s must be a number >= 0 (row 2)."),
    ],
)
def test_a_broken_amd_behaviour_table_is_one_line_before_out_is_created(tmp_path, content, match):
    results = tmp_path / "amd_results"
    results.mkdir()
    (results / "behaviour.csv").write_bytes(content)
    proc = _script("amd_in_the_loop", "--amd-results", str(results), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    line = _one_line(proc.stderr)
    assert line.startswith("amd_in_the_loop: error: --amd-results ")
    assert match in line
    assert not (tmp_path / "out").exists()
