"""The ``dialer-sim`` command line: ``run``, ``sweep``, ``compliance``, ``validate`` and ``bench``.
"""

from ._main import main
from ._parser import OneLineParser

__all__ = [
    "OneLineParser",
    "main",
]
