"""Compliance output: the JSON contract, a printed table, and a report folder.

The JSON is the stable contract of ``docs/compliance.md``: a list with one object per
(regime, campaign, window) with ``regime``, ``campaign_id``, ``window_start_s``,
``window_end_s``, ``numerator``, ``denominator``, ``rate``, ``ci95_low``,
``ci95_high``, ``limit``, ``breached``, ``computable``, and ``reason`` only when
the window is not computable, then the breakdown :data:`PART_JSON_KEYS`.
NaN becomes ``null``.

Conventions
-----------
- Rates are proportions in the data and per cent in the printed table, the
  markdown page and the chart.
- Window times are seconds on the record time base; the table also shows them
  as day numbers (day 0 starts at time 0).
"""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .._io import atomic_write, atomic_write_text, prepare_out_dir, staged_dir  # noqa: E402
from .._time import SECONDS_PER_DAY  # noqa: E402

__all__ = [
    "JSON_KEYS", "PART_JSON_KEYS", "REPORT_FILES", "compliance_json_rows", "format_table", "plot_breakdown",
    "plot_rates", "write_report",
]

JSON_KEYS = (
    "regime", "campaign_id", "window_start_s", "window_end_s", "numerator", "denominator", "rate",
    "ci95_low", "ci95_high", "limit", "breached", "computable",
)  # fmt: skip
#: The breakdown fields each JSON object carries after :data:`JSON_KEYS` (``docs/compliance.md``).
PART_JSON_KEYS = (
    "clock", "adjustment", "n_dialer_drops", "n_amd_false_positives", "n_late_connects", "n_callee_hangups",
    "rate_dialer_drops", "rate_amd_false_positives", "rate_late_connects", "rate_callee_hangups",
    "n_own_drops", "n_all_live_answers", "dialer_drop_rate", "dialer_drop_ci95_low", "dialer_drop_ci95_high",
)  # fmt: skip
REPORT_FILES = ("compliance.md", "compliance.png", "compliance.csv")


def _plain(value):
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def compliance_json_rows(rates: pd.DataFrame) -> list[dict]:
    """The JSON objects (one per regime, campaign and window) for a :func:`compliance_rates` result."""
    rows = []
    for rec in rates.to_dict(orient="records"):
        row = {key: _plain(rec[key]) for key in JSON_KEYS}
        row["computable"] = bool(rec["computable"])
        if not row["computable"]:
            row["reason"] = rec["reason"]
        row.update({key: _plain(rec[key]) for key in PART_JSON_KEYS if key in rec})
        rows.append(row)
    return rows


def _window_label(start_s: float, end_s: float) -> str:
    if math.isnan(start_s) or math.isnan(end_s):
        return "—"
    if end_s - start_s == SECONDS_PER_DAY and start_s % SECONDS_PER_DAY == 0:
        return f"day {int(start_s // SECONDS_PER_DAY)}"
    return f"days {start_s / SECONDS_PER_DAY:g}–{end_s / SECONDS_PER_DAY:g}"


def _pct(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100.0 * x:.2f} %"


def format_table(rates: pd.DataFrame) -> str:
    """A plain-text table: one line per campaign and window."""
    if rates.empty:
        return "no records"
    method = rates["ci_method"].iat[0]
    header = (f"{'regime':<11} {'campaign':<12} {'window':<16} {'abandoned':>10} {'of':>9} {'rate':>9}"
              f"  95 % CI ({method})")
    lines = [header, "-" * len(header)]
    for r in rates.itertuples(index=False):
        window = _window_label(r.window_start_s, r.window_end_s)
        lead = f"{r.regime:<11} {r.campaign_id!s:<12} {window:<16}"
        if not r.computable:
            lines.append(f"{lead} not computable: {r.reason}")
            continue
        verdict = "BREACH" if r.breached else "ok"
        lines.append(
            f"{lead} {r.numerator:>10.6g} {r.denominator:>9.6g} {_pct(r.rate):>9}"
            f"  [{_pct(r.ci95_low)}, {_pct(r.ci95_high)}]  limit {_pct(r.limit)} {verdict}"
        )
        lines.append(f"{'':<11} {_parts_text(r)}")
    return "\n".join(lines)


