"""Agent utilisation against abandoned calls for every pacing policy and team size.

Question: on the predictive campaign (one 8-hour shift, AMD on, a 2 s window
from the first word), how much agent utilisation does each pacing policy of
``experiments.policies.POLICIES`` buy with abandoned calls, for teams of 10, 20, 50
and 100 agents, and does the closed-loop dialer beat the open-loop bound?

The bound (docs/sources.md §4.12): an open-loop system that offers Poisson
live answers to ``n`` agents with exponential handle times. Erlang B drops every
answer that finds all agents busy; M/M/n+D drops one that waits longer than
τ = 2 s. :func:`dialer_sim.queueing.open_loop_frontier` gives the utilisation
each reaches at a given abandoned share; the handle time is the configuration's
mean talk plus wrap-up. A dialer that watches its agents (closed loop) should
do better: it can place calls when it sees an agent about to free up. A policy
*beats* the bound when its utilisation minus its 95 % half-width lies above the
higher of the two bounds at its own mean abandoned share, and *falls short*
when its utilisation plus the half-width lies below the lower of them.

Figure ``pacing.png``: one panel per team size, utilisation against the
abandoned share of live answers, the two open-loop curves, and one point per
policy with 95 % intervals across replications.

Tables: ``pacing.csv`` (one row per policy, team and replication),
``pacing_summary.csv`` (means, 95 % half-widths, the bounds at each policy's
abandoned share and the verdict).

Run: ``python experiments/pacing_vs_abandonment.py --out results/pacing_vs_abandonment
[--smoke] [--workers 2 | --scheduler ADDRESS]`` (docs/experiments.md; killed, the same command resumes).

Conventions
-----------
Rates and utilisations are proportions in the tables, percent in charts and the
report. ``n_numbers`` scales with the team (the base configuration's numbers per
agent). Replication ``i`` uses child ``i`` of ``SeedSequence(seed)`` for every
policy and team (common random numbers, :mod:`experiments.kit`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import dialer_sim as ds
from dialer_sim.queueing import open_loop_frontier
from experiments import _abandonment as A
from experiments import kit as C
from experiments import plotting as P
from experiments.policies import POLICIES

CONFIG = C.CONFIGS / "predictive_campaign.toml"
SEED = 20261122
TEAMS = (10, 20, 50, 100)
REPLICATIONS = 5
SMOKE_TEAMS = (3, 5)
SMOKE_REPLICATIONS = 2
SMOKE_TABLE = "pacing.csv"
METRICS = ["agent_utilisation", "abandon_rate_live", "abandon_rate_window_live", "contacts_per_agent_hour",
           *A.METRICS]
#: M/M/n+D patience τ of the open-loop bound, s (docs/sources.md §4.12).
TAU_S = 2.0
BOUND_MODELS = {"erlang_b": "Erlang B", "mmn_d": f"M/M/n+D, τ = {TAU_S:g} s"}


def team_overrides(config: ds.DialerConfig, n_agents: int) -> dict:
    """Dotted overrides for ``n_agents`` agents and the same numbers per agent as ``config``."""
    per_agent = config.campaign.n_numbers / config.agents.n_agents
    return {"agents.n_agents": int(n_agents), "campaign.n_numbers": max(1, int(round(per_agent * n_agents)))}


def team_config(config: ds.DialerConfig, n_agents: int) -> ds.DialerConfig:
    """``config`` with ``n_agents`` agents and the same numbers per agent."""
    return ds.apply_overrides(config, team_overrides(config, n_agents))


def handle_time_s(config: ds.DialerConfig) -> float:
    """Mean talk plus mean wrap-up, s: the handle time of the open-loop bound."""
    return config.agents.talk_time_s.mean_s + config.agents.wrap_up_s.mean_s


def run_point(config: ds.DialerConfig, seed: np.random.SeedSequence, params: dict) -> dict:
    """One replication of one policy and team: the headline metrics."""
    s = ds.run(config, seed, keep_records=False).summary
    return {**{m: s[m] for m in METRICS}, **A.from_summary(s)}


def run_grid(config: ds.DialerConfig, *, teams, replications: int, seed: int,
             runner: C.Runner | None = None) -> pd.DataFrame:
    """Every policy x team x replication, on common random numbers: one row per run."""
    points = [C.Point({"policy": name, "n_agents": int(n)}, {**team_overrides(config, n), **overrides})
              for n in teams for name, overrides in POLICIES.items()]
    res = (runner or C.Runner()).run("pacing_vs_abandonment", config, points, run_point, replications=replications,
                                   seed=seed)
    return res.summaries()


def bound_at(n_agents: int, handle_s: float, p_abandon: float, model: str, window_s: float = TAU_S) -> float:
    """Open-loop utilisation at abandoned share ``p_abandon`` (0 at no abandonment: no load)."""
    if not p_abandon > 0:
        return 0.0
    p = min(float(p_abandon), 0.95)
    return float(open_loop_frontier(n_agents, handle_s, [p], model=model, window_s=window_s).utilisation[0])


def add_bounds(summary: pd.DataFrame, handle_s: float) -> pd.DataFrame:
    """The two open-loop bounds at each policy's mean abandoned share, and the verdict."""
    out = summary.copy()
    for model in BOUND_MODELS:
        out[f"bound_{model}"] = [bound_at(int(r.n_agents), handle_s, r.abandon_rate_live, model)
                                 for r in out.itertuples()]
    half = np.nan_to_num(out["agent_utilisation_ci95"].to_numpy(dtype=float))
    util = out["agent_utilisation"].to_numpy(dtype=float)
    hi = out[[f"bound_{m}" for m in BOUND_MODELS]].max(axis=1).to_numpy()
    lo = out[[f"bound_{m}" for m in BOUND_MODELS]].min(axis=1).to_numpy()
    out["verdict"] = np.where(util - half > hi, "beats", np.where(util + half < lo, "falls short", "on the bound"))
    return out


