"""Atomic result files and folders (``atomicdir``): modes, repair of a swap cut short, leftovers, symlinks,
and commands that fail leaving nothing behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from small_campaign import SMALL_CAMPAIGN  # noqa: E402

from amd.cli import main as amd_main
from atomicdir import atomic_write_text, recover, staged_dir
from dialer_sim.cli import main as dialer_main
from dialer_sim.sweep import SweepStore, run_sweep, sweep_from_dict


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _dead_pid() -> int:
    """The PID of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_result_files_and_folders_are_readable_as_the_umask_allows(tmp_path):
    """mkstemp and mkdtemp make 0600 files and 0700 folders; results are ordinary files (0644 at umask 022)."""
    with staged_dir(tmp_path / "out") as folder:
        atomic_write_text(folder / "a.txt", "x")
    assert (tmp_path / "out" / "a.txt").stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~_umask()


def test_amd_bench_writes_its_csv_with_the_ordinary_mode(tmp_path):
    """Regression for issue 14: amd-bench wrote its outputs 0600, unreadable by the rest of a team."""
    sf.write(tmp_path / "a.wav", np.zeros(8000, dtype=np.int16), 8000, subtype="PCM_16")
    out = tmp_path / "decisions.csv"
    assert amd_main(["classify", "--detector", "asterisk", "--out", str(out), str(tmp_path / "a.wav")]) == 0
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_a_folder_killed_between_the_two_renames_is_put_back(tmp_path):
    """The earlier folder waiting beside a missing one as .old is the one the next run finds."""
    out = tmp_path / "out"
    old = tmp_path / f".run-out-{_dead_pid()}-abcdefgh.old"
    old.mkdir()
    (old / "summary.json").write_text("{}\n")
    partial = tmp_path / f".run-out-{_dead_pid()}-ijklmnop.partial"
    partial.mkdir()
    (partial / "summary.json").write_text('{"new": 1}\n')
    recover(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (out / "summary.json").read_text() == "{}\n"


def test_a_finished_swap_loses_only_its_leftover_old_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("new\n")
    (tmp_path / f".run-out-{_dead_pid()}-abcdefgh.old").mkdir()
    recover(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (out / "summary.json").read_text() == "new\n"


def test_another_running_process_keeps_its_staging_folder(tmp_path):
    """A .partial whose process is alive belongs to a run publishing right now."""
    live = tmp_path / f".run-out-{os.getppid()}-abcdefgh.partial"
    live.mkdir()
    other = tmp_path / f".run-out-2-{_dead_pid()}-abcdefgh.partial"  # a folder named "out-2", not "out"
    other.mkdir()
    recover(tmp_path / "out")
    assert live.is_dir()
    assert other.is_dir()


def test_leftovers_of_a_killed_run_inside_the_folder_are_removed_by_the_next_run(tmp_path):
    """Regression for issue 14: a killed `run --force` left a hidden .run-*.partial/ inside --out for good."""
    cfg = tmp_path / "small.toml"
    cfg.write_text(SMALL_CAMPAIGN)
    out = tmp_path / "out"
    assert dialer_main(["run", str(cfg), "--out", str(out), "--quiet"]) == 0
    (out / ".run-abc123.partial").mkdir()
    (out / ".run-abc123.partial" / "records.parquet").write_bytes(b"half")
    (out / ".summary.json.k2j3.tmp").write_text("{")
    assert dialer_main(["run", str(cfg), "--out", str(out), "--quiet"]) == 2  # refused, but repaired
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "records.parquet", "summary.json"]


def test_a_symlinked_out_folder_is_replaced_behind_the_link(tmp_path):
    real = tmp_path / "real"
    with staged_dir(real) as folder:
        atomic_write_text(folder / "a.txt", "1")
    link = tmp_path / "link"
    link.symlink_to(real)
    with staged_dir(link) as folder:
        atomic_write_text(folder / "a.txt", "2")
    assert link.is_symlink()
    assert (real / "a.txt").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_a_failed_block_leaves_no_folder_and_no_parents(tmp_path):
    def write_then_fail() -> None:
        with staged_dir(tmp_path / "a" / "b" / "out") as folder:
            atomic_write_text(folder / "x.txt", "x")
            raise RuntimeError("simulated failure")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert list(tmp_path.iterdir()) == []


def test_a_run_whose_amd_table_is_unreadable_creates_no_out_folder(tmp_path, capsys):
    """Regression for issue 14: a bad amd.table_path left an empty --out behind."""
    (tmp_path / "behaviour.csv").write_bytes(b"\xff\xfe\x00not a table")
    config = tmp_path / "amd.toml"
    config.write_text(SMALL_CAMPAIGN + f'[amd]\nmode = "empirical"\ntable_path = "{tmp_path / "behaviour.csv"}"\n')
    assert dialer_main(["run", str(config), "--out", str(tmp_path / "results" / "out"), "--quiet"]) == 2
    assert "amd.table_path" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["amd.toml", "behaviour.csv"]


def test_an_unreachable_scheduler_leaves_nothing_in_out(tmp_path, capsys):
    """Regression for issue 14: sweep.json and points/ were written before the scheduler was tried.

    Dask's connect timeout is cut from 30 s to 2 s: nothing answers on port 9, so the wait only delays the error.
    """
    (tmp_path / "base.toml").write_text(SMALL_CAMPAIGN)
    sweep = tmp_path / "sweep.toml"
    sweep.write_text('replications = 1\nseed = 1\nbase = "base.toml"\n[grid]\n"agents.n_agents" = [2]\n')
    out = tmp_path / "out"
    argv = ["sweep", str(sweep), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        assert dialer_main(argv) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not out.exists()


def test_sweep_tables_are_published_together(tmp_path, monkeypatch):
    """A sweep interrupted at any rename while it publishes its tables keeps the earlier tables whole."""
    spec = sweep_from_dict({"base": {"campaign": {"n_numbers": 200, "n_shifts": 1, "shift_length_s": 900.0},
                                     "agents": {"n_agents": 2}},
                            "grid": {"agents.n_agents": [2, 3]}, "replications": 2, "seed": 3})  # fmt: skip
    out = tmp_path / "out"
    run_sweep(spec, out, progress=False)
    last = out / "points" / "p0001_r001.json"
    last_run = last.read_bytes()
    last.unlink()
    store = SweepStore(out, spec)
    store.publish_tables([])  # the earlier tables: three runs
    old = _tree(out)
    shutil.copytree(out, tmp_path / "template")
    tables = ("summaries.parquet", "aggregates.csv", "aggregates.parquet")
    real = {"rename": os.rename, "replace": os.replace}
    k = 0
    while True:
        k += 1
        shutil.rmtree(out)
        shutil.copytree(tmp_path / "template", out)
        last.write_bytes(last_run)  # the fourth run has finished since
        calls = {"n": 0}

        def fail_at(name, k=k, calls=calls):
            def patched(*args):
                calls["n"] += 1
                if calls["n"] == k:
                    raise KeyboardInterrupt
                return real[name](*args)

            return patched

        monkeypatch.setattr(os, "rename", fail_at("rename"))
        monkeypatch.setattr(os, "replace", fail_at("replace"))
        try:
            store.publish_tables([])
        except KeyboardInterrupt:
            monkeypatch.undo()
            assert {t: _tree(out)[t] for t in tables} == {t: old[t] for t in tables}, k
            assert last.read_bytes() == last_run
            continue
        monkeypatch.undo()
        break
    assert k > 4  # three tables written, two renames of the swap
    assert pd.read_parquet(out / "summaries.parquet").shape[0] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "template"]
