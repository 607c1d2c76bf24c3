"""Time units of the record time base, defined once.

Every time in the package is in seconds since midnight at the start of the
campaign's first day, so day ``d`` spans ``[d·SECONDS_PER_DAY, (d + 1)·SECONDS_PER_DAY)``
and its weekday repeats every :data:`SECONDS_PER_WEEK`.
"""

from __future__ import annotations

__all__ = ["SECONDS_PER_DAY", "SECONDS_PER_HOUR", "SECONDS_PER_MINUTE", "SECONDS_PER_WEEK"]

SECONDS_PER_MINUTE = 60.0
SECONDS_PER_HOUR = 60 * SECONDS_PER_MINUTE
SECONDS_PER_DAY = 24 * SECONDS_PER_HOUR
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY
