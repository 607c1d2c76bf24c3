"""Bounded sizes and checked types in configuration, sweep and experiment files.

Every size, count and duration has a documented upper bound (docs/model.md, docs/screening.md,
docs/sweeps.md); each is tested at the bound (accepted) and one past it (one line naming the
field, the rule and the value). Wrong types are one line too, never a traceback.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import dialer_sim as ds
from dialer_sim import _limits as L
from dialer_sim.cli import main
from dialer_sim.sweep import SweepError, sweep_from_dict
from experiments import estimating_abandonment as ea

SMALL = {"campaign": {"n_numbers": 300, "shift_length_s": 1800.0}, "agents": {"n_agents": 3}}


def _past(bound):
    """The smallest value past ``bound``: the next integer, or the next float."""
    return bound + 1 if isinstance(bound, int) else math.nextafter(bound, math.inf)


def _set(dotted: str, value) -> dict:
    section, *rest = dotted.split(".")
    table = {section: {}}
    node = table[section]
    for part in rest[:-1]:
        node = node.setdefault(part, {})
    node[rest[-1]] = value
    return table


# (dotted field, bound, extra sections the bound needs to be a valid campaign)
CONFIG_BOUNDS = [
    ("campaign.n_numbers", L.MAX_NUMBERS, {}),
    ("campaign.n_shifts", L.MAX_DAYS, {}),
    ("campaign.max_attempts", L.MAX_ATTEMPTS, {}),
    ("campaign.retry_gap_s", L.MAX_DURATION_S, {}),
    ("agents.n_agents", L.MAX_AGENTS, {"campaign": {"n_numbers": L.MAX_AGENTS + 1}}),
    ("network.ring_timeout_s", L.MAX_STEP_S, {}),
    ("abandon.window_s", L.MAX_STEP_S, {}),
    ("abandon.message_s", L.MAX_STEP_S, {}),
    ("amd.message_s", L.MAX_STEP_S, {}),
    ("open_loop.n_calls", L.MAX_CALLS, {}),
    ("open_loop.arrival_rate_per_s", L.MAX_ARRIVAL_RATE_PER_S, {}),
    ("open_loop.mean_talk_time_s", L.MAX_DURATION_S, {}),
    ("agents.talk_time_s.value", L.MAX_DURATION_S, {}),
    ("agents.talk_time_s.sigma", L.MAX_SIGMA, {}),
    ("agents.talk_time_s.cv", L.MAX_CV, {}),
    ("blocklist.window_days", 3660.0, {"population": {}}),
    ("blocklist.short_call_s", 3600.0, {"population": {}}),
]


def _config_with(field: str, value, extra: dict) -> dict:
    data = {**extra}
    if field.startswith("agents.talk_time_s."):
        param = field.rsplit(".", 1)[1]
        kind = {"value": "deterministic", "sigma": "lognormal", "cv": "gamma"}[param]
        other = {"deterministic": {}, "lognormal": {"median": 100.0}, "gamma": {"mean": 100.0}}[kind]
        return {**data, "agents": {"talk_time_s": {"kind": kind, param: value, **other}}}
    section = field.split(".")[0]
    merged = _set(field, value)
    merged[section] = {**data.get(section, {}), **merged[section]}
    return {**data, **merged}


@pytest.mark.parametrize(("field", "bound", "extra"), CONFIG_BOUNDS, ids=[b[0] for b in CONFIG_BOUNDS])
def test_each_config_bound_holds_at_the_bound_and_fails_one_past_it(field, bound, extra):
    """Regression (issue 14, failure 2): sizes without an upper bound asked for unbounded memory."""
    ds.config_from_dict(_config_with(field, bound, extra))
    with pytest.raises(ds.ConfigError, match=rf"^{field}.* must be .*; got ") as info:
        ds.config_from_dict(_config_with(field, _past(bound), extra))
    assert f"{bound:g}" in str(info.value) or str(bound) in str(info.value), info.value


def _run_cli(tmp_path: Path, toml: str, capsys) -> str:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(cfg), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not out.exists()
    return err.strip()


def test_a_billion_numbers_is_one_line_not_a_memory_error(tmp_path, capsys):
    """Regression (issue 14, failure 2): `n_numbers = 1000000000` ended in a MemoryError."""
    err = _run_cli(tmp_path, "[campaign]\nn_numbers = 1000000000\n", capsys)
    assert "campaign.n_numbers must be an integer <= 10000000" in err
    assert "got 1000000000" in err


@pytest.mark.parametrize(
    ("toml", "match"),
    [
        ('[amd.confusion]\nhuman = ["0.9", "0.05", "0.05"]\n', r"amd\.confusion\.human must be in \[0, 1\]; got '0\.9'"),
        ("[amd.confusion]\nhuman = [{a = 1}, {b = 2}, {c = 3}]\n", r"amd\.confusion\.human must be in \[0, 1\]; got \{'a': 1\}"),
        ("[amd.confusion]\nhuman = [true, false, false]\n", r"amd\.confusion\.human must be in \[0, 1\]; got True"),
        ('[pacing]\npolicy = ["ratio"]\n', r"pacing\.policy must be one of .*; got \['ratio'\]"),
        ("[pacing]\npolicy = {name = 'ratio'}\n", r"pacing\.policy must be one of .*; got \{'name': 'ratio'\}"),
        ('[agents]\ntalk_time_s = {kind = ["uniform"], low = 1, high = 2}\n', r"agents\.talk_time_s\.kind must be one of"),
        ("[agents]\ntalk_time_s = {kind = {a = 1}}\n", r"agents\.talk_time_s\.kind must be one of"),
        ("[answer]\nmachine_answer_delay_s = {kind = 'mixture', components = [[true, 1, 2]]}\n",
         r"answer\.machine_answer_delay_s\.components must be a list"),
        ("[answer]\nmachine_answer_delay_s = {kind = 'mixture', components = [['1', '2', '3']]}\n",
         r"answer\.machine_answer_delay_s\.components must be a list"),
        ("[campaign]\ncaller_id = 5\n", r"campaign\.caller_id must be a string; got 5"),
        ("[amd]\ntable_path = 5\n", r"amd\.table_path must be a path string or a behaviour table; got 5"),
        ("[population]\n[blocklist]\nhalf_score_weight = inf\n", r"blocklist\.half_score_weight must be a number"),
    ],
)
def test_a_wrong_type_is_one_line(tmp_path, capsys, toml, match):
    """Regression (issue 14, failure 4): lists, tables and booleans where numbers or names belong."""
    import re

    assert re.search(match, _run_cli(tmp_path, toml, capsys))


def test_a_10000_deep_array_is_one_line(tmp_path, capsys):
    """Regression (issue 14, failure 4): the TOML parser's RecursionError became a traceback."""
    err = _run_cli(tmp_path, "[campaign]\nn_numbers = " + "[" * 10_000 + "]" * 10_000 + "\n", capsys)
    assert "must nest tables and arrays at most 20 levels deep" in err


