"""The ``dialer-sim`` command line.

Each subcommand lives in its own module with a ``register(subparsers)`` function
that adds its parser and sets ``func``. Errors on user input become one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ..errors import DialerSimError
from ._parser import OneLineParser

# Modules providing subcommands, in the order --help lists them.
_COMMAND_MODULES = (
    "dialer_sim.cli._run",
    "dialer_sim.cli._validate",
    "dialer_sim.cli._sweep",
    "dialer_sim.cli._compliance",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = OneLineParser(
        prog="dialer-sim",
        description="Simulate predictive dialers and compute abandoned-call rates.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``dialer-sim``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (DialerSimError, OSError) as exc:
        # OSError covers a missing or unreadable file, a full disk or a read-only folder.
        plain = isinstance(exc, DialerSimError) or exc.strerror is None
        msg = str(exc) if plain else f"{exc.strerror}: {exc.filename}"
        msg = " ".join(msg.split())  # one line, whatever a value shown in the message holds
        print(f"dialer-sim {args.command}: error: {msg}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        print(f"dialer-sim {args.command}: interrupted; finished results are kept.", file=sys.stderr)  # noqa: T201
        return 130
