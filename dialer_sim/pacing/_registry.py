"""Name → parameter class registry and the policy factory.

Conventions
-----------
- Keys are the names of the pacing policies (docs/pacing.md).
- The model's loader builds parameters with ``PACING_PARAMS[name](**table)``;
  an unknown key raises :class:`~dialer_sim.errors.ConfigError` naming it.
"""

from __future__ import annotations

from dialer_sim.errors import ConfigError
from dialer_sim.pacing._params import PacingParams
from dialer_sim.pacing._policy import PolicyBase
from dialer_sim.pacing.cisco import CiscoGainParams, CiscoGainPolicy
from dialer_sim.pacing.erlang_predictive import ErlangPredictiveParams, ErlangPredictivePolicy
from dialer_sim.pacing.progressive import ProgressiveParams, ProgressivePolicy
from dialer_sim.pacing.ratio import RatioParams, RatioPolicy
from dialer_sim.pacing.strict_max import StrictMaxParams, StrictMaxPolicy
from dialer_sim.pacing.vicidial import VicidialAdaptParams, VicidialAdaptPolicy

__all__ = ["PACING_PARAMS", "make_policy"]

#: Policy name → parameter dataclass.
PACING_PARAMS: dict[str, type] = {
    "progressive": ProgressiveParams,
    "ratio": RatioParams,
    "vicidial_adapt": VicidialAdaptParams,
    "cisco_gain": CiscoGainParams,
    "strict_max": StrictMaxParams,
    "erlang_predictive": ErlangPredictiveParams,
}

_POLICY_OF: dict[type, type[PolicyBase]] = {
    ProgressiveParams: ProgressivePolicy,
    RatioParams: RatioPolicy,
    VicidialAdaptParams: VicidialAdaptPolicy,
    CiscoGainParams: CiscoGainPolicy,
    StrictMaxParams: StrictMaxPolicy,
    ErlangPredictiveParams: ErlangPredictivePolicy,
}


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
