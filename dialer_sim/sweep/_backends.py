"""Where sweep runs execute: this process, local worker processes, or a Dask cluster.

Every backend calls the same top-level function :func:`execute_run` on a
picklable :class:`RunTask` and yields :class:`RunOutcome` objects as runs
finish, in whatever order they finish. Files are written by the caller (the
client side), never by a worker, so a Dask cluster needs no shared filesystem.

Conventions
-----------
- A run that raises becomes an outcome with ``error`` set; it never stops the
  other runs. A worker process that dies fails the runs it held.
- Local worker processes are started with the ``spawn`` method, so a worker
  shares no state with the parent and behaves as on a cluster, and they end
  when the parent ends, even by ``kill -9`` (``dialer_sim._parent_watch``).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import time
import traceback
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._parent_watch import die_with_parent
from ._spec import SweepError

__all__ = ["DaskBackend", "LocalBackend", "RunOutcome", "RunTask", "execute_run"]


@dataclass(frozen=True)
class RunTask:
    """Everything one (point, replication) run needs, picklable.

    Parameters
    ----------
    point, replication : int >= 0
        Indices of the run.
    config : DialerConfig
        The point's configuration.
    seed : numpy.random.SeedSequence
        The run's spawned child of the sweep's ``SeedSequence``.
    keep_records : bool
        Return the call records with the outcome.
    run_fn : callable or None
        ``run_fn(config, seed, keep_records=...) -> Result``; None means
        :func:`dialer_sim.run`. Must be importable by name on the workers.
    metrics_fn : callable or None
        ``metrics_fn(config, seed, params) -> dict`` of the run's metrics,
        used instead of ``run_fn`` when given: scalar values form the run's
        summary, pandas DataFrame values its tables. Must be importable by
        name on the workers.
    params : dict
        The point's labels (:attr:`SweepPoint.params`), passed to ``metrics_fn``.
    """

    point: int
    replication: int
    config: Any = field(repr=False)
    seed: np.random.SeedSequence = field(repr=False)
    keep_records: bool = False
    run_fn: Callable[..., Any] | None = field(default=None, repr=False)
    metrics_fn: Callable[..., Any] | None = field(default=None, repr=False)
    params: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class RunOutcome:
    """Result of one run: the summary (and records or tables), or the error it raised."""

    point: int
    replication: int
    summary: dict[str, Any] | None = None
    records: Any = None
    tables: dict[str, Any] | None = None
    error: str | None = None
    traceback: str | None = None
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the run finished without raising."""
        return self.error is None


def execute_run(task: RunTask) -> RunOutcome:
    """Run one (point, replication); catch any exception into the outcome.

    Top-level so that process pools and Dask can pickle it by reference.
    """
    start = time.perf_counter()
    tables = records = None
    try:
        if task.metrics_fn is not None:
            summary, tables = _split_metrics(task.metrics_fn(task.config, task.seed, dict(task.params)))
        else:
            run_fn = task.run_fn
            if run_fn is None:
                from dialer_sim import run as run_fn
            result = run_fn(task.config, task.seed, keep_records=task.keep_records)
            summary = dict(result.summary)
            records = result.records if task.keep_records else None
    except Exception as exc:  # noqa: BLE001 - reported per run, the sweep goes on
        return _failed(task, exc, traceback.format_exc(), time.perf_counter() - start)
    return RunOutcome(
        task.point, task.replication, summary=summary, records=records, tables=tables,
        wall_s=time.perf_counter() - start,
    )


