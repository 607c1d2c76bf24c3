"""Charts of the ping-call experiment: call-backs and consumers' cost, and time to shutdown, against adoption.

Conventions
-----------
- ``summary`` is the experiment's per-point table: one row per (number_kind,
  strategy, adoption) with ``<metric>_mean`` and ``<metric>_ci95`` (95 % t
  half-width over replications), as written to ``ping_calls_summary.csv``.
- Adoption is a share in the table and percent on the axis.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["KIND_TITLES", "plot_callbacks_and_cost", "plot_shutdown"]

KIND_TITLES = {"premium": "premium-rate number (0900)", "local": "local-looking number, forwards to premium"}


def _groups(summary: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(strategy drawn, legend label)``: strategies whose curves coincide in every panel share one line.

    Strategies that meet a ping the same way (``docs/consumer_world.md``) give the same numbers under common random
    numbers; drawing them once, labelled ``a = b = c``, keeps every strategy visible.
    """
    groups: dict[tuple, list[str]] = {}
    for name in dict.fromkeys(summary["strategy"]):
        s = summary[summary["strategy"] == name].sort_values(["number_kind", "adoption"])
        key = tuple(np.round(np.nan_to_num(s[list(columns)].to_numpy(float), nan=-1.0), 9).ravel().tolist())
        groups.setdefault(key, []).append(name)
    return [(names[0], "\n= ".join(names)) for names in groups.values()]


_LINES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _styles(names: list[str]) -> dict[str, dict]:
    """Colour, line style and marker per strategy, so strategies whose curves coincide stay visible."""
    return {n: {"color": f"C{i % 10}", "ls": _LINES[i % len(_LINES)], "marker": _MARKERS[i % len(_MARKERS)]}
            for i, n in enumerate(names)}


def plot_callbacks_and_cost(summary: pd.DataFrame, path: Path, *, P, save, n_pings: int) -> None:
    """Two rows (call-backs, consumers' cost) by two columns (premium, local), a line per strategy."""
    kinds = [k for k in KIND_TITLES if k in set(summary["number_kind"])]
    fig, axes = P.figure(2, len(kinds), size=(6.2 * len(kinds) + 2.6, 8.2), sharex=True, squeeze=False)
    rows = (("callbacks", "call-backs per campaign"), ("consumer_cost_eur", "consumers' cost, EUR per campaign"))
    groups = _groups(summary, ("callbacks_mean", "consumer_cost_eur_mean"))
    style = _styles([g for g, _ in groups])
    for j, kind in enumerate(kinds):
        part = summary[summary["number_kind"] == kind]
        for i, (metric, label) in enumerate(rows):
            ax = axes[i][j]
            for name, label_ in groups:
                s = part[part["strategy"] == name].sort_values("adoption")
                P.band(ax, 100 * s["adoption"], s[f"{metric}_mean"], s[f"{metric}_ci95"], label=label_,
                       **style[name])
            ax.set_ylabel(label)
            ax.set_ylim(bottom=0)
            ax.set_title(f"{label.split(',')[0]}: {KIND_TITLES[kind]}")
        axes[-1][j].set_xlabel("share of the range using the strategy (the rest answer all), %")
        P.percent_axis(axes[-1][j], "x", start_zero=False)
    P.legend_outside(axes[0][-1], title="strategy adopted\n(a = b: identical curves)")
    fig.suptitle(f"Ping calls to a range of {n_pings:,} numbers: who calls back, and what it costs them "
                 "(mean, 95 % band over replications)")
    fig.tight_layout()
    save(fig, path)


def plot_shutdown(summary: pd.DataFrame, path: Path, *, P, save, threshold: int) -> None:
    """Top: hours from the first ping to the shutdown ('x' where no run was shut down). Bottom: complaints."""
    kinds = [k for k in KIND_TITLES if k in set(summary["number_kind"])]
    fig, axes = P.figure(2, len(kinds), size=(6.2 * len(kinds) + 2.6, 8.2), sharex=True, squeeze=False)
    groups = _groups(summary, ("shutdown_h_mean", "shut_down_share", "complaints_mean"))
    style = _styles([g for g, _ in groups])
    top = np.nanmax(summary["shutdown_h_mean"].to_numpy(float)) if summary["shutdown_h_mean"].notna().any() else 1.0
    ceiling = 1.15 * top
    for j, kind in enumerate(kinds):
        ax, low = axes[0][j], axes[1][j]
        part = summary[summary["number_kind"] == kind]
        for i, (name, label) in enumerate(groups):
            s = part[part["strategy"] == name].sort_values("adoption")
            x = 100 * s["adoption"].to_numpy(float)
            P.band(ax, x, s["shutdown_h_mean"], s["shutdown_h_ci95"], label=label, **style[name])
            never = s["shut_down_share"].to_numpy(float) == 0
            ax.scatter(x[never], np.full(never.sum(), ceiling * (1 + 0.035 * i)), marker="x", s=28,
                       color=style[name]["color"])
            P.band(low, x, s["complaints_mean"], s["complaints_ci95"], **style[name])
        ax.axhline(ceiling, color="0.5", lw=0.8, ls=":")
        ax.text(1, ceiling * (1 + 0.035 * len(groups)), " x: not shut down in any replication", va="bottom",
                fontsize=8, color="0.3")
        ax.set_ylim(0, ceiling * (1.1 + 0.035 * len(groups)))
        ax.set_title(f"time to shutdown: {KIND_TITLES[kind]}")
        low.axhline(threshold, color="tab:red", lw=1.0, ls=":", label=f"shutdown threshold ({threshold})")
        low.set_ylim(bottom=0)
        low.set_title(f"complaints to the regulator: {KIND_TITLES[kind]}")
        low.set_xlabel("share of the range using the strategy (the rest answer all), %")
        P.percent_axis(low, "x", start_zero=False)
    for j in range(len(kinds)):
        axes[0][j].set_ylabel(f"hours from the first ping to the shutdown\n(after {threshold} complaints)")
        axes[1][j].set_ylabel("complaints per campaign")
    P.legend_outside(axes[0][-1], title="strategy adopted\n(a = b: identical curves)")
    P.legend_outside(axes[1][-1])
    fig.suptitle("When the regulator shuts the presented number down (mean over the replications that reached "
                 "the threshold, 95 % band)")
    fig.tight_layout()
    save(fig, path)
