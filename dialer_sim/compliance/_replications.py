"""Spread of a regime's rate across replications of a simulated campaign.

A single campaign's binomial interval says how well its own records pin down
*its* rate. Replications of a simulated campaign answer a different question:
how much the rate of the same dialer configuration varies from run to run
(busy and quiet days, bursts of drops), which is what a dialer vendor or a
regulator setting a limit cares about.

Conventions
-----------
- Input: one :func:`compliance_rates` result per replication, same regime.
- ``mean_ci95_*`` is the Student-t interval of the mean rate over replications
  (:func:`dialer_sim.stats.t_half_width`; replications are independent by
  construction: each has its own seed).
- ``rate_q025``/``rate_q975`` are empirical quantiles: the range in which 95 %
  of single campaigns fall.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..stats import t_half_width

__all__ = ["SPREAD_COLUMNS", "compliance_spread"]

SPREAD_COLUMNS = (
    "regime", "campaign_id", "window_start_s", "window_end_s", "n_replications", "rate_mean", "rate_sd",
    "mean_ci95_low", "mean_ci95_high", "rate_min", "rate_q025", "rate_median", "rate_q975", "rate_max",
    "limit", "p_breached",
)  # fmt: skip


def compliance_spread(results: Sequence[pd.DataFrame], *, confidence: float = 0.95) -> pd.DataFrame:
    """Summarise per-window rates over replications.

    Parameters
    ----------
    results : sequence of pd.DataFrame
        :func:`compliance_rates` outputs, one per replication, of one regime.
    confidence : float in (0, 1)
        Level of the interval of the mean and of the quantile range.

    Returns
    -------
    pd.DataFrame
        One row per (campaign, window), columns :data:`SPREAD_COLUMNS`. Windows
        not computable in a replication are left out of its statistics.

    Raises
    ------
    ConfigError
        If ``results`` is empty or mixes regimes.
    """
    if len(results) == 0:
        raise ConfigError("`results` must hold at least one replication; got none.")
    regimes = sorted({r for frame in results for r in frame["regime"].unique()})
    if len(regimes) > 1:
        raise ConfigError(f"`results` must all use one regime; got {regimes}.")
    stacked = pd.concat([frame.assign(replication=i) for i, frame in enumerate(results)], ignore_index=True)
    stacked = stacked[stacked["computable"].astype(bool)]
    keys = ["regime", "campaign_id", "window_start_s", "window_end_s"]
    q_low, q_high = (1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0
    grouped = stacked.groupby(keys, sort=True)
    out = grouped["rate"].agg(
        n_replications="count",
        rate_mean="mean",
        rate_sd="std",
        rate_min="min",
        rate_q025=lambda r: r.quantile(q_low),
        rate_median="median",
        rate_q975=lambda r: r.quantile(q_high),
        rate_max="max",
    )
    out["limit"] = grouped["limit"].first()
    out["p_breached"] = grouped["breached"].agg(lambda b: float(np.mean(b.astype(bool))))
    half = t_half_width(out["rate_sd"].to_numpy(float), out["n_replications"].to_numpy(float), confidence=confidence)
    out["mean_ci95_low"] = out["rate_mean"] - half
    out["mean_ci95_high"] = out["rate_mean"] + half
    return out.reset_index()[list(SPREAD_COLUMNS)]
