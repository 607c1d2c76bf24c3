"""The open-loop model against exact queueing theory.

Every case of docs/sources.md §2.5 (plus Erlang B) must fall inside its
confidence interval for several seeds. The intervals come from independent
replications (Student t); with 6 cases x 3 metrics x 2 seeds the per-check
level is Bonferroni-corrected so the whole family fails by chance < 1 % of runs.
"""

from __future__ import annotations

import json

import pytest

from dialer_sim.cli import main
from dialer_sim.validate import METRICS, VALIDATION_CASES, validate_case

SEEDS = (0, 1)
N_CHECKS = len(VALIDATION_CASES) * len(METRICS) * len(SEEDS)
CONFIDENCE = 1.0 - 0.01 / N_CHECKS


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", VALIDATION_CASES, ids=lambda c: f"{c.model}-n{c.n_agents}-lam{c.arrival_rate_per_s:g}")
def test_open_loop_matches_theory(case, seed):
    """Simulated P(wait), P(abandon) and utilisation contain the exact values."""
    # The 150-agent case mixes slowly (short talk, many agents): it needs more simulated time.
    n_calls = 200_000 if case.n_agents > 100 else 60_000
    out = validate_case(case, n_calls=n_calls, seed=seed, replications=10, confidence=CONFIDENCE)
    for m in METRICS:
        v = out[m]
        assert abs(v["simulated"] - v["analytic"]) <= v["ci95_half_width"] + 1e-12, (m, v)
        if v["analytic"] > 0:
            # The (Bonferroni-widened) interval is informative: narrower than half the value itself.
            assert v["ci95_half_width"] < 0.5 * v["analytic"], (m, v)


def test_validate_cli_writes_the_design_json(tmp_path):
    """`dialer-sim validate --json` writes one object per case with the documented fields."""
    path = tmp_path / "validation.json"
    assert main(["validate", "--json", str(path), "--n-calls", "4000", "--replications", "2", "--quiet"]) == 0
    cases = json.loads(path.read_text())
    assert [c["model"] for c in cases] == [c.model for c in VALIDATION_CASES]
    erlang_a = cases[2]
    assert erlang_a["patience_rate_per_s"] == 1.0
    assert cases[5]["window_s"] == 0.5
    for c in cases:
        assert {"arrival_rate_per_s", "service_rate_per_s", "n_agents", "n_calls"} <= set(c)
        for m in METRICS:
            assert set(c[m]) == {"simulated", "ci95_half_width", "analytic"}
    assert erlang_a["p_abandon"]["analytic"] == pytest.approx(0.125110, abs=1e-6)
