"""Configuration to and from TOML / plain dicts, and dotted-key overrides.

Unknown keys are errors (a typo must never fall back silently to a default),
and every message names the dotted field: ``agents.n_agnts``.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Mapping
from typing import Any

from callvocab import BehaviourTable

from .._inputs import read_toml
from .._limits import key_shown, shown
from ..errors import ConfigError
from ._answer import TABLE_RECORD_KEYS, check_table_record, table_record
from ._consent import ConsentConfig, EconomicsConfig
from ._dialer import (
    AbandonConfig,
    AgentsConfig,
    AmdConfig,
    AnswerConfig,
    BlocklistConfig,
    CallerIdConfig,
    CampaignConfig,
    DialerConfig,
    HygieneConfig,
    NetworkConfig,
    OpenLoopConfig,
    PacingConfig,
    PingConfig,
    PopulationConfig,
    ProbeConfig,
    RulesConfig,
)
from ._distributions import Dist, dist_from_value

__all__ = ["apply_overrides", "config_from_dict", "config_to_dict", "load_config"]

_SECTIONS = {
    "campaign": CampaignConfig,
    "network": NetworkConfig,
    "answer": AnswerConfig,
    "amd": AmdConfig,
    "agents": AgentsConfig,
    "abandon": AbandonConfig,
    "open_loop": OpenLoopConfig,
    "population": PopulationConfig,
    "caller_id": CallerIdConfig,
    "blocklist": BlocklistConfig,
    "rules": RulesConfig,
    "hygiene": HygieneConfig,
    "probe": ProbeConfig,
    "ping": PingConfig,
    "consent": ConsentConfig,
    "economics": EconomicsConfig,
}


def _build_section(name: str, cls: type, table: Any) -> Any:
    if not isinstance(table, Mapping):
        raise ConfigError(f"[{name}] must be a table; got {shown(table)}.")
    defaults = cls()
    allowed = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        if key not in allowed:
            raise ConfigError(f"{name}.{key_shown(key)} is not a known setting (known: {', '.join(sorted(allowed))}).")
        current = getattr(defaults, key)
        if isinstance(current, Dist):
            value = dist_from_value(value, name=f"{name}.{key}")
        elif name == "answer" and key == "timing":
            value = _timing(value, current)
        elif name == "answer" and key == "kind_weights":
            if not isinstance(value, Mapping):
                raise ConfigError(f"answer.kind_weights must be a table of kind = weight; got {shown(value)}.")
            value = dict(value)
        elif name == "amd" and key == "confusion":
            value = _confusion(value, current)
        elif isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        kwargs[key] = value
    return cls(**kwargs)


def _timing(value: Any, current: dict) -> dict:
    if not isinstance(value, Mapping):
        raise ConfigError(f"answer.timing must be a table of kinds; got {shown(value)}.")
    out = copy.deepcopy(current)
    for kind, table in value.items():
        if kind not in out:
            raise ConfigError(f"answer.timing.{key_shown(kind)} is not an answer kind (known: {', '.join(sorted(out))}).")
        if not isinstance(table, Mapping):
            raise ConfigError(f"answer.timing.{kind} must be a table; got {shown(table)}.")
        for key, v in table.items():
            if key not in ("speech_start_s", "greeting_s"):
                raise ConfigError(f"answer.timing.{kind}.{key_shown(key)} is not a known setting (known: greeting_s, speech_start_s).")
            out[kind][key] = dist_from_value(v, name=f"answer.timing.{kind}.{key}")
    return out


def _confusion(value: Any, current: dict) -> dict:
    if not isinstance(value, Mapping):
        raise ConfigError(f"amd.confusion must be a table of kind = [p_human, p_machine, p_notsure]; got {shown(value)}.")
    out = dict(current)
    for kind, row in value.items():
        if not isinstance(row, (list, tuple)):
            raise ConfigError(f"amd.confusion.{key_shown(kind)} must be [p_human, p_machine, p_notsure]; got {shown(row)}.")
        # Only real numbers become floats: a string, table or boolean stays as it is and fails its rule.
        out[kind] = [float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x for x in row]
    return out


def _build_pacing(table: Any) -> PacingConfig:
    from ..pacing import PACING_PARAMS

    if not isinstance(table, Mapping):
        raise ConfigError(f"[pacing] must be a table; got {shown(table)}.")
    params = dict(table)
    policy = params.pop("policy", "progressive")
    if not isinstance(policy, str) or policy not in PACING_PARAMS:
        raise ConfigError(f"pacing.policy must be one of {sorted(PACING_PARAMS)}; got {shown(policy)}.")
    cls = PACING_PARAMS[policy]
    allowed = {f.name for f in dataclasses.fields(cls)}
    for key in params:
        if key not in allowed:
            raise ConfigError(
                f"pacing.{key_shown(key)} is not a setting of policy {policy!r} (known: {', '.join(sorted(allowed)) or 'none'})."
            )
    return PacingConfig(policy=policy, params=cls(**params))


def config_from_dict(data: Mapping[str, Any]) -> DialerConfig:
    """Build and validate a :class:`DialerConfig` from nested tables.

    Raises
    ------
    ConfigError
        Unknown section or key, or a value that breaks its rule.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"a configuration must be a table of sections; got {type(data).__name__}.")
    kwargs: dict[str, Any] = {}
    recorded: dict[str, Any] = {}
    for section, table in data.items():
        if section == "pacing":
            kwargs["pacing"] = _build_pacing(table)
        elif section == "amd" and isinstance(table, Mapping):
            # A run's record adds the behaviour table's hash and row count: checked against the table read now.
            recorded = {k: v for k, v in table.items() if k in TABLE_RECORD_KEYS}
            kwargs["amd"] = _build_section("amd", AmdConfig, {k: v for k, v in table.items() if k not in recorded})
        elif section in _SECTIONS:
            kwargs[section] = _build_section(section, _SECTIONS[section], table)
        else:
            known = ", ".join(sorted([*_SECTIONS, "pacing"]))
            raise ConfigError(f"[{key_shown(section)}] is not a known section (known: {known}).")
    config = DialerConfig(**kwargs)
    check_table_record(config.amd, recorded)
    return config


