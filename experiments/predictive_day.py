"""A predictive-dialer day under every pacing policy: utilisation against silent calls.

Question: on one realistic 8-hour shift (50 agents, AMD on, a 2 s UK window),
how do the six pacing policies trade agent utilisation against abandoned
(silent) calls, and how close do they get to the open-loop queueing bound?

Figures:
- ``policies.png``: agent utilisation against the abandoned share of live
  answers, one point per policy with 95 % intervals across replications, and
  the open-loop M/M/n+D frontier (reference/dialer.md §2.6) for the same team.
- ``day.png``: abandoned share and contacts per agent-hour, hour by hour.
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
    for row, _ in done:
        print(f"  {row['policy']:22s} rep {row['replication']}: utilisation {row['agent_utilisation']:.1%}, "
              f"abandoned {row['abandon_rate_live']:.2%}", file=sys.stderr)
    return pd.DataFrame([row for row, _ in done]), pd.concat([h for _, h in done], ignore_index=True)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95 % half-width across replications for the headline metrics."""
    metrics = ["agent_utilisation", "abandon_rate_live", "abandon_or_amd_fp_rate_live", "contacts_per_agent_hour",
               "dials_per_contact", "dead_air_per_live_answer_s", "n_dials"]
    out = []
    for policy, g in table.groupby("policy", sort=False):
        row = {"policy": policy}
        for m in metrics:
            vals = g[m].to_numpy(dtype=float)
            mean, half = mean_ci(vals) if len(vals) > 1 else (float(vals[0]), float("nan"))
            row[m], row[f"{m}_ci95"] = mean, half
        out.append(row)
    return pd.DataFrame(out)


def plot_policies(ax, summary: pd.DataFrame, config: ds.DialerConfig):
    """Utilisation against abandoned share, with the open-loop frontier."""
    handle_s = config.agents.talk_time_s.mean_s + config.agents.wrap_up_s.mean_s
    grid = np.linspace(0.002, 0.12, 40)
    front = open_loop_frontier(config.agents.n_agents, handle_s, grid, model="mmn_d", window_s=config.abandon.window_s)
    ax.plot(100 * front.p_abandon, 100 * front.utilisation, "k--", lw=1,
            label=f"open-loop bound M/M/{config.agents.n_agents}+D({config.abandon.window_s:g} s)")
    for _, r in summary.iterrows():
        ax.errorbar(100 * r["abandon_rate_live"], 100 * r["agent_utilisation"],
                    xerr=100 * np.nan_to_num(r["abandon_rate_live_ci95"]),
                    yerr=100 * np.nan_to_num(r["agent_utilisation_ci95"]), fmt="o", capsize=3, label=r["policy"])
    ax.axvline(3.0, color="tab:red", lw=0.8, ls=":")
    ax.text(3.1, ax.get_ylim()[0] + 1, "3 % limit", color="tab:red", fontsize=8)
    # Policies span 0 % to tens of %: linear below 1 %, logarithmic above.
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(-0.1, 100)
    ax.set_xlabel("abandoned (silent) calls, % of live answers")
    ax.set_ylabel("agent utilisation, %")
    ax.set_title(f"Pacing policies, {config.agents.n_agents} agents, one 8 h shift")
    ax.legend(fontsize=7, loc="lower right")
    return ax


def plot_day(axes, hours: pd.DataFrame):
    """Hour-by-hour abandoned share and contacts per agent-hour (mean over replications)."""
    mean = hours.groupby(["policy", "hour"], sort=False).mean(numeric_only=True).reset_index()
    for policy, g in mean.groupby("policy", sort=False):
        axes[0].plot(g["hour"], 100 * g["abandon_rate_live"], marker=".", label=policy)
        axes[1].plot(g["hour"], g["contacts_per_agent_hour"], marker=".", label=policy)
    axes[0].axhline(3.0, color="tab:red", lw=0.8, ls=":")
    axes[0].set_yscale("symlog", linthresh=1.0)
    axes[0].set_ylabel("abandoned, % of live answers")
    axes[1].set_ylabel("contacts per agent-hour")
    axes[1].set_xlabel("hour of day (dial time)")
    axes[0].legend(fontsize=7, ncol=2)
    return axes


