"""Fuzzing WAV headers and sample data given to ``amd-bench classify`` (hypothesis).

Each example takes a valid 16-bit or float WAV and mutates it: a header field (format tag,
channels, sample rate, byte rate, block align, bit depth, the data chunk's size), truncation
at any byte, appended garbage, or NaN/inf samples in a float file. ``classify`` then gets the
mutated file next to a good one. The property (the classify contract, docs/amd.md): the CSV is
written with one row per file; the good file is classified; the mutated file is classified or
has a one-line error in its row and one ``error:`` line on stderr; no traceback; exit status 0
or 1 (1 when a file failed). ``load_audio`` itself returns finite samples in [-1, 1] at 8 kHz
of at most the bounded length, or raises ``AudioError``.
"""

from __future__ import annotations

import csv
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from fuzz_harness import FUZZ, FUZZ_SLOW, run_main
from hypothesis import event, given
from hypothesis import strategies as st

from amd import audio as A
from amd.cli import main

SR = 8000
_RNG = np.random.default_rng(14)
SIGNAL = 0.2 * _RNG.standard_normal(SR)  # one second of noise at 8 kHz


def _base_wav(subtype: str) -> bytes:
    import io

    buf = io.BytesIO()
    sf.write(buf, SIGNAL, SR, format="WAV", subtype=subtype)
    return buf.getvalue()


BASES = {"PCM_16": _base_wav("PCM_16"), "FLOAT": _base_wav("FLOAT")}
# Offsets of the canonical 44-byte header libsndfile writes for these (fmt chunk at 12; "data" after it).
_FIELDS = {"format_tag": (20, "<H"), "channels": (22, "<H"), "sample_rate": (24, "<I"), "byte_rate": (28, "<I"),
           "block_align": (32, "<H"), "bits": (34, "<H")}

RATES = st.one_of(
    st.sampled_from([0, 1, 2, 3999, 4000, 8000, 11025, 16000, 44100, 48000, 192000, 192001, 10_000_000, 2**32 - 1]),
    st.integers(min_value=0, max_value=2**32 - 1),
)
HEADER_EDITS = st.one_of(
    st.tuples(st.just("sample_rate"), RATES),
    st.tuples(st.just("channels"), st.one_of(st.sampled_from([0, 1, 2, 8, 9, 255, 65535]), st.integers(0, 65535))),
    st.tuples(st.just("bits"), st.sampled_from([0, 1, 4, 8, 12, 16, 24, 32, 64, 65535])),
    st.tuples(st.just("format_tag"), st.sampled_from([0, 1, 2, 3, 6, 7, 0x55, 0xFFFE, 0xFFFF])),
    st.tuples(st.just("byte_rate"), st.integers(0, 2**32 - 1)),
    st.tuples(st.just("block_align"), st.integers(0, 65535)),
)
MUTATIONS = st.one_of(
    st.tuples(st.just("header"), st.lists(HEADER_EDITS, min_size=1, max_size=3)),
    st.tuples(st.just("data_size"), st.one_of(st.sampled_from([0, 1, 2**31, 2**32 - 1]), st.integers(0, 2**32 - 1))),
    st.tuples(st.just("truncate"), st.integers(min_value=0, max_value=len(BASES["PCM_16"]))),
    st.tuples(st.just("append"), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("nonfinite"), st.lists(st.tuples(st.integers(0, SR - 1),
                                                       st.sampled_from([np.nan, np.inf, -np.inf, 1e30])),
                                             min_size=1, max_size=4)),
    st.tuples(st.just("bytes"), st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), min_size=1, max_size=6)),
)


def _data_offset(raw: bytes) -> int | None:
    at = raw.find(b"data")
    return None if at < 0 else at + 4


