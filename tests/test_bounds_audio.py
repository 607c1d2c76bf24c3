"""Audio headers within telephone-plausible bounds, one bad file never stopping a batch, and no-signal audio.

Bounds (docs/amd.md): sample rate in [4000, 192000] Hz, at most 8 channels, 600 s and 2^25
samples over all channels, all read from the header before any sample is decoded.
"""

from __future__ import annotations

import csv
import os
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from amd import audio as A
from amd.cli import main
from amd.detectors import make_detector

SR = 8000


def _wav(path: Path, sr: int = SR, n: int = 16_000, channels: int = 1, value: float | None = None) -> Path:
    rng = np.random.default_rng(0)
    data = 0.1 * rng.standard_normal((n, channels)) if value is None else np.full((n, channels), value)
    sf.write(path, data, sr, subtype="PCM_16")
    return path


def _patch_rate(path: Path, rate: int) -> Path:
    """Rewrite the fmt chunk's sample rate (and byte rate) of a 16-bit mono WAV: the hostile header."""
    data = bytearray(path.read_bytes())
    data[24:28] = struct.pack("<I", rate)
    data[28:32] = struct.pack("<I", rate * 2)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("rate", "ok"), [(A.MIN_SR_HZ, True), (A.MIN_SR_HZ - 1, False),
                                          (A.MAX_SR_HZ, True), (A.MAX_SR_HZ + 1, False)])
def test_sample_rate_bounds(tmp_path, rate, ok):
    path = _patch_rate(_wav(tmp_path / "x.wav", n=rate // 5), rate)
    if ok:
        audio, sr, notes = A.load_audio(path, sr=SR)
        assert sr == SR
        assert audio.size == pytest.approx(SR / 5, abs=2)
    else:
        with pytest.raises(A.AudioError, match=rf"x\.wav: sample rate must be in \[4000, 192000\] Hz .*says {rate} Hz"):
            A.load_audio(path, sr=SR)


def test_duration_bound(tmp_path):
    at = _wav(tmp_path / "at.wav", sr=4000, n=int(A.MAX_DURATION_S * 4000))
    past = _wav(tmp_path / "past.wav", sr=4000, n=int(A.MAX_DURATION_S * 4000) + 1)
    A._check_header(at)
    with pytest.raises(A.AudioError, match=r"past\.wav: must be at most 600 s long; the header says 600\.0 s"):
        A.load_audio(past, sr=SR)


def test_channel_bound(tmp_path):
    assert A.load_audio(_wav(tmp_path / "at.wav", channels=A.MAX_CHANNELS), sr=SR)[2] == ["mixed 8 channels to mono"]
    with pytest.raises(A.AudioError, match=r"past\.wav: must have 1 to 8 channels; the header says 9"):
        A.load_audio(_wav(tmp_path / "past.wav", channels=A.MAX_CHANNELS + 1), sr=SR)


def test_sample_count_bound_is_read_from_the_header(tmp_path):
    """2^25 samples over 8 channels is the bound (checked without decoding); one frame more is refused."""
    frames = A.MAX_SAMPLES // 8
    for name, n in (("at.wav", frames), ("past.wav", frames + 1)):
        with sf.SoundFile(tmp_path / name, "w", samplerate=SR, channels=8, subtype="PCM_16") as fh:
            block = np.zeros((1 << 16, 8), dtype=np.int16)
            for start in range(0, n, block.shape[0]):
                fh.write(block[: min(block.shape[0], n - start)])
    A._check_header(tmp_path / "at.wav")
    with pytest.raises(A.AudioError, match=r"past\.wav: must hold at most 33554432 samples"):
        A.load_audio(tmp_path / "past.wav", sr=SR)


def test_target_rate_is_bounded_too():
    with pytest.raises(A.AudioError, match=r"`sr` must be in \[4000, 192000\] Hz; got 1000000000"):
        A.load_audio("any.wav", sr=10**9)


def _rows(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {Path(r["file"]).name: r for r in csv.DictReader(fh)}


def test_a_1_hz_header_fails_that_file_only_and_the_csv_is_written(tmp_path, capsys):
    """Regression (issue 14, failure 2): a 400 KB WAV saying 1 Hz asked for 11.9 GiB and stopped the batch."""
    folder = tmp_path / "calls"
    folder.mkdir()
    _wav(folder / "good.wav")
    _patch_rate(_wav(folder / "one_hz.wav", n=200_000), 1)
    _patch_rate(_wav(folder / "ten_mhz.wav"), 10_000_000)
    out = tmp_path / "decisions.csv"
    assert main(["classify", "--detector", "best", "--out", str(out), str(folder)]) == 1
    rows = _rows(out)
    assert rows["good.wav"]["label"] in ("human", "machine", "notsure")
    assert rows["good.wav"]["error"] == ""
    assert "the header says 1 Hz" in rows["one_hz.wav"]["error"]
    assert "the header says 10000000 Hz" in rows["ten_mhz.wav"]["error"]
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "1 classified, 2 failed" in err


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_loops_in_a_folder_are_reported(tmp_path, capsys):
    """Regression (issue 14, failure 7): loops were skipped without a word."""
    folder = tmp_path / "calls"
    (folder / "sub").mkdir(parents=True)
    _wav(folder / "sub" / "a.wav")
    os.symlink("..", folder / "sub" / "up")  # a folder loop: every file there is found once anyway
    os.symlink("self.wav", folder / "self.wav")  # a WAV link that loops on itself
    os.symlink("missing.wav", folder / "dangling.wav")
    out = tmp_path / "decisions.csv"
    assert main(["classify", "--detector", "vad", "--out", str(out), str(folder)]) == 1
    rows = _rows(out)
    assert set(rows) == {"a.wav", "self.wav", "dangling.wav"}
    assert rows["self.wav"]["error"] == "symbolic link loops (self.wav)"
    assert rows["dangling.wav"]["error"] == "symbolic link leads nowhere (missing.wav)"
    err = capsys.readouterr().err
    assert "skipped a symbolic link loop" in err
    assert str(folder / "sub" / "up") in err


@pytest.mark.parametrize("value", [0.0, 0.25, -0.5])
@pytest.mark.parametrize("name", ["best", "learned", "vad"])
def test_no_signal_is_notsure_with_a_reason(name, value):
    """Regression (issue 14, failure 7): digital silence and pure DC were labelled human with no note.

    A telephone line always carries some noise; a constant signal is a muted channel or a broken
    file, so the project's own detectors answer notsure with cause NOSIGNAL (docs/amd.md).
    """
    for seconds in (2, 10):
        d = make_detector(name).detect(np.full(seconds * SR, value), SR)
        assert (d.label, d.cause) == ("notsure", "NOSIGNAL")


def test_quiet_line_noise_is_not_no_signal():
    """A silent line with noise (a person who says nothing) keeps the silence rule: not NOSIGNAL."""
    noise = 1e-4 * np.random.default_rng(3).standard_normal(5 * SR)
    assert make_detector("best").detect(noise, SR).cause != "NOSIGNAL"


def test_classify_notes_a_no_signal_file(tmp_path, capsys):
    path = _wav(tmp_path / "flat.wav", value=0.0)
    out = tmp_path / "d.csv"
    assert main(["classify", "--detector", "best", "--out", str(out), str(path)]) == 0
    assert _rows(out)["flat.wav"]["label"] == "notsure"
    assert "flat.wav: no signal (every sample is the same value: digital silence or DC); labelled notsure" in (
        capsys.readouterr().err)