def plot_team(ax, summary: pd.DataFrame, n_agents: int, handle_s: float):
    """Utilisation against abandoned share for one team, with the two open-loop curves."""
    grid = np.geomspace(0.001, 0.6, 60)
    # The two bounds lie within a point or two of each other: distinct colours keep both visible.
    for (model, label), (style, colour) in zip(BOUND_MODELS.items(), (("--", "black"), ("-", "0.6")), strict=True):
        front = open_loop_frontier(n_agents, handle_s, grid, model=model, window_s=TAU_S)
        ax.plot(100 * front.p_abandon, 100 * front.utilisation, ls=style, color=colour, lw=1.4,
                label=f"open loop, {label}")
    colours = plt.get_cmap("tab10")
    for i, policy in enumerate(POLICIES):
        r = summary[(summary["n_agents"] == n_agents) & (summary["policy"] == policy)]
        if r.empty:
            continue
        r = r.iloc[0]
        ax.errorbar(100 * r["abandon_rate_live"], 100 * r["agent_utilisation"],
                    xerr=100 * np.nan_to_num(r["abandon_rate_live_ci95"]),
                    yerr=100 * np.nan_to_num(r["agent_utilisation_ci95"]), fmt="o", ms=6, capsize=3,
                    color=colours(i), label=policy)
    ax.axvline(3.0, color="tab:red", lw=0.8, ls=":", label="3 % drop target")
    team = summary[summary["n_agents"] == n_agents]
    right = 100 * float((team["abandon_rate_live"] + team["abandon_rate_live_ci95"].fillna(0)).max())
    ax.set_xlim(0, max(6.0, 1.1 * right))  # a linear axis: every policy at its true distance from 0 %
    # The bound starts low for small teams and high for large ones: zoom on what the panel holds.
    shown = team["agent_utilisation"].tolist() + [front.utilisation.min()]
    ax.set_ylim(max(0.0, 100 * min(shown) - 5), 101)
    ax.set_title(f"{n_agents} agents")
    ax.set_xlabel("dialer's own drop rate, % of live answers")
    ax.set_ylabel("agent utilisation, % of logged-in time")
    return ax


