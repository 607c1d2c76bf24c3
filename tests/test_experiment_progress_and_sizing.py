"""Experiments a user can watch, and headline campaigns whose list outlasts the campaign."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import dialer_sim as ds
from experiments import amd_in_the_loop
from experiments import screening_starvation as S

ROOT = Path(__file__).resolve().parent.parent


def _smoke(out: Path, *extra: str) -> subprocess.CompletedProcess:
    script = ROOT / "experiments" / "pacing_vs_abandonment.py"
    return subprocess.run([sys.executable, str(script), "--smoke", "--out", str(out), *extra], capture_output=True,
                          text=True, timeout=900)


@pytest.mark.slow
def test_progress_bar_with_eta_on_stderr_and_quiet_switches_it_off(tmp_path):
    """Regression: long experiments ran silently; a bar with an ETA shows on stderr unless --quiet."""
    loud = _smoke(tmp_path / "loud")
    assert loud.returncode == 0, loud.stderr
    assert "pacing_vs_abandonment:" in loud.stderr and "%|" in loud.stderr
    assert ("run/s" in loud.stderr or "s/run" in loud.stderr)
    assert "<" in loud.stderr  # tqdm's "elapsed<remaining" field: the ETA
    assert "%|" not in loud.stdout
    quiet = _smoke(tmp_path / "quiet", "--quiet")
    assert quiet.returncode == 0, quiet.stderr
    assert "%|" not in quiet.stderr
    assert (tmp_path / "quiet" / "pacing.csv").read_bytes() == (tmp_path / "loud" / "pacing.csv").read_bytes()


def _lasts(config: ds.DialerConfig) -> dict:
    """One campaign where everybody answers as usual: the list's state on its last day."""
    result = ds.run(S.point_config(config, "answer_all", 0.0), 20261121, keep_records=False)
    everyone = result.daily[result.daily["strategy"] == "all"]
    return {"n_on_list_last_day": int(everyone["n_on_list"].iloc[-1]),
            "agent_hours": float(everyone["agent_hours_day"].sum()), **S.activity(everyone)}


def test_demo_campaign_list_still_has_numbers_on_the_last_day():
    """Regression: the lists ran dry by day 12-16, so contacts per agent-hour measured list size."""
    base = ds.load_config(S.CONFIG)
    for config in (S.demo_config(base), amd_in_the_loop.demo_config(base)):
        state = _lasts(config)
        assert state["n_on_list_last_day"] > 0.1 * config.campaign.n_numbers
        assert state["exhausted"] == 0.0
        # with numbers left every working hour counts: active and total agent-hours agree
        assert state["active_agent_hours"] == pytest.approx(state["agent_hours"])
        assert state["agent_hours"] == pytest.approx(config.agents.n_agents * 8 * 11)  # 11 working days of 12


@pytest.mark.slow
def test_headline_campaign_list_still_has_numbers_on_the_last_day():
    """The full 30-day screening campaign (experiments/configs/screening_campaign.toml) does not run dry."""
    config = ds.load_config(S.CONFIG)
    state = _lasts(config)
    assert state["n_on_list_last_day"] > 0.1 * config.campaign.n_numbers
    assert state["exhausted"] == 0.0


def test_activity_counts_only_the_days_that_started_with_numbers():
    """Contacts per active agent-hour: days after the list ran dry are left out; the dry day is reported."""
    import pandas as pd

    days = pd.DataFrame({"day": [0, 1, 2, 3], "n_on_list": [50, 0, 0, 0], "agent_hours_day": [8.0, 8.0, 8.0, 8.0],
                         "contacts_day": [40, 8, 0, 0]})
    a = S.activity(days)
    assert a["active_agent_hours"] == 16.0
    assert a["contacts_per_active_agent_hour"] == 3.0
    assert a["exhausted"] == 1.0
    assert a["exhaustion_day"] == 1.0
