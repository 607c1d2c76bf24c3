"""The argument parser shared by ``dialer-sim`` and the experiment scripts.

Conventions
-----------
Usage errors are one line on stderr and exit status 2, like every other bad input.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

__all__ = ["OneLineParser"]


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit 2), like every other error.

    argparse's own ``error`` prints the whole usage block first; a script reading
    stderr, or a person scanning a log, then sees several lines for one mistake.
    Subparsers inherit this class, so ``--seed abc`` after any subcommand behaves
    the same.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
