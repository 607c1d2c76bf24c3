"""M/M/n+G by numeric integration of the Baccelli–Hébuterne virtual-wait density.

Public through :mod:`dialer_sim.queueing`; see its Conventions and References.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import integrate, optimize, special

from ..errors import ConfigError
from ._base import QueueMetrics, check_mmn, check_positive, erlang_b_recursion

__all__ = ["mmn_general_patience"]


def _cdf_at(patience_cdf: Callable[[float], float], x: float) -> float:
    value = float(patience_cdf(x))
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"patience_cdf must return values in [0, 1]; got {value!r} at x={x!r} s.")
    return value


def _peak_of_exponent(cdf: Callable[[float], float], lam: float, nmu: float, scale_s: float) -> float:
    """Maximiser ``x*`` of the concave ``f(x) = λH(x) − nμx``: ``f'(x) = λ(1 − G(x)) − nμ``."""
    level = 1.0 - nmu / lam
    if cdf(0.0) >= level:
        return 0.0
    hi = scale_s
    while cdf(hi) < level:
        hi *= 2.0
        if hi > 1e12:
            raise ConfigError(
                f"patience_cdf must reach 1 − n_agents·service_rate_per_s/arrival_rate_per_s = {level:.6g} "
                f"for an overloaded queue to be stable; it stays below it up to {hi:.3g} s."
            )
    # G is monotone (possibly with jumps); brentq then converges to the crossing.
    return float(optimize.brentq(lambda x: cdf(x) - level, 0.0, hi, xtol=1e-12 * hi))


def mmn_general_patience(
    arrival_rate_per_s: float,
    service_rate_per_s: float,
    n_agents: int,
    patience_cdf: Callable[[float], float],
    *,
    breakpoints_s: Sequence[float] = (),
) -> QueueMetrics:
    """M/M/n+G, FCFS, for any patience CDF ``G`` by numeric integration.

    Baccelli & Hébuterne (Baccelli & Hébuterne 1981) (``dialer.md`` §2.4): the virtual wait ``V`` has
    an atom at 0 and density ``v(x) = λπ_{n−1}·exp(λH(x) − nμx)`` for ``x > 0``,
    ``H(x) = ∫₀ˣ(1 − G(u))du``. With ``B' = B(n−1, a)`` and the integrals
    ``J = ∫₀^∞ e^{λH−nμx}dx``, ``K = ∫₀^∞ e^{λH−nμx}G(x)dx``,
    ``M = ∫₀^∞ e^{λH−nμx}H(x)dx``::

        P(W>0) = λJB' / (1 + λJB'),  P(Ab) = P(W>0)·K/J,  E[W] = P(W>0)·M/J

    since an arrival that sees virtual wait ``x`` abandons with probability
    ``G(x)`` and waits ``E[min(x, patience)] = H(x)``. The exponent is concave,
    so it is shifted by its maximum before exponentiating (no overflow), and the
    three integrals are taken together with ``scipy.integrate.quad_vec``.

    Parameters
    ----------
    arrival_rate_per_s : float > 0, 1/s
    service_rate_per_s : float > 0, 1/s
    n_agents : int >= 1
    patience_cdf : callable float -> float in [0, 1]
        Non-decreasing ``G(x) = P(patience <= x)``, ``x`` in seconds. A defective
        ``G`` (mass at infinity) is allowed while the queue stays stable.
    breakpoints_s : sequence of float > 0, s
        Where ``G`` jumps or has a kink (e.g. ``[τ]`` for deterministic patience);
        the integrals are split there for accuracy.

    Returns
    -------
    QueueMetrics

    Raises
    ------
    ConfigError
        If ``G`` returns values outside [0, 1], or ``λ >= nμ`` and ``G`` never
        reaches ``1 − nμ/λ`` (unstable queue).

    Examples
    --------
    >>> m = mmn_general_patience(10.0, 1.0, 10, lambda x: float(x >= 0.5), breakpoints_s=[0.5])
    >>> round(m.p_wait, 6), round(m.p_abandon, 6)
    (0.621104, 0.103517)
    """
    lam, mu, n = check_mmn(arrival_rate_per_s, service_rate_per_s, n_agents)
    if not callable(patience_cdf):
        raise ConfigError(f"patience_cdf must be callable; got {patience_cdf!r}.")
    marks = sorted({check_positive("breakpoints_s", b) for b in breakpoints_s})
    nmu = n * mu

    def cdf(x: float) -> float:
        return _cdf_at(patience_cdf, x)

    peak_s = _peak_of_exponent(cdf, lam, nmu, 1.0 / nmu)
    points = sorted(set(marks) | ({peak_s} if peak_s > 0 else set()))

    def reneging_integral(x: float) -> float:  # H(x)
        inner = [p for p in points if p < x]
        return integrate.quad(lambda u: 1.0 - cdf(u), 0.0, x, points=inner or None, limit=200)[0]

    shift = lam * reneging_integral(peak_s) - nmu * peak_s

    def integrand(x: float) -> np.ndarray:
        h = reneging_integral(x)
        weight = np.exp(lam * h - nmu * x - shift)
        return weight * np.array([1.0, cdf(x), h])

    (j_int, k_int, m_int), _ = integrate.quad_vec(integrand, 0.0, np.inf, points=points or None, epsrel=1e-10)
    b_prev = erlang_b_recursion(n - 1, lam / mu)
    log_j = shift + np.log(j_int)
    p_wait = 0.0 if b_prev == 0.0 else float(special.expit(np.log(lam) + log_j + np.log(b_prev)))
    p_abandon = p_wait * k_int / j_int
    return QueueMetrics(
        p_wait, float(p_abandon), float(p_wait * m_int / j_int), float(lam * (1.0 - p_abandon) / nmu)
    )
