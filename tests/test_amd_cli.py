"""``amd-bench`` commands: classify (every malformed-input case), detectors, rtf and CLI errors."""

from __future__ import annotations

import csv
import json
import struct

import numpy as np
import pytest
import soundfile as sf

from amd.cli import main

SR = 8000


def _read_rows(path):
    with open(path, newline="") as fh:
        return {row["file"].rsplit("/", 1)[-1]: row for row in csv.DictReader(fh)}


@pytest.fixture
def wav_dir(tmp_path, rng):
    """A folder of good and broken WAV files (one nested), covering every malformed-input case."""
    d = tmp_path / "calls"
    (d / "sub").mkdir(parents=True)
    sf.write(d / "silence.wav", np.zeros(3 * SR), SR, subtype="PCM_16")
    stereo = 0.1 * rng.standard_normal((2 * 16000, 2))
    sf.write(d / "sub" / "stereo16k.wav", stereo, 16000, subtype="PCM_16")
    (d / "empty.wav").write_bytes(b"")
    (d / "text.wav").write_text("this is not audio\n" * 20)
    sf.write(d / "short.wav", np.zeros(400), SR, subtype="PCM_16")  # 0.05 s
    nan = np.zeros(SR, dtype=np.float32)
    nan[100] = np.nan
    sf.write(d / "nan.wav", nan, SR, subtype="FLOAT")
    sf.write(tmp_path / "full.wav", np.zeros(2 * SR), SR, subtype="PCM_16")
    data = (tmp_path / "full.wav").read_bytes()
    (d / "truncated.wav").write_bytes(data[: len(data) // 2])
    (d / "notes.txt").write_text("ignored: not *.wav")
    return d


def test_classify_processes_good_files_and_reports_each_bad_one(wav_dir, tmp_path, capsys):
    """Good files are classified; each malformed file gets an error row and one stderr line naming
    it; conversions are reported; the exit status is 1."""
    out = tmp_path / "out.csv"
    status = main(["classify", "--detector", "asterisk", "--out", str(out), str(wav_dir)])
    err = capsys.readouterr().err
    assert status == 1
    rows = _read_rows(out)
    assert set(rows) == {
        "silence.wav",
        "stereo16k.wav",
        "empty.wav",
        "text.wav",
        "short.wav",
        "nan.wav",
        "truncated.wav",
    }
    assert rows["silence.wav"]["label"] == "machine"
    assert float(rows["silence.wav"]["decided_at_s"]) == pytest.approx(2.5)
    assert rows["silence.wav"]["score"] == ""
    assert rows["silence.wav"]["error"] == ""
    assert rows["stereo16k.wav"]["label"] in ("human", "machine", "notsure")
    reasons = {
        "empty.wav": "empty",
        "text.wav": "not a readable",
        "short.wav": "must be >= 0.1 s",
        "nan.wav": "NaN",
        "truncated.wav": "truncated",
    }
    for name, reason in reasons.items():
        assert rows[name]["label"] == ""
        assert reason in rows[name]["error"], name
        assert sum(name in line and "error" in line for line in err.splitlines()) == 1, name
    assert "resampled 16000 Hz -> 8000 Hz" in err
    assert "mixed 2 channels to mono" in err
    assert "Traceback" not in err


def test_classify_learned_writes_scores(wav_dir, tmp_path):
    """The learned detector (shipped model, no training needed) fills the score column or leaves it
    empty for a silent line."""
    out = tmp_path / "learned.csv"
    assert main(["classify", "--detector", "learned", "--out", str(out), str(wav_dir / "sub")]) == 0
    (row,) = _read_rows(out).values()
    assert row["label"] in ("human", "machine")
    assert row["score"] == "" or 0.0 <= float(row["score"]) <= 1.0


def test_classify_missing_file_is_error_row(tmp_path, capsys):
    """A path that does not exist gets an error row, and the run still writes the CSV."""
    good = tmp_path / "good.wav"
    sf.write(good, np.zeros(SR), SR, subtype="PCM_16")
    out = tmp_path / "o.csv"
    status = main(["classify", "--detector", "vad", "--out", str(out), str(good), str(tmp_path / "gone.wav")])
    assert status == 1
    rows = _read_rows(out)
    assert rows["good.wav"]["error"] == ""
    assert "does not exist" in rows["gone.wav"]["error"]
    assert "gone.wav" in capsys.readouterr().err


def test_classify_refuses_to_overwrite_and_empty_folder(tmp_path, capsys):
    """An existing output needs --force; a folder without WAV files is a one-line error (status 2)."""
    out = tmp_path / "o.csv"
    out.write_text("old")
    assert main(["classify", "--detector", "vad", "--out", str(out), str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text() == "old"
    (tmp_path / "empty_dir").mkdir()
    assert (
        main(["classify", "--detector", "vad", "--out", str(tmp_path / "n.csv"), str(tmp_path / "empty_dir")])
        == 2
    )
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "none found" in err


def test_detectors_lists_names(capsys):
    """`amd-bench detectors` lists every name, best with its alias."""
    assert main(["detectors"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["asterisk", "beep", "vad", "learned", "words", "best"]
    assert "alias of" in lines[-1]


def test_rtf_writes_json(tmp_path):
    """`amd-bench rtf` measures every detector on generated audio and writes the JSON report."""
    out = tmp_path / "rtf.json"
    assert main(["rtf", "--json", str(out), "--duration-s", "10", "--detectors", "asterisk", "vad"]) == 0
    report = json.loads(out.read_text())
    assert [d["name"] for d in report["detectors"]] == ["asterisk", "vad"]
    for d in report["detectors"]:
        assert d["audio_s"] == pytest.approx(10.0)
        assert d["rtf"] > 1.0
        assert d["n_decisions"] >= 1


def test_run_missing_corpus_is_one_line_error(tmp_path, capsys):
    """A corpus directory without labels.csv gives one line on stderr and status 2."""
    assert main(["run", "--corpus", str(tmp_path), "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "labels.csv" in err


def test_run_bad_answer_mix_is_one_line_error(tmp_path, capsys):
    """A mix naming an unknown kind stops the run before any output is written."""
    mix = tmp_path / "mix.toml"
    mix.write_text("human = 1\nrobot = 1\n", encoding="utf-8")
    out = tmp_path / "b"
    argv = ["run", "--corpus", str(tmp_path), "--out", str(out), "--answer-mix", str(mix)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "answer mix kind must be one of" in err
    assert "'robot'" in err
    assert not out.exists()


def test_truncated_header_is_detected(tmp_path, capsys):
    """A WAV whose data chunk size exceeds the bytes present is reported as truncated."""
    path = tmp_path / "cut.wav"
    header = b"RIFF" + struct.pack("<I", 36 + 16000) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, SR, 2 * SR, 2, 16)
    path.write_bytes(header + fmt + b"data" + struct.pack("<I", 16000) + b"\x00" * 2000)
    out = tmp_path / "o.csv"
    assert main(["classify", "--detector", "beep", "--out", str(out), str(path)]) == 1
    assert "truncated" in _read_rows(out)["cut.wav"]["error"]
