"""Audio input: validation, loading with explicit conversions, framing and sample formats.

Every detector and the corpus builder meet audio through this module. ``check_audio`` is the
single boundary check; ``load_audio`` reads a WAV or FLAC file and performs any
channel or sample-rate conversion explicitly, reporting each one in a list of notes
(nothing is resampled, mixed or clipped silently).

Conventions
-----------
- ``audio : np.ndarray [shape=(n_samples,), dtype=float]``, mono, nominally in [-1, 1].
- ``sr`` is the sample rate in Hz, a positive ``int``. Telephone audio is 8000 Hz.
- Times are seconds from the start of the audio; durations end in ``_s``.
- Integer PCM uses the full-scale convention of libsndfile reads: ``float = int16 / 32768``.
"""

from __future__ import annotations

import os
import struct
from math import gcd
from numbers import Integral
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

__all__ = [
    "MAX_CHANNELS",
    "MAX_DURATION_S",
    "MAX_SAMPLES",
    "MAX_SR_HZ",
    "MIN_DURATION_S",
    "MIN_SR_HZ",
    "AudioError",
    "check_audio",
    "float_to_int16",
    "frames",
    "int16_to_float",
    "load_audio",
]

#: Shortest file ``load_audio`` accepts, in seconds: five 20 ms packets. Anything shorter
#: cannot hold an answer greeting and is almost always a broken recording.
MIN_DURATION_S = 0.1
#: Sample rates ``load_audio`` accepts, in Hz: a range the project chose around the 8 kHz
#: telephone rate, from half of it to 24 times it. A header outside this range is a corrupted or
#: hostile file, refused rather than resampled.
MIN_SR_HZ = 4_000
MAX_SR_HZ = 192_000
#: Longest file ``load_audio`` accepts, in seconds (an answered call decides within seconds).
MAX_DURATION_S = 600.0
#: Most channels, and most samples over all channels (256 MiB as float64), read from one file.
MAX_CHANNELS = 8
MAX_SAMPLES = 2**25

_INT16_FULL_SCALE = 32768.0


class AudioError(ValueError):
    """Invalid audio input: a bad array, sample rate or audio file.

    The message is one line naming the parameter (or file), the rule and the offending value.
    """


def check_audio(audio: np.ndarray, sr: int) -> None:
    """Validate a mono floating-point signal and its sample rate.

    Parameters
    ----------
    audio : np.ndarray [shape=(n_samples,), dtype=float]
        Mono signal; must be 1-D, floating point, non-empty and finite.
    sr : int > 0 [Hz]
        Sample rate.

    Raises
    ------
    AudioError
        When any rule is broken; the message names ``audio`` or ``sr``, the rule and the value.

    Examples
    --------
    >>> check_audio(np.zeros(160), 8000)
    >>> check_audio(np.zeros(160, dtype=np.int16), 8000)
    Traceback (most recent call last):
    ...
    amd.audio.AudioError: `audio` must have a floating dtype; got int16 (use int16_to_float).
    """
    if not isinstance(audio, np.ndarray):
        raise AudioError(f"`audio` must be a numpy.ndarray; got {type(audio).__name__}.")
    if not np.issubdtype(audio.dtype, np.floating):
        hint = " (use int16_to_float)" if audio.dtype == np.int16 else ""
        raise AudioError(f"`audio` must have a floating dtype; got {audio.dtype}{hint}.")
    if audio.ndim != 1:
        hint = " (mix channels to mono first)" if audio.ndim == 2 else ""
        raise AudioError(f"`audio` must be mono 1-D; got shape {audio.shape}{hint}.")
    if audio.size == 0:
        raise AudioError("`audio` must be non-empty; got 0 samples.")
    if not np.all(np.isfinite(audio)):
        n_bad = int(np.count_nonzero(~np.isfinite(audio)))
        first = int(np.flatnonzero(~np.isfinite(audio))[0])
        raise AudioError(f"`audio` must be finite; got {n_bad} NaN/inf samples (first at index {first}).")
    if isinstance(sr, bool) or not isinstance(sr, Integral):
        raise AudioError(f"`sr` must be a positive int in Hz; got {sr!r} ({type(sr).__name__}).")
    if sr <= 0:
        raise AudioError(f"`sr` must be a positive int in Hz; got {sr}.")


def int16_to_float(samples: np.ndarray) -> np.ndarray:
    """Convert 16-bit PCM to float64 in [-1, 1).

    Parameters
    ----------
    samples : np.ndarray [dtype=int16]

    Returns
    -------
    np.ndarray [dtype=float64]
        ``samples / 32768``, the scaling libsndfile uses when it reads PCM as float, so the
        round trip ``float_to_int16(int16_to_float(x)) == x`` is exact.
    """
    samples = np.asarray(samples)
    if samples.dtype != np.int16:
        raise AudioError(f"`samples` must have dtype int16; got {samples.dtype}.")
    return samples.astype(np.float64) / _INT16_FULL_SCALE


