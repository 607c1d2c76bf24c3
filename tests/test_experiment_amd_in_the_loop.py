"""The AMD-in-the-loop experiment: smoke reference, outputs, detector effects and CLI errors.

The smoke behaviour table tests/data/amd_behaviour_smoke.csv is a deterministic
subset of an AMD benchmark run (``amd-bench run``, 600 clips, written to
results/amd_bench600/behaviour.csv on 2026-11-21 with the detectors of commit
57ffa0f): the detectors ``asterisk``, ``vad`` and ``learned``, and for each the
first 4 clips of every answer kind in file order (108 rows).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from figures import run_checking_figures

from dialer_sim.model import load_behaviour_table
from dialer_sim.sweep import build_sweep
from experiments import _amd_tables
from experiments import amd_in_the_loop as ail
from experiments.kit import Runner

ROOT = Path(__file__).resolve().parent.parent

#: Results are a pure function of config and seed; the tolerance only absorbs libm last digits.
RTOL = 1e-9
SCRIPT = ROOT / "experiments" / "amd_in_the_loop.py"
DETECTORS = ["asterisk", "vad", "learned"]
#: (title, problems) of every figure the smoke run saved.
FIGURES: list = []


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """One --smoke run on 2 workers (the stored reference was made on 1)."""
    out, summary, FIGURES[:] = run_checking_figures(
        tmp_path_factory, "amd_loop_smoke", lambda out: ail.run_smoke(out, runner=Runner(workers=2)))
    return out, summary.set_index(["mix", "variant", "policy"])


@pytest.mark.slow
def test_smoke_run_matches_reference(smoke):
    """Same seed, same per-replication table as tests/data/amd_in_the_loop_smoke.csv."""
    out, _ = smoke
    fresh = pd.read_csv(out / ail.SMOKE_TABLE)
    reference = pd.read_csv(ROOT / "tests" / "data" / "amd_in_the_loop_smoke.csv")
    pd.testing.assert_frame_equal(fresh, reference, rtol=RTOL, check_exact=False)


@pytest.mark.slow
def test_smoke_run_writes_every_output(smoke):
    """Tables, three charts, per-detector behaviour tables, config.json with the seed, and the report."""
    out, summary = smoke
    for name in ("amd_in_the_loop_summary.csv", "protection.csv", "protection_summary.csv", "detectors.csv",
                 "compliance_cost.csv"):
        assert len(pd.read_csv(out / name)) > 0
    for name in ("abandon.png", "fp_vs_abandon.png", "silent_protection.png"):
        png = (out / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 10_000
    meta = json.loads((out / "config.json").read_text())
    for det in DETECTORS:
        path = out / "behaviour" / f"{det}.csv"
        assert len(load_behaviour_table(path)) == 36
        # The record names each table the runs sampled by its path in the result folder and its content.
        assert meta["behaviour_tables"][det] == {"path": f"behaviour/{det}.csv", "n_rows": 36,
                                                 "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        assert meta["amd_variants"][det]["amd.table_path"] == f"behaviour/{det}.csv"
    assert meta["behaviour_source"] == {"path": "tests/data/amd_behaviour_smoke.csv", "n_rows": 108}
    assert meta["seed"] == ail.SEED
    assert sorted(meta["amd_variants"]) == sorted(["off", "parametric", *DETECTORS])
    assert "![abandoned calls per AMD variant](abandon.png)" in (out / "REPORT.md").read_text()
    # AMD off once, every AMD variant under both policies.
    assert len(summary) == len(ail.MIXES) * (1 + len(ail.AMD_POLICIES) * (1 + len(DETECTORS)))
    assert "What does full compliance cost in agent time?" in (out / "REPORT.md").read_text()


@pytest.mark.slow
def test_amd_off_never_hangs_up_on_a_person(smoke):
    """With AMD off every answer goes to an agent: no AMD false positives in either mix."""
    _, summary = smoke
    off = summary.xs("off", level="variant")
    assert (off["amd_false_positive_rate_live"] == 0.0).all()


@pytest.mark.slow
def test_detector_with_more_human_false_positives_abandons_more(smoke):
    """asterisk (9 of 16 human clips called machine) beats learned (0 of 16) on the window-rule rate."""
    _, summary = smoke
    for mix in ail.MIXES:
        for policy in ail.AMD_POLICIES:
            for col in ("abandon_rate_window_live", "amd_false_positive_rate_live"):
                assert summary.loc[(mix, "asterisk", policy), col] > summary.loc[(mix, "learned", policy), col]


@pytest.mark.slow
def test_silent_answerers_are_hung_up_on_by_a_silence_detector(smoke):
    """asterisk calls silence a machine: silent answerers get more AMD hang-ups and are reached less."""
    out, _ = smoke
    p = pd.read_csv(out / "protection_summary.csv").set_index(["mix", "variant", "policy", "strategy"])
    silent, normal = (p.loc[("30 % silent", "asterisk", "wait", s)] for s in ("silent_answer", "answer_all"))
    assert silent["amd_hangups_per_week"] > normal["amd_hangups_per_week"]
    assert silent["successful_share"] < normal["successful_share"]


@pytest.mark.slow
def test_connect_at_deadline_connects_no_person_late(smoke):
    """Every AMD variant: people connected after the deadline under `wait`, none under `connect_at_deadline`."""
    _, summary = smoke
    late = summary["late_connect_rate_window_live"].unstack("policy")
    assert (late["connect_at_deadline"].dropna() == 0.0).all()
    assert late["wait"].dropna().max() > 0.0
    assert (summary["agent_s_on_machines"] >= 0.0).all()


def test_compliance_cost_pairs_the_policies_by_replication():
    """The cost table is connect_at_deadline minus wait, replication by replication."""
    rows = []
    for rep, (w, c) in enumerate([(0.10, 0.04), (0.20, 0.12)]):
        for policy, value in (("wait", w), ("connect_at_deadline", c)):
            rows.append({"mix": "m", "variant": "v", "policy": policy, "replication": rep,
                         **{m: value for m in ail.COST_METRICS}})
    rows.append({"mix": "m", "variant": "off", "policy": "n/a", "replication": 0, **{m: 1.0 for m in ail.COST_METRICS}})
    cost = ail.compliance_cost(pd.DataFrame(rows)).set_index("variant")
    assert list(cost.index) == ["v"]
    assert cost.loc["v", "abandon_rate_window_live"] == pytest.approx(-0.07)
    assert cost.loc["v", "abandon_rate_window_live_ci95"] > 0


def test_detector_table_counts_human_false_positives():
    """The clip-level human FP rate is the share of human-kind clips labelled machine."""
    rows = [("a", "human", "machine"), ("a", "human_silent", "human"), ("a", "fax", "human"),
            ("a", "machine_beep", "machine"), ("b", "human", "human"), ("b", "fax", "machine")]
    df = pd.DataFrame(rows, columns=["detector", "kind", "label"]).assign(decided_at_s=1.0)
    table = ail.detector_table(df).set_index("detector")
    assert table.loc["a", "table_human_fp_rate"] == 0.5
    assert table.loc["a", "table_machine_to_agent_rate"] == 0.5
    assert table.loc["b", "table_human_fp_rate"] == 0.0


def test_detector_tables_are_one_loadable_table_per_detector(tmp_path):
    """Each detector's rows, without the detector column, in a file the simulation accepts, recorded by content."""
    behaviour = pd.read_csv(ail.SMOKE_BEHAVIOUR)
    tables = _amd_tables.detector_tables(behaviour, ail.BEHAVIOUR_COLUMNS)
    assert list(tables) == DETECTORS
    record = _amd_tables.write_tables(tables, tmp_path)
    for det, text in tables.items():
        path = tmp_path / record[det]["path"]
        assert path.read_text() == text
        table = load_behaviour_table(path)
        assert "detector" not in table.columns
        assert len(table) == (behaviour["detector"] == det).sum() == record[det]["n_rows"]


