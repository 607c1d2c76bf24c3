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

Both accept non-integer counts (Ofcom's adjusted drop count D′ is a real
number); the beta form and the score form are smooth in ``k``.

Conventions
-----------
- ``k`` is the numerator count and ``n`` the denominator count, as float arrays
  of the same shape; ``0 <= k <= n``. Where ``n == 0`` the interval is NaN.
- ``confidence`` is the two-sided level, e.g. 0.95.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..errors import ConfigError

__all__ = ["CI_METHODS", "binomial_interval", "clopper_pearson_upper"]

CI_METHODS = ("wilson", "clopper-pearson")


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ConfigError(f"`confidence` must be in (0, 1); got {confidence!r}.")


def _wilson(k: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(0.5 + confidence / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    # At k = 0 (k = n) the bound is exactly 0 (1); avoid rounding residue like 3e-17.
    low = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return low, high


def _clopper_pearson(k: np.ndarray, n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1.0 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        # Beta(0, .) is degenerate at 0 and Beta(., 0) at 1; handle the edges explicitly.
        low = np.where(k > 0, stats.beta.ppf(alpha / 2.0, np.maximum(k, 1e-300), n - k + 1.0), 0.0)
        high = np.where(k < n, stats.beta.ppf(1.0 - alpha / 2.0, k + 1.0, np.maximum(n - k, 1e-300)), 1.0)
    return low, high


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
    if method == "wilson":
        low, high = _wilson(k_arr, n_arr, confidence)
    elif method == "clopper-pearson":
        low, high = _clopper_pearson(k_arr, n_arr, confidence)
    else:
        raise ConfigError(f"`ci` must be one of {', '.join(CI_METHODS)}; got {method!r}.")
    empty = n_arr <= 0
    low = np.where(empty, np.nan, low)
    high = np.where(empty, np.nan, high)
    return low, high


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
