"""Parameter sweeps: many configurations times replications, resumable, local or on Dask.

A sweep is a base configuration plus a grid and/or a list of dotted-key
overrides, times ``replications``, with one root seed (see ``docs/sweeps.md``).
:func:`load_sweep` reads and validates the TOML file (:func:`build_sweep`
makes one in code, from ``(params, overrides)`` points, for an experiment);
:func:`run_sweep` runs
every unfinished (point, replication) on local processes or a Dask cluster and
writes one file per finished run, then ``summaries.parquet`` and the per-point
aggregates.

Conventions
-----------
- Run ``(p, r)`` is seeded by ``SeedSequence(entropy=seed, spawn_key=(p, r))``,
  the ``[p][r]`` child of ``SeedSequence(seed)``; results do not depend on the
  number of workers or the backend.
- Times are seconds; rates per second.
"""

from .._limits import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS
from ._backends import DaskBackend, LocalBackend, RunOutcome, RunTask, execute_run
from ._results import SweepResults, build_sweep, mean_ci95, summarise
from ._runner import SweepReport, run_sweep, sweep_throughput
from ._spec import SweepError, SweepPoint, SweepSpec, load_sweep, sweep_from_dict
from ._store import RunFailure, SweepStore, aggregate

__all__ = [
    "DaskBackend",
    "LocalBackend",
    "MAX_REPLICATIONS",
    "MAX_SEED",
    "MAX_WORKERS",
    "RunFailure",
    "RunOutcome",
    "RunTask",
    "SweepError",
    "SweepPoint",
    "SweepReport",
    "SweepResults",
    "SweepSpec",
    "SweepStore",
    "aggregate",
    "build_sweep",
    "execute_run",
    "load_sweep",
    "mean_ci95",
    "run_sweep",
    "summarise",
    "sweep_from_dict",
    "sweep_throughput",
]
