"""The command-line conventions every command of the project follows: an error is one line and exit status 2.

``amd-bench``, ``dialer-sim`` and the experiment scripts share them; the package imports only the
standard library, so both halves of the project may depend on it (docs/architecture.md).

Conventions
-----------
- A usage mistake (an unknown option, a value argparse cannot convert) is one line on stderr,
  ``PROG: error: MESSAGE (see PROG --help)``, without argparse's usage block, exit status 2.
- An error on the user's input (the command's own error classes, and ``OSError`` for a missing
  or unreadable file, a full disk, a read-only folder) is one line on stderr,
  ``PROG: error: MESSAGE``, exit status 2; never a traceback.
- Ctrl-C is one line saying what was kept, exit status 130.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

__all__ = ["OneLineParser", "command_parser", "one_line", "report_errors", "run_subcommand"]


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit 2), like every other error.

    argparse's own ``error`` prints the whole usage block first; a script reading
    stderr, or a person scanning a log, then sees several lines for one mistake.
    Subparsers inherit this class, so ``--seed abc`` after any subcommand behaves
    the same.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def command_parser(prog: str, description: str, modules: Sequence[str]) -> OneLineParser:
    """A command's parser with the subcommands of ``modules`` registered, in that order.

    Each module has a ``register(subparsers)`` function that adds its parsers and sets
    their ``func(args) -> int | None``.
    """
    parser = OneLineParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in modules:
        importlib.import_module(module).register(sub)
    return parser


def one_line(exc: BaseException) -> str:
    """The error as one line: its message, or an ``OSError``'s reason and file name(s).

    Examples
    --------
    >>> one_line(FileNotFoundError(2, "No such file or directory", "a.csv"))
    'No such file or directory: a.csv'
    >>> one_line(ValueError("n must be\\n  >= 1"))
    'n must be >= 1'
    """
    if isinstance(exc, OSError) and exc.strerror:
        names = " -> ".join(str(f) for f in (exc.filename, exc.filename2) if f is not None)
        msg = f"{exc.strerror}: {names}" if names else exc.strerror
    else:
        msg = str(exc) or type(exc).__name__
    return " ".join(msg.split())


def report_errors(prog: str, body: Callable[[], int | None], *, errors: tuple[type[BaseException], ...],
                  interrupted: str = "finished results are kept.") -> int:
    """Call ``body()`` and return its exit status (0 for None); turn ``errors`` into one line and 2.

    Parameters
    ----------
    prog : str
        How the messages name the command (``"dialer-sim run"``).
    body : callable
        The command's work.
    errors : tuple of exception classes
        The errors on the user's input; anything else is a bug and keeps its traceback.
    interrupted : str
        What the Ctrl-C line says after ``PROG: interrupted;`` (exit status 130).
    """
    try:
        return int(body() or 0)
    except errors as exc:
        print(f"{prog}: error: {one_line(exc)}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; {interrupted}", file=sys.stderr)  # noqa: T201
        return 130


def run_subcommand(parser: argparse.ArgumentParser, argv: Sequence[str] | None, *,
                   errors: tuple[type[BaseException], ...]) -> int:
    """Parse ``argv`` with a :func:`command_parser` and run the chosen subcommand; return the exit status."""
    args = parser.parse_args(argv)
    return report_errors(f"{parser.prog} {args.command}", lambda: args.func(args), errors=errors)
