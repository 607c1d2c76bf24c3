"""Crash consistency: a command interrupted at any rename leaves exactly the old result set or the new one.

Regression for issue 14 (failure 1): ``dialer-sim run --force`` renamed its files into place one by one,
so a signal between two renames left new records beside an old config. Each command below first writes an
*old* set into ``results/out``, then replaces it with ``--force`` while ``os.rename`` and ``os.replace``
fail at their ``k``-th call, for every ``k`` the command makes:

- *interrupt*: the ``k``-th call raises ``KeyboardInterrupt`` in this process (Ctrl-C);
- *kill*: the command runs in a forked child that ends with ``os._exit`` at the ``k``-th call, so no
  ``finally`` block or handler runs, as with ``kill -9``;
- *kill-after*: the same, right after the last rename is done (after any other rename, the state is
  that of a kill before the next one).

After each interruption the folder holds the old set or the new set (compared file by file, by content),
or, killed between the two renames of the swap, is missing with its earlier version beside it (an
experiment also leaves its run store beside it, for the next run to resume from). The next
run (without ``--force``, so it must refuse) repairs that: afterwards the folder holds exactly the old or
the new set and no hidden ``.run-*`` folder is left beside it. The matrix command x interruption point is
printed (``pytest -s``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from small_campaign import SMALL_CAMPAIGN

from amd.cli import main as amd_main
from dialer_sim.cli import main as dialer_main
from experiments import predictive_day
from experiments.kit import store_dir

ROOT = Path(__file__).resolve().parent.parent

KILLED = 77  # exit status of a child killed at its k-th rename


@dataclass
class Case:
    """One command: ``old()`` writes the earlier set, ``new()`` replaces it, ``again()`` is the next run."""

    old: Callable[[], int]
    new: Callable[[], int]
    again: Callable[[], int]


def _snapshot(folder: Path) -> dict[str, str] | None:
    """sha256 of every file under ``folder`` by relative path; None when the folder is missing."""
    if not folder.is_dir():
        return None
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@contextlib.contextmanager
def _fail_at(k: int, fail: Callable[[], None], *, after: bool = False):
    """Patch os.rename and os.replace so that their k-th call (counted together) calls ``fail`` first
    (or, with ``after``, right after the rename is done)."""
    calls = {"n": 0, "failed": False}
    real = {"rename": os.rename, "replace": os.replace}

    def wrap(name):
        def patched(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == k and not after:
                calls["failed"] = True
                fail()
            result = real[name](*args, **kwargs)
            if calls["n"] == k and after:
                calls["failed"] = True
                fail()
            return result

        return patched

    os.rename, os.replace = wrap("rename"), wrap("replace")
    try:
        yield calls
    finally:
        os.rename, os.replace = real["rename"], real["replace"]


def _interrupt() -> None:
    raise KeyboardInterrupt


def _run_interrupted(command: Callable[[], int], k: int) -> None:
    with _fail_at(k, _interrupt) as calls:
        with contextlib.suppress(KeyboardInterrupt):
            command()
    assert calls["failed"], f"the command made fewer than {k} renames"


def _run_killed(command: Callable[[], int], k: int, *, after: bool = False) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: no pytest teardown, no finally blocks after the kill
        try:
            with _fail_at(k, lambda: os._exit(KILLED), after=after):
                command()
        except BaseException:  # noqa: BLE001 - any exit but the simulated kill is reported as 3
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == KILLED, f"the child was not killed at rename {k}"


def _count_renames(command: Callable[[], int]) -> int:
    with _fail_at(0, _interrupt) as calls:
        assert command() == 0
    return calls["n"]


class _Sets:
    """The old set, the new set, and which new files differ from run to run (timings)."""

    def __init__(self, old: dict[str, str], new: dict[str, str], new_again: dict[str, str]) -> None:
        assert old != new
        self.old, self.new = old, new
        self.volatile = {name for name in new if new[name] != new_again.get(name)}

    def classify(self, snap: dict[str, str] | None) -> str:
        if snap is None:
            return "absent"
        if snap == self.old:
            return "old"
        if set(snap) == set(self.new) and all(
            snap[f] == self.new[f] if f not in self.volatile else snap[f] != self.old.get(f) for f in snap
        ):
            return "new"
        return "mixed"


def _restore(template: Path, out: Path) -> None:
    for entry in out.parent.iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(template, out)


def _matrix(name: str, case: Case, out: Path, tmp: Path) -> list[str]:
    """Interrupt ``case.new`` at every rename in both modes; assert old-or-new; return the matrix rows."""
    out.parent.mkdir(parents=True)
    assert case.old() == 0
    (out / "notes.txt").write_text("the analyst's own notes\n")  # not a result: carried over
    old = _snapshot(out)
    template = tmp / "template"
    shutil.copytree(out, template)
    n = _count_renames(case.new)
    new = _snapshot(out)
    _restore(template, out)
    assert case.new() == 0
    sets = _Sets(old, new, _snapshot(out))
    rows = []
    modes = (("interrupt", _run_interrupted, range(1, n + 1)), ("kill", _run_killed, range(1, n + 1)),
             ("kill-after", lambda command, k: _run_killed(command, k, after=True), [n]))
    for mode, interrupt, steps in modes:
        for k in steps:
            _restore(template, out)
            interrupt(case.new, k)
            after = sets.classify(_snapshot(out))
            refused = case.again() != 0  # the next run without --force must find and refuse the results
            repaired = sets.classify(_snapshot(out))
            # An experiment's run store (experiments.kit.store_dir) stays beside --out so that the next
            # run resumes; it is no result and is not looked at.
            left = sorted(p.name for p in out.parent.iterdir() if p.name not in (out.name, store_dir(out).name))
            ok = (after in ("old", "new") or (mode != "interrupt" and after == "absent")) and refused \
                and repaired in ("old", "new") and after in ("absent", repaired) and not left  # fmt: skip
            rows.append(f"MATRIX {name:10s} {mode:10s} rename {k:2d}/{n}: after {after:6s} next run {repaired:6s}"
                        + ("" if ok else f" FAILED (next run refused: {refused}; left beside: {left})"))
    print("\n".join(rows))
    assert not any("FAILED" in r for r in rows), "\n".join(rows)
    return rows


@pytest.fixture
def campaign(tmp_path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL_CAMPAIGN)
    return path


def _quiet(main: Callable[[list[str]], int], argv: list[str]) -> Callable[[], int]:
    def call() -> int:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull), \
                contextlib.redirect_stdout(devnull):  # fmt: skip
            return main(argv)

    return call


def test_run_force_interrupted_at_every_rename_leaves_old_or_new_set(tmp_path, campaign):
    out = tmp_path / "results" / "out"
    base = ["run", str(campaign), "--out", str(out), "--quiet"]
    case = Case(
        old=_quiet(dialer_main, [*base, "--seed", "1", "--csv"]),  # records.csv: dropped by the new run
        new=_quiet(dialer_main, [*base, "--seed", "2", "--force"]),
        again=_quiet(dialer_main, [*base, "--seed", "2"]),
    )
    rows = _matrix("run", case, out, tmp_path)
    assert any("after absent" in r for r in rows)  # the kill between the two renames was exercised
    assert any("after new" in r for r in rows)  # and the kill after the last one


def test_compliance_report_interrupted_at_every_rename_leaves_old_or_new_set(tmp_path, campaign):
    for seed in (1, 2):
        assert _quiet(dialer_main, ["run", str(campaign), "--out", str(tmp_path / f"r{seed}"), "--seed",
                                    str(seed), "--quiet"])() == 0  # fmt: skip
    out = tmp_path / "results" / "out"

    def report(seed: int, *extra: str) -> Callable[[], int]:
        records = str(tmp_path / f"r{seed}" / "records.parquet")
        return _quiet(dialer_main, ["compliance", records, "--regime", "ofcom2010", "--report", str(out), *extra])

    _matrix("compliance", Case(old=report(1), new=report(2, "--force"), again=report(2)), out, tmp_path)


@pytest.mark.slow
def test_amd_bench_run_interrupted_at_every_rename_leaves_old_or_new_set(tmp_path):
    from amd.corpus import build_corpus

    corpus = tmp_path / "corpus"
    build_corpus(corpus, seed=3, n_clips=18, progress=False)
    out = tmp_path / "results" / "out"

    def bench(detector: str, *extra: str) -> Callable[[], int]:
        return _quiet(amd_main, ["run", "--corpus", str(corpus), "--out", str(out), "--split", "train",
                                 "--no-sweep", "--detectors", detector, *extra])  # fmt: skip

    case = Case(old=bench("asterisk"), new=bench("beep", "--force"), again=bench("beep"))
    _matrix("amd-bench", case, out, tmp_path)


@pytest.mark.slow
def test_experiment_interrupted_at_every_rename_leaves_old_or_new_set(tmp_path, campaign):
    out = tmp_path / "results" / "out"
    base = ["--config", str(campaign), "--replications", "2", "--out", str(out)]
    case = Case(
        old=_quiet(predictive_day.cli_main, [*base, "--seed", "1"]),
        new=_quiet(predictive_day.cli_main, [*base, "--seed", "2", "--force"]),
        again=_quiet(predictive_day.cli_main, [*base, "--seed", "2"]),
    )
    _matrix("experiment", case, out, tmp_path)
