"""What screening costs a call centre: cost per net order and profit against cancellations and screening.

Question: a client pays per net order (an order that is not cancelled) and
tolerates a planned cancellation quota of 20-90 % depending on the product; the
call centre pays its agents per hour and a commission per net order, its
telephony per minute and per attempt, and risks a complaint-driven fine. As
more of the population screens unknown callers, at what screening share does
cold calling stop paying at each cancellation rate, and when does the lawful
opt-in list win? Three lists meet the same team and screening share:

- ``cold``: a bought list, a random sample of a number range (some numbers are
  not in service), nobody consented;
- ``harvest``: the numbers a probing robot harvested from the same range (the
  robot's AMD called a person; ``dialer_sim.config.ProbeConfig``), nobody
  consented; its costs include the robot's telephony and its complaints (it
  withholds its number and leaves silent calls);
- ``opt_in``: the company's own opt-in list, dialled lawfully (valid,
  unexpired, unregistered consent only); a consented person who saved the
  company's number sees its name and is not screened.

Each run's orders are drawn once per contact; every cancellation rate reuses
the same draws (common random numbers), so the cancellation sweep costs no
extra simulation.

Figures: ``profit.png`` (profit against screening share per cancellation
rate), ``cost_per_net_order.png`` (at the configured cancellation rate, with the
break-even line).

Tables: ``campaign_economics.csv`` (list, cancellation rate, screening share,
replication: orders, net orders, costs), ``campaign_economics_summary.csv``
(means and 95 % half-widths), ``break_even.csv`` (per list and cancellation
rate: the screening share where the mean profit crosses zero).

Run: ``python experiments/campaign_economics.py --out results/campaign_economics [--smoke]
[--workers 2 | --scheduler tcp://host:8786]``; killed, the same command resumes.
docs/consumer_world.md explains the model; its defaults are in docs/sources.md §7.5-§7.10.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import dialer_sim as ds
from dialer_sim.model import p_fined
from dialer_sim.records import active_agent_hours, billable_minutes, draw_orders, sales_contacts
from experiments import _consumer_charts as charts
from experiments import kit as C
from experiments._consent_campaign import CONFIG, check_config
from experiments.kit import format_ci as _fmt

SEED = 20261204
SMOKE_TABLE = "campaign_economics.csv"
LISTS = ("cold", "opt_in", "harvest")
SHARES = (0.0, 0.2, 0.4, 0.6, 0.8)
RATES = tuple(round(0.1 * i, 1) for i in range(2, 10))
REQUIRED = ["list", "cancellation_rate", "screening_share", "replication", "orders", "net_orders", "cost_eur",
            "cost_per_net_order_eur"]
#: Each scale: the sales campaign every list meets (``agents`` for ``days``, sized so that a list of ``cold``
#: numbers lasts about the campaign: some 100 numbers leave a list per agent and working day), the number range,
#: the lists' sizes (assumptions), the probing robot, and the screening shares and cancellation rates swept.
#: A point names its scale (``params["scale"]``).
SCALES = {
    "full": {"agents": 5, "days": 5, "range": 10_000, "cold": 4_000, "opt_in": 4_000, "p_unassigned": 0.3,
             "probe_days": 6, "probe_lines": 3, "shares": SHARES, "rates": RATES},
    "demo": {"agents": 4, "days": 4, "range": 5_000, "cold": 2_000, "opt_in": 2_000, "p_unassigned": 0.3,
             "probe_days": 4, "probe_lines": 3, "shares": (0.0, 0.4, 0.8), "rates": RATES},
    "smoke": {"agents": 2, "days": 3, "range": 2_000, "cold": 800, "opt_in": 800, "p_unassigned": 0.3,
              "probe_days": 2, "probe_lines": 3, "shares": (0.0, 0.9), "rates": (0.2, 0.5, 0.9)},
}
OPT_IN_CONSENT = {"consent.mode": "lawful", "consent.p_express_opt_in": 0.85, "consent.p_customer": 0.15}
COLD_CONSENT = {"consent.mode": "cold", "consent.p_express_opt_in": 0.0, "consent.p_customer": 0.0}
SAMPLE_STREAM = 1_000_003


def point_overrides(name: str, share: float, sizes: dict) -> dict:
    mix = {"answer_all": round(1.0 - share, 10), "screen_unknown": share}
    out = {"population.strategy_mix": {k: v for k, v in mix.items() if v > 0}}
    if name == "opt_in":
        return {**out, "campaign.n_numbers": sizes["opt_in"], "population.p_unassigned": 0.0, **OPT_IN_CONSENT}
    return {**out, "campaign.n_numbers": sizes["range"], "population.p_unassigned": sizes["p_unassigned"],
            **COLD_CONSENT}


def probe_config(config: ds.DialerConfig, *, days: int, lines: int) -> ds.DialerConfig:
    """The probing robot on the same range and population: no agents, withheld caller ID, 08:00-20:00."""
    data = ds.config_to_dict(config)
    data["probe"] = {"n_lines": lines}
    data["agents"]["n_agents"] = 0
    data["caller_id"]["policy"] = "withheld"
    data["campaign"].update(n_shifts=days, shift_start_s=28800.0, shift_length_s=43200.0)
    data["network"]["ring_timeout_s"] = 15.0
    return ds.config_from_dict(data)


def sample_range(n_numbers: int, size: int, seed: np.random.SeedSequence) -> np.ndarray:
    """``size`` distinct numbers of the range, ascending, from the replication's sample stream."""
    rng = np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, SAMPLE_STREAM)))
    return np.sort(rng.choice(n_numbers, size=min(size, n_numbers), replace=False))


