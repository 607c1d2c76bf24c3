"""experiments/estimating_abandonment.py: analytic power and the smoke run (issue 5)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from dialer_sim.errors import DialerSimError

ROOT = Path(__file__).parents[1]


def load_experiment():
    spec = importlib.util.spec_from_file_location(
        "estimating_abandonment", ROOT / "experiments" / "estimating_abandonment.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_analytic_power_matches_brute_force_critical_value():
    """The exact test's power equals a brute-force search for the critical count."""
    exp = load_experiment()
    for n in (100, 850, 3400):
        k = np.arange(n + 1)
        c = int(k[stats.binom.sf(k - 1, n, 0.03) <= 0.05][0])
        assert float(exp.analytic_power(n, 0.03, 0.04, 0.05)) == pytest.approx(stats.binom.sf(c - 1, n, 0.04))
        assert bool(exp.rejects(c, n, 0.03, 0.05))
        assert not bool(exp.rejects(c - 1, n, 0.03, 0.05))


@pytest.mark.slow
def test_smoke_run_writes_outputs_and_refuses_to_overwrite(tmp_path):
    """The --smoke configuration writes every output, with the seed, and keeps earlier results."""
    exp = load_experiment()
    config = exp.load_experiment_config(
        ROOT / "experiments" / "configs" / "estimating_abandonment_smoke.toml"
    )
    summary = exp.main(config, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(exp.OUTPUTS)
    assert json.loads((tmp_path / "config.json").read_text())["seed"] == config["seed"]
    table = (tmp_path / "power_vs_days.csv").read_text().splitlines()
    assert len(table) == config["max_days"] + 1
    assert 0.0 < summary["rate_simulated_pooled"] < 0.2
    with pytest.raises(DialerSimError, match="refusing to overwrite"):
        exp.main(config, tmp_path)
