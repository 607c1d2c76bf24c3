"""``dialer-sim compliance``: abandoned-call rates per campaign and window.

Conventions
-----------
- RECORDS is a call-record file (Parquet or CSV) or, with ``--format vicidial``,
  a ``vicidial_log`` CSV export.
- Rates print in per cent; the JSON (``--json``) holds proportions, exactly the
  DESIGN.md contract.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from atomicdir import recover

from ._io import atomic_write_json
from .compliance import CI_METHODS, RECORD_FORMATS, REGIMES, AmdAudit, compliance_rates, read_records
from .compliance._regimes import GENESYS_DENOMINATORS
from .compliance._report import REPORT_FILES, compliance_json_rows, format_table, write_report
from .compliance._vicidial import VICIDIAL_CATEGORIES
from .errors import ConfigError, DialerSimError

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
        description="Compute a regulator's abandoned-call rate from call records, with 95 %% confidence intervals.",
    )
    p.add_argument(
        "records", metavar="RECORDS", type=Path, help="call-record file (Parquet/CSV) or VICIdial log"
    )
    p.add_argument("--regime", required=True, choices=sorted(REGIMES), help="which rule")
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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the ``compliance`` subcommand; returns the exit status."""
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
    records = read_records(
        args.records, format=args.format, skip_bad_rows=args.skip_bad_rows, extra_statuses=dict(args.status)
    )
    rates = compliance_rates(
        records,
        args.regime,
        window=args.window,
        threshold_s=args.threshold_s,
        limit=args.limit,
        ci=args.ci,
        amd_used={"auto": None, "yes": True, "no": False}[args.amd_used],
        audit=AmdAudit(n_audited=args.audit[0], n_found_human=args.audit[1]) if args.audit else None,
        denominator=args.denominator,
        uk=args.uk,
        start_date=args.start_date,
    )
    notes = [f"Interval: {args.ci}, 95 %."]
    n_bad = int(records.attrs.get("n_bad_rows", 0))
    if n_bad:
        notes.append(f"Skipped {n_bad} bad rows; first: {records.attrs['bad_rows'][0]}.")
    sys.stdout.write(f"{rates['regime'].iat[0] if len(rates) else args.regime}: {args.records}\n")
    sys.stdout.write("".join(f"{n}\n" for n in notes) + format_table(rates) + "\n")
    if args.json is not None:
        atomic_write_json(args.json, compliance_json_rows(rates))
    if args.report is not None:
        write_report(rates, args.report, source=str(args.records), notes=notes, force=args.force)
    return 0