def plot_dispositions(ax, table: pd.DataFrame):
    """Stacked shares of dial attempts by disposition, per policy."""
    cols = [f"n_{d}" for d in ds.records.DISPOSITIONS]
    mean = table.groupby("policy", sort=False)[cols].mean()
    share = mean.div(mean.sum(axis=1), axis=0) * 100
    share.columns = [c[2:] for c in cols]
    share.plot.barh(stacked=True, ax=ax, colormap="tab20", width=0.8)
    ax.set_xlabel("% of dial attempts")
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.15))
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
    fig, ax = plt.subplots(figsize=(7.5, 5))
    save_fig(plot_policies(ax, summary, config).figure, out_dir / "policies.png")
    fig, axes = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True)
    plot_day(axes, hours)
    save_fig(fig, out_dir / "day.png")
    fig, ax = plt.subplots(figsize=(8, 5))
    save_fig(plot_dispositions(ax, table).figure, out_dir / "dispositions.png")
    atomic_write_json(out_dir / "config.json", {"experiment": "predictive_day", "seed": seed,
                                                "replications": replications, "policies": POLICIES,
                                                "config": ds.config_to_dict(config)})
    atomic_write_text(out_dir / "REPORT.md", report(summary, config, replications, seed))
    return summary


def report(summary: pd.DataFrame, config: ds.DialerConfig, replications: int, seed: int) -> str:
    lines = [
        "# A predictive-dialer day under six pacing policies", "",
        f"{config.agents.n_agents} agents, one {config.campaign.shift_length_s / 3600:g} h shift, AMD "
        f"{config.amd.mode}, {config.abandon.window_s:g} s window from {config.abandon.clock_start}; "
        f"{replications} replications, seed {seed} (common random numbers across policies).", "",
        "![utilisation against abandoned calls](policies.png)", "",
        "| policy | utilisation | abandoned, % of live | + AMD false positives | contacts / agent-hour | dials / contact |",
        "|---|---|---|---|---|---|",
    ]
    for _, r in summary.iterrows():
        lines.append(f"| {r['policy']} | {r['agent_utilisation']:.1%} | {100 * r['abandon_rate_live']:.2f} "
                     f"± {100 * np.nan_to_num(r['abandon_rate_live_ci95']):.2f} | "
                     f"{100 * r['abandon_or_amd_fp_rate_live']:.2f} | {r['contacts_per_agent_hour']:.2f} | "
                     f"{r['dials_per_contact']:.2f} |")
    lines += ["", "![hour by hour](day.png)", "", "![dispositions](dispositions.png)", ""]
    return "\n".join(lines)


def smoke_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The --smoke variant: 10 agents, a 2 h shift (CI compares it with tests/data/)."""
    return ds.apply_overrides(config, {"agents.n_agents": 10, "campaign.shift_length_s": 7200.0,
                                       "campaign.n_numbers": 5000})


def _run(args: argparse.Namespace, config: ds.DialerConfig) -> None:
    if args.smoke:
        config, args.replications = smoke_config(config), 2
    main(config, args.out, replications=args.replications, seed=args.seed, workers=args.workers)


def _extra(p: argparse.ArgumentParser) -> None:
    p.add_argument("--replications", type=int, default=3, help="replications per policy (default 3; 2 with --smoke)")


def _check(args: argparse.Namespace) -> None:
    if args.replications < 2:
        raise ExperimentError(f"--replications must be an integer >= 2 (for 95 % intervals); got {args.replications}.")


def cli_main(argv=None) -> int:
    """The command line (the shared one of every experiment); returns the exit status."""
    return cli("predictive_day", __doc__, CONFIG, SEED, _run, argv=argv, extra_args=_extra, check=_check)


if __name__ == "__main__":
    sys.exit(cli_main())
