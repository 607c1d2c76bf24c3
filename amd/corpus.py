"""A deterministic, labelled corpus of answered-call audio for benchmarking AMD.

``build_corpus`` renders clips of all nine answer kinds of docs/architecture.md from real recorded speech
(the Asterisk English prompts, Debian ``asterisk-core-sounds-en-wav``), the ``espeak-ng``
synthesiser (English and German) and generated tones, passes each through a randomised
``TelephoneChannel`` and writes 8 kHz mono 16-bit WAV files, ``labels.csv`` and ``corpus.json``.
See ``docs/corpus.md`` for the contents, the label columns and the limitations.

Conventions
-----------
- Times are seconds from answer (the start of the clip). Clips are at most 8 s.
- ``kind`` uses the answer-kind strings of docs/architecture.md; ``truth`` is ``'human' | 'machine'``.
- ``split`` is ``'train' | 'test'``, assigned by source (prompt group or scripted text), so no
  source is in both splits. ``group`` is ``'seen'`` (English and German, the languages training
  uses) or ``'heldout'``: test clips in languages and espeak-ng voices no training clip uses
  (``amd._corpus_heldout``), plus the language-free kinds (silence, fax) in the same slots.
  About 50 % of clips are train, 30 % seen test and 20 % held-out test.
- Randomness: ``SeedSequence(seed)`` spawns the split stream, then one child per clip, so a
  clip depends only on the seed, its index and the source split.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf
from tqdm import tqdm

from amd._corpus_scenes import (
    MAX_CLIP_S,
    Scene,
    Source,
    heldout_pools,
    make_scene,
    source_pools,
)
from amd._corpus_sources import SR, CorpusError, Renderer, tool_versions
from amd._paths import prepare_out_dir
from amd.audio import float_to_int16
from amd.channel import TelephoneChannel
from atomicdir import atomic_write, staged_dir
from callvocab import ANSWER_KINDS as KINDS  # re-exported: the corpus `kind` column
from callvocab import TRUTH_OF_KIND

__all__ = ["KINDS", "LABEL_COLUMNS", "CorpusError", "build_corpus"]

#: Columns of ``labels.csv``, in order (documented in docs/corpus.md).
LABEL_COLUMNS = (
    "file", "kind", "truth", "language", "speech_start_s", "greeting_end_s", "beep_s", "tone_start_s",
    "duration_s", "truncated", "snr_db", "codec", "gain_db", "p_packet_loss", "comfort_noise_dbfs",
    "source", "voice", "text", "split", "group",
)  # fmt: skip
_TEST_SLOTS = (1, 4, 7)  # the k-th clip of a kind is a seen test clip when k % 10 is one of these (30 %)
_HELDOUT_SLOTS = (2, 8)  # ... and a held-out test clip when k % 10 is one of these (20 %)
_TEST_FRACTION = 0.3
#: Most clips one corpus build makes (a 600-clip corpus takes minutes; each clip is about 100 KB).
MAX_CLIPS = 100_000
_MAX_DRAWS = 50


def assign_splits(pools: dict[str, list[Source]], rng: np.random.Generator) -> dict[str, str]:
    """Assign every source to 'train' or 'test', about 30 % test within each kind, at least one each.

    Kinds are visited in ``KINDS`` order; a source shared by several kinds keeps the split it got
    first, and a kind whose sources are all taken already only fills its remaining ones.
    """
    split: dict[str, str] = {}
    for kind in KINDS:
        ids = sorted({s.source_id for s in pools[kind]})
        new = [ids[i] for i in rng.permutation(len(ids)) if ids[i] not in split]
        n_test_have = sum(split.get(i) == "test" for i in ids)
        n_test_want = max(1, int(round(_TEST_FRACTION * len(ids))))
        for source_id in new:
            split[source_id] = "test" if n_test_have < n_test_want else "train"
            n_test_have += split[source_id] == "test"
        if {split[i] for i in ids} != {"train", "test"}:
            raise CorpusError(f"kind {kind!r} has sources in one split only; it needs >= 2 sources.")
    return split


def _channel(scene: Scene, rng: np.random.Generator) -> TelephoneChannel:
    """Randomised channel parameters; German (European) lines favour A-law, others mu-law."""
    p_alaw = 0.8 if scene.language in ("de", "fr", "es", "it", "nl", "pt") else 0.3
    lossy = rng.random() < 0.3
    return TelephoneChannel(
        law="alaw" if rng.random() < p_alaw else "mulaw",
        snr_db=float(rng.uniform(5.0, 40.0)) if scene.voice else None,  # silent clips: no active signal
        noise_color=str(rng.choice(["pink", "white", "brown"])),
        gain_db=float(rng.uniform(-6.0, 6.0)),
        p_packet_loss=float(rng.uniform(0.005, 0.05)) if lossy else 0.0,
        mean_burst_packets=float(rng.uniform(1.0, 3.0)) if lossy else 1.0,
        comfort_noise_dbfs=float(rng.uniform(-72.0, -58.0)) if rng.random() < 0.15 else None,
    )


def _render_clip(kind: str, candidates: list[Source], renderer: Renderer, rng: np.random.Generator):
    """Draw sources until one yields a scene that fits, then apply a random channel."""
    for _ in range(_MAX_DRAWS):
        source = candidates[int(rng.integers(len(candidates)))]
        scene = make_scene(kind, source, renderer, rng)
        if scene is not None:
            channel = _channel(scene, rng)
            return source, scene, channel, channel.apply(scene.audio, SR, rng=rng)
    raise CorpusError(f"no source of kind {kind!r} fits in {MAX_CLIP_S} s after {_MAX_DRAWS} draws.")


def _row(
    index: int,
    kind: str,
    source: Source,
    scene: Scene,
    channel: TelephoneChannel,
    n_samples: int,
    split: str,
    group: str,
) -> dict:
    return {
        "file": f"clips/{index:04d}_{kind}.wav",
        "kind": kind,
        "truth": TRUTH_OF_KIND[kind],
        "language": scene.language,
        "speech_start_s": round(scene.speech_start_s, 4),
        "greeting_end_s": round(scene.greeting_end_s, 4),
        "beep_s": round(scene.beep_s, 4),
        "tone_start_s": round(scene.tone_start_s, 4),
        "duration_s": n_samples / SR,
        "truncated": scene.truncated,
        "snr_db": np.nan if channel.snr_db is None else round(channel.snr_db, 2),
        "codec": channel.law,
        "gain_db": round(channel.gain_db, 2),
        "p_packet_loss": round(channel.p_packet_loss, 4),
        "comfort_noise_dbfs": np.nan
        if channel.comfort_noise_dbfs is None
        else round(channel.comfort_noise_dbfs, 1),
        "source": source.source_id,
        "voice": scene.voice,
        "text": scene.text,
        "split": split,
        "group": group,
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: The entries of a corpus folder; an earlier corpus's are replaced, anything else is kept.
CORPUS_OUTPUTS = ("clips", "labels.csv", "corpus.json")


def build_corpus(
    out_dir: str | os.PathLike[str],
    *,
    seed: int,
    n_clips: int = 600,
    progress: bool = True,
    force: bool = False,
) -> pd.DataFrame:
    """Build the labelled AMD corpus in ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Output directory; gets ``clips/*.wav``, ``labels.csv`` and ``corpus.json``.
    seed : int >= 0
        Root seed; the same seed gives byte-identical files.
    n_clips : int in [18, MAX_CLIPS]
        Number of clips, spread evenly over the nine kinds (clip ``i`` has kind ``KINDS[i % 9]``),
        so that every kind appears at least twice and in both splits.
    progress : bool
        Show a tqdm progress bar (only when stderr is a terminal).
    force : bool
        Overwrite an existing corpus in ``out_dir``.

    Returns
    -------
    pandas.DataFrame
        The rows of ``labels.csv`` (columns ``LABEL_COLUMNS``).

    Raises
    ------
    CorpusError
        Bad arguments, an existing corpus without ``force``, or a missing Debian package
        (``espeak-ng``, ``asterisk-core-sounds-en-wav``), named in the message.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CorpusError(f"`seed` must be an int >= 0; got {seed!r}.")
    if isinstance(n_clips, bool) or not isinstance(n_clips, (int, np.integer)) or n_clips < 2 * len(KINDS):
        raise CorpusError(f"`n_clips` must be an int >= {2 * len(KINDS)} (two per kind); got {n_clips!r}.")
    if n_clips > MAX_CLIPS:
        raise CorpusError(f"`n_clips` must be an int <= {MAX_CLIPS} (the documented bound); got {n_clips}.")
    out = Path(out_dir)
    renderer = Renderer()  # fails early, naming the Debian package, if a source is missing
    prepare_out_dir(out, marker="labels.csv", holds="a corpus", force=force, field="out_dir", error=CorpusError)
    # The corpus is built in a hidden folder beside ``out`` and swapped in whole, so an interrupted
    # build (even with force) leaves an earlier corpus exactly as it was.
    with staged_dir(out, replaces=CORPUS_OUTPUTS) as folder:
        return _render_corpus(folder, renderer, seed=seed, n_clips=n_clips, progress=progress)


def _render_corpus(out: Path, renderer: Renderer, *, seed: int, n_clips: int, progress: bool) -> pd.DataFrame:
    """Render every clip, ``labels.csv`` and ``corpus.json`` into ``out``."""
    (out / "clips").mkdir(parents=True, exist_ok=True)
    root = np.random.SeedSequence(seed)
    split_seq, clips_seq = root.spawn(2)
    pools, held = source_pools(), heldout_pools()
    split = assign_splits(pools, np.random.default_rng(split_seq))
    rows = []
    bar = tqdm(total=n_clips, desc="corpus", unit="clip", disable=not (progress and sys.stderr.isatty()))
    for index, clip_seq in enumerate(clips_seq.spawn(n_clips)):
        kind = KINDS[index % len(KINDS)]
        slot = (index // len(KINDS)) % 10
        clip_split = "test" if slot in _TEST_SLOTS + _HELDOUT_SLOTS else "train"
        group = "heldout" if slot in _HELDOUT_SLOTS else "seen"
        candidates = [s for s in pools[kind] if split[s.source_id] == clip_split]
        if group == "heldout" and kind in held:  # language-free kinds keep their test sources
            candidates = held[kind]
        source, scene, channel, audio = _render_clip(
            kind, candidates, renderer, np.random.default_rng(clip_seq)
        )
        pcm = float_to_int16(audio)
        row = _row(index, kind, source, scene, channel, pcm.size, clip_split, group)
        atomic_write(
            out / row["file"], lambda tmp, pcm=pcm: sf.write(tmp, pcm, SR, subtype="PCM_16", format="WAV")
        )
        rows.append(row)
        bar.update()
    bar.close()
    labels = pd.DataFrame(rows, columns=list(LABEL_COLUMNS))
    atomic_write(out / "labels.csv", lambda tmp: labels.to_csv(tmp, index=False, float_format="%.4f"))
    _write_manifest(out, seed=seed, n_clips=n_clips, files=labels["file"])
    return labels


def _write_manifest(out: Path, *, seed: int, n_clips: int, files: Iterable[str]) -> None:
    manifest = {
        "seed": int(seed),
        "n_clips": int(n_clips),
        "sample_rate_hz": SR,
        "max_clip_s": MAX_CLIP_S,
        "kinds": list(KINDS),
        "tool_versions": tool_versions(),
        "sha256": {f: _sha256(out / f) for f in [*files, "labels.csv"]},
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    atomic_write(out / "corpus.json", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
