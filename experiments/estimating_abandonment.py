"""How many campaign-days of records does a regulator need to catch a dialer at 4 % against a 3 % limit?

Question
--------
A dialer abandons 4 % of live answers; the limit is 3 %. The regulator collects
``d`` days of the campaign's call records, computes the abandoned-call rate under
its rule (FTC by default) and runs a one-sided exact binomial test of
``H0: p <= 3 %`` at level α = 5 %. How many days are needed for 95 % power?

Method
------
- **Analytic**: with ``n = d · live_answers_per_day`` live answers, the test
  rejects when the abandoned count ``X >= c``, the smallest ``c`` with
  ``P(Bin(n, 0.03) >= c) <= α``; power is ``P(Bin(n, p) >= c)``. Computed at the
  nominal 4 % and at the rate the simulated dialer actually ran at.
- **Simulated**: ``n_replications`` campaigns of ``max_days`` days from
  :func:`dialer_sim.run` with the ``[dialer]`` configuration (Erlang predictive
  pacing, AMD off, tuned so its FTC rate is about 4 %). Each day's records go
  through :func:`dialer_sim.compliance.compliance_rates`; the test runs on the
  first ``d`` days' pooled counts; power is the share of campaigns caught (with a
  Wilson interval). The first ``warmup_days`` shifts are left out: the pacing
  controller starts from its prior and runs hot on its first shift (about 9 %
  against about 3.7 % afterwards), which would make detection trivially easy.
  Unlike the analytic answer, the simulated one carries the
  day-to-day variation of a real pacing controller and a random number of live
  answers per day.
- ``simulation = "bernoulli"`` replaces the model by per-call Bernoulli records
  in the CDR schema (the analytic setting, Poisson answers per day), as a check
  of the pipeline.

Figure: power against days of records, analytic curves and simulated points
with 95 % intervals, and the 95 % power line.

Outputs (``--out DIR``): ``power_vs_days.csv``, ``daily_counts.csv``,
``power_vs_days.png``, ``summary.json``, ``config.json`` (with the root seed).

Run: ``python experiments/estimating_abandonment.py --out DIR [--smoke | --config FILE]
[--workers N | --scheduler ADDRESS] [--force] [--quiet]``. The campaigns are the
replications of one sweep point on the sweep engine (``docs/experiments.md``):
killed, the same command resumes from the finished campaigns.

Conventions
-----------
Rates and powers are proportions; a "day" is one shift of the campaign.
Campaign ``i`` is seeded by child ``i`` of ``SeedSequence(seed)``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

import dialer_sim
from atomicdir import atomic_write, atomic_write_json, staged_dir
from dialer_sim import MAX_DAYS, ConfigError, key_shown, read_toml, shown
from dialer_sim.compliance import REGIMES, binomial_interval, compliance_rates
from dialer_sim.sweep import MAX_REPLICATIONS, MAX_SEED, MAX_WORKERS
from experiments import plotting as P
from experiments.kit import CONFIGS, ExperimentError, Point, Runner, prepare_out, run_command, store_dir
from oneline import OneLineParser

#: Poisson mean of live answers a day in the Bernoulli simulation (a very large campaign).
MAX_LIVE_ANSWERS_PER_DAY = 1_000_000

DEFAULT_CONFIG = CONFIGS / "estimating_abandonment.toml"
SMOKE_CONFIG = CONFIGS / "estimating_abandonment_smoke.toml"
OUTPUTS = ("power_vs_days.csv", "daily_counts.csv", "power_vs_days.png", "summary.json", "config.json")
_KEYS = ("seed", "regime", "limit", "p_dialer", "alpha", "target_power", "max_days", "warmup_days",
         "live_answers_per_day", "n_replications", "simulation", "dialer")  # fmt: skip


def load_experiment_config(path: str | Path) -> dict:
    """Read the experiment's TOML table.

    Raises
    ------
    ConfigError
        If the file is not UTF-8 TOML (the message names the file and the place).
    FileNotFoundError
        If ``path`` does not exist.
    """
    return read_toml(path)


def _int_key(config: dict, name: str, minimum: int, maximum: int) -> None:
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"`{name}` must be an integer >= {minimum}; got {shown(value)}.")
    if value > maximum:
        raise ConfigError(f"`{name}` must be an integer <= {maximum} (the documented bound); got {value}.")


def _proportion_key(config: dict, name: str) -> None:
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < float(value) < 1.0:
        raise ConfigError(f"`{name}` must be a number in (0, 1); got {shown(value)}.")


def check_config(config: dict) -> dict:
    """Validate the experiment's table (every key known, typed and in range); returns it unchanged."""
    unknown = sorted(set(config) - set(_KEYS))
    if unknown:
        raise ConfigError(f"`{key_shown(unknown[0])}` is not a known setting (known: {', '.join(sorted(_KEYS))}).")
    missing = [
        k
        for k in _KEYS
        if k not in config and not (k == "dialer" and config.get("simulation") == "bernoulli")
    ]
    if missing:
        raise ConfigError(f"experiment config is missing {', '.join(missing)}.")
    for name in ("limit", "p_dialer", "alpha", "target_power"):
        _proportion_key(config, name)
    for name, minimum, maximum in (("max_days", 1, MAX_DAYS), ("n_replications", 1, MAX_REPLICATIONS),
                                   ("live_answers_per_day", 1, MAX_LIVE_ANSWERS_PER_DAY),
                                   ("warmup_days", 0, MAX_DAYS), ("seed", 0, MAX_SEED)):  # fmt: skip
        _int_key(config, name, minimum, maximum)
    if not isinstance(config["simulation"], str) or config["simulation"] not in ("model", "bernoulli"):
        raise ConfigError(f"`simulation` must be 'model' or 'bernoulli'; got {shown(config['simulation'])}.")
    if not isinstance(config["regime"], str) or config["regime"] not in REGIMES:
        raise ConfigError(f"`regime` must be one of {', '.join(sorted(REGIMES))}; got {shown(config['regime'])}.")
    if "dialer" in config and not isinstance(config["dialer"], dict):
        raise ConfigError(f"[dialer] must be a table (a campaign configuration); got {shown(config['dialer'])}.")
    if "dialer" in config:
        dialer_sim.config_from_dict(_dialer_table(config))  # every campaign setting checked before --out is made
    return config


