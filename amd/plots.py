"""Benchmark charts: confusion matrices, latency CDFs and operating curves.

Every helper draws on a given ``ax`` and returns it; none calls ``plt.show()``.
Use the Agg backend for files (``matplotlib.use("Agg")``, done by ``amd.benchmark``).

Conventions
-----------
Rates in [0, 1] plotted as percentages; latencies in seconds.
"""

from __future__ import annotations

import numpy as np

__all__ = ["AUDIOCODES_CURVE", "plot_confusion", "plot_cost_tradeoff", "plot_latency_cdf", "plot_operating_curve"]

#: AudioCodes Mediant 2000 AMD operating curve, sensitivity 0 -> 15, as (success on live calls,
#: success on machines) in percent (User's Manual v6.6 p.173; ``docs/sources.md`` §5.9).
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


_POLICY_MARKERS = {"hangup": ("o", "hang up on machine"), "connect_at_deadline": ("^", "connect at deadline")}


def plot_cost_tradeoff(ax, costs, *, part: str, legend: bool, machine_handling_mean_s: float = 8.0):
    """AMD-caused abandonment against agent-seconds per machine answer, per detector and policy.

    Parameters
    ----------
    costs : pandas.DataFrame
        Rows of ``costs_answer_mix.csv`` for one part (columns ``detector, policy,
        amd_abandonment, agent_s_per_machine`` and their ``_ci95_*`` bounds).
    part : str
        Named in the title (``seen`` or ``heldout`` languages).
    legend : bool
        Draw the legend to the right of the axes, off the data.
    machine_handling_mean_s : float [s]
        Agent time of a machine passed to an agent, to place AudioCodes' published operating
        points (hang-up policy, every decision taken in time, so a missed machine costs this).
    """
    colours = {}
    for row in costs.itertuples():
        colour = colours.setdefault(row.detector, f"C{len(colours) % 10}")
        marker, _ = _POLICY_MARKERS[row.policy]
        x, y = row.agent_s_per_machine, 100.0 * row.amd_abandonment
        xerr = [[x - row.agent_s_per_machine_ci95_low], [row.agent_s_per_machine_ci95_high - x]]
        yerr = [[y - 100.0 * row.amd_abandonment_ci95_low], [100.0 * row.amd_abandonment_ci95_high - y]]
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt=marker, color=colour, markersize=8, capsize=2, alpha=0.9)
    live, mach = np.array(AUDIOCODES_CURVE, dtype=float).T
    ax.plot((100 - mach) / 100.0 * machine_handling_mean_s, 100 - live, "s--", color="black", markersize=4)
    ax.axhspan(0, 0.5, color="green", alpha=0.12)
    ax.axvline(1.5, color="green", linestyle=":", linewidth=1)
    ax.set_xlabel("agent time per machine answer (s, expected)")
    ax.set_ylabel("AMD-caused abandonment (% of live answers,\nOfcom: 2 s from speech start)")
    ax.set_title(f"{'held-out' if part == 'heldout' else 'seen'} languages")
    ax.set_xlim(left=-0.2)
    ax.set_yscale("symlog", linthresh=1.0, linscale=1.0)
    ax.set_ylim(-0.05, 110.0)
    ticks = [0, 0.5, 1, 3, 10, 30, 100]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.grid(alpha=0.3)
    if legend:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=c, marker="o", linestyle="", label=n) for n, c in colours.items()]
        handles += [
            Line2D([], [], color="grey", marker=m, linestyle="", label=label) for m, label in _POLICY_MARKERS.values()
        ]
        handles += [
            Line2D([], [], color="black", marker="s", linestyle="--", label="AudioCodes published\n(hang-up, in time)"),
            Line2D([], [], color="green", alpha=0.4, linewidth=6, label="abandonment target <= 0.5 %"),
            Line2D([], [], color="green", linestyle=":", label="agent-time target 1.5 s"),
        ]
        ax.legend(handles=handles, fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return ax
