"""What every experiment script shares: its command line, seeds, parallel replications and output files.

Each experiment is ``python experiments/NAME.py [--smoke] [--config FILE] --out DIR
[--seed N] [--workers N] [--force] [--quiet]`` and exposes ``main(config,
out_dir, ...)``. Outputs are written atomically; an ``--out`` that already holds
an experiment's ``config.json`` is refused unless ``--force`` is given, so earlier
results are never overwritten by accident; a ``--force`` run that fails or is
interrupted puts the earlier results back as they were.

Conventions
-----------
- One ``SeedSequence(seed)`` per experiment; replication ``i`` uses its child
  ``i`` for every configuration (common random numbers across the points of a
  sweep). Results do not depend on ``--workers``: each job gets its seed up
  front and results are collected in job order.
- Means across replications carry a 95 % t half-width (``*_ci95`` columns).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import dialer_sim as ds
from atomicdir import recover
from dialer_sim._cli_parser import OneLineParser
from dialer_sim._io import atomic_write, atomic_write_json, atomic_write_text, staged_dir
from dialer_sim._limits import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS
from dialer_sim._parent_watch import die_with_parent
from dialer_sim.stats import mean_ci

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

CONFIGS = Path(__file__).resolve().parent / "configs"
#: No progress bars (``--quiet``); :func:`cli` sets it.
QUIET = False


class ExperimentError(ds.DialerSimError):
    """Bad experiment input (output folder, arguments, missing upstream results)."""


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

    return tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False, disable=QUIET,
                mininterval=0.5 if sys.stderr.isatty() else 10.0, dynamic_ncols=True)


def summarise(table: pd.DataFrame, by: list[str], metrics: list[str]) -> pd.DataFrame:
    """Mean and 95 % t half-width across replications of each metric, per group."""
    rows = []
    for key, g in table.groupby(by, sort=False, observed=True):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        row["n_replications"] = len(g)
        for m in metrics:
            vals = g[m].to_numpy(dtype=float)
            vals = vals[np.isfinite(vals)]
            if len(vals) > 1:
                row[m], row[f"{m}_ci95"] = mean_ci(vals)
            else:
                row[m], row[f"{m}_ci95"] = (float(vals[0]) if len(vals) else np.nan), np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def save_csv(df: pd.DataFrame, path: Path) -> None:
    atomic_write(Path(path), lambda p: df.to_csv(p, index=False))


def save_fig(fig, path: Path) -> None:
    fig.tight_layout()
    atomic_write(Path(path), lambda p: fig.savefig(p, dpi=130, format="png"))
    plt.close(fig)


def write_text(path: Path, text: str) -> None:
    atomic_write_text(Path(path), text)


def write_config(out_dir: Path, experiment: str, *, seed: int, config: ds.DialerConfig | None, **extra) -> None:
    """``config.json``: the experiment, its seed, the base configuration and any sweep settings."""
    payload = {"experiment": experiment, "seed": seed, **extra}
    if config is not None:
        payload["config"] = ds.config_to_dict(config)
    atomic_write_json(Path(out_dir) / "config.json", payload)


def prepare_out(out_dir: Path, *, force: bool) -> Path:
    """Refuse an ``out_dir`` that already holds results unless ``force``; create nothing.

    A folder left half-swapped by a killed run is repaired first (``atomicdir.recover``).
    """
    out_dir = Path(out_dir)
    recover(out_dir)
    if (out_dir / "config.json").exists() and not force:
        raise ExperimentError(f"--out {str(out_dir)!r} already holds results (config.json); "
                              "choose another folder or pass --force to replace them.")
    if out_dir.exists() and not out_dir.is_dir():
        raise ExperimentError(f"--out must be a folder; got the file {str(out_dir)!r}.")
    return out_dir


def _check_upper_bounds(args: argparse.Namespace) -> None:
    """--workers, --seed and --replications within their documented bounds (docs/sweeps.md)."""
    for option, value, maximum in (("--workers", args.workers, MAX_WORKERS), ("--seed", args.seed, MAX_SEED),
                                   ("--replications", getattr(args, "replications", None), MAX_REPLICATIONS)):
        if value is not None and value > maximum:
            raise ExperimentError(f"{option} must be an integer <= {maximum} (the documented bound); got {value}.")


def cli(name: str, doc: str, default_config: Path, seed: int,
        run: Callable[[argparse.Namespace, ds.DialerConfig], object], argv=None,
        extra_args: Callable[[argparse.ArgumentParser], None] | None = None,
        check: Callable[[argparse.Namespace], None] | None = None) -> int:
    """Parse the standard arguments, load the config, call ``run(args, config)``; one-line errors, exit 2.

    ``check(args)`` validates the experiment's own inputs before ``--out`` is created, so bad input
    leaves no empty output folder behind.
    """
    p = OneLineParser(prog=f"experiments/{name}.py", description=doc.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--config", type=Path, default=default_config, help="base campaign (TOML)")
    p.add_argument("--smoke", action="store_true", help="the small run CI compares with tests/data/")
    p.add_argument("--seed", type=int, default=seed)
    p.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument("--force", action="store_true", help="replace earlier results in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    if extra_args is not None:
        extra_args(p)
    args = p.parse_args(argv)
    out = args.out
    global QUIET
    QUIET = args.quiet
    try:
        if args.workers < 1:
            raise ExperimentError(f"--workers must be an integer >= 1; got {args.workers}.")
        if args.seed < 0:
            raise ExperimentError(f"--seed must be an integer >= 0; got {args.seed}.")
        _check_upper_bounds(args)
        if not args.config.is_file():
            raise ExperimentError(f"--config must name an existing TOML file; got {str(args.config)!r}.")
        config = ds.load_config(args.config)
        if check is not None:
            check(args)
        out = prepare_out(args.out, force=args.force)
        # The experiment writes into a hidden sibling folder that replaces --out in one swap once it
        # has finished: a failed or interrupted run leaves the earlier results exactly as they were.
        # Earlier files the new run does not write again are carried over.
        with staged_dir(out) as args.out:
            run(args, config)
        args.out = out
    except (ds.DialerSimError, OSError) as exc:
        print(f"{name}: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{name}: interrupted; earlier results in {str(out)!r} are as they were.", file=sys.stderr)
        return 130
    print(f"{name}: wrote {args.out}", file=sys.stderr)
    return 0
