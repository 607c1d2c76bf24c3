"""Run a sweep: skip finished runs, execute the rest on a backend, store and tabulate.

Conventions
-----------
- Runs are submitted in (point, replication) order, but finish in any order;
  nothing written depends on that order (see ``_store``).
- Wall-clock times are seconds from ``time.perf_counter``; they are kept in the
  run files for information and never enter the summary tables.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ._backends import DaskBackend, LocalBackend, RunTask
from ._spec import SweepSpec, load_sweep
from ._store import RunFailure, SweepStore

__all__ = ["SweepReport", "run_sweep", "sweep_throughput"]


@dataclass(frozen=True)
class SweepReport:
    """What one call of :func:`run_sweep` did.

    Parameters
    ----------
    out_dir : pathlib.Path
        The output folder.
    n_runs : int
        (point, replication) runs in the sweep.
    n_resumed : int
        Runs already finished in ``out_dir`` and skipped.
    n_ran : int
        Runs executed by this call that finished.
    failures : tuple of RunFailure
        Runs that raised, in (point, replication) order.
    wall_s : float >= 0
        Wall-clock duration of the call.
    """

    out_dir: Path
    n_runs: int
    n_resumed: int
    n_ran: int
    failures: tuple[RunFailure, ...]
    wall_s: float

    @property
    def ok(self) -> bool:
        """True when every run of the sweep has finished."""
        return not self.failures and self.n_resumed + self.n_ran == self.n_runs


def run_sweep(
    spec: SweepSpec,
    out_dir: str | os.PathLike[str],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool | None = None,
    run_fn: Callable[..., Any] | None = None,
    metrics_fn: Callable[..., Any] | None = None,
    publish: bool = True,
    desc: str = "sweep",
) -> SweepReport:
    """Run every unfinished (point, replication) of ``spec`` and write the tables.

    Parameters
    ----------
    spec : SweepSpec
        The validated sweep (:func:`load_sweep`).
    out_dir : path-like
        Output folder; run again on the same folder, the sweep resumes.
    workers : int >= 1
        Local worker processes (1 runs in this process). Ignored with ``scheduler``.
    scheduler : str or None
        Address of a Dask scheduler (``tcp://host:8786``) to run on instead.
    force : bool
        Start over in a folder that holds another sweep's results.
    progress : bool or None
        Show a progress bar on stderr; None shows it when stderr is a terminal.
    run_fn : callable or None
        ``run_fn(config, seed, keep_records=...) -> Result`` replacing
        :func:`dialer_sim.run`; it must be importable by name in the workers.
    metrics_fn : callable or None
        ``metrics_fn(config, seed, params) -> dict`` instead of ``run_fn``: an
        experiment's run, given the point's configuration, the run's
        ``SeedSequence`` and the point's params. Scalar values are the run's
        summary, DataFrame values its tables (:meth:`SweepStore.results`).
        It must be importable by name in the workers.
    publish : bool
        Write ``summaries.parquet``, the aggregates and ``failures.json`` at the
        end; False leaves only the run files (the caller reads them back).
    desc : str
        Label of the progress bar.

    Returns
    -------
    SweepReport

    Raises
    ------
    SweepError
        If ``out_dir`` holds another sweep and ``force`` is false, or a backend
        argument is invalid.
    """
    start = time.perf_counter()
    backend = DaskBackend(scheduler) if scheduler is not None else LocalBackend(workers)
    store = SweepStore(out_dir, spec)
    with backend:  # a Dask scheduler is reached before anything is written into out_dir
        finished = store.open(force=force)
        todo = [
            (p, r) for p in range(len(spec.points)) for r in range(spec.n_replications) if (p, r) not in finished
        ]
        tasks = _tasks(spec, todo, run_fn, metrics_fn)
        failures, n_ran = _execute(spec, store, backend, tasks, progress, initial=len(finished), desc=desc)
    if publish:
        store.publish_tables(failures)
    return SweepReport(
        out_dir=Path(out_dir),
        n_runs=spec.n_runs,
        n_resumed=len(finished),
        n_ran=n_ran,
        failures=tuple(failures),
        wall_s=time.perf_counter() - start,
    )


def _tasks(spec: SweepSpec, todo: list[tuple[int, int]], run_fn: Any, metrics_fn: Any) -> Iterator[RunTask]:
    for p, r in todo:
        yield RunTask(
            point=p,
            replication=r,
            config=spec.points[p].config,
            seed=spec.seed_sequence(p, r),
            keep_records=spec.keep_records,
            run_fn=run_fn,
            metrics_fn=metrics_fn,
            params=spec.points[p].params,
        )


def _execute(
    spec: SweepSpec,
    store: SweepStore,
    backend: LocalBackend | DaskBackend,
    tasks: Iterator[RunTask],
    progress: bool | None,
    *,
    initial: int,
    desc: str,
) -> tuple[list[RunFailure], int]:
    """Run ``tasks`` on ``backend``, storing each outcome the moment it arrives."""
    show = sys.stderr.isatty() if progress is None else progress
    failures: list[RunFailure] = []
    n_ran = 0
    bar = tqdm(
        total=spec.n_runs,
        initial=initial,
        unit="run",
        desc=desc,
        file=sys.stderr,
        disable=not show,
        dynamic_ncols=True,
        mininterval=0.5 if sys.stderr.isatty() else 10.0,  # a log gets a line every 10 s, not a flood
    )
    with bar:
        for out in backend.run(tasks):
            if out.ok:
                store.write_run(out.point, out.replication, out.summary or {}, out.records, out.wall_s, out.tables)
                n_ran += 1
            else:
                overrides = spec.points[out.point].overrides
                failures.append(RunFailure(out.point, out.replication, overrides, out.error or ""))
                bar.set_postfix(failed=len(failures), refresh=False)
            bar.update(1)
    failures.sort(key=lambda f: (f.point, f.replication))
    return failures, n_ran


def sweep_throughput(
    spec: SweepSpec | str | os.PathLike[str], workers: int, *, scheduler: str | None = None
) -> dict[str, float | int]:
    """Time a whole sweep from scratch in a temporary folder.

    Parameters
    ----------
    spec : SweepSpec or path-like
        The sweep, or its TOML file.
    workers : int >= 1
        Local worker processes.
    scheduler : str or None
        Dask scheduler address instead of local workers.

    Returns
    -------
    dict
        ``workers``, ``n_runs``, ``n_failed``, ``wall_s`` (s) and ``runs_per_s``
        (1/s), the wall time including worker start-up and writing the tables.
    """
    if not isinstance(spec, SweepSpec):
        spec = load_sweep(spec)
    with tempfile.TemporaryDirectory(prefix="sweep-bench-") as tmp:
        report = run_sweep(spec, tmp, workers=workers, scheduler=scheduler, progress=False)
    return {
        "workers": workers,
        "n_runs": report.n_runs,
        "n_failed": len(report.failures),
        "wall_s": report.wall_s,
        "runs_per_s": report.n_runs / report.wall_s,
    }
