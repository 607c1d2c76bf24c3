"""Validation of the open-loop model against exact queueing formulas.

In open-loop mode (Poisson answers straight to agents, exponential talk, no
wrap-up, AMD off) the dialer is M/M/n+M (Erlang A), M/M/n+D (a deterministic
compliance window), Erlang B (window 0) or Erlang C (an endless hold queue).
:func:`run_validation` simulates each case of docs/sources.md §2.5 and
reports simulated P(wait), P(abandon) and agent utilisation, each with a
confidence interval from non-overlapping batch means of one long run
(:func:`dialer_sim.stats.batch_means_ci`), beside the analytic value.

Conventions
-----------
- The run discards the calls that arrive in its first ``warmup_share`` of
  simulated time (the system starts empty); the rest is cut into ``n_batches``
  batches: of consecutive arrivals for ``p_wait`` and ``p_abandon``, of equal
  time for ``utilisation``.
- ``p_wait``: share of arrivals that found every agent busy;
  ``p_abandon``: share that never reached an agent;
  ``utilisation``: busy share of agent time over the measured interval.
- Each metric reports ``ci_half_width`` at the object's ``confidence``,
  ``ci95_half_width`` at 95 %, and ``lag1_autocorrelation`` of its batch means
  (near ``-1/n_batches`` when the batches are long enough to be independent;
  None when the batch means are all equal, as P(abandon) in Erlang C).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import queueing
from ..api import run
from ..config._dialer import AbandonConfig, AgentsConfig, DialerConfig, OpenLoopConfig
from ..config._distributions import Dist
from ..errors import ConfigError
from ..stats import batch_means_ci

__all__ = ["VALIDATION_CASES", "ValidationCase", "open_loop_config", "run_validation", "validate_case"]

METRICS = ("p_wait", "p_abandon", "utilisation")
#: Upper bound of ``n_batches`` (each batch needs many calls for its mean to be near normal).
MAX_BATCHES = 1_000


@dataclass(frozen=True)
class ValidationCase:
    """One open-loop queueing model with known exact answers."""

    model: str  # erlang_a | erlang_b | erlang_c | mmn_d
    arrival_rate_per_s: float
    service_rate_per_s: float
    n_agents: int
    patience_rate_per_s: float | None = None
    window_s: float | None = None
    #: Calls of the default run, enough for every 95 % interval to be narrower than 10 % of its value.
    n_calls: int = 200_000

    def analytic(self) -> queueing.QueueMetrics:
        """The exact metrics of the case (dialer_sim.queueing)."""
        lam, mu, n = self.arrival_rate_per_s, self.service_rate_per_s, self.n_agents
        if self.model == "erlang_a":
            return queueing.erlang_a(lam, mu, n, self.patience_rate_per_s)
        if self.model == "erlang_b":
            return queueing.erlang_b_metrics(lam, mu, n)
        if self.model == "erlang_c":
            return queueing.erlang_c_metrics(lam, mu, n)
        return queueing.mmn_deterministic_patience(lam, mu, n, self.window_s)


#: docs/sources.md §2.5 test values plus an Erlang B case.
VALIDATION_CASES = (
    ValidationCase("erlang_c", 8.0, 1.0, 10),
    ValidationCase("erlang_b", 8.0, 1.0, 10),
    ValidationCase("erlang_a", 10.0, 1.0, 10, patience_rate_per_s=1.0),
    ValidationCase("erlang_a", 2.0, 0.25, 8, patience_rate_per_s=0.5),
    # Many agents and short talk times: P(wait) moves slowly, so the run is longer.
    ValidationCase("erlang_a", 48.0, 1.0 / 3.0, 150, patience_rate_per_s=1.0, n_calls=800_000),
    ValidationCase("mmn_d", 10.0, 1.0, 10, window_s=0.5),
)


def open_loop_config(case: ValidationCase, n_calls: int) -> DialerConfig:
    """The open-loop :class:`DialerConfig` that realises ``case``."""
    never = Dist("never", name="abandon.patience_s")
    if case.model == "erlang_a":
        abandon = AbandonConfig(hold_queue=True, patience_s=Dist("exponential", mean=1.0 / case.patience_rate_per_s,
                                                                  name="abandon.patience_s"))
    elif case.model == "erlang_c":
        abandon = AbandonConfig(hold_queue=True, patience_s=never)
    else:
        window = 0.0 if case.model == "erlang_b" else case.window_s
        abandon = AbandonConfig(hold_queue=False, window_s=window, clock_start="connect", drop_action="silent",
                                patience_s=never)
    return DialerConfig(
        agents=AgentsConfig(n_agents=case.n_agents),
        abandon=abandon,
        open_loop=OpenLoopConfig(arrival_rate_per_s=case.arrival_rate_per_s,
                                 mean_talk_time_s=1.0 / case.service_rate_per_s, n_calls=n_calls),
    )


def batch_series(records: pd.DataFrame, n_agents: int, *, warmup_share: float,
                 n_batches: int) -> dict[str, np.ndarray]:
    """Per-call indicators (``p_wait``, ``p_abandon``) and per-batch busy shares (``utilisation``) after warm-up."""
    order = np.argsort(records["dial_at_s"].to_numpy(), kind="stable")
    arrive = records["dial_at_s"].to_numpy()[order]
    connect = records["agent_connect_at_s"].to_numpy()[order]
    end = records["end_at_s"].to_numpy()[order]
    t_end = arrive[-1]
    t0 = warmup_share * t_end
    keep = arrive >= t0
    served = ~np.isnan(connect)
    waited = ~served | (connect > arrive)
    edges = np.linspace(t0, t_end, n_batches + 1)
    c, e = connect[served], end[served]
    busy_to = np.array([np.clip(np.minimum(e, t) - np.maximum(c, t0), 0.0, None).sum() for t in edges])
    return {
        "p_wait": waited[keep].astype(float),
        "p_abandon": (~served[keep]).astype(float),
        "utilisation": np.diff(busy_to) / (n_agents * np.diff(edges)),
    }


def _lag1(values: np.ndarray) -> float | None:
    """Lag-1 autocorrelation of ``values``; None when they are all equal."""
    centred = values - values.mean()
    denom = float(centred @ centred)
    return float(centred[1:] @ centred[:-1] / denom) if denom > 0 else None


def _batch_means(series: np.ndarray, n_batches: int) -> np.ndarray:
    """The batch means :func:`batch_means_ci` uses (leftover values dropped from the start)."""
    size = series.size // n_batches
    return series[series.size - n_batches * size:].reshape(n_batches, size).mean(axis=1)


def summarise_metric(series: np.ndarray, *, n_batches: int, confidence: float) -> dict[str, float | None]:
    """Batch-means estimate, half-widths at ``confidence`` and 95 %, and the batch means' lag-1 autocorrelation."""
    mean, half = batch_means_ci(series, n_batches=n_batches, confidence=confidence)
    _, half95 = batch_means_ci(series, n_batches=n_batches, confidence=0.95)
    return {"simulated": mean, "ci_half_width": half, "ci95_half_width": half95,
            "lag1_autocorrelation": _lag1(_batch_means(series, n_batches))}


