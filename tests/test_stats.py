"""Confidence-interval helpers: hand-computed values, edge cases, coverage by simulation."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from scipy import signal, stats

import dialer_sim.stats as dstats
from dialer_sim.errors import ConfigError
from dialer_sim.stats import batch_means_ci, clopper_pearson_interval, mean_ci, wilson_interval

Z_975 = 1.959963984540054  # standard normal 0.975 quantile
T_975_DF4 = 2.7764451051977987  # Student t 0.975 quantile, 4 degrees of freedom (tables: 2.776)


def coverage_tolerance(p_nominal: float, n_trials: int, z: float = 4.0) -> float:
    """Half-width of a z-sigma band for an observed coverage proportion."""
    return z * math.sqrt(p_nominal * (1.0 - p_nominal) / n_trials)


def test_mean_ci_hand_computed():
    """[1, 2, 3, 4, 5]: mean 3, s = sqrt(2.5), half-width t₀.₉₇₅,₄·s/sqrt(5)."""
    mean, half = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    assert mean == 3.0
    assert half == pytest.approx(T_975_DF4 * math.sqrt(2.5) / math.sqrt(5.0), rel=1e-12)
    _, half_90 = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0], confidence=0.90)
    assert half_90 < half


def test_mean_ci_coverage_on_normal_replications(rng):
    """Student-t intervals over 5 normal replications cover the true mean ~95 % of the time."""
    n_trials = 4000
    samples = rng.normal(10.0, 3.0, size=(n_trials, 5))
    covered = 0
    for row in samples:
        mean, half = mean_ci(row)
        covered += abs(mean - 10.0) <= half
    assert abs(covered / n_trials - 0.95) < coverage_tolerance(0.95, n_trials)


def test_batch_means_drops_leftover_from_start():
    """Length 23 into 5 batches of 4: the first 3 values are dropped."""
    series = np.arange(23.0) ** 1.5
    mean, half = batch_means_ci(series, n_batches=5)
    batches = series[3:].reshape(5, 4).mean(axis=1)
    assert mean == pytest.approx(batches.mean(), rel=1e-14)
    assert half == pytest.approx(T_975_DF4 * batches.std(ddof=1) / math.sqrt(5.0), rel=1e-12)


def test_batch_means_coverage_on_autocorrelated_series(rng):
    """AR(1) with φ = 0.8: batch means cover the mean ~95 %, the naive iid interval is ~3x too narrow."""
    phi, n_reps, n_obs = 0.8, 400, 20_000
    noise = rng.normal(size=(n_reps, n_obs + 500))
    series = signal.lfilter([1.0], [1.0, -phi], noise, axis=1)[:, 500:] + 7.0  # stationary, mean 7
    covered, width_ratio = 0, []
    for row in series:
        mean, half = batch_means_ci(row, n_batches=20)
        covered += abs(mean - 7.0) <= half
        width_ratio.append(half / (Z_975 * row.std(ddof=1) / math.sqrt(n_obs)))
    assert abs(covered / n_reps - 0.95) < coverage_tolerance(0.95, n_reps)
    # The variance inflation of AR(1) is (1 + φ)/(1 − φ) = 9; the t quantile with 19 df adds ~6 %.
    assert 2.6 < np.mean(width_ratio) < 3.6


def test_wilson_hand_computed_k5_n10():
    """k = 5, n = 10: centre 1/2, half-width z/(10 + z²)·sqrt(2.5 + z²/4)."""
    low, high = wilson_interval(5, 10)
    half = Z_975 / (10 + Z_975**2) * math.sqrt(2.5 + Z_975**2 / 4)
    assert low == pytest.approx(0.5 - half, abs=1e-12)
    assert high == pytest.approx(0.5 + half, abs=1e-12)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)


def test_wilson_edges_and_symmetry():
    """k = 0 gives low = 0, k = n gives high = 1, and the interval of n − k mirrors that of k."""
    k = np.arange(11)
    low, high = wilson_interval(k, 10)
    assert low[0] == 0.0
    assert high[-1] == 1.0
    np.testing.assert_allclose(low, 1.0 - high[::-1], atol=1e-14)
    assert np.all((low < k / 10) | (k == 0))
    assert np.all((high > k / 10) | (k == 10))
    assert wilson_interval(0, 10)[1] == pytest.approx(Z_975**2 / (10 + Z_975**2), rel=1e-12)


def test_intervals_broadcast_and_return_floats_for_scalars():
    """Arrays broadcast; scalar input returns plain floats."""
    low, high = wilson_interval(np.array([[1], [2]]), np.array([10, 20, 40]))
    assert low.shape == high.shape == (2, 3)
    scalar = clopper_pearson_interval(3, 30)
    assert all(type(bound) is float for bound in scalar)


def test_empty_denominator_gives_nan_without_warning(recwarn):
    """n = 0 gives (nan, nan) silently; other entries of an array are unaffected."""
    low, high = wilson_interval(np.array([0, 3]), np.array([0, 10]))
    assert np.isnan(low[0])
    assert np.isnan(high[0])
    assert 0 < low[1] < 0.3 < high[1] < 1
    assert all(math.isnan(b) for b in clopper_pearson_interval(0, 0))
    assert len(recwarn) == 0


def test_clopper_pearson_published_values():
    """k = 0, n = 10: high = 1 − 0.025^(1/10); k = 5, n = 10: (0.1871, 0.8129) as in published tables."""
    low, high = clopper_pearson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(1.0 - 0.025 ** (1 / 10), rel=1e-10)
    low, high = clopper_pearson_interval(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.1871, 0.8129)
    assert clopper_pearson_interval(10, 10) == pytest.approx((0.025 ** (1 / 10), 1.0), rel=1e-10)


def test_clopper_pearson_exact_coverage_is_at_least_nominal():
    """Exact binomial coverage of Clopper-Pearson is >= 95 % for every p (its defining guarantee)."""
    n = 30
    k = np.arange(n + 1)
    low, high = clopper_pearson_interval(k, n)
    for p in np.linspace(0.01, 0.99, 99):
        coverage = stats.binom.pmf(k, n, p)[(low <= p) & (p <= high)].sum()
        assert coverage >= 0.95 - 1e-12


def test_wilson_coverage_by_simulation(rng):
    """p ~ U(0, 1), k ~ Bin(40, p): simulated coverage agrees with the exact average coverage,
    which is within 0.5 point of nominal (Brown, Cai & DasGupta 2001)."""
    n, n_trials = 40, 20_000
    k_all = np.arange(n + 1)
    low_all, high_all = wilson_interval(k_all, n)
    # Under a uniform prior, p | k ~ Beta(k + 1, n − k + 1) and P(k) = 1/(n + 1).
    exact = np.mean(
        stats.beta.cdf(high_all, k_all + 1, n - k_all + 1) - stats.beta.cdf(low_all, k_all + 1, n - k_all + 1)
    )
    assert abs(exact - 0.95) < 0.005
    p = rng.uniform(size=n_trials)
    k = rng.binomial(n, p)
    low, high = wilson_interval(k, n)
    simulated = np.mean((low <= p) & (p <= high))
    assert abs(simulated - exact) < coverage_tolerance(exact, n_trials)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mean_ci([1.0]), r"samples must hold at least 2 values; got 1\."),
        (lambda: mean_ci([1.0, float("nan")]), r"samples must be finite"),
        (lambda: mean_ci([[1.0, 2.0]]), r"samples must be one-dimensional"),
        (lambda: mean_ci([1.0, 2.0], confidence=95), r"confidence must be in \(0, 1\); got 95\."),
        (lambda: batch_means_ci(np.ones(100), n_batches=1), r"n_batches must be an integer >= 2; got 1\."),
        (lambda: batch_means_ci(np.ones(10), n_batches=20), r"series must hold at least 20 values; got 10\."),
        (lambda: wilson_interval(11, 10), r"k must be <= n"),
        (lambda: wilson_interval(-1, 10), r"k must hold integers >= 0"),
        (lambda: clopper_pearson_interval(2.5, 10), r"k must hold integers >= 0"),
        (lambda: clopper_pearson_interval(2, np.nan), r"n must hold integers >= 0"),
    ],
)
def test_invalid_inputs_raise_config_error(call, message):
    """Bad input gives a ConfigError naming the field and the rule."""
    with pytest.raises(ConfigError, match=message):
        call()


def test_docstring_examples_run():
    """The numpydoc Examples pass as doctests."""
    failed, attempted = doctest.testmod(dstats, raise_on_error=False)[:2]
    assert attempted >= 5
    assert failed == 0
