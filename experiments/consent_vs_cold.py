"""A cold list against an opt-in list: dials, contacts, complaints, expected fines and net orders.

Question: a call centre can cold-call a bought list (nobody on it consented;
some numbers are on a do-not-call register) or dial, lawfully, its own opt-in
list (express opt-ins from web forms, shops and list brokers, of ages up to
three years, plus existing customers): only numbers whose consent is valid,
unexpired and not registered. With the same screening mix on both lists, how
many dials, live contacts, calls to people who never consented, complaints,
expected fines (a fine is a rare event driven by complaints) and net orders
(orders minus cancellations) does each give? And if the company calls its
opt-in list to renew the consents before they lapse, how much of the list
survives a year later?

Lists (``list`` column): ``cold`` (a bought list, fixed caller ID), ``cold_withheld``
(the same, caller ID withheld, as many cold callers do), ``opt_in`` (a lawful sales
campaign on the opt-in list) and ``renewal`` (a lawful renewal campaign on the same
opt-in list: every contact is asked to renew, the answer recorded as evidence).
The cold list has :data:`COLD_NUMBERS` numbers and the configured team; the opt-in
list :data:`OPT_IN_NUMBERS` with a team of the same size per number (list sizes
are assumptions: no source gives them).

Figures: ``consent_vs_cold.png`` (six measures per list, means with 95 %
intervals), ``renewal.png`` (lawful numbers at the start, at the end and a year
after the end, with and without the renewal campaign).

Tables: ``consent_vs_cold.csv`` (one row per list and replication),
``consent_vs_cold_summary.csv`` (means and 95 % half-widths), ``renewal.csv``
(the opt-in list's survival per list and replication).

Run: ``python experiments/consent_vs_cold.py --out results/consent_vs_cold [--smoke]
[--workers 2 | --scheduler tcp://host:8786]``; killed, the same command resumes.
docs/consumer_world.md explains the model; its defaults are in docs/sources.md §7.5-§7.10.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import dialer_sim as ds
from experiments import _abandonment as A
from experiments import _consumer_charts as charts
from experiments import kit as C
from experiments._consent_campaign import CONFIG, check_config
from experiments.kit import format_ci as _fmt

SEED = 20261203
SMOKE_TABLE = "consent_vs_cold.csv"
LISTS = ("cold", "cold_withheld", "opt_in", "renewal")
#: List sizes (assumptions): a bought list for the configured team, and a company's own opt-in list.
COLD_NUMBERS = 12_000
OPT_IN_NUMBERS = 4_000
#: The opt-in list's consent: 85 % express opt-ins, 15 % customers (who do not count under German law).
OPT_IN_CONSENT = {"consent.mode": "lawful", "consent.p_express_opt_in": 0.85, "consent.p_customer": 0.15}
COLD_CONSENT = {"consent.mode": "cold", "consent.p_express_opt_in": 0.0, "consent.p_customer": 0.0}
REQUIRED = ["list", "replication", "dials", "contacts", "dials_to_non_consented", "complaints", "expected_fine_eur",
            "net_orders"]
METRICS = ["dials", "contacts", "dials_to_non_consented", "dials_to_registered", "complaints",
           "complaints_withheld", "p_fined", "expected_fine_eur", "fined", "orders", "cancellations", "net_orders",
           "paid_agent_hours", "contacts_per_paid_agent_hour", "cost_eur", "cost_per_net_order_eur", "profit_eur",
           "n_listed", "n_lawful_at_start", "n_lawful_at_end", "n_lawful_1y_after_end", "n_renewed", "n_declined",
           "n_withdrawn_in_call", *A.METRICS]


def list_overrides(name: str, base: ds.DialerConfig, *, cold_numbers: int, opt_in_numbers: int) -> dict:
    """The dotted overrides that turn the base campaign into list ``name``."""
    if name.startswith("cold"):
        out = {"campaign.n_numbers": cold_numbers, **COLD_CONSENT}
        return {**out, "caller_id.policy": "withheld"} if name == "cold_withheld" else out
    agents = max(1, round(base.agents.n_agents * opt_in_numbers / cold_numbers))
    out = {"campaign.n_numbers": opt_in_numbers, "agents.n_agents": agents, **OPT_IN_CONSENT}
    return {**out, "consent.purpose": "renewal"} if name == "renewal" else out


def run_point(config: ds.DialerConfig, seed: np.random.SeedSequence, params: dict) -> dict:
    """One replication of one list: the consent ledger's totals and the campaign's economics."""
    r = ds.run(config, seed)
    econ = ds.campaign_economics(r, config.economics, rng=ds.orders_rng(seed))
    s = r.summary
    hours = econ["paid_agent_hours"]
    return {"dials": s["n_dials"], "contacts": s["n_contacts"],
            **{k: s[k] for k in ("dials_to_non_consented", "dials_to_registered", "complaints", "complaints_withheld",
                                 "p_fined", "expected_fine_eur", "n_listed", "n_lawful_at_start", "n_lawful_at_end",
                                 "n_lawful_1y_after_end", "n_renewed", "n_declined", "n_withdrawn_in_call")},
            "fined": float(s["fined"]),
            **{k: econ[k] for k in ("orders", "cancellations", "net_orders", "paid_agent_hours", "cost_eur",
                                    "cost_per_net_order_eur", "profit_eur")},
            "contacts_per_paid_agent_hour": s["n_contacts"] / hours if hours > 0 else np.nan,
            **{k: v for k, v in A.from_summary(s).items()}}


def points(base: ds.DialerConfig, lists=LISTS, *, cold_numbers: int = COLD_NUMBERS,
           opt_in_numbers: int = OPT_IN_NUMBERS) -> list[C.Point]:
    return [C.Point({"list": name}, list_overrides(name, base, cold_numbers=cold_numbers,
                                                   opt_in_numbers=opt_in_numbers)) for name in lists]


def main(config: ds.DialerConfig, out_dir: Path, *, replications: int = 5, seed: int = SEED,
         runner: C.Runner | None = None, cold_numbers: int = COLD_NUMBERS,
         opt_in_numbers: int = OPT_IN_NUMBERS) -> pd.DataFrame:
    """Run every list ``replications`` times; write tables, charts, config.json and REPORT.md; return the runs."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runner = runner or C.Runner()
    res = runner.run("consent_vs_cold", config, points(config, cold_numbers=cold_numbers,
                                                       opt_in_numbers=opt_in_numbers),
                     run_point, replications=replications, seed=seed)
    runs = res.summaries()
    runs = runs[["list", "replication", *[m for m in METRICS if m in runs]]]
    runs = runs[REQUIRED + [c for c in runs.columns if c not in REQUIRED]]
    summary = C.summarise(runs, ["list"], [m for m in METRICS if m in runs])
    renewal = runs[runs["list"].isin(["opt_in", "renewal"])][
        ["list", "replication", "n_listed", "n_lawful_at_start", "n_renewed", "n_declined", "n_lawful_at_end",
         "n_lawful_1y_after_end"]]
    C.save_csv(runs, out_dir / "consent_vs_cold.csv")
    C.save_csv(summary, out_dir / "consent_vs_cold_summary.csv")
    C.save_csv(renewal, out_dir / "renewal.csv")
    C.save_fig(charts.plot_lists(summary), out_dir / "consent_vs_cold.png")
    C.save_fig(charts.plot_renewal(summary), out_dir / "renewal.png")
    C.write_config(out_dir, "consent_vs_cold", seed=seed, config=config, replications=replications,
                   lists={p.params["list"]: p.overrides for p in points(config, cold_numbers=cold_numbers,
                                                                        opt_in_numbers=opt_in_numbers)})
    C.write_text(out_dir / "REPORT.md", report(summary, config, replications, seed, cold_numbers, opt_in_numbers))
    return runs


