"""The Dask backend against a real LocalCluster on loopback (dialer_sim.sweep._backends)."""

from __future__ import annotations

import distributed
import pytest

from dialer_sim.sweep import DaskBackend, SweepError, run_sweep, sweep_from_dict

BASE = {"campaign": {"n_numbers": 300, "shift_length_s": 1800.0}, "agents": {"n_agents": 3}}


@pytest.mark.slow
def test_dask_cluster_gives_byte_identical_results_to_local_run(tmp_path):
    """A scheduler and 2 worker processes produce the same tables, byte for byte, as one local worker."""
    spec = sweep_from_dict(
        {
            "base": BASE,
            "replications": 3,
            "seed": 99,
            "grid": {"agents.n_agents": [2, 4], "pacing.policy": ["progressive", "ratio"]},
        }
    )
    local = run_sweep(spec, tmp_path / "local", workers=1)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        report = run_sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address)
        n_workers_seen = len(cluster.scheduler_info["workers"])
    assert n_workers_seen == 2
    assert local.ok
    assert report.ok
    assert report.n_ran == 12
    for name in ("summaries.parquet", "aggregates.csv"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes(), name


def test_unreachable_scheduler_is_one_line_error(tmp_path):
    """A scheduler that does not answer gives a SweepError naming the address, not a traceback."""
    spec = sweep_from_dict({"base": BASE, "replications": 1, "seed": 1})
    backend = DaskBackend("tcp://127.0.0.1:9", timeout_s=2.0)
    with pytest.raises(SweepError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"):
        list(backend.run([]))
    with pytest.raises(SweepError, match=r"`--scheduler` must be an address like tcp://host:8786"):
        run_sweep(spec, tmp_path, scheduler="127.0.0.1:8786")
