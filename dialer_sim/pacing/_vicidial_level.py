"""How VICIdial stores a dial level and reads its server clock (``docs/sources.md`` §1.1).

The arithmetic of :class:`~dialer_sim.pacing.vicidial.VicidialAdaptPolicy` that
depends on VICIdial's storage and clock, not on the controller: the level as the
``VARCHAR(6)`` column keeps it, the server's HHMM time of day, and the
ADAPT_TAPERED multiplier computed in HHMM arithmetic (21:00 − 17:30 gives 370,
r = 0.37).
"""

from __future__ import annotations

from dialer_sim._time import SECONDS_PER_DAY

__all__ = ["LEVEL_FIELD_CHARS", "server_hhmm", "stored_level", "tapered_rate"]

LEVEL_FIELD_CHARS = 6  # vicidial_campaigns.auto_dial_level is a VARCHAR(6)


def stored_level(level: float) -> float:
    """The level as VICIdial stores it: Perl's text of the number, cut to the column's 6 characters.

    Perl writes a number with 15 significant digits (``%.15g``); MySQL keeps the
    first 6 characters (2.996001 → "2.9960"), so the level is truncated, never
    rounded up.
    """
    return float(f"{level:.15g}"[:LEVEL_FIELD_CHARS])


def server_hhmm(now_s: float) -> int:
    """Wall-clock time of day of ``now_s`` as an HHMM integer (e.g. 63000.0 s → 1730)."""
    second_of_day = int(now_s % SECONDS_PER_DAY)
    return (second_of_day // 3600) * 100 + (second_of_day % 3600) // 60


def tapered_rate(latest_hhmm: int, now_s: float) -> float | None:
    """ADAPT_TAPERED's multiplier r = min(1, (latest − now)/1000) in HHMM arithmetic.

    Returns
    -------
    float or None
        ``None`` when ``now_s`` is past the latest server time (the level is then
        set to 1.0), else r in [0, 1].
    """
    hours_left = latest_hhmm - server_hhmm(now_s)
    if hours_left < 0:
        return None
    return 1.0 if hours_left > 1000 else hours_left / 1000.0
