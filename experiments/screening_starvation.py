"""How consumers' screening strategies starve a robot dialer of "successful" numbers.

Question: in a 30-day campaign under the German calling rules, as more of the
people on the list adopt one screening strategy (0 to 100 %; everybody else
answers as usual), how many numbers end up "successful" (a live person reached
an agent and the number is passed on), how many fall off the list as
"unsuccessful", what happens to the agents' live contacts per hour and idle
time, and how many calls and silent calls does each strategy spare its users?

Figures:
- ``starvation.png``: live contacts per agent-hour and the successful list at
  the end of the campaign against adoption, one line per strategy, 95 % bands
  across replications.
- ``composition.png``: a mixed population, day by day: the numbers still on
  the list (stacked by strategy) and the successful list (stacked by strategy).
- ``protection.png``: calls, silent calls and AMD hang-ups per person per week,
  adopters of each strategy at 50 % adoption against the people who answer all.
- ``days.png``: live contacts per agent-hour day by day at 0, 50 and 100 %.

Tables: ``starvation.csv`` (strategy, adoption, day, replication and the list
and agent metrics of that day), ``starvation_summary.csv`` (the same per day
with means and 95 % half-widths across replications), ``campaigns.csv`` (one row per run: campaign
totals), ``campaigns_summary.csv`` (means and 95 % half-widths),
``protection.csv`` (per run and group of people: calls, silent calls and AMD
hang-ups per person per week, successful and dropped shares, mean days until a
number is dropped), ``composition.csv``.

``block_withheld`` only matters when the dialer withholds its number, so its
points run with a withheld caller ID (and their own 0 % baseline); every other
strategy meets the configured fixed caller ID.

Run: ``python experiments/screening_starvation.py --out results/screening_starvation
[--smoke] [--workers 2]``; docs/screening.md explains the model.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C  # noqa: E402

import dialer_sim as ds  # noqa: E402
from dialer_sim.bench import LIST_MIX  # noqa: E402

CONFIG = C.CONFIGS / "screening_campaign.toml"
SEED = 20261121
SMOKE_TABLE = "campaigns_summary.csv"
#: Strategies whose adoption is swept; everybody else on the list is ``answer_all``.
SWEPT = ("screen_unknown", "block_withheld", "blocklist", "silent_answer", "screening_assistant", "never_answer",
         "change_number")
#: A population mixing every strategy, for the composition chart (the bench's list workload uses the same;
#: shares are illustrative: no adoption data exists, reference §6).
MIXED = LIST_MIX
LEVELS = tuple(round(0.1 * i, 1) for i in range(11))
DAILY_COLUMNS = ["n_on_list", "n_successful", "n_dropped", "contacts_per_agent_hour", "agent_idle_share",
                 "dials_day", "contacts_day"]
CAMPAIGN_METRICS = ["contacts_per_agent_hour", "agent_idle_share", "n_successful", "n_dropped", "n_on_list",
                    "dials_per_contact", "mean_days_to_drop", "abandon_rate_window_live", "n_dials"]
COLORS = dict(zip(SWEPT, plt.get_cmap("tab10").colors, strict=False))
COLORS["answer_all"] = "0.55"


def point_config(base: ds.DialerConfig, strategy: str, adoption: float) -> ds.DialerConfig:
    """The campaign with ``adoption`` of the list using ``strategy`` and the rest answering all."""
    if strategy == "mixed":
        mix = dict(MIXED)
    elif strategy == "answer_all" or adoption == 0.0:
        mix = {"answer_all": 1.0}
    else:
        mix = {"answer_all": round(1.0 - adoption, 10), strategy: adoption}
    overrides = {"population.strategy_mix": {k: v for k, v in mix.items() if v > 0}}
    if strategy == "block_withheld":
        overrides["caller_id.policy"] = "withheld"
    return ds.apply_overrides(base, overrides)


def run_point(config: ds.DialerConfig, strategy: str, adoption: float, replication: int,
              seed: np.random.SeedSequence) -> dict:
    """One replication of one sweep point: its daily rows, campaign totals and per-group protection."""
    r = ds.run(config, seed, keep_records=False)
    key = {"strategy": strategy, "adoption": adoption, "replication": replication}
    d = r.daily
    everyone = d[d["strategy"] == "all"].copy()
    n = everyone["n_numbers"].to_numpy()
    everyone["calls_per_person"] = everyone["calls"] / n
    everyone["silent_calls_per_person"] = everyone["silent_calls"] / n
    everyone["amd_hangups_per_person"] = everyone["amd_hangups"] / n
    daily = everyone[["day", *DAILY_COLUMNS, "calls_per_person", "silent_calls_per_person",
                      "amd_hangups_per_person"]].assign(**key)
    weeks = config.campaign.n_shifts / 7.0
    groups = []
    for group, g in r.numbers.groupby("strategy", observed=True):
        groups.append({**key, "group": group, "n_people": len(g),
                       "calls_per_person_week": g["calls"].mean() / weeks,
                       "silent_calls_per_person_week": g["silent_calls"].mean() / weeks,
                       "amd_hangups_per_person_week": g["amd_hangups"].mean() / weeks,
                       "successful_share": float((g["status"] == "successful").mean()),
                       "dropped_share": float((g["status"] == "dropped").mean()),
                       "mean_days_to_drop": _days_to_drop(g)})
    composition = d[d["strategy"] != "all"][["day", "strategy", "n_on_list", "n_successful"]].rename(
        columns={"strategy": "group"}).assign(**key) if strategy == "mixed" else None
    totals = {**key, **{m: r.summary[m] for m in CAMPAIGN_METRICS}}
    return {"daily": daily, "totals": totals, "groups": groups, "composition": composition}


def _days_to_drop(numbers: pd.DataFrame) -> float:
    """Mean calendar days from a number's first attempt to the day it was dropped, both counted."""
    d = numbers[numbers["status"] == "dropped"]
    return float((d["status_day"] - d["first_day"]).mean() + 1) if len(d) else float("nan")