def run_point(config: ds.DialerConfig, seed: np.random.SeedSequence, params: dict) -> dict:
    """One replication of one (list, screening share): campaign totals and the table over cancellation rates."""
    sizes, name = SCALES[params["scale"]], params["list"]
    extra = {"dials": 0, "connected_min": 0.0, "complaints": 0}
    dial_list = None
    if name == "cold":
        dial_list = sample_range(config.campaign.n_numbers, sizes["cold"], seed)
    elif name == "harvest":
        probe = ds.run(probe_config(config, days=sizes["probe_days"], lines=sizes["probe_lines"]), seed)
        num = probe.numbers
        dial_list = num.loc[num["status"] == "successful", "number_id"].to_numpy(dtype=np.int64)
        extra = {"dials": probe.summary["n_dials"], "connected_min": billable_minutes(probe.records),
                 "complaints": probe.summary["complaints"]}
        if len(dial_list) == 0:
            raise C.ExperimentError("the probing robot harvested no number; the range is too small.")
    r = ds.run(config, seed, dial_list=dial_list)
    s, e = r.summary, config.economics
    complaints = s["complaints"] + extra["complaints"]
    fine = p_fined(complaints, config.consent.p_enforcement_per_complaint) * config.consent.fine_per_proceeding_eur
    hours = active_agent_hours(r.daily)
    draws = draw_orders(sales_contacts(r.numbers), rng=ds.orders_rng(seed))
    rows = []
    for rate in sizes["rates"]:
        n = draws.counts(e.p_sale_per_contact, rate)
        costs = ds.campaign_costs(e, agent_hours=hours, n_dials=s["n_dials"] + extra["dials"],
                                  connected_min=billable_minutes(r.records) + extra["connected_min"],
                                  orders=n["orders"], net_orders=n["net_orders"], expected_fine_eur=fine)
        rows.append({"cancellation_rate": rate, **n, **costs})
    return {"n_numbers_dialled": len(r.numbers), "dials": s["n_dials"] + extra["dials"], "contacts": s["n_contacts"],
            "complaints": complaints, "paid_agent_hours": hours, "economics": pd.DataFrame(rows)}


def points(lists, scale: str) -> list[C.Point]:
    sizes = SCALES[scale]
    return [C.Point({"list": name, "screening_share": share, "scale": scale}, point_overrides(name, share, sizes))
            for name in lists for share in sizes["shares"]]


def break_even(summary: pd.DataFrame) -> pd.DataFrame:
    """Per list and cancellation rate: where the mean profit crosses zero as screening grows."""
    rows = []
    for (name, rate), g in summary.groupby(["list", "cancellation_rate"], sort=False):
        g = g.sort_values("screening_share")
        x, y = g["screening_share"].to_numpy(), g["profit_eur"].to_numpy()
        if y[0] <= 0:
            share, verdict = 0.0, "never pays"
        elif (y > 0).all():
            share, verdict = np.nan, f"pays at every share run (up to {x[-1]:.0%})"
        else:
            i = int(np.argmax(y <= 0))
            share = x[i - 1] + (0.0 - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1])
            verdict = f"stops paying at about {share:.0%}"
        rows.append({"list": name, "cancellation_rate": rate, "break_even_share": share, "verdict": verdict})
    return pd.DataFrame(rows)


