"""The SimPy model of a predictive dialer: the campaign, its number sources, the called population and AMD.

:class:`CampaignModel` runs one replication; where the next number comes from is a number
source (open-loop arrivals, a campaign list, a multi-day list campaign; docs/architecture.md).
"""

from ._amd import AmdDecision, EmpiricalAmd, ParametricAmd, load_behaviour_table, make_amd
from ._call import Call
from ._caller_id import WITHHELD, CallerIdPool, CommunityBlocklist
from ._calling_list import ACTIVE, DROPPED, SUCCESSFUL, CallingList
from ._consent import CUSTOMER, NONE, OPT_IN, ConsentLedger, p_fined
from ._dialer import CampaignModel
from ._environment import DialerEnvironment
from ._list_campaign import ListCampaign
from ._number_sources import NumberSource, QueuedNumbers, SingleList
from ._open_loop import OpenLoopArrivals
from ._ping import CALLBACK_RULES, PING_SUMMARY_KEYS, PingCallbacks, PingCampaign, ping_outcome
from ._population import Caller, Population

__all__ = [
    "ACTIVE",
    "AmdDecision",
    "CALLBACK_RULES",
    "CUSTOMER",
    "Call",
    "Caller",
    "CallerIdPool",
    "CallingList",
    "CampaignModel",
    "CommunityBlocklist",
    "ConsentLedger",
    "DROPPED",
    "DialerEnvironment",
    "EmpiricalAmd",
    "ListCampaign",
    "NONE",
    "NumberSource",
    "OPT_IN",
    "OpenLoopArrivals",
    "PING_SUMMARY_KEYS",
    "ParametricAmd",
    "PingCallbacks",
    "PingCampaign",
    "Population",
    "QueuedNumbers",
    "SUCCESSFUL",
    "SingleList",
    "WITHHELD",
    "load_behaviour_table",
    "make_amd",
    "p_fined",
    "ping_outcome",
]