def sweep(base: ds.DialerConfig, *, levels, replications: int, seed: int, workers: int) -> dict[str, pd.DataFrame]:
    """Every (strategy, adoption) point and the mixed population, ``replications`` times each."""
    seeds = C.replication_seeds(seed, replications)
    points = [("answer_all", 0.0), ("block_withheld", 0.0)]
    points += [(s, a) for s in SWEPT for a in levels if a > 0]
    points += [("mixed", 1.0)]
    jobs = [(point_config(base, s, a), s, a, i, seeds[i]) for s, a in points for i in range(replications)]
    out = C.run_jobs(run_point, jobs, workers=workers, desc="screening runs")
    daily = pd.concat([o["daily"] for o in out], ignore_index=True)
    totals = pd.DataFrame([o["totals"] for o in out])
    groups = pd.DataFrame([g for o in out for g in o["groups"]])
    composition = pd.concat([o["composition"] for o in out if o["composition"] is not None], ignore_index=True)
    # The 0 % point of every strategy is the answer-all campaign (block_withheld: its own, withheld caller ID).
    base_rows = [(s, "block_withheld" if s == "block_withheld" else "answer_all") for s in SWEPT]
    daily = _with_baselines(daily, base_rows)
    totals = _with_baselines(totals, base_rows)
    return {"daily": daily, "totals": totals, "groups": groups, "composition": composition}


def _with_baselines(table: pd.DataFrame, base_rows) -> pd.DataFrame:
    parts = [table[(table["adoption"] > 0) & (table["strategy"] != "mixed")]]
    for s, src in base_rows:
        b = table[(table["strategy"] == src) & (table["adoption"] == 0.0)].copy()
        b["strategy"] = s
        parts.append(b)
    parts.append(table[table["strategy"] == "mixed"])
    out = pd.concat(parts, ignore_index=True)
    order = {s: i for i, s in enumerate([*SWEPT, "mixed"])}
    return out.sort_values(["strategy", "adoption", "replication"], key=lambda c: c.map(order) if c.name == "strategy"
                           else c, kind="stable").reset_index(drop=True)


