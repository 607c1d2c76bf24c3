"""The ``dialer-sim`` command line.

Each subcommand lives in its own module with a ``register(subparsers)`` function
that adds its parser and sets ``func``. Errors on user input become one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from oneline import command_parser, run_subcommand

from ..errors import DialerSimError

# Modules providing subcommands, in the order --help lists them.
_COMMAND_MODULES = (
    "dialer_sim.cli._run",
    "dialer_sim.cli._validate",
    "dialer_sim.cli._sweep",
    "dialer_sim.cli._compliance",
)

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    return command_parser("dialer-sim", "Simulate predictive dialers and compute abandoned-call rates.",
                          _COMMAND_MODULES)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``dialer-sim``; returns the exit status.

    An error on the user's input (``DialerSimError``; ``OSError`` for a missing or unreadable file, a
    full disk or a read-only folder) is one line on stderr and exit status 2 (``oneline``).
    """
    return run_subcommand(build_parser(), argv, errors=(DialerSimError, OSError))
