"""The probing-robot charts (house style of :mod:`plotting`); ``probe_harvest.main`` calls :func:`write_figures`."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments import plotting as P
from experiments.kit import save_fig, summarise

__all__ = ["write_figures"]


def plot_harvest_days(axes, harvest: pd.DataFrame, caller_id: str, strategies):
    """Harvested list size over days, one panel per strategy, one line per adoption (mean and 95 % band)."""
    summ = summarise(harvest[harvest["caller_id"] == caller_id], ["strategy", "adoption", "day"], ["n_harvested"])
    cmap = plt.get_cmap("viridis")
    adoptions = sorted(summ["adoption"].unique())
    for ax, s in zip(axes, strategies, strict=False):
        for i, a in enumerate(adoptions):
            g = summ[(summ["strategy"] == s) & (summ["adoption"] == a)]
            c = cmap(i / max(len(adoptions) - 1, 1))
            ax.plot(g["day"], g["n_harvested"], marker=".", color=c, label=f"{a:.0%}")
            half = np.nan_to_num(g["n_harvested_ci95"].to_numpy())
            ax.fill_between(g["day"], g["n_harvested"] - half, g["n_harvested"] + half, color=c, alpha=0.2, lw=0)
        ax.set_title(s)
        ax.set_xlabel("campaign day (0 = Monday)")
        ax.set_ylabel("harvested numbers (cumulative)")
    axes[0].legend(title="adoption", loc="lower right")  # the lines rise from the lower left
    return axes


def plot_against_adoption(axes, summary: pd.DataFrame, metric: str, ylabel: str, scale: float = 1.0, *,
                          caller_ids, strategies):
    """``metric`` at the last day against adoption, one line per strategy, one panel per caller ID."""
    for ax, cid in zip(axes, caller_ids, strict=False):
        g = summary[summary["caller_id"] == cid]
        for k, s in enumerate(strategies):
            gs = g[g["strategy"] == s]
            # Strategies that meet a robot alike (screen_unknown, never_answer) coincide: each is drawn at its
            # true adoption with a hollow marker of its own size, so coinciding points show as rings.
            ax.errorbar(100 * gs["adoption"], scale * gs[metric], yerr=scale * np.nan_to_num(gs[f"{metric}_ci95"]),
                        marker="osD^v"[k % 5], ms=11 - 1.5 * k, mfc="none", ls=("-", "--", "-.", ":")[k % 4],
                        capsize=3, label=s)
        ax.set_title(f"caller ID {cid}")
        ax.set_xlabel("adoption of the strategy, % of the range's people")
        ax.set_xticks([0, 25, 50, 75, 100])
    axes[0].set_ylim(bottom=0)  # after every panel is drawn: the shared axis keeps all their data in view
    axes[0].set_ylabel(ylabel)
    P.legend_outside(axes[-1], title="strategy (coinciding\nlines overlap)")
    return axes


def plot_sales(axes, summ: pd.DataFrame):
    """Contacts per agent-hour and dials per contact: harvested list against random sample of the range."""
    lists = summ[summ["list"].isin(["harvested", "random"])].copy()
    lists["point"] = lists["strategy"] + " " + (100 * lists["adoption"]).round().astype(int).astype(str) + " %"
    lists.loc[lists["adoption"] == 0.0, "point"] = "no screening"
    points = list(dict.fromkeys(lists["point"]))
    x = np.arange(len(points))
    for ax, m, label in zip(axes, ("contacts_per_agent_hour", "dials_per_contact"),
                            ("contacts per agent-hour", "dials per contact"), strict=True):
        for k, (lst, color) in enumerate((("harvested", "tab:red"), ("random", "tab:gray"))):
            g = lists[lists["list"] == lst].set_index("point").reindex(points)
            ax.bar(x + (k - 0.5) * 0.38, g[m], 0.38, yerr=np.nan_to_num(g[f"{m}_ci95"]), capsize=3, color=color,
                   label=f"{lst} list" if lst == "harvested" else "random sample of the range")
        ax.set_xticks(x, points, rotation=25, ha="right")
        ax.set_ylabel(label)
        ax.set_xlabel("what the probe's population did (screening strategy and adoption)")
        ax.set_title(label)
    P.legend_outside(axes[1])
    return axes


def write_figures(out_dir: Path, harvest, summary, sales_summ, caller_ids, strategies, sales_days, *,
                  n_sales_agents: int) -> None:
    """harvest_days.png, harvest_adoption.png, precision.png and (with a sales stage) sales.png."""
    ncol = 3
    nrow = -(-len(strategies) // ncol)
    fig, axes = P.figure(nrow, ncol, size=(12, 3.6 * nrow), sharey=True, squeeze=False)
    plot_harvest_days(axes.ravel(), harvest, caller_ids[0], strategies)
    for ax in axes.ravel()[len(strategies):]:
        ax.set_visible(False)
    fig.suptitle(f"Probe robot: harvested list over the days (caller ID {caller_ids[0]}, mean and 95 % band)")
    save_fig(fig, out_dir / "harvest_days.png")
    for name, metric, label, scale in (("harvest_adoption.png", "n_harvested", "harvested numbers at the last day",
                                        1.0),
                                       ("precision.png", "precision", "live share of the harvest, %", 100.0)):
        fig, axes = P.figure(1, len(caller_ids), size=(5.5 * len(caller_ids) + 2.5, 4.4), sharey=True,
                             squeeze=False)
        plot_against_adoption(axes.ravel(), summary, metric, label, scale, caller_ids=caller_ids,
                              strategies=strategies)
        fig.suptitle(f"Probe robot: {label} against adoption (mean and 95 % interval)")
        save_fig(fig, out_dir / name)
    if len(sales_summ):
        fig, axes = P.figure(1, 2, size=(13, 4.8))
        plot_sales(axes, sales_summ)
        fig.suptitle(f"Sales stage: {n_sales_agents} agents, "
                     f"{sales_days} day(s), mean and 95 % CI")
        save_fig(fig, out_dir / "sales.png")
