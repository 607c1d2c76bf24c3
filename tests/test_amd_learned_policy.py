"""Learned detector: answer-tone rule, tone deferral, source-grouped cross-validation folds."""

from __future__ import annotations

import numpy as np
import pytest

from amd._corpus_sources import fax_answer
from amd.audio import frames
from amd.detectors import BeepTracker, LearnedDetector, answer_tone_detector
from amd.detectors._learned_fit import N_FOLDS, fold_assignment
from amd.detectors.beep import BeepDetector
from amd.features import FEATURE_NAMES, FeatureStream

SR = 8000


def _noise(duration_s: float, rng: np.random.Generator, level_dbfs: float = -60.0) -> np.ndarray:
    return np.sqrt(0.5) * 10 ** (level_dbfs / 20) * rng.standard_normal(int(round(duration_s * SR)))


def _first_confirmation_s(tracker: BeepTracker, audio: np.ndarray) -> float | None:
    for i, frame in enumerate(frames(audio, SR), start=1):
        if tracker.update(frame) is not None:
            return i * 0.02
    return None


@pytest.mark.parametrize("variant", ["ced", "ansam"])
def test_answer_tone_tracker_confirms_fax_tones_within_0_4_s(variant, rng):
    """CED (pure 2100 Hz) and ANSam (15 Hz AM, phase reversals every 450 ms) are confirmed
    0.3-0.4 s after they start; the 400-2000 Hz beep bank never reports them."""
    audio, start_s = fax_answer(variant, 6.0, level_dbfs=-16.0, rng=rng)
    audio = audio + _noise(audio.size / SR, rng, -50.0)
    got = _first_confirmation_s(BeepTracker(answer_tone_detector()), audio)
    assert got is not None
    assert 0.3 - 0.02 <= got - start_s <= 0.4
    assert _first_confirmation_s(BeepTracker(BeepDetector()), audio[: int((start_s + 2.5) * SR)]) is None


def test_answer_tone_tracker_ignores_beeps_and_silence(rng):
    """A 1 kHz end-of-greeting beep and line noise are not answer tones."""
    t = np.arange(int(0.8 * SR)) / SR
    audio = np.concatenate([_noise(1.0, rng), 0.2 * np.sin(2 * np.pi * 1000.0 * t), _noise(2.0, rng)])
    assert _first_confirmation_s(BeepTracker(answer_tone_detector()), audio) is None
    assert _first_confirmation_s(BeepTracker(BeepDetector()), audio) is not None


def test_feature_stream_reports_answer_tone_and_pending_run(rng):
    """The answer-tone flag and its peak energy share are features; a tone run shorter than the
    confirmation length is reported as pending."""
    t = np.arange(int(1.0 * SR)) / SR
    audio = np.concatenate([_noise(0.5, rng), 0.1 * np.sin(2 * np.pi * 2100.0 * t)])
    fs = FeatureStream()
    pending_seen = False
    for frame in frames(audio, SR):
        fs.push(frame)
        pending_seen |= fs.tone_pending()
    f = dict(zip(FEATURE_NAMES, fs.features(), strict=True))
    assert pending_seen
    assert not fs.tone_pending()
    assert f["answer_tone"] == 1.0
    assert f["answer_tone_ratio"] > 0.9
    assert f["beep"] == 0.0


def test_learned_detector_calls_fax_answer_tone_machine(rng):
    """A fax answer tone is MACHINE by the answer-tone rule, not left to the classifier."""
    audio, start_s = fax_answer("ced", 6.0, level_dbfs=-14.0, rng=rng)
    audio = audio + _noise(audio.size / SR, rng, -55.0)
    d = LearnedDetector().detect(audio, SR)
    assert d.label == "machine"
    assert d.cause == "ANSWERTONE"
    assert d.decided_at_s == pytest.approx(start_s + 0.3, abs=0.1)


def test_fold_assignment_keeps_each_source_in_one_fold():
    """Grouped folds: every source in exactly one fold, all folds used, reproducible by seed."""
    groups = [f"src{i % 13}" for i in range(60)]
    folds = fold_assignment(len(groups), groups, seed=4)
    by_group = {g: {int(f) for f, gg in zip(folds, groups, strict=True) if gg == g} for g in set(groups)}
    assert all(len(v) == 1 for v in by_group.values())
    assert set(folds.tolist()) == set(range(N_FOLDS))
    assert np.array_equal(folds, fold_assignment(len(groups), groups, seed=4))
    ungrouped = fold_assignment(60, None, seed=4)
    assert np.bincount(ungrouped).tolist() == [12] * N_FOLDS
    with pytest.raises(ValueError, match="`groups` must hold one source per clip"):
        fold_assignment(5, ["a"], seed=0)
    with pytest.raises(ValueError, match="`groups` must hold >= 5 distinct sources"):
        fold_assignment(6, ["a", "b", "a", "b", "a", "b"], seed=0)
