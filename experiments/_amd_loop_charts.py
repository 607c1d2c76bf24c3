"""The AMD-in-the-loop charts (house style of :mod:`plotting`); ``amd_in_the_loop.main`` draws them."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments import _abandonment as A
from experiments import plotting as P

__all__ = ["STRATEGIES", "plot_abandon", "plot_fp_scatter", "plot_protection", "policy_shown"]

#: The screening strategies whose users' protection is charted.
STRATEGIES = ("answer_all", "silent_answer")


def policy_shown(table: pd.DataFrame) -> str:
    """The AMD policy (``amd.undecided_action``) and the pacing a chart's rows ran under, for its title.

    ``table.attrs["pacing"]`` names the dialer's pacing policy; AMD off (policy ``n/a``) has no AMD policy.
    """
    amd = [p for p in dict.fromkeys(table["policy"]) if p != "n/a"]
    what = {"wait": "undecided calls wait for the verdict",
            "connect_at_deadline": "undecided calls go to an agent at the deadline"}
    text = "; ".join(f"AMD policy `{p}` ({what.get(p, p)})" for p in amd) or "AMD off"
    pacing = table.attrs.get("pacing")
    return f"{text}; pacing {pacing}" if pacing else text


def plot_abandon(axes, summary: pd.DataFrame):
    """Per mix, stacked bars: the regulator's rate per AMD variant in its four parts, with the dialer's drops."""
    regime, clock = A.rule(summary)
    for ax, (mix, g) in zip(axes, summary.groupby("mix", sort=False), strict=True):
        P.stacked_breakdown(ax, list(g["variant"]), A.breakdown_rows(g), regime=regime, clock=clock, limit_pct=3.0)
        ax.set_xlabel("AMD variant (detector names: measured behaviour table)")
        ax.set_title(f"Population {mix}")
    top = max(ax.get_ylim()[1] for ax in axes)  # each panel fits its own bars; the shared axis fits both
    axes[0].set_ylim(0, top)
    P.legend_outside(axes[-1])
    axes[0].figure.suptitle("Abandoned calls as regulators count them, in four parts (mean, 95 % interval)\n"
                            + policy_shown(summary))
    return axes


def plot_fp_scatter(ax, summary: pd.DataFrame):
    """In-campaign human false-positive rate against the regulator's rate; one colour per variant."""
    regime, clock = A.rule(summary)
    markers = dict(zip(dict.fromkeys(summary["mix"]), ("o", "s", "^", "D"), strict=False))
    colours = plt.get_cmap("tab10")
    names = list(dict.fromkeys(summary["variant"]))
    for _, r in summary.iterrows():
        ax.errorbar(100 * r["amd_false_positive_rate_live"], 100 * r["regime_rate"],
                    xerr=100 * np.nan_to_num(r["amd_false_positive_rate_live_ci95"]),
                    yerr=100 * np.nan_to_num(r["regime_rate_ci95"]), fmt=markers[r["mix"]],
                    color=colours(names.index(r["variant"])), capsize=3, ms=7, alpha=0.9)
    for i, name in enumerate(names):
        ax.plot([], [], "o", color=colours(i), label=f"AMD {name}")
    for mix, m in markers.items():
        ax.plot([], [], m, color="0.4", mfc="white", label=f"population {mix}")
    lim = 100 * max(summary["regime_rate"].max(), summary["amd_false_positive_rate_live"].max()) * 1.1 + 1
    ax.plot([0, lim], [0, lim], color="0.7", lw=0.8, ls="--", label="abandoned = false positives")
    ax.set_xlim(-0.02 * lim, lim)
    ax.set_ylim(0, lim)
    ax.set_xlabel("AMD hung up on a live person, % of live answers")
    ax.set_ylabel(P.rate_label(regime, clock))
    ax.set_title(f"Human false positives drive the regulator's rate (mean, 95 % interval)\n{policy_shown(summary)}")
    P.legend_outside(ax)
    return ax


def plot_protection(axes, psum: pd.DataFrame):
    """Per AMD variant, silent_answer against answer_all users (the mix with silent answerers)."""
    mix = psum.loc[psum["strategy"] == "silent_answer", "mix"].iloc[0]
    g = psum[psum["mix"] == mix]
    names = list(dict.fromkeys(g["variant"]))
    x = np.arange(len(names))
    panels = [("calls_per_week", "calls per person and week", 1),
              ("silent_calls_per_week", "silent calls per person and week", 1),
              ("amd_hangups_per_week", "AMD hang-ups per person and week", 1),
              ("successful_share", "reached by an agent, % of people", 100)]
    for ax, (col, label, scale) in zip(axes, panels, strict=True):
        for i, strategy in enumerate(STRATEGIES):
            s = g[g["strategy"] == strategy].set_index("variant").reindex(names)
            ax.bar(x + (i - 0.5) * 0.4, scale * s[col], 0.4, yerr=scale * np.nan_to_num(s[f"{col}_ci95"]),
                   capsize=3, label=strategy)
        ax.set_xticks(x, names)
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
    axes[-1].set_xlabel("AMD variant (detector names: measured behaviour table)")
    P.legend_outside(axes[0])
    axes[0].figure.suptitle(f"People who answer and stay silent against people who speak, per AMD variant ({mix}; "
                            f"mean, 95 % interval)\n{policy_shown(psum)}")
    return axes
