"""Minimum ring time: unanswered calls the dialer hung up on before they had rung long enough.

Ofcom's policy on abandoned and silent calls asks that a call nobody answers
rings for at least 15 s before the dialer gives up (``docs/sources.md`` §4.14,
§7.4); the FTC's safe harbour asks for 15 s or four rings (§3.1). A ping dialer
breaks the rule on every call: it rings for a second or two on purpose.

The rule is computed from the records' times, never from a disposition: a call
counts when it was not answered (``network_outcome == "no_answer"``), the dialer
ended it (``ended_by == "dialer"``) and ``ring_s`` is shorter than the minimum.
The denominator is every unanswered call the dialer ended. Calls refused by the
network (busy, unobtainable, rejected) never rang through and are left out.

Conventions
-----------
- One row per campaign (the rule has no window: each short ring is a breach).
- ``breached`` is True when any call rang too briefly; the share comes with a
  Wilson interval (scipy's ``binomtest(...).proportion_ci``).
- Records without ``ring_s`` (VICIdial's log does not record it) are not
  computable, with the reason; the numbers are then NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ConfigError

__all__ = ["RING_RULES", "RING_TIME_COLUMNS", "RingRule", "format_ring_rows", "short_rings"]


@dataclass(frozen=True)
class RingRule:
    """A regulator's minimum ring time for unanswered calls."""

    name: str
    regulator: str
    min_ring_s: float
    source: str


RING_RULES: dict[str, RingRule] = {
    "ofcom_min_ring": RingRule("ofcom_min_ring", "Ofcom", 15.0, "docs/sources.md §4.14, §7.4"),
}
RING_TIME_COLUMNS = ("rule", "campaign_id", "n_unanswered", "n_short_rings", "share", "ci95_low", "ci95_high",
                     "min_ring_s", "breached", "computable", "reason", "source")


def short_rings(records: pd.DataFrame, rule: str = "ofcom_min_ring", *, min_ring_s: float | None = None,
                confidence: float = 0.95) -> pd.DataFrame:
    """Unanswered calls the dialer ended after less than the rule's minimum ring, per campaign.

    Parameters
    ----------
    records : pd.DataFrame
        Call records (CDR columns ``campaign_id``, ``network_outcome``, ``ended_by``, ``ring_s``).
    rule : str
        A key of :data:`RING_RULES`.
    min_ring_s : float or None
        Overrides the rule's minimum (seconds).
    confidence : float in (0, 1)

    Returns
    -------
    pd.DataFrame
        Columns :data:`RING_TIME_COLUMNS`, one row per campaign.
    """
    if rule not in RING_RULES:
        raise ConfigError(f"`rule` must be one of {', '.join(RING_RULES)}; got {rule!r}.")
    spec = RING_RULES[rule]
    minimum = spec.min_ring_s if min_ring_s is None else float(min_ring_s)
    if not (np.isfinite(minimum) and minimum > 0):
        raise ConfigError(f"`min_ring_s` must be a finite number > 0 s; got {min_ring_s!r}.")
    unrecorded = "ring_s" in records.attrs.get("unrecorded_columns", ())
    unanswered = (records["network_outcome"] == "no_answer") & (records["ended_by"] == "dialer")
    short = unanswered & (records["ring_s"].to_numpy(float) < minimum)
    counts = pd.DataFrame({"campaign_id": records["campaign_id"], "n_unanswered": unanswered.astype(int),
                           "n_short_rings": short.astype(int)})
    out = counts.groupby("campaign_id", sort=True).sum().reset_index()
    rows = [_row(spec, minimum, r.campaign_id, int(r.n_unanswered), int(r.n_short_rings), unrecorded, confidence)
            for r in out.itertuples(index=False)]
    return pd.DataFrame(rows, columns=list(RING_TIME_COLUMNS))


def _row(spec: RingRule, minimum: float, campaign_id, n: int, k: int, unrecorded: bool, confidence: float) -> dict:
    row = {"rule": spec.name, "campaign_id": campaign_id, "min_ring_s": minimum, "source": spec.source}
    reason = "the records do not hold ring_s" if unrecorded else ("no unanswered calls" if n == 0 else None)
    if reason is not None:
        return {**row, "n_unanswered": n if not unrecorded else np.nan, "n_short_rings": np.nan, "share": np.nan,
                "ci95_low": np.nan, "ci95_high": np.nan, "breached": None, "computable": False, "reason": reason}
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return {**row, "n_unanswered": n, "n_short_rings": k, "share": k / n, "ci95_low": float(ci.low),
            "ci95_high": float(ci.high), "breached": k > 0, "computable": True, "reason": None}


def format_ring_rows(rows: pd.DataFrame) -> str:
    """One printed line per campaign: the rule, its source and how many unanswered calls rang too briefly."""
    lines = []
    for r in rows.itertuples(index=False):
        spec = RING_RULES[r.rule]
        lead = f"{r.rule} ({spec.regulator}: ring >= {r.min_ring_s:g} s before hanging up; {r.source}) {r.campaign_id}:"
        if not r.computable:
            lines.append(f"{lead} not computable: {r.reason}")
            continue
        verdict = "BREACH" if r.breached else "ok"
        lines.append(f"{lead} {r.n_short_rings} of {r.n_unanswered} unanswered calls rang < {r.min_ring_s:g} s "
                     f"({100 * r.share:.2f} % [{100 * r.ci95_low:.2f}, {100 * r.ci95_high:.2f}]) {verdict}")
    return "\n".join(lines)
