"""One timed bench workload in a child process, for any revision of the package on ``sys.path``.

``dialer-sim bench --against REV`` runs this file's source with ``python -c`` and
``PYTHONPATH`` set to a checkout of REV (or to the working tree), so it imports
only what every revision has: ``dialer_sim``'s public ``run``,
``load_config``, ``apply_overrides`` and the open-loop validation cases, plus
numpy and simpy. The workloads and the reference model are defined here, once,
so both sides of a comparison run the same code around the model.

``python -c SOURCE NAME SCALE SEED TREE count`` runs under Valgrind's callgrind
(``dialer-sim bench --against REV --count instructions``): after a warm-up run
of the workload at its smallest size, it switches the instruction counting on
just around the measured run (and around the reference's run), with
``callgrind_control``, and dumps each count under its own label (:func:`counted`).

``python -c SOURCE serve`` is one worker of the ``screening_sample`` workload
(:func:`serve`): it reads runs, one JSON object a line, from stdin (a
configuration file, dotted overrides and a seed, computed by the parent from
the experiment) and answers each with one JSON line of its dials and times.

The reference, :func:`minimal_erlang_a`, is the smallest idiomatic SimPy
Erlang-A model: one process per caller, ``request() | timeout(patience)``,
the same call count and the same distributions as the ``erlang_a`` workload
(exponential inter-arrival, talk and patience times; λ = 10/s, μ = 1/s,
θ = 1/s, n = 10 agents). Its random draws are timed with it, as the model's
are (``docs/bench.md``).

Conventions
-----------
- ``wall_s`` is ``time.perf_counter`` and ``cpu_s`` ``time.process_time``
  around the simulation alone (loading the configuration is not timed).
- Rates are dial attempts (calls for the reference) per second of each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

__all__ = ["DEFAULT_WORKLOADS", "WORKLOADS", "counted", "minimal_erlang_a", "run_one", "run_workload", "serve"]

#: Workload names, in the order the bench runs them.
WORKLOADS = ("erlang_a", "campaign", "list_campaign", "screening_sample")
#: What ``dialer-sim bench`` runs without ``--workloads`` (the sample of the full screening sweep takes minutes).
DEFAULT_WORKLOADS = WORKLOADS[:3]
#: Calls of the ``erlang_a`` workload (and of its reference) at scale 1.
ERLANG_A_CALLS = 200_000
#: A population mixing every screening strategy, for the ``list_campaign`` workload. It equals
#: ``dialer_sim.config.MIXED_STRATEGY_MIX`` (tests/test_bench_against.py checks it) but is spelt out here:
#: this module runs against earlier revisions too, so it imports nothing of the package at load time.
LIST_MIX = {"answer_all": 0.45, "screen_unknown": 0.15, "block_withheld": 0.05, "blocklist": 0.10,
            "silent_answer": 0.05, "screening_assistant": 0.05, "never_answer": 0.10, "change_number": 0.05}


def minimal_erlang_a(n_calls: int, *, arrival_rate_per_s: float = 10.0, service_rate_per_s: float = 1.0,
                     patience_rate_per_s: float = 1.0, n_agents: int = 10, seed: int = 0) -> dict:
    """The reference: a minimal, idiomatic SimPy Erlang-A model. Returns calls/s and P(abandon)."""
    import numpy as np
    import simpy

    t0, c0 = time.perf_counter(), time.process_time()
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
    env.run()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"calls": n_calls, "wall_s": wall, "cpu_s": cpu, "calls_per_s": n_calls / wall,
            "calls_per_cpu_s": n_calls / cpu, "p_abandon": abandoned[0] / n_calls}


def _config(name: str, scale: float, tree: Path):
    """The workload's configuration, read from the revision's own ``experiments/configs``."""
    import dialer_sim as ds

    configs = tree / "experiments" / "configs"
    if name == "erlang_a":
        try:  # this layout, then the one before dialer_sim had subpackages (revisions up to e11f031)
            from dialer_sim.queueing.validation import VALIDATION_CASES, open_loop_config
        except ImportError:
            from dialer_sim.validate import VALIDATION_CASES, open_loop_config  # type: ignore[no-redef]
        return open_loop_config(VALIDATION_CASES[2], max(int(ERLANG_A_CALLS * scale), 1000))
    if name == "list_campaign":
        config = ds.load_config(configs / "screening_campaign.toml")
        n_numbers = max(1000, round(config.campaign.n_numbers * scale))
        return ds.apply_overrides(config, {"campaign.n_numbers": n_numbers, "population.strategy_mix": LIST_MIX})
    config = ds.load_config(configs / "bench_campaign.toml")
    return ds.apply_overrides(config, {"campaign.n_shifts": max(1, round(config.campaign.n_shifts * scale))})


#: Workload scale of the warm-up run before a counted run (each workload's smallest size).
WARM_UP_SCALE = 0.001


def _callgrind(*args: str) -> None:
    """Send this process's callgrind a command (``callgrind_control ARGS PID``); it waits for the answer."""
    subprocess.run(["callgrind_control", *args, str(os.getpid())], capture_output=True, check=True, timeout=600)


