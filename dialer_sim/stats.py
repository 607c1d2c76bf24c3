"""Confidence intervals for simulation output and for abandoned-call rates.

Conventions
-----------
- ``confidence`` is the two-sided coverage level in (0, 1), 0.95 by default.
- Means come with a symmetric half-width: the interval is ``mean ± half_width``.
- Proportions ``k`` out of ``n`` come as ``(low, high)`` bounds in [0, 1]; the
  functions broadcast over NumPy arrays and return floats for scalar input.
- An empty denominator ``n = 0`` gives ``(nan, nan)`` without a warning: a rate
  over no calls is undefined, and callers such as the compliance report flag
  such windows themselves (a warning per empty window would only be noise).

References
----------
.. [W27] E. B. Wilson, "Probable inference, the law of succession, and
   statistical inference", JASA 22(158), 1927.
.. [CP34] C. J. Clopper, E. S. Pearson, "The use of confidence or fiducial
   limits illustrated in the case of the binomial", Biometrika 26(4), 1934.
.. [LK00] A. M. Law, W. D. Kelton, *Simulation Modeling and Analysis*, 3rd ed.,
   §9.5.3 (non-overlapping batch means).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as _scipy_stats

from ._queueing_base import check_n_agents, check_probability_open
from .errors import ConfigError

__all__ = ["batch_means_ci", "clopper_pearson_interval", "mean_ci", "wilson_interval"]


def _finite_samples(name: str, values: object, n_min: int) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ConfigError(f"{name} must be one-dimensional; got shape {array.shape}.")
    if array.size < n_min:
        raise ConfigError(f"{name} must hold at least {n_min} values; got {array.size}.")
    if not np.all(np.isfinite(array)):
        raise ConfigError(f"{name} must be finite; got {int(np.sum(~np.isfinite(array)))} non-finite values.")
    return array


def mean_ci(samples: object, *, confidence: float = 0.95) -> tuple[float, float]:
    """Student-t confidence interval of the mean of independent replications.

    ``half_width = t_{(1+c)/2, m−1} · s / sqrt(m)`` with ``s`` the sample
    standard deviation (``ddof=1``) of the ``m`` values.

    Parameters
    ----------
    samples : array-like [shape=(m,)], m >= 2, finite
        One value per independent replication.
    confidence : float in (0, 1)

    Returns
    -------
    mean : float
    half_width : float >= 0

    Examples
    --------
    >>> mean, half = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> mean, round(half, 6)
    (3.0, 1.963243)
    """
    level = check_probability_open("confidence", confidence)
    values = _finite_samples("samples", samples, 2)
    quantile = _scipy_stats.t.ppf(0.5 + level / 2.0, values.size - 1)
    half_width = quantile * np.std(values, ddof=1) / np.sqrt(values.size)
    return float(np.mean(values)), float(half_width)


def batch_means_ci(series: object, *, n_batches: int = 20, confidence: float = 0.95) -> tuple[float, float]:
    """Confidence interval of the steady-state mean of one long, correlated run.

    Non-overlapping batch means [LK00]_: the series (warm-up already removed)
    is cut into ``n_batches`` contiguous batches of equal length ``b =
    len(series) // n_batches``; the ``len(series) − n_batches·b`` leftover values
    are dropped from the *start*, where the initial transient lingers longest.
    The batch means are treated as independent and passed to :func:`mean_ci`.
    This is valid when each batch is much longer than the correlation time.

    Parameters
    ----------
    series : array-like [shape=(n_obs,)], n_obs >= n_batches, finite
    n_batches : int >= 2
    confidence : float in (0, 1)

    Returns
    -------
    mean : float
        Mean of the values used (equal to the mean of the batch means).
    half_width : float >= 0

    Examples
    --------
    >>> mean, half = batch_means_ci(np.arange(10.0), n_batches=5)
    >>> mean, round(half, 6)
    (4.5, 3.926486)
    """
    n = check_n_agents(n_batches, name="n_batches")
    if n < 2:
        raise ConfigError(f"n_batches must be an integer >= 2; got {n_batches!r}.")
    values = _finite_samples("series", series, n)
    batch_len = values.size // n
    used = values[values.size - n * batch_len :]
    return mean_ci(used.reshape(n, batch_len).mean(axis=1), confidence=confidence)


def _counts(k: object, n: object) -> tuple[np.ndarray, np.ndarray]:
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    for name, arr in (("k", k_arr), ("n", n_arr)):
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)) or np.any(arr < 0):
            raise ConfigError(f"{name} must hold integers >= 0; got {np.asarray(k if name == 'k' else n)!r}.")
    if np.any(k_arr > n_arr):
        raise ConfigError(f"k must be <= n; got k={k!r}, n={n!r}.")
    return np.broadcast_arrays(k_arr, n_arr)


def _as_output(low: np.ndarray, high: np.ndarray) -> tuple:
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def wilson_interval(k: object, n: object, *, confidence: float = 0.95) -> tuple:
    """Wilson score interval for a binomial proportion ``k/n`` [W27]_.

    With ``z`` the ``(1 + c)/2`` normal quantile and ``p̂ = k/n``::

        centre     = (k + z²/2) / (n + z²)
        half_width = z/(n + z²) · sqrt(k(n − k)/n + z²/4)

    The bound is exactly 0 at ``k = 0`` and exactly 1 at ``k = n``.

    Parameters
    ----------
    k : int or array-like of int >= 0
        Successes (e.g. abandoned calls).
    n : int or array-like of int >= k
        Trials (e.g. live answers); broadcast against ``k``.
    confidence : float in (0, 1)

    Returns
    -------
    low, high : float or np.ndarray
        NaN where ``n = 0``.

    Examples
    --------
    >>> low, high = wilson_interval(5, 10)
    >>> round(low, 6), round(high, 6)
    (0.236593, 0.763407)
    """
    level = check_probability_open("confidence", confidence)
    k_arr, n_arr = _counts(k, n)
    z = _scipy_stats.norm.ppf(0.5 + level / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = (k_arr + z**2 / 2.0) / (n_arr + z**2)
        half = z / (n_arr + z**2) * np.sqrt(k_arr * (n_arr - k_arr) / n_arr + z**2 / 4.0)
    low = np.where(k_arr == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k_arr == n_arr, 1.0, np.clip(centre + half, 0.0, 1.0))
    empty = n_arr == 0
    return _as_output(np.where(empty, np.nan, low), np.where(empty, np.nan, high))


def clopper_pearson_interval(k: object, n: object, *, confidence: float = 0.95) -> tuple:
    """Clopper–Pearson ("exact") interval for a binomial proportion [CP34]_.

    ``low = Beta⁻¹(α/2; k, n − k + 1)`` (0 if ``k = 0``) and
    ``high = Beta⁻¹(1 − α/2; k + 1, n − k)`` (1 if ``k = n``), ``α = 1 − c``.
    Its coverage is at least ``c`` for every true proportion.

    Parameters
    ----------
    k, n, confidence
        As in :func:`wilson_interval`.

    Returns
    -------
    low, high : float or np.ndarray
        NaN where ``n = 0``.

    Examples
    --------
    >>> low, high = clopper_pearson_interval(0, 10)
    >>> low, round(high, 6)
    (0.0, 0.308497)
    """
    level = check_probability_open("confidence", confidence)
    k_arr, n_arr = _counts(k, n)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        low = _scipy_stats.beta.ppf(alpha / 2.0, k_arr, n_arr - k_arr + 1.0)
        high = _scipy_stats.beta.ppf(1.0 - alpha / 2.0, k_arr + 1.0, n_arr - k_arr)
    low = np.where(k_arr == 0, 0.0, low)
    high = np.where(k_arr == n_arr, 1.0, high)
    empty = n_arr == 0
    return _as_output(np.where(empty, np.nan, low), np.where(empty, np.nan, high))