def plot_pacing(summary: pd.DataFrame, teams, handle_s: float):
    """One panel per team size; the legend gets a row of its own below the panels."""
    nrows = (len(teams) + 1) // 2
    fig = P.figure(size=(11, 4.3 * nrows + 1.2))[0]
    fig.clear()
    grid = fig.add_gridspec(nrows + 1, 2, height_ratios=[4.3] * nrows + [1.0])
    axes = [fig.add_subplot(grid[i // 2, i % 2]) for i in range(len(teams))]
    for ax, n in zip(axes, teams, strict=True):
        plot_team(ax, summary, n, handle_s)
    legend_ax = fig.add_subplot(grid[nrows, :])
    legend_ax.axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    legend_ax.legend(handles, labels, loc="center", ncol=3, frameon=False)
    fig.suptitle("Pacing policies against the open-loop bound (mean and 95 % interval across replications)")
    return fig


def report(summary: pd.DataFrame, config: ds.DialerConfig, *, teams, replications: int, seed: int,
           handle_s: float) -> str:
    """REPORT.md fragment: per team, each policy's numbers, the bounds and the verdict."""
    lines = [
        "## Pacing: utilisation against abandoned calls, by team size", "",
        f"Predictive campaign, one {config.campaign.shift_length_s / 3600:g} h shift, AMD {config.amd.mode}, "
        f"{config.abandon.window_s:g} s window from {config.abandon.clock_start}; teams {', '.join(map(str, teams))} "
        f"agents ({config.campaign.n_numbers / config.agents.n_agents:g} numbers per agent); {replications} "
        f"replications, seed {seed} (common random numbers). Open-loop bounds (`docs/sources.md` §4.12) with "
        f"handle time {handle_s:.0f} s (mean talk + wrap-up), evaluated at each policy's own drop rate.", "",
        "![utilisation against abandoned calls per team](pacing.png)", "",
        f"Two abandonment figures: the dialer's own drop rate (what it paces on) and the "
        f"{P.regime_name(*A.rule(summary))} with its parts (dialer drops + AMD false positives + late connects + "
        "callee hang-ups); both in % of live answers, ± a 95 % t half-width.", "",
        "| agents | policy | utilisation | dialer's own drop rate, % | regulator's rate, % | = drops | + AMD FP "
        "| + late | + hang-ups | contacts / agent-hour "
        "| Erlang B bound | M/M/n+D bound | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in summary.iterrows():
        lines.append(
            f"| {r['n_agents']} | {r['policy']} | {r['agent_utilisation']:.1%} ± "
            f"{np.nan_to_num(r['agent_utilisation_ci95']):.1%} | {100 * r['abandon_rate_live']:.2f} ± "
            f"{100 * np.nan_to_num(r['abandon_rate_live_ci95']):.2f} | {A.format_rate(r, 'regime_rate')} | "
            + " | ".join(f"{100 * r[k]:.1f}" for k in A.PART_KEYS) + " | "
            f"{r['contacts_per_agent_hour']:.2f} | {r['bound_erlang_b']:.1%} | {r['bound_mmn_d']:.1%} | "
            f"{r['verdict']} |")
    lines.append("")
    for n in teams:
        g = summary[summary["n_agents"] == n]
        beat = ", ".join(g.loc[g["verdict"] == "beats", "policy"]) or "none"
        short = ", ".join(g.loc[g["verdict"] == "falls short", "policy"]) or "none"
        lines.append(f"- {n} agents: beat the open-loop bound: {beat}; fall short: {short}.")
    lines += ["", "A policy at 0 % abandoned beats the bound trivially: an open-loop system reaches no abandonment "
              "only with no load. The bound counts abandoned offered calls; the simulation counts abandoned live "
              "answers, which is the same share when every live answer is offered to an agent.", ""]
    return "\n".join(lines)


def main(config: ds.DialerConfig, out_dir: Path, *, teams=TEAMS, replications: int = REPLICATIONS,
         seed: int = SEED, runner: C.Runner | None = None) -> pd.DataFrame:
    """Run every policy on every team; write pacing.csv, the summary, pacing.png, config.json and REPORT.md."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    teams = tuple(int(n) for n in teams)
    table = run_grid(config, teams=teams, replications=replications, seed=seed, runner=runner)
    handle_s = handle_time_s(config)
    summary = add_bounds(C.summarise(table, ["n_agents", "policy"], METRICS), handle_s)
    summary["abandonment_regime"], summary["abandonment_clock"] = A.rule(table)
    C.save_csv(table, out_dir / "pacing.csv")
    C.save_csv(summary, out_dir / "pacing_summary.csv")
    C.save_fig(plot_pacing(summary, teams, handle_s), out_dir / "pacing.png")
    C.write_config(out_dir, "pacing_vs_abandonment", seed=seed, config=config, teams=list(teams),
                 replications=replications, policies=POLICIES, handle_time_s=handle_s, tau_s=TAU_S)
    C.write_text(out_dir / "REPORT.md", report(summary, config, teams=teams, replications=replications, seed=seed,
                                            handle_s=handle_s))
    return summary


def smoke_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The --smoke variant: a 1 h shift (teams of 3 and 5 agents are set by ``main``)."""
    return ds.apply_overrides(config, {"campaign.shift_length_s": 3600.0})


def demo_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The `make demo` variant: a 4 h shift (the full run: 8 h)."""
    return ds.apply_overrides(config, {"campaign.shift_length_s": 14400.0})


#: `make demo`: three teams on a 4 h shift, 3 replications (the full run: 4 teams, 8 h, 5 replications).
DEMO = {"teams": (10, 20, 50), "replications": 3}
RUNS = C.Sizes(main, smoke=C.Size(smoke_config, {"teams": SMOKE_TEAMS, "replications": SMOKE_REPLICATIONS}),
             demo=C.Size(demo_config, DEMO), demo_help="the smaller grid `make demo` runs")


def run_smoke(out_dir: Path, runner: C.Runner | None = None, *, seed: int = SEED,
              config: ds.DialerConfig | None = None):
    """The --smoke run CI compares with tests/data/pacing_vs_abandonment_smoke.csv."""
    return RUNS.run("smoke", ds.load_config(CONFIG) if config is None else config, out_dir, seed=seed,
                    runner=runner)


def cli_main(argv=None) -> int:
    """The command line (:func:`experiments.kit.cli`); returns the exit status."""
    return C.cli("pacing_vs_abandonment", __doc__, CONFIG, SEED, RUNS, argv=argv)


if __name__ == "__main__":
    # Run the package's copy of this module, so that workers import run_point by its name.
    from experiments.pacing_vs_abandonment import cli_main as _cli_main

    sys.exit(_cli_main())
