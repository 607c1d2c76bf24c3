"""AMD metrics checked against a hand-computed confusion matrix and a naive Wilson interval."""

from __future__ import annotations

import math

import numpy as np
import pytest

from amd import metrics

# 6 humans: 3 -> human, 2 -> machine, 1 -> notsure; 4 machines: 2 -> machine, 1 -> human, 1 -> notsure.
REF = np.array(["human"] * 6 + ["machine"] * 4)
EST = np.array(
    ["human", "human", "human", "machine", "machine", "notsure", "machine", "machine", "human", "notsure"]
)
AT = np.array([1.0, 1.5, 2.5, 1.2, 0.9, 5.0, 2.0, 2.2, 1.0, 5.0])
START = np.array([0.5, 0.5, 0.4, np.nan, 0.3, 0.5, 0.4, 0.4, 0.4, 0.4])


def test_confusion_matrix_by_hand():
    """Rows truth (human, machine), columns label (human, machine, notsure)."""
    np.testing.assert_array_equal(metrics.confusion_matrix(REF, EST), [[3, 2, 1], [1, 2, 1]])


def test_rates_by_hand():
    """Each metric equals its hand-computed value from the matrix above."""
    assert metrics.accuracy(REF, EST) == pytest.approx(5 / 10)
    assert metrics.balanced_accuracy(REF, EST) == pytest.approx(0.5 * (3 / 6 + 2 / 4))
    assert metrics.human_false_positive_rate(REF, EST) == pytest.approx(2 / 6)
    assert metrics.machine_miss_rate(REF, EST) == pytest.approx(2 / 4)
    assert metrics.notsure_rate(REF, EST) == pytest.approx(2 / 10)


def test_latency_from_speech_skips_unknown_start():
    """Human latency from speech start leaves out NaN starts; from answer it keeps all humans."""
    np.testing.assert_allclose(metrics.human_latency_s(REF, AT, START), [0.5, 1.0, 2.1, 0.6, 4.5])
    np.testing.assert_allclose(metrics.human_latency_s(REF, AT), AT[:6])


def _wilson_naive(k, n, z=1.959963984540054):
    """Textbook formula: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    p = k / n
    a = p + z * z / (2 * n)
    b = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (a - b) / (1 + z * z / n), (a + b) / (1 + z * z / n)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (2, 6), (10, 10), (37, 180)])
def test_wilson_interval_matches_formula(k, n):
    """wilson_interval agrees with the textbook expression and contains the point estimate."""
    low, high = metrics.wilson_interval(k, n)
    ref_low, ref_high = _wilson_naive(k, n)
    assert low == pytest.approx(max(0.0, ref_low), abs=1e-12)
    assert high == pytest.approx(min(1.0, ref_high), abs=1e-12)
    assert low <= k / n <= high


def test_evaluate_dict_values_and_order():
    """evaluate gives readable keys, human FP first, with intervals and latency summaries."""
    out = metrics.evaluate(REF, EST, estimated_decided_at_s=AT, reference_speech_start_s=START)
    assert next(iter(out)) == "human_fp_rate"
    assert out["human_fp_rate"] == pytest.approx(2 / 6)
    assert (out["human_fp_rate_ci95_low"], out["human_fp_rate_ci95_high"]) == pytest.approx(
        metrics.wilson_interval(2, 6)
    )
    assert out["human_latency_from_speech_median_s"] == pytest.approx(1.0)
    assert out["human_latency_from_speech_share_within_2s"] == pytest.approx(3 / 5)
    assert out["human_latency_from_answer_median_s"] == pytest.approx(np.median(AT[:6]))
    assert out["balanced_accuracy_ci95_low"] <= out["balanced_accuracy"] <= out["balanced_accuracy_ci95_high"]
    assert (out["n_human"], out["n_machine"]) == (6.0, 4.0)


def test_empty_input_warns_and_returns_nan():
    """Empty input warns once and gives NaN rates instead of raising."""
    empty = np.array([], dtype=str)
    with pytest.warns(UserWarning, match="empty"):
        out = metrics.evaluate(
            empty, empty, estimated_decided_at_s=np.array([]), reference_speech_start_s=np.array([])
        )
    assert math.isnan(out["accuracy"])
    assert math.isnan(out["human_latency_from_speech_median_s"])


def test_validate_rejects_bad_labels_and_lengths():
    """Mismatched lengths and unknown labels raise ValueError naming the argument."""
    with pytest.raises(ValueError, match="equal length"):
        metrics.validate(REF, EST[:3])
    with pytest.raises(ValueError, match="`estimated` labels must be in"):
        metrics.validate(REF[:1], np.array(["robot"]))
    with pytest.raises(ValueError, match="`reference` labels must be in"):
        metrics.validate(np.array(["notsure"]), np.array(["human"]))