def mutate(raw: bytes, mutation) -> bytes:
    """``raw`` with one mutation; NaN/inf samples always go into the float file."""
    kind, arg = mutation
    raw = bytearray(BASES["FLOAT"] if kind == "nonfinite" else raw)
    if kind == "nonfinite":
        start = _data_offset(raw) + 4
        for index, value in arg:
            raw[start + 4 * index : start + 4 * index + 4] = struct.pack("<f", value)
    elif kind == "header":
        for name, value in arg:
            offset, fmt = _FIELDS[name]
            if offset + struct.calcsize(fmt) <= len(raw):
                raw[offset : offset + struct.calcsize(fmt)] = struct.pack(fmt, value)
    elif kind == "data_size":
        at = _data_offset(raw)
        if at is not None and at + 4 <= len(raw):
            raw[at : at + 4] = struct.pack("<I", arg)
    elif kind == "truncate":
        raw = raw[:arg]
    elif kind == "append":
        raw += arg
    else:
        for at, value in arg:
            if at < len(raw):
                raw[at] = value
    return bytes(raw)


def _check_classify(tmp_path: Path, data: bytes, detector: str) -> None:
    good, bad = tmp_path / "good.wav", tmp_path / "mutated.wav"
    good.write_bytes(BASES["PCM_16"])
    bad.write_bytes(data)
    out = tmp_path / "decisions.csv"
    status, _, err = run_main(main, ["classify", "--detector", detector, "--out", str(out), str(good), str(bad)])
    assert "Traceback" not in err, err
    assert status in (0, 1), (status, err)
    with open(out, newline="", encoding="utf-8") as fh:
        rows = {Path(r["file"]).name: r for r in csv.DictReader(fh)}
    assert set(rows) == {"good.wav", "mutated.wav"}
    assert rows["good.wav"]["label"] in ("human", "machine", "notsure")
    assert not rows["good.wav"]["error"]
    errors = [line for line in err.splitlines() if ": error: " in line]
    if rows["mutated.wav"]["error"]:
        assert status == 1, err
        assert len(errors) == 1, err
        assert str(bad) in errors[0], err
        assert "\n" not in rows["mutated.wav"]["error"]
        event("refused")
    else:
        assert status == 0
        assert not errors
        assert rows["mutated.wav"]["label"] in ("human", "machine", "notsure")
        event("classified")
    for line in err.splitlines():
        assert line.startswith("amd-bench classify: "), err


def _check_load(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(data)
    try:
        audio, sr, _ = A.load_audio(path, sr=SR)
    except A.AudioError as exc:
        message = str(exc)
    else:
        message = None
    if message is not None:
        assert "\n" not in message
        return
    assert sr == SR
    assert audio.ndim == 1
    assert np.all(np.isfinite(audio))
    assert np.all(np.abs(audio) <= 1.0)
    assert audio.size <= A.MAX_DURATION_S * SR + 1


@FUZZ
@given(subtype=st.sampled_from(sorted(BASES)), mutation=MUTATIONS, detector=st.sampled_from(["best", "asterisk"]))
def test_fuzz_wav_in_classify(tmp_path_factory, subtype, mutation, detector):
    tmp_path = tmp_path_factory.mktemp("a")
    data = mutate(BASES[subtype], mutation)
    _check_load(tmp_path, data)
    _check_classify(tmp_path, data, detector)


@pytest.mark.slow
@FUZZ_SLOW
@given(subtype=st.sampled_from(sorted(BASES)), mutations=st.lists(MUTATIONS, min_size=1, max_size=3))
def test_fuzz_wav_load_more_examples(tmp_path_factory, subtype, mutations):
    """Several mutations at once, through ``load_audio`` only (the classify wrapper is fuzzed above)."""
    data = BASES[subtype]
    for mutation in mutations:
        data = mutate(data, mutation)
    _check_load(tmp_path_factory.mktemp("a"), data)


def test_the_real_executable_keeps_going_past_a_bad_header(tmp_path):
    """The installed `amd-bench` (a subprocess): a 1 Hz header fails that file only; exit 1; CSV written."""
    (tmp_path / "good.wav").write_bytes(BASES["PCM_16"])
    (tmp_path / "bad.wav").write_bytes(mutate(BASES["PCM_16"], ("header", [("sample_rate", 1)])))
    exe = Path(sys.executable).with_name("amd-bench")
    out = tmp_path / "d.csv"
    proc = subprocess.run([str(exe), "classify", "--detector", "vad", "--out", str(out), str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "bad.wav: sample rate must be in [4000, 192000] Hz" in proc.stderr
    assert out.read_text(encoding="utf-8").count("\n") == 3
