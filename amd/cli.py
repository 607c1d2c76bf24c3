"""The ``amd-bench`` command line.

Each group of subcommands lives in its own module with a ``register(subparsers)``
function that adds its parsers and sets ``func``. Errors on user input become one
line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

# Modules providing subcommands, in the order --help lists them.
_COMMAND_MODULES = (
    "amd._cli_corpus",
    "amd._cli_bench",
)


class _OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (no usage block), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = _OneLineParser(
        prog="amd-bench",
        description="Build an AMD corpus, run answering-machine detectors and benchmark them.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``amd-bench``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError) as exc:
        print(f"amd-bench {args.command}: error: {_one_line(exc)}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        print(f"amd-bench {args.command}: interrupted; finished results are kept.", file=sys.stderr)  # noqa: T201
        return 130


def _one_line(exc: ValueError | OSError) -> str:
    """The error as one line: a ValueError's message, or an OSError's reason and file name(s)."""
    if isinstance(exc, OSError) and exc.strerror:
        names = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
        msg = f"{exc.strerror}: {names}" if names else exc.strerror
    else:
        msg = str(exc) or type(exc).__name__
    return " ".join(msg.split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
