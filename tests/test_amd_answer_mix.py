"""Post-stratified metrics under an answer mix (amd.metrics.evaluate_weighted, amd.answer_mix)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from amd.answer_mix import DEFAULT_ANSWER_MIX, AnswerMixError, check_answer_mix, read_answer_mix
from amd.metrics import evaluate, evaluate_weighted, wilson_interval
from callvocab import ANSWER_KINDS as KINDS
from callvocab import TRUTH_OF_KIND as TRUTH


def _weighted(ref, est, kinds, mix, at=None, start=None):
    n = len(ref)
    return evaluate_weighted(
        np.array(ref),
        np.array(est),
        kinds=np.array(kinds),
        kind_weights=mix,
        truth_of_kind=TRUTH,
        estimated_decided_at_s=np.zeros(n) if at is None else np.array(at, float),
        reference_speech_start_s=np.zeros(n) if start is None else np.array(start, float),
    )


def test_post_stratified_rates_by_hand():
    """Two human kinds sampled 4 and 2 times, weighted 0.9 / 0.1: FP = 0.9 * 1/4 + 0.1 * 2/2."""
    ref = ["human"] * 6 + ["machine"] * 2
    est = ["machine", "human", "human", "human", "machine", "machine", "machine", "human"]
    kinds = ["human"] * 4 + ["human_long_greeting"] * 2 + ["machine_beep", "machine_nobeep"]
    mix = {"human": 0.45, "human_long_greeting": 0.05, "machine_beep": 0.4, "machine_nobeep": 0.1}
    m = _weighted(ref, est, kinds, mix)
    assert m["human_fp_rate"] == pytest.approx(0.9 * 0.25 + 0.1 * 1.0)
    assert m["machine_miss_rate"] == pytest.approx(0.2)
    # Kish effective size among humans: 1 / (0.9^2 / 4 + 0.1^2 / 2).
    n_eff = 1.0 / (0.81 / 4 + 0.01 / 2)
    assert m["n_eff_human"] == pytest.approx(n_eff)
    # The Wilson interval of the whole effective counts: round(0.325 * 5) = 2 of round(4.82) = 5.
    low, high = wilson_interval(round(m["human_fp_rate"] * round(n_eff)), round(n_eff))
    assert (round(n_eff), round(m["human_fp_rate"] * round(n_eff))) == (5, 2)
    assert (m["human_fp_rate_ci95_low"], m["human_fp_rate_ci95_high"]) == pytest.approx((low, high))
    # Accuracy weighs every kind by its share of all calls: 0.45 * 3/4 + 0.05 * 0 + 0.4 * 1 + 0.1 * 0.
    assert m["accuracy"] == pytest.approx(0.45 * 0.75 + 0.4)
    assert m["balanced_accuracy"] == pytest.approx(0.5 * ((1 - 0.325) + 0.8))
    assert m["coverage_human"] == pytest.approx(1.0)
    assert m["coverage_machine"] == pytest.approx(1.0)


def test_mix_proportional_to_sample_reproduces_unweighted():
    """Weights equal to the sample's own kind shares give the unweighted metrics exactly."""
    rng = np.random.default_rng(3)
    kinds = rng.choice(KINDS, size=200)
    ref = np.array([TRUTH[k] for k in kinds])
    est = rng.choice(["human", "machine", "notsure"], size=200)
    start = np.where(kinds == "human_silent", np.nan, rng.uniform(0.2, 1.0, 200))
    at = start + rng.uniform(0.1, 3.0, 200)
    at[np.isnan(at)] = 3.0
    mix = {k: float(np.count_nonzero(kinds == k)) for k in KINDS}
    m = _weighted(ref, est, kinds, mix, at, start)
    plain = evaluate(ref, est, estimated_decided_at_s=at, reference_speech_start_s=start)
    for key in ("human_fp_rate", "machine_miss_rate", "notsure_rate", "accuracy", "balanced_accuracy"):
        assert m[key] == pytest.approx(plain[key]), key
        assert m[f"{key}_ci95_low"] == pytest.approx(plain[f"{key}_ci95_low"]), key
    assert m["n_eff_human"] == pytest.approx(plain["n_human"])
    # Latency quantiles: inverted CDF with equal weights equals numpy's method on the same sample.
    lat = (at - start)[(ref == "human") & np.isfinite(start)]
    assert m["human_latency_from_speech_median_s"] == pytest.approx(
        np.quantile(lat, 0.5, method="inverted_cdf")
    )
    assert m["human_latency_from_speech_p95_s"] == pytest.approx(
        np.quantile(lat, 0.95, method="inverted_cdf")
    )
    assert m["human_latency_from_speech_share_within_2s"] == pytest.approx(np.mean(lat <= 2.0))


