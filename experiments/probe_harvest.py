"""Robots try whole number ranges: how fast a probing robot harvests a list, and how screening slows it.

Question: a robot with a few lines, no agents and an answering-machine
detector dials every number of a 20,000-number block; each call its AMD labels
human puts the number on the "successful" list it sells on or dials later
(``dialer_sim.config.ProbeConfig``). How many numbers does it harvest per
day, how precise is the harvest (share of harvesting calls that really reached
a live person), how many silent calls does it inflict, and how does the
adoption of each screening strategy (screen_unknown, silent_answer,
screening_assistant, block_withheld, never_answer; the rest answer_all) change
that, for a withheld and a fixed caller ID? Then the second stage: a sales
campaign (10 agents, VICIdial adaptive pacing, 2 days) on the harvested
numbers against the same campaign on an equal-size random sample of the range.

Figures:
- ``harvest_days.png``: harvested list size over the days, one panel per
  strategy, one line per adoption share (first caller ID), 95 % bands.
- ``harvest_adoption.png``: harvest at the last day against adoption, per
  strategy, one panel per caller ID, 95 % intervals.
- ``precision.png``: harvest precision (live share) against adoption.
- ``sales.png``: contacts per agent-hour and dials per contact of the sales
  stage, harvested list against random sample.

Tables: ``harvest.csv`` (caller ID, strategy, adoption, day, replication),
``harvest_summary.csv`` (last day, means and 95 % half-widths),
``sales.csv`` and ``sales_summary.csv`` (rows ``harvested``, ``random`` and the
per-replication ratio ``harvested/random``).

Run: ``python experiments/probe_harvest.py --out results/probe_harvest [--smoke]
[--workers 2 | --scheduler ADDRESS]`` (docs/experiments.md; killed, the same command resumes).
The full default run (42 probe points x 5 replications, 60 sales runs) takes about 510 CPU-seconds, so
about 4-5 minutes with ``--workers 2`` on two free cores; ``--smoke`` about 5 s.

Conventions
-----------
- Adoption is a share in [0, 1]: ``strategy_mix = {answer_all: 1 - a, strategy: a}``.
  The population assigns strategies from one uniform per number, so raising
  ``a`` switches more of the same numbers (a coupled sweep). Adoption 0 is one
  run per caller ID and replication, shared by every strategy's curve.
- Replication ``i`` of every point, and of the sales stage on its harvest, uses
  child ``i`` of ``SeedSequence(seed)``: the same people behind the same numbers
  (common random numbers). A point with a sales stage runs it in the same run as
  its probe (:mod:`experiments._probe_sales`), on the probe's harvest; the random
  sample of replication ``i`` is drawn from the extra child
  ``(*child.spawn_key, SAMPLE_STREAM)``, outside the simulation's named streams.
- Counts in ``harvest.csv`` are cumulative to the end of ``day`` (day 0 a Monday).
"""


from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd

import dialer_sim as ds
from experiments import _abandonment as A
from experiments import kit as C
from experiments import plotting as P
from experiments._probe_charts import write_figures
from experiments._probe_sales import SALES_OVERRIDES, sales_config, sales_pair, sales_summary

CONFIG = C.CONFIGS / "probe_range.toml"
SEED = 20261122
STRATEGIES = ("screen_unknown", "silent_answer", "screening_assistant", "block_withheld", "never_answer")
ADOPTIONS = (0.0, 0.25, 0.5, 0.75, 1.0)
CALLER_IDS = ("withheld", "fixed")
SALES_ADOPTIONS = (0.0, 0.5)
REPLICATIONS = 5
SALES_DAYS = 2
SMOKE_TABLE = "harvest.csv"
HARVEST_METRICS = ["n_harvested", "n_harvested_live", "precision", "n_harvested_adopters", "n_dials",
                   "silent_calls", "dials_per_harvest"]
#: The labels of a probe point, the first columns of harvest.csv.
KEYS = ["caller_id", "strategy", "adoption"]