def float_to_int16(audio: np.ndarray) -> np.ndarray:
    """Convert float audio in [-1, 1] to 16-bit PCM by rounding ``audio * 32768``.

    Values that would overflow (``audio >= 32767.5 / 32768`` or ``< -1``) saturate at the int16
    limits; this is the usual PCM behaviour and the only clipping done here.

    Parameters
    ----------
    audio : np.ndarray [dtype=float]
        Finite samples.

    Returns
    -------
    np.ndarray [dtype=int16]
    """
    audio = np.asarray(audio)
    if not np.issubdtype(audio.dtype, np.floating):
        raise AudioError(f"`audio` must have a floating dtype; got {audio.dtype}.")
    if not np.all(np.isfinite(audio)):
        raise AudioError("`audio` must be finite to convert to int16; got NaN/inf samples.")
    scaled = np.rint(audio * _INT16_FULL_SCALE)
    return np.clip(scaled, -32768, 32767).astype(np.int16)


def frames(audio: np.ndarray, sr: int, *, frame_s: float = 0.02) -> np.ndarray:
    """Cut a signal into consecutive non-overlapping frames, as a packetised stream delivers it.

    Telephone media arrives in packets of 20 ms (160 samples at 8 kHz); frame-by-frame
    detectors iterate over the rows of the returned array. A trailing partial frame is dropped,
    as a streaming detector would not yet have received it.

    Parameters
    ----------
    audio : np.ndarray [shape=(n_samples,), dtype=float]
    sr : int > 0 [Hz]
    frame_s : float > 0 [s]
        Frame length; ``frame_s * sr`` must be a whole number of samples.

    Returns
    -------
    np.ndarray [shape=(n_frames, n_per_frame)]
        A read-only view into ``audio``; frame ``i`` starts at ``i * frame_s`` seconds.

    Examples
    --------
    >>> frames(np.zeros(8000), 8000).shape
    (50, 160)
    """
    check_audio(audio, sr)
    n_exact = frame_s * sr
    n_per_frame = int(round(n_exact))
    if not frame_s > 0 or n_per_frame < 1 or abs(n_exact - n_per_frame) > 1e-6:
        raise AudioError(
            f"`frame_s` must be > 0 and a whole number of samples at sr={sr} Hz; got {frame_s!r} "
            f"({n_exact:g} samples)."
        )
    n_frames = audio.size // n_per_frame
    view = audio[: n_frames * n_per_frame].reshape(n_frames, n_per_frame)
    view.flags.writeable = False
    return view