def test_behaviour_source_records_the_benchmark_table_by_content(tmp_path):
    """config.json names the benchmark's behaviour.csv with the SHA-256 of its bytes and its rows."""
    (tmp_path / "behaviour.csv").write_bytes(ail.SMOKE_BEHAVIOUR.read_bytes())
    table, record = ail.behaviour_source(tmp_path, None)
    assert record == {"path": str(tmp_path / "behaviour.csv"), "n_rows": 108,
                      "sha256": hashlib.sha256(ail.SMOKE_BEHAVIOUR.read_bytes()).hexdigest()}
    pd.testing.assert_frame_equal(table, pd.read_csv(ail.SMOKE_BEHAVIOUR))


def test_a_changed_behaviour_table_is_another_sweep():
    """The detector tables travel with the points, so a rerun on another benchmark result never resumes the old runs."""
    base = ail.ds.load_config(ail.CONFIG)
    behaviour = pd.read_csv(ail.SMOKE_BEHAVIOUR)
    hashes = []
    for table in (behaviour, behaviour.assign(decided_at_s=behaviour["decided_at_s"] + 0.01)):
        tables = _amd_tables.detector_tables(table, ail.BEHAVIOUR_COLUMNS)
        points = ail.grid_points(ail.variants(tables), ail.MIXES)
        hashes.append(build_sweep(base, points, replications=2, seed=1).sha256())
    assert hashes[0] != hashes[1]


@pytest.mark.slow
def test_results_do_not_depend_on_workers():
    """Seeds depend only on the replication: one or two worker processes give the same tables."""
    cfg = ail.ds.apply_overrides(ail.smoke_config(ail.ds.load_config(ail.CONFIG)),
                                 {"campaign.n_numbers": 500, "campaign.n_shifts": 2})
    tables = _amd_tables.detector_tables(pd.read_csv(ail.SMOKE_BEHAVIOUR), ail.BEHAVIOUR_COLUMNS)
    amd_variants = {k: v for k, v in ail.variants(tables).items() if k in ("off", "asterisk")}
    mixes = {"30 % silent": ail.MIXES["30 % silent"]}
    one = ail.run_grid(cfg, amd_variants, mixes, replications=2, seed=3)
    two = ail.run_grid(cfg, amd_variants, mixes, replications=2, seed=3, runner=Runner(workers=2))
    for a, b in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert list(one[0]["variant"].unique()) == ["off", "asterisk"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_cli_names_the_missing_behaviour_table(tmp_path):
    """No benchmark results: one line naming the path and how to make it, exit 2."""
    missing = tmp_path / "no_bench"
    proc = _cli("--amd-results", str(missing), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(missing / "behaviour.csv") in lines[0]
    assert "amd-bench run" in lines[0]


@pytest.mark.slow
def test_every_chart_has_a_title_and_labelled_axes(smoke):
    """Regression: charts without titles or axis labels (the house style of experiments/plotting.py)."""
    assert len(FIGURES) >= 3
    assert [(title, problems) for title, problems in FIGURES if problems] == []
    # Regression: the charts showed only the AMD policy `wait` without saying so.
    assert all("AMD policy `wait`" in title and "pacing vicidial_adapt" in title for title, _ in FIGURES)