def analytic_power(n: np.ndarray, p0: float, p1: float, alpha: float) -> np.ndarray:
    """Power of the one-sided exact binomial test of ``p <= p0`` at level ``alpha`` when ``p = p1``."""
    n = np.asarray(n, dtype=int)
    # binom.isf(alpha) is the smallest k with P(X > k | p0) <= alpha, so c = k + 1 is the
    # smallest critical count with P(X >= c | p0) <= alpha.
    c = stats.binom.isf(alpha, n, p0) + 1
    return stats.binom.sf(c - 1, n, p1)


def rejects(x: np.ndarray, n: np.ndarray, p0: float, alpha: float) -> np.ndarray:
    """Exact one-sided test: P(Bin(n, p0) >= x) <= alpha."""
    return stats.binom.sf(np.asarray(x) - 1, np.asarray(n), p0) <= alpha


def _bernoulli_records(params: dict, *, rng: np.random.Generator) -> pd.DataFrame:
    """Live answers in CDR form: Poisson per day, each abandoned with probability p_dialer."""
    rows = []
    for day in range(int(params["max_days"])):
        n = rng.poisson(params["live_answers_per_day"])
        dial = day * 86_400.0 + 32_400.0 + np.sort(rng.uniform(0.0, 28_800.0, n))
        answer = dial + 6.0
        late = rng.random(n) < params["p_dialer"]
        rows.append(pd.DataFrame({
            "campaign_id": "bernoulli", "day": day, "number_id": np.arange(n), "attempt": 1, "caller_id": "",
            "dial_at_s": dial, "network_outcome": "answered", "ring_s": 6.0, "answer_kind": "human",
            "speech_start_at_s": answer + 0.3, "greeting_end_at_s": answer + 1.0, "amd_label": "",
            "amd_decided_at_s": np.nan, "agent_id": np.where(late, -1, 0),
            "agent_connect_at_s": np.where(late, np.nan, answer + 1.5), "end_at_s": answer + np.where(late, 4.0, 120.0),
            "ended_by": np.where(late, "dialer", "agent"), "disposition": np.where(late, "abandoned", "human_to_agent"),
        }))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def _dialer_table(config: dict) -> dict:
    """The [dialer] campaign with as many shifts as the warm-up and the days of records."""
    campaign = config["dialer"].get("campaign", {})
    if not isinstance(campaign, dict):
        raise ConfigError(f"[dialer.campaign] must be a table; got {shown(campaign)}.")
    n_shifts = int(config["max_days"]) + int(config["warmup_days"])
    return {**config["dialer"], "campaign": {**campaign, "n_shifts": n_shifts}}


