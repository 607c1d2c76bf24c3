"""Ping calls: how screening strategies protect consumers from costly call-backs, and when the number dies.

Question: a ping dialer rings each number of a 50,000-number range once for 1-5 s
and hangs up, presenting a premium-rate (0900) number or a local-looking number
that forwards to one. As more of the range adopts one screening strategy (0 to
100 %; everybody else answers unknown numbers), how many people call back, how
many premium minutes and euros does it cost them, and how soon do complaints get
the presented number shut down (docs/consumer_world.md, "Ping calls")?

Figures:
- ``callbacks_cost.png``: call-backs and consumers' cost against adoption, a
  line per strategy, one column per kind of number, 95 % bands.
- ``shutdown.png``: hours from the first ping to the regulator's shutdown.

Tables: ``ping_calls.csv`` (one row per number kind, strategy, adoption and
replication: ``pings``, ``missed_calls_seen``, ``callbacks``, ``callbacks_billed``,
``callbacks_unreached``, ``premium_minutes``, ``consumer_cost_eur``, ``complaints``,
``shut_down``, ``shutdown_h``, ``short_rings``), ``ping_calls_summary.csv`` (means
and 95 % t half-widths per point), REPORT.md.

Adoption 0 % is one population (everybody answers unknown numbers), run once per
kind of number and shown at the start of every strategy's line. Every point of a
replication sees the same numbers, rings and call-back draws (common random
numbers), so adoption curves are coupled and smooth.

Run: ``python experiments/ping_calls.py --out results/ping_calls [--smoke | --demo] [--workers 2 |
--scheduler tcp://host:8786]``; killed, the same command resumes (docs/experiments.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import dialer_sim as ds
from dialer_sim.config import NUMBER_KINDS
from experiments import _ping_charts as charts
from experiments import kit as C
from experiments import plotting as P

CONFIG = C.CONFIGS / "ping_campaign.toml"
SEED = 20261203
SMOKE_TABLE = "ping_calls.csv"
#: The number each kind presents (a 0900 premium-rate number; a Bremen-looking local number).
NUMBERS = {"premium": "+499005123456", "local": "+49421123456"}
#: Every strategy but ``answer_all``, whose users make up the rest of the range.
SWEPT = tuple(s for s in ds.STRATEGIES if s != "answer_all")
LEVELS = (0.0, 0.25, 0.5, 0.75, 1.0)
METRICS = ("pings", "missed_calls_seen", "callbacks", "callbacks_billed", "callbacks_unreached", "premium_minutes",
           "consumer_cost_eur", "complaints", "shut_down", "shutdown_h", "short_rings")
SIZES = {
    "full": {"levels": LEVELS, "strategies": SWEPT, "replications": 4, "overrides": {}},
    "demo": {"levels": (0.0, 0.5, 1.0), "strategies": ("screen_unknown", "blocklist", "screening_assistant",
                                                         "silent_answer"), "replications": 3, "overrides": {}},
    "smoke": {"levels": (0.0, 1.0), "strategies": ("screen_unknown", "blocklist", "screening_assistant"),
              "replications": 2, "overrides": {"campaign.n_numbers": 3000, "ping.shutdown_after_n_complaints": 10}},
}


def strategy_mix(strategy: str, adoption: float) -> dict[str, float]:
    """``adoption`` of the range using ``strategy``, the rest answering all."""
    if strategy == "answer_all" or adoption == 0.0:
        return {"answer_all": 1.0}
    mix = {"answer_all": round(1.0 - adoption, 12), strategy: adoption}
    return {k: v for k, v in mix.items() if v > 0}


def points(strategies, levels) -> list[C.Point]:
    """The sweep's points: the 0 % baseline once per kind, then every strategy at every level above 0."""
    out = []
    for kind in NUMBER_KINDS:
        base = {"ping.number_kind": kind, "caller_id.number": NUMBERS[kind]}
        pairs = [("answer_all", 0.0)] + [(s, a) for s in strategies for a in levels if a > 0]
        out += [C.Point({"number_kind": kind, "strategy": s, "adoption": a},
                        {**base, "population.strategy_mix": strategy_mix(s, a)}) for s, a in pairs]
    return out


