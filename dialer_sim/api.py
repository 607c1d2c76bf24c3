"""``run(config, seed) -> Result``: one replication of one campaign."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .config._dialer import DialerConfig
from .errors import ConfigError
from .model._dialer import CampaignModel
from .model._draws import make_streams
from .records._abandonment import run_abandonment
from .records._cdr import START_DATE_KEY, RecordSink
from .records._summary import summary_from_counts

__all__ = ["Result", "as_seed_sequence", "run"]


@dataclass(frozen=True)
class Result:
    """What one replication produced.

    Attributes
    ----------
    config : DialerConfig
    seed : dict
        ``entropy`` and ``spawn_key`` of the replication's SeedSequence.
    summary : dict of str -> scalar
        Flat, JSON-able campaign metrics (see ``docs/model.md``).
    records : pandas.DataFrame or None
        The call records (CDR schema), or None when streamed to ``records_path``.
    records_path : pathlib.Path or None
    daily : pandas.DataFrame or None
        List campaigns: one row per (day, strategy) with the list's state at the
        end of the day (``dialer_sim.model._list_campaign`` documents the columns).
    numbers : pandas.DataFrame or None
        List campaigns: one row per number with its strategy, final status
        (``active``, ``successful``, ``dropped``) and what it received.
    abandonment : dict or None
        The dialer's own drop rate and the configured regime's breakdown
        (:func:`dialer_sim.compliance.abandonment_breakdown`), with the unit.
    """

    config: DialerConfig
    seed: dict
    summary: dict
    records: pd.DataFrame | None
    records_path: Path | None
    daily: pd.DataFrame | None = None
    numbers: pd.DataFrame | None = None
    abandonment: dict | None = None


def as_seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """Coerce an integer seed (>= 0) or a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed))
    raise ConfigError(f"seed must be an integer >= 0 or a numpy SeedSequence; got {seed!r}.")


@contextlib.contextmanager
def _progress_bar(model: CampaignModel, *, enabled: bool):
    """A tqdm bar over simulated hours, fed by a process that wakes every simulated 10 minutes."""
    if not enabled:
        yield
        return
    from tqdm.auto import tqdm

    cfg = model.cfg
    if cfg.open_loop is not None:
        horizon_s = cfg.open_loop.n_calls / cfg.open_loop.arrival_rate_per_s
    else:
        c = cfg.campaign
        horizon_s = (c.n_shifts - 1) * 86_400.0 + c.shift_start_s + c.shift_length_s
    step_s = max(horizon_s / 500.0, 1.0)
    bar = tqdm(total=round(horizon_s / 3600.0, 2), unit="sim-h", desc="simulating", file=sys.stderr,
               bar_format="{l_bar}{bar}| {n:.1f}/{total:.1f} sim-h [{elapsed}<{remaining}]")

    def ticker(env):
        while env.now + step_s <= horizon_s:
            yield env.timeout(step_s)
            bar.update(step_s / 3600.0)

    model.env.process(ticker(model.env))
    try:
        yield
    finally:
        bar.n = bar.total
        bar.close()