# -- charts ----------------------------------------------------------------------------------------
def plot_starvation(summary: pd.DataFrame, days: int):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    for s in SWEPT:
        g = summary[summary["strategy"] == s].sort_values("adoption")
        x = 100 * g["adoption"]
        for ax, m in zip(axes, ("contacts_per_agent_hour", "n_successful"), strict=True):
            ax.plot(x, g[m], marker="o", ms=3.5, color=COLORS[s], label=s)
            ax.fill_between(x, g[m] - g[f"{m}_ci95"].fillna(0), g[m] + g[f"{m}_ci95"].fillna(0), color=COLORS[s],
                            alpha=0.18, lw=0)
    axes[0].set_ylabel("live contacts per agent-hour (campaign)")
    axes[1].set_ylabel(f"successful numbers after {days} days")
    for ax in axes:
        ax.set_xlabel("adoption of the strategy, % of the list")
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=8, title="strategy adopted", title_fontsize=8)
    fig.suptitle("Screening starves the dialer: 95 % bands across replications", fontsize=11)
    return fig


def plot_composition(composition: pd.DataFrame):
    mean = composition.groupby(["day", "group"], observed=True)[["n_on_list", "n_successful"]].mean().reset_index()
    order = [s for s in ("answer_all", *SWEPT) if s in set(mean["group"])]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6), sharex=True)
    for ax, m, title in zip(axes, ("n_on_list", "n_successful"),
                            ("numbers still on the list", "numbers marked successful"), strict=True):
        wide = mean.pivot(index="day", columns="group", values=m).reindex(columns=order).fillna(0)
        ax.stackplot(wide.index, *[wide[c] for c in order], labels=order, colors=[COLORS[c] for c in order],
                     alpha=0.85)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("campaign day")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("numbers")
    axes[1].legend(fontsize=8, loc="upper left")
    fig.suptitle("A mixed population: screeners fall off the list, people who answer are passed on", fontsize=11)
    return fig


def plot_protection(groups: pd.DataFrame):
    half = groups[np.isclose(groups["adoption"], 0.5)]
    if half.empty:  # sweeps without a 50 % point: the adoption nearest to it
        near = groups.loc[(groups["adoption"] - 0.5).abs().idxmin(), "adoption"]
        half = groups[groups["adoption"] == near]
    rows = []
    for s in SWEPT:
        g = half[half["strategy"] == s]
        for who, label in ((s, "adopters"), ("answer_all", "answer all")):
            m = g[g["group"] == who]
            if len(m):
                rows.append({"strategy": s, "who": label, **m[["calls_per_person_week", "silent_calls_per_person_week",
                                                               "amd_hangups_per_person_week"]].mean().to_dict()})
    t = pd.DataFrame(rows)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.8), sharey=True)
    y = np.arange(len(SWEPT))
    for ax, m, title in zip(axes, ("calls_per_person_week", "silent_calls_per_person_week",
                                   "amd_hangups_per_person_week"),
                            ("calls received", "silent calls (dead air, dropped)", "hung up on as a machine"),
                            strict=True):
        for k, (who, color) in enumerate((("adopters", "tab:blue"), ("answer all", "0.6"))):
            vals = [t[(t["strategy"] == s) & (t["who"] == who)][m].mean() for s in SWEPT]
            ax.barh(y + (k - 0.5) * 0.38, vals, height=0.38, color=color, label=who)
        ax.set_title(f"{title}, per person per week", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, SWEPT)
    axes[0].invert_yaxis()
    axes[0].legend(fontsize=8)
    fig.suptitle("What each strategy spares its users (50 % adoption, mean over replications)", fontsize=11)
    return fig


