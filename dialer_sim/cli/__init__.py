"""The ``dialer-sim`` command line: ``run``, ``sweep``, ``compliance``, ``validate`` and ``bench``.
"""

from oneline import OneLineParser  # re-exported: the parser of every command of the project

from ._main import main

__all__ = [
    "OneLineParser",
    "main",
]
