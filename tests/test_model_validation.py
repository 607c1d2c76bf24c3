"""The open-loop model against exact queueing theory.

Every case of docs/sources.md §2.5 (plus Erlang B) runs once at its default
length, as `dialer-sim validate` runs it. Its intervals come from batch means of
one long run (Student t); with 6 cases x 3 metrics the per-check level is
Bonferroni-corrected so the whole family fails by chance < 1 % of runs.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from dialer_sim.cli import main
from dialer_sim.queueing.validation import METRICS, VALIDATION_CASES, validate_case

N_CHECKS = len(VALIDATION_CASES) * len(METRICS)
CONFIDENCE = 1.0 - 0.01 / N_CHECKS
CASE_IDS = [f"{c.model}-n{c.n_agents}-lam{c.arrival_rate_per_s:g}" for c in VALIDATION_CASES]


@pytest.fixture(scope="module")
def validation() -> dict[str, dict]:
    """Each case's validation object, computed once for the tests of this module."""
    return {}


def _result(validation: dict, i: int) -> dict:
    if i not in validation:
        validation[i] = validate_case(VALIDATION_CASES[i], seed=0, confidence=CONFIDENCE)
    return validation[i]


@pytest.mark.slow
@pytest.mark.parametrize("i", range(len(VALIDATION_CASES)), ids=CASE_IDS)
def test_open_loop_matches_theory(validation, i):
    """Simulated P(wait), P(abandon) and utilisation contain the exact values, in tight intervals."""
    out = _result(validation, i)
    assert out["confidence"] == CONFIDENCE
    for m in METRICS:
        v = out[m]
        assert abs(v["simulated"] - v["analytic"]) <= v["ci_half_width"] + 1e-12, (m, v)
        assert v["ci_half_width"] >= v["ci95_half_width"]  # the Bonferroni-widened level is the wider one
        if v["analytic"] > 0:
            # Regression: the 150-agent P(wait) half-width was 0.033 of 0.24; every 95 % interval is tight now.
            assert v["ci95_half_width"] < 0.1 * v["analytic"], (m, v)


@pytest.mark.slow
def test_batches_are_long_enough_to_be_independent(validation):
    """The lag-1 autocorrelation of the batch means, pooled over cases and metrics, is near zero.

    Independent batch means give about -1/20 with a spread of about 0.2 per value; batches
    too short for the process's memory give clearly positive values.
    """
    r1 = [_result(validation, i)[m]["lag1_autocorrelation"] for i in range(len(VALIDATION_CASES)) for m in METRICS]
    r1 = [r for r in r1 if r is not None]  # Erlang C never abandons: constant batch means
    assert len(r1) == N_CHECKS - 1
    assert np.mean(r1) < 0.2, r1


def test_validate_cli_writes_the_design_json(tmp_path):
    """`dialer-sim validate --json` writes one object per case with the documented fields."""
    path = tmp_path / "validation.json"
    assert main(["validate", "--json", str(path), "--n-calls", "4000", "--batches", "5", "--quiet"]) == 0
    cases = json.loads(path.read_text())
    assert [c["model"] for c in cases] == [c.model for c in VALIDATION_CASES]
    erlang_a = cases[2]
    assert erlang_a["patience_rate_per_s"] == 1.0
    assert cases[5]["window_s"] == 0.5
    for c in cases:
        assert {"arrival_rate_per_s", "service_rate_per_s", "n_agents", "n_calls"} <= set(c)
        assert (c["n_calls"], c["n_batches"], c["confidence"]) == (4000, 5, 0.95)
        for m in METRICS:
            assert set(c[m]) == {"simulated", "ci_half_width", "ci95_half_width", "lag1_autocorrelation", "analytic"}
            assert c[m]["ci_half_width"] == c[m]["ci95_half_width"]  # the CLI's level is 95 %
    assert erlang_a["p_abandon"]["analytic"] == pytest.approx(0.125110, abs=1e-6)


def test_ci95_half_width_is_at_95_percent_whatever_the_level():
    """Regression: ci95_half_width held the half-width at the requested level (e.g. 99.9 %)."""
    out = validate_case(VALIDATION_CASES[1], n_calls=5000, seed=2, n_batches=10, confidence=0.999)
    v = out["p_wait"]
    ratio = stats.t.ppf(0.9995, 9) / stats.t.ppf(0.975, 9)
    assert v["ci_half_width"] == pytest.approx(ratio * v["ci95_half_width"], rel=1e-12)
