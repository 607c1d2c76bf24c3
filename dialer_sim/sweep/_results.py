"""A sweep built in code, its runs read back as tables, and means with 95 % intervals per group.

An experiment declares its points as ``(params, overrides)`` pairs on a base
configuration (:func:`build_sweep`); its metrics function returns scalars and
small tables for each run, which the run files keep (see ``_store``), and
:meth:`SweepResults` puts them back together in (point, replication) order.

Conventions
-----------
- A table travels in a run file column by column with its dtype names, so a
  table read back has the values and dtypes it was returned with (JSON keeps
  every float exactly).
- Means across replications carry the Student-t 95 % half-width over the
  finite values of the group (:func:`mean_ci95`); NaN when fewer than two.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._limits import MAX_POINTS, MAX_REPLICATIONS, MAX_RUNS, MAX_SEED
from ..errors import ConfigError
from ._spec import SweepError, SweepPoint, SweepSpec

__all__ = ["SweepResults", "build_sweep", "mean_ci95", "summarise"]


def build_sweep(
    base: Any,
    points: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
    *,
    replications: int,
    seed: int,
    name: str = "",
    common_random_numbers: bool = True,
    keep_records: bool = False,
) -> SweepSpec:
    """A :class:`SweepSpec` from a base configuration and ``(params, overrides)`` points.

    Parameters
    ----------
    base : DialerConfig
        The configuration every point starts from.
    points : sequence of (mapping, mapping)
        Per point: its JSON-able labels (``{"policy": "ratio 1.3"}``) and the
        dotted overrides applied to ``base`` (``{"pacing.policy": "ratio"}``).
    replications : int >= 1
    seed : int >= 0
        Entropy of the sweep's root ``SeedSequence``.
    name : str
        What runs the sweep; part of its hash.
    common_random_numbers : bool
        Seed run ``(p, r)`` by ``SeedSequence(entropy=seed, spawn_key=(r,))``,
        child ``r`` of ``SeedSequence(seed).spawn(replications)``: every point
        of one replication sees the same calls.
    keep_records : bool
        Also store each run's call records (only without a metrics function).

    Raises
    ------
    SweepError
        If a count is out of its bounds or a point's overrides break a config rule.
    """
    import dialer_sim  # late import: the package imports this subpackage

    if not 1 <= len(points) <= MAX_POINTS or not 1 <= replications <= MAX_REPLICATIONS \
            or len(points) * replications > MAX_RUNS:  # fmt: skip
        raise SweepError(f"a sweep must have 1 to {MAX_POINTS} points, 1 to {MAX_REPLICATIONS} replications and at "
                         f"most {MAX_RUNS} runs; got {len(points)} points x {replications} replications.")
    if not 0 <= seed <= MAX_SEED:
        raise SweepError(f"seed must be an integer in [0, {MAX_SEED}]; got {seed}.")
    built = []
    for index, (params, overrides) in enumerate(points):
        try:
            config = dialer_sim.apply_overrides(base, dict(overrides))
        except ConfigError as exc:
            raise SweepError(f"sweep point {index} {dict(params)}: {exc}") from None
        built.append(SweepPoint(index=index, overrides=dict(overrides), config=config, params=dict(params)))
    return SweepSpec(base=dialer_sim.config_to_dict(base), points=tuple(built), n_replications=int(replications),
                     seed=int(seed), keep_records=keep_records, common_random_numbers=common_random_numbers,
                     name=name)


def encode_table(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """A DataFrame as plain JSON: column names, dtype names and the values column by column."""
    return {"columns": [str(c) for c in frame.columns], "dtypes": [str(t) for t in frame.dtypes],
            "data": [frame[c].tolist() for c in frame.columns]}


def decode_table(data: Mapping[str, list[Any]]) -> pd.DataFrame:
    """The inverse of :func:`encode_table`: the values and dtypes (a categorical comes back as plain values)."""
    columns = {}
    for name, dtype, values in zip(data["columns"], data["dtypes"], data["data"], strict=True):
        try:
            columns[name] = pd.Series(values, dtype=None if dtype == "category" else dtype)
        except (TypeError, ValueError):  # a dtype this pandas cannot build from plain values
            columns[name] = pd.Series(values)
    return pd.DataFrame(columns, columns=list(data["columns"]))


@dataclass(frozen=True)
class SweepResults:
    """Every finished run of a sweep, read back from its run files.

    Parameters
    ----------
    spec : SweepSpec
    runs : list of dict
        Per run in (point, replication) order: ``point``, ``replication``,
        ``summary`` (dict) and ``tables`` (dict of encoded tables).
    """

    spec: SweepSpec
    runs: list[dict[str, Any]] = field(repr=False)

    def summaries(self) -> pd.DataFrame:
        """One row per run: the point's params, ``replication``, then the run's scalar metrics."""
        rows = [{**self.spec.points[r["point"]].params, "replication": r["replication"], **r["summary"]}
                for r in self.runs]
        return pd.DataFrame(rows)

    def table(self, name: str, *, keys: str = "first") -> pd.DataFrame:
        """Table ``name`` of every run that returned one, concatenated in run order.

        Each run's rows get the point's params and ``replication`` as columns, before
        (``keys="first"``) or after (``keys="last"``) the table's own columns.
        """
        parts = []
        for r in self.runs:
            if name not in r.get("tables", {}):
                continue
            own = decode_table(r["tables"][name])
            key = {**self.spec.points[r["point"]].params, "replication": r["replication"]}
            own = own.drop(columns=[k for k in key if k in own.columns])
            frame = own.assign(**key)
            parts.append(frame[[*key, *own.columns]] if keys == "first" else frame)
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def summarise(table: pd.DataFrame, by: Sequence[str], metrics: Sequence[str], *, mean_suffix: str = "",
              ci_suffix: str = "_ci95") -> pd.DataFrame:
    """Per group of ``by`` (in order of first appearance): its size and each metric's mean and 95 % half-width.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per replication (and whatever else ``by`` distinguishes).
    by : sequence of str
        Grouping columns, copied into the result.
    metrics : sequence of str
        Numeric columns to average.
    mean_suffix, ci_suffix : str
        Column ``{metric}{mean_suffix}`` holds the mean of the finite values,
        ``{metric}{ci_suffix}`` the Student-t 95 % half-width (:func:`mean_ci95`).

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``n_replications`` (rows in the group), then the metrics.
    """
    by = list(by)
    rows = []
    for key, group in table.groupby(by, sort=False, observed=True):
        row: dict[str, Any] = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        row["n_replications"] = len(group)
        for m in metrics:
            row[f"{m}{mean_suffix}"], row[f"{m}{ci_suffix}"] = mean_ci95(group[m].to_numpy(dtype=float))
        rows.append(row)
    return pd.DataFrame(rows)


def mean_ci95(values: np.ndarray) -> tuple[float, float]:
    """Mean and Student-t 95 % CI half-width (:func:`dialer_sim.stats.mean_ci`) of the finite ``values``."""
    # Imported here: worker processes import this package, and scipy.stats
    # (behind dialer_sim.stats) would add about a second to every worker start.
    from ..stats import mean_ci

    x = values[np.isfinite(values)]
    if len(x) == 0:
        return math.nan, math.nan
    if len(x) < 2:
        return float(x[0]), math.nan
    return mean_ci(x, confidence=0.95)
