"""Charts of the consent and campaign-economics experiments (experiments/consent_vs_cold.py, campaign_economics.py).

Conventions
-----------
- Inputs are the experiments' summary tables: means with ``*_ci95`` 95 % t half-widths across replications.
- Money is euros on the axes; shares are percent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from experiments import plotting as P

__all__ = ["LIST_COLOURS", "plot_break_even", "plot_lists", "plot_profit", "plot_renewal"]

LIST_COLOURS = {"cold": "tab:red", "cold_withheld": "tab:purple", "opt_in": "tab:green", "renewal": "tab:olive",
                "harvest": "tab:orange"}
LIST_NAMES = {"cold": "cold list", "cold_withheld": "cold list, caller ID withheld", "opt_in": "opt-in list (lawful)",
              "renewal": "opt-in renewal campaign", "harvest": "probed harvest list"}
SHORT_NAMES = {"cold": "cold", "cold_withheld": "cold,\nID withheld", "opt_in": "opt-in\n(lawful)",
               "renewal": "opt-in\nrenewal", "harvest": "harvest"}
_PANELS = (("dials", "Dial attempts", "dials"), ("contacts", "Live contacts (a person talked to an agent)", "contacts"),
           ("dials_to_non_consented", "Dials to numbers without valid consent", "dials"),
           ("complaints", "Complaints to the regulator", "complaints"),
           ("expected_fine_eur", "Expected fine (complaint-driven)", "€"),
           ("net_orders", "Net orders (orders − cancellations)", "orders"))


def _bars(ax, summary: pd.DataFrame, metric: str) -> None:
    names = list(summary["list"])
    x = np.arange(len(names))
    mean = summary[metric].to_numpy(dtype=float)
    half = np.nan_to_num(summary[f"{metric}_ci95"].to_numpy(dtype=float))
    ax.bar(x, np.nan_to_num(mean), yerr=half, capsize=3, color=[LIST_COLOURS.get(n, "gray") for n in names])
    ax.set_xticks(x, [SHORT_NAMES.get(n, n) for n in names], fontsize=8)
    ax.grid(axis="x", visible=False)
    ax.set_ylim(bottom=0)


def plot_lists(summary: pd.DataFrame):
    """Six measures per list, means with 95 % error bars."""
    fig, axes = P.figure(2, 3, size=(13.0, 7.5))
    for ax, (metric, title, unit) in zip(axes.flat, _PANELS, strict=True):
        _bars(ax, summary, metric)
        ax.set_title(title)
        ax.set_ylabel(f"per campaign, {unit}" if unit != "€" else "per campaign, €")
        ax.set_xlabel("list")
    fig.suptitle("Cold and opt-in lists under the same screening mix (means, 95 % intervals across replications)")
    return fig


def plot_renewal(summary: pd.DataFrame):
    """Lawful numbers of the opt-in list at the start, at the end and a year later, with and without renewal."""
    fig, ax = P.figure()
    rows = summary[summary["list"].isin(["opt_in", "renewal"])].set_index("list")
    cols = (("n_lawful_at_start", "campaign start"), ("n_lawful_at_end", "campaign end"),
            ("n_lawful_1y_after_end", "a year after the end"))
    width = 0.38
    x = np.arange(len(cols))
    for i, name in enumerate(rows.index):
        r = rows.loc[name]
        ax.bar(x + (i - 0.5) * width, [r[c] for c, _ in cols], width, yerr=[np.nan_to_num(r[f"{c}_ci95"])
                                                                               for c, _ in cols],
               capsize=3, color=LIST_COLOURS[name], label=LIST_NAMES[name])
    if len(rows):
        ax.axhline(rows["n_listed"].iloc[0], color="black", lw=0.8, ls=":", label="numbers on the opt-in list")
    ax.set_xticks(x, [label for _, label in cols])
    ax.set_xlabel("when the list is counted")
    ax.set_ylabel("numbers that may be called lawfully")
    ax.set_title("How much of the opt-in list survives: a sales campaign against a renewal campaign")
    ax.grid(axis="x", visible=False)
    P.legend_outside(ax)
    return fig


def plot_profit(summary: pd.DataFrame, rates) -> object:
    """Profit against screening share, one panel per cancellation rate, one line per list, 95 % bands."""
    fig, axes = P.figure(1, len(rates), size=(4.2 * len(rates) + 2.0, 4.6), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, rate in zip(axes, rates, strict=True):
        sub = summary[np.isclose(summary["cancellation_rate"], rate)]
        for name, g in sub.groupby("list", sort=False):
            g = g.sort_values("screening_share")
            P.band(ax, 100 * g["screening_share"], g["profit_eur"], g["profit_eur_ci95"],
                   color=LIST_COLOURS.get(name), label=LIST_NAMES.get(name, name))
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_title(f"{rate:.0%} of orders cancelled")
        ax.set_xlabel("share of the population screening unknown callers")
        P.percent_axis(ax, "x")
    axes[0].set_ylabel("profit per campaign, € (revenue − costs − expected fine)")
    P.legend_outside(axes[-1])
    fig.suptitle("Campaign profit against screening (means, 95 % bands across replications)")
    return fig


def plot_break_even(summary: pd.DataFrame, rate: float):
    """Cost per net order against screening share at one cancellation rate, per list, 95 % bands."""
    fig, ax = P.figure()
    sub = summary[np.isclose(summary["cancellation_rate"], rate)]
    for name, g in sub.groupby("list", sort=False):
        g = g.sort_values("screening_share")
        P.band(ax, 100 * g["screening_share"], g["cost_per_net_order_eur"], g["cost_per_net_order_eur_ci95"],
               color=LIST_COLOURS.get(name), label=LIST_NAMES.get(name, name))
    rev = sub["revenue_per_net_order_eur"].iloc[0] if "revenue_per_net_order_eur" in sub and len(sub) else None
    if rev is not None:
        ax.axhline(rev, color="black", lw=0.8, ls=":", label=f"revenue per net order (€{rev:.0f}): break-even")
    ax.set_xlabel("share of the population screening unknown callers")
    P.percent_axis(ax, "x")
    ax.set_ylabel("cost per net order, € (log scale)")
    ax.set_yscale("log")
    plain = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.set_title(f"Cost per net order at {rate:.0%} cancellations (means, 95 % bands)")
    P.legend_outside(ax)
    return fig
