"""The screening-starvation charts (drawn in the house style of :mod:`experiments.plotting`).

Each function takes the experiment's tables and returns a figure; ``screening_starvation.main``
saves them. Hollow markers and dash-dotted lines mark points whose list ran out of callable numbers
before the campaign's last day.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments import plotting as P
from experiments._abandonment import breakdown_rows, rule

__all__ = ["plot_abandonment", "plot_composition", "plot_days", "plot_protection", "plot_starvation"]


def _colours(names) -> dict:
    out = dict(zip(names, plt.get_cmap("tab10").colors, strict=False))
    out["answer_all"] = "0.55"
    return out


def plot_starvation(summary: pd.DataFrame, swept, days: int):
    """Contacts per active agent-hour, per agent-hour over the campaign and successful numbers against adoption."""
    colours = _colours(swept)
    fig, axes = P.figure(1, 3, size=(15, 4.8))
    panels = (("contacts_per_active_agent_hour", "live contacts per agent-hour\nwhile numbers remained"),
              ("contacts_per_agent_hour", "live contacts per agent-hour\nover all campaign hours"),
              ("n_successful", f"successful numbers after {days} days"))
    for s in swept:
        g = summary[summary["strategy"] == s].sort_values("adoption")
        x = 100 * g["adoption"]
        dry = g["exhausted"].to_numpy(dtype=float) > 0.5
        for ax, (m, _) in zip(axes, panels, strict=True):
            P.band(ax, x, g[m], g[f"{m}_ci95"], color=colours[s], label=s)
            ax.plot(x[dry], g[m][dry], "o", ms=7, mfc="white", mec=colours[s], zorder=3)
    for ax, (_, label) in zip(axes, panels, strict=True):
        ax.set_xlabel("adoption of the strategy, % of the list")
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.set_xlim(-2, 102)
    axes[0].set_title("per active agent-hour")
    axes[1].set_title("per agent-hour, whole campaign")
    axes[2].set_title("numbers passed on")
    axes[2].plot([], [], "o", ms=7, mfc="white", mec="0.3", label="list ran dry before the last day")
    P.legend_outside(axes[2], title="strategy adopted")
    fig.suptitle("Screening starves the dialer (mean and 95 % band across replications)")
    return fig


def plot_composition(composition: pd.DataFrame, swept):
    """A mixed population day by day: numbers still on the list and numbers marked successful."""
    colours = _colours(swept)
    mean = composition.groupby(["day", "group"], observed=True)[["n_on_list", "n_successful"]].mean().reset_index()
    order = [s for s in ("answer_all", *swept) if s in set(mean["group"])]
    fig, axes = P.figure(1, 2, size="wide", sharex=True)
    for ax, m, title in zip(axes, ("n_on_list", "n_successful"),
                            ("numbers still on the list", "numbers marked successful"), strict=True):
        wide = mean.pivot(index="day", columns="group", values=m).reindex(columns=order).fillna(0)
        ax.stackplot(wide.index, *[wide[c] for c in order], labels=order, colors=[colours[c] for c in order],
                     alpha=0.85)
        ax.set_title(f"{title} (mean over replications)")
        ax.set_xlabel("campaign day (0 = Monday)")
        ax.set_ylabel("numbers")
    P.legend_outside(axes[1], title="strategy")
    fig.suptitle("A mixed population: screeners fall off the list, people who answer are passed on")
    return fig


def plot_protection(groups: pd.DataFrame, swept):
    """Calls, silent calls and AMD hang-ups per person per week at 50 % adoption, adopters against the rest."""
    half = groups[np.isclose(groups["adoption"], 0.5)]
    if half.empty:  # sweeps without a 50 % point: the adoption nearest to it
        near = groups.loc[(groups["adoption"] - 0.5).abs().idxmin(), "adoption"]
        half = groups[groups["adoption"] == near]
    adoption = float(half["adoption"].iloc[0])
    metrics = ("calls_per_person_week", "silent_calls_per_person_week", "amd_hangups_per_person_week")
    fig, axes = P.figure(1, 3, size=(15, 5), sharey=True)
    y = np.arange(len(swept))
    for ax, m, title in zip(axes, metrics, ("calls that reached the phone", "silent calls (dead air or dropped)",
                                           "hung up on as a machine"), strict=True):
        for k, (who, colour) in enumerate((("adopters", "tab:blue"), ("answer_all", "0.6"))):
            means, halves = [], []
            for s in swept:
                g = half[(half["strategy"] == s) & (half["group"] == (s if who == "adopters" else who))][m]
                means.append(g.mean() if len(g) else np.nan)
                halves.append(1.96 * g.std(ddof=1) / np.sqrt(len(g)) if len(g) > 1 else np.nan)
            ax.barh(y + (k - 0.5) * 0.38, means, height=0.38, xerr=np.nan_to_num(halves), capsize=2, color=colour,
                    label="people who adopted the strategy" if who == "adopters" else "people who answer all calls")
        ax.set_title(title)
        ax.set_xlabel("per person per week")
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, swept)
    axes[0].set_ylabel("strategy adopted")
    axes[0].invert_yaxis()
    P.legend_outside(axes[2])
    fig.suptitle(f"What each strategy's users receive at {adoption:.0%} adoption, against the people who answer "
                 "all calls (mean, 95 % interval)")
    return fig


def plot_days(daily: pd.DataFrame, exhaustion: pd.DataFrame, swept):
    """Live contacts per agent-hour day by day at 0, 50 and 100 %, with the day each list ran dry."""
    colours = _colours(swept)
    fig, ax = P.figure(size=(11, 4.8))
    work = daily[daily["agent_hours_day"] > 0] if "agent_hours_day" in daily else daily[daily["dials_day"] > 0]
    for s in ("screen_unknown", "silent_answer", "blocklist"):
        for a, ls in ((0.0, ":"), (0.5, "--"), (1.0, "-")):
            if a == 0.0 and s != "screen_unknown":
                continue
            g = work[(work["strategy"] == s) & np.isclose(work["adoption"], a)]
            if g.empty:
                continue
            m = g.groupby("day")["contacts_per_agent_hour"]
            colour = "0.3" if a == 0.0 else colours[s]
            label = "nobody screens (0 %)" if a == 0.0 else f"{s} {a:.0%}"
            P.band(ax, m.mean().index, m.mean().to_numpy(), _half(m), color=colour, label=label, ls=ls, marker=".")
            e = exhaustion[(exhaustion["strategy"] == s) & np.isclose(exhaustion["adoption"], a)]["exhaustion_day"]
            if e.notna().any():  # the first replication whose list ran dry
                day = float(e.min())
                ax.plot([day], [m.mean().get(day, 0.0)], "X", ms=9, color=colour, mec="black", zorder=4)
    ax.plot([], [], "X", ms=9, color="0.7", mec="black", ls="none", label="list ran dry (first replication)")
    ax.set_xlabel("campaign day (0 = Monday; Sundays have no calls)")
    ax.set_ylabel("live contacts per agent-hour")
    ax.set_ylim(bottom=0)
    P.legend_outside(ax)
    ax.set_title("Live contacts day by day (mean and 95 % band across replications)")
    return fig


def _half(grouped) -> np.ndarray:
    n = grouped.count().to_numpy(dtype=float)
    sd = grouped.std(ddof=1).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 1, 1.96 * sd / np.sqrt(n), np.nan)


def plot_abandonment(summary: pd.DataFrame):
    """The regulator's rate in four parts with the dialer's own drop rate, at 0 % and 50 % adoption."""
    base = (summary["strategy"] == "screen_unknown") & (summary["adoption"] == 0.0)
    pick = summary[(np.isclose(summary["adoption"], 0.5) | base) & (summary["strategy"] != "mixed")]
    names = ["nobody screens" if r["adoption"] == 0 else f"{r['strategy']} {r['adoption']:.0%}"
             for _, r in pick.iterrows()]
    regime, clock = rule(summary)
    fig, ax = P.figure(size=(12, 5))
    P.stacked_breakdown(ax, names, breakdown_rows(pick), regime=regime, clock=clock, limit_pct=3.0)
    ax.set_xlabel("population (share of the list using the strategy; the rest answer all calls)")
    ax.set_title("Abandoned calls in four parts, and the dialer's own drop rate (mean of replications)")
    P.legend_outside(ax)
    return fig
