"""Confidence intervals for simulation output and for abandoned-call rates.

Conventions
-----------
- ``confidence`` is the two-sided coverage level in (0, 1), 0.95 by default.
- Means come with a symmetric half-width: the interval is ``mean ± half_width``.
- Proportions ``k`` out of ``n`` come as ``(low, high)`` bounds in [0, 1]; the
  functions broadcast over NumPy arrays and return floats for scalar input.
  Every proportion interval comes from scipy's
  ``binomtest(k, n).proportion_ci`` (:func:`proportion_interval`), evaluated
  once per distinct ``(k, n)`` pair.
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

from .errors import ConfigError
from .queueing._base import check_n_agents, check_probability_open

__all__ = [
    "PROPORTION_METHODS",
    "batch_means_ci",
    "clopper_pearson_interval",
    "mean_ci",
    "proportion_interval",
    "t_half_width",
    "wilson_interval",
]

#: ``method`` names of :func:`proportion_interval` (scipy's: Wilson score without continuity correction, and
#: Clopper–Pearson).
PROPORTION_METHODS = ("wilson", "exact")
ALTERNATIVES = ("two-sided", "less", "greater")


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
    half_width = t_half_width(np.std(values, ddof=1), values.size, confidence=level)
    return float(np.mean(values)), float(half_width)


def t_half_width(sd: object, n: object, *, confidence: float = 0.95) -> np.ndarray | float:
    """Student-t half-width ``t_{(1+c)/2, n−1} · sd / sqrt(n)`` of a mean over ``n`` independent values.

    The one formula behind :func:`mean_ci`, for callers that hold the sample
    standard deviation and count of many groups at once.

    Parameters
    ----------
    sd : float or array-like of float >= 0
        Sample standard deviations (``ddof=1``).
    n : int or array-like of int
        Values per group, broadcast against ``sd``; the half-width is NaN where ``n < 2``.
    confidence : float in (0, 1)

    Returns
    -------
    float or np.ndarray

    Examples
    --------
    >>> round(t_half_width(1.0, 10), 6)
    0.715357
    """
    level = check_probability_open("confidence", confidence)
    sd_arr, n_arr = np.broadcast_arrays(np.asarray(sd, dtype=float), np.asarray(n, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = _scipy_stats.t.ppf(0.5 + level / 2.0, np.maximum(n_arr - 1.0, 1.0)) * sd_arr / np.sqrt(n_arr)
    half = np.where(n_arr >= 2, half, np.nan)
    return float(half) if half.ndim == 0 else half


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


def _scipy_bounds(k: int, n: int, method: str, level: float, alternative: str) -> tuple[float, float]:
    ci = _scipy_stats.binomtest(k, n, alternative=alternative).proportion_ci(confidence_level=level, method=method)
    return float(ci.low), float(ci.high)


def _real_count_bounds(k: np.ndarray, n: np.ndarray, method: str, level: float,
                       alternative: str) -> tuple[np.ndarray, np.ndarray]:
    """The same intervals at counts that are not whole numbers, which ``binomtest`` does not take.

    Wilson: the roots in ``p`` of the score equation ``(k − n p)² = z² n p (1 − p)``,
    the equation scipy solves for whole counts. Exact: the beta quantiles that define
    Clopper–Pearson, ``Beta(k, n − k + 1)`` and ``Beta(k + 1, n − k)``.
    """
    two_sided = alternative == "two-sided"
    tail = (1.0 - level) / 2.0 if two_sided else 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "wilson":
            z = _scipy_stats.norm.ppf(0.5 + level / 2.0 if two_sided else level)
            a, b, c = n + z * z, -(2.0 * k + z * z), k * k / n
            root = np.sqrt(np.maximum(b * b - 4.0 * a * c, 0.0))
            low, high = np.maximum(0.0, (-b - root) / (2.0 * a)), np.minimum(1.0, (-b + root) / (2.0 * a))
        else:
            low = np.where(k > 0, _scipy_stats.beta.ppf(tail, k, n - k + 1.0), 0.0)
            high = np.where(k < n, _scipy_stats.beta.ppf(1.0 - tail, k + 1.0, np.maximum(n - k, 1e-300)), 1.0)
    if alternative == "less":
        low = np.zeros_like(low)
    elif alternative == "greater":
        high = np.ones_like(high)
    return low, high


def proportion_interval(k: object, n: object, *, method: str = "wilson", confidence: float = 0.95,
                        alternative: str = "two-sided") -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for binomial proportions ``k/n`` from scipy's ``binomtest(k, n).proportion_ci``.

    Whole counts go to scipy once per distinct ``(k, n)`` pair, so long arrays of
    few distinct counts (one row per call, per window) cost a few scipy calls.
    A count that is not a whole number (an adjusted count such as Ofcom's D′ in
    ``dialer_sim.compliance``) is evaluated by the same definition at the real
    count, smooth in ``k``; for whole counts the two agree to rounding.

    Parameters
    ----------
    k : float or array-like of float >= 0
        Successes (e.g. abandoned calls); NaN gives NaN bounds.
    n : float or array-like of float >= k
        Trials, broadcast against ``k``; the bounds are NaN where ``n`` is 0 or NaN.
    method : {'wilson', 'exact'}
        Wilson's score interval without continuity correction [W27]_, or the
        Clopper–Pearson interval [CP34]_ (scipy's method names).
    confidence : float in (0, 1)
    alternative : {'two-sided', 'less', 'greater'}
        ``'less'`` gives a one-sided upper bound (``low = 0``), ``'greater'`` a
        one-sided lower bound (``high = 1``).

    Returns
    -------
    low, high : np.ndarray of float in [0, 1]
        With the broadcast shape of ``k`` and ``n``.

    Raises
    ------
    ConfigError
        On an unknown ``method`` or ``alternative``, or ``confidence`` outside (0, 1).

    Examples
    --------
    >>> low, high = proportion_interval([3, 3, 0], [100, 100, 10])
    >>> np.round(low, 4).tolist(), np.round(high, 4).tolist()
    ([0.0103, 0.0103, 0.0], [0.0845, 0.0845, 0.2775])
    """
    level = check_probability_open("confidence", confidence)
    if method not in PROPORTION_METHODS:
        raise ConfigError(f"method must be one of {', '.join(PROPORTION_METHODS)}; got {method!r}.")
    if alternative not in ALTERNATIVES:
        raise ConfigError(f"alternative must be one of {', '.join(ALTERNATIVES)}; got {alternative!r}.")
    k_arr, n_arr = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    low, high = np.full(k_arr.shape, np.nan), np.full(k_arr.shape, np.nan)
    defined = np.isfinite(k_arr) & np.isfinite(n_arr) & (n_arr > 0)
    whole = defined & (k_arr == np.round(k_arr)) & (n_arr == np.round(n_arr))
    if whole.any():
        pairs, inverse = np.unique(np.stack([k_arr[whole], n_arr[whole]], axis=1), axis=0, return_inverse=True)
        bounds = np.array([_scipy_bounds(int(kk), int(nn), method, level, alternative) for kk, nn in pairs])
        low[whole], high[whole] = bounds[inverse.ravel(), 0], bounds[inverse.ravel(), 1]
    real = defined & ~whole
    if real.any():
        low[real], high[real] = _real_count_bounds(k_arr[real], n_arr[real], method, level, alternative)
    return low, high


def wilson_interval(k: object, n: object, *, confidence: float = 0.95) -> tuple:
    """Wilson score interval for a binomial proportion ``k/n`` [W27]_.

    :func:`proportion_interval` with ``method="wilson"`` for whole counts: with
    ``z`` the ``(1 + c)/2`` normal quantile, ``centre = (k + z²/2)/(n + z²)`` and
    ``half_width = z/(n + z²) · sqrt(k(n − k)/n + z²/4)``; the bound is exactly 0
    at ``k = 0`` and exactly 1 at ``k = n``.

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
    k_arr, n_arr = _counts(k, n)
    return _as_output(*proportion_interval(k_arr, n_arr, method="wilson", confidence=confidence))


def clopper_pearson_interval(k: object, n: object, *, confidence: float = 0.95) -> tuple:
    """Clopper–Pearson ("exact") interval for a binomial proportion [CP34]_.

    :func:`proportion_interval` with ``method="exact"`` for whole counts:
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
    k_arr, n_arr = _counts(k, n)
    return _as_output(*proportion_interval(k_arr, n_arr, method="exact", confidence=confidence))
