"""Configuration of a ping dialer: short rings that provoke costly call-backs (``[ping]``).

A campaign with a ``[ping]`` section (and a ``[population]``) is a ping dialer:
it rings each number of its list once for a short ring and hangs up before
anyone can answer, presenting a caller ID that costs the person who calls back
(``docs/consumer_world.md``, "Ping calls"; facts in ``docs/sources.md`` §7.1–§7.4).

Conventions
-----------
- ``number_kind`` says what the presented number looks like: ``premium`` (a
  German 0900-style premium-rate number) or ``local`` (a local-looking number
  that forwards to a premium-rate service).
- Probabilities ``p_*``; times ``*_s``; money ``*_eur``; counts ``n_*``.
- Every default cites ``docs/sources.md`` §7 or is named there as an assumption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .._limits import shown
from ..errors import ConfigError
from ._distributions import Dist

__all__ = ["NUMBER_KINDS", "PING_MAX_MEAN_RING_S", "PingConfig"]

#: What the presented number looks like to the person who sees the missed call.
NUMBER_KINDS = ("premium", "local")
#: A ping hangs up before anyone can answer: people pick up after 6-10 s of ringing (docs/sources.md §4.1).
PING_MAX_MEAN_RING_S = 6.0


def _fail(name: str, rule: str, value: Any) -> None:
    raise ConfigError(f"{name} must be {rule}; got {shown(value)}.")


def _num(name: str, v: Any, lo: float, hi: float, *, integer: bool = False, open_low: bool = False) -> None:
    ok = isinstance(v, int) if integer else isinstance(v, (int, float))
    ok = ok and not isinstance(v, bool) and math.isfinite(v) and (lo < v if open_low else lo <= v) and v <= hi
    if not ok:
        kind = "an integer" if integer else "a number"
        _fail(name, f"{kind} in {'(' if open_low else '['}{lo:g}, {hi:g}]", v)


def _per_kind(name: str, table: Any, lo: float, hi: float) -> None:
    if not isinstance(table, dict) or set(table) != set(NUMBER_KINDS):
        _fail(name, f"a table with exactly the keys {list(NUMBER_KINDS)}", table)
    for k, v in table.items():
        _num(f"{name}.{k}", v, lo, hi)


def _dist(name: str, v: Any) -> None:
    if not isinstance(v, Dist):
        _fail(name, "a distribution (a number or an inline table with kind = ...)", v)
    if v.kind == "never":
        _fail(name, "a distribution that happens (not kind = 'never')", v.kind)


@dataclass(frozen=True)
class PingConfig:
    """A ping dialer and what its missed calls cost the people who call back.

    The dialer keeps ``n_lines`` lines busy and rings each number for
    ``ring_s`` (1-5 s, below the 6-10 s after which people pick up; a mean
    above :data:`PING_MAX_MEAN_RING_S` is refused), then hangs up. It presents
    the caller IDs of ``[caller_id]`` (fixed or rotating; a withheld number
    cannot be called back) as a number of kind ``number_kind``.

    Who calls back (``docs/consumer_world.md``): a person who sees the missed
    call and answers unknown numbers calls back with ``p_callback[kind]``
    (assumption: no source measures it, ``docs/sources.md`` §7.1; one survey
    finds 10 % of people call an unknown missed number back at once, used for
    ``local``; a visible 0900 prefix deters more, ``premium`` 2 %), after
    ``callback_delay_s`` (assumption). ``screen_unknown`` and ``never_answer``
    call back only a number that left a message, and a ping leaves none;
    ``blocklist`` users never see a flagged number; ``screening_assistant``
    users see nothing.

    A call-back lasts ``callback_s`` (assumption: the services hold callers
    with recorded announcements, ``docs/sources.md`` §7.1) and is billed in
    started ``billing_increment_s`` blocks (at most 60 s under TKG §112) at
    ``eur_per_min[kind]`` (3 EUR/min, the TKG §112 cap for premium-rate
    numbers and the "at least 3 EUR/min" consumer guidance quotes for the
    foreign numbers behind local-looking ones, §7.2). Each billed call-back
    leads to a complaint with ``p_complaint`` (assumption, §7.3); after
    ``shutdown_after_n_complaints`` complaints about one presented number the
    regulator shuts it down (about 300 complaints preceded one BNetzA billing
    ban, §7.3): later call-backs to it reach nothing and cost nothing.
    """

    number_kind: str = "premium"
    n_lines: int = 30
    ring_s: Dist = field(default_factory=lambda: Dist("uniform", low=1.0, high=5.0, name="ping.ring_s"))
    p_callback: dict[str, float] = field(default_factory=lambda: {"premium": 0.02, "local": 0.10})
    callback_delay_s: Dist = field(default_factory=lambda: Dist("exponential", mean=1800.0,
                                                                name="ping.callback_delay_s"))
    callback_s: Dist = field(default_factory=lambda: Dist("lognormal", median=90.0, sigma=0.8,
                                                          name="ping.callback_s"))
    eur_per_min: dict[str, float] = field(default_factory=lambda: {"premium": 3.0, "local": 3.0})
    billing_increment_s: float = 60.0
    p_complaint: float = 0.10
    shutdown_after_n_complaints: int = 300

    def __post_init__(self) -> None:
        if self.number_kind not in NUMBER_KINDS:
            _fail("ping.number_kind", f"one of {list(NUMBER_KINDS)}", self.number_kind)
        _num("ping.n_lines", self.n_lines, 1, 10**6, integer=True)
        for name in ("ring_s", "callback_delay_s", "callback_s"):
            _dist(f"ping.{name}", getattr(self, name))
        if self.ring_s.mean_s > PING_MAX_MEAN_RING_S:
            _fail("ping.ring_s", f"a ring with mean <= {PING_MAX_MEAN_RING_S:g} s (a ping hangs up before "
                  "anyone can answer)", round(self.ring_s.mean_s, 6))
        _per_kind("ping.p_callback", self.p_callback, 0.0, 1.0)
        _per_kind("ping.eur_per_min", self.eur_per_min, 0.0, 1000.0)
        _num("ping.billing_increment_s", self.billing_increment_s, 0.0, 3600.0, open_low=True)
        _num("ping.p_complaint", self.p_complaint, 0.0, 1.0)
        _num("ping.shutdown_after_n_complaints", self.shutdown_after_n_complaints, 1, 10**9, integer=True)

    @property
    def tariff_eur_per_min(self) -> float:
        """The per-minute price of a call-back to the presented number."""
        return float(self.eur_per_min[self.number_kind])

    @property
    def p_callback_unknown(self) -> float:
        """Probability that a person who calls unknown numbers back calls this ping back."""
        return float(self.p_callback[self.number_kind])
