"""Pacing policies of the predictive dialer (docs/pacing.md; sources in docs/sources.md §1).

Each policy is a parameter dataclass (frozen, validated, keyword-only) and a
stateful :class:`PacingPolicy` built from it with :func:`make_policy`:

=====================  ==========================  ==========================================
policy name            parameters                  rule
=====================  ==========================  ==========================================
``progressive``        :class:`ProgressiveParams`  one line per idle agent
``ratio``              :class:`RatioParams`        fixed lines per agent (VICIdial RATIO)
``vicidial_adapt``     :class:`VicidialAdaptParams`  VICIdial AST_VDadapt.pl, three modes
``cisco_gain``         :class:`CiscoGainParams`    batch gain toward an abandon target (inferred)
``strict_max``         :class:`StrictMaxParams`    Genesys Strict Max Rate over a base policy
``erlang_predictive``  :class:`ErlangPredictiveParams`  short-horizon queueing model
=====================  ==========================  ==========================================

Conventions
-----------
- Times in seconds since midnight of the campaign's first day; percentages in
  percent; the calendar day is ``now_s // 86400``.
- Policies see only what a dialer observes (:func:`observed_outcome`).
"""

from dialer_sim.pacing._base import DialerState, PacingPolicy, observed_outcome
from dialer_sim.pacing._params import PacingParams
from dialer_sim.pacing._registry import PACING_PARAMS, make_policy, register_policy
from dialer_sim.pacing.cisco import CiscoGainParams, CiscoGainPolicy
from dialer_sim.pacing.erlang_predictive import ErlangPredictiveParams, ErlangPredictivePolicy
from dialer_sim.pacing.progressive import ProgressiveParams, ProgressivePolicy
from dialer_sim.pacing.ratio import RatioParams, RatioPolicy
from dialer_sim.pacing.strict_max import StrictMaxParams, StrictMaxPolicy
from dialer_sim.pacing.vicidial import VicidialAdaptParams, VicidialAdaptPolicy

for _params, _policy in (
    (ProgressiveParams, ProgressivePolicy),
    (RatioParams, RatioPolicy),
    (VicidialAdaptParams, VicidialAdaptPolicy),
    (CiscoGainParams, CiscoGainPolicy),
    (StrictMaxParams, StrictMaxPolicy),
    (ErlangPredictiveParams, ErlangPredictivePolicy),
):
    register_policy(_params, _policy)
del _params, _policy

__all__ = [
    "CiscoGainParams",
    "CiscoGainPolicy",
    "DialerState",
    "ErlangPredictiveParams",
    "ErlangPredictivePolicy",
    "PACING_PARAMS",
    "PacingParams",
    "PacingPolicy",
    "ProgressiveParams",
    "ProgressivePolicy",
    "RatioParams",
    "RatioPolicy",
    "StrictMaxParams",
    "StrictMaxPolicy",
    "VicidialAdaptParams",
    "VicidialAdaptPolicy",
    "make_policy",
    "observed_outcome",
]