#: The settings one simulated campaign depends on (the labels of the sweep's single point).
_RUN_KEYS = ("simulation", "regime", "limit", "warmup_days", "max_days", "live_answers_per_day", "p_dialer")


def campaign_counts(config: dialer_sim.DialerConfig, seed: np.random.SeedSequence, params: dict) -> dict:
    """One simulated campaign: per day after the warm-up, the regime's numerator and denominator."""
    if params["simulation"] == "model":
        records = dialer_sim.run(config, seed).records
    else:  # the Bernoulli records do not read the campaign configuration
        records = _bernoulli_records(params, rng=np.random.default_rng(seed))
    rates = compliance_rates(records, params["regime"], window="day", limit=params["limit"])
    # The regulator's records start after the warm-up shifts.
    warmup = int(params["warmup_days"]) if params["simulation"] == "model" else 0
    day = (rates["window_start_s"] // 86_400.0).astype(int).to_numpy() - warmup
    daily = pd.DataFrame({"day": day, "numerator": rates["numerator"].to_numpy(),
                          "denominator": rates["denominator"].to_numpy()})
    return {"daily": daily[daily["day"] >= 0].reset_index(drop=True)}


def simulate_daily_counts(config: dict, *, runner: Runner | None = None) -> pd.DataFrame:
    """Per replication and day (after the warm-up): the regime's numerator and denominator."""
    model = config["simulation"] == "model"
    base = dialer_sim.config_from_dict(_dialer_table(config)) if model else dialer_sim.DialerConfig()
    point = Point({k: config[k] for k in _RUN_KEYS}, {})
    res = (runner or Runner()).run("estimating_abandonment", base, [point], campaign_counts,
                                   replications=int(config["n_replications"]), seed=int(config["seed"]))
    return res.table("daily")[["replication", "day", "numerator", "denominator"]]


def power_table(daily: pd.DataFrame, config: dict) -> pd.DataFrame:
    """Analytic and simulated power for 1 .. max_days days of records."""
    days = np.arange(1, int(config["max_days"]) + 1)
    wide_x = daily.pivot(index="replication", columns="day", values="numerator").fillna(0.0).cumsum(axis=1)
    wide_n = daily.pivot(index="replication", columns="day", values="denominator").fillna(0.0).cumsum(axis=1)
    realised = float(daily["numerator"].sum() / daily["denominator"].sum())
    n_expected = days * int(config["live_answers_per_day"])
    caught = rejects(np.rint(wide_x.to_numpy()), np.rint(wide_n.to_numpy()), config["limit"], config["alpha"])
    k = caught.sum(axis=0)[: len(days)]
    low, high = binomial_interval(k, np.full(len(days), caught.shape[0]), method="wilson")
    return pd.DataFrame({
        "days": days, "live_answers_expected": n_expected,
        "live_answers_simulated_mean": wide_n.to_numpy().mean(axis=0)[: len(days)],
        "power_analytic_nominal": analytic_power(n_expected, config["limit"], config["p_dialer"], config["alpha"]),
        "power_analytic_realised": analytic_power(n_expected, config["limit"], realised, config["alpha"]),
        "power_simulated": k / caught.shape[0], "power_simulated_ci95_low": low, "power_simulated_ci95_high": high,
        "rate_simulated_pooled": realised,
    })  # fmt: skip


def plot_power(table: pd.DataFrame, config: dict, ax: plt.Axes) -> plt.Axes:
    """Power against days of records (analytic lines, simulated points with Wilson bars)."""
    ax.plot(
        table["days"], table["power_analytic_nominal"], "-", label=f"analytic, p = {config['p_dialer']:.1%}"
    )
    realised = table["rate_simulated_pooled"].iat[0]
    ax.plot(
        table["days"],
        table["power_analytic_realised"],
        "--",
        label=f"analytic, p = {realised:.2%} (simulated)",
    )
    err = [table["power_simulated"] - table["power_simulated_ci95_low"],
           table["power_simulated_ci95_high"] - table["power_simulated"]]  # fmt: skip
    ax.errorbar(table["days"], table["power_simulated"], yerr=err, fmt="o", capsize=3,
                label=f"simulated ({config['simulation']}, {config['n_replications']} campaigns)")  # fmt: skip
    ax.axhline(
        config["target_power"], color="black", lw=1, ls=":", label=f"{config['target_power']:.0%} power"
    )
    ax.set_xlabel("days of records")
    ax.set_ylabel(f"power of the exact test (α = {config['alpha']}),\nshare of campaigns caught")
    ax.set_title(
        f"{P.regime_name(config['regime'])}: detecting {config['p_dialer']:.0%} against a {config['limit']:.0%} limit"
    )
    ax.set_ylim(0, 1.02)
    P.legend_outside(ax)  # the curves and points fill the axes from either corner
    return ax


def _days_needed(days: pd.Series, power: pd.Series, target: float) -> int | None:
    ok = np.flatnonzero(power.to_numpy() >= target)
    return int(days.iat[ok[0]]) if ok.size else None


def main(config: dict, out_dir: str | Path, *, force: bool = False, runner: Runner | None = None) -> dict:
    """Run the experiment (on ``runner``, default one process) and write its outputs; returns the summary."""
    check_config(config)
    out = prepare_out(Path(out_dir), force=force)
    daily = simulate_daily_counts(config, runner=runner)
    table = power_table(daily, config)
    summary = {
        "rate_simulated_pooled": float(table["rate_simulated_pooled"].iat[0]),
        "days_needed_analytic_nominal": _days_needed(table["days"], table["power_analytic_nominal"], config["target_power"]),
        "days_needed_analytic_realised": _days_needed(table["days"], table["power_analytic_realised"], config["target_power"]),
        "days_needed_simulated": _days_needed(table["days"], table["power_simulated"], config["target_power"]),
        "live_answers_per_day_simulated": float(daily["denominator"].mean()),
    }  # fmt: skip
    with staged_dir(out, replaces=OUTPUTS) as folder:  # every output appears together or not at all
        atomic_write(folder / "daily_counts.csv", lambda p: daily.to_csv(p, index=False))
        atomic_write(folder / "power_vs_days.csv", lambda p: table.to_csv(p, index=False))
        fig, ax = plt.subplots(figsize=(10, 4.5), constrained_layout=True)
        try:
            plot_power(table, config, ax)
            atomic_write(folder / "power_vs_days.png", lambda p: fig.savefig(p, format="png", dpi=120))
        finally:
            plt.close(fig)
        atomic_write_json(folder / "summary.json", summary)
        atomic_write_json(folder / "config.json", config)
    return summary


def _runner(args) -> Runner:
    """--workers or --scheduler, checked before anything is created; the work folder beside --out."""
    if not 1 <= args.workers <= MAX_WORKERS:
        raise ExperimentError(f"--workers must be an integer in [1, {MAX_WORKERS}]; got {args.workers}.")
    if args.scheduler is not None and "://" not in args.scheduler:
        raise ExperimentError(f"--scheduler must be an address like tcp://host:8786; got {args.scheduler!r}.")
    return Runner(workers=args.workers, scheduler=args.scheduler, progress=not args.quiet,
                  store=store_dir(args.out))


def cli_main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit status (2 with a one-line message on bad input)."""
    parser = OneLineParser(prog="experiments/estimating_abandonment.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config", type=Path, help="experiment TOML (default: configs/estimating_abandonment.toml)"
    )
    parser.add_argument("--smoke", action="store_true", help="the small CI configuration")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (results do not depend on it)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="run on this Dask scheduler (tcp://host:8786) instead of local workers")
    parser.add_argument("--force", action="store_true", help="replace earlier results in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    args = parser.parse_args(argv)
    path = args.config or (SMOKE_CONFIG if args.smoke else DEFAULT_CONFIG)

    def body() -> None:
        runner = _runner(args)
        summary = main(load_experiment_config(path), args.out, force=args.force, runner=runner)
        shutil.rmtree(runner.store, ignore_errors=True)  # the result set is in place: nothing left to resume
        print(" ".join(f"{k}={v}" for k, v in summary.items()))

    return run_command("estimating_abandonment", args.out, body)

if __name__ == "__main__":
    # Run the package's copy of this module, so that workers import campaign_counts by its name.
    from experiments.estimating_abandonment import cli_main as _cli_main

    sys.exit(_cli_main())
