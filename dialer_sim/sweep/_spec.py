"""The sweep definition: a base configuration, a set of points, replications and a seed.

A sweep file is TOML::

    base = "campaign_small.toml"      # a config file, relative to the sweep file,
                                      # or an inline [base] table with config sections
    replications = 5                  # int >= 1
    seed = 20260101                   # int >= 0, the root of every random stream
    keep_records = false              # optional: also store each run's call records
    common_random_numbers = false     # optional, see Randomness below

    [grid]                            # cartesian product, last key varies fastest
    "agents.n_agents" = [5, 10]
    "pacing.policy" = ["progressive", "ratio"]

    [[points]]                        # optional explicit points
    "pacing.policy" = "ratio"

Points are every ``[[points]]`` entry combined with every ``[grid]``
combination (points outermost); with only one of the two tables, just that
table's points; with neither, the base configuration alone. Keys are dotted
config fields; nested TOML tables (``grid.agents.n_agents = [5, 10]``) are
flattened to the same dotted keys. A point's overrides are applied with
``pacing.policy`` first (changing the policy resets its parameters), then
``[[points]]`` keys, then ``[grid]`` keys, each in file order.

Conventions
-----------
- Point ``p`` and replication ``r`` are 0-based indices in the order above.
- Randomness: the sweep has one ``SeedSequence(seed)``; run ``(p, r)``
  gets ``SeedSequence(seed).spawn(n_points)[p].spawn(n_replications)[r]``, which
  is ``SeedSequence(entropy=seed, spawn_key=(p, r))``. It depends only on the
  indices, never on the worker, the backend or the order runs finish in. With
  ``common_random_numbers = true`` run ``(p, r)`` gets the child ``spawn_key=(r,)``
  instead, so every point of one replication sees the same calls.
- Every point's configuration is built and validated when the sweep is loaded,
  before anything runs or any earlier result is touched.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from callvocab import BehaviourTable

from .._inputs import read_toml
from .._limits import MAX_POINTS, MAX_REPLICATIONS, MAX_RUNS, MAX_SEED, key_shown, shown
from ..errors import ConfigError, DialerSimError

__all__ = ["SweepError", "SweepPoint", "SweepSpec", "load_sweep", "sweep_from_dict"]

_KEYS = ("base", "replications", "seed", "keep_records", "common_random_numbers", "grid", "points")


class SweepError(DialerSimError):
    """A sweep file, or an output folder's state, breaks a rule."""