def strategy_mix(strategy: str, adoption: float) -> dict[str, float]:
    """``{answer_all: 1 - adoption, strategy: adoption}`` without zero entries."""
    if strategy == "answer_all" or adoption == 0.0:
        return {"answer_all": 1.0}
    return {k: v for k, v in (("answer_all", 1.0 - adoption), (strategy, adoption)) if v > 0}


def point_overrides(caller_id: str, strategy: str, adoption: float) -> dict:
    """The dotted overrides of one probe point."""
    return {"caller_id.policy": caller_id, "population.strategy_mix": strategy_mix(strategy, adoption)}


def point_config(config: ds.DialerConfig, caller_id: str, strategy: str, adoption: float) -> ds.DialerConfig:
    return ds.apply_overrides(config, point_overrides(caller_id, strategy, adoption))


def harvest_by_day(result: ds.Result, strategy: str) -> pd.DataFrame:
    """Cumulative harvest, its live share, dials and silent calls at the end of each day of a probe run."""
    num, daily = result.numbers, result.daily.query("strategy == 'all'")
    succ = num[num["status"] == "successful"]
    days = daily["day"].to_numpy()
    on_day = succ["status_day"].to_numpy()[:, None] <= days[None, :]
    n = on_day.sum(axis=0)
    n_live = (on_day & succ["harvested_live"].to_numpy()[:, None]).sum(axis=0)
    n_adopt = (on_day & (succ["strategy"] == strategy).to_numpy()[:, None]).sum(axis=0)
    dials = np.cumsum(daily["dials_day"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame({"day": days, "n_harvested": n, "n_harvested_live": n_live,
                             "precision": np.where(n > 0, n_live / np.maximum(n, 1), np.nan),
                             "n_harvested_adopters": n_adopt, "n_dials": dials,
                             "silent_calls": daily["silent_calls"].to_numpy(),
                             "dials_per_harvest": np.where(n > 0, dials / np.maximum(n, 1), np.nan)})


def probe_run(config: ds.DialerConfig, seed: np.random.SeedSequence, params: dict) -> dict:
    """One replication of a probe point: its day-by-day harvest and, with ``sales_days``, both sales campaigns."""
    result = ds.run(config, seed, keep_records=False)
    num = result.numbers
    harvested = num["status"] == "successful"
    unassigned_harvested = int((~num.loc[harvested, "assigned"]).sum())
    if unassigned_harvested:  # the robot's AMD cannot hear a person on a number that is not in service
        raise RuntimeError(f"{unassigned_harvested} unassigned numbers were harvested; the probe model is broken.")
    ids = num.loc[harvested, "number_id"].to_numpy(dtype=np.int64)
    out = {"n_harvested": len(ids), "harvest": harvest_by_day(result, params["strategy"])}
    if params["sales_days"] and len(ids):
        out["sales"] = sales_pair(config, seed, ids, n_days=params["sales_days"])
    return out


def probe_points(caller_ids, strategies, adoptions, *, sales_days: int = 0) -> list[C.Point]:
    """The probe points; adoption 0 once per caller ID (as answer_all), shared by every strategy's curve.

    The first caller ID's points at SALES_ADOPTIONS also run the sales stage (``sales_days`` > 0).
    """
    pts = []
    for cid in caller_ids:
        if 0.0 in adoptions:
            pts.append((cid, "answer_all", 0.0))
        pts += [(cid, s, a) for s in strategies for a in adoptions if a > 0]
    return [C.Point({"caller_id": c, "strategy": s, "adoption": a,
                   "sales_days": sales_days if c == caller_ids[0] and a in SALES_ADOPTIONS else 0},
                  point_overrides(c, s, a)) for c, s, a in pts]


def harvest_table(runs: pd.DataFrame, strategies) -> pd.DataFrame:
    """harvest.csv: every run's days; the adoption-0 run is every strategy's starting point (no adopters)."""
    runs = runs.drop(columns="sales_days")
    zero = runs["adoption"] == 0.0
    parts = [runs[~zero], *(runs[zero].assign(strategy=s, n_harvested_adopters=0) for s in strategies)]
    return pd.concat(parts, ignore_index=True).sort_values([*KEYS, "replication", "day"], kind="stable",
                                                           ignore_index=True)


def sales_table(runs: pd.DataFrame) -> pd.DataFrame:
    """sales.csv: one row per sales point, list and replication."""
    if not len(runs):
        return pd.DataFrame()
    own = [c for c in runs.columns if c not in (*KEYS, "sales_days", "replication", "list")]
    return runs[["strategy", "adoption", "list", "replication", *own]]


def run_probes(config, *, caller_ids, strategies, adoptions, replications, seed, sales_days=SALES_DAYS,
               runner: C.Runner | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every probe point x replication on the sweep engine; the harvest table and the sales table."""
    points = probe_points(caller_ids, strategies, adoptions, sales_days=sales_days)
    res = (runner or C.Runner()).run("probe_harvest", config, points, probe_run, replications=replications,
                                   seed=seed)
    return harvest_table(res.table("harvest"), strategies), sales_table(res.table("sales"))
def _count(v) -> str:
    return "" if v is None or not np.isfinite(v) else f"{v:.0f}"


def headline(harvest: pd.DataFrame, caller_id: str) -> str:
    """One sentence on the unscreened range: first-day harvest and the day 90 % of the final harvest is reached."""
    z = harvest[(harvest["caller_id"] == caller_id) & (harvest["adoption"] == 0.0)]
    if z.empty:
        return ""
    m = z.drop_duplicates(["replication", "day"]).groupby("day")["n_harvested"].mean()
    day90 = int((m >= 0.9 * m.iloc[-1]).idxmax())
    return (f"Without screening (caller ID {caller_id}) the robot harvests {m.iloc[0]:.0f} numbers on day 0 and "
            f"reaches 90 % of its final {m.iloc[-1]:.0f} on day {day90}.")


def report(summary, sales_summ, config, *, replications, seed, caller_ids, harvest) -> str:
    c = config.campaign
    lines = ["# Probing robots: harvest of a number range under screening", "",
             f"{c.n_numbers:,} numbers ({config.population.p_unassigned:.0%} unassigned), {config.probe.n_lines} lines, "
             f"no agents, {c.n_shifts} days; {replications} replications, seed {seed} (common random numbers). "
             + headline(harvest, caller_ids[0]), "",
             "![harvest over days](harvest_days.png)", "", "![harvest against adoption](harvest_adoption.png)", "",
             "![precision](precision.png)", "",
             "| caller ID | strategy | adoption | harvested | live share | dials | silent calls |",
             "|---|---|---|---|---|---|---|"]
    for _, r in summary.iterrows():
        lines.append(f"| {r['caller_id']} | {r['strategy']} | {r['adoption']:.0%} | {r['n_harvested']:.0f} ± "
                     f"{np.nan_to_num(r['n_harvested_ci95']):.0f} | {r['precision']:.1%} | {r['n_dials']:.0f} | "
                     f"{r['silent_calls']:.0f} |")
    lines += ["", f"## Sales stage on the harvest (caller ID {caller_ids[0]} probe)", "", "![sales](sales.png)", "",
              f"Abandonment in the sales stage: the dialer's own drop rate and the {P.regime_name(*A.rule(sales_summ))}"
             if len(sales_summ) and "abandonment_regime" in sales_summ else "", "",
             "| strategy | adoption | list | numbers | contacts / agent-hour | dials / contact | dialer's drop rate, % "
             "| regulator's rate, % |", "|---|---|---|---|---|---|---|---|"]
    for _, r in sales_summ.iterrows():
        lines.append(f"| {r['strategy']} | {r['adoption']:.0%} | {r['list']} | {_count(r.get('n_numbers'))} | "
                     f"{r['contacts_per_agent_hour']:.3g} ± {np.nan_to_num(r['contacts_per_agent_hour_ci95']):.2g} | "
                     f"{r['dials_per_contact']:.3g} ± {np.nan_to_num(r['dials_per_contact_ci95']):.2g} | "
                     f"{A.format_rate(r, 'dialer_drop_rate', decimals=2)} | {A.format_rate(r, 'regime_rate')} |")
    return "\n".join(lines + [""])


def main(config: ds.DialerConfig, out_dir: Path, *, replications: int = REPLICATIONS, seed: int = SEED,
         strategies=STRATEGIES, adoptions=ADOPTIONS, caller_ids=CALLER_IDS, sales_days: int = SALES_DAYS,
         runner: C.Runner | None = None) -> pd.DataFrame:
    """Run both stages (on ``runner``, default one process) and write tables, charts, config.json and
    REPORT.md into ``out_dir``; return the summary."""
    if config.probe is None:
        raise ds.ConfigError("the config must have a [probe] section (a probing robot); got none.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    harvest, sales = run_probes(config, caller_ids=caller_ids, strategies=strategies, adoptions=adoptions,
                                replications=replications, seed=seed, sales_days=sales_days, runner=runner)
    last = harvest[harvest["day"] == harvest["day"].max()]
    summary = C.summarise(last, KEYS, HARVEST_METRICS)
    sales_summ = sales_summary(sales) if len(sales) else pd.DataFrame()
    C.save_csv(harvest, out_dir / "harvest.csv")
    C.save_csv(summary, out_dir / "harvest_summary.csv")
    C.save_csv(sales, out_dir / "sales.csv")
    C.save_csv(sales_summ, out_dir / "sales_summary.csv")
    write_figures(out_dir, harvest, summary, sales_summ, list(caller_ids), list(strategies), sales_days,
                  n_sales_agents=SALES_OVERRIDES["agents.n_agents"])
    C.write_config(out_dir, "probe_harvest", seed=seed, config=config, replications=replications,
                 strategies=list(strategies), adoptions=list(adoptions), caller_ids=list(caller_ids),
                 sales_adoptions=list(SALES_ADOPTIONS), sales_overrides=SALES_OVERRIDES,
                 sales_config=ds.config_to_dict(sales_config(config, n_days=sales_days)))
    C.write_text(out_dir / "REPORT.md", report(summary, sales_summ, config, replications=replications, seed=seed,
                                             caller_ids=caller_ids, harvest=harvest))
    return summary


def smoke_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The --smoke variant: a 1,000-number block over 4 days."""
    return ds.apply_overrides(config, {"campaign.n_numbers": 1000, "campaign.n_shifts": 4})


#: --smoke: adoption 0/50/100 %, the first caller ID, two replications, a one-day sales stage.
SMOKE = {"replications": 2, "adoptions": (0.0, 0.5, 1.0), "caller_ids": ("withheld",), "sales_days": 1}


#: `make demo`: adoption 0/50/100 % for both caller IDs, three replications.
DEMO = {"replications": 3, "adoptions": (0.0, 0.5, 1.0)}
RUNS = C.Sizes(main, smoke=C.Size(smoke_config, SMOKE), demo=C.Size(kwargs=DEMO), replications=REPLICATIONS,
             demo_help="the smaller sweep `make demo` runs")


def run_smoke(out_dir: Path, *, runner: C.Runner | None = None) -> pd.DataFrame:
    """The --smoke run CI compares with tests/data/probe_harvest_smoke.csv."""
    return RUNS.run("smoke", ds.load_config(CONFIG), out_dir, seed=SEED, runner=runner)


def _check(args: argparse.Namespace) -> None:
    """The experiment's own inputs, checked before --out is created."""
    if ds.load_config(args.config).probe is None:
        raise ds.ConfigError(f"--config {str(args.config)!r} must have a [probe] section (a probing robot); got none.")


def cli_main(argv=None) -> int:
    """The command line; returns the exit status (2 with a one-line message on bad input)."""
    return C.cli("probe_harvest", __doc__, CONFIG, SEED, RUNS, argv=argv, check=_check)


if __name__ == "__main__":
    # Run the package's copy of this module, so that workers import probe_run by its name.
    from experiments.probe_harvest import cli_main as _cli_main

    sys.exit(_cli_main())
