"""``dialer-sim bench --against REV``: the bench's workloads on a base revision and on the working tree, interleaved.

REV is checked out into a temporary ``git worktree``; each workload runs in a
fresh ``python -c`` child with that tree (or the working tree) alone on
``PYTHONPATH``, running :mod:`dialer_sim._bench_child`'s source from the
working tree, so both sides time the same workload code around their own
model. Runs alternate base, working tree, base, working tree, ... for each
workload and round, so a change in the machine's load hits both sides alike;
the report gives each workload's ratio per round (median, min, max) and the
load averages (``uptime``) before and after.

With ``count="instructions"`` (``--count instructions``) each child runs under
Valgrind's callgrind instead, the two sides of a round at the same time, and the
figures are the instructions each measured run executed, which the machine's
load does not move (``docs/bench.md``, "Counted in instructions").

Conventions
-----------
- A ratio is the working tree's dial attempts per second over the base's, of
  wall time (``perf_counter``) and of CPU time (``process_time``), measured in
  the same run. ``erlang_a`` also reports each side's ratio to the minimal
  SimPy reference run in the same child.
- Counted, a ratio is the base's instructions over the working tree's (the
  same dials on both sides: how many times less work the working tree does),
  and ``erlang_a``'s ratio to the reference is the reference's instructions
  per call over the model's per dial. Both sides run with ``PYTHONHASHSEED=0``.
- The working tree includes uncommitted changes; the report records
  ``git status --porcelain``'s line count.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import _bench_child
from ._bench_sample import run_sample, sample_runs, summarise_sample
from .errors import DialerSimError

__all__ = ["COUNTS", "callgrind_counts", "check_count", "compare_revisions"]

ROOT = Path(__file__).resolve().parent.parent
#: Most rounds one comparison may run.
MAX_ROUNDS = 20
#: What a comparison measures: time (wall and CPU), or instructions counted by callgrind.
COUNTS = ("time", "instructions")
#: Workloads that can be counted in instructions (screening_sample is a whole sample on 2 workers).
COUNTABLE_WORKLOADS = ("erlang_a", "campaign", "list_campaign")
#: The tools ``--count instructions`` needs, and the Debian package that has them.
CALLGRIND_TOOLS = ("valgrind", "callgrind_control")


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)


def resolve_revision(rev: str) -> str:
    """The full commit id of ``rev`` in the package's repository; DialerSimError (one line) when there is none."""
    if shutil.which("git") is None:
        raise DialerSimError("--against needs git on PATH to check out the base revision; git was not found.")
    if _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        raise DialerSimError(f"--against needs the package in a git checkout; {str(ROOT)!r} is not one.")
    if not rev or rev.startswith("-"):
        raise DialerSimError(f"--against must name a commit (a hash, branch or tag); got {rev!r}.")
    found = _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if found.returncode != 0:
        raise DialerSimError(f"--against {rev!r} is not a commit of the repository at {str(ROOT)!r}.")
    sha = found.stdout.strip()
    if _git("cat-file", "-e", f"{sha}:dialer_sim/__init__.py").returncode != 0:
        raise DialerSimError(f"--against {rev!r}: commit {sha[:12]} has no dialer_sim package to benchmark.")
    return sha


