"""amd.corpus: determinism, label consistency, split by source, CLI errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from amd import load_audio
from amd.corpus import KINDS, LABEL_COLUMNS, CorpusError, build_corpus

N_CLIPS = 36  # four clips per kind: slots 0-3, slot 1 is seen test, slot 2 held-out test


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A small corpus built twice with seed 7 and once with seed 8."""
    dirs = {name: tmp_path_factory.mktemp(name) for name in ("a", "b", "c")}
    labels = build_corpus(dirs["a"], seed=7, n_clips=N_CLIPS, progress=False)
    build_corpus(dirs["b"], seed=7, n_clips=N_CLIPS, progress=False)
    build_corpus(dirs["c"], seed=8, n_clips=N_CLIPS, progress=False)
    return labels, dirs


def _checksums(directory):
    return json.loads((directory / "corpus.json").read_text())["sha256"]


@pytest.mark.slow
def test_same_seed_gives_byte_identical_files(corpus):
    """Same seed: identical checksums for every WAV and labels.csv; another seed changes them."""
    _, dirs = corpus
    a, b, c = (_checksums(dirs[k]) for k in "abc")
    assert len(a) == N_CLIPS + 1
    assert a == b
    assert sum(a[f] != c.get(f) for f in a) >= N_CLIPS - 1


def test_labels_columns_kinds_and_truth(corpus):
    """All nine kinds present with their truth; the CSV on disk matches the returned frame."""
    labels, dirs = corpus
    assert list(labels.columns) == list(LABEL_COLUMNS)
    assert set(labels["kind"]) == set(KINDS)
    human = labels["kind"].str.startswith("human")
    assert (labels.loc[human, "truth"] == "human").all()
    assert (labels.loc[~human, "truth"] == "machine").all()
    on_disk = pd.read_csv(dirs["a"] / "labels.csv")
    assert on_disk["file"].tolist() == labels["file"].tolist()
    assert np.allclose(on_disk["speech_start_s"], labels["speech_start_s"], equal_nan=True, atol=1e-4)


def test_label_times_are_consistent(corpus):
    """speech_start < greeting_end; beeps follow the greeting inside the clip; silent/fax clips have no speech."""
    labels, _ = corpus
    speech = labels["speech_start_s"].notna()
    assert (labels.loc[speech, "speech_start_s"] < labels.loc[speech, "greeting_end_s"]).all()
    assert labels.loc[~speech, "kind"].isin(["human_silent", "fax"]).all()
    assert labels.loc[labels["kind"].isin(["human_silent", "fax"]), "greeting_end_s"].isna().all()
    beep = labels[labels["beep_s"].notna()]
    assert (beep["beep_s"] > beep["greeting_end_s"]).all()
    assert (beep["beep_s"] < beep["duration_s"]).all()
    assert labels.loc[labels["kind"] == "machine_beep", "beep_s"].notna().all()
    assert labels.loc[labels["kind"] == "machine_nobeep", "beep_s"].isna().all()
    assert (labels["duration_s"] <= 8.0).all()
    humans = labels[labels["kind"].isin(["human", "human_hello_hello", "human_long_greeting"])]
    assert ((humans["speech_start_s"] >= 0.2) & (humans["speech_start_s"] <= 1.5)).all()


def test_wav_files_match_labels(corpus):
    """Every file is 8 kHz mono 16-bit, as long as labelled, and speech is present after speech_start_s."""
    labels, dirs = corpus
    for row in labels.itertuples():
        audio, sr, notes = load_audio(dirs["a"] / row.file, sr=8000)
        assert notes == []
        assert audio.size == round(row.duration_s * 8000)
        if row.kind in ("human", "human_long_greeting") and row.snr_db >= 15:
            i, j = round(row.speech_start_s * 8000), round(row.greeting_end_s * 8000)
            before = np.sqrt(np.mean(audio[: max(i - 80, 80)] ** 2))
            during = np.sqrt(np.mean(audio[i:j] ** 2))
            assert during > 3 * before, row.file


