"""``dialer-sim validate`` and ``dialer-sim bench``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._bench_child import DEFAULT_WORKLOADS, WORKLOADS
from .._io import atomic_write_json
from .._limits import MAX_CALLS
from ..errors import ConfigError, DialerSimError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="reproduce the exact queueing results (Erlang A/B/C, M/M/n+D) in open-loop mode",
        description="Simulate each open-loop validation case and compare P(wait), P(abandon) and utilisation "
        "with their exact values; writes a JSON list (docs/validation.md).",
    )
    p.add_argument("--json", type=Path, required=True, help="output JSON file")
    p.add_argument("--n-calls", type=int, default=None,
                   help="calls per case (default: each case's own, 200000, or 800000 for 150 agents)")
    p.add_argument("--batches", type=int, default=20, help="batch means per case (default 20)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--force", action="store_true", help="replace an existing --json file")
    p.set_defaults(func=_validate)

    b = sub.add_parser(
        "bench",
        help="measure dial attempts per second and peak memory against a minimal SimPy model",
        description="Benchmark the model on the open-loop Erlang-A case and a 1.5-million-dial campaign.",
    )
    b.add_argument("--json", type=Path, required=True, help="output JSON file")
    b.add_argument("--scale", type=float, default=1.0, help="workload size factor (default 1.0)")
    b.add_argument("--seed", type=int, default=None, help="seed (default 0; screening_sample has the experiment's)")
    b.add_argument("--no-sweep", action="store_true", help="skip the 1-vs-2-worker sweep measurement")
    b.add_argument("--force", action="store_true", help="replace an existing --json file")
    b.add_argument("--against", metavar="REV", help="compare with git revision REV: run its workloads and the "
                   "working tree's, interleaved, and report the speed ratios (docs/bench.md)")
    b.add_argument("--rounds", type=int, default=None, help="with --against: base/working-tree alternations "
                   "(default 3, or 1 when screening_sample runs alone or instructions are counted)")
    b.add_argument("--count", default="time", metavar="{time,instructions}",
                   help="with --against: compare wall and CPU time (default), or the instructions each run executes, "
                   "counted by Valgrind's callgrind: the same on a busy machine, about 50 times slower")
    b.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS),
                   help=f"comma-separated workloads to run, of {','.join(WORKLOADS)} "
                   f"(default {','.join(DEFAULT_WORKLOADS)})")
    b.set_defaults(func=_bench)


#: Bound of the benchmark workload (one validation run of 10^7 calls takes minutes).
MAX_BENCH_SCALE = 100.0


def _check_json_out(args: argparse.Namespace) -> None:
    """Refuse, before minutes of simulation, to replace an earlier result file without --force."""
    if args.json.exists() and not args.force:
        raise DialerSimError(
            f"--json {str(args.json)!r} already exists; refusing to overwrite earlier results "
            "(pass --force to replace it)."
        )
    if args.json.is_dir():
        raise DialerSimError(f"--json must be a file; got the folder {str(args.json)!r}.")


def _validate(args: argparse.Namespace) -> int:
    from ..queueing.validation import MAX_BATCHES, run_validation

    if args.n_calls is not None and args.n_calls < 1000:
        raise ConfigError(f"--n-calls must be an integer >= 1000; got {args.n_calls}.")
    if args.n_calls is not None and args.n_calls > MAX_CALLS:
        raise ConfigError(f"--n-calls must be an integer <= {MAX_CALLS} (the documented bound); got {args.n_calls}.")
    if not 2 <= args.batches <= MAX_BATCHES:
        raise ConfigError(f"--batches must be an integer >= 2 and <= {MAX_BATCHES} (the documented bound); "
                          f"got {args.batches}.")
    if args.n_calls is not None and args.n_calls < 50 * args.batches:
        raise ConfigError(f"--n-calls must be at least 50 calls per batch ({50 * args.batches}); got {args.n_calls}.")
    if args.seed < 0:
        raise ConfigError(f"--seed must be an integer >= 0; got {args.seed}.")
    _check_json_out(args)
    cases = run_validation(n_calls=args.n_calls, seed=args.seed, n_batches=args.batches, progress=not args.quiet)
    atomic_write_json(args.json, cases)
    bad = 0
    for c in cases:
        cells = []
        for m in ("p_wait", "p_abandon", "utilisation"):
            v = c[m]
            inside = abs(v["simulated"] - v["analytic"]) <= v["ci95_half_width"] + 1e-12
            bad += not inside
            cells.append(f"{m} {v['simulated']:.4f}±{v['ci95_half_width']:.4f} (exact {v['analytic']:.4f})"
                         f"{'' if inside else ' OUTSIDE'}")
        print(f"{c['model']:9s} n={c['n_agents']:<4d} " + "  ".join(cells))  # noqa: T201
    print(f"{18 - bad if len(cases) == 6 else '-'} of {3 * len(cases)} intervals contain the exact value "  # noqa: T201
          f"(about 1 in 20 may miss by chance at 95 %) -> {args.json}", file=sys.stderr)
    return 0


def _check_sample_args(args: argparse.Namespace, workloads: list[str]) -> None:
    """screening_sample runs the experiment's own runs: a --scale or --seed would make them other runs."""
    if "screening_sample" not in workloads:
        return
    if args.scale != 1.0:
        raise ConfigError(f"--scale must be 1 with screening_sample (it runs the experiment's own campaigns); "
                          f"got {args.scale:g}.")
    if args.seed is not None:
        raise ConfigError(f"--seed must not be given with screening_sample (it runs the experiment's own seeds); "
                          f"got {args.seed}.")


def _bench(args: argparse.Namespace) -> int:
    from ..bench import run_benchmarks

    if not 0 < args.scale <= MAX_BENCH_SCALE:
        raise ConfigError(f"--scale must be > 0 and <= {MAX_BENCH_SCALE:g}; got {args.scale}.")
    if args.seed is not None and args.seed < 0:
        raise ConfigError(f"--seed must be an integer >= 0; got {args.seed}.")
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in workloads if w not in WORKLOADS]
    if unknown or not workloads:
        raise ConfigError(f"--workloads must be a comma-separated subset of {','.join(WORKLOADS)}; "
                          f"got {args.workloads!r}.")
    _check_sample_args(args, workloads)
    from .._bench_compare import COUNTS, check_count

    if args.count in COUNTS and args.count != "time" and args.against is None:
        raise ConfigError(f"--count {args.count} needs --against REV (it compares two revisions); "
                          "got no --against.")
    check_count(args.count, workloads)
    _check_json_out(args)
    seed = 0 if args.seed is None else args.seed
    counting = args.count == "instructions"
    rounds = args.rounds if args.rounds is not None else 1 if counting or workloads == ["screening_sample"] else 3
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731, T201
    if args.against is not None:
        from ..bench import compare_revisions

        result = compare_revisions(args.against, scale=args.scale, seed=seed, rounds=rounds, workloads=workloads,
                                   count=args.count, log=log)
    else:
        result = run_benchmarks(scale=args.scale, seed=seed, sweep=not args.no_sweep, workloads=workloads, log=log)
    atomic_write_json(args.json, result)
    return 0
