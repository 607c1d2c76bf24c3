"""Measured answering-machine detectors in the dialer: abandoned calls and what silent answerers gain.

Question: the AMD benchmark measures, for each audio detector, how often it
calls a live person a machine (human false positive) and how long it takes to
decide. Put each detector's measured behaviour table into the same 30-day list
campaign (``screening_campaign.toml``): how do false positives and decision
latency change the abandoned-call rate as regulators count it (a live answer not
given an agent within the 2 s window, ``regime_rate`` in its four parts), the dialer's
own drops, contacts per agent-hour and agent idle time? And how much do people
who answer and stay silent (``silent_answer``) gain against each detector, next
to people who answer normally (``answer_all``)?

AMD policies (``amd.undecided_action``, docs/model.md): each variant with AMD
runs under ``wait`` (an undecided call waits for the verdict) and
``connect_at_deadline`` (it goes to an agent at the deadline; a late machine
verdict releases the agent). The report says what full compliance costs in agent time.

AMD variants: ``off`` (every answer goes to an agent), ``parametric`` (the
model's confusion rates and delays, docs/model.md) and one ``empirical`` variant
per detector of the benchmark's ``behaviour.csv`` (``--amd-results DIR``; each
detector's rows are written to ``behaviour/DETECTOR.csv`` in the output folder
and sampled per call by :class:`dialer_sim.model.EmpiricalAmd`). Population
mixes: everyone ``answer_all``, and 30 % ``silent_answer``.

The benchmark runs before this experiment, outside its sweep. ``config.json``
records where its table came from, the SHA-256 and row count of the table and of
each detector's file in ``behaviour/``, so the run can be checked against, and
reproduced from, its own record. Each detector's table travels with its sweep
points (part of the sweep's hash), so the runs need no shared filesystem on a
Dask cluster and a resumed run never mixes two benchmark results.

Figures: ``abandon.png`` (the regulator's rate per AMD variant and mix in its
four parts, with the dialer's own drop rate and 95 % intervals),
``fp_vs_abandon.png`` (in-campaign human false-positive rate against the
regulator's rate), ``silent_protection.png`` (per person
and week: calls, silent calls, AMD hang-ups, and the share reached by an agent,
``silent_answer`` against ``answer_all``).

Tables: ``amd_in_the_loop.csv`` (one row per mix, variant, policy and replication),
``amd_in_the_loop_summary.csv``, ``protection.csv`` / ``protection_summary.csv``
(per strategy), ``detectors.csv`` (each table's clip-level human FP rate and
decision latency).

Run: ``python experiments/amd_in_the_loop.py --out results/amd_in_the_loop
[--amd-results results/amd_benchmark] [--smoke] [--workers 2 | --scheduler ADDRESS]``
(docs/experiments.md; killed, the same command resumes).

Conventions
-----------
Rates are proportions in tables, percent in charts and the report. "Per week"
is a per-number total over the campaign's calendar days divided by days / 7.
Replication ``i`` uses child ``i`` of ``SeedSequence(seed)`` for every mix and
variant (common random numbers).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd

import dialer_sim as ds
from callvocab import (
    BEHAVIOUR_COLUMNS,
    BENCHMARK_BEHAVIOUR_COLUMNS,
    HUMAN_KINDS,
    BehaviourTable,
    read_behaviour_table,
)
from experiments import _abandonment as A
from experiments import _amd_tables as T
from experiments import kit as C
from experiments import plotting as P
from experiments._amd_loop_charts import STRATEGIES, plot_abandon, plot_fp_scatter, plot_protection

ROOT = Path(__file__).resolve().parent.parent
CONFIG = C.CONFIGS / "screening_campaign.toml"
AMD_RESULTS = Path("results/amd_benchmark")
SMOKE_BEHAVIOUR = ROOT / "tests" / "data" / "amd_behaviour_smoke.csv"
SEED = 20261123
REPLICATIONS = 3
SMOKE_REPLICATIONS = 2
SMOKE_TABLE = "amd_in_the_loop.csv"
MIXES = {"0 % silent": {"answer_all": 1.0}, "30 % silent": {"answer_all": 0.7, "silent_answer": 0.3}}
METRICS = ["abandon_rate_window_live", "abandon_rate_live", "amd_false_positive_rate_live",
           "contacts_per_agent_hour", "agent_idle_share", "n_live_answers", "late_connect_rate_window_live",
           "agent_s_on_machines", "agent_s_per_machine_answer", "machine_share_of_agent_time", *A.METRICS]
#: amd.undecided_action values compared; AMD off has no detector to wait for (policy "n/a").
AMD_POLICIES = ("wait", "connect_at_deadline")
COST_METRICS = ["abandon_rate_window_live", "late_connect_rate_window_live", "agent_s_per_machine_answer",
                "machine_share_of_agent_time", "contacts_per_agent_hour"]
PROTECTION = ["calls_per_week", "silent_calls_per_week", "amd_hangups_per_week", "successful_share"]


def read_behaviour(amd_results: Path) -> pd.DataFrame:
    """The benchmark's ``behaviour.csv`` (columns ``detector`` plus the behaviour-table columns)."""
    path = Path(amd_results) / "behaviour.csv"
    if not path.is_file():
        raise C.ExperimentError(f"--amd-results: no AMD behaviour table at {str(path)!r}; "
                              "run `amd-bench run` (or `make demo`) first, or pass --amd-results DIR.")
    # Every value checked here, before --out is created, not by the first run that samples the table.
    return read_behaviour_table(path, where="--amd-results", columns=BENCHMARK_BEHAVIOUR_COLUMNS,
                                error=C.ExperimentError)


