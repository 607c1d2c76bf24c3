"""amd.audio: boundary checks, loading with reported conversions, malformed files."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from amd import AudioError, check_audio, float_to_int16, frames, int16_to_float, load_audio


@pytest.mark.parametrize(
    ("audio", "sr", "match"),
    [
        ([0.0, 0.1], 8000, r"`audio` must be a numpy.ndarray; got list"),
        (np.zeros(10, dtype=np.int16), 8000, r"floating dtype; got int16 \(use int16_to_float\)"),
        (np.zeros((10, 2)), 8000, r"mono 1-D; got shape \(10, 2\)"),
        (np.zeros(0), 8000, r"non-empty; got 0 samples"),
        (np.array([0.0, np.nan, np.inf]), 8000, r"finite; got 2 NaN/inf samples \(first at index 1\)"),
        (np.zeros(10), 8000.0, r"`sr` must be a positive int in Hz; got 8000.0 \(float\)"),
        (np.zeros(10), True, r"`sr` must be a positive int in Hz; got True"),
        (np.zeros(10), 0, r"`sr` must be a positive int in Hz; got 0"),
        (np.zeros(10), -8000, r"got -8000"),
    ],
)
def test_check_audio_rejects_with_named_rule(audio, sr, match):
    """Each broken rule gives an AudioError (a ValueError) naming parameter, rule and value."""
    with pytest.raises(AudioError, match=match):
        check_audio(audio, sr)
    assert issubclass(AudioError, ValueError)


def test_check_audio_accepts_float32_and_numpy_int_sr():
    """float32 audio and a numpy integer sample rate are valid."""
    check_audio(np.zeros(5, dtype=np.float32), np.int64(8000))


def test_int16_float_round_trip_is_exact():
    """Every int16 value survives int16 -> float -> int16; float full scale saturates."""
    x = np.arange(-32768, 32768, dtype=np.int16)
    assert np.array_equal(float_to_int16(int16_to_float(x)), x)
    assert float_to_int16(np.array([1.5, -1.5])).tolist() == [32767, -32768]
    with pytest.raises(AudioError, match="dtype int16; got float64"):
        int16_to_float(np.zeros(3))


def test_frames_shape_and_trailing_partial_dropped():
    """20 ms frames at 8 kHz are 160 samples; a partial last frame is not returned."""
    f = frames(np.arange(8000 + 100, dtype=float), 8000)
    assert f.shape == (50, 160)
    assert f[1, 0] == 160.0
    with pytest.raises(AudioError, match="whole number of samples"):
        frames(np.zeros(800), 8000, frame_s=0.0201)


def test_load_audio_reports_mixing_and_resampling(tmp_path):
    """A 16 kHz stereo file is mixed and resampled, and both steps are reported."""
    t = np.arange(16000) / 16000
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    sf.write(tmp_path / "st.wav", np.stack([left, np.zeros_like(left)], axis=1), 16000, subtype="PCM_16")
    audio, sr, notes = load_audio(tmp_path / "st.wav", sr=8000)
    assert sr == 8000
    assert audio.shape == (8000,)
    assert audio.dtype == np.float64
    assert notes == ["mixed 2 channels to mono", "resampled 16000 Hz -> 8000 Hz"]
    # the 440 Hz tone keeps its amplitude (0.25 after the mean of two channels) through resampling
    assert np.sqrt(np.mean(audio[1000:7000] ** 2)) == pytest.approx(0.25 / np.sqrt(2), rel=0.01)
    with pytest.raises(AudioError, match="st.wav: has 2 channels and `mono` is False"):
        load_audio(tmp_path / "st.wav", sr=8000, mono=False)


def test_load_audio_native_file_has_no_notes(tmp_path):
    """A mono 8 kHz file loads unchanged, with no notes."""
    x = np.arange(-400, 400, dtype=np.int16) * 40
    sf.write(tmp_path / "a.flac", x, 8000)
    audio, sr, notes = load_audio(tmp_path / "a.flac", sr=8000)
    assert notes == []
    assert np.array_equal(float_to_int16(audio), x)


def _malformed(tmp_path, case):
    path = tmp_path / f"{case}.wav"
    good = tmp_path / "good.wav"
    sf.write(good, np.zeros(8000, dtype=np.int16), 8000, subtype="PCM_16")
    if case == "empty":
        path.write_bytes(b"")
    elif case == "text":
        path.write_text("this is not audio at all " * 20)
    elif case == "truncated_header":
        path.write_bytes(good.read_bytes()[:30])
    elif case == "truncated_data":
        path.write_bytes(good.read_bytes()[:2000])
    elif case == "nan":
        y = np.zeros(8000)
        y[100] = np.nan
        sf.write(path, y, 8000, subtype="FLOAT")
    elif case == "short":
        sf.write(path, np.zeros(400, dtype=np.int16), 8000, subtype="PCM_16")
    return path


@pytest.mark.parametrize(
    ("case", "match"),
    [
        ("empty", r"empty.wav: file is empty \(0 bytes\)"),
        ("text", r"text.wav: not a readable WAV/FLAC audio file \(format not recognised\)"),
        ("truncated_header", r"truncated_header.wav: truncated WAV; no audio data chunk"),
        (
            "truncated_data",
            r"truncated_data.wav: truncated WAV; header declares 16000 bytes .* file holds 1956",
        ),
        ("nan", r"nan.wav: holds 1 NaN/inf samples"),
        ("short", r"short.wav: is 0.050 s long; must be >= 0.1 s"),
        ("missing", r"missing.wav: file does not exist"),
    ],
)
def test_load_audio_malformed_files(tmp_path, case, match):
    """Broken files raise one-line AudioErrors naming the file and the reason."""
    path = _malformed(tmp_path, case)
    with pytest.raises(AudioError, match=match):
        load_audio(path, sr=8000)
