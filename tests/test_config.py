"""Configuration: TOML loading, validation messages, overrides and round trips."""

from __future__ import annotations

import dataclasses
import json
import warnings

import pytest

import dialer_sim as ds
from dialer_sim.cli import main


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"agents": {"n_agnts": 3}}, r"agents\.n_agnts is not a known setting"),
        ({"agent": {"n_agents": 3}}, r"\[agent\] is not a known section"),
        ({"agents": {"n_agents": 0}}, r"agents\.n_agents must be an integer >= 1 \(0 only with \[probe\] or \[ping\]\); got 0"),
        ({"network": {"p_busy": -0.1}}, r"network\.p_busy must be in \[0, 1\]; got -0\.1"),
        ({"network": {"p_busy": 0.7, "p_unobtainable": 0.5}}, r"p_busy \+ p_unobtainable \+ p_rejected must be <= 1"),
        ({"answer": {"kind_weights": {"human": 0.5, "machine_beep": 0.4}}}, r"kind_weights must be weights that sum to 1"),
        ({"abandon": {"window_s": -1.0}}, r"abandon\.window_s must be a finite number >= 0; got -1\.0"),
        ({"agents": {"talk_time_s": {"kind": "exponential", "mean": -5}}}, r"agents\.talk_time_s\.mean must be a finite number > 0; got -5"),
        ({"agents": {"talk_time_s": {"kind": "weibull"}}}, r"agents\.talk_time_s\.kind must be one of"),
        ({"campaign": {"n_numbers": 10}, "agents": {"n_agents": 20}}, r"campaign\.n_numbers must be >= the most lines"),
        ({"campaign": {"shift_length_s": 28_800_000}}, r"did you pass milliseconds"),
        ({"pacing": {"policy": "ratio", "lines_per_agnet": 2}}, r"pacing\.lines_per_agnet is not a"),
        ({"pacing": {"policy": "magic"}}, r"pacing\.policy must be one of"),
        ({"amd": {"mode": "empirical"}}, r"amd\.table_path must be a path"),
    ],
)
def test_bad_values_name_field_rule_and_value(data, match):
    """Every rule breach raises ConfigError with the dotted field in the message."""
    with pytest.raises(ds.ConfigError, match=match):
        ds.config_from_dict(data)


def test_short_ring_timeout_warns():
    """A ring timeout under the 15 s legal minimum is allowed but warned about."""
    with pytest.warns(UserWarning, match="below the 15 s minimum"):
        ds.config_from_dict({"network": {"ring_timeout_s": 8.0}})


def test_dict_round_trip_and_replace_revalidates():
    """config_to_dict -> config_from_dict is the identity; dataclasses.replace re-runs validation."""
    cfg = ds.load_config("experiments/configs/predictive_campaign.toml")
    again = ds.config_from_dict(json.loads(json.dumps(ds.config_to_dict(cfg))))
    assert ds.config_to_dict(again) == ds.config_to_dict(cfg)
    with pytest.raises(ds.ConfigError, match="agents.n_agents"):
        dataclasses.replace(cfg.agents, n_agents=-1)


def test_overrides_apply_dotted_keys_and_policy_first():
    """A policy change resets its parameters before its own keys are applied, whatever the order."""
    cfg = ds.DialerConfig()
    new = ds.apply_overrides(cfg, {"pacing.lines_per_agent": 2.5, "pacing.policy": "ratio", "agents.n_agents": 7})
    assert new.pacing.policy == "ratio"
    assert new.pacing.params.lines_per_agent == 2.5
    assert new.agents.n_agents == 7
    with pytest.raises(ds.ConfigError, match="agents.colour is not a known setting"):
        ds.apply_overrides(cfg, {"agents.colour": 1})


def test_example_configs_load():
    """Every shipped example configuration is valid."""
    from pathlib import Path

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path in sorted(Path("experiments/configs").glob("*campaign*.toml")):
            ds.load_config(path)


def write(tmp_path, text, name="c.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_cli_run_writes_outputs_and_refuses_to_overwrite(tmp_path, capsys):
    """`dialer-sim run` writes records, summary and config, then refuses a second run without --force."""
    cfg = write(tmp_path, "[campaign]\nshift_length_s = 1800.0\n[agents]\nn_agents = 5\n")
    out = tmp_path / "out"
    assert main(["run", str(cfg), "--out", str(out), "--seed", "3", "--quiet", "--csv"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    meta = json.loads((out / "config.json").read_text())
    assert summary["seed"] == 3
    assert meta["seed"] == 3
    assert meta["config"]["agents"]["n_agents"] == 5
    import pandas as pd

    rec = pd.read_parquet(out / "records.parquet")
    assert len(rec) == summary["n_dials"] > 0
    assert len(pd.read_csv(out / "records.csv")) == len(rec)
    before = (out / "summary.json").read_bytes()
    assert main(["run", str(cfg), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "refusing to overwrite" in err
    assert "Traceback" not in err
    assert (out / "summary.json").read_bytes() == before
    assert main(["run", str(cfg), "--out", str(out), "--quiet", "--force", "--seed", "4"]) == 0
    assert json.loads((out / "summary.json").read_text())["seed"] == 4


@pytest.mark.parametrize(
    ("toml", "expect"),
    [
        ("[agents]\nn_agents = -2\n", "agents.n_agents must be an integer >= 0; got -2."),
        ("[agents\n", "not valid TOML"),
        ("[network]\np_busy = 2.0\n", "network.p_busy must be in [0, 1]; got 2.0."),
        ("[pacing]\npolicy = 'ratio'\nlines_per_agent = 3.0\n[campaign]\nn_numbers = 5\n", "campaign.n_numbers must be"),
    ],
)
def test_cli_bad_config_is_one_line_without_traceback(tmp_path, capsys, toml, expect):
    """Bad input: exit status 2, one line on stderr naming field, rule and value, nothing written."""
    cfg = write(tmp_path, toml)
    out = tmp_path / "out"
    assert main(["run", str(cfg), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert expect in err
    assert len(err.splitlines()) == 1
    assert not (out / "summary.json").exists()


def test_cli_missing_file(tmp_path, capsys):
    """A missing configuration file is reported by name."""
    assert main(["run", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "nope.toml" in capsys.readouterr().err
