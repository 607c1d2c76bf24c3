"""The experiment kit: resume after kill -9, Dask against local workers, seeds and the run store's tables."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import distributed
import numpy as np
import pandas as pd
import pytest

import dialer_sim as ds
from dialer_sim.sweep import SweepError, build_sweep
from experiments import predictive_day
from experiments.kit import ExperimentError, Point, Runner, store_dir

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "predictive_day.py"
#: A campaign whose runs take a fraction of a second each: 7 policies x 4 replications = 28 runs.
CAMPAIGN = """\
[campaign]
n_numbers = 600
n_shifts = 1
shift_start_s = 32400
shift_length_s = 3600
[agents]
n_agents = 3
"""
N_RUNS = 7 * 4
TABLES = ("policies.csv", "policies_summary.csv", "hourly.csv", "headline.md", "REPORT.md", "config.json")


@pytest.fixture
def campaign(tmp_path) -> Path:
    path = tmp_path / "campaign.toml"
    path.write_text(CAMPAIGN)
    return path


def _command(campaign: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, str(SCRIPT), "--config", str(campaign), "--replications", "4", "--seed", "3",
            "--out", str(out), *extra]


def _tables(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in TABLES}


def _finished(store: Path) -> int:
    points = store / "points"
    return len(list(points.glob("p*_r*.json"))) if points.is_dir() else 0


@pytest.mark.slow
def test_killed_experiment_resumes_and_writes_the_tables_of_an_uninterrupted_run(tmp_path, campaign):
    """kill -9 after some runs finished; the same command again skips them and writes identical tables."""
    ref = tmp_path / "ref"
    done = subprocess.run(_command(campaign, ref, "--quiet"), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert not store_dir(ref).exists()  # removed once the result set is in place

    out = tmp_path / "out"
    store = store_dir(out)
    proc = subprocess.Popen(_command(campaign, out, "--quiet"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _finished(store) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the experiment finished before it could be killed"
    n_done = _finished(store)
    assert 3 <= n_done < N_RUNS
    assert not (out / "config.json").exists()  # no result set, not even a partial one

    again = subprocess.run(_command(campaign, out), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f" {n_done}/{N_RUNS} " in again.stderr  # the progress bar starts at the runs already done
    assert _tables(out) == _tables(ref)
    assert not store.exists()


@pytest.mark.slow
def test_dask_scheduler_gives_the_tables_of_one_and_two_local_workers(tmp_path, campaign):
    """--scheduler on an in-process LocalCluster, --workers 1 and --workers 2: byte-identical tables."""
    def run(name: str, *extra: str) -> dict[str, bytes]:
        argv = ["--config", str(campaign), "--replications", "2", "--seed", "5", "--quiet",
                "--out", str(tmp_path / name), *extra]
        assert predictive_day.cli_main(argv) == 0
        return _tables(tmp_path / name)

    one = run("one", "--workers", "1")
    two = run("two", "--workers", "2")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:  # workers are threads of this process
        dask = run("dask", "--scheduler", cluster.scheduler_address)
    assert one == two
    assert one == dask


def test_crn_seeds_are_the_spawned_children_of_the_root_seed():
    """Run (p, r) gets child r of SeedSequence(seed).spawn(n): what the experiments used before the kit."""
    base = ds.load_config(predictive_day.CONFIG)
    spec = build_sweep(base, [({"a": 1}, {}), ({"a": 2}, {"agents.n_agents": 7})], replications=3, seed=11)
    children = np.random.SeedSequence(11).spawn(3)
    for p in range(2):
        for r in range(3):
            got = spec.seed_sequence(p, r).generate_state(4)
            np.testing.assert_array_equal(got, children[r].generate_state(4))
    assert spec.points[1].config.agents.n_agents == 7
    assert spec.points[0].params == {"a": 1}


def test_bad_point_names_the_point_and_the_rule():
    base = ds.load_config(predictive_day.CONFIG)
    with pytest.raises(SweepError, match=r"sweep point 1 \{'policy': 'x'\}: .*n_agents"):
        build_sweep(base, [({}, {}), ({"policy": "x"}, {"agents.n_agents": -1})], replications=1, seed=0)


def _metrics(config, seed, params):
    """Scalars, a table with ints, floats, NaN, booleans and strings, and a failure on request."""
    if params.get("fail"):
        raise ValueError("asked to fail")
    rng = np.random.default_rng(seed)
    x = rng.random(3)
    table = pd.DataFrame({"i": np.arange(3), "x": x, "nan": [np.nan, 1.5, 2.0], "flag": x > 0.5,
                          "name": ["a", "b", "c"]})
    return {"mean_x": float(x.mean()), "n": 3, "label": params["label"], "table": table}


def test_runs_come_back_in_point_order_with_their_tables_exactly(tmp_path):
    base = ds.load_config(predictive_day.CONFIG)
    points = [Point({"label": "first"}, {}), Point({"label": "second"}, {"agents.n_agents": 5})]
    res = Runner(store=tmp_path / "store").run("kit-test", base, points, _metrics, replications=2, seed=4)
    runs = res.summaries()
    assert list(runs.columns) == ["label", "replication", "mean_x", "n"]
    assert list(runs["label"]) == ["first", "first", "second", "second"]
    assert list(runs["replication"]) == [0, 1, 0, 1]
    # common random numbers: both points of one replication drew the same numbers
    assert runs["mean_x"].iloc[0] == runs["mean_x"].iloc[2]
    table = res.table("table")
    direct = _metrics(None, np.random.SeedSequence(entropy=4, spawn_key=(1,)), {"label": "x"})["table"]
    got = table[(table["label"] == "second") & (table["replication"] == 1)].drop(columns=["label", "replication"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), direct)  # values and dtypes, exactly
    assert list(res.table("table", keys="last").columns[-2:]) == ["label", "replication"]


def test_a_failing_run_is_one_line_and_the_finished_runs_are_kept(tmp_path):
    base = ds.load_config(predictive_day.CONFIG)
    points = [Point({"label": "ok"}, {}), Point({"label": "bad", "fail": True}, {})]
    store = tmp_path / "store"
    with pytest.raises(ExperimentError, match=r"^2 of 4 runs failed; the first: point 1 replication 0 .*"
                                              r"ValueError: asked to fail$"):
        Runner(store=store).run("kit-test", base, points, _metrics, replications=2, seed=4)
    assert _finished(store) == 2