def detector_table(behaviour: pd.DataFrame) -> pd.DataFrame:
    """Clip-level human FP rate, machine miss rate and median human decision time of each detector."""
    rows = []
    for det, g in behaviour.groupby("detector", sort=False):
        human = g["kind"].isin(list(HUMAN_KINDS))
        rows.append({"detector": det, "n_clips": len(g),
                     "table_human_fp_rate": float((g.loc[human, "label"] == "machine").mean()),
                     "table_machine_to_agent_rate": float((g.loc[~human, "label"] != "machine").mean()),
                     "table_human_decided_median_s": float(g.loc[human, "decided_at_s"].median())})
    return pd.DataFrame(rows)


def variants(tables: dict[str, str]) -> dict[str, dict]:
    """AMD off, parametric, and one empirical variant per measured detector table, held in memory.

    The table travels inside the point's configuration (a :class:`callvocab.BehaviourTable`, pickled to the
    workers, also on a Dask cluster) and enters the sweep's hash by its content hash; its file in the result
    folder is what a reader checks against ``config.json``.
    """
    out: dict[str, dict] = {"off": {"amd.mode": "off"}, "parametric": {"amd.mode": "parametric"}}
    for det, text in tables.items():
        table = BehaviourTable(pd.read_csv(io.StringIO(text)), where=f"behaviour table of {det}", error=C.ExperimentError)
        out[det] = {"amd.mode": "empirical", "amd.table_path": table}
    return out


def variants_record(amd_variants: dict, recorded: dict) -> dict:
    """The variants as ``config.json`` records them: a table held in memory by its file in the result folder."""
    return {name: {k: recorded[name]["path"] if isinstance(v, BehaviourTable) else v for k, v in ov.items()}
            for name, ov in amd_variants.items()}


def protection(numbers: pd.DataFrame, n_days: int) -> list[dict]:
    """Per person and week, for ``answer_all`` and ``silent_answer`` numbers (absent strategies left out)."""
    weeks = n_days / 7.0
    rows = []
    for strategy in STRATEGIES:
        g = numbers[numbers["strategy"] == strategy]
        if g.empty:
            continue
        rows.append({"strategy": strategy, "n_people": len(g),
                     "calls_per_week": g["calls"].mean() / weeks,
                     "silent_calls_per_week": g["silent_calls"].mean() / weeks,
                     "amd_hangups_per_week": g["amd_hangups"].mean() / weeks,
                     "successful_share": float((g["status"] == "successful").mean())})
    return rows


def policies(overrides: dict) -> dict[str, dict]:
    """The ``amd.undecided_action`` settings a variant runs under (none without AMD)."""
    if overrides.get("amd.mode") == "off":
        return {"n/a": {}}
    return {p: {"amd.undecided_action": p} for p in AMD_POLICIES}


def loop_run(config: ds.DialerConfig, seed: np.random.SeedSequence, params: dict) -> dict:
    """One replication of one (mix, AMD variant, AMD policy): the summary metrics and the protection table."""
    result = ds.run(config, seed, keep_records=False)
    s = result.summary
    s = {**s, "machine_share_of_agent_time": s["agent_s_on_machines"] / (3600.0 * s["agent_logged_in_hours"])}
    return {**{m: s[m] for m in METRICS}, **A.from_summary(s),
            "protection": pd.DataFrame(protection(result.numbers, config.campaign.n_shifts))}