@contextmanager
def _checkout(sha: str) -> Iterator[Path]:
    """A temporary detached worktree of ``sha``, removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="dialer-bench-"))
    tree = tmp / "tree"
    added = _git("worktree", "add", "--detach", "--quiet", str(tree), sha)
    try:
        if added.returncode != 0:
            reason = (added.stderr.strip().splitlines() or ["unknown error"])[-1]
            raise DialerSimError(f"--against: could not check out {sha[:12]} into {str(tree)!r}: {reason}")
        yield tree
    finally:
        _git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(tmp, ignore_errors=True)
        _git("worktree", "prune")


def _start_child(tree: Path, cwd: str, name: str, scale: float, seed: int, *, count: bool) -> subprocess.Popen:
    """One workload in a fresh interpreter that imports ``dialer_sim`` from ``tree`` (under callgrind if ``count``)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    source = Path(_bench_child.__file__).read_text(encoding="utf-8")
    argv = [sys.executable, "-c", source + _IMPORTED_FROM, name, repr(scale), str(seed), str(tree)]
    if count:
        env["PYTHONHASHSEED"] = "0"  # string hashes decide dict probing: the same on both sides and every round
        argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                f"--callgrind-out-file={Path(cwd) / 'callgrind.out'}", *argv, "count"]
    return subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish_child(proc: subprocess.Popen, tree: Path, cwd: str, label: str, name: str, *, count: bool) -> dict:
    """Wait for a child of :func:`_start_child`; its row, refused if it imported another ``dialer_sim``."""
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        reason = (stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise DialerSimError(f"--against: workload {name!r} failed on {label}: {reason}")
    lines = stdout.strip().splitlines()
    row = json.loads(lines[-2])
    imported = Path(json.loads(lines[-1])["dialer_sim"]).resolve()
    if tree.resolve() not in imported.parents:
        raise DialerSimError(f"--against: the {label} run imported dialer_sim from {str(imported)!r}, "
                             f"not from {str(tree)!r} (an installed copy shadows PYTHONPATH).")
    if count:
        counts = callgrind_counts(Path(cwd))
        needed = ("model", "reference") if name == "erlang_a" else ("model",)
        missing = [label_ for label_ in needed if label_ not in counts]
        if missing:
            raise DialerSimError(f"--against: callgrind wrote no {missing[0]!r} count for {name!r} on {label}.")
        row["instructions"] = counts["model"]
        if name == "erlang_a":
            row["reference_instructions"] = counts["reference"]
    return row


def _run_pair(sides: Sequence[tuple[Path, str]], name: str, scale: float, seed: int, *,
              count: bool) -> list[dict]:
    """Run one workload on each (tree, label): one after the other, or all at once when counted."""
    with tempfile.TemporaryDirectory() as tmp:
        cwds = [Path(tmp) / str(i) for i in range(len(sides))]
        for cwd in cwds:
            cwd.mkdir()
        if not count:
            return [_finish_child(_start_child(tree, str(cwd), name, scale, seed, count=False), tree, str(cwd),
                                  label, name, count=False) for (tree, label), cwd in zip(sides, cwds, strict=True)]
        # Instruction counts do not depend on what else runs: both sides at once.
        procs = [_start_child(tree, str(cwd), name, scale, seed, count=True)
                 for (tree, _), cwd in zip(sides, cwds, strict=True)]
        try:
            return [_finish_child(proc, tree, str(cwd), label, name, count=True)
                    for proc, (tree, label), cwd in zip(procs, sides, cwds, strict=True)]
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()


_DUMP = re.compile(r"^desc: Trigger: dump (\S+)\s*$")
_TOTALS = re.compile(r"^totals: (\d+)\s*$", re.MULTILINE)
#: Lines of a callgrind file's header (``cmd:`` holds the child's whole source on one line).
_HEADER_LINES = 64


def callgrind_counts(folder: Path) -> dict[str, int]:
    """The instructions (``Ir``) of each labelled dump of a callgrind run that wrote its files into ``folder``.

    ``callgrind_control --dump=LABEL`` writes a part file ``callgrind.out.N`` whose header (the lines before
    ``events:``) holds ``desc: Trigger: dump LABEL`` and whose last line is ``totals: N``; the part written
    when the program ends has no label and is ignored.
    """
    counts: dict[str, int] = {}
    for part in sorted(folder.glob("callgrind.out.*")):
        label = None
        with part.open(encoding="utf-8", errors="replace") as f:
            for _, line in zip(range(_HEADER_LINES), f, strict=False):
                if line.startswith("events:"):
                    break
                found = _DUMP.match(line)
                if found:
                    label = found.group(1)
        with part.open("rb") as f:
            f.seek(max(0, part.stat().st_size - 4096))
            totals = _TOTALS.search(f.read().decode("utf-8", "replace"))
        if label is not None and totals:
            counts[label] = int(totals.group(1))
    return counts


# Appended to the child's source: report which dialer_sim it imported (checked against the tree).
_IMPORTED_FROM = """
import dialer_sim as _ds
print(json.dumps({"dialer_sim": _ds.__file__}))
"""


def _spread(values: Sequence[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "values": list(values)}


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "load average: {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def _summarise(name: str, base: list[dict], work: list[dict], *, count: bool = False) -> dict:
    pairs = list(zip(base, work, strict=True))
    out: dict = {"dial_attempts": {"base": base[0]["dial_attempts"], "work": work[0]["dial_attempts"]}}
    if count:
        out.update(
            ratio_instructions=_spread([b["instructions"] / w["instructions"] for b, w in pairs]),
            base_instructions=_spread([b["instructions"] for b in base]),
            work_instructions=_spread([w["instructions"] for w in work]),
            base_instructions_per_dial=_spread([b["instructions"] / b["dial_attempts"] for b in base]),
            work_instructions_per_dial=_spread([w["instructions"] / w["dial_attempts"] for w in work]),
        )
        if name == "erlang_a":  # the reference runs as many calls as the model made dials
            for side, rows in (("base", base), ("work", work)):
                out[f"{side}_instruction_ratio_to_reference"] = _spread(
                    [r["reference_instructions"] / r["instructions"] for r in rows])
        return out
    out.update(
        ratio_dials_per_s=_spread([w["dials_per_s"] / b["dials_per_s"] for b, w in pairs]),
        ratio_dials_per_cpu_s=_spread([w["dials_per_cpu_s"] / b["dials_per_cpu_s"] for b, w in pairs]),
        base_dials_per_s=_spread([b["dials_per_s"] for b in base]),
        work_dials_per_s=_spread([w["dials_per_s"] for w in work]),
    )
    if name == "erlang_a":
        for side, rows in (("base", base), ("work", work)):
            out[f"{side}_ratio_to_reference"] = _spread([r["ratio_to_reference"] for r in rows])
            out[f"{side}_cpu_ratio_to_reference"] = _spread([r["cpu_ratio_to_reference"] for r in rows])
    if name == "screening_sample":
        out.update(summarise_sample(base, work))
    return out


def _same_dials(s: dict) -> str:
    dials = s["dial_attempts"]
    return f"{dials['work']} dials on both" if dials["base"] == dials["work"] else \
        f"dials differ: base {dials['base']}, working tree {dials['work']}"


def _count_line(name: str, rev: str, s: dict) -> str:
    r = s["ratio_instructions"]
    text = (f"bench --against {rev}: {name}: {r['median']:.3f}x fewer instructions (rounds {r['min']:.3f}-"
            f"{r['max']:.3f}): base {s['base_instructions']['median']:.4g}, working tree "
            f"{s['work_instructions']['median']:.4g} ({s['base_instructions_per_dial']['median']:,.0f} and "
            f"{s['work_instructions_per_dial']['median']:,.0f} per dial); {_same_dials(s)}")
    if name == "erlang_a":
        w, b = s["work_instruction_ratio_to_reference"], s["base_instruction_ratio_to_reference"]
        text += (f"; the minimal SimPy model's instructions per call over the model's per dial: working tree "
                 f"{w['median']:.2f}x, base {b['median']:.2f}x")
    return text


def _line(name: str, rev: str, s: dict) -> str:
    r, c = s["ratio_dials_per_s"], s["ratio_dials_per_cpu_s"]
    text = (f"bench --against {rev}: {name}: {r['median']:.2f}x dials/s (wall; rounds {r['min']:.2f}-{r['max']:.2f}), "
            f"{c['median']:.2f}x per CPU second ({c['min']:.2f}-{c['max']:.2f}); {_same_dials(s)}")
    if name == "screening_sample":
        differ = s["runs_with_different_dials"]
        text += (f"; {s['n_runs']} runs on {s['n_workers']} workers: base {s['base_wall_s'][0]:.0f} s, working tree "
                 f"{s['work_wall_s'][0]:.0f} s wall, {sum(s['base_cpu_s']):.0f} and {sum(s['work_cpu_s']):.0f} CPU s; "
                 + ("every run the same dials on both sides" if not differ else f"dials differ at points {differ}"))
    if name == "erlang_a":
        w, b = s["work_ratio_to_reference"], s["base_ratio_to_reference"]
        text += (f"; vs the minimal SimPy model: working tree {w['median']:.2f}x ({w['min']:.2f}-{w['max']:.2f}), "
                 f"base {b['median']:.2f}x ({b['min']:.2f}-{b['max']:.2f})")
    return text


def check_count(count: str, workloads: Sequence[str]) -> None:
    """Refuse (one line) a ``count`` that is not one of :data:`COUNTS`, or instructions that cannot be counted."""
    if count not in COUNTS:
        raise DialerSimError(f"--count must be one of {', '.join(COUNTS)}; got {count!r}.")
    if count != "instructions":
        return
    uncountable = [w for w in workloads if w not in COUNTABLE_WORKLOADS]
    if uncountable:
        raise DialerSimError(f"--count instructions counts one run per workload, of {','.join(COUNTABLE_WORKLOADS)}; "
                             f"got {uncountable[0]!r} (a sample of runs on 2 workers is timed only).")
    missing = [tool for tool in CALLGRIND_TOOLS if shutil.which(tool) is None]
    if missing:
        raise DialerSimError(f"--count instructions needs {missing[0]} on PATH (Debian package valgrind, which "
                             "`make setup` installs); it was not found.")


def compare_revisions(rev: str, *, scale: float = 1.0, seed: int = 0, rounds: int = 3,
                      workloads: Sequence[str] = _bench_child.DEFAULT_WORKLOADS, count: str = "time",
                      log: Callable[[str], None] | None = None) -> dict:
    """Run ``workloads`` on revision ``rev`` and on the working tree, interleaved, ``rounds`` times each.

    ``count``: ``"time"`` (wall and CPU time, the sides one after the other) or ``"instructions"`` (each
    measured run's instructions under callgrind, both sides at once; about 50 times slower).
    Returns the per-workload ratios (working tree over base) with their spread,
    every run's raw figures, and the machine's load before and after.
    """
    unknown = [w for w in workloads if w not in _bench_child.WORKLOADS]
    if unknown or not workloads:
        raise DialerSimError(f"--workloads must be a comma-separated subset of {','.join(_bench_child.WORKLOADS)}; "
                             f"got {','.join(workloads)!r}.")
    if not 1 <= rounds <= MAX_ROUNDS:
        raise DialerSimError(f"--rounds must be an integer in [1, {MAX_ROUNDS}]; got {rounds}.")
    check_count(count, workloads)
    counting = count == "instructions"
    sha = resolve_revision(rev)
    result: dict = {"against": rev, "commit": sha, "working_tree": str(ROOT), "rounds": rounds, "scale": scale,
                    "seed": seed, "count": count,
                    "uncommitted_changes": len(_git("status", "--porcelain").stdout.splitlines()),
                    "uptime_before": _uptime()}
    runs: dict[str, dict[str, list[dict]]] = {name: {"base": [], "work": []} for name in workloads}
    sample = sample_runs() if "screening_sample" in workloads else []
    with _checkout(sha) as base_tree:
        sides = (("base", base_tree, sha[:12]), ("work", ROOT, "the working tree"))
        for k in range(rounds):
            for name in workloads:
                if name == "screening_sample":
                    rows = [run_sample(tree, label, sample) for _, tree, label in sides]
                else:
                    rows = _run_pair([(tree, label) for _, tree, label in sides], name, scale, seed, count=counting)
                for (side, _, label), row in zip(sides, rows, strict=True):
                    runs[name][side].append(row)
                    if log:
                        figure = (f"{row['instructions']:.4g} instructions" if counting else
                                  f"{row['dials_per_s']:,.0f}/s wall, {row['dials_per_cpu_s']:,.0f}/s CPU")
                        log(f"bench --against: round {k + 1}/{rounds} {name} on {label}: "
                            f"{row['dial_attempts']} dials, {figure}")
    result["uptime_after"] = _uptime()
    result["workloads"] = {name: _summarise(name, runs[name]["base"], runs[name]["work"], count=counting)
                           for name in workloads}
    result["runs"] = runs
    if log:
        for name in workloads:
            log((_count_line if counting else _line)(name, rev, result["workloads"][name]))
        log(f"bench --against: load before: {result['uptime_before']}")
        log(f"bench --against: load after:  {result['uptime_after']}")
    return result
