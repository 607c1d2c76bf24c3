"""The house style of every experiment chart: sizes, fonts, intervals, percent axes, legends, regimes.

Every experiment draws with these helpers so a reader meets the same conventions on every
chart: a title, axis labels with units, a legend outside the data, 95 % bands or error bars
wherever there are replications, and on any abandonment axis the regulator's rule and its
clock (the dialer's own drop rate is named as such, never as "abandoned").

Conventions
-----------
- Rates are proportions in tables and percent on axes (``percent_axis``).
- ``half`` is a 95 % half-width in the units of the values it goes with.
- Regimes are the names of :mod:`dialer_sim.compliance` (``ofcom2010``, ``ftc``, ...).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import PercentFormatter

__all__ = [
    "PARTS",
    "SIZES",
    "band",
    "figure",
    "figure_problems",
    "legend_outside",
    "limit_line",
    "percent_axis",
    "rate_label",
    "regime_name",
    "stacked_breakdown",
]

#: Figure sizes in inches: one panel, a row of two or three panels, a tall stack.
SIZES = {"single": (8.0, 4.8), "wide": (12.5, 4.8), "tall": (9.0, 10.0)}
_RC = {"font.size": 9.5, "axes.titlesize": 10.5, "axes.labelsize": 9.5, "legend.fontsize": 8.5,
       "xtick.labelsize": 8.5, "ytick.labelsize": 8.5, "figure.titlesize": 11.5, "axes.grid": True,
       "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False}
#: The four parts of a regulator's abandoned-call rate, as (summary column, legend label, colour).
PARTS = (("regime_rate_dialer_drops", "dialer drops (no agent in time)", "tab:red"),
         ("regime_rate_amd_false_positives", "AMD false positives (person hung up on)", "tab:orange"),
         ("regime_rate_late_connects", "late connects (agent after the window)", "tab:purple"),
         ("regime_rate_callee_hangups", "callee hung up in dead air after the window", "tab:gray"))
_REGIMES = {"ofcom2010": "Ofcom 2010", "ftc": "FTC TSR", "crtc": "CRTC", "vicidial": "VICIdial UK",
            "genesys": "Genesys"}
_CLOCKS = {"speech_start": "from the first word", "greeting_end": "from the end of the greeting",
           "speech": "from the first word", "greeting end": "from the end of the greeting",
           "answer": "from answer", "routing": "from routing to an agent"}


def figure(nrows: int = 1, ncols: int = 1, *, size: str | tuple[float, float] = "single", **kw):
    """``plt.subplots`` in the house style; ``size`` is a key of :data:`SIZES` or inches."""
    plt.rcParams.update(_RC)
    return plt.subplots(nrows, ncols, figsize=SIZES.get(size, size) if isinstance(size, str) else size, **kw)


def band(ax, x, mean, half, *, color=None, label=None, marker="o", **kw):
    """A line of means with its 95 % band (``half`` may hold NaN: no band there)."""
    x, mean = np.asarray(x, dtype=float), np.asarray(mean, dtype=float)
    half = np.nan_to_num(np.asarray(half, dtype=float))
    (line,) = ax.plot(x, mean, marker=marker, ms=3.5, color=color, label=label, **kw)
    ax.fill_between(x, mean - half, mean + half, color=line.get_color(), alpha=0.18, lw=0)
    return line


def percent_axis(ax, which: str = "y", *, start_zero: bool = True, decimals: int | None = None):
    """Tick labels in percent for values already in percent; the axis starts at 0 unless told."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_formatter(PercentFormatter(xmax=100, decimals=decimals))
    if start_zero and which == "y":
        ax.set_ylim(bottom=0)
    elif start_zero:
        ax.set_xlim(left=0)
    return ax


