"""A predictive-dialer day under every pacing policy: utilisation against silent calls.

Question: on one realistic 8-hour shift (50 agents, AMD on, a 2 s UK window),
how do the seven pacing configurations trade agent utilisation against abandoned
(silent) calls, and how close do they get to the open-loop queueing bound?

Figures:
- ``policies.png``: agent utilisation against the dialer's own drop rate (per
  live answer), one point per policy with 95 % intervals across replications,
  and the open-loop M/M/n+D frontier (docs/sources.md §4.12) for the same team.
- ``abandonment.png``: the Ofcom 2010 rule's rate per policy in its four parts
  (dialer drops, AMD false positives, late connects, callee hang-ups), with the
  dialer's own drop rate; ``headline.md`` is the same as a table.
- ``day.png``: the dialer's drops and contacts per agent-hour, hour by hour.
- ``dispositions.png``: where the dial attempts ended, per policy.

Tables: ``policies.csv`` (one row per policy and replication),
``policies_summary.csv`` (means and 95 % half-widths), ``hourly.csv``.

Run: ``python experiments/predictive_day.py --out results/predictive_day [--smoke] [--seed N]
[--workers N | --scheduler ADDRESS] [--replications N] [--force]`` (docs/experiments.md). An
``--out`` holding earlier results is refused without ``--force``; results do not depend on
``--workers``; killed, the same command resumes.
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
SEED = 20261121


def hourly(records: pd.DataFrame, n_agents: int) -> pd.DataFrame:
    """Abandoned share of live answers and contacts per agent-hour, per clock hour."""
    live = records["answer_kind"].isin(ds.records.HUMAN_KINDS)
    hour = (records["dial_at_s"] // 3600).astype(int) % 24
    g = pd.DataFrame({"hour": hour, "live": live, "abandoned": records["disposition"] == "abandoned",
                      "contact": records["disposition"] == "human_to_agent"}).groupby("hour").sum()
    g["abandon_rate_live"] = g["abandoned"] / g["live"].where(g["live"] > 0)
    g["contacts_per_agent_hour"] = g["contact"] / n_agents
    return g.reset_index()


def run_policy(config: ds.DialerConfig, seed: np.random.SeedSequence, params: dict) -> dict:
    """One (policy, replication): the run's summary and its hour-by-hour table."""
    result = ds.run(config, seed)
    return {**result.summary, "hourly": hourly(result.records, config.agents.n_agents)}


