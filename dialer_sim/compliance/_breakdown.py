"""One regime's abandoned-call rate over a whole set of records, with its parts.

:func:`abandonment_breakdown` is the one definition of the figures that the
run summary, ``dialer-sim run``'s closing line and ``dialer-sim compliance``
report: the same per-call classification (:mod:`._classify`), the same
adjustment and interval (:mod:`._regimes`), over all records instead of per
window. The counts are sums, so records streamed in batches give the same
result through :func:`breakdown_totals` and :func:`breakdown_from_totals`.

Conventions
-----------
- Rates are proportions; ``unit`` says of what.
- ``n_live_answers`` is the regime's denominator (Ofcom: ``L + D′ + F``), not
  every live answer; ``n_all_live_answers`` is every live answer, the
  denominator of ``dialer_drop_rate``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._parts import PARTS
from ._regimes import REGIMES, RESULT_COLUMNS, _check_options, _check_records, _finish, _per_call_counts
from ._report import _plain

__all__ = ["BREAKDOWN_KEYS", "abandonment_breakdown", "breakdown_from_totals", "breakdown_rows",
           "breakdown_totals", "not_computable_rows"]

BREAKDOWN_KEYS = (
    "regime", "clock", "threshold_s", "unit", "adjustment", "n_live_answers", "n_abandoned", "rate",
    "ci95_low", "ci95_high", "ci_method", "limit", "breached", "computable", "reason",
    *(f"n_{p}" for p in PARTS), *(f"rate_{p}" for p in PARTS),
    "n_own_drops", "n_all_live_answers", "dialer_drop_rate", "dialer_drop_ci95_low", "dialer_drop_ci95_high",
)  # fmt: skip
_RENAMED = {"denominator": "n_live_answers", "numerator": "n_abandoned"}


def _options(regime: str, threshold_s: float | None, amd_used: bool | None):
    return _check_options(regime, threshold_s=threshold_s, limit=None, ci="wilson", confidence=0.95,
                          amd_used=amd_used, audit=None, denominator="queue", uk=False)


def breakdown_totals(records: pd.DataFrame, *, regime: str = "ofcom2010", threshold_s: float | None = None,
                     by: str | None = None) -> pd.Series | pd.DataFrame:
    """Summed per-call counts of ``regime`` over ``records`` (add the totals of several batches).

    With ``by`` (a record column such as ``day``), one row of sums per value.

    Raises
    ------
    ConfigError
        On an unknown regime or a bad threshold. RecordsError when the records
        lack CDR columns.
    """
    opt = _options(regime, threshold_s, None)
    _check_records(records)
    from_statuses = records.attrs.get("source") == "vicidial" and regime == "vicidial"
    counts = _per_call_counts(records, opt, from_statuses)
    return counts.sum() if by is None else counts.groupby(records[by].to_numpy()).sum()


def breakdown_from_totals(totals: pd.Series, *, regime: str = "ofcom2010", threshold_s: float | None = None,
                          amd_used: bool | None = None, attrs: Mapping | None = None) -> dict:
    """The breakdown dictionary (:data:`BREAKDOWN_KEYS`) from :func:`breakdown_totals`.

    ``amd_used`` (Ofcom) defaults to whether any call has an AMD label; ``attrs``
    are the records' attributes (what their source did not record).
    """
    opt = _options(regime, threshold_s, amd_used)
    row = breakdown_rows(pd.DataFrame([totals]), regime=regime, threshold_s=threshold_s, amd_used=amd_used,
                         attrs=attrs).iloc[0]
    result = {key: _plain(row[key]) for key in BREAKDOWN_KEYS if key in row.index}
    result["threshold_s"] = opt.threshold_s
    result["unit"] = f"proportion of the {regime} denominator (n_live_answers)"
    return {key: result.get(key) for key in BREAKDOWN_KEYS}


def breakdown_rows(totals: pd.DataFrame, *, regime: str = "ofcom2010", threshold_s: float | None = None,
                   amd_used: bool | None = None, attrs: Mapping | None = None) -> pd.DataFrame:
    """The breakdown of each row of ``totals`` (e.g. :func:`breakdown_totals` ``by="day"``) in one vectorised pass.

    One row per row of ``totals`` with the columns of :func:`breakdown_from_totals`'s dictionary (numbers as
    floats, NaN where that function gives None). ``amd_used`` None infers it per row from its AMD labels.
    """
    opt = _options(regime, threshold_s, amd_used)
    attrs = {} if attrs is None else attrs
    out = totals.astype(float).reset_index(drop=True)
    out.insert(0, "campaign_id", "")
    out.insert(1, "window_start_s", np.nan)
    out.insert(2, "window_end_s", np.nan)
    if regime == "ofcom2010":
        out["campaign_amd_used"] = (out["n_amd_labelled"] > 0) if "n_amd_labelled" in out else False
    from_statuses = attrs.get("source") == "vicidial" and regime == "vicidial"
    return _finish(out, attrs, opt, from_statuses).rename(columns=_RENAMED)


def abandonment_breakdown(records: pd.DataFrame, *, regime: str = "ofcom2010",
                          threshold_s: float | None = None, amd_used: bool | None = None) -> dict:
    """A regime's abandoned-call rate over all ``records``, its four parts and the dialer's own drop rate.

    Parameters
    ----------
    records : pd.DataFrame
        Call records (CDR columns), simulated or imported.
    regime : {'ofcom2010', 'ftc', 'crtc', 'vicidial', 'genesys'}
        The rule; see :func:`compliance_rates` and ``docs/compliance.md``.
    threshold_s : float >= 0 [s] or None
        Overrides the regime's window (e.g. the configured ``abandon.window_s``).
    amd_used : bool or None
        Ofcom only: whether AMD was used; None infers it from the AMD labels.

    Returns
    -------
    dict
        Keys :data:`BREAKDOWN_KEYS`: ``regime``, ``clock`` (e.g. ``'2 s from
        speech start'``), ``n_live_answers`` (the regime's denominator),
        ``n_abandoned`` (its numerator), ``rate`` with ``ci95_low`` and
        ``ci95_high`` (95 %), the parts ``n_dialer_drops``,
        ``n_amd_false_positives``, ``n_late_connects`` and ``n_callee_hangups``
        (they add up to ``n_abandoned``) and their ``rate_*``, the
        ``adjustment`` the regime makes, and the dialer's own drop rate
        ``dialer_drop_rate`` with ``dialer_drop_ci95_low``/``_high``. Values are
        JSON scalars (NaN as None).

    Examples
    --------
    >>> b = abandonment_breakdown(records, regime="ofcom2010")  # doctest: +SKIP
    >>> b["clock"], b["n_dialer_drops"] + b["n_amd_false_positives"] + b["n_late_connects"] \\
    ...     + b["n_callee_hangups"] == b["n_abandoned"]  # doctest: +SKIP
    ('2 s from speech start', True)
    """
    totals = breakdown_totals(records, regime=regime, threshold_s=threshold_s)
    return breakdown_from_totals(totals, regime=regime, threshold_s=threshold_s, amd_used=amd_used,
                                 attrs=records.attrs)



def not_computable_rows(records: pd.DataFrame, regime: str, *, reason: str) -> pd.DataFrame:
    """One not-computable row per campaign, for a regime these records cannot serve (e.g. no start date)."""
    campaigns = sorted(records["campaign_id"].unique()) if len(records) else [""]
    out = pd.DataFrame({"regime": regime, "campaign_id": campaigns})
    for col in RESULT_COLUMNS[2:]:
        out[col] = np.nan
    out["ci_method"], out["limit"] = "wilson", REGIMES[regime].limit
    out["breached"], out["computable"], out["reason"] = None, False, reason
    return out
