"""No orphans: worker processes end when the process that started them is killed.

Regression for issue 14 (failure 3): after ``kill -9`` on ``dialer-sim sweep --workers 2`` the two
workers ran on with parent PID 1 for as long as their runs lasted. Each test starts a pool in a
subprocess, waits until its workers are busy, SIGKILLs the parent, and checks that every process the
parent had started is gone within ``GRACE_S`` seconds (the time each took is printed, ``pytest -s``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
GRACE_S = 10.0  # far above the 1 s watchdog poll, for a loaded machine
START_S = 300.0  # spawned workers import numpy, pandas and simpy before they take a run
BUSY_CPU_S = 6.0

# Each run takes minutes, so the workers are busy when the parent is killed.
LONG_CAMPAIGN = """\
[campaign]
n_numbers = 2000000
n_shifts = 20
shift_length_s = 28800
[agents]
n_agents = 200
"""


def _busy_workers(parent: psutil.Process, n: int) -> list[psutil.Process]:
    """Wait until ``parent`` has ``n`` children busy on their tasks; return every descendant.

    A worker has started its task (its initializer has run) once it has used more CPU time than its
    imports take (about 2 s).
    """
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        kids = parent.children(recursive=True)
        busy = [k for k in kids if _cpu_s(k) > BUSY_CPU_S]
        if len(busy) >= n:
            return kids
        time.sleep(0.5)
    raise AssertionError(f"{n} busy workers did not start within {START_S} s: {parent.children(recursive=True)}")


def _cpu_s(proc: psutil.Process) -> float:
    try:
        t = proc.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return t.user + t.system


def _kill_parent_and_time_children(name: str, cmd: list[str], n_workers: int, cwd: Path) -> list[float]:
    """Start ``cmd``, SIGKILL it once its workers are busy; seconds until each descendant was gone."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kids: list[psutil.Process] = []
    try:
        kids = _busy_workers(psutil.Process(proc.pid), n_workers)
        killed_at = time.monotonic()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        gone_s = {}
        while len(gone_s) < len(kids) and time.monotonic() - killed_at < GRACE_S:
            for k in kids:
                if k.pid not in gone_s and not _running(k):
                    gone_s[k.pid] = time.monotonic() - killed_at
            time.sleep(0.05)
        survivors = [k for k in kids if k.pid not in gone_s]
        print(f"ORPHANS {name}: {len(kids)} descendants, gone after "
              + ", ".join(f"{s:.2f} s" for s in sorted(gone_s.values())))  # fmt: skip
        assert not survivors, f"still running {GRACE_S} s after the parent was killed: {survivors}"
        return sorted(gone_s.values())
    finally:
        for k in kids:  # only the processes this test started
            if _running(k):
                k.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.slow
def test_sweep_workers_end_when_the_sweep_is_killed(tmp_path):
    (tmp_path / "base.toml").write_text(LONG_CAMPAIGN)
    (tmp_path / "sweep.toml").write_text(
        'replications = 2\nseed = 1\nbase = "base.toml"\n[grid]\n"agents.n_agents" = [200, 201]\n'
    )
    cmd = [sys.executable, "-m", "dialer_sim.cli", "sweep", "sweep.toml", "--out", "out", "--workers", "2"]
    times = _kill_parent_and_time_children("sweep --workers 2", cmd, 2, tmp_path)
    assert len(times) >= 2


@pytest.mark.slow
def test_experiment_workers_end_when_the_experiment_is_killed(tmp_path):
    """An experiment on the kit runs its points on the sweep's local workers; they end with it."""
    (tmp_path / "base.toml").write_text(LONG_CAMPAIGN)
    (tmp_path / "orphan_experiment.py").write_text(  # the run function must be importable by name in the workers
        "from pathlib import Path\n"
        "import dialer_sim as ds\n"
        "from experiments.kit import Point, Runner\n"
        "def dials(config, seed, params):\n"
        "    return {'n_dials': ds.run(config, seed).summary['n_dials']}\n"
        "def main():\n"
        "    base = ds.load_config('base.toml')\n"
        "    points = [Point({'n': n}, {'agents.n_agents': n}) for n in (200, 201)]\n"
        "    runner = Runner(workers=2, progress=False, store=Path('store'))\n"
        "    runner.run('orphans', base, points, dials, replications=1, seed=1)\n"
    )
    script = "import orphan_experiment; orphan_experiment.main()"
    times = _kill_parent_and_time_children("experiment on the kit, 2 workers", [sys.executable, "-c", script], 2,
                                           tmp_path)
    assert len(times) >= 2
