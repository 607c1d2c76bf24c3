"""What the experiments that still run their own replications share, on top of :mod:`experiments.kit`.

The command line, output files and summaries are the kit's (re-exported here). ``run_jobs``
runs a list of jobs on joblib workers in job order; experiments on the kit use
:meth:`experiments.kit.Runner.run` instead and get resume, Dask and common random numbers
from the sweep engine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

import numpy as np

from dialer_sim._parent_watch import die_with_parent
from experiments import kit
from experiments.kit import (
    CONFIGS,
    ExperimentError,
    OneLineParser,
    cli,
    save_csv,
    save_fig,
    summarise,
    write_config,
    write_text,
)

__all__ = [
    "CONFIGS",
    "ExperimentError",
    "OneLineParser",
    "cli",
    "progress",
    "replication_seeds",
    "run_jobs",
    "save_csv",
    "save_fig",
    "summarise",
    "write_config",
    "write_text",
]

#: No progress bars (``--quiet``); set by the experiments with a command line of their own.
QUIET = False


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """Child ``i`` of ``SeedSequence(seed)`` for replication ``i``."""
    return np.random.SeedSequence(seed).spawn(replications)


def run_jobs(fn: Callable, jobs: Sequence[tuple], *, workers: int = 1, desc: str = "runs") -> list:
    """``[fn(*job) for job in jobs]``, on ``workers`` processes, in job order, with a progress bar."""
    if workers <= 1 or len(jobs) <= 1:
        return [fn(*job) for job in progress(jobs, desc=desc)]
    from joblib import Parallel, delayed, parallel_config

    # The workers end when this process ends, even by kill -9 (dialer_sim._parent_watch).
    with parallel_config(backend="loky", initializer=die_with_parent, initargs=(os.getpid(),)):
        par = Parallel(n_jobs=workers, return_as="generator")
        return list(progress(par(delayed(fn)(*job) for job in jobs), total=len(jobs), desc=desc))


def progress(iterable, *, desc: str, total: int | None = None):
    """A tqdm bar with an ETA on stderr, on a terminal and in logs alike; none after ``--quiet``."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False, disable=QUIET or kit.QUIET,
                mininterval=0.5 if sys.stderr.isatty() else 10.0, dynamic_ncols=True)
