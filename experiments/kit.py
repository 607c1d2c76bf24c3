"""The experiment kit: declare points, run them on the sweep engine, write one result set (docs/experiments.md).

An experiment is a module ``experiments/NAME.py`` with

- a **metrics function** at module level, ``fn(config, seed, params) -> dict``: one
  replication of one point (``config`` is the point's validated configuration,
  ``seed`` its ``numpy.random.SeedSequence``, ``params`` the point's labels). Scalar
  values are the run's metrics; pandas DataFrame values are small per-run tables;
- its **points**, a list of :class:`Point` (labels plus dotted overrides on the base
  configuration), and a number of replications;
- ``main(config, out_dir, ..., runner=None)``, which calls :meth:`Runner.run` and builds
  its tables, charts, ``config.json`` and ``REPORT.md`` from the results;
- a command line built by :func:`cli`:
  ``python experiments/NAME.py --out DIR [--smoke] [--config FILE] [--seed N]
  [--workers N | --scheduler ADDRESS] [--force] [--quiet]``; with :class:`Sizes` as its
  ``run`` it also takes ``--demo`` and ``--replications N`` and picks the size to run.

:meth:`Runner.run` hands the points to :func:`dialer_sim.sweep.run_sweep` (local
worker processes, or a Dask cluster with ``--scheduler``) with a progress bar, and
reads the runs back in (point, replication) order.

Conventions
-----------
- Common random numbers: replication ``r`` of every point is seeded by
  ``SeedSequence(entropy=seed, spawn_key=(r,))``, child ``r`` of
  ``SeedSequence(seed).spawn(replications)``. Results do not depend on
  ``--workers``, ``--scheduler`` or the order runs finish in.
- Resume: :func:`cli` keeps the runs in a work folder beside ``--out``
  (:func:`store_dir`, ``.NAME.sweep``), one file per finished run. Killed at any
  moment (even ``kill -9``), the same command run again skips the finished runs
  and writes the same tables as an uninterrupted run; a different command (other
  config, seed, points or experiment) starts that folder over. It is deleted once
  the result set is in place.
- A result set appears whole or not at all: the outputs are written into a hidden
  folder that replaces ``--out`` in one swap (:func:`atomicdir.staged_dir`); an
  ``--out`` holding ``config.json`` is refused without ``--force``, and a failed or
  interrupted run leaves earlier results as they were.
- Bad input is one line on stderr naming the option, the rule and the value, exit 2.
- Means across replications carry a 95 % t half-width (``*_ci95`` columns,
  :func:`summarise`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import dialer_sim as ds
from atomicdir import atomic_write, atomic_write_json, atomic_write_text, recover, staged_dir
from dialer_sim.sweep import (
    MAX_REPLICATIONS,
    MAX_SEED,
    MAX_WORKERS,
    SweepResults,
    SweepStore,
    build_sweep,
    run_sweep,
    summarise,
)
from oneline import OneLineParser, report_errors

__all__ = [
    "CONFIGS",
    "ExperimentError",
    "Point",
    "Runner",
    "Size",
    "Sizes",
    "cli",
    "format_ci",
    "run_command",
    "save_csv",
    "save_fig",
    "store_dir",
    "summarise",
    "write_config",
    "write_text",
]

#: The experiments' configuration files.
CONFIGS = Path(__file__).resolve().parent / "configs"


class ExperimentError(ds.DialerSimError):
    """Bad experiment input (output folder, arguments, missing upstream results) or failed runs."""


class Point(NamedTuple):
    """One point of an experiment: its labels and the dotted overrides on the base configuration.

    Parameters
    ----------
    params : dict
        JSON-able labels (``{"policy": "ratio 1.3"}``): passed to the metrics function and
        written as the first columns of every table.
    overrides : dict
        Dotted config keys and values (``{"pacing.policy": "ratio"}``), applied in order.
    """

    params: Mapping[str, Any]
    overrides: Mapping[str, Any]


@dataclass(frozen=True)
class Runner:
    """Where and how an experiment's runs execute.

    Parameters
    ----------
    workers : int >= 1
        Local worker processes (1 runs in this process).
    scheduler : str or None
        Address of a Dask scheduler (``tcp://host:8786``) to run on instead.
    progress : bool
        Show a progress bar with an ETA on stderr.
    store : pathlib.Path or None
        The work folder that keeps finished runs, so that a killed experiment resumes;
        None uses a temporary folder removed afterwards.
    """

    workers: int = 1
    scheduler: str | None = None
    progress: bool = False
    store: Path | None = None

    def run(self, name: str, base: ds.DialerConfig, points: Sequence[Point], metrics_fn: Callable[..., dict], *,
            replications: int, seed: int) -> SweepResults:
        """Run every point ``replications`` times with common random numbers; return every run.

        Parameters
        ----------
        name : str
            The experiment (part of the sweep's hash and the progress label).
        base : DialerConfig
        points : sequence of Point
        metrics_fn : callable
            ``metrics_fn(config, seed, params) -> dict``, defined at module level so that
            workers import it by name.
        replications : int >= 1
        seed : int >= 0

        Returns
        -------
        dialer_sim.sweep.SweepResults
            ``.summaries()`` (one row per run) and ``.table(name)``.

        Raises
        ------
        ExperimentError
            If a run raised (the finished runs stay in the store for a rerun).
        """
        spec = build_sweep(base, list(points), replications=replications, seed=seed, name=name)
        with tempfile.TemporaryDirectory(prefix=f"{name}-runs-") as tmp:
            store = self.store if self.store is not None else Path(tmp)
            report = run_sweep(spec, store, workers=self.workers, scheduler=self.scheduler,
                               force=_holds_other_sweep(store, spec.sha256()), progress=self.progress,
                               metrics_fn=metrics_fn, publish=False, desc=name)
            if report.failures:
                first = report.failures[0]
                raise ExperimentError(f"{len(report.failures)} of {report.n_runs} runs failed; the first: "
                                      f"{first.line()}")
            return SweepStore(store, spec).results()


class Size(NamedTuple):
    """One size of an experiment's run: ``--smoke``, ``--demo`` or the full run.

    Parameters
    ----------
    config : callable or None
        ``config(base) -> DialerConfig``, the variant of the base configuration this size runs;
        None runs the base itself.
    kwargs : dict
        Keyword arguments of the experiment's ``main`` for this size. Where they name no
        ``replications``, an experiment with ``--replications`` is given its value.
    """

    config: Callable[[ds.DialerConfig], ds.DialerConfig] | None = None
    kwargs: Mapping[str, Any] = {}


@dataclass(frozen=True)
class Sizes:
    """An experiment's sizes: the ``run`` of :func:`cli` that runs ``--smoke``, ``--demo`` or the full size.

    Parameters
    ----------
    main : callable
        ``main(config, out_dir, *, seed, runner, **kwargs)``, the experiment's ``main``.
    smoke, full : Size
    demo : Size or None
        None: the experiment has no ``--demo``.
    replications : int >= 2 or None
        The default of ``--replications`` (replications of the runs that do not fix their
        own); None: the experiment has no ``--replications``.
    demo_help, replications_help : str
        The options' help lines.
    """

    main: Callable[..., object]
    smoke: Size
    demo: Size | None = None
    full: Size = Size()
    replications: int | None = None
    demo_help: str = "the smaller run `make demo` runs"
    replications_help: str = "replications per point (full run)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add ``--demo`` and ``--replications`` where the experiment has them."""
        if self.demo is not None:
            parser.add_argument("--demo", action="store_true", help=self.demo_help)
        if self.replications is not None:
            parser.add_argument("--replications", type=int, default=self.replications, help=self.replications_help)

    def check(self, args: argparse.Namespace) -> None:
        """``--replications`` of at least 2, for 95 % intervals."""
        if self.replications is not None and args.replications < 2:
            raise ExperimentError(f"--replications must be an integer >= 2 (for 95 % intervals); "
                                  f"got {args.replications}.")

    def run(self, size: str, config: ds.DialerConfig, out_dir: Path, *, seed: int, runner: Runner | None = None,
            replications: int | None = None):
        """Run ``main`` at ``size`` (``'smoke'``, ``'demo'`` or ``'full'``) on ``config``; return what it returns."""
        chosen: Size = getattr(self, size)
        kwargs = dict(chosen.kwargs)
        if replications is not None:
            kwargs.setdefault("replications", replications)
        base = config if chosen.config is None else chosen.config(config)
        return self.main(base, out_dir, seed=seed, runner=runner, **kwargs)

    def __call__(self, args: argparse.Namespace, config: ds.DialerConfig) -> None:
        size = "smoke" if args.smoke else "demo" if getattr(args, "demo", False) else "full"
        self.run(size, config, args.out, seed=args.seed, runner=args.runner,
                 replications=getattr(args, "replications", None))


def format_ci(row: Mapping[str, Any], col: str, spec: str) -> str:
    """``'12.3 ± 0.4'``: a summary row's mean ``col`` and its ``col_ci95`` half-width in format ``spec``.

    ``'–'`` where the mean is not finite (a ratio with no denominator); the mean alone where the
    half-width is not (a single replication).
    """
    if not np.isfinite(row[col]):
        return "–"
    half = row[f"{col}_ci95"]
    return f"{row[col]:{spec}}" + ("" if not np.isfinite(half) else f" ± {half:{spec}}")


def _holds_other_sweep(store: Path, sha256: str) -> bool:
    """True when ``store`` holds anything but this sweep's runs (it is then started over)."""
    if not store.exists() or not any(store.iterdir()):
        return False
    try:
        return json.loads((store / "sweep.json").read_text(encoding="utf-8"))["sha256"] != sha256
    except (OSError, ValueError, KeyError, TypeError):
        return True


def store_dir(out_dir: str | os.PathLike[str]) -> Path:
    """The work folder of an experiment writing into ``out_dir``: ``.NAME.sweep`` beside it."""
    out = Path(os.path.realpath(out_dir))
    return out.parent / f".{out.name}.sweep"


def save_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as CSV without its index, atomically."""
    atomic_write(Path(path), lambda p: df.to_csv(p, index=False))


def save_fig(fig, path: Path, *, dpi: int = 130) -> None:
    """Lay out ``fig``, write it as PNG atomically and close it."""
    fig.tight_layout()
    atomic_write(Path(path), lambda p: fig.savefig(p, dpi=dpi, format="png"))
    plt.close(fig)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) atomically."""
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


def _check_arguments(args: argparse.Namespace) -> None:
    """--workers, --seed, --replications and --scheduler within their documented bounds (docs/sweeps.md)."""
    if args.workers < 1:
        raise ExperimentError(f"--workers must be an integer >= 1; got {args.workers}.")
    if args.seed < 0:
        raise ExperimentError(f"--seed must be an integer >= 0; got {args.seed}.")
    for option, value, maximum in (("--workers", args.workers, MAX_WORKERS), ("--seed", args.seed, MAX_SEED),
                                   ("--replications", getattr(args, "replications", None), MAX_REPLICATIONS)):
        if value is not None and value > maximum:
            raise ExperimentError(f"{option} must be an integer <= {maximum} (the documented bound); got {value}.")
    if args.scheduler is not None and "://" not in args.scheduler:
        raise ExperimentError(f"--scheduler must be an address like tcp://host:8786; got {args.scheduler!r}.")
    if not args.config.is_file():
        raise ExperimentError(f"--config must name an existing TOML file; got {str(args.config)!r}.")


def _parser(name: str, doc: str, default_config: Path, seed: int) -> OneLineParser:
    p = OneLineParser(prog=f"experiments/{name}.py", description=doc.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--config", type=Path, default=default_config, help="base campaign (TOML)")
    p.add_argument("--smoke", action="store_true", help="the small run CI compares with tests/data/")
    p.add_argument("--seed", type=int, default=seed)
    p.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run on this Dask scheduler (tcp://host:8786) instead of local workers")
    p.add_argument("--force", action="store_true", help="replace earlier results in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    return p


def cli(name: str, doc: str, default_config: Path, seed: int,
        run: Callable[[argparse.Namespace, ds.DialerConfig], object], argv=None,
        extra_args: Callable[[argparse.ArgumentParser], None] | None = None,
        check: Callable[[argparse.Namespace], None] | None = None) -> int:
    """Parse the standard arguments, load the config, call ``run(args, config)``; return the exit status.

    ``run`` (a function, or :class:`Sizes`) writes into ``args.out`` (a staging folder swapped
    into ``--out`` when it returns) and passes ``args.runner`` (a :class:`Runner` with ``--workers``, ``--scheduler``, the
    progress bar and the resumable work folder) to :meth:`Runner.run`. ``check(args)``
    validates the experiment's own inputs before anything is created. Errors are one line
    on stderr and exit status 2; Ctrl-C is 130.
    """
    p = _parser(name, doc, default_config, seed)
    if isinstance(run, Sizes):
        run.add_arguments(p)
    if extra_args is not None:
        extra_args(p)
    args = p.parse_args(argv)
    status = run_command(name, args.out, lambda: _checked_run(args, run, check))
    if status == 0:
        print(f"{name}: wrote {args.out}", file=sys.stderr)
    return status


def _checked_run(args: argparse.Namespace, run, check) -> None:
    """Check every input, run into a staging folder swapped into ``--out``, then drop the work folder."""
    _check_arguments(args)
    config = ds.load_config(args.config)
    if isinstance(run, Sizes):
        run.check(args)
    if check is not None:
        check(args)
    out = prepare_out(args.out, force=args.force)
    store = store_dir(out)
    args.runner = Runner(workers=args.workers, scheduler=args.scheduler, progress=not args.quiet, store=store)
    with staged_dir(out) as args.out:
        run(args, config)
    args.out = out
    shutil.rmtree(store, ignore_errors=True)  # the result set is in place: nothing left to resume


def run_command(name: str, out: Path, body: Callable[[], object]) -> int:
    """Run an experiment's ``body()``; return its exit status: 0, 2 on bad input, 130 on Ctrl-C.

    The project's errors and ``OSError`` become one line on stderr (``oneline.report_errors``);
    Ctrl-C says that the earlier results in ``out`` are as they were and the same command resumes.
    """
    return report_errors(name, body, errors=(ds.DialerSimError, OSError),
                         interrupted=f"earlier results in {str(out)!r} are as they were (run the same command "
                                     "again to resume).")