def plot_days(daily: pd.DataFrame):
    fig, ax = plt.subplots(figsize=(10, 4.6))
    work = daily[daily["dials_day"] > 0]
    for s in ("screen_unknown", "silent_answer", "blocklist"):
        for a, ls in ((0.0, ":"), (0.5, "--"), (1.0, "-")):
            g = work[(work["strategy"] == s) & np.isclose(work["adoption"], a)]
            if g.empty or (a == 0.0 and s != "screen_unknown"):
                continue
            m = g.groupby("day")["contacts_per_agent_hour"].mean()
            label = "nobody screens (0 %)" if a == 0.0 else f"{s} {a:.0%}"
            ax.plot(m.index, m.values, ls=ls, marker=".", color="0.3" if a == 0.0 else COLORS[s], label=label)
    ax.set_xlabel("campaign day (Sundays and empty days have no calls)")
    ax.set_ylabel("live contacts per agent-hour")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    ax.set_title("Day by day: the list runs dry sooner when people screen", fontsize=11)
    return fig


# -- entry points ----------------------------------------------------------------------------------
def main(config: ds.DialerConfig, out_dir: Path, *, levels=LEVELS, replications: int = 3, seed: int = SEED,
         workers: int = 1) -> pd.DataFrame:
    """Run the sweep and write its tables, charts, config.json and REPORT.md into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    res = sweep(config, levels=levels, replications=replications, seed=seed, workers=workers)
    daily, totals = res["daily"], res["totals"]
    summary = C.summarise(totals, ["strategy", "adoption"], CAMPAIGN_METRICS)
    C.save_csv(daily[["strategy", "adoption", "day", "replication", "n_on_list", "n_successful",
                      "contacts_per_agent_hour", "calls_per_person", "silent_calls_per_person",
                      "amd_hangups_per_person", "agent_idle_share", "n_dropped", "dials_day", "contacts_day"]],
               out_dir / "starvation.csv")
    per_day = C.summarise(daily, ["strategy", "adoption", "day"], ["n_on_list", "n_successful",
                                                                    "contacts_per_agent_hour", "agent_idle_share",
                                                                    "calls_per_person", "silent_calls_per_person"])
    C.save_csv(per_day, out_dir / "starvation_summary.csv")
    C.save_csv(totals, out_dir / "campaigns.csv")
    C.save_csv(summary, out_dir / "campaigns_summary.csv")
    C.save_csv(res["groups"], out_dir / "protection.csv")
    C.save_csv(res["composition"], out_dir / "composition.csv")
    sweep_summary = summary[summary["strategy"] != "mixed"]
    C.save_fig(plot_starvation(sweep_summary, config.campaign.n_shifts), out_dir / "starvation.png")
    C.save_fig(plot_composition(res["composition"]), out_dir / "composition.png")
    C.save_fig(plot_protection(res["groups"]), out_dir / "protection.png")
    C.save_fig(plot_days(daily), out_dir / "days.png")
    C.write_config(out_dir, "screening_starvation", seed=seed, config=config, levels=list(levels),
                   replications=replications, swept=list(SWEPT), mixed=MIXED,
                   note="block_withheld points run with caller_id.policy = withheld")
    C.write_text(out_dir / "REPORT.md", report(summary, res["groups"], config, replications, seed))
    return summary


def _fmt(row, m: str, spec: str) -> str:
    if not np.isfinite(row[m]):
        return "–"  # e.g. dials per contact with no contact at all
    half = row[f"{m}_ci95"]
    return f"{row[m]:{spec}}" + ("" if not np.isfinite(half) else f" ± {half:{spec}}")


def report(summary: pd.DataFrame, groups: pd.DataFrame, config: ds.DialerConfig, replications: int,
           seed: int) -> str:
    c = config
    top = summary["adoption"].max()
    lines = [
        "# Screening strategies starve the dialer", "",
        f"{c.campaign.n_numbers:,} numbers, {c.campaign.n_shifts} days, {c.agents.n_agents} agents, pacing "
        f"{c.pacing.policy}, AMD {c.amd.mode}, caller ID {c.caller_id.policy}; {replications} replications, "
        f"seed {seed}. Each row: that share of the list uses the strategy, everybody else answers as usual.", "",
        "![starvation curves](starvation.png)", "",
        "| strategy | adoption | contacts / agent-hour | agent idle share | successful numbers | dropped | "
        "dials / contact |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, r in summary[summary["strategy"] != "mixed"].iterrows():
        if r["adoption"] not in (0.0, 0.5, top):
            continue
        lines.append(f"| {r['strategy']} | {r['adoption']:.0%} | {_fmt(r, 'contacts_per_agent_hour', '.2f')} | "
                     f"{_fmt(r, 'agent_idle_share', '.1%')} | {_fmt(r, 'n_successful', ',.0f')} | "
                     f"{_fmt(r, 'n_dropped', ',.0f')} | {_fmt(r, 'dials_per_contact', '.1f')} |")
    mixed = summary[summary["strategy"] == "mixed"]
    if len(mixed):
        r = mixed.iloc[0]
        lines += ["", f"Mixed population ({', '.join(f'{k} {v:.0%}' for k, v in MIXED.items())}): "
                      f"{_fmt(r, 'contacts_per_agent_hour', '.2f')} contacts per agent-hour, "
                      f"{_fmt(r, 'n_successful', ',.0f')} successful numbers."]
    lines += ["", "![list composition](composition.png)", "", "![protection](protection.png)", "",
              "![day by day](days.png)", ""]
    return "\n".join(lines)


def smoke_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The --smoke variant: 3 agents on 1.3 lines each, 1,500 numbers, 12 days (CI compares it with tests/data/).

    A fixed ratio instead of the adaptive controller, whose per-second updates
    would dominate the run time of so small a campaign.
    """
    return ds.apply_overrides(config, {"agents.n_agents": 3, "campaign.n_numbers": 1500, "campaign.n_shifts": 12,
                                       "pacing.policy": "ratio", "pacing.lines_per_agent": 1.3})


