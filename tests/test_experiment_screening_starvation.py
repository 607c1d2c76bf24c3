"""The screening-starvation experiment: smoke run against its stored reference, outputs and mechanisms."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from figures import PNG, run_checking_figures
from generate_data import REFERENCE_WORKERS, smoke_reference

from experiments import screening_starvation as S
from experiments.kit import Runner

ROOT = Path(__file__).resolve().parent.parent

#: Results are a pure function of config and seed; the tolerance absorbs last-digit libm differences only.
RTOL = 1e-9


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    return run_checking_figures(tmp_path_factory, "starvation", lambda out: S.run_smoke(out, Runner(workers=2)))


@pytest.mark.slow
def test_smoke_run_matches_reference_and_writes_every_output(smoke):
    out, _, _ = smoke
    fresh = pd.read_csv(out / S.SMOKE_TABLE)
    pd.testing.assert_frame_equal(fresh, pd.read_csv(smoke_reference("screening_starvation")), rtol=RTOL,
                                  check_exact=False)
    for name in ("starvation.png", "composition.png", "protection.png", "days.png", "abandonment.png"):
        data = (out / name).read_bytes()
        assert data[:8] == PNG
        assert len(data) > 20_000
    daily = pd.read_csv(out / "starvation.csv")
    required = ["strategy", "adoption", "day", "replication", "n_on_list", "n_successful",
                "contacts_per_agent_hour", "calls_per_person", "silent_calls_per_person"]
    assert list(daily.columns[: len(required)]) == required
    assert set(daily["strategy"]) == {*S.SWEPT, "mixed", *(f"{m}{S.MESSAGE_SUFFIX}" for m in S.MESSAGE_STRATEGIES)}
    meta = json.loads((out / "config.json").read_text())
    assert meta["seed"] == S.SEED
    assert meta["config"]["campaign"]["n_shifts"] == 12
    assert "![starvation curves](starvation.png)" in (out / "REPORT.md").read_text()


@pytest.mark.slow
def test_screening_starves_the_list_and_protects_its_users(smoke):
    _, summary, _ = smoke
    s = summary.set_index(["strategy", "adoption"])
    for strategy in ("screen_unknown", "never_answer", "block_withheld"):
        assert s.loc[(strategy, 1.0), "n_successful"] == 0  # nobody can be reached at all
    for strategy in S.SWEPT:
        assert s.loc[(strategy, 1.0), "n_successful"] <= s.loc[(strategy, 0.0), "n_successful"]
    assert s.loc[("silent_answer", 1.0), "contacts_per_agent_hour"] < s.loc[("silent_answer", 0.0),
                                                                             "contacts_per_agent_hour"]


@pytest.mark.slow
def test_workers_do_not_change_results(smoke):
    """The smoke run on 2 workers gives the table stored from a run on 1 (``generate_data.REFERENCE_WORKERS``).

    The stored table stands for a fresh 1-worker run: the reference test above fails whenever they differ.
    """
    out, _, _ = smoke  # made with 2 workers
    assert REFERENCE_WORKERS == 1
    one = pd.read_csv(smoke_reference("screening_starvation"))
    pd.testing.assert_frame_equal(pd.read_csv(out / S.SMOKE_TABLE), one, rtol=RTOL, check_exact=False)


def test_cli_refuses_to_overwrite_results_and_reports_bad_input_in_one_line(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    script = ROOT / "experiments" / "screening_starvation.py"
    for args, expected in (
        (["--out", str(tmp_path), "--smoke"], "already holds results"),
        (["--out", str(tmp_path / "new"), "--config", str(tmp_path / "missing.toml")], "--config must name"),
        (["--out", str(tmp_path / "new"), "--workers", "0"], "--workers must be an integer >= 1; got 0."),
        (["--out", str(tmp_path / "new"), "--replications", "0"], "--replications must be an integer >= 2"),
        (["--out", str(tmp_path / "new"), "--config", str(ROOT / "experiments" / "configs" / "bench_campaign.toml")],
         "has no [population] section"),
    ):
        proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2
        assert expected in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
        assert "Traceback" not in proc.stderr
    assert (tmp_path / "config.json").read_text() == "{}"
    assert not (tmp_path / "new").exists()


@pytest.mark.slow
def test_every_chart_has_a_title_and_labelled_axes(smoke):
    """Regression: charts without titles or axis labels (the house style of experiments/plotting.py)."""
    figures = smoke[2]
    assert len(figures) >= 5
    assert [(title, problems) for title, problems in figures if problems] == []
