"""Streaming features over a growing window of answered-call audio.

``FeatureStream`` consumes 20 ms packets and, at any moment, summarises the audio heard so far
as one fixed-length vector (``FEATURE_NAMES``): VAD cadence (speech onset, speech time,
utterances, current pause), beep and 2100 Hz fax/modem answer-tone evidence, level
statistics of speech packets, and the mean and spread of MFCCs and librosa's spectral
descriptors over speech packets. The learned detector evaluates its classifier on this vector
at growing windows; training computes exactly the same vectors by running the same stream,
so train and inference cannot drift.

The MFCCs follow librosa's pipeline (``librosa.feature.mfcc``): power spectrum of a
Hann-windowed frame, ``librosa.filters.mel`` filterbank (Slaney), ``10 log10`` (of power plus
1e-10, a smooth version of librosa's ``amin`` floor) and DCT-II with orthonormal scaling;
librosa's ``top_db`` floor, which depends on the loudest frame of a whole file, is not applied, because a
streaming detector cannot know the future. Spectral centroid, flatness and 85 % roll-off
equal ``librosa.feature.spectral_*`` given the power spectrum as ``S`` (so the centroid is
power-weighted).

Conventions
-----------
Audio at 8 kHz in 20 ms packets (160 samples, zero-padded to ``N_FFT = 256``); times in
seconds from answer; levels in dBFS (0 dB = full-scale sine).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.fft import dct

from amd.audio import check_audio, frames
from amd.detectors._base import FRAME_N_SAMPLES, FRAME_S, SR_HZ, check_sr
from amd.detectors.beep import BeepDetector, BeepTracker, answer_tone_detector
from amd.detectors.vad import SpeechTracker

__all__ = ["FEATURE_NAMES", "N_FFT", "N_MFCC", "FeatureStream", "feature_trajectory", "frame_spectral"]

N_FFT = 256
N_MELS = 40
N_MFCC = 13
_CADENCE = [
    "t_s",
    "onset_s",
    "since_onset_s",
    "speech_s",
    "speech_frac",
    "n_utterances",
    "longest_utterance_s",
    "current_utterance_s",
    "silence_run_s",
    "beep",
    "max_tone_ratio",
    "answer_tone",
    "answer_tone_ratio",
    "level_mean_db",
    "level_std_db",
    "noise_mean_db",
    "noise_std_db",
    "noise_min_db",
    "longest_pause_s",
]
_SPECTRAL = ["centroid_hz", "flatness", "rolloff_hz", "zcr"]
FEATURE_NAMES: tuple[str, ...] = tuple(
    _CADENCE
    + [f"mfcc{i}_mean" for i in range(N_MFCC)]
    + [f"mfcc{i}_std" for i in range(N_MFCC)]
    + [f"{n}_mean" for n in _SPECTRAL]
)
_N_SPEC = N_MFCC + len(_SPECTRAL)


@lru_cache(maxsize=1)
def _analysis_constants() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hann window, mel filterbank, DCT-II matrix and bin frequencies (librosa imported lazily)."""
    import librosa  # heavy import, only needed when features are computed

    window = np.hanning(FRAME_N_SAMPLES + 1)[:-1]  # periodic Hann, as scipy.signal.get_window('hann')
    mel_basis = librosa.filters.mel(sr=SR_HZ, n_fft=N_FFT, n_mels=N_MELS, fmin=0.0, fmax=SR_HZ / 2)
    # Orthonormal DCT-II as a matrix (rows = the first N_MFCC basis vectors), as scipy.fft.dct(norm='ortho').
    dct_matrix = dct(np.eye(N_MELS), type=2, norm="ortho", axis=0)[:N_MFCC]
    freqs = np.fft.rfftfreq(N_FFT, d=1.0 / SR_HZ)
    for arr in (window, mel_basis, dct_matrix, freqs):
        arr.flags.writeable = False
    return window, mel_basis.astype(np.float64), dct_matrix, freqs


def frame_spectral(frame: np.ndarray) -> np.ndarray:
    """MFCCs and spectral descriptors of one packet.

    Parameters
    ----------
    frame : np.ndarray [shape=(160,), dtype=float]

    Returns
    -------
    np.ndarray [shape=(N_MFCC + 4,)]
        ``mfcc0..mfcc12``, spectral centroid [Hz], flatness [0-1], 85 % roll-off [Hz] and
        zero-crossing rate [crossings per sample].
    """
    window, mel_basis, dct_matrix, freqs = _analysis_constants()
    spectrum = np.fft.rfft(frame * window, n=N_FFT)
    power = spectrum.real**2 + spectrum.imag**2
    mfcc = dct_matrix @ (10.0 * np.log10(mel_basis @ power + 1e-10))
    total = float(power.sum()) + 1e-20
    centroid = float(freqs @ power) / total
    flatness = float(np.exp(np.log(power + 1e-10).sum() / power.size)) / (total / power.size + 1e-10)
    rolloff = float(freqs[min(int(np.searchsorted(np.cumsum(power), 0.85 * total)), freqs.size - 1)])
    zcr = float(np.count_nonzero(np.diff(frame > 0))) / frame.size
    out = np.empty(_N_SPEC)
    out[:N_MFCC] = mfcc
    out[N_MFCC:] = (centroid, flatness, rolloff, zcr)
    return out