def _plain(value: Any) -> Any:
    if isinstance(value, Dist):
        return value.to_value()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def config_to_dict(config: DialerConfig) -> dict[str, Any]:
    """The plain (JSON/TOML-able) form of ``config``; round-trips through :func:`config_from_dict`.

    With ``amd.mode = "empirical"`` the ``[amd]`` section also holds ``table_sha256`` and
    ``table_rows``, the content hash and row count of the behaviour table the run samples
    (``callvocab.behaviour_sha256``); :func:`config_from_dict` checks them against the table
    it reads. A ``BehaviourTable`` is recorded by the file it was read from, or as
    ``table_path = None`` when it was built in memory.
    """
    out: dict[str, Any] = {}
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if value is None:
            continue
        if f.name == "pacing":
            out["pacing"] = {"policy": value.policy, **_plain(value.params)}
        else:
            out[f.name] = _plain(value)
    if isinstance(config.amd.table_path, BehaviourTable):
        out["amd"]["table_path"] = config.amd.table_path.source
    out["amd"].update(table_record(config.amd))
    return out


def load_config(path: str | os.PathLike[str]) -> DialerConfig:
    """Read a TOML configuration file.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ConfigError
        If the TOML cannot be parsed or a value breaks its rule.
    """
    return config_from_dict(read_toml(path))


def apply_overrides(config: DialerConfig, overrides: Mapping[str, Any]) -> DialerConfig:
    """A new config with dotted-key overrides applied, e.g. ``{"agents.n_agents": 50}``.

    Changing ``pacing.policy`` starts that policy from its defaults. A behaviour table
    already read (``amd.mode = "empirical"``) is carried over, not read again.
    """
    data = config_to_dict(config)
    table = config.amd.behaviour_table()
    if isinstance(config.amd.table_path, BehaviourTable) or table is not None:
        # The table already read (or held in memory) is carried over as it is, not read again.
        data["amd"]["table_path"] = table if table is not None else config.amd.table_path
    if "amd.table_path" in overrides:
        for key in TABLE_RECORD_KEYS:  # the recorded hash belongs to the table before the override
            data["amd"].pop(key, None)
    # A policy change resets that policy's parameters, so apply it before any pacing.* parameter.
    ordered = sorted(overrides.items(), key=lambda kv: kv[0] != "pacing.policy")
    for key, value in ordered:
        parts = key.split(".")
        if len(parts) < 2:
            raise ConfigError(f"override {key!r} must be a dotted key such as 'agents.n_agents'.")
        if parts == ["pacing", "policy"] and value != data.get("pacing", {}).get("policy"):
            data["pacing"] = {"policy": value}
            continue
        node = data
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {key!r}: {p!r} is not a table.")
        node[parts[-1]] = value
    return config_from_dict(data)
