"""Binomial confidence intervals for abandoned-call rates.

Two intervals are offered, and every result says which one it used:

- **Wilson** (score) interval: Wilson (1927), *JASA* 22:209. Its coverage stays
  close to the nominal level even for rates of a few per cent and a few hundred
  calls, where the textbook Wald interval fails (Brown, Cai & DasGupta 2001,
  *Statistical Science* 16:101).
- **Clopper–Pearson** ("exact") interval: Clopper & Pearson (1934),
  *Biometrika* 26:404, computed from the beta quantiles
  ``Beta(k, n − k + 1).ppf(α/2)`` and ``Beta(k + 1, n − k).ppf(1 − α/2)``. It
  never under-covers, at the price of being wider.

Whole counts go to scipy's ``binomtest(k, n).proportion_ci`` (methods
``wilson`` and ``exact``). Ofcom's adjusted drop count D′ need not be a whole
number, which ``binomtest`` does not take; for such a count the same two
intervals are evaluated at the real ``k`` (the score equation's roots, and the
beta quantiles), both smooth in ``k``.

Conventions
-----------
- ``k`` is the numerator count and ``n`` the denominator count, as float arrays
  of the same shape; ``0 <= k <= n``. Where ``n == 0`` the interval is NaN.
- ``confidence`` is the two-sided level, e.g. 0.95.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ConfigError

__all__ = ["CI_METHODS", "binomial_interval", "clopper_pearson_upper", "confidence_bounds"]

CI_METHODS = ("wilson", "clopper-pearson")


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ConfigError(f"`confidence` must be in (0, 1); got {confidence!r}.")


def _clopper_pearson(k: np.ndarray, n: np.ndarray, confidence: float) -> tuple[float, float]:
    """Clopper–Pearson bounds from the beta quantiles, which accept a non-integer count."""
    alpha = 1.0 - confidence
    low = stats.beta.ppf(alpha / 2.0, k, n - k + 1.0) if k > 0 else 0.0
    high = stats.beta.ppf(1.0 - alpha / 2.0, k + 1.0, n - k) if k < n else 1.0
    return float(low), float(high)


def _fractional(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Where a count is not a whole number (Ofcom's D′), which scipy's binomial test does not take."""
    return (k != np.round(k)) | (n != np.round(n))


def _score_interval(k: float, n: float, confidence: float) -> tuple[float, float]:
    """The Wilson score bounds for a non-integer count: the roots in p of (k − n p)² = z² n p (1 − p)."""
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    a, b, c = n + z * z, -(2.0 * k + z * z), k * k / n
    root = np.sqrt(max(b * b - 4.0 * a * c, 0.0))
    return max(0.0, (-b - root) / (2.0 * a)), min(1.0, (-b + root) / (2.0 * a))


def _one_interval(k: float, n: float, method: str, confidence: float, fractional: bool) -> tuple[float, float]:
    if n <= 0:
        return np.nan, np.nan
    if fractional:
        if method == "wilson":
            return _score_interval(k, n, confidence)
        return _clopper_pearson(np.asarray(k), np.asarray(n), confidence)
    ci = stats.binomtest(int(round(k)), int(round(n))).proportion_ci(
        confidence, method="wilson" if method == "wilson" else "exact"
    )
    return float(ci.low), float(ci.high)


def binomial_interval(
    k: np.ndarray | float,
    n: np.ndarray | float,
    *,
    method: str,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided confidence interval for a binomial proportion ``k / n``.

    Parameters
    ----------
    k : array_like of float >= 0
        Numerator counts (may be non-integer, e.g. Ofcom's D′).
    n : array_like of float >= k
        Denominator counts. Where ``n == 0`` both bounds are NaN.
    method : {'wilson', 'clopper-pearson'}
        Which interval (see the module docstring).
    confidence : float in (0, 1)
        Two-sided confidence level.

    Returns
    -------
    low, high : np.ndarray of float in [0, 1]
        Bounds with the broadcast shape of ``k`` and ``n``.

    Raises
    ------
    ConfigError
        On an unknown ``method`` or a ``confidence`` outside (0, 1).

    Examples
    --------
    >>> low, high = binomial_interval(3, 100, method="wilson")
    >>> round(float(low), 4), round(float(high), 4)
    (0.0103, 0.0845)
    """
    _check_confidence(confidence)
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if method not in CI_METHODS:
        raise ConfigError(f"`ci` must be one of {', '.join(CI_METHODS)}; got {method!r}.")
    k_arr, n_arr = np.broadcast_arrays(k_arr, n_arr)
    frac = _fractional(k_arr, n_arr)
    pairs = [_one_interval(k_, n_, method, confidence, f_)
             for k_, n_, f_ in zip(k_arr.ravel(), n_arr.ravel(), frac.ravel(), strict=True)]
    low = np.array([p[0] for p in pairs], dtype=float).reshape(k_arr.shape)
    high = np.array([p[1] for p in pairs], dtype=float).reshape(k_arr.shape)
    return low, high


def confidence_bounds(out: pd.DataFrame, *, method: str, confidence: float) -> None:
    """Set ``ci95_low`` and ``ci95_high`` of each window from its numerator and denominator."""
    num, den = out["numerator"].to_numpy(float), out["denominator"].to_numpy(float)
    if "n_amd_fp_high" in out and (out["n_amd_fp_high"] > out["n_amd_fp_low"]).any():
        # An audit-estimated F: combine the extreme F values with a binomial CI at
        # 1 − α/2 each, so the union has coverage >= 1 − α (Bonferroni).
        level = 1.0 - (1.0 - confidence) / 2.0
        f, f_low, f_high = (out[c].to_numpy(float) for c in ("n_amd_fp", "n_amd_fp_low", "n_amd_fp_high"))
        low, _ = binomial_interval(num - f + f_low, den - f + f_low, method=method, confidence=level)
        _, high = binomial_interval(num - f + f_high, den - f + f_high, method=method, confidence=level)
    else:
        low, high = binomial_interval(num, den, method=method, confidence=confidence)
    out["ci95_low"], out["ci95_high"] = low, high


def clopper_pearson_upper(k: np.ndarray | float, n: np.ndarray | float, *, confidence: float) -> np.ndarray:
    """One-sided exact upper confidence bound for a binomial proportion.

    ``Beta(k + 1, n − k).ppf(confidence)``, and 1 when ``k == n``. Used for the
    AMD false-positive audit, where only an upper bound matters.

    Parameters
    ----------
    k : array_like of float >= 0
        Successes (people found among audited AMD "machine" calls).
    n : array_like of float >= k
        Trials (recordings audited). NaN where ``n == 0``.
    confidence : float in (0, 1)
        One-sided level, e.g. 0.95.

    Returns
    -------
    np.ndarray of float in [0, 1]
    """
    _check_confidence(confidence)
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        upper = np.where(
            k_arr < n_arr, stats.beta.ppf(confidence, k_arr + 1.0, np.maximum(n_arr - k_arr, 1e-300)), 1.0
        )
    return np.where(n_arr <= 0, np.nan, upper)