def run_point(config: ds.DialerConfig, seed: np.random.SeedSequence, params: dict) -> dict:
    """One replication of one point: the ping campaign's totals (docs/consumer_world.md, "Outputs")."""
    s = ds.run(config, seed, keep_records=False).summary
    at = s["ping_first_shutdown_at_s"]
    return {**{k: s[f"ping_{k}"] for k in ("pings", "missed_calls_seen", "callbacks", "callbacks_billed",
                                           "callbacks_unreached", "premium_minutes", "consumer_cost_eur",
                                           "complaints")},
            "shut_down": bool(s["ping_n_numbers_shut_down"] > 0),
            "shutdown_h": (at - config.campaign.shift_start_s) / 3600.0 if np.isfinite(at) else np.nan,
            "short_rings": int(s["n_no_answer"])}  # every unanswered ping rang 1-5 s: each breaks the 15 s rule


def tidy(summaries: pd.DataFrame, strategies) -> pd.DataFrame:
    """One row per (number kind, strategy, adoption, replication); the 0 % rows are repeated per strategy."""
    parts = [summaries[summaries["adoption"] > 0]]
    for name in strategies:
        parts.append(summaries[summaries["adoption"] == 0.0].assign(strategy=name))
    table = pd.concat(parts, ignore_index=True)
    order = {s: i for i, s in enumerate(strategies)}
    kinds = {k: i for i, k in enumerate(NUMBER_KINDS)}
    table = table.sort_values(["number_kind", "strategy", "adoption", "replication"], kind="stable",
                              key=lambda c: c.map(order) if c.name == "strategy" else
                              (c.map(kinds) if c.name == "number_kind" else c))
    table["shut_down"] = table["shut_down"].astype(bool)
    return table[["number_kind", "strategy", "adoption", "replication", *METRICS]].reset_index(drop=True)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Means and 95 % t half-widths per point (``<metric>_mean``, ``<metric>_ci95``)."""
    out = C.summarise(table.assign(shut_down=table["shut_down"].astype(float)),
                      ["number_kind", "strategy", "adoption"], [m for m in METRICS])
    out = out.rename(columns={m: f"{m}_mean" for m in METRICS})
    return out.rename(columns={"shut_down_mean": "shut_down_share"})


def _ci(mean: float, half: float, fmt: str = "{:,.0f}") -> str:
    if not np.isfinite(mean):
        return "—"
    return fmt.format(mean) + ("" if not np.isfinite(half) else f" ± {fmt.format(half)}")


def report(summary: pd.DataFrame, cfg: ds.DialerConfig, *, replications: int, n_points: int) -> str:
    """REPORT.md: the question, the headline per kind of number, and what each strategy spares its users."""
    p = cfg.ping
    n = cfg.campaign.n_numbers
    lines = [
        "# Ping calls: call-backs, consumers' cost and the regulator's shutdown", "",
        f"A ping dialer rings each of {n:,} numbers once on {p.n_lines} lines for {p.ring_s.low:g}–"
        f"{p.ring_s.high:g} s and hangs up. A call-back is billed at {p.eur_per_min['premium']:g} EUR/min "
        f"(premium) or {p.eur_per_min['local']:g} EUR/min (local-looking, forwarded) in started "
        f"{p.billing_increment_s:g} s blocks; {p.shutdown_after_n_complaints} complaints shut the number down "
        f"(docs/sources.md §7.2–§7.3). Call-back probabilities for people who answer unknown numbers: "
        f"premium {p.p_callback['premium']:.0%}, local {p.p_callback['local']:.0%} (assumptions, §7.1). "
        f"{n_points} points × {replications} replications; mean ± 95 % t half-width over replications.", "",
        "## Nobody screens (0 % adoption)", "",
        "| number | pings | missed calls seen | call-backs | billed minutes | consumers' cost, EUR | shut down in | "
        "hours to shutdown |", "|---|---|---|---|---|---|---|---|",
    ]
    base = summary[summary["adoption"] == 0.0].drop_duplicates("number_kind")
    for r in base.itertuples(index=False):
        lines.append(f"| {r.number_kind} | {r.pings_mean:,.0f} | {_ci(r.missed_calls_seen_mean, r.missed_calls_seen_ci95)}"
                     f" | {_ci(r.callbacks_mean, r.callbacks_ci95)} | {_ci(r.premium_minutes_mean, r.premium_minutes_ci95)}"
                     f" | {_ci(r.consumer_cost_eur_mean, r.consumer_cost_eur_ci95)} | {r.shut_down_share:.0%} of runs"
                     f" | {_ci(r.shutdown_h_mean, r.shutdown_h_ci95, '{:.2f}')} |")
    lines += ["", "## Everybody uses one strategy (100 % adoption)", "",
              "| number | strategy | call-backs | consumers' cost, EUR | shut down in | hours to shutdown |",
              "|---|---|---|---|---|---|"]
    top = summary[summary["adoption"] == summary["adoption"].max()]
    for r in top.itertuples(index=False):
        lines.append(f"| {r.number_kind} | {r.strategy} | {_ci(r.callbacks_mean, r.callbacks_ci95)} | "
                     f"{_ci(r.consumer_cost_eur_mean, r.consumer_cost_eur_ci95)} | {r.shut_down_share:.0%} of runs | "
                     f"{_ci(r.shutdown_h_mean, r.shutdown_h_ci95, '{:.2f}')} |")
    short = int(summary["short_rings_mean"].max()) if len(summary) else 0
    lines += [
        "", "## Reading", "",
        "- `screen_unknown`, `never_answer` and `screening_assistant` users never call a ping back: the first two wait "
        "for a message a ping never leaves, the third never sees the call. Their cost falls to zero with adoption.",
        "- `block_withheld`, `silent_answer` and `change_number` protect nobody: a ping shows a number and nobody "
        "needs to answer it. `blocklist` protects only after complaints have flagged the number.",
        "- Fewer call-backs mean fewer complaints, so the number survives longer (or is never shut down): "
        "screening spares its users and slows the regulator at the same time.",
        f"- Every unanswered ping breaks Ofcom's 15 s minimum ring (up to {short:,} per run; "
        "`dialer-sim compliance --ring-rule ofcom_min_ring`, docs/compliance.md).", "",
        "![call-backs and consumers' cost against adoption](callbacks_cost.png)", "",
        "![hours to the regulator's shutdown](shutdown.png)", "",
        "Tables: `ping_calls.csv` (one row per run), `ping_calls_summary.csv` (means and 95 % half-widths).", "",
    ]
    return "\n".join(lines)


def main(config: ds.DialerConfig, out_dir: Path, *, size: str = "full", seed: int = SEED,
         runner: C.Runner | None = None) -> pd.DataFrame:
    """Run the sweep of ``size`` (on ``runner``, default one process), then write the tables, charts and REPORT.md."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    spec = SIZES[size]
    base = ds.apply_overrides(config, spec["overrides"]) if spec["overrides"] else config
    pts = points(spec["strategies"], spec["levels"])
    res = (runner or C.Runner()).run("ping_calls", base, pts, run_point, replications=spec["replications"], seed=seed)
    table = tidy(res.summaries(), spec["strategies"])
    summary = summarise(table)
    C.save_csv(table, out_dir / SMOKE_TABLE)
    C.save_csv(summary, out_dir / "ping_calls_summary.csv")
    charts.plot_callbacks_and_cost(summary, out_dir / "callbacks_cost.png", P=P, save=C.save_fig,
                                   n_pings=base.campaign.n_numbers)
    charts.plot_shutdown(summary, out_dir / "shutdown.png", P=P, save=C.save_fig,
                         threshold=base.ping.shutdown_after_n_complaints)
    C.write_text(out_dir / "REPORT.md", report(summary, base, replications=spec["replications"], n_points=len(pts)))
    C.write_config(out_dir, "ping_calls", seed=seed, config=base, size=size, levels=list(spec["levels"]),
                   strategies=list(spec["strategies"]), replications=spec["replications"], n_points=len(pts))
    return table


RUNS = C.Sizes(main, smoke=C.Size(kwargs={"size": "smoke"}), demo=C.Size(kwargs={"size": "demo"}),
               full=C.Size(kwargs={"size": "full"}), demo_help="the smaller sweep `make demo` runs (a few minutes)")


def run_smoke(out_dir: Path, runner: C.Runner | None = None) -> pd.DataFrame:
    """The ``--smoke`` run CI compares with tests/data/ping_calls_smoke.csv."""
    return RUNS.run("smoke", ds.load_config(CONFIG), Path(out_dir), seed=SEED, runner=runner)


def _check(args) -> None:
    config = ds.load_config(args.config)
    if config.ping is None:
        raise C.ExperimentError(f"--config {str(args.config)!r} has no [ping] section; the sweep needs a ping "
                                "campaign such as experiments/configs/ping_campaign.toml.")


def cli_main(argv=None) -> int:
    """The command line (:func:`experiments.kit.cli`); returns the exit status."""
    return C.cli("ping_calls", __doc__, CONFIG, SEED, RUNS, argv=argv, check=_check)


if __name__ == "__main__":
    # Run the package's copy of this module, so that workers import run_point by its name.
    from experiments.ping_calls import cli_main as _cli_main

    sys.exit(_cli_main())
