"""Measurement windows: which (campaign, window) each dial attempt belongs to.

Conventions
-----------
- Record times are seconds since midnight at the start of day 0
  (``dialer_sim.records``), so calendar days are ``[86400 d, 86400 (d + 1))``.
- A call is assigned to the window that contains its ``dial_at_s``. A call dialled
  at 23:59:59 and answered after midnight counts on the day it was dialled: the
  dial is the act the rules regulate, and every dial attempt has that time.
- Window kinds:
  - ``day``: calendar day, midnight to midnight (Ofcom 2010, VICIdial's "since
    midnight", Genesys PureConnect's Strict Max Rate).
  - ``30d``: successive 30-day periods from midnight of the campaign's first
    dial; the last one ends with the campaign's last day, so a campaign shorter
    than 30 days is one window (FTC/FCC, 16 CFR 310.4(b)(4)(i)).
  - ``month``: calendar months; needs the calendar date of day 0 (CRTC).
  - ``campaign``: the whole campaign, first to last day.
  - a number: fixed windows of that many seconds from time 0.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .._time import SECONDS_PER_DAY
from ..errors import ConfigError

__all__ = ["WINDOW_KINDS", "assign_windows", "parse_window"]

THIRTY_DAYS_S = 30 * SECONDS_PER_DAY
WINDOW_KINDS = ("day", "30d", "month", "campaign")


def parse_window(window: str | float) -> str | float:
    """Validate a window kind, or a fixed window length in seconds.

    Raises
    ------
    ConfigError
        On an unknown kind or a non-positive length.
    """
    if isinstance(window, str) and window in WINDOW_KINDS:
        return window
    try:
        length_s = float(window)
    except (TypeError, ValueError):
        raise ConfigError(
            f"`window` must be one of {', '.join(WINDOW_KINDS)} or a length in seconds; got {window!r}."
        ) from None
    if not (np.isfinite(length_s) and length_s > 0):
        raise ConfigError(f"`window` length must be a finite number of seconds > 0; got {window!r}.")
    return length_s


def _month_bounds(day: np.ndarray, start_date: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Seconds of the first and next month start for each day index."""
    uniq = np.unique(day)
    starts, ends = {}, {}
    for d in uniq:
        date = start_date + dt.timedelta(days=int(d))
        first = date.replace(day=1)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        starts[d] = (first - start_date).days * SECONDS_PER_DAY
        ends[d] = (nxt - start_date).days * SECONDS_PER_DAY
    return np.array([starts[d] for d in day]), np.array([ends[d] for d in day])


def assign_windows(
    records: pd.DataFrame, window: str | float, *, start_date: dt.date | None = None
) -> pd.DataFrame:
    """Window bounds for every record.

    Parameters
    ----------
    records : pd.DataFrame
        Needs ``campaign_id`` and ``dial_at_s`` [s].
    window : {'day', '30d', 'month', 'campaign'} or float > 0 [s]
        See the module docstring.
    start_date : datetime.date or None
        Calendar date of day 0; required for ``'month'``.

    Returns
    -------
    pd.DataFrame
        Columns ``window_start_s`` and ``window_end_s`` [s], index aligned with
        ``records``.

    Raises
    ------
    ConfigError
        For ``'month'`` without ``start_date``.
    """
    window = parse_window(window)
    dial = records["dial_at_s"].to_numpy(dtype=float)
    day = np.floor(dial / SECONDS_PER_DAY)
    if isinstance(window, float):
        start = np.floor(dial / window) * window
        end = start + window
    elif window == "day":
        start = day * SECONDS_PER_DAY
        end = start + SECONDS_PER_DAY
    elif window == "month":
        if start_date is None:
            raise ConfigError(
                "calendar-month windows need the date of day 0: pass `start_date` (CLI: --start-date YYYY-MM-DD)."
            )
        start, end = _month_bounds(day.astype(int), start_date)
    else:
        by_campaign = pd.Series(day, index=records.index).groupby(records["campaign_id"])
        first = by_campaign.transform("min").to_numpy() * SECONDS_PER_DAY
        last_end = (by_campaign.transform("max").to_numpy() + 1.0) * SECONDS_PER_DAY
        if window == "campaign":
            start, end = first, last_end
        else:  # 30d
            start = first + np.floor((dial - first) / THIRTY_DAYS_S) * THIRTY_DAYS_S
            end = np.minimum(start + THIRTY_DAYS_S, last_end)
    return pd.DataFrame({"window_start_s": start, "window_end_s": end}, index=records.index)
