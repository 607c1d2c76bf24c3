"""Building blocks of the queueing formulas: result type, Erlang B recursion, input checks.

Each check returns the value converted to a plain Python number or raises
:class:`~dialer_sim.errors.ConfigError` whose message names the parameter, the
rule and the value.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from ..errors import ConfigError

__all__ = [
    "QueueMetrics",
    "check_n_agents",
    "check_nonnegative",
    "check_positive",
    "check_probability_open",
    "erlang_b_recursion",
]


def _as_real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{name} must be a real number; got {value!r}.")
    number = float(value)
    if not math.isfinite(number):
        raise ConfigError(f"{name} must be finite; got {value!r}.")
    return number


def check_n_agents(value: object, name: str = "n_agents") -> int:
    """Return ``value`` as an ``int`` >= 1 (Python or NumPy integer, not bool or float)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1; got {value!r}.")
    return int(value)


def check_positive(name: str, value: object) -> float:
    """Return ``value`` as a finite ``float`` > 0."""
    number = _as_real(name, value)
    if number <= 0.0:
        raise ConfigError(f"{name} must be > 0; got {value!r}.")
    return number


def check_mmn(arrival_rate_per_s: object, service_rate_per_s: object, n_agents: object) -> tuple[float, float, int]:
    """``(λ, μ, n)`` of an M/M/n model: both rates finite and > 0, ``n`` an integer >= 1 (checked in that order)."""
    return (check_positive("arrival_rate_per_s", arrival_rate_per_s),
            check_positive("service_rate_per_s", service_rate_per_s), check_n_agents(n_agents))


def check_nonnegative(name: str, value: object) -> float:
    """Return ``value`` as a finite ``float`` >= 0."""
    number = _as_real(name, value)
    if number < 0.0:
        raise ConfigError(f"{name} must be >= 0; got {value!r}.")
    return number


def check_probability_open(name: str, value: object) -> float:
    """Return ``value`` as a ``float`` strictly between 0 and 1."""
    number = _as_real(name, value)
    if not 0.0 < number < 1.0:
        raise ConfigError(f"{name} must be in (0, 1); got {value!r}.")
    return number


@dataclass(frozen=True)
class QueueMetrics:
    """Steady-state metrics of one queueing model (see :mod:`dialer_sim.queueing`, Conventions).

    Attributes
    ----------
    p_wait : float in [0, 1]
        Probability that an arrival finds all agents busy, ``P(W > 0)``.
    p_abandon : float in [0, 1]
        Probability that an arrival never reaches an agent.
    mean_wait_s : float >= 0, s
        Mean time in queue over all arrivals; NaN when not defined.
    utilisation : float in [0, 1]
        Busy share of agent time, ``λ(1 − p_abandon)/(nμ)``.
    """

    p_wait: float
    p_abandon: float
    mean_wait_s: float
    utilisation: float


def erlang_b_recursion(n_agents: int, offered_load: float) -> float:
    """Erlang B ``B(n, a)`` for already validated ``n >= 0`` and ``a >= 0``."""
    # B(0) = 1, B(k) = a·B(k−1)/(k + a·B(k−1)) (docs/sources.md §2.2): every step is a
    # ratio of positive numbers, so it neither overflows nor cancels.
    blocking = 1.0
    for k in range(1, n_agents + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return blocking