def load_audio(
    path: str | os.PathLike[str], *, sr: int = 8000, mono: bool = True
) -> tuple[np.ndarray, int, list[str]]:
    """Read a WAV or FLAC file, converting channels and sample rate explicitly.

    Parameters
    ----------
    path : str or path-like
        A WAV or FLAC file (anything libsndfile reads).
    sr : int > 0 [Hz]
        Target sample rate. A file at another rate is resampled with
        ``scipy.signal.resample_poly`` (polyphase FIR, Kaiser window with beta 5, ratio reduced
        by the gcd), which low-pass filters before decimating so no aliasing folds into the
        telephone band; the conversion is recorded in ``notes``.
    mono : bool
        If true, multi-channel audio is mixed to mono by the mean of the channels (recorded in
        ``notes``). If false, a multi-channel file raises ``AudioError``.

    Returns
    -------
    audio : np.ndarray [shape=(n_samples,), dtype=float64]
        Samples in [-1, 1].
    sr : int [Hz]
        The sample rate of ``audio`` (equal to the ``sr`` argument).
    notes : list of str
        One line per conversion made, e.g. ``"resampled 16000 Hz -> 8000 Hz"``; empty when the
        file was already mono at ``sr``.

    Raises
    ------
    AudioError
        The file is missing, empty, not audio, truncated, holds NaN/inf samples, is shorter
        than ``MIN_DURATION_S``, or its header gives a rate outside [``MIN_SR_HZ``,
        ``MAX_SR_HZ``], more than ``MAX_CHANNELS`` channels, more than ``MAX_DURATION_S`` or
        more than ``MAX_SAMPLES`` samples (checked before any sample is decoded); the message
        names the file and the reason.
    """
    check_audio(np.zeros(1), sr)
    if not MIN_SR_HZ <= sr <= MAX_SR_HZ:
        raise AudioError(f"`sr` must be in [{MIN_SR_HZ}, {MAX_SR_HZ}] Hz; got {sr}.")
    path = Path(path)
    data, file_sr = _read_checked(path)
    notes: list[str] = []
    if data.shape[1] > 1:
        if not mono:
            raise AudioError(f"{path.name}: has {data.shape[1]} channels and `mono` is False.")
        notes.append(f"mixed {data.shape[1]} channels to mono")
    audio = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if file_sr != sr:
        g = gcd(int(file_sr), int(sr))
        audio = resample_poly(audio, sr // g, file_sr // g)
        notes.append(f"resampled {file_sr} Hz -> {sr} Hz")
    n_clipped = int(np.count_nonzero(np.abs(audio) > 1.0))
    if n_clipped:
        audio = np.clip(audio, -1.0, 1.0)
        notes.append(f"clipped {n_clipped} samples to [-1, 1]")
    return np.ascontiguousarray(audio, dtype=np.float64), int(sr), notes


def _read_checked(path: Path) -> tuple[np.ndarray, int]:
    """Read ``path`` as float64 frames x channels, mapping every failure to an AudioError."""
    if not path.exists():
        raise AudioError(f"{path.name}: file does not exist ({path}).")
    if path.is_dir():
        raise AudioError(f"{path.name}: is a directory, not an audio file.")
    if path.stat().st_size == 0:
        raise AudioError(f"{path.name}: file is empty (0 bytes).")
    _check_wav_not_truncated(path)
    _check_header(path)
    try:
        data, file_sr = sf.read(path, dtype="float64", always_2d=True)
    except sf.LibsndfileError as exc:
        raise AudioError(f"{path.name}: not a readable WAV/FLAC audio file ({_sf_reason(exc)}).") from exc
    except (RuntimeError, OSError) as exc:
        raise AudioError(f"{path.name}: cannot be read ({exc}).") from exc
    if data.shape[0] == 0:
        raise AudioError(f"{path.name}: holds no audio samples.")
    if not np.all(np.isfinite(data)):
        n_bad = int(np.count_nonzero(~np.isfinite(data)))
        raise AudioError(f"{path.name}: holds {n_bad} NaN/inf samples; audio must be finite.")
    duration_s = data.shape[0] / file_sr
    if duration_s < MIN_DURATION_S:
        raise AudioError(f"{path.name}: is {duration_s:.3f} s long; must be >= {MIN_DURATION_S} s.")
    return data, int(file_sr)


def _check_header(path: Path) -> None:
    """Refuse, from the header alone and before decoding, a rate, length or size out of bounds."""
    try:
        info = sf.info(str(path))
    except sf.LibsndfileError as exc:
        raise AudioError(f"{path.name}: not a readable WAV/FLAC audio file ({_sf_reason(exc)}).") from exc
    except (RuntimeError, OSError) as exc:
        raise AudioError(f"{path.name}: cannot be read ({exc}).") from exc
    if not MIN_SR_HZ <= info.samplerate <= MAX_SR_HZ:
        raise AudioError(f"{path.name}: sample rate must be in [{MIN_SR_HZ}, {MAX_SR_HZ}] Hz (a telephone "
                         f"recording); the header says {info.samplerate} Hz.")
    if not 1 <= info.channels <= MAX_CHANNELS:
        raise AudioError(f"{path.name}: must have 1 to {MAX_CHANNELS} channels; the header says {info.channels}.")
    duration_s = info.frames / info.samplerate
    if duration_s > MAX_DURATION_S:
        raise AudioError(f"{path.name}: must be at most {MAX_DURATION_S:g} s long; the header says "
                         f"{duration_s:.1f} s.")
    if info.frames * info.channels > MAX_SAMPLES:
        raise AudioError(f"{path.name}: must hold at most {MAX_SAMPLES} samples over all channels; the header "
                         f"says {info.frames} frames x {info.channels} channels.")


def _sf_reason(exc: sf.LibsndfileError) -> str:
    """A short reason for a libsndfile failure (its messages are often empty)."""
    # libsndfile public error codes (sndfile.h): 1 unrecognised format, 2 system error,
    # 3 malformed file, 4 unsupported encoding. Other codes are internal and carry a string.
    reasons = {1: "format not recognised", 2: "system error", 3: "malformed file", 4: "unsupported encoding"}
    text = (getattr(exc, "error_string", "") or "").strip()
    return reasons.get(getattr(exc, "code", None), text or "libsndfile error")


def _check_wav_not_truncated(path: Path) -> None:
    """Raise if a RIFF/WAVE header declares more audio data than the file holds.

    libsndfile silently returns the frames that are present when a WAV file is cut short, so a
    truncated download would otherwise load as a shorter clip. We walk the RIFF chunks
    (Microsoft RIFF/WAVE layout: 12-byte header, then 8-byte chunk headers, word-aligned) and
    compare the ``data`` chunk's declared size with the bytes actually present. A declared size
    of 0 or 0xFFFFFFFF marks a streamed file of unknown length and is accepted.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            chunk_id, chunk_size = struct.unpack("<4sI", fh.read(8))
            if chunk_id == b"data":
                available = size - (pos + 8)
                if chunk_size not in (0, 0xFFFFFFFF) and chunk_size > available:
                    raise AudioError(
                        f"{path.name}: truncated WAV; header declares {chunk_size} bytes of audio "
                        f"data, file holds {available}."
                    )
                return
            pos += 8 + chunk_size + (chunk_size & 1)
    raise AudioError(f"{path.name}: truncated WAV; no audio data chunk found.")
