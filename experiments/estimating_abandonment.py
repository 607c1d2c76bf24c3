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

Conventions
-----------
Rates and powers are proportions; a "day" is one shift of the campaign.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

import dialer_sim  # noqa: E402
from dialer_sim._io import atomic_write, atomic_write_json, prepare_out_dir, staged_dir  # noqa: E402
from dialer_sim.compliance import REGIMES, binomial_interval, compliance_rates  # noqa: E402
from dialer_sim.errors import ConfigError, DialerSimError  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402
import plotting as P  # noqa: E402
from _common import OneLineParser  # noqa: E402

from dialer_sim._inputs import read_toml  # noqa: E402
from dialer_sim._limits import MAX_DAYS, MAX_REPLICATIONS, MAX_SEED, key_shown, shown  # noqa: E402

#: Poisson mean of live answers a day in the Bernoulli simulation (a very large campaign).
MAX_LIVE_ANSWERS_PER_DAY = 1_000_000

CONFIGS = Path(__file__).parent / "configs"
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


def _bernoulli_records(config: dict, *, rng: np.random.Generator) -> pd.DataFrame:
    """Live answers in CDR form: Poisson per day, each abandoned with probability p_dialer."""
    rows = []
    for day in range(int(config["max_days"])):
        n = rng.poisson(config["live_answers_per_day"])
        dial = day * 86_400.0 + 32_400.0 + np.sort(rng.uniform(0.0, 28_800.0, n))
        answer = dial + 6.0
        late = rng.random(n) < config["p_dialer"]
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


def simulate_daily_counts(config: dict) -> pd.DataFrame:
    """Per replication and day (after the warm-up): the regime's numerator and denominator."""
    root = np.random.SeedSequence(int(config["seed"]))
    warmup = int(config["warmup_days"]) if config["simulation"] == "model" else 0
    out = []
    for rep, child in enumerate(_common.progress(root.spawn(int(config["n_replications"])), desc="campaigns")):
        if config["simulation"] == "model":
            records = dialer_sim.run(dialer_sim.config_from_dict(_dialer_table(config)), child).records
        else:
            records = _bernoulli_records(config, rng=np.random.default_rng(child))
        rates = compliance_rates(records, config["regime"], window="day", limit=config["limit"])
        # The regulator's records start after the warm-up shifts.
        day = (rates["window_start_s"] // 86_400.0).astype(int).to_numpy() - warmup
        out.append(pd.DataFrame({"replication": rep, "day": day, "numerator": rates["numerator"].to_numpy(),
                                 "denominator": rates["denominator"].to_numpy()}))  # fmt: skip
    daily = pd.concat(out, ignore_index=True)
    return daily[daily["day"] >= 0].reset_index(drop=True)


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
    ax.legend(loc="lower right", fontsize="small")
    return ax


def _days_needed(days: pd.Series, power: pd.Series, target: float) -> int | None:
    ok = np.flatnonzero(power.to_numpy() >= target)
    return int(days.iat[ok[0]]) if ok.size else None


def main(config: dict, out_dir: str | Path, *, force: bool = False) -> dict:
    """Run the experiment and write its outputs; returns the summary."""
    check_config(config)
    out = prepare_out_dir(out_dir, OUTPUTS, force=force)
    daily = simulate_daily_counts(config)
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
        fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
        try:
            plot_power(table, config, ax)
            atomic_write(folder / "power_vs_days.png", lambda p: fig.savefig(p, format="png", dpi=120))
        finally:
            plt.close(fig)
        atomic_write_json(folder / "summary.json", summary)
        atomic_write_json(folder / "config.json", config)
    return summary


def _cli(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="experiments/estimating_abandonment.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config", type=Path, help="experiment TOML (default: configs/estimating_abandonment.toml)"
    )
    parser.add_argument("--smoke", action="store_true", help="the small CI configuration")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace earlier results in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    args = parser.parse_args(argv)
    _common.QUIET = args.quiet
    path = args.config or (SMOKE_CONFIG if args.smoke else DEFAULT_CONFIG)
    try:
        config = load_experiment_config(path)
        summary = main(config, args.out, force=args.force)
    except (DialerSimError, OSError) as exc:
        print(f"estimating_abandonment: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    print(" ".join(f"{k}={v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(_cli())
