"""Running detectors over clips: decisions with CPU time, parameter sweeps, real-time factors.

Conventions
-----------
CPU time is ``time.process_time`` of this process (one core: the detectors are single-threaded
Python/NumPy); the real-time factor is audio seconds consumed per CPU second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm import tqdm

from amd.audio import frames
from amd.detectors import FRAME_S, SR_HZ, Detector, make_detector

#: The main threshold swept for each detector's operating curve, with its values. For the VAD
#: detector the value sets both speech limits (``max_speech_s`` and ``max_utterance_s``) and
#: lets the undecided wait run one second past them (``max_wait_s``, at least its 3 s default),
#: so that the patient end of the curve is not cut off by the wait limit.
SWEEPS: dict[str, tuple[str, tuple[float, ...]]] = {
    "asterisk": ("greeting_ms", (500, 800, 1100, 1500, 2000, 2500, 3000, 4000)),
    "vad": ("max_speech_s", (0.6, 0.9, 1.2, 1.4, 1.8, 2.2, 2.6, 3.2, 4.0, 5.0, 6.0)),
    "learned": ("logit_offset", (-6.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 6.0)),
}


@dataclass(frozen=True)
class Clip:
    """One benchmark clip: its label row and audio at 8 kHz."""

    row: dict
    audio: np.ndarray


def run_detector(detector: Detector, clips: list[Clip], *, name: str, progress: bool) -> pd.DataFrame:
    """Decisions of one detector on every clip, with the CPU time each took.

    Returns
    -------
    pandas.DataFrame
        Columns ``detector, file, kind, truth, label, score, decided_at_s, cause,
        speech_start_s, greeting_end_s, language, group, cpu_s`` (``group`` is ``seen`` for a
        corpus without held-out languages).
    """
    rows = []
    for clip in tqdm(clips, desc=name, disable=not progress, leave=False):
        t0 = time.process_time()
        d = detector.detect(clip.audio, SR_HZ)
        cpu_s = time.process_time() - t0
        rows.append(
            {
                "detector": name,
                "file": clip.row["file"],
                "kind": clip.row["kind"],
                "truth": clip.row["truth"],
                "label": d.label,
                "score": d.score,
                "decided_at_s": d.decided_at_s,
                "cause": d.cause,
                "speech_start_s": clip.row.get("speech_start_s"),
                "greeting_end_s": clip.row.get("greeting_end_s"),
                "language": clip.row.get("language", ""),
                "group": clip.row.get("group", "seen"),
                "cpu_s": cpu_s,
            }
        )
    return pd.DataFrame(rows)


def sweep_detector(name: str, clips: list[Clip], *, model_path: str | None, progress: bool) -> pd.DataFrame:
    """Operating curve: rerun the detector for each value of its main threshold.

    Returns
    -------
    pandas.DataFrame
        One row per value: ``detector, param, value, human_fp_rate, machine_miss_rate,
        notsure_rate, human_latency_from_speech_median_s``.
    """
    from amd.metrics import evaluate

    param, values = SWEEPS[name]
    out = []
    for value in values:
        kwargs = {param: value}
        if name == "vad":
            kwargs["max_utterance_s"] = value
            kwargs["max_wait_s"] = max(3.0, value + 1.0)
        if name == "learned" and model_path is not None:
            kwargs["model_path"] = model_path
        det = make_detector(name, **kwargs)
        res = run_detector(det, clips, name=f"{name} {param}={value}", progress=progress)
        m = evaluate(
            res["truth"].to_numpy(),
            res["label"].to_numpy(),
            estimated_decided_at_s=res["decided_at_s"].to_numpy(float),
            reference_speech_start_s=res["speech_start_s"].to_numpy(float),
        )
        out.append(
            {
                "detector": name,
                "param": param,
                "value": value,
                "human_fp_rate": m["human_fp_rate"],
                "machine_miss_rate": m["machine_miss_rate"],
                "notsure_rate": m["notsure_rate"],
                "human_latency_from_speech_median_s": m["human_latency_from_speech_median_s"],
            }
        )
    return pd.DataFrame(out)


def measure_rtf(detector: Detector, audio: np.ndarray) -> dict[str, float]:
    """Throughput of a detector's stream over a long signal, restarting the stream after each decision.

    Parameters
    ----------
    detector : Detector
    audio : np.ndarray [shape=(n_samples,), dtype=float]
        Signal at 8 kHz.

    Returns
    -------
    dict
        ``audio_s``, ``cpu_s`` and ``rtf`` (audio seconds per CPU second), ``n_decisions``.
    """
    packets = frames(audio, SR_HZ, frame_s=FRAME_S)
    detector.detect(np.asarray(audio[:SR_HZ], dtype=float), SR_HZ)  # warm-up: lazy imports, caches
    t0 = time.process_time()
    stream = detector.stream(SR_HZ)
    n_decisions = 0
    for frame in packets:
        if stream.push(frame) is not None:
            n_decisions += 1
            stream = detector.stream(SR_HZ)
    cpu_s = time.process_time() - t0
    audio_s = len(packets) * FRAME_S
    return {"audio_s": audio_s, "cpu_s": cpu_s, "rtf": audio_s / max(cpu_s, 1e-9), "n_decisions": n_decisions}


def rtf_test_signal(*, duration_s: float, rng: np.random.Generator) -> np.ndarray:
    """A speech-like test signal: answer silence, voiced bursts with pauses, a beep, line noise.

    Harmonic bursts (f0 100-220 Hz, 0.2-1.5 s) alternate with 0.1-1.0 s pauses so every
    detector exercises its speech, silence and decision paths; a 1 kHz beep every 8 s.
    """
    n = int(duration_s * SR_HZ)
    out = np.zeros(n)
    pos = int(0.5 * SR_HZ)
    while pos < n:
        n_burst = int(rng.uniform(0.2, 1.5) * SR_HZ)
        t = np.arange(n_burst) / SR_HZ
        f0 = rng.uniform(100, 220)
        burst = sum(np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 6.3)) / k for k in range(1, 16))
        seg = 0.05 * burst * (0.3 + np.abs(np.sin(2 * np.pi * rng.uniform(2, 5) * t)))
        out[pos : pos + n_burst] += seg[: max(0, min(n_burst, n - pos))]
        pos += n_burst + int(rng.uniform(0.1, 1.0) * SR_HZ)
    beep_t = np.arange(int(0.4 * SR_HZ)) / SR_HZ
    for start in range(int(7.5 * SR_HZ), n - beep_t.size, 8 * SR_HZ):
        out[start : start + beep_t.size] = 0.2 * np.sin(2 * np.pi * 1000 * beep_t)
    return out + 10 ** (-60 / 20) * rng.standard_normal(n)