@dataclass(frozen=True)
class SweepPoint:
    """One point of a sweep: its overrides and the validated configuration.

    Parameters
    ----------
    index : int >= 0
        Position of the point in the sweep.
    overrides : dict[str, Any]
        Dotted config keys and the values this point sets.
    config : DialerConfig
        The base configuration with ``overrides`` applied.
    params : dict[str, Any]
        JSON-able labels of the point (an experiment's own parameters, e.g.
        ``{"strategy": "blocklist", "adoption": 0.5}``), passed to a metrics
        function and written as columns; empty for a sweep file's points.
    """

    index: int
    overrides: dict[str, Any]
    config: Any = field(repr=False, compare=False)

    def plain_overrides(self) -> dict[str, Any]:
        """``overrides`` as plain JSON data: a behaviour table held in memory by its content hash and rows."""
        return {k: _plain(v) for k, v in self.overrides.items()}
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SweepSpec:
    """A resolved sweep: the base configuration, its points, replications and seed.

    Parameters
    ----------
    base : dict
        The base configuration as ``config_to_dict`` gives it.
    points : tuple of SweepPoint
        The points, in index order.
    n_replications : int >= 1
        Replications of every point.
    seed : int >= 0
        Entropy of the sweep's root ``SeedSequence``.
    keep_records : bool
        Store every run's call records as Parquet.
    common_random_numbers : bool
        Seed run ``(p, r)`` by ``r`` alone (see the module Conventions).
    parameter_keys : tuple of str
        Every dotted key some point overrides, grid keys first; these become
        columns of the summaries table.
    name : str
        What runs the sweep (an experiment's name); part of the hash, so two
        experiments with the same points never share results.
    """

    base: dict[str, Any]
    points: tuple[SweepPoint, ...]
    n_replications: int
    seed: int
    keep_records: bool = False
    common_random_numbers: bool = False
    parameter_keys: tuple[str, ...] = ()
    name: str = ""

    @property
    def n_runs(self) -> int:
        """Number of (point, replication) runs."""
        return len(self.points) * self.n_replications

    def spawn_key(self, point: int, replication: int) -> tuple[int, ...]:
        """The ``SeedSequence`` spawn key of run ``(point, replication)``."""
        return (replication,) if self.common_random_numbers else (point, replication)

    def seed_sequence(self, point: int, replication: int) -> np.random.SeedSequence:
        """The spawned child of the sweep's ``SeedSequence(seed)`` for one run."""
        return np.random.SeedSequence(entropy=self.seed, spawn_key=self.spawn_key(point, replication))

    def parameters(self, point: int) -> dict[str, Any]:
        """Every parameter key's value at ``point``; the base value where the point does not set it."""
        import dialer_sim  # late import: the package imports this subpackage

        sp = self.points[point]
        full = dialer_sim.config_to_dict(sp.config)
        return {k: _lookup(full, k, sp.overrides.get(k)) for k in self.parameter_keys}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON form of everything that determines the results.

        ``base`` records the base behaviour table's hash and row count (``config_to_dict``);
        points that set ``amd.table_path`` add theirs under ``point_tables``.
        """
        out = {
            "seed": self.seed,
            "n_replications": self.n_replications,
            "keep_records": self.keep_records,
            "common_random_numbers": self.common_random_numbers,
            "parameter_keys": list(self.parameter_keys),
            "points": [p.plain_overrides() for p in self.points],
            "base": self.base,
        }
        if self.name or any(p.params for p in self.points):  # absent for sweep files: their hashes stay
            out["name"] = self.name
            out["params"] = [p.params for p in self.points]
        tables = {str(p.index): p.config.amd.behaviour_table().record() for p in self.points
                  if "amd.table_path" in p.overrides and p.config.amd.behaviour_table() is not None}
        if tables:
            out["point_tables"] = tables
        return out

    def sha256(self) -> str:
        """Hash of :meth:`to_dict`; equal hashes mean the same results."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=_json_default)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lookup(tree: Mapping[str, Any], dotted: str, default: Any) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def _plain(value: Any) -> Any:
    """An override value as plain JSON data: a behaviour table held in memory by its content hash and rows."""
    return value.record() if isinstance(value, BehaviourTable) else value


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item") and callable(obj.item):
        return obj.item()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def load_sweep(path: str | os.PathLike[str]) -> SweepSpec:
    """Read and validate a sweep TOML file.

    Parameters
    ----------
    path : path-like
        The sweep file. A string ``base`` is resolved relative to its folder.

    Returns
    -------
    SweepSpec

    Raises
    ------
    SweepError
        If the file is not valid TOML or breaks a rule of the sweep format.
    FileNotFoundError
        If the file or its base config is missing.
    """
    path = Path(path)
    return sweep_from_dict(read_toml(path, error=SweepError), base_dir=path.parent)


def sweep_from_dict(data: Mapping[str, Any], *, base_dir: str | os.PathLike[str] = ".") -> SweepSpec:
    """Build a :class:`SweepSpec` from the parsed TOML of a sweep file.

    Parameters
    ----------
    data : mapping
        Keys as in the module docstring.
    base_dir : path-like
        Folder a string ``base`` is relative to.

    Raises
    ------
    SweepError
        If a key is unknown or a value breaks its rule; the message names the
        key (and the point, for an override).
    """
    import dialer_sim  # late import: the package imports this subpackage

    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise SweepError(f"sweep key `{key_shown(unknown[0])}` is unknown; expected one of {', '.join(_KEYS)}.")
    base_cfg = _load_base(data.get("base"), Path(base_dir))
    n_reps = _int_field(data, "replications", minimum=1, maximum=MAX_REPLICATIONS)
    seed = _int_field(data, "seed", minimum=0, maximum=MAX_SEED)
    keep = _bool_field(data, "keep_records")
    crn = _bool_field(data, "common_random_numbers")
    grid_keys, combos = _grid_combinations(data.get("grid", {}))
    explicit = _explicit_points(data.get("points", []))
    n_points = len(explicit or [{}]) * len(combos)
    if n_points > MAX_POINTS or n_points * n_reps > MAX_RUNS:
        raise SweepError(f"sweep must have at most {MAX_POINTS} points and {MAX_RUNS} runs (points x replications); "
                         f"got {n_points} points x {n_reps} replications.")
    keys = list(grid_keys)
    for ov in explicit:
        keys += [k for k in ov if k not in keys]
    points = []
    for ov_point, ov_grid in itertools.product(explicit or [{}], combos):
        both = sorted(set(ov_point) & set(ov_grid))
        if both:
            raise SweepError(f"sweep key `{both[0]}` is set by both [grid] and [[points]]; use one.")
        overrides = _policy_first({**ov_point, **ov_grid})
        index = len(points)
        try:
            cfg = dialer_sim.apply_overrides(base_cfg, overrides)
        except ConfigError as exc:
            raise SweepError(f"sweep point {index} {_describe(overrides)}: {exc}") from None
        points.append(SweepPoint(index=index, overrides=overrides, config=cfg))
    return SweepSpec(
        base=dialer_sim.config_to_dict(base_cfg),
        points=tuple(points),
        n_replications=n_reps,
        seed=seed,
        keep_records=keep,
        common_random_numbers=crn,
        parameter_keys=tuple(keys),
    )


