"""End to end: build a small corpus, train the learned detector, run the benchmark, check outputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from amd.benchmark import AmdBenchmarkConfig, BenchmarkError, run_benchmark, train_from_corpus


@pytest.mark.slow
def test_small_corpus_train_and_benchmark(tmp_path, small_corpus):
    """A 45-clip corpus: training is reproducible, the benchmark writes every table and chart,
    rates lie in [0, 1] with intervals around them, and behaviour.csv has one row per
    (detector, test clip)."""
    corpus = small_corpus
    model_a = tmp_path / "a.json"
    model_b = tmp_path / "b.json"
    train_from_corpus(corpus, model_a, seed=2, progress=False)
    train_from_corpus(corpus, model_b, seed=2, progress=False)
    assert model_a.read_bytes() == model_b.read_bytes()
    with pytest.raises(BenchmarkError, match="already exists"):
        train_from_corpus(corpus, model_a, seed=2, progress=False)

    out = tmp_path / "bench"
    config = AmdBenchmarkConfig(model_path=str(model_a), seed=5)
    table = run_benchmark(corpus, out, config=config, progress=False)
    for name in (
        "metrics.csv",
        "metrics_answer_mix.csv",
        "per_kind.csv",
        "behaviour.csv",
        "decisions.csv",
        "operating_curves.csv",
        "confusion.png",
        "latency_cdf.png",
        "operating_curves.png",
        "best.json",
        "config.json",
        "costs.csv",
        "costs_answer_mix.csv",
        "costs.png",
        "targets.csv",
    ):
        assert (out / name).stat().st_size > 0, name
    assert list(table["detector"]) == ["asterisk", "beep", "vad", "learned", "words"]
    assert table.columns[1] == "human_fp_rate"
    for col in ("human_fp_rate", "machine_miss_rate", "notsure_rate", "accuracy", "balanced_accuracy"):
        assert table[col].between(0, 1).all(), col
        assert (table[f"{col}_ci95_low"] <= table[col] + 1e-12).all()
        assert (table[col] <= table[f"{col}_ci95_high"] + 1e-12).all()
    assert (table["rtf"] > 1).all()

    labels = pd.read_csv(corpus / "labels.csv")
    n_test = int((labels["split"] == "test").sum())
    behaviour = pd.read_csv(out / "behaviour.csv")
    assert list(behaviour.columns) == [
        "detector",
        "kind",
        "label",
        "decided_at_s",
        "speech_start_s",
        "greeting_end_s",
    ]
    assert len(behaviour) == len(table) * n_test  # one row per (detector, test clip)
    assert set(behaviour["label"]) <= {"human", "machine", "notsure"}
    # Asterisk always decides within its 5 s total analysis time, on a 20 ms packet boundary.
    ast = behaviour[behaviour["detector"] == "asterisk"]["decided_at_s"].to_numpy()
    assert (ast <= 5.0 + 1e-9).all()
    assert np.allclose(ast / 0.02, np.round(ast / 0.02))
    curves = pd.read_csv(out / "operating_curves.csv")
    assert set(curves["detector"]) == {"asterisk", "vad", "learned"}
    best = json.loads((out / "best.json").read_text())
    assert best["detector"] in set(table["detector"])
    settings = json.loads((out / "config.json").read_text())
    assert settings["seed"] == 5
    assert settings["answer_mix"]["human"] == pytest.approx(0.36)
    # The mix-weighted table: one row per detector, and its human FP is the mix-weighted mean of
    # the per-kind machine shares that per_kind.csv reports.
    mixed = pd.read_csv(out / "metrics_answer_mix.csv").set_index("detector")
    assert list(mixed.index) == list(table["detector"])
    per_kind = pd.read_csv(out / "per_kind.csv")
    for det in mixed.index:
        humans = per_kind[(per_kind["detector"] == det) & (per_kind["truth"] == "human")]
        w = humans["kind"].map(settings["answer_mix"])
        expected = float((w * humans["share_machine"]).sum() / w.sum())
        assert mixed.loc[det, "human_fp_rate"] == pytest.approx(expected), det
    assert best["classic_under_answer_mix"]["human_fp_rate"] == pytest.approx(
        mixed.loc[best["detector"], "human_fp_rate"]
    )
    _check_costs(out, list(table["detector"]), best)
    with pytest.raises(BenchmarkError, match="--force"):
        run_benchmark(corpus, out, config=config, progress=False)


def _check_costs(out, detectors, best):
    """Cost tables: every detector, policy and part; rates within their intervals; the
    connect-at-deadline policy never connects a person late and never abandons more people than
    hanging up does with the same decisions; best.json names its rule and figures."""
    from amd.costs import call_costs

    decisions = pd.read_csv(out / "decisions.csv")
    assert set(decisions["group"]) == {"seen", "heldout"}
    for name in ("costs.csv", "costs_answer_mix.csv"):
        costs = pd.read_csv(out / name)
        assert set(costs["detector"]) == set(detectors)
        assert set(costs["policy"]) == {"hangup", "connect_at_deadline"}
        assert set(costs["part"]) == {"all", "seen", "heldout"}
        for col in ("amd_abandonment", "p_machine_no_agent"):
            assert costs[col].between(0, 1).all(), (name, col)
            assert (costs[f"{col}_ci95_low"] <= costs[col] + 1e-12).all(), (name, col)
            assert (costs[col] <= costs[f"{col}_ci95_high"] + 1e-12).all(), (name, col)
        assert costs["agent_s_per_machine"].between(0, 8.0 + 1e-9).all()
        cad = costs[costs["policy"] == "connect_at_deadline"].set_index(["detector", "part"])
        hang = costs[costs["policy"] == "hangup"].set_index(["detector", "part"])
        assert (cad["late_human_rate"] == 0).all()
        assert (cad["amd_abandonment"] <= hang.loc[cad.index, "amd_abandonment"] + 1e-12).all()
    # The equal-kind figure is the plain share over the part's people.
    eq = pd.read_csv(out / "costs.csv").set_index(["detector", "policy", "part"])
    for det in detectors:
        g = decisions[(decisions["detector"] == det) & (decisions["group"] == "heldout")]
        c = call_costs(g["truth"], g["label"], g["decided_at_s"], g["speech_start_s"], policy="hangup")
        humans = (g["truth"] == "human").to_numpy()
        expected = c["abandoned_human"].to_numpy()[humans].mean()
        assert eq.loc[(det, "hangup", "heldout"), "amd_abandonment"] == pytest.approx(expected)
    assert best["rule"].startswith("under the answer mix, connect_at_deadline")
    assert isinstance(best["within_target"], bool)
    assert "connect_at_deadline/seen" in best["under_answer_mix"]
    targets = pd.read_csv(out / "targets.csv")
    assert {"AMD-caused abandonment", "machines never reaching an agent"} <= set(targets["target"])
    assert set(targets["part"]) >= {"seen", "heldout"}
