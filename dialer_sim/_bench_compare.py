"""``dialer-sim bench --against REV``: the bench's workloads on a base revision and on the working tree, interleaved.

REV is checked out into a temporary ``git worktree``; each workload runs in a
fresh ``python -c`` child with that tree (or the working tree) alone on
``PYTHONPATH``, running :mod:`dialer_sim._bench_child`'s source from the
working tree, so both sides time the same workload code around their own
model. Runs alternate base, working tree, base, working tree, ... for each
workload and round, so a change in the machine's load hits both sides alike;
the report gives each workload's ratio per round (median, min, max) and the
load averages (``uptime``) before and after.

Conventions
-----------
- A ratio is the working tree's dial attempts per second over the base's, of
  wall time (``perf_counter``) and of CPU time (``process_time``), measured in
  the same run. ``erlang_a`` also reports each side's ratio to the minimal
  SimPy reference run in the same child.
- The working tree includes uncommitted changes; the report records
  ``git status --porcelain``'s line count.
"""

from __future__ import annotations

import json
import os
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

__all__ = ["compare_revisions"]

ROOT = Path(__file__).resolve().parent.parent
#: Most rounds one comparison may run.
MAX_ROUNDS = 20


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


def _run_child(tree: Path, label: str, name: str, scale: float, seed: int) -> dict:
    """One workload in a fresh interpreter that imports ``dialer_sim`` from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    source = Path(_bench_child.__file__).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.run(
            [sys.executable, "-c", source + _IMPORTED_FROM, name, repr(scale), str(seed), str(tree)],
            env=env, cwd=cwd, capture_output=True, text=True, check=False,
        )
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise DialerSimError(f"--against: workload {name!r} failed on {label}: {reason}")
    lines = proc.stdout.strip().splitlines()
    row = json.loads(lines[-2])
    imported = Path(json.loads(lines[-1])["dialer_sim"]).resolve()
    if tree.resolve() not in imported.parents:
        raise DialerSimError(f"--against: the {label} run imported dialer_sim from {str(imported)!r}, "
                             f"not from {str(tree)!r} (an installed copy shadows PYTHONPATH).")
    return row


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


def _summarise(name: str, base: list[dict], work: list[dict]) -> dict:
    out = {
        "ratio_dials_per_s": _spread([w["dials_per_s"] / b["dials_per_s"] for b, w in zip(base, work, strict=True)]),
        "ratio_dials_per_cpu_s": _spread([w["dials_per_cpu_s"] / b["dials_per_cpu_s"] for b, w in zip(base, work, strict=True)]),
        "base_dials_per_s": _spread([b["dials_per_s"] for b in base]),
        "work_dials_per_s": _spread([w["dials_per_s"] for w in work]),
        "dial_attempts": {"base": base[0]["dial_attempts"], "work": work[0]["dial_attempts"]},
    }
    if name == "erlang_a":
        for side, rows in (("base", base), ("work", work)):
            out[f"{side}_ratio_to_reference"] = _spread([r["ratio_to_reference"] for r in rows])
            out[f"{side}_cpu_ratio_to_reference"] = _spread([r["cpu_ratio_to_reference"] for r in rows])
    if name == "screening_sample":
        out.update(summarise_sample(base, work))
    return out


def _line(name: str, rev: str, s: dict) -> str:
    r, c = s["ratio_dials_per_s"], s["ratio_dials_per_cpu_s"]
    dials = s["dial_attempts"]
    same = f"{dials['work']} dials on both" if dials["base"] == dials["work"] else \
        f"dials differ: base {dials['base']}, working tree {dials['work']}"
    text = (f"bench --against {rev}: {name}: {r['median']:.2f}x dials/s (wall; rounds {r['min']:.2f}-{r['max']:.2f}), "
            f"{c['median']:.2f}x per CPU second ({c['min']:.2f}-{c['max']:.2f}); {same}")
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


def compare_revisions(rev: str, *, scale: float = 1.0, seed: int = 0, rounds: int = 3,
                      workloads: Sequence[str] = _bench_child.DEFAULT_WORKLOADS,
                      log: Callable[[str], None] | None = None) -> dict:
    """Run ``workloads`` on revision ``rev`` and on the working tree, interleaved, ``rounds`` times each.

    Returns the per-workload ratios (working tree over base) with their spread,
    every run's raw figures, and the machine's load before and after.
    """
    unknown = [w for w in workloads if w not in _bench_child.WORKLOADS]
    if unknown or not workloads:
        raise DialerSimError(f"--workloads must be a comma-separated subset of {','.join(_bench_child.WORKLOADS)}; "
                             f"got {','.join(workloads)!r}.")
    if not 1 <= rounds <= MAX_ROUNDS:
        raise DialerSimError(f"--rounds must be an integer in [1, {MAX_ROUNDS}]; got {rounds}.")
    sha = resolve_revision(rev)
    result: dict = {"against": rev, "commit": sha, "working_tree": str(ROOT), "rounds": rounds, "scale": scale,
                    "seed": seed, "uncommitted_changes": len(_git("status", "--porcelain").stdout.splitlines()),
                    "uptime_before": _uptime()}
    runs: dict[str, dict[str, list[dict]]] = {name: {"base": [], "work": []} for name in workloads}
    sample = sample_runs() if "screening_sample" in workloads else []
    with _checkout(sha) as base_tree:
        for k in range(rounds):
            for name in workloads:
                for side, tree, label in (("base", base_tree, sha[:12]), ("work", ROOT, "the working tree")):
                    row = run_sample(tree, label, sample) if name == "screening_sample" else \
                        _run_child(tree, label, name, scale, seed)
                    runs[name][side].append(row)
                    if log:
                        log(f"bench --against: round {k + 1}/{rounds} {name} on {label}: "
                            f"{row['dial_attempts']} dials, {row['dials_per_s']:,.0f}/s wall, "
                            f"{row['dials_per_cpu_s']:,.0f}/s CPU")
    result["uptime_after"] = _uptime()
    result["workloads"] = {name: _summarise(name, runs[name]["base"], runs[name]["work"]) for name in workloads}
    result["runs"] = runs
    if log:
        for name in workloads:
            log(_line(name, rev, result["workloads"][name]))
        log(f"bench --against: load before: {result['uptime_before']}")
        log(f"bench --against: load after:  {result['uptime_after']}")
    return result
