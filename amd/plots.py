"""Benchmark charts: confusion matrices, latency CDFs and operating curves.

Every helper draws on a given ``ax`` and returns it; none calls ``plt.show()`` (STYLE H18).
Use the Agg backend for files (``matplotlib.use("Agg")``, done by ``amd.benchmark``).

Conventions
-----------
Rates in [0, 1] plotted as percentages; latencies in seconds.
"""

from __future__ import annotations

import numpy as np

__all__ = ["AUDIOCODES_CURVE", "plot_confusion", "plot_latency_cdf", "plot_operating_curve"]

#: AudioCodes Mediant 2000 AMD operating curve, sensitivity 0 -> 15, as (success on live calls,
#: success on machines) in percent (User's Manual v6.6 p.173; reference notes section 4).
AUDIOCODES_CURVE = (
    (72, 97),
    (77, 96),
    (79, 95),
    (80, 95),
    (84, 94),
    (86, 93),
    (87, 92),
    (88, 91),
    (90, 89),
    (90, 88),
    (91, 87),
    (94, 78),
    (94, 73),
    (95, 65),
    (96, 62),
    (97, 46),
)


def plot_confusion(ax, matrix: np.ndarray, *, title: str):
    """Confusion matrix (rows truth human/machine, columns human/machine/notsure) as counts."""
    matrix = np.asarray(matrix)
    ax.imshow(matrix, cmap="Blues", vmin=0)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            colour = "white" if matrix[i, j] > 0.6 * max(matrix.max(), 1) else "black"
            ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", color=colour)
    ax.set_xticks(range(3), ["human", "machine", "notsure"])
    ax.set_yticks(range(2), ["human", "machine"])
    ax.set_xlabel("detector label")
    ax.set_ylabel("truth")
    ax.set_title(title)
    return ax


def plot_latency_cdf(ax, latencies_s: dict[str, np.ndarray], *, xlabel: str, title: str = "",
                     window_s: float | None = None):
    """Empirical CDFs of human decision latency per detector.

    ``window_s`` marks the Ofcom window; pass it only for latencies measured from speech start (the
    rule's clock), never for times measured from answer. From speech start, a negative latency is a
    decision taken before the person's first word (on the silence after answer).
    """
    for name, lat in latencies_s.items():
        lat = np.sort(np.asarray(lat, dtype=float))
        if lat.size:
            ax.step(lat, np.arange(1, lat.size + 1) / lat.size, where="post", label=f"{name} (n={lat.size})")
    if window_s is not None:
        ax.axvline(0.0, color="black", linewidth=0.8, label="first word (left of it: decided on silence)")
        ax.axvline(window_s, color="tab:red", linestyle="--", linewidth=1,
                   label=f"{window_s:g} s Ofcom window from speech start")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of human calls decided")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    return ax


def plot_operating_curve(
    ax, curves: dict[str, tuple[np.ndarray, np.ndarray]], *, x: str, with_audiocodes: bool
):
    """Human false-positive rate against machine miss rate (or latency), one line per detector.

    Parameters
    ----------
    curves : dict
        Detector name -> (human FP rates, y values), each in sweep order.
    x : {'miss', 'latency'}
        What the y values are: machine miss rates or median human latencies in seconds.
    with_audiocodes : bool
        Draw the AudioCodes published curve (only meaningful with ``x='miss'``).
    """
    for name, (fp, y) in curves.items():
        y = np.asarray(y, dtype=float) * (100.0 if x == "miss" else 1.0)
        ax.plot(np.asarray(fp) * 100.0, y, marker="o", label=name)
    if with_audiocodes:
        live, mach = np.array(AUDIOCODES_CURVE, dtype=float).T
        ax.plot(
            100 - live, 100 - mach, marker="s", linestyle="--", color="black", label="AudioCodes (published)"
        )
    ax.set_xlabel("human false-positive rate, % of live people")
    ax.set_ylabel("machine miss rate, % of machines" if x == "miss" else "median human latency from speech start, s")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return ax
