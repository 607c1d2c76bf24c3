"""The consent and campaign-economics experiments: smoke runs against their stored references, outputs, mechanisms.

The references in tests/data/ are written by ``tests/generate_data.py`` on one worker; the runs here use two, so
matching them also shows that the number of workers does not change the results.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from figures import PNG, run_checking_figures
from generate_data import smoke_reference

from experiments import campaign_economics as E
from experiments import consent_vs_cold as V
from experiments.kit import Runner

ROOT = Path(__file__).resolve().parent.parent
RTOL = 1e-9


@pytest.fixture(scope="module")
def consent_smoke(tmp_path_factory):
    return run_checking_figures(tmp_path_factory, "consent", lambda out: V.run_smoke(out, Runner(workers=2)))


@pytest.fixture(scope="module")
def economics_smoke(tmp_path_factory):
    return run_checking_figures(tmp_path_factory, "economics", lambda out: E.run_smoke(out, Runner(workers=2)))


def _outputs(out: Path, pngs, name: str) -> None:
    for png in pngs:
        data = (out / png).read_bytes()
        assert data[:8] == PNG, png
        assert len(data) > 20_000, png
        assert f"]({png})" in (out / "REPORT.md").read_text()
    meta = json.loads((out / "config.json").read_text())
    assert meta["experiment"] == name


@pytest.mark.slow
def test_consent_smoke_matches_reference_on_two_workers_and_writes_every_output(consent_smoke):
    out, _, _ = consent_smoke
    fresh = pd.read_csv(out / V.SMOKE_TABLE)
    assert list(fresh.columns[: len(V.REQUIRED)]) == V.REQUIRED
    assert list(fresh["list"].unique()) == list(V.LISTS)
    pd.testing.assert_frame_equal(fresh, pd.read_csv(smoke_reference("consent_vs_cold")), rtol=RTOL,
                                  check_exact=False)
    _outputs(out, ("consent_vs_cold.png", "renewal.png"), "consent_vs_cold")
    renewal = pd.read_csv(out / "renewal.csv")
    assert set(renewal["list"]) == {"opt_in", "renewal"}


@pytest.mark.slow
def test_the_lawful_list_calls_nobody_without_consent_and_renewal_keeps_more_of_it(consent_smoke):
    _, runs, _ = consent_smoke
    by = runs.groupby("list")
    lawful = runs[runs["list"].isin(["opt_in", "renewal"])]
    assert (lawful["dials_to_non_consented"] == 0).all()
    assert (lawful["complaints"] == 0).all()
    assert (lawful["expected_fine_eur"] == 0).all()
    cold = runs[runs["list"].str.startswith("cold")]
    assert (cold["dials_to_non_consented"] == cold["dials"]).all()  # nobody on a bought list consented
    assert (runs["net_orders"] == runs["orders"] - runs["cancellations"]).all()
    assert (runs.loc[runs["list"] == "renewal", "net_orders"] == 0).all()  # a renewal call sells nothing
    assert by["n_lawful_1y_after_end"].mean()["renewal"] > by["n_lawful_1y_after_end"].mean()["opt_in"]
    withheld = by["complaints_withheld"].sum()
    assert withheld["cold_withheld"] > 0
    assert withheld["cold"] == 0  # a presented caller ID causes no withheld-number complaint


@pytest.mark.slow
def test_economics_smoke_matches_reference_on_two_workers_and_answers_its_questions(economics_smoke):
    out, table, _ = economics_smoke
    fresh = pd.read_csv(out / E.SMOKE_TABLE)
    assert list(fresh.columns[: len(E.REQUIRED)]) == E.REQUIRED
    pd.testing.assert_frame_equal(fresh, pd.read_csv(smoke_reference("campaign_economics")), rtol=RTOL,
                                  check_exact=False)
    _outputs(out, ("profit.png", "cost_per_net_order.png"), "campaign_economics")
    report = (out / "REPORT.md").read_text()
    assert "When does cold calling stop paying?" in report
    assert "When does the lawful list win?" in report
    be = pd.read_csv(out / "break_even.csv")
    assert set(be["list"]) == set(E.LISTS)
    assert len(be) == len(E.LISTS) * len(E.SCALES["smoke"]["rates"])


@pytest.mark.slow
def test_more_cancellations_never_leave_more_net_orders_or_lower_costs_per_net_order(economics_smoke):
    _, table, _ = economics_smoke
    assert (table["net_orders"] == table["orders"] - table["cancellations"]).all()
    for _, g in table.groupby(["list", "screening_share", "replication"]):
        g = g.sort_values("cancellation_rate")
        assert (np.diff(g["net_orders"].to_numpy()) <= 0).all()
        assert g["orders"].nunique() == 1  # the same orders at every cancellation rate (common random numbers)


@pytest.mark.parametrize("script", ["consent_vs_cold", "campaign_economics"])
def test_cli_reports_bad_input_in_one_line(tmp_path, script):
    bad = tmp_path / "bad.toml"
    bad.write_text("[campaign]\nn_numbers = 100\n[population]\n[consent]\nmode = 'sometimes'\n")
    for args, expected in (
        (["--out", str(tmp_path / "a"), "--config", str(bad)], "consent.mode must be one of"),
        (["--out", str(tmp_path / "b"), "--replications", "1"], "--replications must be an integer >= 2"),
        (["--out", str(tmp_path / "c"), "--workers", "0"], "--workers must be an integer >= 1; got 0."),
    ):
        p = subprocess.run([sys.executable, str(ROOT / "experiments" / f"{script}.py"), *args], capture_output=True,
                           text=True, cwd=ROOT, timeout=120)
        assert p.returncode == 2, p.stderr
        assert expected in p.stderr, p.stderr
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr
        assert not (tmp_path / args[1]).exists()