def _policy_first(overrides: dict[str, Any]) -> dict[str, Any]:
    """Move ``pacing.policy`` to the front: overrides apply in order, and
    changing the policy resets that policy's parameters to their defaults."""
    first = {k: v for k, v in overrides.items() if k == "pacing.policy"}
    return {**first, **overrides}


def _describe(overrides: Mapping[str, Any]) -> str:
    """``(agents.n_agents=5, pacing.policy='ratio')`` for messages."""
    return "(" + ", ".join(f"{k}={v!r}" for k, v in overrides.items()) + ")"


def _load_base(base: Any, base_dir: Path) -> Any:
    import dialer_sim

    if base is None:
        raise SweepError("sweep key `base` is required: a config file path or an inline [base] table.")
    if isinstance(base, str):
        return dialer_sim.load_config(base_dir / base)
    if isinstance(base, Mapping):
        try:
            return dialer_sim.config_from_dict(dict(base))
        except ConfigError as exc:
            raise SweepError(f"sweep [base]: {exc}") from None
    raise SweepError(f"sweep key `base` must be a path string or a table; got {shown(base)}.")


def _int_field(data: Mapping[str, Any], key: str, *, minimum: int, maximum: int) -> int:
    if key not in data:
        raise SweepError(f"sweep key `{key}` is required (an integer >= {minimum}).")
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SweepError(f"sweep key `{key}` must be an integer >= {minimum}; got {shown(value)}.")
    if value > maximum:
        raise SweepError(f"sweep key `{key}` must be an integer <= {maximum} (the documented bound); got {value}.")
    return value


def _bool_field(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise SweepError(f"sweep key `{key}` must be true or false; got {shown(value)}.")
    return value


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a nested table: ``{"a": {"b": 1}}`` gives ``{"a.b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def _grid_combinations(grid: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The grid's keys and its cartesian product, last key varying fastest."""
    if not isinstance(grid, Mapping):
        raise SweepError(f"sweep key `grid` must be a table of value lists; got {grid!r}.")
    flat = _flatten(grid)
    n_combos = 1
    for key, values in flat.items():
        if not isinstance(values, list) or not values:
            raise SweepError(f"sweep grid key `{key}` must be a non-empty list of values; got {shown(values)}.")
        _check_values(f"grid key `{key}`", values)
        n_combos *= len(values)
        if n_combos > MAX_POINTS:  # checked before the cartesian product is built
            raise SweepError(f"sweep [grid] must have at most {MAX_POINTS} combinations; got {n_combos} or more "
                             f"by key `{key}`.")
    keys = list(flat)
    combos = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*flat.values())]
    return keys, combos


def _explicit_points(points: Any) -> list[dict[str, Any]]:
    if not isinstance(points, list) or not all(isinstance(p, Mapping) for p in points):
        raise SweepError(f"sweep key `points` must be an array of tables ([[points]]); got {shown(points)}.")
    flat = [_flatten(p) for p in points]
    for i, ov in enumerate(flat):
        _check_values(f"[[points]] entry {i}", list(ov.values()))
    return flat


def _check_values(where: str, values: list[Any]) -> None:
    # NaN would make the spec hash and the parameter columns ambiguous.
    for v in values:
        if isinstance(v, float) and not math.isfinite(v):
            raise SweepError(f"sweep {where} values must be finite; got {v!r}.")
