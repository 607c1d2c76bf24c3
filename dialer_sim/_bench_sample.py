"""The ``screening_sample`` workload: a fixed sample of the full default ``screening_starvation`` runs on 2 workers.

The runs are the experiment's own (``experiments/bench_sample.py``: every 7th
point of the 75, one replication each, with the experiment's overrides and
seeds). This module reads them from ``python -m experiments.bench_sample`` in a
separate interpreter, so ``dialer_sim`` never imports ``experiments``. Each side
then runs them on :data:`N_WORKERS` worker processes: fresh ``python -c``
children of :mod:`dialer_sim._bench_child` (``serve``) with that side's tree
alone on ``PYTHONPATH``, each fed the next run as soon as it finishes one, as
the experiment kit's local workers are (docs/bench.md, "The full screening sweep").

Conventions
-----------
- ``wall_s`` is the whole sample's wall time (``perf_counter``), from starting
  the workers to the last result; ``startup_s`` the part until every worker
  had imported ``dialer_sim``; ``cpu_s`` is the sum of the runs'
  ``process_time`` around ``run`` alone.
- ``full_default_estimate_s`` scales the time after start-up by 375 / the
  sample's runs: the full sweep's runs are independent and load-balanced over
  the same workers, and the experiment's own work per run is about 0.1 %.
- ``dials_per_s`` is every run's dial attempts over ``wall_s``; both sides make
  the same dials when the model's results are unchanged, so the ratio of the
  working tree over the base is the base's wall time over the working tree's.
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import _bench_child
from .errors import DialerSimError

__all__ = ["N_WORKERS", "run_sample", "sample_runs", "summarise_sample"]

ROOT = Path(__file__).resolve().parent.parent
#: Worker processes per side (the full sweep's speed target is its wall time on 2 workers).
N_WORKERS = 2
#: Runs in the full default sweep (75 points x 5 replications), for the extrapolation.
FULL_DEFAULT_RUNS = 375


def sample_runs() -> list[dict]:
    """The sample's runs from the working tree's ``experiments/bench_sample.py``, as plain JSON."""
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.run([sys.executable, "-m", "experiments.bench_sample"], cwd=cwd, capture_output=True,
                              text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise DialerSimError(f"screening_sample: could not read the runs from experiments/bench_sample.py: {reason}")
    return json.loads(proc.stdout)


def _start(tree: Path, cwd: str) -> subprocess.Popen:
    source = Path(_bench_child.__file__).read_text(encoding="utf-8")
    return subprocess.Popen([sys.executable, "-c", source, "serve"], env={**os.environ, "PYTHONPATH": str(tree)},
                            cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, bufsize=1)


def _check_ready(proc: subprocess.Popen, tree: Path, label: str) -> None:
    """The worker's first line names the ``dialer_sim`` it imported; refused unless it is ``tree``'s."""
    first = proc.stdout.readline()
    imported = Path(json.loads(first)["dialer_sim"]).resolve() if first.startswith("{") else None
    if imported is None or tree.resolve() not in imported.parents:
        proc.kill()
        found = str(imported) if imported else (proc.communicate()[1].strip().splitlines() or ["no output"])[-1]
        raise DialerSimError(f"screening_sample: a worker on {label} did not import dialer_sim from "
                             f"{str(tree)!r}: {found}")


def _feed(proc: subprocess.Popen, todo: queue.Queue, rows: list, errors: list) -> None:
    """Give ``proc`` the next run until none is left; a result line per run, or the worker's last error line."""
    while not errors:
        try:
            i, run = todo.get_nowait()
        except queue.Empty:
            return
        try:
            proc.stdin.write(json.dumps(run) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except OSError:
            line = ""
        if not line:
            errors.append(i)
            return
        rows[i] = json.loads(line)


def run_sample(tree: Path, label: str, runs: list[dict], *, n_workers: int = N_WORKERS, log=None) -> dict:
    """Run ``runs`` on ``n_workers`` workers importing ``dialer_sim`` from ``tree``; the whole sample's figures."""
    todo: queue.Queue = queue.Queue()
    for item in enumerate(runs):
        todo.put(item)
    rows: list = [None] * len(runs)
    errors: list = []
    procs: list[subprocess.Popen] = []
    finished = False
    with tempfile.TemporaryDirectory() as cwd:
        t0 = time.perf_counter()
        try:
            procs = [_start(tree, cwd) for _ in range(min(n_workers, len(runs)))]
            for p in procs:
                _check_ready(p, tree, label)
            startup = time.perf_counter() - t0
            threads = [threading.Thread(target=_feed, args=(p, todo, rows, errors), daemon=True) for p in procs]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
            finished = not errors
        finally:
            stderr = [_stop(p, wait=finished) for p in procs]
    if errors:
        reason = next((e.strip().splitlines()[-1] for e in stderr if e.strip()), "a worker stopped")
        raise DialerSimError(f"screening_sample: run of point {runs[errors[0]].get('point')} failed on {label}: "
                             f"{reason}")
    dials = sum(r["dial_attempts"] for r in rows)
    cpu = sum(r["cpu_s"] for r in rows)
    if log:
        log(f"bench: screening_sample on {label}: {len(rows)} runs, {dials} dials in {wall:.1f} s on {n_workers} "
            f"workers ({cpu:.1f} CPU s in the runs)")
    return {"name": "screening_sample", "n_runs": len(rows), "n_workers": n_workers, "dial_attempts": dials,
            "wall_s": wall, "startup_s": startup, "cpu_s": cpu, "dials_per_s": dials / wall,
            "dials_per_cpu_s": dials / cpu,
            "full_default_estimate_s": startup + (wall - startup) * FULL_DEFAULT_RUNS / len(rows), "runs": rows}


def _stop(proc: subprocess.Popen, *, wait: bool) -> str:
    """End a worker: close its input and let it exit when all went well, else kill it; its stderr."""
    if not wait:
        proc.kill()
    try:
        return proc.communicate(timeout=60)[1] or ""
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[1] or ""


def summarise_sample(base: list[dict], work: list[dict]) -> dict:
    """Which runs made different dials on the two sides, and the per-run CPU ratios (base over working tree)."""
    pairs = [(x, y) for b, w in zip(base, work, strict=True) for x, y in zip(b["runs"], w["runs"], strict=True)]
    differ = sorted({x["point"] for x, y in pairs if x["dial_attempts"] != y["dial_attempts"]})
    ratios = [x["cpu_s"] / y["cpu_s"] for x, y in pairs]
    return {"n_runs": base[0]["n_runs"], "n_workers": base[0]["n_workers"], "runs_with_different_dials": differ,
            "per_run_cpu_ratio": {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)},
            "base_wall_s": [r["wall_s"] for r in base], "work_wall_s": [r["wall_s"] for r in work],
            "base_startup_s": [r["startup_s"] for r in base], "work_startup_s": [r["startup_s"] for r in work],
            "base_cpu_s": [r["cpu_s"] for r in base], "work_cpu_s": [r["cpu_s"] for r in work],
            "base_full_default_estimate_s": [r["full_default_estimate_s"] for r in base],
            "work_full_default_estimate_s": [r["full_default_estimate_s"] for r in work]}