def legend_outside(ax, *, where: str = "right", ncol: int = 1, title: str | None = None, handles=None,
                   labels=None):
    """A legend beside (``right``) or under (``below``) the axes, never over the data."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if where == "right":
        return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), ncol=ncol, title=title,
                         frameon=False, borderaxespad=0.0)
    return ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=ncol, title=title,
                     frameon=False)


def regime_name(regime: str = "ofcom2010", clock: str | None = None, window_s: float | None = None) -> str:
    """``'Ofcom 2010 rule, 2 s from speech start'``: the regime, its window and its clock.

    ``clock`` is a configured ``abandon.clock_start`` or a breakdown's clock label, which already
    holds the window (``'2 s from speech start'``).
    """
    name = f"{_REGIMES.get(regime, regime)} rule"
    if clock and " s from " in clock:
        return f"{name}, {clock}"
    when = _CLOCKS.get(clock, clock) if clock else None
    if window_s is not None and when:
        return f"{name}, {window_s:g} s {when}"
    return f"{name}, clock {when}" if when else name


def rate_label(regime: str = "ofcom2010", clock: str | None = None, window_s: float | None = None,
               *, denominator: str = "live answers") -> str:
    """An abandonment axis label naming the rule and its clock, with the unit."""
    return f"abandoned, % of {denominator}\n({regime_name(regime, clock, window_s)})"


def limit_line(ax, limit_pct: float, *, regime: str = "ofcom2010", which: str = "y"):
    """The regulator's limit as a dotted red line, labelled in the legend with its value."""
    label = f"{_REGIMES.get(regime, regime)} limit {limit_pct:g} %"
    draw = ax.axhline if which == "y" else ax.axvline
    return draw(limit_pct, color="tab:red", lw=1.0, ls=":", label=label)


def stacked_breakdown(ax, names, rows, *, regime: str, clock: str | None, window_s: float | None = None,
                      limit_pct: float | None = None):
    """Stacked bars of the four parts of the regulator's rate, one bar per row, with its 95 % interval.

    Parameters
    ----------
    names : list of str
        Bar labels.
    rows : list of mapping
        Per bar: the :data:`PARTS` keys (proportions), ``rate`` with ``ci95_low``/``ci95_high``, and
        ``dialer_drop_rate`` (drawn as a black tick: the dialer's own drop rate).
    """
    x = np.arange(len(names))
    bottom = np.zeros(len(names))
    for key, label, colour in PARTS:
        vals = np.array([100 * float(r.get(key, 0.0) or 0.0) for r in rows])
        ax.bar(x, vals, 0.62, bottom=bottom, color=colour, label=label)
        bottom += vals
    total = np.array([100 * float(r["rate"]) for r in rows])
    lo = np.array([100 * float(r.get("ci95_low", np.nan)) for r in rows])
    hi = np.array([100 * float(r.get("ci95_high", np.nan)) for r in rows])
    ok = np.isfinite(lo) & np.isfinite(hi)
    ax.errorbar(x[ok], total[ok], yerr=[np.maximum(total - lo, 0)[ok], np.maximum(hi - total, 0)[ok]], fmt="none",
                ecolor="black", capsize=4, lw=1, label="total, 95 % interval")
    drops = [100 * float(r.get("dialer_drop_rate", np.nan)) for r in rows]
    ax.scatter(x, drops, marker="_", s=500, color="black", lw=2, zorder=3, label="dialer's own drop rate")
    if limit_pct is not None:
        limit_line(ax, limit_pct, regime=regime)
    ax.set_xticks(x, names, rotation=20 if max(map(len, names), default=0) > 10 else 0, ha="right"
                  if max(map(len, names), default=0) > 10 else "center")
    ax.set_ylabel(rate_label(regime, clock, window_s))
    tops = [v for v in (*bottom, *hi[ok], *drops, limit_pct or 0.0) if np.isfinite(v)]
    ax.set_ylim(0, max(max(tops, default=1.0) * 1.08, ax.get_ylim()[1] if ax.get_autoscaley_on() is False else 0))
    percent_axis(ax, start_zero=False, decimals=0)
    ax.grid(axis="x", visible=False)
    return ax


def figure_problems(fig) -> list[str]:
    """What a reader would miss on ``fig``: panels without a title or without axis labels.

    A panel may take its title from the figure's ``suptitle`` and an axis label from a panel it
    shares that axis with. Returns one line per problem (empty when the figure is fine).
    """
    problems = []
    has_sup = bool(fig.get_suptitle().strip())
    for i, ax in enumerate(a for a in fig.axes if a.get_visible() and a.axison):
        if not (ax.get_title().strip() or has_sup):
            problems.append(f"panel {i} has no title")
        for name in ("x", "y"):
            group = ax.get_shared_x_axes() if name == "x" else ax.get_shared_y_axes()
            labels = [(a.get_xlabel() if name == "x" else a.get_ylabel()).strip() for a in group.get_siblings(ax)]
            if not any(labels):
                problems.append(f"panel {i} has no {name} label")
    return problems
