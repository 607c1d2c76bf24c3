"""Configuration of a simulated campaign: frozen, validated dataclasses and their TOML form.

``DialerConfig`` is the single argument of :func:`dialer_sim.run`; its sections are the other
``*Config`` classes. :func:`load_config` reads TOML, :func:`config_to_dict` and
:func:`config_from_dict` round-trip the plain form, :func:`apply_overrides` sets dotted keys.
"""

from ._answer import AmdConfig, AnswerConfig, NetworkConfig, check_table_record, table_record
from ._consent import CONSENT_MODES, CONSENT_PURPOSES, ConsentConfig, EconomicsConfig
from ._dialer import AbandonConfig, AgentsConfig, CampaignConfig, DialerConfig, OpenLoopConfig, PacingConfig
from ._distributions import Dist, dist_from_value
from ._io import apply_overrides, config_from_dict, config_to_dict, load_config
from ._list_campaign import (
    CALLER_TYPES,
    MIXED_STRATEGY_MIX,
    STRATEGIES,
    WEEKDAYS,
    BlocklistConfig,
    CallerIdConfig,
    HygieneConfig,
    PopulationConfig,
    ProbeConfig,
    RulesConfig,
)
from ._ping import NUMBER_KINDS, PING_MAX_MEAN_RING_S, PingConfig

__all__ = [
    "AbandonConfig",
    "AgentsConfig",
    "AmdConfig",
    "AnswerConfig",
    "BlocklistConfig",
    "CALLER_TYPES",
    "CONSENT_MODES",
    "CONSENT_PURPOSES",
    "CallerIdConfig",
    "CampaignConfig",
    "ConsentConfig",
    "DialerConfig",
    "Dist",
    "EconomicsConfig",
    "HygieneConfig",
    "MIXED_STRATEGY_MIX",
    "NUMBER_KINDS",
    "NetworkConfig",
    "OpenLoopConfig",
    "PING_MAX_MEAN_RING_S",
    "PacingConfig",
    "PingConfig",
    "PopulationConfig",
    "ProbeConfig",
    "RulesConfig",
    "STRATEGIES",
    "WEEKDAYS",
    "apply_overrides",
    "check_table_record",
    "config_from_dict",
    "config_to_dict",
    "dist_from_value",
    "load_config",
    "table_record",
]
