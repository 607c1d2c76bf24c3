"""``dialer-sim compliance``: abandoned-call rates per campaign and window.

Conventions
-----------
- RECORDS is a call-record file (Parquet or CSV) or, with ``--format vicidial``,
  a ``vicidial_log`` CSV export.
- Rates print in per cent; the JSON (``--json``) holds proportions: a list
  with one object per regime, campaign and window (``docs/compliance.md``).
- ``--regime all`` applies every regime to the same records; each keeps its
  own window, threshold and limit.
- Exit status: 0 when every computable window is within its limit, 1 with
  ``--check`` when any window breaches its limit, 2 on bad input.
- ``--ring-rule`` (default Ofcom's 15 s minimum ring) adds one line per campaign:
  unanswered calls the dialer hung up on sooner (``compliance._ring_time``); a
  breach counts for ``--check``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from atomicdir import recover

from .._io import atomic_write_json
from ..compliance import (
    CI_METHODS,
    GENESYS_DENOMINATORS,
    RECORD_FORMATS,
    REGIMES,
    REPORT_FILES,
    RING_RULES,
    VICIDIAL_CATEGORIES,
    AmdAudit,
    compliance_json_rows,
    compliance_rates,
    format_ring_rows,
    format_table,
    not_computable_rows,
    read_records,
    short_rings,
    write_report,
)
from ..errors import ConfigError, DialerSimError

__all__ = ["register"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD; got {text!r}") from None


def _status(text: str) -> tuple[str, str]:
    code, sep, category = text.partition("=")
    if not sep or not code or category not in VICIDIAL_CATEGORIES:
        raise argparse.ArgumentTypeError(
            f"must be CODE=CATEGORY with CATEGORY one of {', '.join(VICIDIAL_CATEGORIES)}; got {text!r}"
        )
    return code.strip(), category


def _check_out_parent(option: str, path: Path) -> None:
    """Refuse an output path under a file (``afile/x.json``) before any work, naming the file."""
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise DialerSimError(f"{option} {str(path)!r} must be under a folder; {str(parent)!r} is a file.")
            return


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compliance`` subcommand."""
    p = subparsers.add_parser(
        "compliance",
        help="abandoned-call rate per campaign and window under a regulator's rule",
        description="Compute regulators' abandoned-call rates from call records, with 95 % confidence intervals, "
        "and break each into dialer drops, AMD false positives, late connects and callee hang-ups in dead air. "
        "Exit status: 0, or 1 with --check when any window breaches its limit; 2 on bad input.",
    )
    p.add_argument(
        "records", metavar="RECORDS", type=Path, help="call-record file (Parquet/CSV) or VICIdial log"
    )
    p.add_argument("--regime", required=True, choices=[*sorted(REGIMES), "all"],
                   help="which rule; all: every rule on the same records, in one table, JSON and report")
    p.add_argument("--check", action="store_true",
                   help="exit 1 when any window breaches its limit (0 when none does)")
    p.add_argument("--format", default="cdr", choices=RECORD_FORMATS, help="what RECORDS is (default cdr)")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the per-window results as JSON")
    p.add_argument(
        "--report", type=Path, metavar="DIR", help="write a markdown page, PNG chart and CSV table"
    )
    p.add_argument("--force", action="store_true", help="replace an existing --json file or --report")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="skip and count bad rows (VICIdial: every bad row; CDR: duplicate rows)")
    p.add_argument("--status", type=_status, action="append", default=[], metavar="CODE=CATEGORY",
                   help="VICIdial: map a campaign status code to a category (repeatable)")  # fmt: skip
    p.add_argument("--ci", default="wilson", choices=CI_METHODS, help="interval method (default wilson)")
    p.add_argument(
        "--window", help="day, 30d, month, campaign or a length in seconds (default: the regime's)"
    )
    p.add_argument("--threshold-s", type=float, help="override the regime's threshold in seconds")
    p.add_argument("--limit", type=float, help="override the regime's limit, a proportion (0.03 = 3 %%)")
    p.add_argument(
        "--denominator", default="queue", choices=GENESYS_DENOMINATORS, help="genesys: denominator"
    )
    p.add_argument("--uk", action="store_true", help="vicidial: the ofcom_uk_drop_calc option")
    p.add_argument("--amd-used", choices=("auto", "yes", "no"), default="auto", help="ofcom2010: AMD in use")
    p.add_argument("--audit", type=int, nargs=2, metavar=("M", "K"),
                   help="ofcom2010: M AMD-machine recordings audited, K found to be people")  # fmt: skip
    p.add_argument("--start-date", type=_date, help="calendar date of day 0 (for calendar-month windows)")
    p.add_argument("--ring-rule", default="ofcom_min_ring", choices=[*RING_RULES, "none"],
                   help="minimum ring time of unanswered calls to report (default ofcom_min_ring: 15 s); "
                   "with --check a breach exits 1")
    p.set_defaults(func=run)


