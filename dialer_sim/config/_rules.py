"""The rules configuration fields are checked against; each message names the field, the rule and the value.

The ``*Config`` dataclasses of ``dialer_sim.config`` and ``dialer_sim.config`` call these in
``__post_init__``; a broken rule raises :class:`~dialer_sim.errors.ConfigError` with one line such as
``"agents.n_agents must be an integer >= 1; got 0."``.
"""

from __future__ import annotations

import math
from dataclasses import field
from typing import Any

from .. import _limits as lim
from .._limits import shown
from ..errors import ConfigError
from ._distributions import Dist


def _is_iso_date(text: Any) -> bool:
    """True for a ``YYYY-MM-DD`` calendar date."""
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return isinstance(text, str) and len(text) == 10


def _check(cond: bool, field_name: str, rule: str, value: Any) -> None:
    """Raise ``ConfigError("<field_name> must be <rule>; got <value>.")`` unless ``cond``."""
    if not cond:
        raise ConfigError(f"{field_name} must be {rule}; got {shown(value)}.")


def _prob(name: str, v: Any) -> None:
    """A probability: a real number in [0, 1]."""
    _check(isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 <= v <= 1.0, name, "in [0, 1]", v)


def _pos(name: str, v: Any, *, allow_zero: bool = False, maximum: float = lim.MAX_DURATION_S) -> None:
    """A finite number > 0 (>= 0 with ``allow_zero``) and at most ``maximum``."""
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    _check(ok and (v >= 0 if allow_zero else v > 0), name, "a finite number >= 0" if allow_zero else
           "a finite number > 0", v)
    _check(v <= maximum, name, f"a finite number <= {maximum:g} (the documented bound)", v)


def _count(name: str, v: Any, minimum: int = 1, maximum: int = lim.MAX_NUMBERS) -> None:
    """An integer in [minimum, maximum]."""
    _check(isinstance(v, int) and not isinstance(v, bool) and v >= minimum, name, f"an integer >= {minimum}", v)
    _check(v <= maximum, name, f"an integer <= {maximum} (the documented bound)", v)


def _d(kind: str, name: str, **kw: Any) -> Any:
    """A dataclass field whose default is a fresh ``Dist(kind, name=name, **kw)``."""
    return field(default_factory=lambda: Dist(kind, name=name, **kw))
