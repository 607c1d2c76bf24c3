"""``dialer-sim bench --against REV``: a real small comparison, and one clear line for every bad argument.

No timing is asserted (speed targets belong to the bench itself); the functional run checks that both sides
ran the same workload to the same dial count, that every ratio is a positive number with its spread, that the
load was recorded, and that the temporary worktree is gone afterwards.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from dialer_sim._bench_compare import ROOT, callgrind_counts
from dialer_sim.cli import main


def _worktrees() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "worktree", "list"], capture_output=True, text=True).stdout


def _one_error_line(capsys, match: str) -> None:
    err = capsys.readouterr().err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert re.search(match, lines[0]), lines[0]


def test_against_head_runs_both_trees_on_the_same_workload(tmp_path):
    """A real, small run against HEAD through the CLI: equal dials on both sides, ratios with their spread."""
    out = tmp_path / "against.json"
    before = _worktrees()
    assert main(["bench", "--json", str(out), "--against", "HEAD", "--rounds", "2", "--scale", "0.005",
                 "--workloads", "erlang_a"]) == 0
    result = json.loads(out.read_text())
    assert result["commit"] == subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                                              text=True).stdout.strip()
    erlang = result["workloads"]["erlang_a"]
    assert erlang["dial_attempts"] == {"base": 1000, "work": 1000}
    for key in ("ratio_dials_per_s", "ratio_dials_per_cpu_s", "work_ratio_to_reference", "base_ratio_to_reference"):
        spread = erlang[key]
        assert len(spread["values"]) == 2
        assert spread["min"] > 0
        assert spread["min"] <= spread["median"] <= spread["max"]
    assert len(result["runs"]["erlang_a"]["base"]) == len(result["runs"]["erlang_a"]["work"]) == 2
    assert "load average" in result["uptime_before"]
    assert "load average" in result["uptime_after"]
    assert _worktrees() == before  # the temporary checkout was removed


def test_against_head_counts_instructions_on_both_trees(tmp_path):
    """Counted by callgrind: the same code on both sides executes the same instructions, within ASLR's jitter."""
    out = tmp_path / "counted.json"
    assert main(["bench", "--json", str(out), "--against", "HEAD", "--count", "instructions", "--scale", "0.005",
                 "--workloads", "erlang_a"]) == 0
    result = json.loads(out.read_text())
    assert result["count"] == "instructions"
    assert result["rounds"] == 1
    erlang = result["workloads"]["erlang_a"]
    assert erlang["dial_attempts"] == {"base": 1000, "work": 1000}
    base, work = (result["runs"]["erlang_a"][side][0] for side in ("base", "work"))
    for row in (base, work):
        # A run of 1000 dials takes about 2e8 instructions; the warm-up and the imports are not counted.
        assert 5e7 < row["instructions"] < 2e9
        assert 2e7 < row["reference_instructions"] < 1e9
    if not subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True,
                          text=True).stdout.strip():  # a clean checkout: both sides are the same code
        assert erlang["ratio_instructions"]["median"] == pytest.approx(1.0, abs=0.02)
    assert erlang["ratio_instructions"]["median"] == pytest.approx(base["instructions"] / work["instructions"])
    assert erlang["work_instruction_ratio_to_reference"]["median"] == pytest.approx(
        work["reference_instructions"] / work["instructions"])


def test_callgrind_counts_reads_each_labelled_dump(tmp_path):
    """The header's dump label (after a long cmd: line) and the last line's totals; unlabelled parts are ignored."""
    header = "# callgrind format\nversion: 1\ncmd:  python -c " + "x" * 20_000 + "\npart: {n}\n{desc}events: Ir\n"
    body = "fl=(1)\nfn=(1)\n0 5\n" * 2000
    for n, desc, total in ((1, "desc: Trigger: dump model\n", 1234), (2, "desc: Trigger: dump reference\n", 99),
                           (3, "desc: Trigger: Program termination\n", 7)):
        (tmp_path / f"callgrind.out.{n}").write_text(header.format(n=n, desc=desc) + body + f"\ntotals: {total}\n")
    (tmp_path / "callgrind.out").write_text("totals: 5\n")
    assert callgrind_counts(tmp_path) == {"model": 1234, "reference": 99}


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--against", "no-such-revision-x9"], r"--against 'no-such-revision-x9' is not a commit of the repository"),
        (["--count", "cycles"], r"--count must be one of time, instructions; got 'cycles'\."),
        (["--count", "instructions"], r"--count instructions needs --against REV .*; got no --against\."),
        (["--against", "HEAD", "--count", "instructions", "--workloads", "screening_sample"],
         r"--count instructions counts one run per workload, of erlang_a,campaign,list_campaign; "
         r"got 'screening_sample'"),
        (["--against=-x"], r"--against must name a commit .*; got '-x'\."),
        (["--against", "HEAD", "--rounds", "0"], r"--rounds must be an integer in \[1, 20\]; got 0\."),
        (["--against", "HEAD", "--workloads", "erlang_a,fast"], r"--workloads must be a comma-separated subset of "
                                                                 r"erlang_a,campaign,list_campaign,screening_sample; "
                                                                 r"got 'erlang_a,fast'"),
    ],
)
def test_bad_against_arguments_give_one_line_and_no_json(tmp_path, capsys, argv, match):
    out = tmp_path / "b.json"
    assert main(["bench", "--json", str(out), *argv]) == 2
    _one_error_line(capsys, match)
    assert not out.exists()


def test_counting_without_valgrind_on_path_is_refused(tmp_path, capsys, monkeypatch):
    """No valgrind: one line naming the tool and its Debian package, before any checkout."""
    before = _worktrees()
    monkeypatch.setenv("PATH", str(tmp_path))  # no git either: the tools are checked before any checkout
    assert main(["bench", "--json", str(tmp_path / "b.json"), "--against", "HEAD", "--count", "instructions",
                 "--workloads", "erlang_a"]) == 2
    monkeypatch.undo()
    _one_error_line(capsys, r"--count instructions needs valgrind on PATH \(Debian package valgrind")
    assert not (tmp_path / "b.json").exists()
    assert _worktrees() == before


def test_against_a_commit_without_the_package_is_refused(capsys, tmp_path):
    """The repository's first commit predates dialer_sim: refused by name, before any checkout."""
    first = subprocess.run(["git", "-C", str(ROOT), "rev-list", "--max-parents=0", "HEAD"], capture_output=True,
                           text=True).stdout.split()[0]
    assert main(["bench", "--json", str(tmp_path / "b.json"), "--against", first, "--workloads", "erlang_a"]) == 2
    _one_error_line(capsys, rf"--against '{first}': commit {first[:12]} has no dialer_sim package")


def test_the_bench_population_is_the_package_mixed_population():
    """The bench child spells the mixed population out (it runs against old revisions); it must stay the same mix."""
    from dialer_sim._bench_child import LIST_MIX
    from dialer_sim.config import MIXED_STRATEGY_MIX

    assert LIST_MIX == MIXED_STRATEGY_MIX
