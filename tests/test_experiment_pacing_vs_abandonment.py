"""The pacing-vs-abandonment experiment: smoke reference, outputs, bounds, verdicts and CLI errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from figures import run_checking_figures

import dialer_sim as ds
from dialer_sim.stats import mean_ci
from experiments import pacing_vs_abandonment as pva
from experiments.kit import Runner
from experiments.policies import POLICIES

ROOT = Path(__file__).resolve().parent.parent

#: Results are a pure function of config and seed; the tolerance only absorbs libm last digits.
RTOL = 1e-9
SCRIPT = ROOT / "experiments" / "pacing_vs_abandonment.py"
#: (title, problems) of every figure the smoke run saved.
FIGURES: list = []


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out, summary, FIGURES[:] = run_checking_figures(tmp_path_factory, "pacing_smoke", pva.run_smoke)
    return out, summary


def test_smoke_run_matches_reference(smoke):
    """Same seed, same per-replication table as tests/data/pacing_vs_abandonment_smoke.csv."""
    out, _ = smoke
    fresh = pd.read_csv(out / pva.SMOKE_TABLE)
    reference = pd.read_csv(ROOT / "tests" / "data" / "pacing_vs_abandonment_smoke.csv")
    pd.testing.assert_frame_equal(fresh, reference, rtol=RTOL, check_exact=False)


def test_smoke_run_writes_every_output(smoke):
    """Both tables, the chart, config.json with the seed and teams, and the report fragment."""
    out, summary = smoke
    table = pd.read_csv(out / "pacing.csv")
    assert list(table.columns[:3]) == ["policy", "n_agents", "replication"]
    assert len(table) == len(POLICIES) * len(pva.SMOKE_TEAMS) * pva.SMOKE_REPLICATIONS
    assert len(pd.read_csv(out / "pacing_summary.csv")) == len(summary)
    png = (out / "pacing.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 10_000
    meta = json.loads((out / "config.json").read_text())
    assert meta["seed"] == pva.SEED
    assert meta["teams"] == list(pva.SMOKE_TEAMS)
    assert "![utilisation against abandoned calls per team](pacing.png)" in (out / "REPORT.md").read_text()


def test_progressive_pacing_never_abandons(smoke):
    """One line per idle agent: no live answer ever waits for an agent, at every team size."""
    _, summary = smoke
    prog = summary[summary["policy"] == "progressive"]
    assert len(prog) == len(pva.SMOKE_TEAMS)
    assert (prog["abandon_rate_live"] == 0.0).all()
    assert (prog["verdict"] == "beats").all()


def test_team_config_keeps_numbers_per_agent():
    """n_numbers scales with the team: the base campaign's 1200 numbers per agent."""
    base = ds.load_config(pva.CONFIG)
    cfg = pva.team_config(base, 10)
    assert cfg.agents.n_agents == 10
    assert cfg.campaign.n_numbers == base.campaign.n_numbers // base.agents.n_agents * 10


def test_open_loop_bound_matches_reference_table():
    """Reference §2.6 (handle time 180 s): Erlang B 54 % / 81 % and M/M/n+D(2 s) 82 % at 3 %."""
    assert pva.bound_at(10, 180.0, 0.03, "erlang_b") == pytest.approx(0.54, abs=0.005)
    assert pva.bound_at(50, 180.0, 0.03, "erlang_b") == pytest.approx(0.81, abs=0.005)
    assert pva.bound_at(50, 180.0, 0.03, "mmn_d") == pytest.approx(0.82, abs=0.005)
    assert pva.bound_at(10, 180.0, 0.0, "erlang_b") == 0.0


def test_verdicts_compare_utilisation_interval_with_both_bounds():
    """Above both bounds beyond the half-width: beats; below both: falls short; otherwise on the bound."""
    bound = pva.bound_at(20, 300.0, 0.05, "mmn_d")
    summary = pd.DataFrame({"n_agents": [20, 20, 20], "policy": ["a", "b", "c"],
                            "abandon_rate_live": [0.05, 0.05, 0.05],
                            "agent_utilisation": [bound + 0.05, bound - 0.05, bound],
                            "agent_utilisation_ci95": [0.01, 0.01, 0.01]})
    verdicts = pva.add_bounds(summary, 300.0)["verdict"].tolist()
    assert verdicts == ["beats", "falls short", "on the bound"]


@pytest.mark.slow
def test_larger_team_reaches_higher_utilisation_at_the_same_policy():
    """Erlang predictive pacing at a 2 % target: 50 agents are busier than 10 (pooling), beyond both CIs."""
    base = ds.apply_overrides(ds.load_config(pva.CONFIG), {**POLICIES["erlang_predictive 2%"],
                                                           "campaign.shift_length_s": 4 * 3600.0})
    seeds = np.random.SeedSequence(7).spawn(4)
    util = {}
    for n in (10, 50):
        cfg = pva.team_config(base, n)
        util[n] = mean_ci(np.array([pva.run_point(cfg, s, {})["agent_utilisation"] for s in seeds]))
    assert util[50][0] - util[50][1] > util[10][0] + util[10][1]


@pytest.mark.slow
def test_results_do_not_depend_on_workers():
    """Seeds are fixed per job before the pool starts: one or two workers give the same table."""
    cfg = pva.smoke_config(ds.load_config(pva.CONFIG))
    one = pva.run_grid(cfg, teams=(3,), replications=2, seed=5, runner=Runner(workers=1))
    two = pva.run_grid(cfg, teams=(3,), replications=2, seed=5, runner=Runner(workers=2))
    pd.testing.assert_frame_equal(one, two)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_cli_rejects_zero_workers(tmp_path):
    """--workers 0 is a user error with a one-line message naming the option."""
    proc = _cli("--smoke", "--workers", "0", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["pacing_vs_abandonment: error: --workers must be an integer >= 1; "
                                                "got 0."]


@pytest.mark.slow
def test_every_chart_has_a_title_and_labelled_axes(smoke):
    """Regression: charts without titles or axis labels (the house style of experiments/plotting.py)."""
    assert len(FIGURES) >= 1
    assert [(title, problems) for title, problems in FIGURES if problems] == []
