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
[--workers N] [--replications N] [--force]``. An ``--out`` holding earlier results is refused
without ``--force``; results do not depend on ``--workers``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import dialer_sim as ds
from dialer_sim._io import atomic_write, atomic_write_json, atomic_write_text
from dialer_sim.queueing import open_loop_frontier
from dialer_sim.stats import mean_ci

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _abandonment as A  # noqa: E402
import plotting as P  # noqa: E402
from _common import ExperimentError, cli, replication_seeds, run_jobs  # noqa: E402

CONFIG = Path(__file__).resolve().parent / "configs" / "predictive_campaign.toml"
POLICIES = {
    "progressive": {"pacing.policy": "progressive"},
    "ratio 1.3": {"pacing.policy": "ratio", "pacing.lines_per_agent": 1.3},
    "vicidial hard_limit": {"pacing.policy": "vicidial_adapt", "pacing.mode": "hard_limit",
                            "pacing.initial_dial_level": 1.5},
    "vicidial tapered": {"pacing.policy": "vicidial_adapt", "pacing.mode": "tapered",
                         "pacing.initial_dial_level": 1.5},
    "strict_max": {"pacing.policy": "strict_max"},
    "cisco_gain": {"pacing.policy": "cisco_gain"},
    "erlang_predictive 2%": {"pacing.policy": "erlang_predictive", "pacing.target_abandon_pct": 2.0},
}
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


def _one_run(cfg: ds.DialerConfig, child: np.random.SeedSequence, name: str, rep: int) -> tuple[dict, pd.DataFrame]:
    """One (policy, replication): its summary row and its hour-by-hour table."""
    result = ds.run(cfg, child)
    h = hourly(result.records, cfg.agents.n_agents)
    h["policy"], h["replication"] = name, rep
    return {"policy": name, "replication": rep, **result.summary}, h


def run_policies(config: ds.DialerConfig, *, replications: int, seed: int,
                 workers: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every policy on the same call streams (one spawned seed per replication, shared by the policies).

    Jobs are seeded up front and collected in job order, so the tables do not depend on ``workers``.
    """
    children = replication_seeds(seed, replications)
    jobs = [(ds.apply_overrides(config, overrides), child, name, rep)
            for name, overrides in POLICIES.items() for rep, child in enumerate(children)]
    done = run_jobs(_one_run, jobs, workers=workers, desc="policies")
    return pd.DataFrame([row for row, _ in done]), pd.concat([h for _, h in done], ignore_index=True)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95 % half-width across replications for the headline metrics."""
    metrics = ["agent_utilisation", "abandon_rate_live", "abandon_or_amd_fp_rate_live", "contacts_per_agent_hour",
               "dials_per_contact", "dead_air_per_live_answer_s", "n_dials", *A.METRICS]
    out = []
    for policy, g in table.groupby("policy", sort=False):
        row = {"policy": policy}
        for m in metrics:
            vals = g[m].to_numpy(dtype=float)
            mean, half = mean_ci(vals) if len(vals) > 1 else (float(vals[0]), float("nan"))
            row[m], row[f"{m}_ci95"] = mean, half
        row.update(zip(A.LABELS, A.rule(g), strict=True))
        out.append(row)
    return pd.DataFrame(out)


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


def save_fig(fig, path: Path) -> None:
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, dpi=120, format="png"))
    plt.close(fig)


def save_csv(df: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda p: df.to_csv(p, index=False))


def main(config: ds.DialerConfig, out_dir: Path, *, replications: int = 3, seed: int = SEED,
         workers: int = 1) -> pd.DataFrame:
    """Run the experiment and write its tables, charts, config.json and REPORT.md into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table, hours = run_policies(config, replications=replications, seed=seed, workers=workers)
    summary = summarise(table)
    save_csv(table, out_dir / "policies.csv")
    save_csv(summary, out_dir / "policies_summary.csv")
    save_csv(hours, out_dir / "hourly.csv")
    fig, ax = P.figure(size=(10, 5))
    save_fig(plot_policies(ax, summary, config).figure, out_dir / "policies.png")
    fig, ax = P.figure(size=(12, 5.2))
    save_fig(plot_breakdown(ax, summary).figure, out_dir / "abandonment.png")
    fig, axes = P.figure(2, 1, size=(11, 7), sharex=True)
    plot_day(axes, hours)
    save_fig(fig, out_dir / "day.png")
    fig, ax = P.figure(size=(12, 5))
    save_fig(plot_dispositions(ax, table).figure, out_dir / "dispositions.png")
    atomic_write_json(out_dir / "config.json", {"experiment": "predictive_day", "seed": seed,
                                                "replications": replications, "policies": POLICIES,
                                                "config": ds.config_to_dict(config)})
    atomic_write_text(out_dir / "headline.md", "\n".join(headline(summary, replications)) + "\n")
    atomic_write_text(out_dir / "REPORT.md", report(summary, config, replications, seed))
    return summary


def report(summary: pd.DataFrame, config: ds.DialerConfig, replications: int, seed: int) -> str:
    lines = [
        f"# A predictive-dialer day under {len(summary)} pacing policies", "",
        f"{config.agents.n_agents} agents, one {config.campaign.shift_length_s / 3600:g} h shift, AMD "
        f"{config.amd.mode} ({ds.summary.AMD_SOURCES[config.amd.mode]}), {config.abandon.window_s:g} s window from "
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


def _run(args: argparse.Namespace, config: ds.DialerConfig) -> None:
    if args.smoke:
        config, args.replications = smoke_config(config), 2
    elif args.demo:  # `make demo`: the same team on a 4 h shift
        config = ds.apply_overrides(config, {"campaign.shift_length_s": 14400.0})
    main(config, args.out, replications=args.replications, seed=args.seed, workers=args.workers)


def _extra(p: argparse.ArgumentParser) -> None:
    p.add_argument("--replications", type=int, default=3, help="replications per policy (default 3; 2 with --smoke)")
    p.add_argument("--demo", action="store_true", help="the shorter shift `make demo` runs (4 h)")


def _check(args: argparse.Namespace) -> None:
    if args.replications < 2:
        raise ExperimentError(f"--replications must be an integer >= 2 (for 95 % intervals); got {args.replications}.")


def cli_main(argv=None) -> int:
    """The command line (the shared one of every experiment); returns the exit status."""
    return cli("predictive_day", __doc__, CONFIG, SEED, _run, argv=argv, extra_args=_extra, check=_check)


if __name__ == "__main__":
    sys.exit(cli_main())
