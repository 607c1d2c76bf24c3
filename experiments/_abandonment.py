"""The two abandonment figures every experiment reports: the dialer's own drops and a regulator's rule.

Each run's summary carries them (:func:`dialer_sim.compliance.abandonment_breakdown` on its records,
the same function ``dialer-sim compliance`` uses): the regulator's rate ``regime_rate`` with its four
parts (dialer drops, AMD false positives, late connects, callee hang-ups in dead air), which add up
to the rate, and beside it the dialer's own drop rate ``dialer_drop_rate``. ``abandonment_regime``
and ``abandonment_clock`` name the rule (the configured clock decides it: ``speech_start`` is
Ofcom 2010).

Conventions
-----------
- Columns are proportions; ``regime_*`` are of the regime named in ``abandonment_regime``.
- Across replications a part's interval is the 95 % t half-width of its per-run values
  (:func:`experiments.kit.summarise`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["LABELS", "METRICS", "PART_KEYS", "breakdown_rows", "format_rate", "from_summary", "headline_table", "rule"]

#: The parts of the regulator's rate, in the order they are stacked on charts.
PART_KEYS = ("regime_rate_dialer_drops", "regime_rate_amd_false_positives", "regime_rate_late_connects",
             "regime_rate_callee_hangups")
#: The numeric columns averaged across replications.
METRICS = ["dialer_drop_rate", "regime_rate", *PART_KEYS]
#: The strings naming the rule (the same in every run of one configuration).
LABELS = ["abandonment_regime", "abandonment_clock"]


def from_summary(summary: dict) -> dict:
    """The abandonment columns of one run's summary."""
    return {k: summary[k] for k in (*METRICS, *LABELS)}


def rule(table: pd.DataFrame) -> tuple[str, str]:
    """``(regime, clock)`` of a table's runs (the first row's: one configuration, one rule)."""
    return str(table["abandonment_regime"].iloc[0]), str(table["abandonment_clock"].iloc[0])


def breakdown_rows(summary: pd.DataFrame) -> list[dict]:
    """Summary rows as :func:`plotting.stacked_breakdown` wants them (mean parts, total with its interval)."""
    rows = []
    for _, r in summary.iterrows():
        rate, half = r["regime_rate"], np.nan_to_num(r.get("regime_rate_ci95", np.nan))
        row = {k: r[k] for k in PART_KEYS}
        row.update(rate=rate, ci95_low=max(rate - half, 0.0), ci95_high=rate + half,
                   dialer_drop_rate=r["dialer_drop_rate"])
        rows.append(row)
    return rows


def format_rate(row, col: str, *, decimals: int = 1) -> str:
    """``'12.3 ± 0.4'`` in percent from a summary row's ``col`` and ``col_ci95``."""
    if not np.isfinite(row[col]):
        return "–"  # no live answer at all
    half = row.get(f"{col}_ci95", np.nan)
    text = f"{100 * row[col]:.{decimals}f}"
    return text if not np.isfinite(half) else f"{text} ± {100 * half:.{decimals}f}"


def headline_table(summary: pd.DataFrame, key: str, key_label: str, *, n_replications: int) -> list[str]:
    """Markdown: per row of ``summary``, the dialer's drop rate and the regulator's rate with its four parts.

    Every cell is a mean across ``n_replications`` runs with its 95 % t half-width, in percent.
    """
    regime, clock = rule(summary)
    from experiments import plotting as P

    lines = [f"Rates in % of live answers; mean ± 95 % t half-width over {n_replications} replications. The "
             f"regulator's rate is the {P.regime_name(regime, clock)} (denominator: the rule's live answers); its four "
             "parts add up to it. The dialer's own drop rate is what the dialer paces on.", "",
             f"| {key_label} | dialer's own drop rate | {P.regime_name(regime, clock)} | = dialer drops | "
             "+ AMD false positives | + late connects | + callee hang-ups |", "|---|---|---|---|---|---|---|"]
    for _, r in summary.iterrows():
        cells = [format_rate(r, "dialer_drop_rate", decimals=2), f"**{format_rate(r, 'regime_rate')}**",
                 *[format_rate(r, k) for k in PART_KEYS]]
        lines.append(f"| {r[key]} | " + " | ".join(cells) + " |")
    return lines
