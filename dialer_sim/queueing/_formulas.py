"""Exact queueing formulas the open-loop dialer simulation is validated against.

Live answers arrive as a Poisson stream (rate ``λ``) at ``n`` agents with
exponential handle times (rate ``μ``). A live answer that finds every agent busy
waits up to its patience and is then abandoned. With the regulatory compliance
window ``τ`` as a deterministic patience this is M/M/n+D(τ), the open-loop
baseline of predictive dialing (reference ``dialer.md`` §2.1); ``τ = 0`` is
Erlang B, exponential patience is Erlang A, no abandonment is Erlang C.

Conventions
-----------
- Times in seconds, rates per second. Offered load ``a = λ/μ`` in Erlangs.
- ``p_wait``: probability that an arriving call finds all agents busy,
  ``P(W > 0)`` (by PASTA the time-average share of all-busy states).
- ``p_abandon``: probability that an arriving call never reaches an agent
  (blocked in Erlang B, abandoned after its patience otherwise).
- ``mean_wait_s``: ``E[min(V, patience)]`` over all arrivals, abandoned calls
  included (they wait their full patience); NaN where not defined.
- ``utilisation``: long-run busy share of agent time, ``λ(1 − p_abandon)/(nμ)``.

All functions are pure and use recursions or log-space arithmetic, so they stay
finite for thousands of agents (no factorials are formed).

References
----------
.. [GMR02] O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with
   impatient customers", Manufacturing & Service Operations Management 4(3),
   2002 (Erlang A closed form).
.. [BH81] F. Baccelli, G. Hébuterne, "On queues with impatient customers",
   Performance '81, North-Holland, 1981 (virtual-waiting-time density of M/M/n+G).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from ..errors import ConfigError
from ._base import (
    QueueMetrics,
    check_mmn,
    check_n_agents,
    check_nonnegative,
    check_positive,
    check_probability_open,
    erlang_b_recursion,
)
from ._deterministic_patience import mmn_deterministic_patience
from ._erlang_bc import erlang_b_metrics


def _log_erlang_a_factor(x: float, y: float) -> float:
    """``log A(x, y)``, ``A = (x·e^y/y^x)·γ(x, y) = 1 + Σ_{j≥1} y^j/Π_{i=1..j}(x+i)``."""
    if y >= x:
        # Regularised P(x, y) >= ~1/2 here, so no underflow; combine in log space.
        return float(np.log(x) + y - x * np.log(y) + special.gammaln(x) + np.log(special.gammainc(x, y)))
    # y < x: the series terms fall at least like exp(−j²/(2x)); 10·sqrt(x) + 50
    # terms reach far below double precision.
    n_terms = int(10.0 * np.sqrt(x)) + 50
    log_terms = np.cumsum(np.log(y) - np.log(x + np.arange(1, n_terms + 1)))
    return float(np.logaddexp(0.0, special.logsumexp(log_terms)))


def erlang_a(
    arrival_rate_per_s: float, service_rate_per_s: float, n_agents: int, patience_rate_per_s: float
) -> QueueMetrics:
    """Erlang A (M/M/n+M, Palm): exponential patience with rate ``θ``.

    Closed form of [GMR02]_ with ``x = nμ/θ``, ``y = λ/θ``, ``E = B(n, a)``,
    ``ρ = λ/(nμ)`` and ``A(x, y) = (x·e^y/y^x)·γ(x, y)`` (lower incomplete gamma)::

        P(W>0)      = A·E / (1 + (A − 1)·E)
        P(Ab | W>0) = 1/(ρA) + 1 − 1/ρ
        P(Ab)       = P(W>0)·P(Ab | W>0),  E[W] = P(Ab)/θ

    ``A`` is evaluated through ``scipy.special.gammainc`` when ``y >= x`` and by
    its series otherwise, both in log space.

    Parameters
    ----------
    arrival_rate_per_s : float > 0, 1/s
    service_rate_per_s : float > 0, 1/s
    n_agents : int >= 1
    patience_rate_per_s : float > 0, 1/s
        ``θ`` = 1 / mean patience. Use :func:`erlang_c_metrics` for no abandonment.

    Returns
    -------
    QueueMetrics

    Examples
    --------
    >>> m = erlang_a(10.0, 1.0, 10, 1.0)
    >>> round(m.p_wait, 6), round(m.p_abandon, 6), round(m.mean_wait_s, 6)
    (0.54207, 0.12511, 0.12511)
    >>> m = erlang_a(2.0, 0.25, 8, 0.5)
    >>> round(m.p_wait, 6), round(m.p_abandon, 6)
    (0.471912, 0.162738)
    """
    lam, mu, n = check_mmn(arrival_rate_per_s, service_rate_per_s, n_agents)
    theta = check_positive("patience_rate_per_s", patience_rate_per_s)
    rho = lam / (n * mu)
    log_a = _log_erlang_a_factor(n * mu / theta, lam / theta)
    blocking = erlang_b_recursion(n, lam / mu)
    # P(W>0) = A·E/((1 − E) + A·E) = expit(log(A·E/(1 − E))): no overflow for huge A
    # or for B underflowing to 0 (log → −inf, P(W>0) → 0).
    with np.errstate(divide="ignore"):
        p_wait = special.expit(log_a + np.log(blocking) - np.log1p(-blocking))
    p_ab_given_wait = np.exp(-log_a) / rho + 1.0 - 1.0 / rho
    p_abandon = min(max(p_wait * p_ab_given_wait, 0.0), 1.0)
    return QueueMetrics(
        float(p_wait), float(p_abandon), float(p_abandon / theta), float(lam * (1.0 - p_abandon) / (n * mu))
    )


ABANDON_MODELS = ("erlang_b", "mmn_d")


def _abandon_metrics(model: str, lam: float, mu: float, n: int, window_s: float) -> QueueMetrics:
    if model == "erlang_b":
        return erlang_b_metrics(lam, mu, n)
    return mmn_deterministic_patience(lam, mu, n, window_s)


def arrival_rate_at_abandon_target(
    n_agents: int,
    handle_time_s: float,
    target_p_abandon: float,
    model: str = "erlang_b",
    window_s: float = 2.0,
) -> float:
    """Largest live-answer rate ``λ`` whose open-loop ``P(Ab)`` is <= the target.

    ``P(Ab)`` rises monotonically from 0 to 1 with ``λ``, so the answer is the
    root of ``P(Ab)(λ) = target`` (``scipy.optimize.brentq``, relative tolerance
    1e-12).

    Parameters
    ----------
    n_agents : int >= 1
    handle_time_s : float > 0, s
        Mean handle time ``1/μ`` (talk + wrap-up).
    target_p_abandon : float in (0, 1)
    model : {'erlang_b', 'mmn_d'}
        ``'erlang_b'``: a call that finds no free agent is abandoned at once;
        ``'mmn_d'``: it waits up to ``window_s`` (M/M/n+D).
    window_s : float >= 0, s
        Compliance window, used by ``'mmn_d'`` only.

    Returns
    -------
    float > 0, 1/s

    Examples
    --------
    >>> round(arrival_rate_at_abandon_target(10, 1.0, 0.121661), 4)
    8.0
    """
    n = check_n_agents(n_agents)
    mu = 1.0 / check_positive("handle_time_s", handle_time_s)
    target = check_probability_open("target_p_abandon", target_p_abandon)
    tau = check_nonnegative("window_s", window_s)
    if model not in ABANDON_MODELS:
        raise ConfigError(f"model must be one of {', '.join(ABANDON_MODELS)}; got {model!r}.")

    def excess(lam: float) -> float:
        return _abandon_metrics(model, lam, mu, n, tau).p_abandon - target

    hi = n * mu
    while excess(hi) <= 0.0:
        hi *= 2.0
    lo = hi
    while excess(lo) > 0.0:
        lo /= 2.0
    if lo == hi:
        return float(lo)
    return float(optimize.brentq(excess, lo, hi, xtol=1e-300, rtol=1e-12))


def utilisation_at_abandon_target(
    n_agents: int,
    handle_time_s: float,
    target_p_abandon: float,
    model: str = "erlang_b",
    window_s: float = 2.0,
) -> float:
    """Agent utilisation an open-loop dialer reaches at an abandonment target.

    The utilisation ``λ(1 − P(Ab))/(nμ)`` at the rate found by
    :func:`arrival_rate_at_abandon_target`; reproduces ``dialer.md`` §2.6.
    Parameters as in :func:`arrival_rate_at_abandon_target`.

    Returns
    -------
    float in (0, 1)

    Examples
    --------
    >>> round(utilisation_at_abandon_target(10, 180.0, 0.03), 2)
    0.54
    >>> round(utilisation_at_abandon_target(100, 180.0, 0.03, model="mmn_d", window_s=2.0), 2)
    0.89
    """
    lam = arrival_rate_at_abandon_target(n_agents, handle_time_s, target_p_abandon, model, window_s)
    return _abandon_metrics(model, lam, 1.0 / handle_time_s, int(n_agents), window_s).utilisation


@dataclass(frozen=True, eq=False)
class OpenLoopFrontier:
    """Utilisation-versus-abandonment frontier of an open-loop dialer.

    Attributes
    ----------
    n_agents : int
    handle_time_s : float, s
    model : str
    window_s : float, s
    p_abandon : np.ndarray [shape=(n_points,)]
        The abandonment targets, as given.
    arrival_rate_per_s : np.ndarray [shape=(n_points,)], 1/s
        Largest live-answer rate meeting each target.
    utilisation : np.ndarray [shape=(n_points,)]
        Agent utilisation at that rate.
    p_wait : np.ndarray [shape=(n_points,)]
        Probability that a live answer finds all agents busy at that rate.
    """

    n_agents: int
    handle_time_s: float
    model: str
    window_s: float
    p_abandon: np.ndarray
    arrival_rate_per_s: np.ndarray
    utilisation: np.ndarray
    p_wait: np.ndarray


def open_loop_frontier(
    n_agents: int,
    handle_time_s: float,
    p_abandon_grid: Sequence[float] | np.ndarray,
    model: str = "erlang_b",
    window_s: float = 2.0,
) -> OpenLoopFrontier:
    """Evaluate :func:`utilisation_at_abandon_target` over a grid of targets.

    Parameters
    ----------
    n_agents, handle_time_s, model, window_s
        As in :func:`arrival_rate_at_abandon_target`.
    p_abandon_grid : array-like [shape=(n_points,)], each in (0, 1)

    Returns
    -------
    OpenLoopFrontier

    Examples
    --------
    >>> f = open_loop_frontier(10, 180.0, [0.01, 0.03, 0.05])
    >>> np.round(f.utilisation, 2).tolist()
    [0.44, 0.54, 0.59]
    """
    grid = np.asarray(p_abandon_grid, dtype=float).ravel()
    if grid.size == 0:
        raise ConfigError("p_abandon_grid must hold at least one value; got an empty sequence.")
    rates = np.array(
        [arrival_rate_at_abandon_target(n_agents, handle_time_s, p, model, window_s) for p in grid]
    )
    metrics = [_abandon_metrics(model, lam, 1.0 / handle_time_s, int(n_agents), window_s) for lam in rates]
    return OpenLoopFrontier(
        n_agents=int(n_agents),
        handle_time_s=float(handle_time_s),
        model=model,
        window_s=float(window_s),
        p_abandon=grid,
        arrival_rate_per_s=rates,
        utilisation=np.array([m.utilisation for m in metrics]),
        p_wait=np.array([m.p_wait for m in metrics]),
    )
