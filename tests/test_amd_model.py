"""AMD as the simulation sees it: the parametric model and the measured behaviour table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import dialer_sim as ds
from dialer_sim.bench import minimal_erlang_a
from dialer_sim.model import ParametricAmd, load_behaviour_table
from dialer_sim.queueing import erlang_a
from dialer_sim.records import ANSWER_KINDS
from dialer_sim.stats import mean_ci, wilson_interval


def behaviour_table(tmp_path):
    """Two measured clips per kind, with distinct, recognisable times."""
    rows = []
    for i, kind in enumerate(ANSWER_KINDS):
        for j in range(2):
            speech = math.nan if kind in ("human_silent", "fax") else 0.4 + 0.1 * j
            greet = math.nan if math.isnan(speech) else speech + 1.0 + i
            rows.append({"kind": kind, "label": "machine" if j else "human", "decided_at_s": 2.0 + i + j,
                         "speech_start_s": speech, "greeting_end_s": greet})
    path = tmp_path / "behaviour.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path, pd.DataFrame(rows)


def test_empirical_amd_takes_all_times_of_a_call_from_one_measured_clip(tmp_path):
    """Each answered call's speech start, greeting end, label and decision come from the same table row."""
    path, table = behaviour_table(tmp_path)
    cfg = ds.config_from_dict({"amd": {"mode": "empirical", "table_path": str(path)},
                               "campaign": {"shift_length_s": 3600.0}, "agents": {"n_agents": 5}})
    rec = ds.run(cfg, 2).records
    decided = rec.dropna(subset=["amd_decided_at_s"])
    assert len(decided) > 50
    answer = decided["dial_at_s"] + decided["ring_s"]
    offsets = pd.DataFrame({
        "kind": decided["answer_kind"], "label": decided["amd_label"],
        "decided_at_s": (decided["amd_decided_at_s"] - answer).round(9),
        "speech_start_s": (decided["speech_start_at_s"] - answer).round(9),
        "greeting_end_s": (decided["greeting_end_at_s"] - answer).round(9),
    })
    known = {tuple(r) for r in table.round(9).astype(str).to_numpy()}
    for row in offsets.astype(str).to_numpy():
        assert tuple(row) in known


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (pd.DataFrame({"kind": ["human"], "label": ["human"]}), "lacks the column"),
        (pd.DataFrame({"kind": ["robot"], "label": ["human"], "decided_at_s": [1.0], "speech_start_s": [0.1],
                       "greeting_end_s": [0.5]}), "kind must be one of the answer kinds; got 'robot'"),
        (pd.DataFrame({"kind": ["human"], "label": ["maybe"], "decided_at_s": [1.0], "speech_start_s": [0.1],
                       "greeting_end_s": [0.5]}), "label must be human, machine or notsure; got 'maybe'"),
        (pd.DataFrame({"kind": ["human"], "label": ["human"], "decided_at_s": [-1.0], "speech_start_s": [0.1],
                       "greeting_end_s": [0.5]}), r"decided_at_s must be a number >= 0 \(row 2\)"),
    ],
)
def test_bad_behaviour_tables_are_refused(tmp_path, frame, match):
    """A malformed behaviour table gives a ConfigError naming the rule."""
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ds.ConfigError, match=match):
        load_behaviour_table(path)


def test_table_missing_a_kind_the_config_can_produce(tmp_path):
    """A table without clips of a kind that the kind mix can draw is refused before the run."""
    path, table = behaviour_table(tmp_path)
    table[table["kind"] != "fax"].to_csv(path, index=False)
    cfg = ds.config_from_dict({"amd": {"mode": "empirical", "table_path": str(path)}})
    with pytest.raises(ds.ConfigError, match="no clip of kind 'fax'"):
        ds.run(cfg, 0)


def test_parametric_labels_follow_the_confusion_rates(rng):
    """Label frequencies fall inside 99.9 % Wilson intervals around the configured probabilities."""
    amd = ParametricAmd(ds.AmdConfig(), rng=rng)
    n = 20_000
    labels = [amd.decide("human_long_greeting", 0.5)[0] for _ in range(n)]
    expected = dict(zip(("human", "machine", "notsure"), ds.AmdConfig().confusion["human_long_greeting"], strict=True))
    for label, p in expected.items():
        lo, hi = wilson_interval(labels.count(label), n, confidence=0.999)
        assert lo <= p <= hi, (label, p, lo, hi)
    # The decision comes after speech starts; without speech it is timed from the answer.
    assert all(amd.decide("human", 0.5)[1] > 0.5 for _ in range(100))
    assert np.isfinite(amd.decide("human_silent", math.nan)[1])


def test_minimal_reference_model_is_erlang_a():
    """The benchmark's reference model abandons at the Erlang-A rate (99.9 % interval over independent runs)."""
    p = [minimal_erlang_a(10_000, seed=s)["p_abandon"] for s in range(10)]
    mean, half = mean_ci(p, confidence=0.999)
    assert abs(mean - erlang_a(10.0, 1.0, 10, 1.0).p_abandon) <= half