def test_nesting_at_the_depth_bound_parses_and_one_past_fails(tmp_path):
    """The depth bound, 20 levels: 19 nested arrays under one table are 20 levels."""
    from dialer_sim._inputs import read_toml

    at, past = tmp_path / "at.toml", tmp_path / "past.toml"
    at.write_text("[t]\nx = " + "[" * 19 + "]" * 19 + "\n", encoding="utf-8")
    past.write_text("[t]\nx = " + "[" * 20 + "]" * 20 + "\n", encoding="utf-8")
    assert read_toml(at)["t"]["x"] is not None
    with pytest.raises(ds.ConfigError, match=r"at most 20 levels deep; got 21"):
        read_toml(past)


def test_a_toml_file_over_the_size_bound_is_refused_unread(tmp_path):
    from dialer_sim._inputs import read_toml

    at, past = tmp_path / "at.toml", tmp_path / "past.toml"
    filler = "#" * (L.MAX_TOML_BYTES - 2) + "\n"
    at.write_text(filler + "\n", encoding="utf-8")
    past.write_text(filler + "\n\n", encoding="utf-8")
    assert at.stat().st_size == L.MAX_TOML_BYTES
    assert read_toml(at) == {}
    with pytest.raises(ds.ConfigError, match=rf"must be at most {L.MAX_TOML_BYTES} bytes of TOML; got "):
        read_toml(past)