def _check_args(args: argparse.Namespace) -> None:
    if args.json is not None and args.json.exists() and not args.force:
        raise DialerSimError(f"--json {str(args.json)!r} already exists; pass --force to replace it.")
    if args.report is not None:
        recover(args.report)  # a report folder left half-swapped by a killed run
    # Checked before anything is written, so a refused --report never leaves a new --json behind.
    earlier = [n for n in REPORT_FILES if args.report is not None and (args.report / n).exists()]
    if earlier and not args.force:
        raise DialerSimError(f"--report {str(args.report)!r} already holds {', '.join(earlier)}; "
                             "refusing to overwrite earlier results (pass --force to replace them).")
    if args.format != "vicidial" and args.status:
        raise ConfigError("--status applies only to --format vicidial.")
    for option, path in (("--json", args.json), ("--report", args.report)):
        if path is not None:
            _check_out_parent(option, path)
    overrides = [n for n, v in (("--window", args.window), ("--threshold-s", args.threshold_s),
                                ("--limit", args.limit)) if v is not None]
    if args.regime == "all" and overrides:
        raise ConfigError(f"{', '.join(overrides)} override one regime's rule; with --regime all each regime "
                          "keeps its own window, threshold and limit.")


def _rates(records, regime: str, args: argparse.Namespace, *, every: bool):
    """One regime's windows; with ``every``, a rule the records cannot serve is a not-computable row."""
    try:
        return compliance_rates(
            records,
            regime,
            window=args.window,
            threshold_s=args.threshold_s,
            limit=args.limit,
            ci=args.ci,
            amd_used={"auto": None, "yes": True, "no": False}[args.amd_used] if regime == "ofcom2010" else None,
            audit=AmdAudit(n_audited=args.audit[0], n_found_human=args.audit[1])
            if args.audit and regime == "ofcom2010" else None,
            denominator=args.denominator,
            uk=args.uk and regime == "vicidial",
            start_date=args.start_date,
        )
    except ConfigError as exc:
        if not every:
            raise
        return not_computable_rows(records, regime, reason=str(exc).rstrip("."))


def run(args: argparse.Namespace) -> int:
    """Run the ``compliance`` subcommand; returns the exit status."""
    _check_args(args)
    records = read_records(
        args.records, format=args.format, skip_bad_rows=args.skip_bad_rows, extra_statuses=dict(args.status)
    )
    regimes = list(REGIMES) if args.regime == "all" else [args.regime]
    rates = pd.concat([_rates(records, r, args, every=args.regime == "all") for r in regimes],
                      ignore_index=True)
    notes = [f"Interval: {args.ci}, 95 %."]
    n_bad = int(records.attrs.get("n_bad_rows", 0))
    if n_bad:
        notes.append(f"Skipped {n_bad} bad rows; first: {records.attrs['bad_rows'][0]}.")
    names = ", ".join(dict.fromkeys(rates["regime"])) if len(rates) else args.regime
    sys.stdout.write(f"{names}: {args.records}\n")
    sys.stdout.write("".join(f"{n}\n" for n in notes) + format_table(rates) + "\n")
    rings = short_rings(records, args.ring_rule) if args.ring_rule != "none" and len(records) else None
    if rings is not None:
        sys.stdout.write(format_ring_rows(rings) + "\n")
    if args.json is not None:
        atomic_write_json(args.json, compliance_json_rows(rates))
    if args.report is not None:
        write_report(rates, args.report, source=str(args.records), notes=notes, force=args.force)
    breached = bool(rates["breached"].fillna(False).astype(bool).any()) if len(rates) else False
    breached = breached or (rings is not None and bool(rings["breached"].fillna(False).astype(bool).any()))
    return 1 if args.check and breached else 0
