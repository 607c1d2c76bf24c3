"""``dialer-sim run CONFIG.toml --out DIR``: one campaign, its records, summary and charts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._io import atomic_write, atomic_write_json, prepare_out_dir, staged_dir
from ..api import run
from ..compliance._parts import REGIME_NAMES
from ..config._io import config_to_dict, load_config
from ..errors import ConfigError

OUTPUTS = ("records.parquet", "records.csv", "summary.json", "config.json", "daily.csv", "numbers.parquet")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="simulate one campaign and write its call records and summary",
        description="Simulate one campaign. Writes DIR/records.parquet, DIR/summary.json and DIR/config.json "
        "(and DIR/records.csv with --csv). List campaigns (a [population] section) also write DIR/daily.csv "
        "(the list per day and strategy) and DIR/numbers.parquet (one row per number).",
    )
    p.add_argument("config", type=Path, help="campaign configuration (TOML)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="root seed (integer >= 0, default 0)")
    p.add_argument("--csv", action="store_true", help="also write the records as CSV")
    p.add_argument("--force", action="store_true", help="overwrite results already in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise ConfigError(f"--seed must be an integer >= 0; got {args.seed}.")
    config = load_config(args.config)
    out = prepare_out_dir(args.out, OUTPUTS, force=args.force)
    # The whole folder is built aside and swapped in once the run has succeeded, so a failed or
    # interrupted run (even with --force) leaves the earlier results as they were, never a mix of old
    # and new files. An earlier records.csv or daily.csv that this run does not write is dropped, as it
    # would describe a different run; other files in the folder are kept.
    with staged_dir(out, replaces=OUTPUTS) as staging:
        result = _write_outputs(args, config, staging)
    s = result.summary
    print(  # noqa: T201
        f"{s['n_dials']} dials, {s['n_contacts']} contacts, utilisation {s['agent_utilisation']:.1%}, "
        f"AMD: {s['amd_source']} -> {out}",
        file=sys.stderr,
    )
    print(abandonment_line(result.abandonment), file=sys.stderr)  # noqa: T201
    return 0


def _pct(x) -> str:
    return "—" if x is None else f"{100.0 * x:.1f}"


def abandonment_line(abandonment: dict) -> str:
    """Both rates in one line: the dialer's own drops and the regime's rate with its parts."""
    own, b = abandonment["dialer_drops"], abandonment[abandonment["regime"]]
    parts = " + ".join(f"{label} {_pct(b[f'rate_{key}'])}" for key, label in (
        ("dialer_drops", "drops"), ("amd_false_positives", "AMD false positives"),
        ("late_connects", "late connects"), ("callee_hangups", "callee hang-ups")))
    return (f"dialer's own drops {_pct(own['rate'])} % [{_pct(own['ci95_low'])}, {_pct(own['ci95_high'])}] "
            f"of live answers; {REGIME_NAMES[b['regime']]} {b['clock']} {_pct(b['rate'])} % "
            f"[{_pct(b['ci95_low'])}, {_pct(b['ci95_high'])}] = {parts}")


def _write_outputs(args: argparse.Namespace, config, folder: Path):
    """Simulate and write every output of this run into ``folder``; returns the :class:`Result`."""
    result = run(config, args.seed, records_path=folder / "records.parquet", progress=not args.quiet)
    if args.csv:
        import pandas as pd

        frame = pd.read_parquet(folder / "records.parquet")
        atomic_write(folder / "records.csv", lambda p: frame.to_csv(p, index=False))
    meta = {"seed": args.seed, "config_file": str(args.config), "config": config_to_dict(config)}
    atomic_write_json(folder / "config.json", meta)
    atomic_write_json(folder / "summary.json", {"seed": args.seed, **result.summary,
                                                "abandonment": result.abandonment})
    if result.daily is not None:
        atomic_write(folder / "daily.csv", lambda p: result.daily.to_csv(p, index=False))
        atomic_write(folder / "numbers.parquet", lambda p: result.numbers.to_parquet(p, index=False))
    return result