def validate_case(case: ValidationCase, *, n_calls: int | None = None, seed: int, n_batches: int = 20,
                  confidence: float = 0.95, warmup_share: float = 0.05) -> dict:
    """Simulate ``case`` in one long run and compare it with its exact metrics (one object of docs/validation.md).

    ``n_calls`` defaults to the case's own :attr:`ValidationCase.n_calls`.
    """
    if not 2 <= n_batches <= MAX_BATCHES:
        raise ConfigError(f"n_batches must be an integer in [2, {MAX_BATCHES}]; got {n_batches}.")
    calls = case.n_calls if n_calls is None else int(n_calls)
    records = run(open_loop_config(case, calls), np.random.SeedSequence(seed)).records
    series = batch_series(records, case.n_agents, warmup_share=warmup_share, n_batches=n_batches)
    exact = case.analytic()
    out: dict = {
        "model": case.model,
        "arrival_rate_per_s": case.arrival_rate_per_s,
        "service_rate_per_s": case.service_rate_per_s,
        "n_agents": case.n_agents,
    }
    if case.model == "erlang_a":
        out["patience_rate_per_s"] = case.patience_rate_per_s
    if case.model == "mmn_d":
        out["window_s"] = case.window_s
    out.update({"n_calls": calls, "n_batches": n_batches, "warmup_share": warmup_share, "confidence": confidence,
                "seed": seed})
    for m in METRICS:
        out[m] = {**summarise_metric(series[m], n_batches=n_batches, confidence=confidence),
                  "analytic": float(getattr(exact, m))}
    return out


def run_validation(*, n_calls: int | None = None, seed: int = 0, n_batches: int = 20, progress: bool = False,
                   cases=VALIDATION_CASES, confidence: float = 0.95) -> list[dict]:
    """Validate every case (each at its own run length unless ``n_calls`` is given); the JSON of docs/validation.md."""
    from tqdm.auto import tqdm

    out = []
    for case in tqdm(cases, desc="validating", unit="case", disable=not progress):
        out.append(validate_case(case, n_calls=n_calls, seed=seed, n_batches=n_batches, confidence=confidence))
    return out
