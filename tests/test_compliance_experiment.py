"""experiments/estimating_abandonment.py: analytic power and the smoke run (issue 5)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dialer_sim.errors import DialerSimError
from experiments import estimating_abandonment as exp
from experiments.kit import Runner

ROOT = Path(__file__).parents[1]


def test_analytic_power_matches_brute_force_critical_value():
    """The exact test's power equals a brute-force search for the critical count."""
    for n in (100, 850, 3400):
        k = np.arange(n + 1)
        c = int(k[stats.binom.sf(k - 1, n, 0.03) <= 0.05][0])
        assert float(exp.analytic_power(n, 0.03, 0.04, 0.05)) == pytest.approx(stats.binom.sf(c - 1, n, 0.04))
        assert bool(exp.rejects(c, n, 0.03, 0.05))
        assert not bool(exp.rejects(c - 1, n, 0.03, 0.05))


@pytest.mark.slow
def test_smoke_run_writes_outputs_and_refuses_to_overwrite(tmp_path):
    """The --smoke configuration writes every output, with the seed, and keeps earlier results."""
    config = exp.load_experiment_config(
        ROOT / "experiments" / "configs" / "estimating_abandonment_smoke.toml"
    )
    summary = exp.main(config, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(exp.OUTPUTS)
    assert json.loads((tmp_path / "config.json").read_text())["seed"] == config["seed"]
    table = (tmp_path / "power_vs_days.csv").read_text().splitlines()
    assert len(table) == config["max_days"] + 1
    assert 0.0 < summary["rate_simulated_pooled"] < 0.2
    with pytest.raises(DialerSimError, match="already holds results"):
        exp.main(config, tmp_path)


def test_campaigns_do_not_depend_on_workers():
    """Campaign i is seeded by child i of SeedSequence(seed) on any number of worker processes."""
    config = {**exp.load_experiment_config(exp.SMOKE_CONFIG), "simulation": "bernoulli", "max_days": 2,
              "live_answers_per_day": 200, "n_replications": 3}
    one = exp.simulate_daily_counts(config)
    two = exp.simulate_daily_counts(config, runner=Runner(workers=2))
    pd.testing.assert_frame_equal(one, two)
    assert list(one.columns) == ["replication", "day", "numerator", "denominator"]
    assert sorted(set(zip(one["replication"], one["day"], strict=True))) == [(r, d) for r in range(3) for d in range(2)]
    # Campaign 1 is the Bernoulli campaign of child 1 of the root seed, whatever ran it.
    child = np.random.SeedSequence(config["seed"]).spawn(3)[1]
    alone = exp.campaign_counts(None, child, {k: config[k] for k in exp._RUN_KEYS})["daily"]
    pd.testing.assert_frame_equal(one[one["replication"] == 1].drop(columns="replication").reset_index(drop=True),
                                  alone)
