"""Streaming features: per-packet MFCCs and spectral descriptors agree with librosa; the growing
window summarises cadence correctly."""

from __future__ import annotations

import librosa
import numpy as np
import pytest

from amd.features import FEATURE_NAMES, N_MFCC, feature_trajectory, frame_spectral

SR = 8000


def _librosa_power(frame: np.ndarray) -> np.ndarray:
    """librosa's |STFT|^2 of one 160-sample packet in a 256-point frame (window centred)."""
    y = np.zeros(256)
    y[48:208] = frame  # librosa pads a 160-point window to n_fft by centring it
    return (
        np.abs(librosa.stft(y, n_fft=256, hop_length=256, win_length=160, window="hann", center=False)) ** 2
    )


def test_frame_mfcc_matches_librosa(rng):
    """frame_spectral's MFCCs equal librosa.feature.mfcc (Slaney mel, dB, ortho DCT-II, no top_db)."""
    frame = 0.2 * rng.standard_normal(160)
    power = _librosa_power(frame)
    mel = librosa.feature.melspectrogram(S=power, sr=SR, n_mels=40, fmin=0.0, fmax=SR / 2)
    expected = librosa.feature.mfcc(S=librosa.power_to_db(mel, top_db=None), n_mfcc=N_MFCC)[:, 0]
    np.testing.assert_allclose(frame_spectral(frame)[:N_MFCC], expected, rtol=1e-6, atol=1e-6)


def test_frame_spectral_descriptors_match_librosa(rng):
    """Centroid, flatness and 85 % roll-off agree with librosa given the power spectrum as ``S``."""
    t = np.arange(160) / SR
    frame = 0.3 * np.sin(2 * np.pi * 700 * t) + 0.05 * rng.standard_normal(160)
    power = _librosa_power(frame)
    got = frame_spectral(frame)[N_MFCC:]
    centroid = librosa.feature.spectral_centroid(S=power, sr=SR, n_fft=256)[0, 0]
    rolloff = librosa.feature.spectral_rolloff(S=power, sr=SR, n_fft=256, roll_percent=0.85)[0, 0]
    flatness = librosa.feature.spectral_flatness(S=power, power=1.0, amin=1e-10)[0, 0]
    assert got[0] == pytest.approx(centroid, rel=1e-6)
    assert got[2] == pytest.approx(rolloff, abs=8000 / 256 + 1e-9)  # within one FFT bin
    assert got[1] == pytest.approx(flatness, rel=1e-3)


def test_trajectory_cadence_features(rng):
    """A 0.6 s burst at 0.5 s: onset near 0.5 s, about 0.6 s of speech, one utterance, and the
    pause grows after it."""
    t = np.arange(int(0.6 * SR)) / SR
    voice = (
        0.1
        * sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 15))
        * (0.3 + np.abs(np.sin(2 * np.pi * 4 * t)))
    )
    audio = np.concatenate([np.zeros(SR // 2), voice, np.zeros(SR)]) + 1e-4 * rng.standard_normal(
        int(2.1 * SR)
    )
    times, X = feature_trajectory(audio, SR, times_s=np.array([0.4, 2.0]))
    np.testing.assert_allclose(times, [0.4, 2.0])
    f = dict(zip(FEATURE_NAMES, X[1], strict=True))
    before = dict(zip(FEATURE_NAMES, X[0], strict=True))
    assert before["speech_s"] == 0.0
    assert f["onset_s"] == pytest.approx(0.5, abs=0.06)
    assert f["speech_s"] == pytest.approx(0.6, abs=0.1)
    assert f["n_utterances"] == 1
    assert f["silence_run_s"] == pytest.approx(2.0 - 1.1, abs=0.1)
    assert f["beep"] == 0.0
