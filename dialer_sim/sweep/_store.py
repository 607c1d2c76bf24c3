"""The output folder of a sweep: one file per finished run, resume, and the tables.

Layout of ``DIR``::

    sweep.json                      resolved spec (seed, base config, points) and its sha256
    points/p{point:04d}_r{rep:03d}.json
                                    one finished run: summary, overrides, seed, spec hash
    records/p{point:04d}_r{rep:03d}.parquet
                                    call records of that run (only with keep_records)
    failures.json                   runs that raised, with overrides and error
    summaries.parquet               one row per (point, replication)
    aggregates.csv, aggregates.parquet
                                    one row per point: mean and 95 % CI half-width

Conventions
-----------
- Every file is written to a temporary name and renamed into place
  (``atomicdir.atomic_write``). A run counts as finished exactly when its
  ``points/`` file exists and names the current spec hash, so a sweep killed at
  any moment loses at most the runs in flight.
- ``failures.json`` and the three tables are one set: they are written into a
  copy of ``DIR`` built aside (the run files hard-linked in) that replaces
  ``DIR`` in one swap (``atomicdir.staged_dir``), so the tables never mix two
  publishes; a sweep killed during the swap is repaired when it is run again.
- The records file of a run is written before its ``points/`` file.
- The tables are built from the ``points/`` files alone, sorted by point and
  replication, so they are byte-identical however the runs were scheduled.
- The CI half-width is ``t_{0.975, n-1} s / sqrt(n)`` over the ``n`` finite
  values of a field (Student t; NaN when ``n < 2``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from atomicdir import recover, staged_dir

from .._io import atomic_write, atomic_write_json
from ._results import SweepResults, encode_table, summarise
from ._spec import SweepError, SweepSpec

__all__ = ["RunFailure", "SweepStore", "aggregate"]

#: The files published together at the end of every sweep call.
_TABLES = ("failures.json", "summaries.parquet", "aggregates.csv", "aggregates.parquet")
_POINT_FILE = re.compile(r"^p(\d{4,})_r(\d{3,})\.json$")
# Entries of DIR that belong to a sweep; --force clears exactly these.
_OWNED = (
    "points",
    "records",
    "failures.json",
    "summaries.parquet",
    "aggregates.csv",
    "aggregates.parquet",
    "sweep.json",
)


@dataclass(frozen=True)
class RunFailure:
    """A (point, replication) run that raised.

    Parameters
    ----------
    point, replication : int >= 0
        Indices of the run.
    overrides : dict[str, Any]
        The point's dotted overrides.
    error : str
        ``"ExceptionType: message"``.
    """

    point: int
    replication: int
    overrides: dict[str, Any]
    error: str

    def line(self) -> str:
        """The one-line report of this failure."""
        ov = ", ".join(f"{k}={v!r}" for k, v in self.overrides.items()) or "base config"
        return f"point {self.point} replication {self.replication} ({ov}) failed: {self.error}"


def run_name(point: int, replication: int) -> str:
    """File stem of one run: ``p0003_r011``."""
    return f"p{point:04d}_r{replication:03d}"


class SweepStore:
    """Read and write one sweep's output folder.

    Parameters
    ----------
    out_dir : path-like
        The folder (created if missing).
    spec : SweepSpec
        The validated sweep that writes into it.
    """

    def __init__(self, out_dir: str | os.PathLike[str], spec: SweepSpec) -> None:
        self.out_dir = Path(out_dir)
        self.spec = spec
        self.sha256 = spec.sha256()

    def open(self, *, force: bool) -> set[tuple[int, int]]:
        """Claim the folder for this spec; return the runs already finished.

        Raises
        ------
        SweepError
            If the folder holds another sweep, or files that are not a sweep,
            and ``force`` is false.
        """
        out = self.out_dir
        if out.exists() and not out.is_dir():
            raise SweepError(f"--out must be a folder; got the existing file {str(out)!r}.")
        recover(out)  # a folder left half-swapped by a sweep killed while publishing its tables
        out.mkdir(parents=True, exist_ok=True)
        old_sha = self._existing_sha()
        if force:
            self._clear()
        elif old_sha is None and any(out.iterdir()):
            raise SweepError(
                f"--out {str(out)!r} is not empty and holds no sweep.json; "
                "refusing to write into it (pass --force to start over)."
            )
        elif old_sha is not None and old_sha != self.sha256:
            raise SweepError(
                f"--out {str(out)!r} holds results of a different sweep (spec or base config changed); "
                "refusing to mix them (pass --force to start over)."
            )
        atomic_write_json(out / "sweep.json", {"sha256": self.sha256, "spec": self.spec.to_dict()})
        (out / "points").mkdir(exist_ok=True)
        return self.finished()

    def _existing_sha(self) -> str | None:
        path = self.out_dir / "sweep.json"
        if not path.exists():
            return None
        try:
            return str(json.loads(path.read_text(encoding="utf-8"))["sha256"])
        except (ValueError, KeyError, TypeError):
            return ""  # unreadable: treated as a different sweep

    def _clear(self) -> None:
        """Move every sweep entry into a trash folder, then delete it.

        Each move is an atomic rename; ``sweep.json`` goes last, and old point
        files carry the old spec hash, so a crash half-way leaves nothing that
        could be mistaken for a result of the new sweep.
        """
        trash = Path(tempfile.mkdtemp(prefix=".trash-", dir=self.out_dir))
        for name in _OWNED:
            if (self.out_dir / name).exists():
                os.replace(self.out_dir / name, trash / name)
        shutil.rmtree(trash)

    def finished(self) -> set[tuple[int, int]]:
        """(point, replication) of every run whose file names the current spec."""
        done = set()
        points_dir = self.out_dir / "points"
        for path in points_dir.glob(".*.tmp"):
            path.unlink(missing_ok=True)  # left by a sweep killed mid-write
        for path in points_dir.iterdir():
            data = self._read_run(path)
            if data is not None:
                done.add((data["point"], data["replication"]))
        return done

    def _read_run(self, path: Path) -> dict[str, Any] | None:
        m = _POINT_FILE.match(path.name)
        if m is None:
            return None
        p, r = int(m.group(1)), int(m.group(2))
        if p >= len(self.spec.points) or r >= self.spec.n_replications:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return None
        if data.get("spec_sha256") != self.sha256 or (data.get("point"), data.get("replication")) != (p, r):
            return None
        return data

    def write_run(
        self, point: int, replication: int, summary: dict[str, Any], records: Any, wall_s: float,
        tables: dict[str, Any] | None = None,
    ) -> None:
        """Store one finished run (records first, then the run file that marks it finished).

        ``tables`` (DataFrames by name, from a metrics function) are kept in the run file.
        """
        name = run_name(point, replication)
        if records is not None:
            atomic_write(
                self.out_dir / "records" / f"{name}.parquet",
                lambda tmp: records.to_parquet(tmp, index=False),
            )
        seed = self.spec.seed_sequence(point, replication)
        data = {
            "point": point,
            "replication": replication,
            "overrides": self.spec.points[point].plain_overrides(),
            "seed": {"entropy": self.spec.seed, "spawn_key": list(seed.spawn_key)},
            "spec_sha256": self.sha256,
            "wall_s": wall_s,
            "summary": summary,
        }
        if tables:
            data["tables"] = {k: encode_table(v) for k, v in tables.items()}
        atomic_write_json(self.out_dir / "points" / f"{name}.json", data)

    def results(self) -> SweepResults:
        """Every finished run's summary and tables, in (point, replication) order.

        Raises
        ------
        SweepError
            If a run of the sweep has not finished.
        """
        runs = {}
        for path in (self.out_dir / "points").iterdir():
            data = self._read_run(path)
            if data is not None:
                runs[data["point"], data["replication"]] = data
        if len(runs) < self.spec.n_runs:
            raise SweepError(f"{self.spec.n_runs - len(runs)} of {self.spec.n_runs} runs of the sweep in "
                             f"{str(self.out_dir)!r} have not finished; run it again to resume.")
        return SweepResults(self.spec, [runs[key] for key in sorted(runs)])

    def publish_tables(self, failures: list[RunFailure]) -> pd.DataFrame:
        """Write ``failures.json`` and the tables as one set, swapped into the folder whole."""
        with staged_dir(self.out_dir, replaces=_TABLES) as folder:
            self.write_failures(failures, folder=folder)
            summaries = self.write_tables(folder=folder)
        return summaries

    def write_failures(self, failures: list[RunFailure], *, folder: Path | None = None) -> None:
        """Write ``failures.json`` into ``folder`` (default the sweep's) or remove a stale one."""
        path = (folder or self.out_dir) / "failures.json"
        if not failures:
            path.unlink(missing_ok=True)
            return
        atomic_write_json(path, [asdict(f) | {"message": f.line()} for f in failures])

    def write_tables(self, *, folder: Path | None = None) -> pd.DataFrame:
        """Write ``summaries.parquet`` and the aggregates from the run files; return the summaries.

        The tables go into ``folder`` (default the sweep's own).
        """
        folder = folder or self.out_dir
        rows = []
        params = {}
        for path in sorted((self.out_dir / "points").iterdir()):
            data = self._read_run(path)
            if data is None:
                continue
            p = data["point"]
            if p not in params:
                params[p] = self.spec.parameters(p)
            rows.append({"point": p, "replication": data["replication"], **params[p], **self.spec.points[p].params,
                         **data["summary"]})
        summaries = pd.DataFrame(rows)
        if rows:
            summaries = summaries.sort_values(["point", "replication"], kind="stable", ignore_index=True)
        atomic_write(folder / "summaries.parquet", lambda t: summaries.to_parquet(t, index=False))
        agg = aggregate(summaries, list(self.spec.parameter_keys))
        atomic_write(folder / "aggregates.parquet", lambda t: agg.to_parquet(t, index=False))
        atomic_write(folder / "aggregates.csv", lambda t: agg.to_csv(t, index=False))
        return summaries


def aggregate(summaries: pd.DataFrame, parameter_keys: list[str]) -> pd.DataFrame:
    """Per-point mean and 95 % CI half-width of every numeric summary field.

    Parameters
    ----------
    summaries : pandas.DataFrame
        One row per (point, replication), as in ``summaries.parquet``.
    parameter_keys : list of str
        The parameter columns, copied once per point.

    Returns
    -------
    pandas.DataFrame
        Columns ``point``, the parameters, ``n_replications``, then
        ``{field}_mean`` and ``{field}_ci95_half_width`` for each numeric,
        non-boolean summary field.
    """
    if not len(summaries):
        return pd.DataFrame()
    fixed = ["point", "replication", *parameter_keys]
    fields = [
        c
        for c in summaries.columns
        if c not in fixed
        and pd.api.types.is_numeric_dtype(summaries[c])
        and not pd.api.types.is_bool_dtype(summaries[c])
    ]
    ordered = summaries.sort_values("point", kind="stable")
    out = summarise(ordered, ["point"], fields, mean_suffix="_mean", ci_suffix="_ci95_half_width")
    firsts = ordered.drop_duplicates("point")
    for i, key in enumerate(parameter_keys):
        out.insert(1 + i, key, firsts[key].to_list())
    return out