def grid_points(amd_variants: dict, mixes: dict) -> list[C.Point]:
    """Every mix x AMD variant x AMD policy; an empirical variant's points carry its behaviour table."""
    points = []
    for mix, shares in mixes.items():
        for name, overrides in amd_variants.items():
            for policy, setting in policies(overrides).items():
                points.append(C.Point({"mix": mix, "variant": name, "policy": policy},
                                    {"population.strategy_mix": dict(shares), **overrides, **setting}))
    return points


def run_grid(config: ds.DialerConfig, amd_variants: dict, mixes: dict, *, replications: int,
             seed: int, runner: C.Runner | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every point x replication on the sweep engine (common random numbers): the run table and protection table."""
    res = (runner or C.Runner()).run("amd_in_the_loop", config, grid_points(amd_variants, mixes), loop_run,
                                   replications=replications, seed=seed)
    return res.summaries(), res.table("protection")


def _pm(r, col: str, scale: float = 100.0, fmt: str = ".2f") -> str:
    return f"{scale * r[col]:{fmt}} ± {scale * np.nan_to_num(r[col + '_ci95']):{fmt.lstrip('+')}}"


def compliance_cost(table: pd.DataFrame) -> pd.DataFrame:
    """Per mix and AMD variant: ``connect_at_deadline`` minus ``wait``, paired by replication (common random numbers)."""
    key = ["mix", "variant", "replication"]
    wait = table[table["policy"] == "wait"].set_index(key)[COST_METRICS]
    now = table[table["policy"] == "connect_at_deadline"].set_index(key)[COST_METRICS]
    diff = (now - wait.reindex(now.index)).reset_index()
    return C.summarise(diff, ["mix", "variant"], COST_METRICS)


def compliance_cost_lines(cost: pd.DataFrame, rule: str) -> list[str]:
    """The report's answer to "what does full compliance cost in agent time?"."""
    lines = ["", "### What does full compliance cost in agent time?", "",
             f"`connect_at_deadline` minus `wait`, paired by replication (± 95 % t). Under `connect_at_deadline` no "
             f"person is connected after the deadline of the {rule}; what remains of the regulator's rate is AMD "
             "false positives and drops for want of an agent. The price is agent time: machines the detector has "
             "not decided by the deadline reach an agent until the late verdict or the agent releases them.", "",
             f"| mix | AMD | Δ abandoned ({rule}), pp | Δ connected late, pp | Δ agent-s per machine answer | "
             "Δ agent time on machines, pp | Δ contacts / agent-h |", "|---|---|---|---|---|---|---|"]
    for _, r in cost.iterrows():
        lines.append(f"| {r['mix']} | {r['variant']} | {_pm(r, 'abandon_rate_window_live', fmt='+.2f')} | "
                     f"{_pm(r, 'late_connect_rate_window_live', fmt='+.2f')} | "
                     f"{_pm(r, 'agent_s_per_machine_answer', 1.0, '+.2f')} | "
                     f"{_pm(r, 'machine_share_of_agent_time', fmt='+.2f')} | "
                     f"{_pm(r, 'contacts_per_agent_hour', 1.0, '+.3f')} |")
    share, contacts = 100 * cost["machine_share_of_agent_time"], cost["contacts_per_agent_hour"]
    return lines + ["", f"In short: across the AMD variants, full compliance changes the agents' time on machines by "
                    f"{share.min():+.2f} to {share.max():+.2f} percentage points and contacts per agent-hour by "
                    f"{contacts.min():+.3f} to {contacts.max():+.3f} (means of the paired differences)."]


def report(summary: pd.DataFrame, psum: pd.DataFrame, detectors: pd.DataFrame, cost: pd.DataFrame,
           config: ds.DialerConfig, *, replications: int, seed: int, source: str) -> str:
    """REPORT.md fragment: the abandoned rates per variant and the silent answerers' gain."""
    lines = [
        f"## AMD in the loop: measured detectors in a {config.campaign.n_shifts}-day list campaign", "",
        f"`{config.campaign.campaign_id}`: {config.agents.n_agents} agents, {config.campaign.n_numbers} numbers, "
        f"{config.campaign.n_shifts} days, pacing {config.pacing.policy}, {config.abandon.window_s:g} s window from "
        f"{config.abandon.clock_start}; AMD behaviour tables from `{source}`; {replications} replications, "
        f"seed {seed} (common random numbers). ± is a 95 % t half-width.", "",
        "| detector table | clips | human FP (clips) | machines to agent (clips) | median human decision, s |",
        "|---|---|---|---|---|",
    ]
    for _, d in detectors.iterrows():
        lines.append(f"| {d['detector']} | {d['n_clips']} | {d['table_human_fp_rate']:.1%} | "
                     f"{d['table_machine_to_agent_rate']:.1%} | {d['table_human_decided_median_s']:.2f} |")
    rule = f"{config.abandon.window_s:g} s rule from {config.abandon.clock_start}"
    lines += ["", "![abandoned calls per AMD variant](abandon.png)", "", *headline(summary, replications), "",
              "The charts show the AMD policy `wait` (AMD off has no AMD policy), as their titles say. The table shows "
              "both policies.", "",
              f"| mix | AMD | policy | abandoned ({rule}), % | of which connected late, % | dialer drops, % | "
              "AMD human FP, % | contacts / agent-h | agent-s per machine answer | agent time on machines, % "
              "| agent idle, % |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for _, r in summary.iterrows():
        lines.append(f"| {r['mix']} | {r['variant']} | {r['policy']} | {_pm(r, 'abandon_rate_window_live', fmt='.1f')}"
                     f" | {_pm(r, 'late_connect_rate_window_live', fmt='.1f')} | {_pm(r, 'abandon_rate_live')} | "
                     f"{_pm(r, 'amd_false_positive_rate_live', fmt='.1f')} | {_pm(r, 'contacts_per_agent_hour', 1.0)}"
                     f" | {_pm(r, 'agent_s_per_machine_answer', 1.0)} | {_pm(r, 'machine_share_of_agent_time')} | "
                     f"{_pm(r, 'agent_idle_share', fmt='.1f')} |")
    lines += compliance_cost_lines(cost, rule)
    lines += ["", "![false positives against abandoned calls](fp_vs_abandon.png)", "",
              "![silent answerers against each detector](silent_protection.png)", "",
              "| mix | AMD | policy | strategy | calls / week | silent calls / week | AMD hang-ups / week | reached, % |",
              "|---|---|---|---|---|---|---|---|"]
    for _, p in psum.iterrows():
        lines.append(f"| {p['mix']} | {p['variant']} | {p['policy']} | {p['strategy']} | "
                     f"{_pm(p, 'calls_per_week', 1.0)} | "
                     f"{_pm(p, 'silent_calls_per_week', 1.0, '.3f')} | {_pm(p, 'amd_hangups_per_week', 1.0, '.3f')} | "
                     f"{_pm(p, 'successful_share', fmt='.1f')} |")
    lines.append("")
    return "\n".join(lines)


def headline(summary: pd.DataFrame, replications: int) -> list[str]:
    """Per AMD variant (everyone answering as usual): both rates (also ``headline.md`` for `make demo`)."""
    g = summary[summary["mix"] == summary["mix"].iloc[0]].assign(
        amd=lambda t: t["variant"] + np.where(t["variant"].isin(["off", "parametric"]), "", " (measured table)")
        + np.where(t["policy"] == "n/a", "", ", " + t["policy"].str.replace("_", " ")))
    return [f"Population {g['mix'].iloc[0]}; `parametric` is the model's fallback, not a measured detector.", "",
            *A.headline_table(g, "amd", "AMD variant", n_replications=replications)]


def behaviour_source(amd_results: Path, behaviour: pd.DataFrame | None,
                     name: str | None = None) -> tuple[pd.DataFrame, dict]:
    """The benchmark's multi-detector table and its record: path (or ``name``), SHA-256 of the file, rows."""
    if behaviour is not None:
        return behaviour, {"path": name or "given table", "n_rows": len(behaviour)}
    path = Path(amd_results) / "behaviour.csv"
    table = read_behaviour(amd_results)
    return table, {"path": str(path), "sha256": T.sha256_file(path), "n_rows": len(table)}


def main(config: ds.DialerConfig, out_dir: Path, *, amd_results: Path = AMD_RESULTS,
         behaviour: pd.DataFrame | None = None, behaviour_name: str | None = None, mixes: dict | None = None,
         replications: int = REPLICATIONS, seed: int = SEED, runner: C.Runner | None = None) -> pd.DataFrame:
    """Run every mix and AMD variant (on ``runner``, default one process); write the tables, three charts,
    config.json and REPORT.md.

    ``behaviour`` (the benchmark's multi-detector table, named ``behaviour_name`` in the record) overrides
    ``amd_results/behaviour.csv``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    behaviour, source = behaviour_source(amd_results, behaviour, behaviour_name)
    mixes = MIXES if mixes is None else mixes
    tables = T.detector_tables(behaviour, BEHAVIOUR_COLUMNS)
    recorded = T.write_tables(tables, out_dir)
    amd_variants = variants(tables)
    table, prot = run_grid(config, amd_variants, mixes, replications=replications, seed=seed, runner=runner)
    summary = C.summarise(table, ["mix", "variant", "policy"], METRICS)
    summary["abandonment_regime"], summary["abandonment_clock"] = A.rule(table)
    psum = C.summarise(prot, ["mix", "variant", "policy", "strategy"], PROTECTION)
    detectors = detector_table(behaviour)
    cost = compliance_cost(table)
    for df, name in ((table, "amd_in_the_loop.csv"), (summary, "amd_in_the_loop_summary.csv"),
                     (prot, "protection.csv"), (psum, "protection_summary.csv"), (detectors, "detectors.csv"),
                     (cost, "compliance_cost.csv")):
        C.save_csv(df, out_dir / name)
    today, ptoday = (df[df["policy"] != "connect_at_deadline"] for df in (summary, psum))  # charts: today's dialer
    today.attrs["window_s"] = config.abandon.window_s
    today.attrs["pacing"] = ptoday.attrs["pacing"] = config.pacing.policy
    fig, axes = P.figure(1, today["mix"].nunique(), size=(14, 5.5), sharey=True, squeeze=False)
    C.save_fig(plot_abandon(list(axes[0]), today)[0].figure, out_dir / "abandon.png")
    fig, ax = P.figure(size=(10, 6))
    C.save_fig(plot_fp_scatter(ax, today).figure, out_dir / "fp_vs_abandon.png")
    if (prot["strategy"] == "silent_answer").any():
        fig, axes = P.figure(4, 1, size=(10, 11), sharex=True)
        C.save_fig(plot_protection(axes, ptoday)[0].figure, out_dir / "silent_protection.png")
    C.write_config(out_dir, "amd_in_the_loop", seed=seed, config=config, replications=replications, mixes=mixes,
                 amd_variants=variants_record(amd_variants, recorded), behaviour_source=source,
                 behaviour_tables=recorded)
    C.write_text(out_dir / "headline.md", "\n".join(headline(summary, replications)) + "\n")
    C.write_text(out_dir / "REPORT.md", report(summary, psum, detectors, cost, config, replications=replications,
                                            seed=seed, source=source["path"]))
    return summary


def smoke_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The --smoke campaign: 3 agents, 2000 numbers, 10 days."""
    return ds.apply_overrides(config, {"agents.n_agents": 3, "campaign.n_numbers": 2000, "campaign.n_shifts": 10})


def run_smoke(out_dir: Path, *, runner: C.Runner | None = None, seed: int = SEED,
              config: ds.DialerConfig | None = None):
    """The --smoke run on tests/data/amd_behaviour_smoke.csv (CI compares it with tests/data/)."""
    base = ds.load_config(CONFIG) if config is None else config
    return main(smoke_config(base), out_dir, behaviour=pd.read_csv(SMOKE_BEHAVIOUR),
                behaviour_name=str(SMOKE_BEHAVIOUR.relative_to(ROOT)), replications=SMOKE_REPLICATIONS, seed=seed,
                runner=runner)


def demo_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The `make demo` campaign: 4 agents, 6,000 numbers, 12 days (a list that lasts the campaign)."""
    return ds.apply_overrides(config, {"agents.n_agents": 4, "campaign.n_numbers": 6000, "campaign.n_shifts": 12})


def _args(p) -> None:
    p.add_argument("--amd-results", type=Path, default=AMD_RESULTS,
                   help="folder of an `amd-bench run` holding behaviour.csv (ignored with --smoke)")
    p.add_argument("--demo", action="store_true", help="the smaller campaign `make demo` runs")


def _run(args, config: ds.DialerConfig) -> None:
    if args.smoke:
        run_smoke(args.out, runner=args.runner, seed=args.seed, config=config)
    else:
        main(demo_config(config) if args.demo else config, args.out, amd_results=args.amd_results, seed=args.seed,
             runner=args.runner)


def _check(args) -> None:
    if not args.smoke:
        read_behaviour(args.amd_results)  # fail before --out is created


def cli_main(argv=None) -> int:
    """The command line (the shared one of every experiment); returns the exit status."""
    return C.cli("amd_in_the_loop", __doc__, CONFIG, SEED, _run, argv=argv, extra_args=_args, check=_check)


if __name__ == "__main__":
    # Run the package's copy of this module, so that workers import loop_run by its name.
    from experiments.amd_in_the_loop import cli_main as _cli_main

    sys.exit(_cli_main())
