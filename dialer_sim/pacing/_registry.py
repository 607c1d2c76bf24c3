"""Name → parameter class registry and the policy factory.

Conventions
-----------
- Keys are the names of the pacing policies (docs/pacing.md), filled by
  :func:`register_policy` when the package is imported.
- The model's loader builds parameters with ``PACING_PARAMS[name](**table)``;
  an unknown key raises :class:`~dialer_sim.errors.ConfigError` naming it.
"""

from __future__ import annotations

from dialer_sim.errors import ConfigError
from dialer_sim.pacing._params import PacingParams
from dialer_sim.pacing._policy import PolicyBase

__all__ = ["PACING_PARAMS", "make_policy", "register_policy"]

#: Policy name → parameter dataclass, in the order the package registers them.
PACING_PARAMS: dict[str, type] = {}

_POLICY_OF: dict[type, type[PolicyBase]] = {}


def register_policy(params_class: type, policy_class: type[PolicyBase]) -> None:
    """Make a policy known by the name its parameter class carries (``params_class.policy``).

    The package ``__init__`` registers every built-in policy, so that the policy
    modules may use the registry (``strict_max`` builds its base policy) without
    the registry importing them.
    """
    PACING_PARAMS[params_class.policy] = params_class
    _POLICY_OF[params_class] = policy_class


def make_policy(params: PacingParams) -> PolicyBase:
    """Build a fresh policy (the state of one replication) from its parameters.

    Parameters
    ----------
    params : PacingParams
        An instance of one of the classes in :data:`PACING_PARAMS`.

    Returns
    -------
    PacingPolicy
        A new policy instance; never share it between replications.

    Raises
    ------
    ConfigError
        If ``params`` is not a pacing parameter object.

    Examples
    --------
    >>> from dialer_sim.pacing import PACING_PARAMS, make_policy
    >>> make_policy(PACING_PARAMS["ratio"](lines_per_agent=1.5)).name
    'ratio'
    """
    policy_class = _POLICY_OF.get(type(params))
    if policy_class is None:
        raise ConfigError(
            f"pacing parameters must be one of {sorted(PACING_PARAMS)}'s classes; got {params!r}."
        )
    return policy_class(params)  # type: ignore[call-arg]
