"""Fuzzing configuration, sweep and experiment TOML files (hypothesis).

Each example mutates a valid file: a value replaced by a wrong type, an out-of-range or
non-finite number, a deeply nested array, unicode text or a table; an unknown key added; a key
deleted; a section replaced; then perhaps the bytes corrupted (truncated, a non-UTF-8 byte, UTF-16).
A file the loader accepts is a valid configuration (round-trips through ``config_to_dict``); it
is not simulated, since a valid campaign may legitimately take minutes. A file it refuses must
be refused by the command line the same way: exit status 2, one line on stderr, no traceback,
and no ``--out`` folder created.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_harness import FUZZ, FUZZ_SLOW, Deep, assert_refused_or_done, run_main, snapshot, toml_document
from hypothesis import event, given
from hypothesis import strategies as st

import dialer_sim as ds
from dialer_sim.cli import main
from dialer_sim.sweep import load_sweep
from experiments import estimating_abandonment as ea

CAMPAIGN = {
    "campaign": {"n_numbers": 300, "n_shifts": 1, "shift_start_s": 32400.0, "shift_length_s": 1800.0,
                 "max_attempts": 3, "retry_gap_s": 600.0, "campaign_id": "fuzz"},
    "network": {"p_busy": 0.05, "ring_timeout_s": 20.0, "busy_s": {"kind": "uniform", "low": 1.0, "high": 3.0}},
    "answer": {"p_pickup": 0.7, "machine_answer_delay_s": {"kind": "mixture", "components": [[1.0, 17.0, 23.0]]}},
    "amd": {"mode": "parametric", "message_s": 10.0,
            "confusion": {"human": [0.9, 0.05, 0.05]}, "delay_after_speech_s": {"kind": "lognormal",
                                                                                  "median": 1.2, "sigma": 0.3}},
    "agents": {"n_agents": 3, "talk_time_s": {"kind": "gamma", "mean": 200.0, "cv": 0.5}, "wrap_up_s": 10.0},
    "abandon": {"window_s": 2.0, "clock_start": "speech_start", "hold_queue": False},
    "pacing": {"policy": "ratio", "lines_per_agent": 1.5},
}
LIST_CAMPAIGN = {
    "campaign": {"n_numbers": 300, "n_shifts": 3, "shift_start_s": 32400.0, "shift_length_s": 3600.0},
    "agents": {"n_agents": 3},
    "population": {"strategy_mix": {"answer_all": 0.5, "screen_unknown": 0.5}, "p_voicemail": 0.5,
                   "availability_sunday": [0.5] * 24},
    "caller_id": {"policy": "rotating", "pool_size": 5, "n_spare_numbers": 10},
    "blocklist": {"flag_score": 7.0, "window_days": 28.0},
    "rules": {"windows": {"mon": [8.0, 20.0], "sat": [9.0, 18.0]}, "max_attempts_per_day": 3},
    "hygiene": {"max_no_answer": 8},
}
SWEEP = {"base": {"campaign": {"n_numbers": 300, "shift_length_s": 1800.0}, "agents": {"n_agents": 3}},
         "replications": 2, "seed": 7, "keep_records": False,
         "grid": {"agents.n_agents": [2, 3], "pacing.policy": ["progressive", "ratio"]}}

NUMBERS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 2, 3660, 3661, 10_000, 10_001, 10**7, 10**7 + 1, 10**9, 2**63 - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 1.0000001, 3600.0, 3600.0000001, 1e300, float("nan"), float("inf")]),
)
SCALARS = st.one_of(NUMBERS, st.booleans(), st.text(max_size=12))
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=5),
    st.lists(st.lists(SCALARS, max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
    st.builds(Deep, st.integers(min_value=1, max_value=3_000)),
)


def _leaves(table: dict, prefix: tuple = ()) -> list[tuple]:
    out = []
    for key, value in table.items():
        out.append((*prefix, key))
        if isinstance(value, dict):
            out += _leaves(value, (*prefix, key))
    return out


def _mutations(base: dict):
    paths = st.sampled_from(_leaves(base))
    op = st.one_of(
        st.tuples(st.just("set"), paths, VALUES),
        st.tuples(st.just("add"), paths, st.text(min_size=1, max_size=10), VALUES),
        st.tuples(st.just("delete"), paths),
    )
    return st.lists(op, min_size=1, max_size=3)


def _apply(base: dict, ops) -> dict:
    import copy

    data = copy.deepcopy(base)
    for op in ops:
        path = op[1]
        node = data
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                break
            node = node[part]
        else:
            if op[0] == "set":
                node[path[-1]] = op[2]
            elif op[0] == "add":
                target = node.get(path[-1]) if isinstance(node.get(path[-1]), dict) else node
                target[op[2]] = op[3]
            else:
                node.pop(path[-1], None)
    return data


CORRUPTIONS = st.one_of(
    st.just(None),
    st.tuples(st.just("truncate"), st.floats(min_value=0.0, max_value=1.0)),
    st.tuples(st.just("byte"), st.floats(min_value=0.0, max_value=1.0), st.integers(min_value=0x80, max_value=0xFF)),
    st.tuples(st.just("utf16")),
)


def _encode(text: str, corruption) -> bytes:
    raw = text.encode("utf-8")
    if corruption is None:
        return raw
    if corruption[0] == "truncate":
        return raw[: int(corruption[1] * len(raw))]
    if corruption[0] == "byte":
        at = int(corruption[1] * len(raw))
        return raw[:at] + bytes([corruption[2]]) + raw[at:]
    return text.encode("utf-16")


def _write(tmp_path: Path, name: str, data: dict, corruption) -> Path:
    path = tmp_path / name
    try:
        text = toml_document(data)
    except (TypeError, ValueError):
        text = "x = 1\n"
    path.write_bytes(_encode(text, corruption))
    return path


def _one_line_error(exc: Exception) -> None:
    assert isinstance(exc, (ds.DialerSimError, FileNotFoundError)), repr(exc)
    assert "\n" not in str(exc), repr(exc)
    assert str(exc), repr(exc)


def _check_campaign(tmp_path: Path, data: dict, corruption) -> None:
    path = _write(tmp_path, "campaign.toml", data, corruption)
    out = tmp_path / "out"
    try:
        cfg = ds.load_config(path)
    except Exception as exc:  # noqa: BLE001 - the property is about which exceptions appear
        _one_line_error(exc)
        before = snapshot(out)
        status, _, err = run_main(main, ["run", str(path), "--out", str(out), "--quiet"])
        event(assert_refused_or_done(status, err, before, snapshot(out)))
        assert status == 2
        assert not out.exists()
        return
    event("valid")
    plain = ds.config_to_dict(cfg)
    assert ds.config_to_dict(ds.config_from_dict(plain)) == plain


@FUZZ
@given(ops=_mutations(CAMPAIGN), corruption=CORRUPTIONS)
def test_fuzz_campaign_config(tmp_path_factory, ops, corruption):
    _check_campaign(tmp_path_factory.mktemp("f"), _apply(CAMPAIGN, ops), corruption)


@FUZZ
@given(ops=_mutations(LIST_CAMPAIGN), corruption=CORRUPTIONS)
def test_fuzz_list_campaign_config(tmp_path_factory, ops, corruption):
    _check_campaign(tmp_path_factory.mktemp("f"), _apply(LIST_CAMPAIGN, ops), corruption)


def _check_sweep(tmp_path: Path, data: dict, corruption) -> None:
    path = _write(tmp_path, "sweep.toml", data, corruption)
    out = tmp_path / "out"
    try:
        load_sweep(path)
    except Exception as exc:  # noqa: BLE001
        _one_line_error(exc)
        status, _, err = run_main(main, ["sweep", str(path), "--out", str(out), "--workers", "1"])
        event(assert_refused_or_done(status, err, {}, snapshot(out)))
        assert status == 2
        assert not out.exists()
        return
    event("valid")


@FUZZ
@given(ops=_mutations(SWEEP), corruption=CORRUPTIONS)
def test_fuzz_sweep_file(tmp_path_factory, ops, corruption):
    _check_sweep(tmp_path_factory.mktemp("f"), _apply(SWEEP, ops), corruption)


EXPERIMENT = ea.load_experiment_config(ea.SMOKE_CONFIG)


@FUZZ
@given(ops=_mutations(EXPERIMENT), corruption=CORRUPTIONS)
def test_fuzz_experiment_table(tmp_path_factory, ops, corruption):
    tmp_path = tmp_path_factory.mktemp("f")
    path = _write(tmp_path, "experiment.toml", _apply(EXPERIMENT, ops), corruption)
    out = tmp_path / "out"
    try:
        ea.check_config(ea.load_experiment_config(path))
    except Exception as exc:  # noqa: BLE001
        _one_line_error(exc)
        status, _, err = run_main(ea.cli_main, ["--config", str(path), "--out", str(out)])
        event(assert_refused_or_done(status, err, {}, snapshot(out)))
        assert status == 2
        assert not out.exists()
        return
    event("valid")


@pytest.mark.slow
@FUZZ_SLOW
@given(base=st.sampled_from([CAMPAIGN, LIST_CAMPAIGN]), ops=_mutations(CAMPAIGN) | _mutations(LIST_CAMPAIGN),
       corruption=CORRUPTIONS)
def test_fuzz_campaign_config_more_examples(tmp_path_factory, base, ops, corruption):
    _check_campaign(tmp_path_factory.mktemp("f"), _apply(base, ops), corruption)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[campaign]\nn_numbers = 1000000000\n", "campaign.n_numbers must be an integer <= 10000000"),
        ("[campaign]\nn_numbers = " + "[" * 5000 + "]" * 5000 + "\n", "at most 20 levels deep"),
        ('[amd.confusion]\nhuman = [true, "x", {a = 1}]\n', "amd.confusion.human must be in [0, 1]"),
    ],
)
def test_the_real_executable_refuses_in_one_line(tmp_path, text, needle):
    """The installed `dialer-sim` (a subprocess): status 2, one stderr line, no --out created."""
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    exe = Path(sys.executable).with_name("dialer-sim")
    proc = subprocess.run([str(exe), "run", str(path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
