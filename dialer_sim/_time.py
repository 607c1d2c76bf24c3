"""Time units of the record time base, defined once.

Every time in the package is in seconds since midnight at the start of the
campaign's first day, so day ``d`` spans ``[d·SECONDS_PER_DAY, (d + 1)·SECONDS_PER_DAY)``
and its weekday repeats every :data:`SECONDS_PER_WEEK`.
"""

from __future__ import annotations

import math

__all__ = ["EXACT_CLOCK_S", "SECONDS_PER_DAY", "SECONDS_PER_HOUR", "SECONDS_PER_MINUTE", "SECONDS_PER_WEEK",
           "n_steps_before"]

SECONDS_PER_MINUTE = 60.0
SECONDS_PER_HOUR = 60 * SECONDS_PER_MINUTE
SECONDS_PER_DAY = 24 * SECONDS_PER_HOUR
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY
#: Below this, clocks and steps in whole seconds add exactly in floating point.
EXACT_CLOCK_S = 2.0**52


def n_steps_before(start_s: float, step_s: float, limit_s: float, n_max: int, *, inclusive: bool = False) -> int:
    """How many of the instants ``start_s + i·step_s``, i = 0 … n_max − 1, come before ``limit_s``.

    With ``inclusive`` an instant equal to ``limit_s`` counts too. The instants must be exact sums (whole
    seconds and a whole step, below :data:`EXACT_CLOCK_S`); the count is then exactly what comparing each
    instant with ``limit_s`` gives, at a cost that does not grow with ``n_max``.
    """
    if inclusive:  # count the instants <= limit_s: those < the next float above it
        limit_s = math.nextafter(limit_s, math.inf)
    if n_max <= 0 or not start_s < limit_s:
        return 0
    if start_s + (n_max - 1) * step_s < limit_s:
        return n_max
    n = math.ceil((limit_s - start_s) / step_s)  # an estimate (the division may round), then exact steps
    n = 1 if n < 1 else (n_max - 1 if n > n_max - 1 else n)
    while not start_s + (n - 1) * step_s < limit_s:
        n -= 1
    while start_s + n * step_s < limit_s:
        n += 1
    return n
