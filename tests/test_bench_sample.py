"""``dialer-sim bench``'s ``screening_sample``: the experiment's own runs, run by workers of any revision.

No timing is asserted (speed belongs to the bench itself). The tests check that the sample's runs are the ones
``experiments.screening_starvation`` runs for those points (overrides, configuration and seed, captured from the
experiment's own call into its runner), that the sample is stratified as documented, that a worker computes the
same dials as ``dialer_sim.run`` called directly, and that bad arguments and a failing run give one line.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import dialer_sim as ds
from dialer_sim._bench_sample import ROOT, run_sample, sample_runs
from dialer_sim.cli import main
from dialer_sim.errors import DialerSimError
from dialer_sim.sweep import build_sweep
from experiments import bench_sample
from experiments import screening_starvation as S

TINY = {"agents.n_agents": 2, "campaign.n_numbers": 300, "campaign.n_shifts": 2, "pacing.policy": "ratio"}


class _Captured(Exception):
    pass


class _CapturingRunner:
    """Stands in for the experiment's runner: records what the experiment asks it to run, then stops."""

    def run(self, name, base, points, metrics_fn, *, replications, seed):
        self.call = {"name": name, "base": base, "points": list(points), "replications": replications, "seed": seed}
        raise _Captured


@pytest.fixture(scope="module")
def experiment_sweep(tmp_path_factory):
    """The sweep the full default experiment builds: captured from ``screening_starvation.main`` itself."""
    runner = _CapturingRunner()
    with pytest.raises(_Captured):
        S.main(ds.load_config(S.CONFIG), tmp_path_factory.mktemp("out"), runner=runner,
               replications=S.REPLICATIONS)
    c = runner.call
    return build_sweep(c["base"], c["points"], replications=c["replications"], seed=c["seed"], name=c["name"])


def test_the_sample_runs_are_the_experiments_runs(experiment_sweep):
    spec = experiment_sweep
    assert spec.n_runs == 375  # the full default: 75 points x 5 replications
    runs = bench_sample.screening_sample()
    assert [r["point"] for r in runs] == list(range(0, 75, bench_sample.STRIDE))
    base = ds.load_config(runs[0]["config"])
    for r in runs:
        point = spec.points[r["point"]]
        assert r["params"] == point.params
        assert r["overrides"] == point.overrides
        assert ds.apply_overrides(base, r["overrides"]) == point.config
        seed = np.random.SeedSequence(entropy=r["entropy"], spawn_key=tuple(r["spawn_key"]))
        expected = spec.seed_sequence(r["point"], r["replication"])
        assert (seed.entropy, seed.spawn_key) == (expected.entropy, expected.spawn_key)


def test_the_sample_covers_every_strategy_level_and_replication():
    runs = bench_sample.screening_sample()
    strategies = {r["params"]["strategy"] for r in runs}
    levels = {r["params"]["adoption"] for r in runs if r["params"]["adoption"] > 0}
    assert strategies >= {"answer_all", *S.SWEPT}
    assert levels == {a for a in S.LEVELS if a > 0}
    assert {r["replication"] for r in runs} == set(range(S.REPLICATIONS))


def test_the_bench_reads_the_same_runs_in_plain_json():
    """The bench takes the runs from a separate interpreter (dialer_sim imports no experiment)."""
    assert sample_runs() == json.loads(json.dumps(bench_sample.screening_sample()))


def _tiny(spawn_key, strategy="screen_unknown"):
    return {"point": 0, "replication": spawn_key, "config": str(S.CONFIG), "entropy": S.SEED, "spawn_key": [spawn_key],
            "overrides": {**S.point_overrides(strategy, 0.6), **TINY}}


def test_the_workers_make_the_same_dials_as_run_called_directly():
    runs = [_tiny(0), _tiny(1, "never_answer"), _tiny(2)]
    result = run_sample(ROOT, "the working tree", runs, n_workers=2)
    direct = [int(ds.run(ds.apply_overrides(ds.load_config(S.CONFIG), r["overrides"]),
                         np.random.SeedSequence(entropy=S.SEED, spawn_key=(r["replication"],)),
                         keep_records=False).summary["n_dials"]) for r in runs]
    assert [row["dial_attempts"] for row in result["runs"]] == direct
    assert [row["replication"] for row in result["runs"]] == [0, 1, 2]
    assert result["dial_attempts"] == sum(direct)
    assert result["n_workers"] == 2
    assert result["cpu_s"] == pytest.approx(sum(row["cpu_s"] for row in result["runs"]))


def test_a_failing_run_is_one_line_naming_its_point():
    bad = {**_tiny(0), "point": 7, "overrides": {**TINY, "agents.n_agents": -1}}
    with pytest.raises(DialerSimError) as err:
        run_sample(ROOT, "the working tree", [_tiny(1), bad], n_workers=2)
    message = str(err.value)
    assert "\n" not in message
    assert re.search(r"screening_sample: run of point 7 failed on the working tree: .*n_agents", message), message


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--workloads", "screening_sample", "--scale", "0.5"], r"--scale must be 1 with screening_sample .*got 0\.5\."),
        (["--workloads", "screening_sample", "--seed", "3"], r"--seed must not be given with screening_sample .*got 3\."),
        (["--workloads", "list_campaign,screening_sample", "--scale", "2", "--against", "HEAD"],
         r"--scale must be 1 with screening_sample"),
        (["--workloads", "screening"], r"--workloads must be a comma-separated subset of "
                                       r"erlang_a,campaign,list_campaign,screening_sample; got 'screening'\."),
    ],
)
def test_bad_sample_arguments_give_one_line_and_no_json(tmp_path, capsys, argv, match):
    out = tmp_path / "b.json"
    assert main(["bench", "--json", str(out), *argv]) == 2
    err = capsys.readouterr().err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert re.search(match, lines[0]), lines[0]
    assert not out.exists()