def run_policies(config: ds.DialerConfig, *, replications: int, seed: int,
                 runner: C.Runner | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every policy on the same call streams (common random numbers): one row per run, and the hourly table."""
    points = [C.Point({"policy": name}, overrides) for name, overrides in POLICIES.items()]
    res = (runner or C.Runner()).run("predictive_day", config, points, run_policy, replications=replications,
                                   seed=seed)
    return res.summaries(), res.table("hourly", keys="last")


#: The metrics averaged across replications.
METRICS = ["agent_utilisation", "abandon_rate_live", "abandon_or_amd_fp_rate_live", "contacts_per_agent_hour",
           "dials_per_contact", "dead_air_per_live_answer_s", "n_dials", *A.METRICS]


def summarise_policies(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95 % half-width across replications for the headline metrics, and each policy's rule."""
    out = C.summarise(table, ["policy"], METRICS).drop(columns="n_replications")
    first = table.drop_duplicates("policy").set_index("policy")
    for label in A.LABELS:
        out[label] = out["policy"].map(first[label])
    return out


def plot_policies(ax, summary: pd.DataFrame, config: ds.DialerConfig):
    """Utilisation against the dialer's own drop rate, with the open-loop frontier."""
    handle_s = config.agents.talk_time_s.mean_s + config.agents.wrap_up_s.mean_s
    top = max(5.0, 100 * float((summary["dialer_drop_rate"] + summary["dialer_drop_rate_ci95"].fillna(0)).max()) * 1.1)
    grid = np.linspace(0.002, min(top / 100, 0.9), 40)  # the bound is defined for a share below 1
    front = open_loop_frontier(config.agents.n_agents, handle_s, grid, model="mmn_d", window_s=config.abandon.window_s)
    ax.plot(100 * front.p_abandon, 100 * front.utilisation, "k--", lw=1,
            label=f"open-loop bound M/M/{config.agents.n_agents}+D({config.abandon.window_s:g} s)")
    colours = plt.get_cmap("tab10")
    for i, (_, r) in enumerate(summary.iterrows()):
        ax.errorbar(100 * r["dialer_drop_rate"], 100 * r["agent_utilisation"],
                    xerr=100 * np.nan_to_num(r["dialer_drop_rate_ci95"]),
                    yerr=100 * np.nan_to_num(r["agent_utilisation_ci95"]), fmt="o", capsize=3, color=colours(i),
                    label=r["policy"])
    ax.axvline(3.0, color="tab:red", lw=0.8, ls=":", label="3 % drop target")
    ax.set_xlim(0, top)
    ax.set_xlabel("dialer's own drop rate, % of live answers (no regulator's clock)")
    ax.set_ylabel("agent utilisation, % of logged-in time")
    ax.set_title(f"Pacing policies, {config.agents.n_agents} agents, one {config.campaign.shift_length_s / 3600:g} h "
                 "shift (mean, 95 % interval)")
    P.legend_outside(ax)
    return ax


def plot_breakdown(ax, summary: pd.DataFrame):
    """The regulator's rate per policy in its four parts, with the dialer's own drop rate."""
    regime, clock = A.rule(summary)
    P.stacked_breakdown(ax, list(summary["policy"]), A.breakdown_rows(summary), regime=regime, clock=clock,
                        limit_pct=3.0)
    ax.set_xlabel("pacing policy")
    ax.set_title("What the regulator counts as abandoned, per pacing policy (mean of replications)")
    P.legend_outside(ax)
    return ax


def plot_day(axes, hours: pd.DataFrame):
    """Hour-by-hour dialer drops and contacts per agent-hour (mean and 95 % band over replications)."""
    for policy, g in hours.groupby("policy", sort=False):
        by = g.groupby("hour")
        for ax, col, scale in ((axes[0], "abandon_rate_live", 100.0), (axes[1], "contacts_per_agent_hour", 1.0)):
            stats = by[col].agg(["mean", "std", "count"])
            half = 1.96 * stats["std"] / np.sqrt(stats["count"])
            P.band(ax, stats.index, scale * stats["mean"], scale * half, label=policy, marker=".")
    axes[0].axhline(3.0, color="tab:red", lw=0.8, ls=":", label="3 % drop target")
    axes[0].set_ylim(bottom=0)
    axes[1].set_ylim(bottom=0)
    axes[0].set_ylabel("dialer's own drops,\n% of live answers")
    axes[1].set_ylabel("live contacts per agent-hour")
    axes[1].set_xlabel("hour of day (dial time)")
    axes[0].set_title("Hour by hour: the dialer's own drops (mean and 95 % band)")
    axes[1].set_title("Hour by hour: live contacts per agent-hour")
    P.legend_outside(axes[0])
    return axes


def plot_dispositions(ax, table: pd.DataFrame):
    """Stacked shares of dial attempts by disposition, per policy."""
    cols = [f"n_{d}" for d in ds.records.DISPOSITIONS]
    mean = table.groupby("policy", sort=False)[cols].mean()
    share = mean.div(mean.sum(axis=1), axis=0) * 100
    share.columns = ["dropped by the dialer (no agent)" if c == "n_abandoned" else c[2:] for c in cols]
    share.plot.barh(stacked=True, ax=ax, colormap="tab20", width=0.8)
    ax.set_xlabel("% of dial attempts (mean of replications)")
    ax.set_ylabel("pacing policy")
    ax.set_xlim(0, 100)
    P.legend_outside(ax, title="how the attempt ended")
    ax.set_title("Where the dial attempts ended")
    return ax


def main(config: ds.DialerConfig, out_dir: Path, *, replications: int = 3, seed: int = SEED,
         runner: C.Runner | None = None) -> pd.DataFrame:
    """Run the experiment (on ``runner``, default one process) and write its tables, charts, config.json
    and REPORT.md into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table, hours = run_policies(config, replications=replications, seed=seed, runner=runner)
    summary = summarise_policies(table)
    C.save_csv(table, out_dir / "policies.csv")
    C.save_csv(summary, out_dir / "policies_summary.csv")
    C.save_csv(hours, out_dir / "hourly.csv")
    fig, ax = P.figure(size=(10, 5))
    C.save_fig(plot_policies(ax, summary, config).figure, out_dir / "policies.png", dpi=120)
    fig, ax = P.figure(size=(12, 5.2))
    C.save_fig(plot_breakdown(ax, summary).figure, out_dir / "abandonment.png", dpi=120)
    fig, axes = P.figure(2, 1, size=(11, 7), sharex=True)
    plot_day(axes, hours)
    C.save_fig(fig, out_dir / "day.png", dpi=120)
    fig, ax = P.figure(size=(12, 5))
    C.save_fig(plot_dispositions(ax, table).figure, out_dir / "dispositions.png", dpi=120)
    C.write_config(out_dir, "predictive_day", seed=seed, config=config, replications=replications, policies=POLICIES)
    C.write_text(out_dir / "headline.md", "\n".join(headline(summary, replications)) + "\n")
    C.write_text(out_dir / "REPORT.md", report(summary, config, replications, seed))
    return summary


def report(summary: pd.DataFrame, config: ds.DialerConfig, replications: int, seed: int) -> str:
    lines = [
        f"# A predictive-dialer day under {len(summary)} pacing policies", "",
        f"{config.agents.n_agents} agents, one {config.campaign.shift_length_s / 3600:g} h shift, AMD "
        f"{config.amd.mode} ({ds.records.AMD_SOURCES[config.amd.mode]}), {config.abandon.window_s:g} s window from "
        f"{config.abandon.clock_start}; **{replications} replications** per policy, seed {seed} (common random "
        "numbers across policies).", "",
        "![utilisation against the dialer's drops](policies.png)", "",
        "| policy | utilisation | contacts / agent-hour | dials / contact |", "|---|---|---|---|",
    ]
    for _, r in summary.iterrows():
        lines.append(f"| {r['policy']} | {r['agent_utilisation']:.1%} ± {np.nan_to_num(r['agent_utilisation_ci95']):.1%} "
                     f"| {r['contacts_per_agent_hour']:.2f} | {r['dials_per_contact']:.2f} |")
    lines += ["", "## Abandoned calls: the dialer's drops and the regulator's rule", "", *headline(summary, replications),
              "", "![abandonment in four parts](abandonment.png)", "", "![hour by hour](day.png)", "",
              "![dispositions](dispositions.png)", ""]
    return "\n".join(lines)


def headline(summary: pd.DataFrame, replications: int) -> list[str]:
    """The per-policy table of both rates (also written to ``headline.md`` for `make demo`'s report)."""
    return A.headline_table(summary, "policy", "pacing policy", n_replications=replications)


def smoke_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The --smoke variant: 10 agents, a 2 h shift (CI compares it with tests/data/)."""
    return ds.apply_overrides(config, {"agents.n_agents": 10, "campaign.shift_length_s": 7200.0,
                                       "campaign.n_numbers": 5000})


def demo_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The `make demo` variant: the same team on a 4 h shift."""
    return ds.apply_overrides(config, {"campaign.shift_length_s": 14400.0})


RUNS = C.Sizes(main, smoke=C.Size(smoke_config, {"replications": 2}), demo=C.Size(demo_config), replications=3,
             demo_help="the shorter shift `make demo` runs (4 h)",
             replications_help="replications per policy (default 3; 2 with --smoke)")


def cli_main(argv=None) -> int:
    """The command line (the shared one of every experiment); returns the exit status."""
    return C.cli("predictive_day", __doc__, CONFIG, SEED, RUNS, argv=argv)


if __name__ == "__main__":
    # Run the package's copy of this module, so that workers import run_policy by its name.
    from experiments.predictive_day import cli_main as _cli_main

    sys.exit(_cli_main())