def test_split_is_by_source_and_covers_every_kind(corpus):
    """No source appears in both splits; every kind has train and test clips; 2 of 4 slots are test."""
    labels, _ = corpus
    per_source = labels.groupby("source")["split"].nunique()
    assert (per_source == 1).all()
    assert (labels.groupby("kind")["split"].nunique() == 2).all()
    assert (labels["split"] == "test").mean() == pytest.approx(0.5, abs=0.01)  # 2 of 4 slots at N_CLIPS
    assert (labels["group"] == "heldout").mean() == pytest.approx(0.25, abs=0.01)


def test_heldout_part_shares_no_language_or_voice_with_train(corpus):
    """The held-out part speaks only languages and espeak-ng voices that the train split never uses."""
    labels, _ = corpus
    train = labels[labels["split"] == "train"]
    held = labels[labels["group"] == "heldout"]
    assert (held["split"] == "test").all()
    assert set(train["language"].fillna("")) <= {"en", "de", ""}
    spoken = held[held["voice"].fillna("").str.startswith("espeak-ng:")]
    assert not spoken.empty
    assert set(spoken["language"]).isdisjoint({"en", "de"})
    held_voices = {v.split(":")[1].split("+")[0] for v in spoken["voice"]}
    train_voices = {v.split(":")[1].split("+")[0] for v in train["voice"].dropna() if str(v).startswith("espeak-ng:")}
    assert held_voices
    assert held_voices.isdisjoint(train_voices)
    assert set(held["source"]).isdisjoint(train["source"])
    # Every held-out speech clip is in a held-out language; the rest carry no language at all.
    assert set(held["language"].fillna("")) - {"fr", "es", "it", "nl", "pt"} <= {""}


def test_long_greetings_follow_the_dialer_model(corpus):
    """Long human greetings last 1.8-4.0 s, the dialer model's greeting-length range."""
    from dialer_sim.config import AnswerConfig

    labels, _ = corpus
    greet = labels[labels["kind"] == "human_long_greeting"]
    length = greet["greeting_end_s"] - greet["speech_start_s"]
    dist = AnswerConfig().timing["human_long_greeting"]["greeting_s"]
    assert ((length >= dist.low - 1e-3) & (length <= dist.high + 1e-3)).all()


def test_existing_corpus_needs_force(corpus):
    """Building into an existing corpus directory fails without force, naming --force."""
    _, dirs = corpus
    with pytest.raises(CorpusError, match="already holds a corpus .* pass --force"):
        build_corpus(dirs["a"], seed=7, n_clips=N_CLIPS, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seed": -1}, r"`seed` must be an int >= 0; got -1"),
        ({"seed": 1, "n_clips": 5}, r"`n_clips` must be an int >= 18"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    """Bad seeds and too few clips are rejected before anything is written."""
    with pytest.raises(CorpusError, match=match):
        build_corpus(tmp_path / "x", progress=False, **kwargs)
    assert not (tmp_path / "x").exists()


def test_cli_build_raises_value_error_for_dispatcher(tmp_path):
    """`corpus build` on an existing corpus raises a CorpusError (a ValueError), which amd.cli prints as one line."""
    import argparse

    from amd import _cli_corpus

    (tmp_path / "labels.csv").write_text("file\n")
    parser = argparse.ArgumentParser(prog="amd-bench")
    _cli_corpus.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["corpus", "build", "--out", str(tmp_path), "--n-clips", "18"])
    assert issubclass(CorpusError, ValueError)
    with pytest.raises(CorpusError, match="pass --force"):
        args.func(args)


@pytest.mark.slow
def test_an_interrupted_forced_build_leaves_the_earlier_corpus_whole(corpus, monkeypatch):
    """Regression: `corpus build --force` deleted the old clips first, so an interrupted forced build left
    a broken corpus; now the new corpus is built aside and swapped in whole."""
    import hashlib

    import amd.corpus as corpus_module

    _, dirs = corpus
    out = dirs["c"]

    def snapshot():
        return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*")) if p.is_file()}

    before = snapshot()
    real, calls = corpus_module._render_clip, []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 10:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(corpus_module, "_render_clip", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_corpus(out, seed=9, n_clips=N_CLIPS, progress=False, force=True)
    assert snapshot() == before
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".run-{out.name}-")]
    monkeypatch.setattr(corpus_module, "_render_clip", real)
    build_corpus(out, seed=8, n_clips=N_CLIPS, progress=False, force=True)
    assert snapshot() == before
