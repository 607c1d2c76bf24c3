"""Genesys "Strict Max Rate": a predictive base that falls back to progressive.

Genesys PureConnect's Abandon Rate Pacing Adjustment "Strict Max Rate"
(``docs/sources.md`` §1.3): the abandon rate over the calendar day
(midnight–midnight) is recomputed after every call; while it is above the
maximum the campaign drops to Power (progressive) mode, and it returns to
predictive pacing once the day's rate falls below the maximum.

Genesys' own predictive pacing is not published, so the predictive base is any
other policy of this package (``base_policy`` and its parameter table
``base``); the default is the ratio rule at 2.0 lines per agent. The base keeps
receiving ``update``, ``on_outcome``, ``on_answered`` and ``on_routed`` while in fallback, so an
adaptive base keeps learning.

Conventions
-----------
- Day abandon % = 100 × drops / denominator; the denominator is either the
  day's routed live-voice answers (observed ``live`` + ``drop``,
  ``abandon_denominator = "routed"``, Genesys Cloud's "calls that reached the
  queue") or all of the day's attempts (``"all"``, ``docs/sources.md`` §1.3).
- The switch has the documented hysteresis only: fallback when the rate is
  above the maximum, back to the base when it is below; equal keeps the mode.
- A new calendar day starts with no calls, hence rate 0 and the base policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer_sim._time import SECONDS_PER_DAY, n_steps_before
from dialer_sim.errors import ConfigError
from dialer_sim.pacing._base import DialerState, observed_outcome
from dialer_sim.pacing._params import PacingParams
from dialer_sim.pacing._policy import PolicyBase
from dialer_sim.pacing._registry import PACING_PARAMS, make_policy
from dialer_sim.pacing._stats import DayTally, day_of
from dialer_sim.pacing.progressive import progressive_lines

__all__ = ["StrictMaxParams", "StrictMaxPolicy"]

ABANDON_DENOMINATORS = ("routed", "all")


@dataclass(frozen=True, kw_only=True)
class StrictMaxParams(PacingParams):
    """Parameters of :class:`StrictMaxPolicy`.

    Parameters
    ----------
    max_abandon_pct : float in (0, 100], default 3.0
        The day's maximum abandon % (3 % is the FTC and Ofcom 2010 limit, ``docs/sources.md`` §3.1).
    abandon_denominator : {'routed', 'all'}, default 'routed'
        What the day's rate divides by (see module Conventions).
    base_policy : str, default 'ratio'
        Name of the predictive base policy; any policy except ``strict_max``.
    base : dict, default {}
        Parameters of the base policy (its TOML table); validated here, with
        errors reported as ``pacing.base.<field>``.
    """

    policy = "strict_max"

    max_abandon_pct: float = 3.0
    abandon_denominator: str = "routed"
    base_policy: str = "ratio"
    base: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        self._float_in("max_abandon_pct", 0.0, 100.0, lo_open=True)
        self._choice("abandon_denominator", ABANDON_DENOMINATORS)
        allowed = tuple(name for name in PACING_PARAMS if name != self.policy)
        self._choice("base_policy", allowed)
        base = self.base
        if isinstance(base, PacingParams):
            if base.policy != self.base_policy:
                raise ConfigError(
                    f"pacing.base must be {self.base_policy!r} parameters; got {base.policy!r}."
                )
            base = dataclasses.asdict(base)  # type: ignore[call-overload]
        if not isinstance(base, Mapping):
            raise ConfigError(
                f"pacing.base must be a table of {self.base_policy!r} parameters; got {base!r}."
            )
        built = _build_base(self.base_policy, dict(base))
        # Store the full, validated table so asdict() records every effective value.
        self._set("base", dataclasses.asdict(built))  # type: ignore[call-overload]
        self._set("_base_params", built)

    @property
    def base_params(self) -> PacingParams:
        """The validated parameters of the base policy."""
        return self._base_params  # type: ignore[attr-defined, no-any-return]


def _build_base(base_policy: str, table: dict[str, Any]) -> PacingParams:
    """Validate the base table, re-labelling its errors as ``pacing.base.*``."""
    try:
        return PACING_PARAMS[base_policy](**table)  # type: ignore[no-any-return]
    except ConfigError as err:
        raise ConfigError(str(err).replace("pacing.", "pacing.base.", 1)) from None


class StrictMaxPolicy(PolicyBase):
    """Base policy, or progressive while the day's abandon % is over the maximum.

    Parameters
    ----------
    params : StrictMaxParams

    Attributes
    ----------
    base : PacingPolicy
        The predictive base policy.
    in_fallback : bool
        True while pacing progressively.
    """

    name = "strict_max"

    def __init__(self, params: StrictMaxParams) -> None:
        self.params = params
        self.base = make_policy(params.base_params)
        self.update_interval_s = self.base.update_interval_s
        self.in_fallback = False
        self._today = DayTally()
        self._day_end_s = SECONDS_PER_DAY
        self._max_pct = params.max_abandon_pct
        self._over_all_calls = params.abandon_denominator == "all"
        self._base_advance = getattr(self.base, "advance_quiet", None)
        if self._base_advance is None:
            self.advance_quiet = None  # no closed form: the model steps every second

    @property
    def abandon_pct_today(self) -> float:
        """The day's abandon % so far (0 with an empty denominator)."""
        today = self._today
        denominator = today.n_calls if self._over_all_calls else today.n_answers
        return 100.0 * today.n_drops / denominator if denominator > 0 else 0.0

    def lines_to_launch(self, state: DialerState) -> int:
        """Progressive lines in fallback, else the base policy's lines."""
        if state.now_s >= self._day_end_s:
            self._roll_day(state.now_s)
        if self.in_fallback:
            return progressive_lines(state)
        return self.base.lines_to_launch(state)

    def update(self, state: DialerState) -> None:
        """Forward the periodic step to the base policy."""
        if state.now_s >= self._day_end_s:
            self._roll_day(state.now_s)
        self.base.update(state)

    def advance_quiet(self, state: DialerState, n_loops: int) -> int:
        """The base's closed-form steps of a quiet stretch (``docs/pacing.md``), those before midnight only.

        Midnight starts a new day, which may change the mode; the model steps that second itself.
        """
        n = n_steps_before(state.now_s, self.update_interval_s, self._day_end_s, n_loops)
        return self._base_advance(state, n) if n else 0

    def on_outcome(self, now_s: float, disposition: str) -> None:
        """Forward to the base, then recompute the day's rate and switch mode."""
        self.base.on_outcome(now_s, disposition)
        if now_s >= self._day_end_s:
            self._roll_day(now_s)
        self._today.add(now_s, observed_outcome(disposition), disposition)
        pct = self.abandon_pct_today
        if pct > self._max_pct:
            self.in_fallback = True
        elif pct < self._max_pct:
            self.in_fallback = False

    def on_answered(self, now_s: float) -> None:
        """Forward an answer to the base policy, if it listens."""
        hook = getattr(self.base, "on_answered", None)
        if hook is not None:
            hook(now_s)

    def on_routed(self, now_s: float, delay_s: float) -> None:
        """Forward the routing delay to the base policy, if it listens."""
        hook = getattr(self.base, "on_routed", None)
        if hook is not None:
            hook(now_s, delay_s)

    def _roll_day(self, now_s: float) -> None:
        """Start a new calendar day: empty counts, base policy again."""
        self._today.roll(now_s)
        self._day_end_s = (day_of(now_s) + 1) * SECONDS_PER_DAY
        self.in_fallback = False
