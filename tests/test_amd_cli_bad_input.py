"""``amd-bench`` on bad input: one line on stderr naming field, rule and value; no traceback;
nothing written or overwritten; work refused before it starts when the output cannot be written."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import soundfile as sf

from amd.answer_mix import AnswerMixError, read_answer_mix
from amd.benchmark import BenchmarkError, load_split
from amd.cli import main

SR = 8000


def _one_error_line(capsys, *needles: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def mini_corpus(tmp_path, rng):
    """Four test clips and four train clips of noise with a valid labels.csv."""
    corpus = tmp_path / "corpus"
    (corpus / "clips").mkdir(parents=True)
    rows = []
    for i, (kind, truth) in enumerate([("human", "human"), ("machine_beep", "machine")] * 4):
        name = f"clips/{i:04d}_{kind}.wav"
        sf.write(corpus / name, 0.05 * rng.standard_normal(SR), SR, subtype="PCM_16")
        rows.append(
            {"file": name, "kind": kind, "truth": truth, "speech_start_s": 0.3, "greeting_end_s": 0.9,
             "split": "test" if i < 4 else "train", "source": f"s{i}"}
        )  # fmt: skip
    pd.DataFrame(rows).to_csv(corpus / "labels.csv", index=False)
    return corpus


def _corrupt(corpus, column, value):
    table = pd.read_csv(corpus / "labels.csv").astype({column: object})
    table.loc[1, column] = value
    table.to_csv(corpus / "labels.csv", index=False)


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("kind", "alien", "`kind` must be one of"),
        ("truth", "robot", "`truth` must be one of"),
        ("truth", "human", "`truth` must be the truth of the row's `kind`"),
        ("split", "validate", "`split` must be one of"),
        ("speech_start_s", "abc", "`speech_start_s` must be a finite number"),
        ("greeting_end_s", -2.0, "`greeting_end_s` must be a finite number"),
        ("file", None, "`file` must be a path"),
    ],
)
def test_corrupt_labels_name_line_column_and_value(mini_corpus, tmp_path, capsys, column, value, needle):
    """A bad cell in labels.csv is reported with its line, column, rule and value, before any
    detector runs and without creating the output folder."""
    _corrupt(mini_corpus, column, value)
    out = tmp_path / "out"
    args = ["run", "--corpus", str(mini_corpus), "--out", str(out), "--no-sweep", "--detectors", "asterisk"]
    assert main(args) == 2
    line = _one_error_line(capsys, "labels.csv line 3", needle)
    if value is not None:
        assert repr(value) in line
    assert not out.exists()


def test_unparsable_or_empty_labels_name_the_file(mini_corpus):
    (mini_corpus / "labels.csv").write_text("")
    with pytest.raises(BenchmarkError, match="labels.csv is not a readable CSV table"):
        load_split(mini_corpus, "test")
    (mini_corpus / "labels.csv").write_text('file,kind\n"unterminated\n')
    with pytest.raises(BenchmarkError, match="labels.csv is not a readable CSV table"):
        load_split(mini_corpus, "test")


def test_missing_or_broken_clip_names_its_labels_row(mini_corpus):
    (mini_corpus / "clips" / "0001_machine_beep.wav").unlink()
    with pytest.raises(
        BenchmarkError, match=r"line 3: `file` 'clips/0001_machine_beep.wav' is unusable.*does not exist"
    ):
        load_split(mini_corpus, "test")
    (mini_corpus / "clips" / "0001_machine_beep.wav").write_text("not audio")
    with pytest.raises(BenchmarkError, match="line 3: .*not a readable WAV"):
        load_split(mini_corpus, "test")


def test_outputs_under_a_file_are_refused_before_work(mini_corpus, tmp_path, capsys):
    """An output path whose folder is a file, or an output folder that is a file, is one error
    line (it used to be a FileExistsError traceback after all the work was done)."""
    a_file = tmp_path / "plain.txt"
    a_file.write_text("keep me")
    wav = str(mini_corpus / "clips" / "0000_human.wav")
    cases = [
        (
            ["classify", "--detector", "vad", "--out", str(a_file / "x.csv"), wav],
            "`--out` must be under a folder",
        ),
        (["run", "--corpus", str(mini_corpus), "--out", str(a_file), "--no-sweep"], "`out` must be a folder"),
        (
            ["train", "--corpus", str(mini_corpus), "--out", str(a_file / "m.json")],
            "`out` must be under a folder",
        ),
        (["corpus", "build", "--out", str(a_file), "--n-clips", "18"], "`out_dir` must be a folder"),
        (
            ["corpus", "build", "--out", str(a_file / "c"), "--n-clips", "18"],
            "`out_dir` must be under a folder",
        ),
        (["rtf", "--json", str(tmp_path), "--duration-s", "1"], "`--json` must be a file path"),
    ]
    for args, needle in cases:
        assert main(args) == 2, args
        _one_error_line(capsys, needle)
    assert a_file.read_text() == "keep me"


def test_usage_errors_are_one_line(capsys):
    """argparse errors (bad int, missing option) print one line, not the usage block."""
    with pytest.raises(SystemExit) as info:
        main(["corpus", "build", "--out", "x", "--n-clips", "abc"])
    assert info.value.code == 2
    _one_error_line(capsys, "--n-clips", "invalid int value: 'abc'")
    with pytest.raises(SystemExit):
        main(["classify", "--detector", "vad", "x.wav"])
    _one_error_line(capsys, "--out")


@pytest.mark.parametrize("value", ["inf", "nan", "0", "-1", "1e9"])
def test_rtf_duration_must_be_finite_positive_and_bounded(tmp_path, capsys, value):
    assert main(["rtf", "--json", str(tmp_path / "r.json"), "--duration-s", value]) == 2
    _one_error_line(
        capsys, "`--duration-s` must be > 0 and <= 3600 s", value if value != "1e9" else "1000000000"
    )
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize("value", [2.0, -0.1, 1.0, float("nan"), float("inf"), True])
def test_max_human_fp_must_be_a_rate(value):
    from amd.detectors._learned_fit import check_max_human_fp

    with pytest.raises(ValueError, match=r"`max_human_fp` must be a rate in \[0, 1\)"):
        check_max_human_fp(value)


def test_train_rejects_bad_max_human_fp_before_loading(mini_corpus, tmp_path, capsys):
    out = tmp_path / "m.json"
    assert main(["train", "--corpus", str(mini_corpus), "--out", str(out), "--max-human-fp", "2"]) == 2
    _one_error_line(capsys, "`max_human_fp`", "not a percentage", "2.0")
    assert not out.exists()


def test_answer_mix_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "mix.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(AnswerMixError, match=r"mix.json must be UTF-8 text; line 1, column 1 holds byte 0xff"):
        read_answer_mix(path)


def test_classify_error_column_does_not_repeat_the_file_name(tmp_path, capsys):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    out = tmp_path / "out.csv"
    assert main(["classify", "--detector", "vad", "--out", str(out), str(empty)]) == 1
    err = capsys.readouterr().err
    assert f"error: {empty}: file is empty (0 bytes)." in err
    row = pd.read_csv(out).iloc[0]
    assert row["error"] == "file is empty (0 bytes)."


def test_existing_results_are_kept_without_force(mini_corpus, tmp_path, capsys):
    out = tmp_path / "c.csv"
    out.write_text("earlier")
    wav = str(mini_corpus / "clips" / "0000_human.wav")
    assert main(["classify", "--detector", "vad", "--out", str(out), wav]) == 2
    _one_error_line(capsys, "already exists", "--force")
    assert out.read_text() == "earlier"
    model = tmp_path / "m.json"
    model.write_text(json.dumps({"keep": 1}))
    assert main(["train", "--corpus", str(mini_corpus), "--out", str(model)]) == 2
    _one_error_line(capsys, "already exists")
    assert json.loads(model.read_text()) == {"keep": 1}
