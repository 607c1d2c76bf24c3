"""The ping-call experiment: stored smoke reference on 2 workers, the mechanisms in its table, charts and CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from figures import run_checking_figures
from generate_data import smoke_reference

from experiments import ping_calls
from experiments.kit import Runner

ROOT = Path(__file__).resolve().parent.parent

#: Results are a pure function of config and seed; the tolerance only absorbs last-digit libm differences.
RTOL = 1e-9
FIGURES: list = []


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> Path:
    """One --smoke run on 2 workers (the stored reference was made on 1)."""
    out, _, FIGURES[:] = run_checking_figures(tmp_path_factory, "ping_smoke",
                                              lambda out: ping_calls.run_smoke(out, Runner(workers=2)))
    return out


@pytest.mark.slow
def test_smoke_run_on_2_workers_matches_the_reference_made_on_1(smoke):
    reference = pd.read_csv(smoke_reference("ping_calls"))
    fresh = pd.read_csv(smoke / ping_calls.SMOKE_TABLE)
    pd.testing.assert_frame_equal(fresh, reference, rtol=RTOL, check_exact=False)
    for name in ("callbacks_cost.png", "shutdown.png"):
        assert (smoke / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((smoke / "config.json").read_text())["seed"] == ping_calls.SEED
    assert "hours to shutdown" in (smoke / "REPORT.md").read_text()
    assert FIGURES
    assert all(not problems for _, problems in FIGURES)


@pytest.mark.slow
def test_the_table_shows_the_mechanisms(smoke):
    t = pd.read_csv(smoke / ping_calls.SMOKE_TABLE)
    assert {"number_kind", "strategy", "adoption", "replication", "pings", "callbacks", "premium_minutes",
            "consumer_cost_eur", "shutdown_h"} <= set(t.columns)
    full = t[t["adoption"] == 1.0].set_index(["number_kind", "strategy", "replication"]).sort_index()
    for kind in ("premium", "local"):
        assert (full.loc[(kind, "screen_unknown"), "callbacks"] == 0).all()
        assert (full.loc[(kind, "screening_assistant"), "missed_calls_seen"] == 0).all()
    base = t[t["adoption"] == 0.0].groupby("number_kind")["callbacks"].mean()
    assert base["local"] > base["premium"]  # a local-looking number is called back more
    pd.testing.assert_series_equal(t["consumer_cost_eur"], t["premium_minutes"] * 3.0, check_names=False)
    assert t.loc[t["number_kind"] == "local", "shut_down"].any()  # the smoke threshold is low enough to trip


def test_bad_arguments_give_one_line_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(ping_calls.CONFIG.read_text().replace('number_kind = "premium"', 'number_kind = "mobile"'))
    proc = subprocess.run([sys.executable, str(ROOT / "experiments" / "ping_calls.py"), "--smoke", "--config",
                           str(bad), "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "ping_calls: error: ping.number_kind must be one of ['premium', 'local']; got 'mobile'."]
    assert not (tmp_path / "out").exists()
