"""``dialer-sim bench``: dial attempts per second and peak memory on standard workloads.

Each workload runs in a fresh child process so its peak resident memory
(``ru_maxrss``) is its own. Beside ``erlang_a``, a minimal plain-SimPy Erlang-A
model (one process per customer, ``request() | timeout(patience)``, the same
calls and distributions; :func:`minimal_erlang_a`) runs in the same child, so
the ratio says how the full model compares with the simplest idiomatic SimPy
model on the same machine at the same moment. ``--against REV``
(:func:`compare_revisions`) runs the same workloads on another revision,
interleaved with the working tree, and reports the speed ratios
(``docs/bench.md``).

Workloads (defined in :mod:`dialer_sim._bench_child`)
-----------------------------------------------------
- ``erlang_a``: the open-loop validation case λ=10/s, μ=1/s, θ=1/s, n=10 with
  200,000 calls.
- ``list_campaign``: the 30-day, 40,000-number list campaign of
  ``experiments/configs/screening_campaign.toml`` with a population mixing
  every screening strategy (per-number state, rules, hygiene, blocklist).
- ``campaign``: ``experiments/configs/bench_campaign.toml`` (100 agents, 30
  shifts, VICIdial adaptive pacing, about 1.5 million dial attempts), records
  streamed to Parquet; the same campaign at a tenth of the shifts is run too,
  to show that peak memory does not grow with the campaign.
- ``screening_sample`` (only when named): 11 of the 375 runs of the full
  default ``screening_starvation`` sweep, the experiment's own overrides and
  seeds, on 2 worker processes (:mod:`dialer_sim._bench_sample`).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import resource
import sys
from pathlib import Path

from ._bench_child import DEFAULT_WORKLOADS, minimal_erlang_a, run_workload
from ._bench_compare import compare_revisions
from ._bench_sample import run_sample, sample_runs

__all__ = ["compare_revisions", "minimal_erlang_a", "run_benchmarks", "sweep_speedup"]

_ROOT = Path(__file__).resolve().parent.parent
_CONFIGS = _ROOT / "experiments" / "configs"
SMOKE_SWEEP = _CONFIGS / "sweep_smoke.toml"


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0**2


def _workload(name: str, scale: float, seed: int) -> dict:
    """Run one workload in this (child) process and add its peak resident memory."""
    row = run_workload(name, scale, seed, _ROOT)
    row["peak_rss_mb"] = _peak_rss_mb()
    return row


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


def run_benchmarks(*, scale: float = 1.0, seed: int = 0, sweep: bool = True, workloads=DEFAULT_WORKLOADS,
                   log=None) -> dict:
    """Run the workloads (each in its own process) and the sweep speed-up; returns ``{"workloads": [...], ...}``."""
    out = []
    for name in workloads:
        if name == "screening_sample":
            out.append(run_sample(_ROOT, "the working tree", sample_runs(), log=log))
            continue
        if log:
            log(f"bench: {name} (scale {scale:g}) ...")
        row = _in_child(name, scale, seed)
        if name == "campaign":
            small = _in_child(name, scale / 10.0, seed)
            row["dial_attempts_tenth_scale"] = small["dial_attempts"]
            row["peak_rss_mb_tenth_scale"] = small["peak_rss_mb"]
        if log:
            versus = f" ({row['ratio_to_reference']:.2f}x the minimal SimPy model)" if name == "erlang_a" else ""
            log(f"bench: {name}: {row['dial_attempts']} dials in {row['wall_s']:.1f} s = "
                f"{row['dials_per_s']:,.0f}/s{versus}, peak {row['peak_rss_mb']:.0f} MB")
        out.append(row)
    result = {"workloads": out, "seed": seed, "scale": scale}
    if sweep:
        result["sweep"] = sweep_speedup(log=log)
    return result
