"""Erlang B (M/M/n/n, blocked calls lost) and Erlang C (M/M/n, endless patience).

The two classical queues without impatience; conventions and references as in
:mod:`dialer_sim.queueing`, which exports these functions.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ._base import (
    QueueMetrics,
    check_mmn,
    check_n_agents,
    check_nonnegative,
    check_positive,
    erlang_b_recursion,
)

__all__ = ["erlang_b", "erlang_b_metrics", "erlang_c", "erlang_c_metrics", "erlang_c_wait_tail"]


def erlang_b(n_agents: int, offered_load: float) -> float:
    """Erlang B blocking probability ``B(n, a)`` of the M/M/n/n loss system.

    ``B(n, a) = (aⁿ/n!) / Σ_{k=0..n} aᵏ/k!``, evaluated with the stable recursion
    ``B(0) = 1``, ``B(k) = a·B(k−1)/(k + a·B(k−1))``.

    Parameters
    ----------
    n_agents : int >= 1
    offered_load : float >= 0, Erlangs
        ``a = λ/μ``.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> round(erlang_b(10, 8.0), 6)
    0.121661
    """
    n = check_n_agents(n_agents)
    load = check_nonnegative("offered_load", offered_load)
    return erlang_b_recursion(n, load)


def _check_stable(n: int, load: float) -> None:
    if load >= n:
        raise ConfigError(
            f"offered_load must be < n_agents for Erlang C (a stable M/M/n queue); "
            f"got offered_load={load!r} with n_agents={n}."
        )


def erlang_c(n_agents: int, offered_load: float) -> float:
    """Erlang C probability of waiting ``C(n, a) = P(W > 0)`` of M/M/n.

    ``C = n·B / (n − a(1 − B))`` with ``B = B(n, a)``.

    Parameters
    ----------
    n_agents : int >= 1
    offered_load : float in [0, n_agents), Erlangs

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    ConfigError
        If ``offered_load >= n_agents`` (the queue is unstable).

    Examples
    --------
    >>> round(erlang_c(10, 8.0), 6)
    0.40918
    """
    n = check_n_agents(n_agents)
    load = check_nonnegative("offered_load", offered_load)
    _check_stable(n, load)
    blocking = erlang_b_recursion(n, load)
    return n * blocking / (n - load * (1.0 - blocking))


def erlang_c_wait_tail(
    arrival_rate_per_s: float, service_rate_per_s: float, n_agents: int, wait_s: float | np.ndarray
) -> float | np.ndarray:
    """M/M/n waiting-time tail ``P(W > t) = C·exp(−(nμ − λ)t)``.

    Parameters
    ----------
    arrival_rate_per_s : float > 0, 1/s
    service_rate_per_s : float > 0, 1/s
    n_agents : int >= 1
    wait_s : float or np.ndarray >= 0, s

    Returns
    -------
    float or np.ndarray in [0, 1], same shape as ``wait_s``.

    Examples
    --------
    >>> round(erlang_c_wait_tail(8.0, 1.0, 10, 0.0), 6)
    0.40918
    """
    lam = check_positive("arrival_rate_per_s", arrival_rate_per_s)
    mu = check_positive("service_rate_per_s", service_rate_per_s)
    c = erlang_c(n_agents, lam / mu)
    t = np.asarray(wait_s, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ConfigError(f"wait_s must be finite and >= 0; got {wait_s!r}.")
    tail = c * np.exp(-(int(n_agents) * mu - lam) * t)
    return float(tail) if tail.ndim == 0 else tail


def erlang_b_metrics(arrival_rate_per_s: float, service_rate_per_s: float, n_agents: int) -> QueueMetrics:
    """Erlang B (M/M/n/n loss system) as :class:`QueueMetrics`.

    A call that finds all agents busy is lost at once, so
    ``p_wait = p_abandon = B(n, a)``, ``mean_wait_s = 0`` and
    ``utilisation = a(1 − B)/n``. This equals M/M/n+D with ``window_s = 0``.

    Examples
    --------
    >>> m = erlang_b_metrics(8.0, 1.0, 10)
    >>> round(m.p_abandon, 6), round(m.utilisation, 6)
    (0.121661, 0.702671)
    """
    lam, mu, n = check_mmn(arrival_rate_per_s, service_rate_per_s, n_agents)
    blocking = erlang_b_recursion(n, lam / mu)
    return QueueMetrics(blocking, blocking, 0.0, lam * (1.0 - blocking) / (n * mu))


def erlang_c_metrics(arrival_rate_per_s: float, service_rate_per_s: float, n_agents: int) -> QueueMetrics:
    """Erlang C (M/M/n, infinite patience) as :class:`QueueMetrics`.

    ``p_wait = C(n, a)``, ``p_abandon = 0``, ``mean_wait_s = C/(nμ − λ)``,
    ``utilisation = a/n``.

    Raises
    ------
    ConfigError
        If ``λ >= nμ`` (unstable).

    Examples
    --------
    >>> m = erlang_c_metrics(8.0, 1.0, 10)
    >>> round(m.p_wait, 6), round(m.mean_wait_s, 6), m.utilisation
    (0.40918, 0.20459, 0.8)
    """
    lam, mu, n = check_mmn(arrival_rate_per_s, service_rate_per_s, n_agents)
    c = erlang_c(n, lam / mu)
    return QueueMetrics(c, 0.0, c / (n * mu - lam), lam / (n * mu))