def lawful_wins(summary: pd.DataFrame) -> pd.DataFrame:
    """Per cancellation rate and share: whether the opt-in list's cost per net order is below the cold list's."""
    w = summary.pivot_table(index=["cancellation_rate", "screening_share"], columns="list",
                            values="cost_per_net_order_eur").reset_index()
    w["opt_in_wins"] = (w["opt_in"] < w["cold"]) | (w["cold"].isna() & w["opt_in"].notna())
    return w


def main(config: ds.DialerConfig, out_dir: Path, *, replications: int = 4, seed: int = SEED,
         runner: C.Runner | None = None, lists=LISTS, scale: str = "full") -> pd.DataFrame:
    """Run every (list, screening share) of ``scale`` ``replications`` times; write tables, charts, config.json
    and REPORT.md into ``out_dir``; return the table of every run and cancellation rate."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = SCALES[scale]
    rates = sizes["rates"]
    base = ds.apply_overrides(config, {"agents.n_agents": sizes["agents"], "campaign.n_shifts": sizes["days"]})
    runner = runner or C.Runner()
    res = runner.run("campaign_economics", base, points(lists, scale), run_point,
                     replications=replications, seed=seed)
    totals = res.summaries()
    econ = res.table("economics")
    table = econ.merge(totals[["list", "screening_share", "replication", "n_numbers_dialled", "dials", "contacts",
                               "complaints", "paid_agent_hours"]], on=["list", "screening_share", "replication"])
    table = table[REQUIRED + [c for c in table.columns if c not in REQUIRED and c != "scale"]]
    table = table.sort_values(["list", "cancellation_rate", "screening_share", "replication"], kind="stable",
                              key=lambda c: c.map({n: i for i, n in enumerate(lists)}) if c.name == "list" else c)
    table = table.reset_index(drop=True)
    metrics = ["orders", "net_orders", "cost_eur", "cost_per_net_order_eur", "profit_eur", "expected_fine_eur",
               "wages_eur", "telephony_eur", "commission_eur", "revenue_eur", "dials", "contacts", "complaints",
               "paid_agent_hours", "n_numbers_dialled"]
    summary = C.summarise(table, ["list", "cancellation_rate", "screening_share"], metrics)
    summary["revenue_per_net_order_eur"] = base.economics.revenue_eur_per_net_order
    be, wins = break_even(summary), lawful_wins(summary)
    C.save_csv(table, out_dir / "campaign_economics.csv")
    C.save_csv(summary, out_dir / "campaign_economics_summary.csv")
    C.save_csv(be, out_dir / "break_even.csv")
    shown = [r for r in (0.2, 0.4, 0.6, 0.9) if np.isclose(rates, r).any()] or [rates[0]]
    C.save_fig(charts.plot_profit(summary, shown), out_dir / "profit.png")
    default = min(rates, key=lambda r: abs(r - base.economics.p_cancel))
    C.save_fig(charts.plot_break_even(summary, default), out_dir / "cost_per_net_order.png")
    C.write_config(out_dir, "campaign_economics", seed=seed, config=base, replications=replications,
                   lists=list(lists), scale=scale, sizes={k: list(v) if isinstance(v, tuple) else v
                                                          for k, v in sizes.items()})
    C.write_text(out_dir / "REPORT.md", report(summary, be, wins, base, replications, seed, sizes, default))
    return table


def report(summary, be, wins, config, replications, seed, sizes, default) -> str:
    e, k = config.economics, config.consent
    lines = [
        "# What screening costs a campaign", "",
        f"Each list meets the same sales campaign: {config.agents.n_agents} agents, {config.campaign.n_shifts} days, "
        f"pacing {config.pacing.policy}, a fixed caller ID. Cold list: {sizes['cold']:,} numbers sampled from a "
        f"{sizes['range']:,}-number range ({sizes['p_unassigned']:.0%} not in service); harvest list: what a "
        f"{sizes['probe_lines']}-line probing robot harvested from the same range in {sizes['probe_days']} days; "
        f"opt-in list: {sizes['opt_in']:,} numbers, dialled lawfully. The screening share is the share of people "
        "who send unknown callers to voicemail (`screen_unknown`); the rest answer as usual. "
        f"**{replications} replications** per point, seed {seed}; ± is a 95 % t half-width across replications.", "",
        f"Money: {e.p_sale_per_contact:.0%} of contacts order; €{e.agent_wage_eur_per_h:.2f} per paid agent-hour "
        f"(agents go home once a list has run dry), €{e.telephony_eur_per_min} per connected minute, "
        f"€{e.telephony_eur_per_attempt} per attempt, €{e.commission_eur_per_net_order:.0f} commission and "
        f"€{e.revenue_eur_per_net_order:.0f} revenue per net order; the expected fine from complaints "
        f"({k.p_complaint_non_consented:.0%} of unlawful calls a person heard, {k.p_complaint_withheld:.0%} of "
        "withheld ones; docs/sources.md §7.8). Profit = revenue − costs − expected fine.", "",
        "## When does cold calling stop paying?", "",
        "| cancellation rate | cold list | harvest list | opt-in list |", "|---|---|---|---|"]
    verdict = be.set_index(["list", "cancellation_rate"])["verdict"]
    for rate in sorted(be["cancellation_rate"].unique()):
        cells = [verdict.get((n, rate), "–") for n in ("cold", "harvest", "opt_in")]
        lines.append(f"| {rate:.0%} | " + " | ".join(cells) + " |")
    lines += ["", "The break-even share is where the mean profit curve crosses zero (linear between the shares "
              "run).", "", "![profit](profit.png)", "", "## When does the lawful list win?", "",
              *win_lines(wins), "", "![cost per net order](cost_per_net_order.png)", "",
              "| list | screening share | orders | net orders | cost, € | cost / net order, € | profit, € "
              "| expected fine, € |", "|---|---|---|---|---|---|---|---|"]
    sub = summary[np.isclose(summary["cancellation_rate"], default)]
    for _, r in sub.iterrows():
        lines.append(f"| {r['list']} | {r['screening_share']:.0%} | {_fmt(r, 'orders', '.1f')} | "
                     f"{_fmt(r, 'net_orders', '.1f')} | {_fmt(r, 'cost_eur', ',.0f')} | "
                     f"{_fmt(r, 'cost_per_net_order_eur', ',.1f')} | {_fmt(r, 'profit_eur', ',.0f')} | "
                     f"{_fmt(r, 'expected_fine_eur', ',.0f')} |")
    lines += ["", f"(The table is at {default:.0%} cancellations; campaign_economics_summary.csv has every rate.)", ""]
    return "\n".join(lines)


def win_lines(wins: pd.DataFrame) -> list[str]:
    """One line per cancellation rate: the screening shares where the opt-in list's cost per net order is lower."""
    out = ["The opt-in list wins where its mean cost per net order is below the cold list's (a comparison of "
           "means: where the two 95 % intervals overlap on the chart, the difference is not resolved by these "
           "replications):", ""]
    for rate, g in wins.groupby("cancellation_rate"):
        won = g.loc[g["opt_in_wins"], "screening_share"]
        where = ("at every share run" if len(won) == len(g) else "at no share run" if len(won) == 0
                 else "at " + ", ".join(f"{s:.0%}" for s in won))
        out.append(f"- {rate:.0%} cancellations: {where}.")
    return out


