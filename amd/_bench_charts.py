"""The benchmark's charts: confusion matrices, latency CDFs, operating curves and the cost trade-off.

Conventions
-----------
Files are written atomically with the Agg backend; rates plotted in percent, times in seconds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from amd.metrics import confusion_matrix
from atomicdir import atomic_write


def _save(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)


def write_charts(
    out: Path, res: pd.DataFrame, table: pd.DataFrame, curves: pd.DataFrame, costs_mix: pd.DataFrame
) -> None:
    """``confusion.png``, ``latency_cdf.png``, ``costs.png`` and (with sweeps) ``operating_curves.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from amd.plots import plot_confusion, plot_cost_tradeoff, plot_latency_cdf, plot_operating_curve

    names = list(table["detector"])
    fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        g = res[res["detector"] == name]
        plot_confusion(ax, confusion_matrix(g["truth"].to_numpy(), g["label"].to_numpy()), title=name)
    fig.suptitle("Confusion matrices on the test split (clips)")
    _save(fig, out / "confusion.png")
    humans = res[res["truth"] == "human"].groupby("detector", sort=False)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    from_speech = {n: (g["decided_at_s"] - g["speech_start_s"]).dropna().to_numpy() for n, g in humans}
    plot_latency_cdf(axes[0], from_speech, xlabel="human decision latency from speech start, s",
                     title="From the first word (the Ofcom clock)", window_s=2.0)
    plot_latency_cdf(axes[1], {n: g["decided_at_s"].to_numpy() for n, g in humans},
                     xlabel="human decision time from answer, s", title="From answer (no regulator's clock)")
    fig.suptitle("When each detector decides on a live person (test split)")
    _save(fig, out / "latency_cdf.png")
    parts = [p for p in ("seen", "heldout") if (costs_mix["part"] == p).any()]
    fig, axes = plt.subplots(1, len(parts), figsize=(6.2 * len(parts) + 3.0, 4.8), squeeze=False)
    for ax, part in zip(axes[0], parts, strict=True):
        plot_cost_tradeoff(ax, costs_mix[costs_mix["part"] == part], part=part, legend=ax is axes[0][-1])
    fig.suptitle("AMD cost trade-off under the campaign answer mix (test split)")
    _save(fig, out / "costs.png")
    if curves.empty:
        return
    groups = dict(list(curves.groupby("detector", sort=False)))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    miss = {n: (g["human_fp_rate"], g["machine_miss_rate"]) for n, g in groups.items()}
    plot_operating_curve(axes[0], miss, x="miss", with_audiocodes=True)
    latency = {n: (g["human_fp_rate"], g["human_latency_from_speech_median_s"]) for n, g in groups.items()}
    plot_operating_curve(axes[1], latency, x="latency", with_audiocodes=False)
    fig.suptitle("Operating curves of each detector's parameter sweep (test split)")
    _save(fig, out / "operating_curves.png")