def test_weighted_latency_follows_the_mix():
    """A rare slow kind moves the p95 only when its weight passes 5 %."""
    ref = ["human"] * 4
    kinds = ["human", "human", "human_long_greeting", "human_long_greeting"]
    at, start = [0.8, 0.9, 4.0, 5.0], [0.0] * 4
    rare = _weighted(
        ref, ["human"] * 4, kinds, {"human": 0.97, "human_long_greeting": 0.03, "fax": 1}, at, start
    )
    common = _weighted(
        ref, ["human"] * 4, kinds, {"human": 0.8, "human_long_greeting": 0.2, "fax": 1}, at, start
    )
    assert rare["human_latency_from_speech_p95_s"] == pytest.approx(0.9)
    assert common["human_latency_from_speech_p95_s"] == pytest.approx(5.0)
    assert rare["human_latency_from_speech_share_within_2s"] == pytest.approx(0.97)


def test_missing_kind_lowers_coverage_not_rates():
    """A kind with weight but no clips is reported as missing coverage; the rate uses the rest."""
    m = _weighted(["human", "machine"], ["human", "machine"], ["human", "fax"], DEFAULT_ANSWER_MIX)
    assert m["human_fp_rate"] == 0.0
    assert m["coverage_human"] == pytest.approx(0.36 / 0.45)
    assert m["coverage_machine"] == pytest.approx(0.03 / 0.55)


def test_default_mix_is_the_dialer_models():
    """The benchmark's default mix is the dialer simulation's answered-call mix."""
    from dialer_sim import AnswerConfig

    assert AnswerConfig().kind_weights == dict(DEFAULT_ANSWER_MIX)
    assert sum(check_answer_mix(DEFAULT_ANSWER_MIX).values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("mix", "match"),
    [
        ({"robot": 1.0, "fax": 1.0}, "kind must be one of"),
        ({"human": -0.1, "fax": 1.0}, "`human` must be >= 0"),
        ({"human": math.nan, "fax": 1.0}, "`human` must be a finite number"),
        ({"human": "lots", "fax": 1.0}, "`human` must be a finite number"),
        ({"human": 1.0}, "machine kinds a positive total"),
        ({}, "non-empty table"),
    ],
)
def test_bad_mix_is_named(mix, match):
    with pytest.raises(AnswerMixError, match=match):
        check_answer_mix(mix)


def test_read_answer_mix_files(tmp_path):
    good = tmp_path / "mix.toml"
    good.write_text("human = 3\nhuman_long_greeting = 1\nmachine_beep = 4\n", encoding="utf-8")
    mix = read_answer_mix(good)
    assert mix["human"] == pytest.approx(0.375)
    assert mix["fax"] == 0.0
    js = tmp_path / "mix.json"
    js.write_text('{"human": 1, "fax": 1}', encoding="utf-8")
    assert read_answer_mix(js)["fax"] == pytest.approx(0.5)
    bad = tmp_path / "bad.json"
    bad.write_text("{human: 1", encoding="utf-8")
    with pytest.raises(AnswerMixError, match="not valid json"):
        read_answer_mix(bad)
    with pytest.raises(AnswerMixError, match="cannot be read"):
        read_answer_mix(tmp_path / "absent.toml")
