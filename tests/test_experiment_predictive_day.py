"""The predictive-day experiment's smoke run against its stored reference output."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from figures import figure_checks
from generate_data import predictive_day_smoke_config

from experiments import predictive_day

ROOT = Path(__file__).resolve().parent.parent

#: Results are a pure function of config and seed; the tolerance only absorbs
#: last-digit differences of libm between machines.
RTOL = 1e-9


@pytest.mark.slow
def test_smoke_run_matches_reference_and_writes_every_output(tmp_path):
    """Same seed, same table as tests/data/predictive_day_smoke.csv; charts, config.json and report written."""
    with figure_checks() as figures:
        summary = predictive_day.main(predictive_day_smoke_config(), tmp_path, replications=2)
    reference = pd.read_csv(ROOT / "tests" / "data" / "predictive_day_smoke.csv")
    fresh = pd.read_csv(tmp_path / "policies_summary.csv")
    pd.testing.assert_frame_equal(fresh, reference, rtol=RTOL, check_exact=False)
    assert list(summary["policy"]) == list(predictive_day.POLICIES)
    assert len(figures) == 4
    assert [(title, problems) for title, problems in figures if problems] == []
    for name in ("policies.png", "day.png", "dispositions.png", "abandonment.png"):
        png = (tmp_path / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 10_000
    meta = json.loads((tmp_path / "config.json").read_text())
    assert meta["seed"] == predictive_day.SEED
    assert meta["config"]["agents"]["n_agents"] == 10
    report = (tmp_path / "REPORT.md").read_text()
    assert "![utilisation against the dialer's drops](policies.png)" in report
    # Both rates side by side, the regulator's named with its clock, its four parts adding up to it.
    assert "dialer's own drop rate" in report
    assert "Ofcom 2010 rule, 2 s from speech start" in report
    assert (tmp_path / "headline.md").read_text() in report
    parts = summary[["regime_rate_dialer_drops", "regime_rate_amd_false_positives", "regime_rate_late_connects",
                     "regime_rate_callee_hangups"]].sum(axis=1)
    assert (parts - summary["regime_rate"]).abs().max() < 1e-9
    # Progressive pacing never abandons; the closed-loop point for it is at zero.
    prog = summary.set_index("policy").loc["progressive"]
    assert prog["abandon_rate_live"] == 0.0