@contextmanager
def counted(label: str):
    """Count the instructions of the block alone, dumped under ``label`` (the process runs under callgrind)."""
    _callgrind("--instr=on")
    try:
        yield
    finally:
        _callgrind("--instr=off")
        _callgrind(f"--dump={label}")


def run_workload(name: str, scale: float, seed: int, tree: Path, *, count: bool = False) -> dict:
    """Run one workload with the ``dialer_sim`` on ``sys.path``; ``erlang_a`` also runs its reference.

    ``count``: the process runs under callgrind; a warm-up run first, then the measured run's instructions
    (and the reference's) are counted alone (:func:`counted`, labels ``model`` and ``reference``).
    """
    import dialer_sim as ds

    if count:
        run_workload(name, WARM_UP_SCALE, seed, tree)  # imports, first-call caches: not counted
    config = _config(name, scale, tree)
    with tempfile.TemporaryDirectory() as tmp:
        kwargs = {"records_path": Path(tmp) / "records.parquet"} if name == "campaign" else {"keep_records": False}
        with counted("model") if count else nullcontext():
            t0, c0 = time.perf_counter(), time.process_time()
            result = ds.run(config, seed, **kwargs)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    dials = int(result.summary["n_dials"])
    row = {"name": name, "dial_attempts": dials, "wall_s": wall, "cpu_s": cpu, "dials_per_s": dials / wall,
           "dials_per_cpu_s": dials / cpu}
    if name == "erlang_a":
        with counted("reference") if count else nullcontext():
            ref = minimal_erlang_a(dials, seed=seed)
        row.update(reference_dials_per_s=ref["calls_per_s"], reference_dials_per_cpu_s=ref["calls_per_cpu_s"],
                   ratio_to_reference=row["dials_per_s"] / ref["calls_per_s"],
                   cpu_ratio_to_reference=row["dials_per_cpu_s"] / ref["calls_per_cpu_s"])
    return row


def run_one(run: dict) -> dict:
    """One run of the ``screening_sample`` workload: ``run(apply_overrides(load_config(config), overrides), seed)``.

    ``run`` holds ``config`` (a TOML path), ``overrides`` (dotted keys), ``entropy`` and
    ``spawn_key`` (the run's ``numpy.random.SeedSequence``), as ``experiments/bench_sample.py`` gives them.
    """
    import numpy as np

    import dialer_sim as ds

    config = ds.apply_overrides(ds.load_config(run["config"]), run["overrides"])
    seed = np.random.SeedSequence(entropy=run["entropy"], spawn_key=tuple(run["spawn_key"]))
    t0, c0 = time.perf_counter(), time.process_time()
    result = ds.run(config, seed, keep_records=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"point": run.get("point"), "replication": run.get("replication"),
            "dial_attempts": int(result.summary["n_dials"]), "wall_s": wall, "cpu_s": cpu}


def serve(lines, out) -> None:
    """A ``screening_sample`` worker: first the imported ``dialer_sim``'s path, then one result line per run line."""
    import dialer_sim as ds

    print(json.dumps({"dialer_sim": ds.__file__}), file=out, flush=True)  # noqa: T201
    for line in lines:
        print(json.dumps(run_one(json.loads(line))), file=out, flush=True)  # noqa: T201


def main(argv: list[str]) -> None:
    """``python -c SOURCE NAME SCALE SEED TREE [count]``: print the workload's result as one JSON line.

    ``python -c SOURCE serve``: a ``screening_sample`` worker (:func:`serve`) on stdin and stdout.
    """
    if argv[0] == "serve":
        serve(sys.stdin, sys.stdout)
        return
    name, scale, seed, tree = argv[0], float(argv[1]), int(argv[2]), Path(argv[3])
    print(json.dumps(run_workload(name, scale, seed, tree, count=argv[4:] == ["count"])))  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1:])