def _parts_text(r) -> str:
    """The clock, the four parts and the dialer's own drop rate of one window."""
    parts = getattr(r, "rate_dialer_drops", None)
    if parts is None or (isinstance(parts, float) and math.isnan(parts)):
        return f"{r.clock}; parts not recorded by this source"
    return (f"{r.clock}: = drops {_pct(r.rate_dialer_drops)} + AMD false positives "
            f"{_pct(r.rate_amd_false_positives)} + late connects {_pct(r.rate_late_connects)} + callee hang-ups "
            f"{_pct(r.rate_callee_hangups)}; dialer's own drops {_pct(r.dialer_drop_rate)} of live answers "
            f"[{_pct(r.dialer_drop_ci95_low)}, {_pct(r.dialer_drop_ci95_high)}]")


def plot_rates(rates: pd.DataFrame, ax: plt.Axes) -> plt.Axes:
    """Rate per window with its CI band against the limit, one line per campaign.

    Parameters
    ----------
    rates : pd.DataFrame
        A :func:`compliance_rates` result.
    ax : matplotlib.axes.Axes
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ok = rates[rates["computable"].astype(bool)]
    mids = []
    for campaign, grp in ok.groupby("campaign_id", sort=True):
        mid_day = (grp["window_start_s"] + grp["window_end_s"]) / 2.0 / SECONDS_PER_DAY
        mids += list(mid_day)
        rate = 100.0 * grp["rate"]
        err = [rate - 100.0 * grp["ci95_low"], 100.0 * grp["ci95_high"] - rate]
        # Error bars show the interval of single windows; the band joins them along the campaign.
        line = ax.errorbar(mid_day, rate, yerr=err, marker="o", capsize=3, label=f"{campaign}").lines[0]
        ax.fill_between(mid_day, 100.0 * grp["ci95_low"], 100.0 * grp["ci95_high"], color=line.get_color(),
                        alpha=0.2, lw=0)
    if not rates.empty:
        limit = 100.0 * rates["limit"].iat[0]
        ax.axhline(limit, color="tab:red", ls="--", lw=1, label=f"limit {limit:g} %")
        clock = f", {rates['clock'].iat[0]}" if "clock" in rates and rates["clock"].iat[0] else ""
        ax.set_title(f"{rates['regime'].iat[0]}{clock}: abandoned-call rate per window "
                     f"({rates['ci_method'].iat[0]} 95 % CI)")
        top = max([limit, *(100.0 * ok["ci95_high"].dropna())], default=limit)
        ax.set_ylim(0, 1.15 * top)  # from 0, with the limit always in view
    if mids:  # whole days around the windows, so a single window is not drawn on a fraction of a day
        ax.set_xlim(np.floor(min(mids)) - 0.25, np.ceil(max(mids)) + 0.25)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("campaign day (window midpoint)")
    ax.set_ylabel("abandoned-call rate, % of the regime's live answers")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return ax


def _markdown(rates: pd.DataFrame, source: str, notes: list[str]) -> str:
    regimes = ", ".join(dict.fromkeys(rates["regime"])) if not rates.empty else "?"
    n_breach = int(rates["breached"].fillna(False).astype(bool).sum())
    n_nc = int((~rates["computable"].astype(bool)).sum())
    lines = [
        f"# Abandoned-call rate: {regimes}",
        "",
        f"Records: `{source}`. Windows: {len(rates)}; breached: {n_breach}; not computable: {n_nc}.",
        "Each rate is a share of its regime's denominator and adds up from four parts: dialer drops (no agent, "
        "the dialer ended the call), AMD false positives, late connects (an agent after the deadline) and "
        "callee hang-ups in dead air after the deadline. The dialer's own drop rate (live answers it dropped, "
        "of all live answers) stands beside it.",
        *(f"- {note}" for note in notes),
        "",
        "![rate per window](compliance.png)",
        "",
        "| regime | clock | campaign | window | numerator | denominator | rate | 95 % CI | drops | AMD false pos. "
        "| late connects | callee hang-ups | dialer's own drops | limit | breached | note |",
        "|---|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---|---|",
    ]
    for r in rates.itertuples(index=False):
        window = _window_label(r.window_start_s, r.window_end_s)
        clock = getattr(r, "clock", "")
        clock = "" if not isinstance(clock, str) else clock
        if r.computable:
            parts = " | ".join(_pct(getattr(r, f"rate_{p}", None)) for p in (
                "dialer_drops", "amd_false_positives", "late_connects", "callee_hangups"))
            own = f"{_pct(r.dialer_drop_rate)} ({_pct(r.dialer_drop_ci95_low)} – {_pct(r.dialer_drop_ci95_high)})"
            lines.append(
                f"| {r.regime} | {clock} | {r.campaign_id} | {window} | {r.numerator:.6g} | {r.denominator:.6g} | "
                f"{_pct(r.rate)} | {_pct(r.ci95_low)} – {_pct(r.ci95_high)} | {parts} | {own} | {_pct(r.limit)} | "
                f"{'yes' if r.breached else 'no'} | |"
            )
        else:
            lines.append(f"| {r.regime} | {clock} | {r.campaign_id} | {window} | | | | | | | | | | {_pct(r.limit)} "
                         f"| | not computable: {r.reason} |")
    return "\n".join(lines) + "\n"


def plot_breakdown(rates: pd.DataFrame, ax: plt.Axes) -> plt.Axes:
    """Each regime's rate per window as a stacked bar of its four parts, with its CI and limit."""
    ok = rates[rates["computable"].astype(bool)].reset_index(drop=True)
    labels = [f"{r.regime}\n{textwrap.fill(r.clock, 16)}\n{_window_label(r.window_start_s, r.window_end_s)}"
              for r in ok.itertuples()]
    x = np.arange(len(ok))
    bottom = np.zeros(len(ok))
    for part, label in (("dialer_drops", "dialer drops"), ("amd_false_positives", "AMD false positives"),
                        ("late_connects", "late connects"), ("callee_hangups", "callee hang-ups")):
        values = 100.0 * ok[f"rate_{part}"].to_numpy(float)
        ax.bar(x, values, bottom=bottom, width=0.6, label=label)
        bottom += np.nan_to_num(values)
    rate = 100.0 * ok["rate"].to_numpy(float)
    err = [rate - 100.0 * ok["ci95_low"].to_numpy(float), 100.0 * ok["ci95_high"].to_numpy(float) - rate]
    ax.errorbar(x, rate, yerr=err, fmt="none", ecolor="black", capsize=4, label="95 % CI of the rate")
    ax.scatter(x, 100.0 * ok["limit"], marker="_", s=900, color="red", zorder=3, label="limit")
    ax.set_xticks(x, labels, fontsize="small")
    ax.set_ylim(0, max(5.0, float(np.nanmax(100.0 * ok["ci95_high"])) * 1.15) if len(ok) else 5.0)
    ax.set_ylabel("abandoned calls [% of the regime's denominator]")
    ax.set_title("Abandoned-call rate under each regime, by part (95 % CI)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    return ax


def write_report(
    rates: pd.DataFrame,
    out_dir: str | os.PathLike[str],
    *,
    source: str,
    notes: list[str] | None = None,
    force: bool = False,
) -> Path:
    """Write ``compliance.md``, ``compliance.png`` and ``compliance.csv``, all three or none.

    Parameters
    ----------
    rates : pd.DataFrame
        A :func:`compliance_rates` result.
    out_dir : path-like
        Report folder; created if needed.
    source : str
        The records file, named on the page.
    notes : list of str or None
        Extra lines for the page (interval method, skipped rows, ...).
    force : bool
        Replace an existing report.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    DialerSimError
        If a report is already there and ``force`` is false.
    """
    out = prepare_out_dir(out_dir, REPORT_FILES, force=force, option="--report")
    with staged_dir(out, replaces=REPORT_FILES) as folder:  # the three files appear together or not at all
        atomic_write(folder / "compliance.csv", lambda p: rates.to_csv(p, index=False))
        several = rates["regime"].nunique() > 1
        fig, ax = plt.subplots(figsize=(10, 4.8) if several else (8, 4.5), constrained_layout=True)
        try:
            (plot_breakdown if several else plot_rates)(rates, ax)
            atomic_write(folder / "compliance.png", lambda p: fig.savefig(p, format="png", dpi=120))
        finally:
            plt.close(fig)
        atomic_write_text(folder / "compliance.md", _markdown(rates, source, notes or []))
    return out
