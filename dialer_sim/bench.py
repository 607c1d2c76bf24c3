"""``dialer-sim bench``: dial attempts per second and peak memory on standard workloads.

Each workload runs in a fresh child process so its peak resident memory
(``ru_maxrss``) is its own. Beside each, a minimal plain-SimPy Erlang-A model
(one process per customer, ``request() | timeout(patience)``) runs in the same
child, so the ratio says how the full model compares with the simplest
idiomatic SimPy model on the same machine at the same moment.

Workloads
---------
- ``erlang_a``: the open-loop validation case λ=10/s, μ=1/s, θ=1/s, n=10 with
  200,000 calls.
- ``list_campaign``: the 30-day, 40,000-number list campaign of
  ``experiments/configs/screening_campaign.toml`` with a population mixing
  every screening strategy (per-number state, rules, hygiene, blocklist).
- ``campaign``: ``experiments/configs/bench_campaign.toml`` (100 agents, 30
  shifts, VICIdial adaptive pacing, about 1.5 million dial attempts), records
  streamed to Parquet; the same campaign at a tenth of the shifts is run too,
  to show that peak memory does not grow with the campaign.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import simpy

__all__ = ["minimal_erlang_a", "run_benchmarks", "sweep_speedup"]

_CONFIGS = Path(__file__).resolve().parent.parent / "experiments" / "configs"
BENCH_CAMPAIGN = _CONFIGS / "bench_campaign.toml"
#: The 30-day list campaign of the screening experiments, with a mixed population.
LIST_CAMPAIGN = _CONFIGS / "screening_campaign.toml"
LIST_MIX = {"answer_all": 0.45, "screen_unknown": 0.15, "block_withheld": 0.05, "blocklist": 0.10,
            "silent_answer": 0.05, "screening_assistant": 0.05, "never_answer": 0.10, "change_number": 0.05}
SMOKE_SWEEP = _CONFIGS / "sweep_smoke.toml"


def minimal_erlang_a(n_calls: int, *, arrival_rate_per_s: float = 10.0, service_rate_per_s: float = 1.0,
                     patience_rate_per_s: float = 1.0, n_agents: int = 10, seed: int = 0) -> dict:
    """The reference: a minimal, idiomatic SimPy Erlang-A model. Returns calls/s and P(abandon)."""
    rng = np.random.default_rng(seed)
    iat = rng.exponential(1.0 / arrival_rate_per_s, n_calls).tolist()
    talk = rng.exponential(1.0 / service_rate_per_s, n_calls).tolist()
    patience = rng.exponential(1.0 / patience_rate_per_s, n_calls).tolist()
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=n_agents)
    abandoned = [0]

    def customer(i):
        with agents.request() as req:
            got = yield req | env.timeout(patience[i])
            if req in got:
                yield env.timeout(talk[i])
            else:
                abandoned[0] += 1

    def source():
        for i in range(n_calls):
            yield env.timeout(iat[i])
            env.process(customer(i))

    env.process(source())
    t0 = time.perf_counter()
    env.run()
    wall = time.perf_counter() - t0
    return {"calls": n_calls, "wall_s": wall, "calls_per_s": n_calls / wall, "p_abandon": abandoned[0] / n_calls}


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0**2


def _workload(name: str, scale: float, seed: int) -> dict:
    """Run one workload in this (child) process."""
    from .api import run
    from .validate import VALIDATION_CASES, open_loop_config

    ref_calls = 200_000
    if name == "erlang_a":
        config = open_loop_config(VALIDATION_CASES[2], max(int(200_000 * scale), 1000))
        t0 = time.perf_counter()
        result = run(config, seed, keep_records=False)
        wall = time.perf_counter() - t0
    elif name == "list_campaign":
        from ._config_io import apply_overrides, load_config

        config = load_config(LIST_CAMPAIGN)
        n_numbers = max(1000, round(config.campaign.n_numbers * scale))
        config = apply_overrides(config, {"campaign.n_numbers": n_numbers, "population.strategy_mix": LIST_MIX})
        t0 = time.perf_counter()
        result = run(config, seed, keep_records=False)
        wall = time.perf_counter() - t0
    else:
        from ._config_io import apply_overrides, load_config

        config = load_config(BENCH_CAMPAIGN)
        n_shifts = max(1, round(config.campaign.n_shifts * scale))
        config = apply_overrides(config, {"campaign.n_shifts": n_shifts})
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            result = run(config, seed, records_path=Path(tmp) / "records.parquet")
            wall = time.perf_counter() - t0
    peak = _peak_rss_mb()
    ref = minimal_erlang_a(max(int(ref_calls * min(scale, 1.0)), 1000), seed=seed)
    dials = int(result.summary["n_dials"])
    return {"name": name, "dial_attempts": dials, "wall_s": wall, "dials_per_s": dials / wall,
            "peak_rss_mb": peak, "reference_dials_per_s": ref["calls_per_s"],
            "ratio_to_reference": (dials / wall) / ref["calls_per_s"]}


def _in_child(name: str, scale: float, seed: int) -> dict:
    ctx = mp.get_context("spawn")
    from ._parent_watch import die_with_parent

    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=die_with_parent,
                                initargs=(os.getpid(),)) as pool:
        return pool.submit(_workload, name, scale, seed).result()


def sweep_speedup(*, log=None) -> dict:
    """Wall time of the shipped smoke sweep on 1 and on 2 local workers (target >= 1.8x on 2 cores)."""
    from .sweep import load_sweep, sweep_throughput

    spec = load_sweep(SMOKE_SWEEP)
    one = sweep_throughput(spec, 1)
    two = sweep_throughput(spec, 2)
    out = {"spec": str(SMOKE_SWEEP.name), "n_runs": one["n_runs"], "wall_s_1_worker": one["wall_s"],
           "wall_s_2_workers": two["wall_s"], "speedup_2_workers": one["wall_s"] / two["wall_s"]}
    if log:
        log(f"bench: sweep {out['n_runs']} runs: 1 worker {one['wall_s']:.1f} s, 2 workers {two['wall_s']:.1f} s "
            f"= {out['speedup_2_workers']:.2f}x")
    return out


def run_benchmarks(*, scale: float = 1.0, seed: int = 0, sweep: bool = True, log=None) -> dict:
    """Run every workload (each in its own process) and the sweep speed-up; returns ``{"workloads": [...], ...}``."""
    out = []
    for name in ("erlang_a", "campaign", "list_campaign"):
        if log:
            log(f"bench: {name} (scale {scale:g}) ...")
        row = _in_child(name, scale, seed)
        if name == "campaign":
            small = _in_child(name, scale / 10.0, seed)
            row["dial_attempts_tenth_scale"] = small["dial_attempts"]
            row["peak_rss_mb_tenth_scale"] = small["peak_rss_mb"]
        if log:
            log(f"bench: {name}: {row['dial_attempts']} dials in {row['wall_s']:.1f} s = "
                f"{row['dials_per_s']:,.0f}/s ({row['ratio_to_reference']:.2f}x the minimal SimPy model), "
                f"peak {row['peak_rss_mb']:.0f} MB")
        out.append(row)
    result = {"workloads": out, "seed": seed, "scale": scale}
    if sweep:
        result["sweep"] = sweep_speedup(log=log)
    return result
