"""The probe-harvest experiment: stored smoke reference, its outputs, behaviour of both stages, and its CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from figures import run_checking_figures

import dialer_sim as ds
from experiments import probe_harvest
from experiments._probe_sales import sales_config
from experiments.kit import Runner

ROOT = Path(__file__).resolve().parent.parent

#: Results are a pure function of config and seed; the tolerance only absorbs
#: last-digit differences of libm between machines.
RTOL = 1e-9
#: (title, problems) of every figure the smoke run saved.
FIGURES: list = []


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> Path:
    """One --smoke run shared by the tests that read its outputs."""
    out, _, FIGURES[:] = run_checking_figures(tmp_path_factory, "probe_smoke", probe_harvest.run_smoke)
    return out


def _final(harvest: pd.DataFrame, strategy: str, adoption: float) -> pd.DataFrame:
    last = harvest[harvest["day"] == harvest["day"].max()]
    return last[(last["strategy"] == strategy) & (last["adoption"] == adoption)].set_index("replication")


@pytest.mark.slow
def test_smoke_run_matches_reference_and_writes_every_output(smoke):
    """Same seed, same harvest table as tests/data/probe_harvest_smoke.csv; charts, config.json, report written."""
    reference = pd.read_csv(ROOT / "tests" / "data" / "probe_harvest_smoke.csv")
    fresh = pd.read_csv(smoke / probe_harvest.SMOKE_TABLE)
    pd.testing.assert_frame_equal(fresh, reference, rtol=RTOL, check_exact=False)
    for name in ("harvest_days.png", "harvest_adoption.png", "precision.png", "sales.png"):
        png = (smoke / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 10_000
    meta = json.loads((smoke / "config.json").read_text())
    assert meta["seed"] == probe_harvest.SEED
    assert meta["config"]["probe"]["n_lines"] == 3
    assert "probe" not in meta["sales_config"]
    assert meta["sales_config"]["agents"]["n_agents"] == 10
    for name in ("harvest_summary.csv", "sales.csv", "sales_summary.csv"):
        assert len(pd.read_csv(smoke / name)) > 0
    assert "![harvest over days](harvest_days.png)" in (smoke / "REPORT.md").read_text()


@pytest.mark.slow
def test_harvest_grows_over_days_and_falls_as_screen_unknown_adoption_rises(smoke):
    """Cumulative counts never decrease; per replication the final harvest falls from 0 to 50 to 100 % adoption."""
    harvest = pd.read_csv(smoke / "harvest.csv")
    for _, g in harvest.groupby(["caller_id", "strategy", "adoption", "replication"]):
        for col in ("n_harvested", "n_dials", "silent_calls"):
            assert (np.diff(g.sort_values("day")[col].to_numpy()) >= 0).all(), col
    n = {a: _final(harvest, "screen_unknown", a)["n_harvested"] for a in (0.0, 0.5, 1.0)}
    assert (n[0.0] > n[0.5]).all()
    assert (n[0.5] > n[1.0]).all()
    # The adoption-0 run is every strategy's starting point (one simulation, shared).
    zero = harvest[harvest["adoption"] == 0.0].groupby("strategy")["n_harvested"].apply(tuple)
    assert zero.nunique() == 1


@pytest.mark.slow
def test_full_block_withheld_harvests_nothing_and_never_answer_harvests_no_person(smoke):
    """A withheld robot against 100 % block_withheld is rejected every time; 100 % never_answer leaves only
    voicemail greetings that the AMD mistook for a person (precision 0)."""
    harvest = pd.read_csv(smoke / "harvest.csv")
    assert (harvest.query("strategy == 'block_withheld' and adoption == 1.0")["n_harvested"] == 0).all()
    never = _final(harvest, "never_answer", 1.0)
    assert (never["n_harvested_live"] == 0).all()
    assert (never["silent_calls"] == 0).all()
    assert (_final(harvest, "never_answer", 0.0)["precision"] > 0.8).all()


@pytest.mark.slow
def test_sales_on_the_harvest_beats_a_random_sample_of_the_range(smoke):
    """Without screening, the harvested list needs fewer dials per contact than an equal-size random sample (no
    unassigned numbers, no screeners), and in the smoke's one-day stage on a few hundred numbers, where the agents
    run short of numbers to dial, it also gives more contacts per agent-hour. The smoke has 2 replications, whose
    t-interval (t = 12.7) is too wide to exclude 1, so every replication's paired ratio must favour the harvest by
    at least 10 %."""
    sales = pd.read_csv(smoke / "sales.csv")
    base = sales[sales["adoption"] == 0.0].pivot_table(index="replication", columns="list",
                                                        values=["dials_per_contact", "contacts_per_agent_hour"])
    assert len(base) == 2
    assert (base["dials_per_contact"]["harvested"] < 0.9 * base["dials_per_contact"]["random"]).all()
    assert (base["contacts_per_agent_hour"]["harvested"] > 1.1 * base["contacts_per_agent_hour"]["random"]).all()
    pairs = sales.pivot_table(index=["strategy", "adoption", "replication"], columns="list", values="n_numbers")
    assert (pairs["harvested"] == pairs["random"]).all()


def test_probe_never_harvests_unassigned_numbers_and_sales_stage_meets_the_same_people():
    """The robot's harvest holds only numbers in service, and the sales campaign built from the probe config sees
    the same strategy and service state behind every harvested number."""
    cfg = probe_harvest.point_config(probe_harvest.smoke_config(ds.load_config(probe_harvest.CONFIG)), "withheld",
                                     "silent_answer", 0.5)
    seed = np.random.SeedSequence(7).spawn(1)[0]
    probe = ds.run(cfg, seed, keep_records=False)
    num = probe.numbers
    harvested = num.loc[num["status"] == "successful", "number_id"].to_numpy()
    assert len(harvested) > 0
    assert num.set_index("number_id").loc[harvested, "assigned"].all()
    assert (~num["assigned"]).sum() > 0.2 * len(num)
    sales = ds.run(sales_config(cfg, n_days=1), seed, dial_list=harvested, keep_records=False)
    same = num.set_index("number_id").loc[harvested, ["strategy", "assigned"]]
    pd.testing.assert_frame_equal(sales.numbers.set_index("number_id")[["strategy", "assigned"]], same)
    assert sales.summary["n_contacts"] > 0


def test_probe_config_is_a_robot_without_agents_and_loads_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cfg = ds.load_config(probe_harvest.CONFIG)
    assert cfg.probe is not None
    assert cfg.agents.n_agents == 0
    assert cfg.population.p_unassigned == 0.3
    assert cfg.caller_id.policy == "withheld"
    assert probe_harvest.strategy_mix("never_answer", 0.25) == {"answer_all": 0.75, "never_answer": 0.25}
    assert probe_harvest.strategy_mix("never_answer", 1.0) == {"never_answer": 1.0}


@pytest.mark.slow
def test_worker_count_does_not_change_results(tmp_path):
    """Two worker processes give the same tables as one (seeds depend only on the replication)."""
    cfg = ds.apply_overrides(probe_harvest.smoke_config(ds.load_config(probe_harvest.CONFIG)),
                             {"campaign.n_numbers": 600, "campaign.n_shifts": 2})
    kw = {"replications": 2, "strategies": ("screening_assistant",), "adoptions": (0.0, 1.0),
          "caller_ids": ("fixed",), "sales_days": 1}
    probe_harvest.main(cfg, tmp_path / "w1", **kw)
    probe_harvest.main(cfg, tmp_path / "w2", runner=Runner(workers=2), **kw)
    for name in ("harvest.csv", "sales.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "w1" / name), pd.read_csv(tmp_path / "w2" / name))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--config", "no/such/file.toml"], "--config must name an existing TOML file"),
        (["--replications", "1"], "--replications must be an integer >= 2"),
        (["--config", str(ROOT / "experiments" / "configs" / "screening_campaign.toml")],
         r"must have a \[probe\] section"),
    ],
)
def test_cli_bad_input_gives_one_line_and_exit_2(tmp_path, capsys, args, match):
    assert probe_harvest.cli_main(["--out", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("probe_harvest: error:")
    assert re.search(match, err)
    assert not (tmp_path / "out").exists()  # bad input leaves no empty output folder


@pytest.mark.slow
def test_cli_refuses_an_out_folder_with_results_without_force(tmp_path):
    """The real entry point: one line on stderr, exit 2, earlier results untouched."""
    (tmp_path / "config.json").write_text('{"experiment": "earlier"}')
    proc = subprocess.run([sys.executable, str(ROOT / "experiments" / "probe_harvest.py"), "--smoke", "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"probe_harvest: error: --out {str(tmp_path)!r} already holds results (config.json); "
        "choose another folder or pass --force to replace them."]
    assert json.loads((tmp_path / "config.json").read_text()) == {"experiment": "earlier"}


@pytest.mark.slow
def test_every_chart_has_a_title_and_labelled_axes(smoke):
    """Regression: charts without titles or axis labels (the house style of experiments/plotting.py)."""
    assert len(FIGURES) >= 4
    assert [(title, problems) for title, problems in FIGURES if problems] == []
