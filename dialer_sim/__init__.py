"""Discrete-event simulation of a predictive dialer, its agents, AMD and regulators' abandon rates.

Conventions
-----------
- Times are seconds; instants in call records count from midnight of the
  campaign's first day, so day ``d`` spans ``[86400 d, 86400 (d + 1))``.
- Configuration is frozen dataclasses validated on creation; results are a pure
  function of ``(config, seed)``.
"""

from ._inputs import read_toml
from ._limits import MAX_DAYS, key_shown, shown
from .api import Result, run
from .compliance import AmdAudit, compliance_rates, compliance_spread, read_records
from .config._consent import ConsentConfig, EconomicsConfig
from .config._dialer import (
    AbandonConfig,
    AgentsConfig,
    AmdConfig,
    AnswerConfig,
    CampaignConfig,
    DialerConfig,
    NetworkConfig,
    OpenLoopConfig,
    PacingConfig,
)
from .config._distributions import Dist
from .config._io import apply_overrides, config_from_dict, config_to_dict, load_config
from .config._list_campaign import (
    STRATEGIES,
    BlocklistConfig,
    CallerIdConfig,
    HygieneConfig,
    PopulationConfig,
    ProbeConfig,
    RulesConfig,
)
from .errors import ConfigError, DialerSimError, RecordsError
from .model._consent import ConsentLedger
from .records._cdr import CDR_COLUMNS, CallRecord, RecordSink, records_schema
from .records._economics import campaign_costs, campaign_economics, orders_rng

__all__ = [
    "AbandonConfig",
    "AgentsConfig",
    "AmdAudit",
    "AmdConfig",
    "AnswerConfig",
    "BlocklistConfig",
    "CDR_COLUMNS",
    "CallRecord",
    "CallerIdConfig",
    "CampaignConfig",
    "ConfigError",
    "ConsentConfig",
    "ConsentLedger",
    "DialerConfig",
    "DialerSimError",
    "Dist",
    "EconomicsConfig",
    "HygieneConfig",
    "MAX_DAYS",
    "NetworkConfig",
    "OpenLoopConfig",
    "PacingConfig",
    "PopulationConfig",
    "ProbeConfig",
    "RecordSink",
    "RecordsError",
    "Result",
    "RulesConfig",
    "STRATEGIES",
    "apply_overrides",
    "campaign_costs",
    "campaign_economics",
    "compliance_rates",
    "compliance_spread",
    "config_from_dict",
    "config_to_dict",
    "key_shown",
    "load_config",
    "orders_rng",
    "read_records",
    "read_toml",
    "records_schema",
    "run",
    "shown",
]
