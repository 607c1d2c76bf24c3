"""Errors raised at the package boundary.

Every message names the field, the rule and the value, e.g.
``"agents.n_agents must be an integer >= 1; got 0."`` so the CLI can print it as
one line without a traceback.
"""

from __future__ import annotations

__all__ = ["ConfigError", "DialerSimError", "RecordsError"]


class DialerSimError(ValueError):
    """Base class of every error the package raises on bad user input."""


class ConfigError(DialerSimError):
    """A configuration value breaks its rule (unknown key, bad range, bad type)."""


class RecordsError(DialerSimError):
    """A call-record file is missing, malformed or inconsistent."""