def smoke_config(config: ds.DialerConfig) -> ds.DialerConfig:
    """The --smoke variant: a fixed dialling ratio instead of the adaptive controller."""
    return ds.apply_overrides(config, {"pacing.policy": "ratio", "pacing.lines_per_agent": 1.3})


SMOKE = {"replications": 2, "scale": "smoke"}
DEMO = {"replications": 3, "scale": "demo"}
REPLICATIONS = 4


RUNS = C.Sizes(main, smoke=C.Size(smoke_config, SMOKE), demo=C.Size(kwargs=DEMO), replications=REPLICATIONS)


def run_smoke(out_dir: Path, runner: C.Runner | None = None) -> pd.DataFrame:
    """The --smoke run CI compares with tests/data/campaign_economics_smoke.csv."""
    return RUNS.run("smoke", ds.load_config(CONFIG), out_dir, seed=SEED, runner=runner)


def cli_main(argv=None) -> int:
    """The command line (:func:`experiments.kit.cli`); returns the exit status."""
    return C.cli("campaign_economics", __doc__, CONFIG, SEED, RUNS, argv=argv, check=check_config)


if __name__ == "__main__":
    # Run the package's copy of this module, so that workers import run_point by its name.
    from experiments.campaign_economics import cli_main as _cli_main

    sys.exit(_cli_main())
