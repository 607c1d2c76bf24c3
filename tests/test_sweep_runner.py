"""Running sweeps locally: determinism across workers, resume, refusal, failures, tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import dialer_sim
from dialer_sim.cli import main as cli_main
from dialer_sim.stats import mean_ci
from dialer_sim.sweep import SweepError, run_sweep, sweep_from_dict

BASE = {"campaign": {"n_numbers": 300, "shift_length_s": 1800.0}, "agents": {"n_agents": 3}}
SWEEP_TOML = """\
replications = {reps}
seed = {seed}
[base.campaign]
n_numbers = 300
shift_length_s = 1800.0
[base.agents]
n_agents = 3
[grid]
"agents.n_agents" = [2, 4]
"pacing.policy" = ["progressive", "ratio"]
"""


def _spec(**kw):
    data = {"base": BASE, "replications": 3, "seed": 2024, "grid": {"agents.n_agents": [2, 4]}, **kw}
    return sweep_from_dict(data)


def fail_on_four_agents(config, seed, **kwargs):
    """A run function that raises on points with 4 agents and runs the real model otherwise."""
    if config.agents.n_agents == 4:
        raise RuntimeError(f"no dialling with\n{config.agents.n_agents} agents")
    return dialer_sim.run(config, seed, **kwargs)


@pytest.mark.slow
def test_summaries_identical_for_one_and_two_workers(tmp_path):
    """Local runs give byte-identical summaries.parquet and aggregates for 1 and 2 worker processes."""
    spec = _spec(grid={"agents.n_agents": [2, 4], "pacing.policy": ["progressive", "ratio"]})
    one = run_sweep(spec, tmp_path / "w1", workers=1)
    two = run_sweep(spec, tmp_path / "w2", workers=2)
    assert one.ok
    assert two.ok
    assert one.n_ran == two.n_ran == 12
    for name in ("summaries.parquet", "aggregates.csv", "aggregates.parquet"):
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w2" / name).read_bytes(), name


def test_each_run_equals_a_direct_run_with_its_seed(tmp_path):
    """Row (p, r) of summaries.parquet is dialer_sim.run(point config, child seed (p, r)).summary."""
    spec = _spec()
    run_sweep(spec, tmp_path, workers=1)
    table = pd.read_parquet(tmp_path / "summaries.parquet")
    assert len(table) == 6
    assert list(table.columns[:3]) == ["point", "replication", "agents.n_agents"]
    for p, r in [(0, 2), (1, 0)]:
        seq = np.random.SeedSequence(2024).spawn(2)[p].spawn(3)[r]
        want = dialer_sim.run(spec.points[p].config, seq, keep_records=False).summary
        row = table[(table.point == p) & (table.replication == r)].iloc[0]
        assert row["agents.n_agents"] == [2, 4][p]
        assert {k: row[k] for k in want} == want
    data = json.loads((tmp_path / "points" / "p0001_r002.json").read_text())
    assert data["seed"] == {"entropy": 2024, "spawn_key": [1, 2]}
    assert data["overrides"] == {"agents.n_agents": 4}


def test_aggregates_are_t_intervals_over_replications(tmp_path):
    """aggregates.csv holds per-point mean and Student-t half-width of each numeric field, and skips strings."""
    spec = _spec(replications=4)
    run_sweep(spec, tmp_path, workers=1)
    table = pd.read_parquet(tmp_path / "summaries.parquet")
    agg = pd.read_csv(tmp_path / "aggregates.csv")
    assert agg["n_replications"].tolist() == [4, 4]
    assert "campaign_id_mean" not in agg.columns
    for p in (0, 1):
        values = table.loc[table.point == p, "n_dials"].to_numpy(float)
        mean, half = mean_ci(values)
        assert agg.loc[p, "n_dials_mean"] == pytest.approx(mean, rel=1e-12)
        assert agg.loc[p, "n_dials_ci95_half_width"] == pytest.approx(half, rel=1e-12)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "aggregates.parquet"), agg, check_dtype=False)


def test_resume_skips_finished_runs_and_recomputes_the_rest(tmp_path):
    """Deleted run files are recomputed, kept ones are not, and the tables come out identical."""
    spec = _spec()
    run_sweep(spec, tmp_path, workers=1)
    before = (tmp_path / "summaries.parquet").read_bytes()
    kept = (tmp_path / "points" / "p0000_r000.json").stat().st_mtime_ns
    for name in ("p0000_r001.json", "p0001_r002.json"):
        (tmp_path / "points" / name).unlink()
    (tmp_path / "summaries.parquet").unlink()
    report = run_sweep(spec, tmp_path, workers=1)
    assert (report.n_resumed, report.n_ran) == (4, 2)
    assert (tmp_path / "points" / "p0000_r000.json").stat().st_mtime_ns == kept
    assert (tmp_path / "summaries.parquet").read_bytes() == before


def test_changed_spec_is_refused_and_force_starts_over(tmp_path):
    """Another sweep in the same folder is refused; --force replaces the old results only."""
    run_sweep(_spec(), tmp_path, workers=1)
    (tmp_path / "notes.txt").write_text("mine")
    changed = _spec(seed=2025)
    with pytest.raises(SweepError, match=r"holds results of a different sweep .*--force"):
        run_sweep(changed, tmp_path, workers=1)
    assert json.loads((tmp_path / "sweep.json").read_text())["spec"]["seed"] == 2024
    report = run_sweep(changed, tmp_path, workers=1, force=True)
    assert (report.n_resumed, report.n_ran) == (0, 6)
    assert json.loads((tmp_path / "points" / "p0000_r000.json").read_text())["seed"]["entropy"] == 2025
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert not list(tmp_path.glob(".trash-*"))


def test_non_sweep_folder_is_refused(tmp_path):
    """A non-empty folder without sweep.json is not written into without --force."""
    (tmp_path / "results.csv").write_text("x\n")
    with pytest.raises(SweepError, match=r"is not empty and holds no sweep.json"):
        run_sweep(_spec(), tmp_path, workers=1)


@pytest.mark.slow
def test_failing_point_is_reported_and_the_rest_go_on(tmp_path):
    """Runs that raise are listed with overrides and error; other points finish; a rerun retries only them."""
    spec = _spec(replications=2)
    report = run_sweep(spec, tmp_path, workers=2, run_fn=fail_on_four_agents)
    assert not report.ok
    assert report.n_ran == 2
    assert [(f.point, f.replication) for f in report.failures] == [(1, 0), (1, 1)]
    line = report.failures[0].line()
    assert line == "point 1 replication 0 (agents.n_agents=4) failed: RuntimeError: no dialling with 4 agents"
    saved = json.loads((tmp_path / "failures.json").read_text())
    assert saved[1]["overrides"] == {"agents.n_agents": 4}
    assert saved[1]["replication"] == 1
    assert pd.read_parquet(tmp_path / "summaries.parquet")["point"].tolist() == [0, 0]
    again = run_sweep(spec, tmp_path, workers=1)
    assert (again.n_resumed, again.n_ran, again.ok) == (2, 2, True)
    assert not (tmp_path / "failures.json").exists()


def test_keep_records_stores_each_runs_call_records(tmp_path):
    """With keep_records, records/pPPPP_rRRR.parquet equals the records of a direct run."""
    spec = _spec(replications=1, keep_records=True)
    run_sweep(spec, tmp_path, workers=1)
    got = pd.read_parquet(tmp_path / "records" / "p0001_r000.parquet")
    want = dialer_sim.run(spec.points[1].config, spec.seed_sequence(1, 0)).records
    assert len(got) == len(want) > 0
    np.testing.assert_array_equal(got["dial_at_s"].to_numpy(), want["dial_at_s"].to_numpy())


def test_cli_runs_resumes_and_refuses_in_one_line(tmp_path, capsys):
    """`dialer-sim sweep` exits 0, resumes on rerun, and a changed spec is one stderr line with status 2."""
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(SWEEP_TOML.format(reps=2, seed=3))
    out = tmp_path / "out"
    assert cli_main(["sweep", str(sweep), "--out", str(out), "--workers", "1"]) == 0
    assert "8/8 runs finished (0 resumed, 0 failed)" in capsys.readouterr().out
    assert cli_main(["sweep", str(sweep), "--out", str(out), "--workers", "1"]) == 0
    assert "(8 resumed, 0 failed)" in capsys.readouterr().out
    sweep.write_text(SWEEP_TOML.format(reps=2, seed=4))
    assert cli_main(["sweep", str(sweep), "--out", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "different sweep" in err
    assert "--force" in err
    assert cli_main(["sweep", str(sweep), "--out", str(out), "--workers", "0"]) == 2
    assert "`--workers` must be an integer >= 1; got 0." in capsys.readouterr().err
