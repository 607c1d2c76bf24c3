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

Both come from :func:`dialer_sim.stats.proportion_interval` (scipy's
``binomtest(k, n).proportion_ci``, methods ``wilson`` and ``exact``). Ofcom's
adjusted drop count D′ need not be a whole number; such a count is evaluated
there by the same definitions at the real ``k``, smooth in ``k``.

Conventions
-----------
- ``k`` is the numerator count and ``n`` the denominator count, as float arrays
  of the same shape; ``0 <= k <= n``. Where ``n == 0`` the interval is NaN.
- ``confidence`` is the two-sided level, e.g. 0.95.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..stats import proportion_interval

__all__ = ["CI_METHODS", "binomial_interval", "confidence_bounds"]

CI_METHODS = ("wilson", "clopper-pearson")
#: scipy's name of each method.
_SCIPY_METHOD = {"wilson": "wilson", "clopper-pearson": "exact"}


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ConfigError(f"`confidence` must be in (0, 1); got {confidence!r}.")


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
    if method not in CI_METHODS:
        raise ConfigError(f"`ci` must be one of {', '.join(CI_METHODS)}; got {method!r}.")
    return proportion_interval(k, n, method=_SCIPY_METHOD[method], confidence=confidence)


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
