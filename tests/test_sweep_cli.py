"""`dialer-sim sweep` as a separate process: kill -9 and resume, and the shipped smoke sweep."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from dialer_sim.sweep import load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "experiments" / "configs" / "sweep_smoke.toml"

# 4 points x 12 replications of a short campaign: each run takes a few tens of
# milliseconds, so the sweep is still running when the test kills it.
KILL_SWEEP = """\
replications = 12
seed = 77
[base.campaign]
n_numbers = 1500
shift_length_s = 3600.0
[base.agents]
n_agents = 5
[grid]
"pacing.policy" = ["progressive", "ratio"]
"agents.n_agents" = [4, 6]
"""


def _sweep_cmd(sweep: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "dialer_sim.cli", "sweep", str(sweep), "--out", str(out), *extra]


def _n_finished(out: Path) -> int:
    points = out / "points"
    return len([p for p in points.glob("p*_r*.json")]) if points.is_dir() else 0


@pytest.mark.slow
def test_sweep_killed_with_sigkill_resumes_to_identical_results(tmp_path):
    """SIGKILL mid-sweep (parent and workers), then a rerun: summaries.parquet equals an uninterrupted run."""
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(KILL_SWEEP)
    spec = load_sweep(sweep)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        _sweep_cmd(sweep, out, "--workers", "2"),
        cwd=ROOT,
        start_new_session=True,  # its own process group, so the kill reaches the workers too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60.0
    while _n_finished(out) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    n_at_kill = _n_finished(out)
    assert 3 <= n_at_kill < spec.n_runs, "the sweep must be interrupted part-way"
    assert not (out / "summaries.parquet").exists()

    resumed = subprocess.run(
        _sweep_cmd(sweep, out, "--workers", "1"), cwd=ROOT, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    n_resumed = int(resumed.stdout.split("(")[1].split(" resumed")[0])
    assert n_resumed >= n_at_kill
    assert not list((out / "points").glob(".*.tmp"))

    run_sweep(spec, tmp_path / "clean", workers=1)
    assert (out / "summaries.parquet").read_bytes() == (tmp_path / "clean" / "summaries.parquet").read_bytes()
    assert (out / "aggregates.csv").read_bytes() == (tmp_path / "clean" / "aggregates.csv").read_bytes()


@pytest.mark.slow
def test_shipped_smoke_sweep_runs_through_the_cli(tmp_path):
    """experiments/configs/sweep_smoke.toml runs to completion and tabulates every point and replication.

    Every point of the shipped file runs with its base and grid unchanged, for 2 of its 10 replications:
    whether a point runs and is tabulated does not depend on how many replications it has, and 2 is the
    fewest that give a confidence interval.
    """
    shipped = load_sweep(SMOKE)
    text, n_subs = re.subn(r"^replications = \d+$", "replications = 2", SMOKE.read_text(), flags=re.MULTILINE)
    assert n_subs == 1
    sweep = tmp_path / "sweep_smoke.toml"
    sweep.write_text(text)
    spec = load_sweep(sweep)
    assert (spec.base, spec.points, spec.seed) == (shipped.base, shipped.points, shipped.seed)
    assert spec.n_replications == 2
    out = tmp_path / "smoke"
    done = subprocess.run(
        _sweep_cmd(sweep, out, "--workers", "2"), cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    table = pd.read_parquet(out / "summaries.parquet")
    assert len(table) == spec.n_runs
    assert sorted(set(table["pacing.policy"])) == sorted({p.overrides["pacing.policy"] for p in spec.points})
    agg = pd.read_csv(out / "aggregates.csv")
    assert len(agg) == len(spec.points)
    assert (agg["n_replications"] == spec.n_replications).all()
    assert (agg["n_dials_ci95_half_width"] > 0).all()
    assert not (out / "failures.json").exists()
