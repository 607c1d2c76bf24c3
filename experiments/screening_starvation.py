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
[--smoke] [--workers 2 | --scheduler tcp://host:8786]``; killed, the same command resumes
(docs/experiments.md). docs/screening.md explains the model.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import dialer_sim as ds
from dialer_sim.config import MIXED_STRATEGY_MIX
from experiments import _abandonment as A
from experiments import _starvation_charts as charts
from experiments import kit as C
from experiments import plotting as P
from experiments.kit import format_ci as _fmt

CONFIG = C.CONFIGS / "screening_campaign.toml"
SEED = 20261121
SMOKE_TABLE = "campaigns_summary.csv"
#: Strategies whose adoption is swept; everybody else on the list is ``answer_all``.
SWEPT = ("screen_unknown", "block_withheld", "blocklist", "silent_answer", "screening_assistant", "never_answer",
         "change_number")
#: A population mixing every strategy, for the composition chart (the bench's list workload uses the same;
#: shares are illustrative: no adoption data exists, docs/sources.md §4.18).
MIXED = MIXED_STRATEGY_MIX
LEVELS = tuple(round(0.1 * i, 1) for i in range(11))
DAILY_COLUMNS = ["n_on_list", "n_successful", "n_dropped", "contacts_per_agent_hour", "agent_idle_share",
                 "dials_day", "contacts_day"]
CAMPAIGN_METRICS = ["contacts_per_agent_hour", "contacts_per_active_agent_hour", "active_agent_hours", "exhausted",
                    "exhaustion_day", "agent_idle_share", "n_successful", "n_dropped", "n_on_list",
                    "dials_per_contact", "mean_days_to_drop", "n_callbacks", "n_dials", *A.METRICS]
#: The case that tells ``screen_unknown`` from ``never_answer``: the dialer leaves a message on every
#: machine it detects, and a share of screeners call back (``population.p_callback_after_message``).
MESSAGE_CASE = {"amd.machine_action": "leave_message"}
MESSAGE_STRATEGIES = ("screen_unknown", "never_answer")
MESSAGE_SUFFIX = " + message"


def point_overrides(strategy: str, adoption: float) -> dict:
    """The dotted overrides that give ``adoption`` of the list ``strategy`` and the rest answering all."""
    if strategy.endswith(MESSAGE_SUFFIX):
        return {**point_overrides(strategy[: -len(MESSAGE_SUFFIX)], adoption), **MESSAGE_CASE}
    if strategy == "mixed":
        mix = dict(MIXED)
    elif strategy == "answer_all" or adoption == 0.0:
        mix = {"answer_all": 1.0}
    else:
        mix = {"answer_all": round(1.0 - adoption, 10), strategy: adoption}
    overrides = {"population.strategy_mix": {k: v for k, v in mix.items() if v > 0}}
    if strategy == "block_withheld":
        overrides["caller_id.policy"] = "withheld"
    return overrides


def point_config(base: ds.DialerConfig, strategy: str, adoption: float) -> ds.DialerConfig:
    """The campaign with ``adoption`` of the list using ``strategy`` and the rest answering all."""
    return ds.apply_overrides(base, point_overrides(strategy, adoption))


def run_point(config: ds.DialerConfig, seed: np.random.SeedSequence, params: dict) -> dict:
    """One replication of one sweep point: campaign totals, and its daily, per-group and composition tables."""
    r = ds.run(config, seed, keep_records=False)
    d = r.daily
    everyone = d[d["strategy"] == "all"].copy()
    n = everyone["n_numbers"].to_numpy()
    everyone["calls_per_person"] = everyone["calls"] / n
    everyone["silent_calls_per_person"] = everyone["silent_calls"] / n
    everyone["amd_hangups_per_person"] = everyone["amd_hangups"] / n
    daily = everyone[["day", *DAILY_COLUMNS, "agent_hours_day", "calls_per_person", "silent_calls_per_person",
                      "amd_hangups_per_person"]]
    weeks = config.campaign.n_shifts / 7.0
    groups = []
    for group, g in r.numbers.groupby("strategy", observed=True):
        groups.append({"group": group, "n_people": len(g),
                       "calls_per_person_week": g["calls"].mean() / weeks,
                       "silent_calls_per_person_week": g["silent_calls"].mean() / weeks,
                       "amd_hangups_per_person_week": g["amd_hangups"].mean() / weeks,
                       "successful_share": float((g["status"] == "successful").mean()),
                       "dropped_share": float((g["status"] == "dropped").mean()),
                       "mean_days_to_drop": _days_to_drop(g)})
    tables = {"daily": daily, "groups": pd.DataFrame(groups)}
    if params["strategy"] == "mixed":
        tables["composition"] = d[d["strategy"] != "all"][["day", "strategy", "n_on_list", "n_successful"]].rename(
            columns={"strategy": "group"})
    totals = {**{m: r.summary[m] for m in CAMPAIGN_METRICS if m in r.summary}, **activity(everyone),
              **A.from_summary(r.summary)}
    return {**totals, **tables}


def activity(everyone: pd.DataFrame) -> dict:
    """Agent-hours while the list still had callable numbers, contacts per such hour, and the day it ran dry.

    A day is active when numbers were still on the list at its start (day 0 always is); the list ran
    dry on the first day that ends with none on it (``exhaustion_day`` NaN and ``exhausted`` 0 when
    it never did).
    """
    on_at_start = everyone["n_on_list"].shift(1, fill_value=1).to_numpy() > 0
    hours = everyone["agent_hours_day"].to_numpy(dtype=float)[on_at_start].sum()
    contacts = everyone["contacts_day"].to_numpy(dtype=float)[on_at_start].sum()
    dry = everyone.loc[everyone["n_on_list"] == 0, "day"]
    return {"active_agent_hours": hours, "contacts_per_active_agent_hour": contacts / hours if hours else np.nan,
            "exhausted": float(len(dry) > 0), "exhaustion_day": float(dry.iloc[0]) if len(dry) else np.nan}


def _days_to_drop(numbers: pd.DataFrame) -> float:
    """Mean calendar days from a number's first attempt to the day it was dropped, both counted."""
    d = numbers[numbers["status"] == "dropped"]
    return float((d["status_day"] - d["first_day"]).mean() + 1) if len(d) else float("nan")


def points(levels, message_levels=(0.5,)) -> list[C.Point]:
    """Every (strategy, adoption) point, the mixed population and the message case, in table order."""
    pairs = [("answer_all", 0.0), ("block_withheld", 0.0)]
    pairs += [(s, a) for s in SWEPT for a in levels if a > 0]
    pairs += [("mixed", 1.0)]
    pairs += [(f"{s}{MESSAGE_SUFFIX}", a) for s in MESSAGE_STRATEGIES for a in message_levels]
    return [C.Point({"strategy": s, "adoption": a}, point_overrides(s, a)) for s, a in pairs]


def sweep(base: ds.DialerConfig, *, levels, replications: int, seed: int, runner: C.Runner | None = None,
          message_levels=(0.5,)) -> dict[str, pd.DataFrame]:
    """Every point of :func:`points`, ``replications`` times each (common random numbers)."""
    runner = runner or C.Runner()
    res = runner.run("screening_starvation", base, points(levels, message_levels), run_point,
                     replications=replications, seed=seed)
    daily = res.table("daily", keys="last")
    totals = res.summaries()
    groups = res.table("groups")
    composition = res.table("composition", keys="last")
    # The 0 % point of every strategy is the answer-all campaign (block_withheld: its own, withheld caller ID).
    base_rows = [(s, "block_withheld" if s == "block_withheld" else "answer_all") for s in SWEPT]
    daily = _with_baselines(daily, base_rows)
    totals = _with_baselines(totals, base_rows)
    return {"daily": daily, "totals": totals, "groups": groups, "composition": composition}


def _with_baselines(table: pd.DataFrame, base_rows) -> pd.DataFrame:
    extra = table["strategy"].eq("mixed") | table["strategy"].str.endswith(MESSAGE_SUFFIX)
    parts = [table[(table["adoption"] > 0) & ~extra]]
    for s, src in base_rows:
        b = table[(table["strategy"] == src) & (table["adoption"] == 0.0)].copy()
        b["strategy"] = s
        parts.append(b)
    parts.append(table[extra])
    out = pd.concat(parts, ignore_index=True)
    order = {s: i for i, s in enumerate([*SWEPT, "mixed", *(f"{m}{MESSAGE_SUFFIX}" for m in MESSAGE_STRATEGIES)])}
    return out.sort_values(["strategy", "adoption", "replication"], key=lambda c: c.map(order) if c.name == "strategy"
                           else c, kind="stable").reset_index(drop=True)


# -- entry points ----------------------------------------------------------------------------------
def main(config: ds.DialerConfig, out_dir: Path, *, levels=LEVELS, replications: int = 3, seed: int = SEED,
         runner: C.Runner | None = None, message_levels=(0.5,)) -> pd.DataFrame:
    """Run the sweep (on ``runner``, default one process) and write its tables, charts, config.json and
    REPORT.md into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    res = sweep(config, levels=levels, replications=replications, seed=seed, runner=runner,
                message_levels=message_levels)
    daily, totals = res["daily"], res["totals"]
    summary = C.summarise(totals, ["strategy", "adoption"], CAMPAIGN_METRICS)
    summary["abandonment_regime"], summary["abandonment_clock"] = A.rule(totals)
    C.save_csv(daily[["strategy", "adoption", "day", "replication", "n_on_list", "n_successful",
                      "contacts_per_agent_hour", "calls_per_person", "silent_calls_per_person",
                      "amd_hangups_per_person", "agent_idle_share", "n_dropped", "dials_day", "contacts_day",
                      "agent_hours_day"]],
               out_dir / "starvation.csv")
    per_day = C.summarise(daily, ["strategy", "adoption", "day"], ["n_on_list", "n_successful",
                                                                    "contacts_per_agent_hour", "agent_idle_share",
                                                                    "calls_per_person", "silent_calls_per_person"])
    C.save_csv(per_day, out_dir / "starvation_summary.csv")
    C.save_csv(totals, out_dir / "campaigns.csv")
    C.save_csv(summary, out_dir / "campaigns_summary.csv")
    C.save_csv(res["groups"], out_dir / "protection.csv")
    C.save_csv(res["composition"], out_dir / "composition.csv")
    sweep_summary = summary[summary["strategy"].isin(SWEPT)]
    for fig, name in ((charts.plot_starvation(sweep_summary, SWEPT, config.campaign.n_shifts), "starvation.png"),
                      (charts.plot_composition(res["composition"], SWEPT), "composition.png"),
                      (charts.plot_protection(res["groups"], SWEPT), "protection.png"),
                      (charts.plot_days(daily, totals, SWEPT), "days.png"),
                      (charts.plot_abandonment(sweep_summary), "abandonment.png")):
        C.save_fig(fig, out_dir / name)
    C.write_config(out_dir, "screening_starvation", seed=seed, config=config, levels=list(levels),
                   replications=replications, swept=list(SWEPT), mixed=MIXED, message_case=MESSAGE_CASE,
                   message_levels=list(message_levels),
                   note="block_withheld points run with caller_id.policy = withheld")
    C.write_text(out_dir / "REPORT.md", report(summary, res["groups"], config, replications, seed))
    return summary


def report(summary: pd.DataFrame, groups: pd.DataFrame, config: ds.DialerConfig, replications: int,
           seed: int) -> str:
    c = config
    top = summary["adoption"].max()
    base = summary[(summary["strategy"] == "screen_unknown") & (summary["adoption"] == 0.0)].iloc[0]
    dry = summary[summary["strategy"].isin(SWEPT) & (summary["exhausted"] > 0.5)]
    rule = P.regime_name(*A.rule(summary))
    lines = [
        "# Screening strategies starve the dialer", "",
        f"{c.campaign.n_numbers:,} numbers, {c.campaign.n_shifts} days, {c.agents.n_agents} agents, pacing "
        f"{c.pacing.policy}, AMD {c.amd.mode}, caller ID {c.caller_id.policy}; **{replications} replications** per "
        f"point, seed {seed}; ± is a 95 % t half-width across replications. Each row: that share of the list uses the "
        "strategy, everybody else answers as usual.", "",
        (f"**The list lasts the campaign when nobody screens**: {base['n_on_list']:,.0f} numbers are still on it "
         "after the last day. " if base["exhausted"] == 0 else f"**The list runs dry even when nobody screens** "
         f"(day {base['exhaustion_day']:.0f}): this campaign is too small to measure screening rather than list size. ")
        + "Contacts per agent-hour are given twice: over the hours while numbers remained on the "
        "list (*active*) and over all the campaign's agent-hours. "
        + (f"{len(dry)} screening points ran out of numbers before the last day (hollow markers on the chart): "
           + ", ".join(f"{r['strategy']} {r['adoption']:.0%} (day {r['exhaustion_day']:.0f})"
                       for _, r in dry.iterrows()) + "." if len(dry) else "No point ran out of numbers."), "",
        "![starvation curves](starvation.png)", "",
        f"| strategy | adoption | contacts / active agent-hour | contacts / agent-hour (all hours) | agent idle "
        f"| successful numbers | dropped | dialer's drop rate, % | abandoned, % ({rule}) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in summary[summary["strategy"].isin(SWEPT)].iterrows():
        if r["adoption"] not in (0.0, 0.5, top):
            continue
        lines.append(f"| {r['strategy']} | {r['adoption']:.0%} | {_fmt(r, 'contacts_per_active_agent_hour', '.2f')} | "
                     f"{_fmt(r, 'contacts_per_agent_hour', '.2f')} | {_fmt(r, 'agent_idle_share', '.1%')} | "
                     f"{_fmt(r, 'n_successful', ',.0f')} | {_fmt(r, 'n_dropped', ',.0f')} | "
                     f"{A.format_rate(r, 'dialer_drop_rate', decimals=2)} | {A.format_rate(r, 'regime_rate')} |")
    mixed = summary[summary["strategy"] == "mixed"]
    if len(mixed):
        r = mixed.iloc[0]
        lines += ["", f"Mixed population ({', '.join(f'{k} {v:.0%}' for k, v in MIXED.items())}): "
                      f"{_fmt(r, 'contacts_per_active_agent_hour', '.2f')} contacts per active agent-hour, "
                      f"{_fmt(r, 'n_successful', ',.0f')} successful numbers."]
    lines += ["", "## Abandoned calls: the dialer's drops and the regulator's rule", "",
              f"The dialer paces on its own drop rate; the regulator ({rule}) also counts a person the AMD hung up on "
              "as a machine, a person an agent reached after the window, and a person who hung up in the dead air "
              "after the window closed with no agent. The bars stack those four parts; the black tick is the "
              "dialer's own drop rate.", "", "![abandonment breakdown](abandonment.png)", "",
              *message_case(summary, c), "", "![list composition](composition.png)", "",
              "![protection](protection.png)", "", "![day by day](days.png)", ""]
    return "\n".join(lines)


def message_case(summary: pd.DataFrame, config: ds.DialerConfig) -> list[str]:
    """Why ``screen_unknown`` and ``never_answer`` coincide against a hang-up dialer, and the case that parts them."""
    lines = ["## `screen_unknown` against `never_answer`", "",
             "Against a dialer that hangs up on machines the two strategies are the same campaign: every call goes to "
             "voicemail (or rings out), the AMD hangs up, and nobody ever hears from the dialer, so their rows are "
             "identical with common random numbers. They differ only in what a screener does with a message: "
             f"`screen_unknown` people call back ({config.population.p_callback_after_message:.0%}, "
             "`p_callback_after_message`) when the dialer leaves one "
             "(`amd.machine_action = \"leave_message\"`); `never_answer` people never do. The rows below run that "
             "case (callbacks are counted as inbound contacts, not simulated as calls).", "",
             "| strategy | adoption | dialer | callbacks | contacts / active agent-hour | successful numbers |",
             "|---|---|---|---|---|---|"]
    levels = set(summary.loc[summary["strategy"].str.endswith(MESSAGE_SUFFIX), "adoption"])
    for s in MESSAGE_STRATEGIES:
        for name, dialer in ((s, "hangs up on machines"), (f"{s}{MESSAGE_SUFFIX}", "leaves a message")):
            for _, r in summary[(summary["strategy"] == name) & summary["adoption"].isin(levels)].iterrows():
                lines.append(f"| {s} | {r['adoption']:.0%} | {dialer} | {_fmt(r, 'n_callbacks', ',.0f')} | "
                             f"{_fmt(r, 'contacts_per_active_agent_hour', '.2f')} | {_fmt(r, 'n_successful', ',.0f')} |")
    return lines


def smoke_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The --smoke variant: 3 agents on 1.3 lines each, 1,500 numbers, 12 days (CI compares it with tests/data/).

    A fixed ratio instead of the adaptive controller, whose per-second updates
    would dominate the run time of so small a campaign.
    """
    return ds.apply_overrides(config, {"agents.n_agents": 3, "campaign.n_numbers": 1500, "campaign.n_shifts": 12,
                                       "pacing.policy": "ratio", "pacing.lines_per_agent": 1.3})


def demo_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The `make demo` variant: 4 agents and 6,000 numbers over 12 days, a list that lasts the campaign.

    The full campaign's ratio of numbers to agent-days is kept roughly (about 105 numbers leave the
    list per agent and working day when nobody screens), so the list is not what the demo measures.
    """
    return ds.apply_overrides(config, {"agents.n_agents": 4, "campaign.n_numbers": 6000, "campaign.n_shifts": 12})


SMOKE = {"levels": (0.0, 0.5, 1.0), "replications": 2}
DEMO = {"levels": (0.0, 0.5, 1.0), "replications": 3}
#: Replications of the full sweep: enough for 95 % intervals narrower than the differences between strategies.
REPLICATIONS = 5


RUNS = C.Sizes(main, smoke=C.Size(smoke_config, SMOKE), demo=C.Size(demo_config, DEMO), replications=REPLICATIONS,
               demo_help="the smaller sweep `make demo` runs (a few minutes)")


def run_smoke(out_dir: Path, runner: C.Runner | None = None) -> pd.DataFrame:
    """The --smoke run CI compares with tests/data/screening_starvation_smoke.csv."""
    return RUNS.run("smoke", ds.load_config(CONFIG), out_dir, seed=SEED, runner=runner)


def _check(args) -> None:
    config = ds.load_config(args.config)
    if not config.list_mode:
        raise C.ExperimentError(f"--config {str(args.config)!r} has no [population] section; the sweep needs a list "
                                "campaign such as experiments/configs/screening_campaign.toml.")


def cli_main(argv=None) -> int:
    """The command line (:func:`experiments.kit.cli`); returns the exit status."""
    return C.cli("screening_starvation", __doc__, CONFIG, SEED, RUNS, argv=argv, check=_check)


if __name__ == "__main__":
    # Run the package's copy of this module, so that workers import run_point by its name.
    from experiments.screening_starvation import cli_main as _cli_main

    sys.exit(_cli_main())
