"""Sweep files: points, seeds and validation (dialer_sim.sweep._spec)."""

from __future__ import annotations

import numpy as np
import pytest

import dialer_sim
from dialer_sim.sweep import SweepError, load_sweep, sweep_from_dict

BASE = {"campaign": {"n_numbers": 300, "shift_length_s": 1800.0}, "agents": {"n_agents": 3}}


def _spec(**kw):
    data = {"base": BASE, "replications": 2, "seed": 11, **kw}
    return sweep_from_dict(data)


def test_grid_is_cartesian_product_last_key_fastest():
    """Grid points enumerate the product in file order with the last key varying fastest."""
    spec = _spec(grid={"agents.n_agents": [2, 4], "abandon.window_s": [1.0, 2.0, 3.0]})
    got = [(p.overrides["agents.n_agents"], p.overrides["abandon.window_s"]) for p in spec.points]
    assert got == [(2, 1.0), (2, 2.0), (2, 3.0), (4, 1.0), (4, 2.0), (4, 3.0)]
    assert [p.index for p in spec.points] == list(range(6))
    assert spec.n_runs == 12
    assert spec.points[4].config.agents.n_agents == 4
    assert spec.points[4].config.abandon.window_s == 2.0


def test_points_combine_with_grid_and_nested_tables_flatten():
    """Each [[points]] entry is combined with each grid combination; nested tables become dotted keys."""
    spec = _spec(
        grid={"agents": {"n_agents": [2, 5]}},
        points=[{"abandon": {"drop_action": "silent"}}, {"abandon.drop_action": "message"}],
    )
    got = [p.overrides for p in spec.points]
    assert got == [
        {"abandon.drop_action": "silent", "agents.n_agents": 2},
        {"abandon.drop_action": "silent", "agents.n_agents": 5},
        {"abandon.drop_action": "message", "agents.n_agents": 2},
        {"abandon.drop_action": "message", "agents.n_agents": 5},
    ]
    assert spec.parameter_keys == ("agents.n_agents", "abandon.drop_action")


def test_no_grid_no_points_is_the_base_alone():
    """Without [grid] or [[points]] the sweep has one point: the base configuration."""
    spec = _spec()
    assert len(spec.points) == 1
    assert spec.points[0].overrides == {}
    assert dialer_sim.config_to_dict(spec.points[0].config) == spec.base


def test_policy_override_is_applied_before_its_parameters():
    """`pacing.policy` is applied first, so a grid over a policy parameter is not reset by the policy key."""
    spec = _spec(grid={"pacing.lines_per_agent": [1.5, 2.5]}, points=[{"pacing.policy": "ratio"}])
    assert list(spec.points[0].overrides) == ["pacing.policy", "pacing.lines_per_agent"]
    assert [p.config.pacing.params.lines_per_agent for p in spec.points] == [1.5, 2.5]


def test_parameters_fill_the_base_value_where_a_point_is_silent():
    """Parameter columns hold the value each point's config actually has."""
    spec = _spec(points=[{"agents.n_agents": 7}, {"abandon.window_s": 1.0}])
    assert spec.parameters(0) == {"agents.n_agents": 7, "abandon.window_s": 2.0}
    assert spec.parameters(1) == {"agents.n_agents": 3, "abandon.window_s": 1.0}


def test_seed_of_a_run_is_the_spawned_child_of_the_root():
    """Run (p, r) draws exactly what SeedSequence(seed).spawn(P)[p].spawn(R)[r] draws."""
    spec = _spec(grid={"agents.n_agents": [2, 3, 4]}, replications=4)
    tree = np.random.SeedSequence(11).spawn(3)
    for p, r in [(0, 0), (1, 3), (2, 1)]:
        want = np.random.default_rng(tree[p].spawn(4)[r]).random(5)
        got = np.random.default_rng(spec.seed_sequence(p, r)).random(5)
        np.testing.assert_array_equal(got, want)
    assert spec.seed_sequence(1, 3).spawn_key == (1, 3)


