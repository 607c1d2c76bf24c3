"""One proportion-interval helper (scipy's binomtest) and one t half-width, used everywhere.

The formulas the helpers replaced are written out here as references: the new
results must agree with them to rounding.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from amd import metrics
from dialer_sim.compliance import binomial_interval
from dialer_sim.errors import ConfigError
from dialer_sim.stats import mean_ci, proportion_interval, t_half_width, wilson_interval

ROOT = Path(__file__).resolve().parent.parent
Z_975 = stats.norm.ppf(0.975)
PAIRS = [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (37, 180), (1, 5000), (2_500, 100_000)]


def old_wilson(k: float, n: float, z: float = Z_975) -> tuple[float, float]:
    """The closed form the packages used to carry (centre ± half-width, exact 0 and 1 at the ends)."""
    centre = (k + z * z / 2.0) / (n + z * z)
    half = z / (n + z * z) * math.sqrt(k * (n - k) / n + z * z / 4.0)
    return (0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half))


@pytest.mark.parametrize(("k", "n"), PAIRS)
def test_wilson_agrees_with_the_old_formula_to_rounding(k, n):
    """dialer_sim's and amd's Wilson intervals equal the old closed form within 1e-15."""
    ref = old_wilson(k, n)
    assert proportion_interval(k, n) == pytest.approx(ref, abs=1e-15)
    assert wilson_interval(k, n) == pytest.approx(ref, abs=1e-15)
    assert metrics.wilson_interval(k, n) == pytest.approx(ref, abs=1e-15)
    assert binomial_interval(k, n, method="wilson") == pytest.approx(ref, abs=1e-15)


@pytest.mark.parametrize(("k", "n"), PAIRS)
def test_exact_is_clopper_pearson(k, n):
    """The exact interval is the beta-quantile definition, to scipy's root-finding tolerance."""
    low = 0.0 if k == 0 else stats.beta.ppf(0.025, k, n - k + 1)
    high = 1.0 if k == n else stats.beta.ppf(0.975, k + 1, n - k)
    assert proportion_interval(k, n, method="exact") == pytest.approx((low, high), abs=1e-11)
    upper = 1.0 if k == n else stats.beta.ppf(0.95, k + 1, n - k)
    assert proportion_interval(k, n, method="exact", alternative="less") == pytest.approx((0.0, upper), abs=1e-11)


def test_arrays_are_evaluated_per_distinct_pair_in_place():
    """A long array with repeated counts gives each element its own pair's interval, NaN where n = 0."""
    rng = np.random.default_rng(3)
    n = rng.integers(0, 40, size=5_000)
    k = np.floor(rng.uniform(0, 1, size=n.size) * (n + 1)).astype(int)
    low, high = proportion_interval(k, n)
    assert low.shape == high.shape == (5_000,)
    for i in rng.choice(n.size, size=40, replace=False):
        expect = (math.nan, math.nan) if n[i] == 0 else old_wilson(k[i], n[i])
        assert (low[i], high[i]) == pytest.approx(expect, abs=1e-15, nan_ok=True)
    grid_low, _ = proportion_interval(np.array([[1], [2]]), np.array([10, 20, 40]))
    assert grid_low.shape == (2, 3)


@pytest.mark.parametrize("method", ["wilson", "exact"])
def test_real_counts_continue_the_whole_count_intervals(method):
    """A count a hair off a whole number (Ofcom's D') gives the whole count's interval, smoothly."""
    whole = np.array(proportion_interval(7, 120, method=method))
    near = np.array(proportion_interval(7 + 1e-9, 120 + 1e-9, method=method))
    assert near == pytest.approx(whole, abs=1e-8)
    assert proportion_interval(4.2, 5.2, method="wilson") == pytest.approx(old_wilson(4.2, 5.2), abs=1e-15)


def test_bad_arguments_name_the_rule():
    """Unknown method, alternative or level raise ConfigError naming the field."""
    with pytest.raises(ConfigError, match=r"method must be one of wilson, exact; got 'wald'"):
        proportion_interval(1, 2, method="wald")
    with pytest.raises(ConfigError, match=r"alternative must be one of"):
        proportion_interval(1, 2, alternative="up")
    with pytest.raises(ConfigError, match=r"confidence must be in \(0, 1\)"):
        proportion_interval(1, 2, confidence=1.0)


def test_t_half_width_is_the_mean_interval_of_grouped_values():
    """The grouped half-width equals mean_ci per group; groups of one value give NaN."""
    groups = [np.array([0.1, 0.4, 0.2]), np.array([1.0, 3.0, 2.0, 6.0]), np.array([5.0])]
    sd = np.array([np.std(g, ddof=1) if g.size > 1 else np.nan for g in groups])
    half = t_half_width(sd, [g.size for g in groups], confidence=0.9)
    for g, h in zip(groups[:2], half[:2], strict=True):
        assert h == mean_ci(g, confidence=0.9)[1]
    assert math.isnan(half[2])
    assert t_half_width(2.0, 5) == pytest.approx(stats.t.ppf(0.975, 4) * 2.0 / math.sqrt(5), rel=1e-15)


def _calls(path: Path, attr: str) -> list[int]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [n.lineno for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and n.attr == attr
            and isinstance(n.value, ast.Attribute) and n.value.attr == "t"]


def test_one_t_interval_in_dialer_sim_and_the_experiments():
    """Regression: the Student-t half-width was written twice; only dialer_sim.stats evaluates t.ppf now."""
    sources = sorted(f for p in ("dialer_sim", "experiments") for f in (ROOT / p).rglob("*.py"))
    users = {str(f.relative_to(ROOT)): lines for f in sources if (lines := _calls(f, "ppf"))}
    assert list(users) == ["dialer_sim/stats.py"]
