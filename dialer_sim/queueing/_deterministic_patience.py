"""M/M/n+D(τ) in closed form: the open-loop dialer with a compliance window.

Public through :mod:`dialer_sim.queueing`; see its Conventions and References.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ._base import (
    QueueMetrics,
    check_mmn,
    check_nonnegative,
    erlang_b_recursion,
)

__all__ = ["mmn_deterministic_patience"]


def _phi(u: float) -> float:
    """``(e^u − 1)/u`` with ``φ(0) = 1``."""
    return 1.0 if u == 0.0 else float(np.expm1(u) / u)


def _chi(u: float) -> float:
    """``(e^u − 1 − u)/u²`` with its Taylor series near 0 (``χ(0) = 1/2``)."""
    if abs(u) < 1e-2:
        return 0.5 + u / 6.0 + u**2 / 24.0 + u**3 / 120.0 + u**4 / 720.0
    return float((np.expm1(u) - u) / u**2)


def _psi(u: float) -> float:
    """``(1 − e^{−u}(1 + u))/u² = e^{−u}·χ(u)`` for ``u >= 0``, without overflow."""
    if u < 1e-2:
        return float(np.exp(-u)) * _chi(u)
    return float((1.0 - np.exp(-u) * (1.0 + u)) / u**2)


def mmn_deterministic_patience(
    arrival_rate_per_s: float, service_rate_per_s: float, n_agents: int, window_s: float
) -> QueueMetrics:
    """M/M/n+D(τ), FCFS: every waiting call is abandoned after ``τ = window_s``.

    Baccelli–Hébuterne (Baccelli & Hébuterne 1981) with a step patience CDF (``dialer.md`` §2.4).
    With ``δ = nμ − λ``, ``B' = B(n−1, a)`` and
    ``J = (1 − e^{−δτ})/δ + e^{−δτ}/(nμ)`` (first term ``τ`` if ``δ = 0``)::

        P(W>0) = λJB' / (1 + λJB')
        P(Ab)  = P(W>0)·e^{−δτ}/(nμJ)
        E[W]   = P(W>0)/J · [(1 − e^{−δτ}(1 + δτ))/δ² + τe^{−δτ}/(nμ)]

    ``τ = 0`` gives ``P(W>0) = P(Ab) = B(n, a)`` (Erlang B). The formulas are
    rescaled by ``e^{δτ}`` when ``δ < 0`` so that overload does not overflow.

    Parameters
    ----------
    arrival_rate_per_s : float > 0, 1/s
    service_rate_per_s : float > 0, 1/s
    n_agents : int >= 1
    window_s : float >= 0, s
        The compliance window ``τ`` (2 s under FTC and Ofcom rules).

    Returns
    -------
    QueueMetrics

    Examples
    --------
    >>> m = mmn_deterministic_patience(10.0, 1.0, 10, 0.5)
    >>> round(m.p_wait, 6), round(m.p_abandon, 6)
    (0.621104, 0.103517)
    """
    lam, mu, n = check_mmn(arrival_rate_per_s, service_rate_per_s, n_agents)
    tau = check_nonnegative("window_s", window_s)
    nmu = n * mu
    u = (nmu - lam) * tau  # δτ
    if u >= 0.0:
        j_scaled = tau * _phi(-u) + np.exp(-u) / nmu  # J itself
        log_j = np.log(j_scaled)
        p_ab_given_wait = np.exp(-u) / (nmu * j_scaled)
        wait_integral = tau**2 * _psi(u) + tau * np.exp(-u) / nmu  # ∫min(x,τ)e^{λH−nμx}dx
    else:
        j_scaled = tau * _phi(u) + 1.0 / nmu  # J·e^{δτ}
        log_j = -u + np.log(j_scaled)
        p_ab_given_wait = 1.0 / (nmu * j_scaled)
        wait_integral = tau**2 * _chi(u) + tau / nmu  # the same integral times e^{δτ}
    b_prev = erlang_b_recursion(n - 1, lam / mu)
    p_wait = 0.0 if b_prev == 0.0 else float(special.expit(np.log(lam) + log_j + np.log(b_prev)))
    p_abandon = p_wait * p_ab_given_wait
    mean_wait_s = p_wait * wait_integral / j_scaled
    return QueueMetrics(p_wait, float(p_abandon), float(mean_wait_s), float(lam * (1.0 - p_abandon) / nmu))