class FeatureStream:
    """Growing-window feature summary, fed one 20 ms packet at a time.

    Parameters
    ----------
    aggressiveness : int in 0..3
        WebRTC VAD mode for the cadence features.
    """

    def __init__(self, *, aggressiveness: int = 2) -> None:
        self.speech = SpeechTracker(
            aggressiveness=aggressiveness, min_speech_s=0.1, word_gap_s=0.2, min_level_dbfs=-50.0
        )
        self.beeps = BeepTracker(BeepDetector())
        self.answer_tones = BeepTracker(answer_tone_detector())
        self.n_frames = 0
        self.n_speech = 0
        self.beep_seen = False
        self.answer_tone_seen = False
        self.max_tone_ratio = 0.0
        self.max_answer_tone_ratio = 0.0
        self.level_sum = 0.0
        self.level_sq = 0.0
        self.spec_sum = np.zeros(_N_SPEC)
        self.spec_sq = np.zeros(_N_SPEC)
        self.n_noise = 0
        self.noise_sum = 0.0
        self.noise_sq = 0.0
        self.noise_min = 0.0
        self.longest_pause_s = 0.0
        self.pause_s = 0.0

    def push(self, frame: np.ndarray) -> None:
        """Consume one packet."""
        self.n_frames += 1
        if self.beeps.update(frame) is not None:
            self.beep_seen = True
        self.max_tone_ratio = max(self.max_tone_ratio, self.beeps.last_ratio)
        if self.answer_tones.update(frame) is not None:
            self.answer_tone_seen = True
        self.max_answer_tone_ratio = max(self.max_answer_tone_ratio, self.answer_tones.last_ratio)
        self.speech.update(frame)
        level_db = 10.0 * np.log10(max(float(frame @ frame) / frame.size, 1e-12) / 0.5)
        if not self.speech.last_flag:
            self._push_non_speech(level_db)
            return
        if self.speech.onset_s is not None:
            self.longest_pause_s = max(self.longest_pause_s, self.pause_s)
        self.pause_s = 0.0
        self.n_speech += 1
        self.level_sum += level_db
        self.level_sq += level_db * level_db
        spec = frame_spectral(frame)
        self.spec_sum += spec
        self.spec_sq += spec * spec

    def tone_pending(self) -> bool:
        """Whether the last packet continues a tone run not yet long enough to confirm."""
        return bool(self.beeps.run_freqs or self.answer_tones.run_freqs) and not (
            self.beep_seen or self.answer_tone_seen
        )

    def _push_non_speech(self, level_db: float) -> None:
        """Background level statistics (a live line carries room noise between words, a recorded
        greeting is often cleaner) and the running pause length after the speech onset."""
        self.n_noise += 1
        self.noise_sum += level_db
        self.noise_sq += level_db * level_db
        self.noise_min = level_db if self.n_noise == 1 else min(self.noise_min, level_db)
        if self.speech.onset_s is not None:
            self.pause_s += FRAME_S

    def _noise_summary(self) -> list[float]:
        if self.n_noise == 0:
            return [-100.0, 0.0, -100.0]
        mean = self.noise_sum / self.n_noise
        return [mean, float(np.sqrt(max(self.noise_sq / self.n_noise - mean * mean, 0.0))), self.noise_min]

    def features(self) -> np.ndarray:
        """The feature vector of the audio so far, ordered as ``FEATURE_NAMES``."""
        sp = self.speech
        t = self.n_frames * FRAME_S
        onset = sp.onset_s if sp.onset_s is not None else t
        since = t - onset
        n = max(self.n_speech, 1)
        level_mean = self.level_sum / n
        level_std = np.sqrt(max(self.level_sq / n - level_mean**2, 0.0))
        spec_mean = self.spec_sum / n
        spec_std = np.sqrt(np.maximum(self.spec_sq / n - spec_mean**2, 0.0))
        cadence = [
            t,
            onset,
            since,
            sp.speech_s,
            sp.speech_s / since if since > 0 else 0.0,
            sp.n_utterances,
            sp.longest_utterance_s,
            sp.current_utterance_s,
            sp.silence_run_s,
            float(self.beep_seen),
            self.max_tone_ratio,
            float(self.answer_tone_seen),
            self.max_answer_tone_ratio,
            level_mean if self.n_speech else -100.0,
            level_std,
            *self._noise_summary(),
            self.longest_pause_s,
        ]
        return np.concatenate([cadence, spec_mean[:N_MFCC], spec_std[:N_MFCC], spec_mean[N_MFCC:]])


def feature_trajectory(
    audio: np.ndarray, sr: int, *, times_s: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Feature vectors after every packet (or at given times) of a recording.

    Parameters
    ----------
    audio : np.ndarray [shape=(n_samples,), dtype=float]
    sr : int [Hz]
        Must be 8000.
    times_s : np.ndarray, optional [s]
        Snapshot times (rounded to packet ends); default every packet.

    Returns
    -------
    times_s : np.ndarray [shape=(n_snapshots,)] [s]
    features : np.ndarray [shape=(n_snapshots, len(FEATURE_NAMES))]
    """
    check_audio(audio, sr)
    check_sr(sr)
    packets = frames(audio, sr, frame_s=FRAME_S)
    wanted = None if times_s is None else set(np.rint(np.asarray(times_s) / FRAME_S).astype(int).tolist())
    stream = FeatureStream()
    out_t, out_x = [], []
    for i, frame in enumerate(packets, start=1):
        stream.push(frame)
        if wanted is None or i in wanted:
            out_t.append(round(i * FRAME_S, 6))
            out_x.append(stream.features())
    return np.asarray(out_t), np.asarray(out_x).reshape(len(out_t), len(FEATURE_NAMES))