def _split_metrics(metrics: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A metrics function's mapping as (scalar summary, tables by name), both in its key order."""
    import pandas as pd

    if not isinstance(metrics, Mapping):
        raise TypeError(f"a metrics function must return a dict; got {type(metrics).__name__}.")
    summary = {k: v for k, v in metrics.items() if not isinstance(v, pd.DataFrame)}
    tables = {k: v for k, v in metrics.items() if isinstance(v, pd.DataFrame)}
    return summary, tables


def _failed(task: RunTask, exc: BaseException, tb: str | None, wall_s: float = 0.0) -> RunOutcome:
    msg = " ".join(str(exc).split()) or "(no message)"
    return RunOutcome(
        task.point, task.replication, error=f"{type(exc).__name__}: {msg}", traceback=tb, wall_s=wall_s
    )


class LocalBackend:
    """Run on ``n_workers`` local processes (in this process when 1).

    Parameters
    ----------
    n_workers : int >= 1
        Worker processes.
    """

    def __init__(self, n_workers: int) -> None:
        if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
            raise SweepError(f"`--workers` must be an integer >= 1; got {n_workers!r}.")
        self.n_workers = n_workers

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def run(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        """Yield an outcome for every task, as each finishes."""
        if self.n_workers == 1:
            yield from map(execute_run, tasks)
            return
        pending = iter(tasks)
        while True:
            broken = yield from self._run_pool(pending)
            if not broken:
                return

    def _run_pool(self, pending: Iterator[RunTask]) -> Generator[RunOutcome, None, bool]:
        """Run tasks on one process pool; return True if a worker died and the pool broke.

        A dead worker (killed, out of memory, crashed interpreter) breaks the
        whole pool: the runs it held are reported as failed and a new pool
        takes the remaining tasks.
        """
        ctx = multiprocessing.get_context("spawn")
        # A bounded window keeps memory flat and lets Ctrl-C stop quickly.
        window = 2 * self.n_workers
        broken = False
        with cf.ProcessPoolExecutor(
            max_workers=self.n_workers, mp_context=ctx, initializer=die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            in_flight: dict[cf.Future[RunOutcome], RunTask] = {}
            try:
                while True:
                    while not broken and len(in_flight) < window and (task := next(pending, None)):
                        try:
                            in_flight[pool.submit(execute_run, task)] = task
                        except cf.process.BrokenProcessPool as exc:
                            broken = True
                            yield _failed(task, exc, None)
                    if not in_flight:
                        return broken
                    done, _ = cf.wait(in_flight, return_when=cf.FIRST_COMPLETED)
                    for fut in done:
                        task = in_flight.pop(fut)
                        exc = fut.exception()
                        broken = broken or isinstance(exc, cf.process.BrokenProcessPool)
                        yield fut.result() if exc is None else _failed(task, exc, None)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)


class DaskBackend:
    """Run on a Dask distributed cluster.

    Parameters
    ----------
    address : str
        The scheduler, e.g. ``"tcp://10.0.0.5:8786"``. Every worker must have
        this package installed.
    timeout_s : float > 0 or None
        How long to wait for the scheduler to answer; None takes Dask's
        ``distributed.comm.timeouts.connect`` setting (30 s unless configured,
        e.g. by ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``).
    """

    def __init__(self, address: str, *, timeout_s: float | None = None) -> None:
        if not isinstance(address, str) or "://" not in address:
            raise SweepError(f"`--scheduler` must be an address like tcp://host:8786; got {address!r}.")
        self.address = address
        self.timeout_s = timeout_s
        self._client: Any = None

    def __enter__(self) -> DaskBackend:
        """Connect to the scheduler now, so an unreachable one fails before anything is written."""
        from distributed import Client

        try:
            timeout = {} if self.timeout_s is None else {"timeout": f"{self.timeout_s}s"}
            self._client = Client(self.address, set_as_default=False, **timeout)
        except (OSError, TimeoutError) as exc:
            msg = " ".join(str(exc).split())
            raise SweepError(f"cannot reach the Dask scheduler at {self.address!r}: {msg}") from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def run(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        """Submit every task, then yield outcomes as they complete (connecting first if needed)."""
        if self._client is None:
            with self:
                yield from self.run(tasks)
            return
        from distributed import as_completed

        client = self._client
        token = uuid.uuid4().hex  # task keys unique across concurrent sweeps on one cluster
        futures = {}
        for task in tasks:
            key = f"dialer-sim-run-{task.point}-{task.replication}-{token}"
            futures[client.submit(execute_run, task, key=key, pure=False, retries=0)] = task
        try:
            for fut in as_completed(list(futures), loop=client.loop):
                task = futures[fut]
                try:
                    yield fut.result()
                except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: fail this run only
                    yield _failed(task, exc, None)
        finally:
            client.cancel(list(futures))
