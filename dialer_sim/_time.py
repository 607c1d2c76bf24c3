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

    def before(i: int) -> bool:
        t = start_s + i * step_s
        return t <= limit_s if inclusive else t < limit_s

    if n_max <= 0 or not before(0):
        return 0
    if before(n_max - 1):
        return n_max
    n = min(max(math.ceil((limit_s - start_s) / step_s), 1), n_max - 1)  # an estimate; the division may round
    while not before(n - 1):
        n -= 1
    while before(n):
        n += 1
    return n
