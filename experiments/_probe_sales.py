"""The second stage of the probe-harvest experiment: a sales campaign on the harvest and on a random sample.

:func:`experiments.probe_harvest.probe_run` calls :func:`sales_pair` inside the run of a probe point that
has a sales stage, on the same ``SeedSequence``: the sales campaign meets the same people behind the same
numbers as the probe did (common random numbers).

Conventions
-----------
- The random sample of a replication is drawn from the extra child ``(*seed.spawn_key, SAMPLE_STREAM)`` of
  the run's seed, outside the simulation's named streams.
- Ratios ``harvested/random`` are paired per replication.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import dialer_sim as ds
from experiments import _abandonment as A
from experiments.kit import summarise

__all__ = ["SALES_METRICS", "SALES_OVERRIDES", "SAMPLE_STREAM", "sales_config", "sales_pair", "sales_summary",
           "sample_range"]

#: The sales stage: a legitimate campaign shows its number (German law, docs/sources.md §4.13) and paces
#: like experiments/configs/screening_campaign.toml (VICIdial HARD_LIMIT at a 3 % daily drop rate).
SALES_OVERRIDES = {
    "agents.n_agents": 10, "campaign.shift_start_s": 32400.0,
    "campaign.shift_length_s": 28800.0, "network.ring_timeout_s": 20.0, "caller_id.policy": "fixed",
    "pacing.policy": "vicidial_adapt", "pacing.mode": "hard_limit", "pacing.initial_dial_level": 1.5,
    "pacing.adaptive_maximum_level": 3.0, "pacing.adaptive_dropped_percentage": 3.0,
    "abandon.window_s": 2.0, "abandon.clock_start": "speech_start", "abandon.drop_action": "message",
}
SALES_METRICS = ["n_numbers", "n_dials", "n_contacts", "contacts_per_agent_hour", "dials_per_contact",
                 "agent_utilisation", *A.METRICS]
#: Spawn-key suffix of the random sample's stream.
SAMPLE_STREAM = 1_000_003


def sales_config(config: ds.DialerConfig, *, n_days: int) -> ds.DialerConfig:
    """The sales campaign on the same population (same n_numbers and [population]), without [probe]."""
    data = ds.config_to_dict(ds.apply_overrides(config, {**SALES_OVERRIDES, "campaign.n_shifts": n_days}))
    data.pop("probe")
    return ds.config_from_dict(data)


def sample_range(n_numbers: int, size: int, child: np.random.SeedSequence) -> np.ndarray:
    """``size`` distinct numbers of the range, ascending, from the replication's sample stream."""
    seq = np.random.SeedSequence(child.entropy, spawn_key=(*child.spawn_key, SAMPLE_STREAM))
    rng = np.random.default_rng(seq)
    return np.sort(rng.choice(n_numbers, size=size, replace=False))


def _sales_run(config: ds.DialerConfig, seed: np.random.SeedSequence, ids: np.ndarray) -> dict:
    """One sales campaign on ``ids``; its headline metrics and the rule of its abandonment figures."""
    result = ds.run(config, seed, dial_list=ids, keep_records=False)
    return {"n_numbers": len(ids), **{m: result.summary[m] for m in SALES_METRICS if m != "n_numbers"},
            **{k: result.summary[k] for k in A.LABELS}}


def sales_pair(probe_config: ds.DialerConfig, seed: np.random.SeedSequence, ids: np.ndarray, *,
               n_days: int) -> pd.DataFrame:
    """The sales campaign on the harvested ``ids`` and on a random sample of the range of equal size (two rows)."""
    cfg = sales_config(probe_config, n_days=n_days)
    sample = sample_range(probe_config.campaign.n_numbers, len(ids), seed)
    rows = [{"list": name, **_sales_run(cfg, seed, numbers)} for name, numbers in (("harvested", ids),
                                                                                  ("random", sample))]
    return pd.DataFrame(rows)


def sales_summary(sales: pd.DataFrame) -> pd.DataFrame:
    """Means and 95 % half-widths per list, plus the paired per-replication ratio harvested/random."""
    by = ["strategy", "adoption", "list"]
    wide = sales.pivot_table(index=["strategy", "adoption", "replication"], columns="list",
                             values=["contacts_per_agent_hour", "dials_per_contact"]).reset_index()
    ratio = pd.DataFrame({"strategy": wide["strategy"], "adoption": wide["adoption"], "list": "harvested/random",
                          "replication": wide["replication"]})
    for m in ("contacts_per_agent_hour", "dials_per_contact"):
        ratio[m] = wide[(m, "harvested")] / wide[(m, "random")]
    both = pd.concat([sales, ratio], ignore_index=True)
    out = summarise(both, by, [m for m in SALES_METRICS if m in both])
    out["abandonment_regime"], out["abandonment_clock"] = A.rule(sales)
    return out
