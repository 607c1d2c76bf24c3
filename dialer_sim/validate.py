"""Validation of the open-loop model against exact queueing formulas.

In open-loop mode (Poisson answers straight to agents, exponential talk, no
wrap-up, AMD off) the dialer is M/M/n+M (Erlang A), M/M/n+D (a deterministic
compliance window), Erlang B (window 0) or Erlang C (an endless hold queue).
:func:`run_validation` simulates each case of docs/sources.md §2.5 and
reports simulated P(wait), P(abandon) and agent utilisation, each with a
confidence interval from independent replications, beside the analytic value.

Conventions
-----------
- Each replication discards the calls that arrive in its first
  ``warmup_share`` of simulated time (the system starts empty).
- ``p_wait``: share of arrivals that found every agent busy;
  ``p_abandon``: share that never reached an agent;
  ``utilisation``: busy share of agent time over the measured interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import queueing
from .api import run
from .config import AbandonConfig, AgentsConfig, DialerConfig, OpenLoopConfig
from .distributions import Dist
from .errors import ConfigError
from .stats import mean_ci

__all__ = ["VALIDATION_CASES", "ValidationCase", "open_loop_config", "run_validation", "validate_case"]

METRICS = ("p_wait", "p_abandon", "utilisation")


@dataclass(frozen=True)
class ValidationCase:
    """One open-loop queueing model with known exact answers."""

    model: str  # erlang_a | erlang_b | erlang_c | mmn_d
    arrival_rate_per_s: float
    service_rate_per_s: float
    n_agents: int
    patience_rate_per_s: float | None = None
    window_s: float | None = None

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
    ValidationCase("erlang_a", 48.0, 1.0 / 3.0, 150, patience_rate_per_s=1.0),
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


def measure(records: pd.DataFrame, n_agents: int, *, warmup_share: float) -> dict[str, float]:
    """P(wait), P(abandon) and utilisation from one replication's records."""
    arrive = records["dial_at_s"].to_numpy()
    connect = records["agent_connect_at_s"].to_numpy()
    end = records["end_at_s"].to_numpy()
    t_end = arrive.max()
    t0 = warmup_share * t_end
    keep = arrive >= t0
    served = ~np.isnan(connect)
    waited = ~served | (connect > arrive)
    busy = np.clip(np.minimum(end, t_end) - np.maximum(connect, t0), 0.0, None)[served].sum()
    return {
        "p_wait": float(waited[keep].mean()),
        "p_abandon": float((~served[keep]).mean()),
        "utilisation": float(busy / (n_agents * (t_end - t0))),
    }


def validate_case(case: ValidationCase, *, n_calls: int, seed: int, replications: int = 10,
                  confidence: float = 0.95, warmup_share: float = 0.05,
                  on_replication: Callable[[], None] | None = None) -> dict:
    """Simulate ``case`` and compare it with its exact metrics (one object of docs/validation.md)."""
    if replications < 2:
        raise ConfigError(f"replications must be an integer >= 2; got {replications}.")
    config = open_loop_config(case, n_calls // replications)
    rows = []
    for child in np.random.SeedSequence(seed).spawn(replications):
        rows.append(measure(run(config, child).records, case.n_agents, warmup_share=warmup_share))
        if on_replication is not None:
            on_replication()
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
    out.update({"n_calls": (n_calls // replications) * replications, "replications": replications,
                "confidence": confidence, "seed": seed})
    for m in METRICS:
        mean, half = mean_ci([r[m] for r in rows], confidence=confidence)
        out[m] = {"simulated": mean, "ci95_half_width": half, "analytic": float(getattr(exact, m))}
    return out


def run_validation(*, n_calls: int = 200_000, seed: int = 0, replications: int = 10, progress: bool = False,
                   cases=VALIDATION_CASES, confidence: float = 0.95) -> list[dict]:
    """Validate every case; returns the list of JSON objects of docs/validation.md."""
    from tqdm.auto import tqdm

    with tqdm(total=len(cases) * replications, desc="validating", unit="rep", disable=not progress) as bar:
        return [validate_case(c, n_calls=n_calls, seed=seed, replications=replications, confidence=confidence,
                              on_replication=lambda: bar.update(1)) for c in cases]