def demo_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The `make demo` variant: 10 agents and 16,000 numbers over the full 30 days."""
    return ds.apply_overrides(config, {"agents.n_agents": 10, "campaign.n_numbers": 16000})


SMOKE = {"levels": (0.0, 0.5, 1.0), "replications": 2}
DEMO = {"levels": (0.0, 0.25, 0.5, 0.75, 1.0), "replications": 2}


def run_smoke(out_dir: Path, workers: int = 1) -> pd.DataFrame:
    return main(smoke_config(ds.load_config(CONFIG)), out_dir, seed=SEED, workers=workers, **SMOKE)


def _run(args, config: ds.DialerConfig) -> None:
    if args.smoke:
        main(smoke_config(config), args.out, seed=args.seed, workers=args.workers, **SMOKE)
    elif args.demo:
        main(demo_config(config), args.out, seed=args.seed, workers=args.workers, **DEMO)
    else:
        main(config, args.out, seed=args.seed, workers=args.workers, replications=args.replications)


def _check(args) -> None:
    if args.replications < 2 and not (args.smoke or args.demo):
        raise C.ExperimentError(f"--replications must be an integer >= 2 (for 95 % intervals); got {args.replications}.")
    config = ds.load_config(args.config)
    if not config.list_mode:
        raise C.ExperimentError(f"--config {str(args.config)!r} has no [population] section; the sweep needs a list "
                                "campaign such as experiments/configs/screening_campaign.toml.")


def _extra(p) -> None:
    p.add_argument("--demo", action="store_true", help="the smaller sweep `make demo` runs (a few minutes)")
    p.add_argument("--replications", type=int, default=3)


if __name__ == "__main__":
    sys.exit(C.cli("screening_starvation", __doc__, CONFIG, SEED, _run, extra_args=_extra, check=_check))
