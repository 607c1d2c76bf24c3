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

# Modules providing subcommands, in the order --help lists them.
_COMMAND_MODULES = (
    "amd._cli_corpus",
    "amd._cli_bench",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
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
    except (ValueError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        msg = str(exc) if isinstance(exc, ValueError) else f"{exc.strerror}: {exc.filename}"
        print(f"amd-bench {args.command}: error: {msg}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        print(f"amd-bench {args.command}: interrupted; finished results are kept.", file=sys.stderr)  # noqa: T201
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