def _sweep(**keys) -> dict:
    return {"base": SMALL, "replications": 1, "seed": 0, **keys}


def test_sweep_replications_bound():
    assert sweep_from_dict(_sweep(replications=L.MAX_REPLICATIONS)).n_replications == L.MAX_REPLICATIONS
    with pytest.raises(SweepError, match=r"`replications` must be an integer <= 10000 .*; got 10001"):
        sweep_from_dict(_sweep(replications=L.MAX_REPLICATIONS + 1))


def test_sweep_runs_bound_is_checked_before_any_point_is_built():
    """100 points x 10,000 replications is the bound; one more point is refused."""
    at = _sweep(replications=L.MAX_REPLICATIONS, grid={"agents.n_agents": list(range(1, 101))})
    assert sweep_from_dict(at).n_runs == L.MAX_RUNS
    past = _sweep(replications=L.MAX_REPLICATIONS, grid={"agents.n_agents": list(range(1, 102))})
    with pytest.raises(SweepError, match=r"at most 10000 points and 1000000 runs .*; got 101 points x 10000"):
        sweep_from_dict(past)


def test_sweep_grid_bound_is_checked_before_the_product_is_built():
    """A grid of 10^12 combinations is refused at once (the cartesian product is never built)."""
    huge = {f"agents.k{i}": list(range(1000)) for i in range(4)}
    with pytest.raises(SweepError, match=r"\[grid\] must have at most 10000 combinations; got 1000000 or more"):
        sweep_from_dict(_sweep(grid=huge))
    with pytest.raises(SweepError, match=r"at most 10000 combinations; got 10001"):
        sweep_from_dict(_sweep(grid={"agents.n_agents": list(range(1, 10_002))}))


def test_sweep_seed_bound():
    assert sweep_from_dict(_sweep(seed=L.MAX_SEED)).seed == L.MAX_SEED
    with pytest.raises(SweepError, match=r"`seed` must be an integer <="):
        sweep_from_dict(_sweep(seed=L.MAX_SEED + 1))


@pytest.mark.parametrize(("key", "bound"), [("max_days", L.MAX_DAYS), ("n_replications", L.MAX_REPLICATIONS),
                                            ("live_answers_per_day", ea.MAX_LIVE_ANSWERS_PER_DAY),
                                            ("warmup_days", L.MAX_DAYS)])
def test_experiment_table_bounds(key, bound):
    base = {k: v for k, v in ea.load_experiment_config(ea.SMOKE_CONFIG).items() if k != "dialer"}
    base["simulation"] = "bernoulli"  # the table's own bounds; [dialer] adds max_days + warmup_days shifts
    ea.check_config({**base, key: bound})
    with pytest.raises(ds.ConfigError, match=rf"`{key}` must be an integer <= {bound} .*; got {bound + 1}"):
        ea.check_config({**base, key: bound + 1})


def test_experiment_dialer_table_is_checked_before_out(tmp_path):
    base = ea.load_experiment_config(ea.SMOKE_CONFIG)
    if "dialer" not in base:
        pytest.skip("the smoke configuration uses the Bernoulli simulation")
    bad = {**base, "dialer": {**base["dialer"], "agents": {"n_agents": "many"}}}
    with pytest.raises(ds.ConfigError, match=r"agents\.n_agents must be an integer"):
        ea.main(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()