def test_common_random_numbers_share_a_replication_seed_across_points():
    """With common_random_numbers, every point of replication r gets the same child."""
    spec = _spec(grid={"agents.n_agents": [2, 3]}, replications=2, common_random_numbers=True)
    a, b = spec.seed_sequence(0, 1), spec.seed_sequence(1, 1)
    assert a.spawn_key == b.spawn_key == (1,)
    assert spec.seed_sequence(0, 0).generate_state(2).tolist() != a.generate_state(2).tolist()


def test_hash_changes_with_base_seed_and_points_but_not_between_loads(tmp_path):
    """The spec hash is stable for the same file and changes when anything result-relevant changes."""
    base = _spec(grid={"agents.n_agents": [2, 3]})
    assert base.sha256() == _spec(grid={"agents.n_agents": [2, 3]}).sha256()
    assert base.sha256() != _spec(grid={"agents.n_agents": [2, 4]}).sha256()
    assert base.sha256() != _spec(grid={"agents.n_agents": [2, 3]}, seed=12).sha256()
    changed = sweep_from_dict(
        {"base": {**BASE, "campaign": {"n_numbers": 301}}, "replications": 2, "seed": 11}
    )
    assert changed.sha256() != _spec().sha256()


def test_load_sweep_resolves_base_path_relative_to_the_file(tmp_path):
    """A string `base` is a config file next to the sweep file."""
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "base.toml").write_text("[agents]\nn_agents = 4\n[campaign]\nn_numbers = 300\n")
    (tmp_path / "conf" / "sweep.toml").write_text(
        'base = "base.toml"\nreplications = 3\nseed = 5\n[grid]\n"abandon.window_s" = [1.0, 2.0]\n'
    )
    spec = load_sweep(tmp_path / "conf" / "sweep.toml")
    assert spec.base["agents"]["n_agents"] == 4
    assert len(spec.points) == 2
    assert spec.n_replications == 3
    assert spec.seed == 5


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"replications": 0}, r"`replications` must be an integer >= 1; got 0"),
        ({"seed": -1}, r"`seed` must be an integer >= 0; got -1"),
        ({"seed": 1.5}, r"`seed` must be an integer >= 0; got 1.5"),
        ({"grid": {"agents.n_agents": []}}, r"grid key `agents.n_agents` must be a non-empty list"),
        ({"grid": {"agents.n_agents": 3}}, r"grid key `agents.n_agents` must be a non-empty list"),
        ({"replicatons": 3}, r"sweep key `replicatons` is unknown"),
        ({"keep_records": "yes"}, r"`keep_records` must be true or false; got 'yes'"),
        ({"grid": {"abandon.window_s": [1.0, float("nan")]}}, r"values must be finite; got nan"),
        (
            {"grid": {"agents.n_agents": [2]}, "points": [{"agents.n_agents": 3}]},
            r"`agents.n_agents` is set by both",
        ),
    ],
)
def test_bad_sweep_values_are_refused_with_the_key(changes, match):
    """Each rule of the sweep format gives one message naming the key and value."""
    with pytest.raises(SweepError, match=match):
        _spec(**changes)


def test_missing_seed_is_refused():
    """The seed is required: results must never depend on an implicit seed."""
    with pytest.raises(SweepError, match=r"sweep key `seed` is required"):
        sweep_from_dict({"base": BASE, "replications": 2})


def test_bad_override_names_the_point_and_the_field():
    """A value the config rejects stops loading with the point index, its overrides and the field rule."""
    with pytest.raises(SweepError, match=r"sweep point 1 \(agents.n_agents=0\): agents.n_agents"):
        _spec(grid={"agents.n_agents": [2, 0]})
    with pytest.raises(SweepError, match=r"sweep point 0 .*agents.n_agnets"):
        _spec(points=[{"agents.n_agnets": 2}])


def test_invalid_toml_is_one_line_error(tmp_path):
    """A syntax error in the sweep file is a SweepError naming the file."""
    path = tmp_path / "bad.toml"
    path.write_text("seed = = 3\n")
    with pytest.raises(SweepError, match=r"bad.toml: not valid TOML"):
        load_sweep(path)
