"""The kit's sizes: --smoke, --demo and the full run reach ``main`` with their configs and replications."""

from __future__ import annotations

import math

import pytest

import dialer_sim as ds
from experiments.kit import CONFIGS, Size, Sizes, cli, format_ci

CONFIG = CONFIGS / "predictive_campaign.toml"
CALLS: list[dict] = []


def _main(config: ds.DialerConfig, out_dir, *, seed: int, runner, **kwargs) -> None:
    CALLS.append({"n_agents": config.agents.n_agents, "seed": seed, "runner": runner, **kwargs})


def _smoke(config: ds.DialerConfig) -> ds.DialerConfig:
    return ds.apply_overrides(config, {"agents.n_agents": 3})


def _demo(config: ds.DialerConfig) -> ds.DialerConfig:
    return ds.apply_overrides(config, {"agents.n_agents": 4})


SIZES = Sizes(_main, smoke=Size(_smoke, {"replications": 2, "scale": "smoke"}), demo=Size(_demo, {"scale": "demo"}),
              replications=5)


def _cli(tmp_path, sizes: Sizes, *argv: str) -> int:
    CALLS.clear()
    return cli("sizes", "Sizes test.", CONFIG, 7, sizes, argv=[*argv, "--quiet", "--out", str(tmp_path / "out")])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], {"n_agents": 50, "replications": 5}),
        (["--replications", "3"], {"n_agents": 50, "replications": 3}),
        (["--smoke", "--replications", "3"], {"n_agents": 3, "replications": 2, "scale": "smoke"}),
        (["--demo"], {"n_agents": 4, "replications": 5, "scale": "demo"}),
        (["--demo", "--replications", "4"], {"n_agents": 4, "replications": 4, "scale": "demo"}),
    ],
)
def test_each_size_runs_main_on_its_config_with_its_arguments(tmp_path, argv, expected):
    assert ds.load_config(CONFIG).agents.n_agents == 50
    assert _cli(tmp_path, SIZES, *argv, "--seed", "11") == 0
    [call] = CALLS
    assert call.pop("seed") == 11
    assert call.pop("runner").workers == 1
    assert call == expected


def test_replications_below_two_are_one_line_and_nothing_runs(tmp_path, capsys):
    assert _cli(tmp_path, SIZES, "--replications", "1") == 2
    err = capsys.readouterr().err
    assert err == "sizes: error: --replications must be an integer >= 2 (for 95 % intervals); got 1.\n"
    assert CALLS == []
    assert not (tmp_path / "out").exists()


def test_an_experiment_without_demo_or_replications_has_neither_option(tmp_path, capsys):
    plain = Sizes(_main, smoke=Size(_smoke))
    assert _cli(tmp_path, plain) == 0
    assert CALLS[0]["n_agents"] == 50
    assert "replications" not in CALLS[0]
    for option in ("--demo", "--replications"):
        with pytest.raises(SystemExit) as exit_:
            _cli(tmp_path, plain, option, *(["2"] if option == "--replications" else []))
        assert exit_.value.code == 2
        assert f"unrecognized arguments: {option}" in capsys.readouterr().err


def test_run_from_python_uses_the_size_and_the_given_seed(tmp_path):
    CALLS.clear()
    SIZES.run("smoke", ds.load_config(CONFIG), tmp_path, seed=3)
    SIZES.run("full", ds.load_config(CONFIG), tmp_path, seed=3, replications=6)
    assert CALLS == [{"n_agents": 3, "seed": 3, "runner": None, "replications": 2, "scale": "smoke"},
                     {"n_agents": 50, "seed": 3, "runner": None, "replications": 6}]


def test_format_ci_writes_mean_and_half_width_or_what_is_known():
    assert format_ci({"x": 12.345, "x_ci95": 0.4}, "x", ".1f") == "12.3 ± 0.4"
    assert format_ci({"x": 0.25, "x_ci95": math.nan}, "x", ".0%") == "25%"
    assert format_ci({"x": math.nan, "x_ci95": math.nan}, "x", ".1f") == "–"