def run(
    config: DialerConfig,
    seed: int | np.random.SeedSequence,
    *,
    records_path: str | os.PathLike[str] | None = None,
    keep_records: bool = True,
    trace: list | None = None,
    policy=None,
    progress: bool = False,
    dial_list=None,
    amd_table=None,
) -> Result:
    """Simulate one replication of ``config``.

    Parameters
    ----------
    config : DialerConfig
    seed : int >= 0 or numpy.random.SeedSequence
        The replication's seed; the named streams are spawned from it.
    records_path : path-like, optional
        Stream the records to this Parquet file (memory stays flat).
    keep_records : bool
        Return the records as a DataFrame (ignored when streaming).
    trace : list, optional
        Receives ``(actor, event, time_s)`` tuples (tests and debugging).
    policy : PacingPolicy, optional
        A policy instance to use instead of the one built from ``config.pacing``.
    progress : bool
        Show a progress bar over simulated time (stderr).
    dial_list : sequence of int, optional
        List campaigns only: dial these numbers of the population (``0 ..
        n_numbers - 1``, distinct) in this order instead of all of them, e.g.
        the numbers a probing robot harvested. The population is the same as
        for any other run with the same config and seed.
    amd_table : path-like, callvocab.BehaviourTable or pandas.DataFrame, optional
        Run with empirical AMD sampling this behaviour table: the same as
        ``amd.mode = "empirical"`` and ``amd.table_path = amd_table``. A table
        given as an object or read from a file with the same content gives the
        same records; ``Result.config`` holds it.

    Returns
    -------
    Result
        A pure function of ``(config, seed)``.
    """
    if not isinstance(config, DialerConfig):
        raise ConfigError(f"config must be a DialerConfig; got {type(config).__name__}.")
    seq = as_seed_sequence(seed)
    if amd_table is not None:
        config = dataclasses.replace(
            config, amd=dataclasses.replace(config.amd, mode="empirical", table_path=amd_table))
    if dial_list is not None:
        dial_list = _check_dial_list(config, dial_list)
    sink = RecordSink(records_path, start_date=config.campaign.start_date)
    model = CampaignModel(config, make_streams(seq), sink, trace=trace, policy=policy, dial_list=dial_list)
    try:
        with _progress_bar(model, enabled=progress):
            model.run()
    except BaseException:
        sink.abort()  # never finalise a partial record file over earlier results
        raise
    sink.close()
    s = model.stats
    abandonment, per_day = run_abandonment(config, sink, Path(records_path) if records_path is not None else None)
    summary = summary_from_counts(config, by_disposition=s.by_disposition, n_dials=s.n_dials, n_live=s.n_live,
                                  dead_air_s=s.dead_air_s, agent_busy_s=s.agent_busy_s, last_end_s=s.last_end_s,
                                  abandonment=abandonment,
                                  agent_logged_in_s=s.agent_logged_in_s if config.list_mode else None,
                                  deadline={"agent_s_on_machines": s.agent_s_on_machines,
                                            "n_routed_undecided": s.n_routed_undecided,
                                            "n_machine_released_by_amd": s.n_released_by_verdict[0],
                                            "n_amd_false_positive_after_connect": s.n_released_by_verdict[1]})
    daily = numbers = None
    if model.list is not None:
        daily, numbers = model.list.daily_frame(), model.list.numbers_frame()
        daily = daily.join(per_day, on="day").fillna({c: 0.0 for c in per_day.columns})
        summary.update(_list_summary(numbers, model.list))
        if config.ping is not None:
            summary.update({f"ping_{k}": v for k, v in model.list.callbacks.summary().items()})
    records = sink.to_frame() if (records_path is None and keep_records) else None
    if records is not None:
        records.attrs[START_DATE_KEY] = config.campaign.start_date  # a string, so to_parquet keeps it
    seed_info = {"entropy": seq.entropy, "spawn_key": list(seq.spawn_key)}
    return Result(config=dataclasses.replace(config), seed=seed_info, summary=summary, records=records,
                  records_path=Path(records_path) if records_path is not None else None, daily=daily,
                  numbers=numbers, abandonment=abandonment)


def _check_dial_list(config: DialerConfig, dial_list) -> list[int]:
    if not config.list_mode:
        raise ConfigError("dial_list needs a list campaign (a [population] section); got a campaign without one.")
    try:
        ids = np.asarray(dial_list)
    except (TypeError, ValueError):
        raise ConfigError(f"dial_list must be a flat sequence of integers; got {type(dial_list).__name__}.") from None
    n = config.campaign.n_numbers
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer) or len(ids) == 0:
        raise ConfigError(f"dial_list must be a non-empty sequence of integers; got {ids.dtype} of shape {ids.shape}.")
    if ids.min() < 0 or ids.max() >= n:
        raise ConfigError(f"dial_list must hold numbers in [0, {n - 1}] (campaign.n_numbers = {n}); "
                          f"got {int(ids.min() if ids.min() < 0 else ids.max())}.")
    if len(np.unique(ids)) != len(ids):
        raise ConfigError("dial_list must not repeat a number; got duplicates.")
    return ids.tolist()


def _list_summary(numbers: pd.DataFrame, campaign) -> dict:
    """List-campaign totals for the summary: list state, caller IDs, harvest quality."""
    status = numbers["status"].value_counts()
    n_succ = int(status.get("successful", 0))
    is_dropped = numbers["status"] == "dropped"
    dropped = numbers.loc[is_dropped, "status_day"] - numbers.loc[is_dropped, "first_day"]
    return {
        "n_numbers": len(numbers),
        "n_on_list": int(status.get("active", 0)),
        "n_successful": n_succ,
        "n_dropped": int(status.get("dropped", 0)),
        "mean_days_to_drop": float(dropped.mean() + 1) if len(dropped) else float("nan"),
        "n_callbacks": int(numbers["callbacks"].sum()),
        "n_numbers_changed": int(numbers["number_changed"].sum()),
        "successful_live_share": float(numbers.loc[numbers["status"] == "successful", "harvested_live"].mean())
        if n_succ else float("nan"),
        "n_caller_ids_used": campaign.pool.n_used,
        "n_caller_ids_flagged": len(campaign.blocklist.first_flagged_at_s),
        **campaign.consent_summary(),
    }
