"""``dialer-sim sweep SWEEP.toml --out DIR [--workers N] [--scheduler ADDRESS] [--force]``.

Runs every (point, replication) of a sweep file that is not finished in ``DIR``
yet, on local worker processes or a Dask cluster, and writes
``DIR/summaries.parquet`` and ``DIR/aggregates.csv``. Runs that raise are listed
one per line on stderr (and in ``DIR/failures.json``) and the exit status is 1.

Conventions
-----------
- Exit status: 0 all runs finished, 1 some runs failed, 2 bad input (one line
  on stderr), 130 interrupted (finished runs are kept; run again to resume).
"""

from __future__ import annotations

import argparse
import os
import sys

from .._limits import MAX_WORKERS
from ..sweep import load_sweep, run_sweep


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` subcommand."""
    p = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep (resumable; local processes or a Dask cluster)",
        description=__doc__.split("\n\n")[1].replace("\n", " ").replace("``", ""),
    )
    p.add_argument("sweep", metavar="SWEEP.toml", help="the sweep file (see docs/sweeps.md)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder; an existing one is resumed")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"local worker processes (default: the usable cores, here {_default_workers()})",
    )
    p.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler to run on, e.g. tcp://host:8786"
    )
    p.add_argument("--force", action="store_true", help="start over if DIR holds a different sweep")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: only when stderr is a terminal)",
    )
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    from ..sweep import SweepError

    if args.workers is not None and args.scheduler is not None:
        raise SweepError("give either --workers (local processes) or --scheduler (Dask), not both.")
    if args.workers is not None and args.workers > MAX_WORKERS:
        raise SweepError(f"`--workers` must be an integer <= {MAX_WORKERS} (the documented bound); got {args.workers}.")
    spec = load_sweep(args.sweep)
    report = run_sweep(
        spec,
        args.out,
        workers=args.workers if args.workers is not None else _default_workers(),
        scheduler=args.scheduler,
        force=args.force,
        progress=args.progress,
    )
    for failure in report.failures:
        print(f"dialer-sim sweep: {failure.line()}", file=sys.stderr)  # noqa: T201
    print(  # noqa: T201
        f"{report.n_ran + report.n_resumed}/{report.n_runs} runs finished "
        f"({report.n_resumed} resumed, {len(report.failures)} failed) in {report.wall_s:.1f} s; "
        f"tables in {report.out_dir}"
    )
    return 1 if report.failures else 0
