"""Validation helpers shared by the pacing parameter dataclasses.

Every parameter class is a frozen, keyword-only dataclass whose metaclass checks
the keyword names before the dataclass ``__init__`` runs, so a TOML table with
a misspelt key fails with a one-line :class:`~dialer_sim.errors.ConfigError`
naming the key instead of a ``TypeError`` from the generated ``__init__``.

Conventions
-----------
- Messages follow "`pacing.<field>` must be <rule>; got <value>.".
- Integer values are accepted for float fields and stored as ``float``;
  booleans are never accepted as numbers.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

from dialer_sim.errors import ConfigError

__all__: list[str] = []


class _ParamsMeta(type):
    """Metaclass that turns unknown or positional arguments into ConfigError."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        policy = getattr(cls, "policy", "?")
        if args:
            raise ConfigError(
                f"pacing parameters of the {policy!r} policy are keyword-only; got {len(args)} positional value(s)."
            )
        # A [pacing] table may carry its own `policy = "..."` key; accept it when it matches.
        if "policy" in kwargs:
            named = kwargs.pop("policy")
            if named != policy:
                raise ConfigError(f"pacing.policy must be {policy!r} for {cls.__name__}; got {named!r}.")
        known = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
        for key in kwargs:
            if key not in known:
                raise ConfigError(
                    f"pacing.{key} is not a parameter of the {policy!r} policy; "
                    f"expected one of {sorted(known)}; got {key!r}."
                )
        return super().__call__(**kwargs)


class PacingParams(metaclass=_ParamsMeta):
    """Base of the pacing parameter dataclasses (no fields of its own).

    Subclasses set the class attribute ``policy`` to their policy name.
    """

    policy: str = "base"

    def _set(self, name: str, value: Any) -> None:
        """Store a normalised value on the frozen instance (validation only)."""
        object.__setattr__(self, name, value)

    def _float_in(
        self, name: str, lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False
    ) -> float:
        """Validate ``self.<name>`` as a finite real in the interval and store it as float."""
        value = getattr(self, name)
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        rule = f"a number in {left}{lo}, {hi}{right}"
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ConfigError(f"pacing.{name} must be {rule}; got {value!r}.")
        too_low = value <= lo if lo_open else value < lo
        too_high = value >= hi if hi_open else value > hi
        if too_low or too_high:
            raise ConfigError(f"pacing.{name} must be {rule}; got {value!r}.")
        self._set(name, float(value))
        return float(value)

    def _int_in(self, name: str, lo: int, hi: int) -> int:
        """Validate ``self.<name>`` as an integer in ``[lo, hi]``."""
        value = getattr(self, name)
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ConfigError(
                f"pacing.{name} must be an integer in [{lo}, {hi}]; got {getattr(self, name)!r}."
            )
        self._set(name, value)
        return value

    def _choice(self, name: str, allowed: tuple[str, ...]) -> str:
        """Validate ``self.<name>`` as one of ``allowed``."""
        value = getattr(self, name)
        if value not in allowed:
            raise ConfigError(f"pacing.{name} must be one of {list(allowed)}; got {value!r}.")
        return value

    def _bool(self, name: str) -> bool:
        """Validate ``self.<name>`` as a bool."""
        value = getattr(self, name)
        if not isinstance(value, bool):
            raise ConfigError(f"pacing.{name} must be true or false; got {value!r}.")
        return value

