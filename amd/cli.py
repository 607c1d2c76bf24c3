"""The ``amd-bench`` command line.

Each group of subcommands lives in its own module with a ``register(subparsers)``
function that adds its parsers and sets ``func``. Errors on user input become one
line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from oneline import command_parser, run_subcommand

# Modules providing subcommands, in the order --help lists them.
_COMMAND_MODULES = (
    "amd._cli_corpus",
    "amd._cli_bench",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    return command_parser("amd-bench", "Build an AMD corpus, run answering-machine detectors and benchmark them.",
                          _COMMAND_MODULES)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``amd-bench``; returns the exit status.

    The package's errors on user input are ``ValueError`` subclasses; they and ``OSError`` are one
    line on stderr and exit status 2 (``oneline``).
    """
    return run_subcommand(build_parser(), argv, errors=(ValueError, OSError))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