def report(summary: pd.DataFrame, config: ds.DialerConfig, replications: int, seed: int, cold_numbers: int,
           opt_in_numbers: int) -> str:
    c, k = config, config.consent
    s = summary.set_index("list")
    lines = [
        "# Cold list against opt-in list", "",
        f"{c.campaign.n_shifts} days, pacing {c.pacing.policy}, AMD {c.amd.mode}; screening mix "
        + ", ".join(f"{n} {v:.0%}" for n, v in c.population.strategy_mix.items())
        + f" on every list. Cold list {cold_numbers:,} numbers with {c.agents.n_agents} agents, opt-in list "
        f"{opt_in_numbers:,} numbers with a team of the same size per number. **{replications} replications** per "
        f"list, seed {seed}; ± is a 95 % t half-width across replications.", "",
        f"Complaints: {k.p_complaint_non_consented:.0%} of the people who hear a call without valid consent (or on "
        f"a register) complain, {k.p_complaint_withheld:.0%} of those who hear a withheld one; each complaint opens "
        f"a fine proceeding with probability {k.p_enforcement_per_complaint:.1e} (the Bundesnetzagentur's 2020 "
        f"ratio), one proceeding costs €{k.fine_per_proceeding_eur:,.0f}; the expected fine is that amount times "
        "the probability of at least one proceeding (docs/sources.md §7.8). Net orders are orders minus "
        f"cancellations ({c.economics.p_sale_per_contact:.0%} of contacts order, {c.economics.p_cancel:.0%} of "
        "orders are cancelled).", "",
        "![lists compared](consent_vs_cold.png)", "",
        "| list | dials | contacts | contacts / paid agent-hour | dials to non-consented | complaints "
        "| P(fined) | expected fine, € | net orders | cost / net order, € |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in s.iterrows():
        lines.append(f"| {name} | {_fmt(r, 'dials', ',.0f')} | {_fmt(r, 'contacts', ',.0f')} | "
                     f"{_fmt(r, 'contacts_per_paid_agent_hour', '.2f')} | {_fmt(r, 'dials_to_non_consented', ',.0f')} "
                     f"| {_fmt(r, 'complaints', ',.1f')} | {_fmt(r, 'p_fined', '.2%')} | "
                     f"{_fmt(r, 'expected_fine_eur', ',.0f')} | {_fmt(r, 'net_orders', ',.1f')} | "
                     f"{_fmt(r, 'cost_per_net_order_eur', ',.1f')} |")
    lines += ["", *renewal_lines(s, k), "", "![renewal](renewal.png)", ""]
    return "\n".join(lines)


def renewal_lines(s: pd.DataFrame, k) -> list[str]:
    """The opt-in list's survival with and without the renewal campaign."""
    if not {"opt_in", "renewal"} <= set(s.index):
        return []
    o, r = s.loc["opt_in"], s.loc["renewal"]
    return ["## Opt-in renewal", "",
            f"Of {o['n_listed']:,.0f} numbers on the opt-in list, {o['n_lawful_at_start']:,.0f} may be called "
            f"lawfully on day 0 (valid, unexpired consent through a valid channel, not registered; consents expire "
            f"after {k.validity_days:.0f} days). A year after the campaign, "
            f"{_fmt(o, 'n_lawful_1y_after_end', ',.0f')} are still lawful after a sales campaign and "
            f"{_fmt(r, 'n_lawful_1y_after_end', ',.0f')} after a renewal campaign, which renewed "
            f"{_fmt(r, 'n_renewed', ',.0f')} consents (each answer recorded as evidence; "
            f"{_fmt(r, 'n_declined', ',.0f')} refused, which ends their consent). Renewal can only reach people "
            "whose consent is still valid: asking for consent on the phone is itself an advertising call "
            "(docs/sources.md §7.6)."]


def smoke_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The --smoke variant: 3 agents on 1.3 lines each over 4 days (a fixed ratio instead of the controller)."""
    return ds.apply_overrides(config, {"agents.n_agents": 3, "campaign.n_shifts": 4, "pacing.policy": "ratio",
                                       "pacing.lines_per_agent": 1.3})


SMOKE = {"replications": 2, "cold_numbers": 1200, "opt_in_numbers": 400}
DEMO = {"replications": 3, "cold_numbers": 4000, "opt_in_numbers": 1200}
REPLICATIONS = 5


def demo_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The `make demo` variant: 4 agents over 7 days."""
    return ds.apply_overrides(config, {"agents.n_agents": 4, "campaign.n_shifts": 7})


RUNS = C.Sizes(main, smoke=C.Size(smoke_config, SMOKE), demo=C.Size(demo_config, DEMO), replications=REPLICATIONS,
               replications_help="replications per list (full run)")


def run_smoke(out_dir: Path, runner: C.Runner | None = None) -> pd.DataFrame:
    """The --smoke run CI compares with tests/data/consent_vs_cold_smoke.csv."""
    return RUNS.run("smoke", ds.load_config(CONFIG), out_dir, seed=SEED, runner=runner)


def cli_main(argv=None) -> int:
    """The command line (:func:`experiments.kit.cli`); returns the exit status."""
    return C.cli("consent_vs_cold", __doc__, CONFIG, SEED, RUNS, argv=argv, check=check_config)


if __name__ == "__main__":
    # Run the package's copy of this module, so that workers import run_point by its name.
    from experiments.consent_vs_cold import cli_main as _cli_main

    sys.exit(_cli_main())
