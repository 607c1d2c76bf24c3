"""End-of-greeting beep detection with a Goertzel filter bank.

Method: a bank of Goertzel resonators (one every ``freq_step_hz`` from ``min_freq_hz`` to
``max_freq_hz``) measures, per 20 ms packet, how much of the packet's energy sits at each
frequency. A packet is *tonal* when

1. one frequency holds at least ``min_tone_ratio`` of the packet energy (a pure tone on the
   grid scores 1; the worst grid offset of ``freq_step_hz / 2`` costs ``sinc^2`` = 0.875 at the
   defaults, and white noise at 10 dB SNR a further factor 0.91);
2. no second frequency more than ``min_tone_separation_hz`` away holds more than
   ``max_second_tone_ratio`` (rejects DTMF, busy 480+620 Hz and other dual tones, and voiced
   speech, whose energy is spread over harmonics);
3. the energy envelope over 5 ms sub-blocks is flat (coefficient of variation at most
   ``max_envelope_cv``): two tones closer than the bank resolves, such as North American
   ringback 440+480 Hz, beat at their 40 Hz difference and fail this test;
4. the packet level is at least ``min_level_dbfs``.

A beep is a run of tonal packets whose peak frequency moves by at most ``max_drift_hz`` from
packet to packet, lasting at least ``min_beep_s``.

Why Goertzel and not DESA-2 (the Teager-Kaiser energy separation of FreeSWITCH mod_avmd,
docs/sources.md §5.3): DESA-2 estimates frequency from 5-sample windows, so it needs long
median/variance smoothing to survive line noise and is ambiguous above fs/4 = 2 kHz; a 20 ms
Goertzel resonator integrates 160 samples coherently (about 19 dB of processing gain against
white noise), and the bank makes the multi-tone rejection an explicit energy test (as the
LumenVox specification requires: multi-tone beeps rejected). A dense bank over the whole
400-2000 Hz range avoids the failure VoxImplant reported when a carrier changed its single
tuned frequency (docs/sources.md §5.3).

The Goertzel recurrence ``s[n] = x[n] + 2 cos(w) s[n-1] - s[n-2]``, with output power
``s[N-1]^2 + s[N-2]^2 - 2 cos(w) s[N-1] s[N-2]``, is implemented literally in
``goertzel_power``; the detector evaluates the same recurrence through its closed-form impulse
response ``U_m(cos w) = sin((m+1) w) / sin w`` (Chebyshev polynomials of the second kind), so a
packet costs two small matrix-vector products. A test checks that both agree.

Conventions
-----------
Frequencies in Hz (``*_hz``), times in seconds from the start of the audio (``*_s``), levels in
dB relative to a full-scale sine (``*_dbfs``). Audio at 8 kHz in 20 ms packets.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from amd.audio import check_audio, frames
from amd.detectors._base import FRAME_N_SAMPLES, FRAME_S, SR_HZ, Decision, Detector, DetectorStream, require

__all__ = ["Beep", "BeepDetector", "BeepTracker", "answer_tone_detector", "find_beeps", "goertzel_power"]

_N_SUBBLOCKS = 4  # 5 ms envelope sub-blocks per 20 ms packet


@dataclass(frozen=True)
class Beep:
    """One detected tone: ``start_s`` and ``end_s`` in seconds, ``freq_hz`` its mean frequency."""

    start_s: float
    end_s: float
    freq_hz: float


def goertzel_power(x: np.ndarray, freqs_hz: np.ndarray, sr: int) -> np.ndarray:
    """Goertzel power ``|X(f)|^2`` of a block at each frequency, by the literal recurrence.

    Parameters
    ----------
    x : np.ndarray [shape=(n_samples,), dtype=float]
    freqs_hz : np.ndarray [shape=(n_freqs,)] [Hz]
    sr : int [Hz]

    Returns
    -------
    np.ndarray [shape=(n_freqs,)]
        Equal to ``|sum_n x[n] exp(-i w n)|^2`` with ``w = 2 pi f / sr`` (Goertzel 1958).
    """
    coef = 2.0 * np.cos(2.0 * np.pi * np.asarray(freqs_hz, dtype=float) / sr)
    s_prev = np.zeros_like(coef)
    s_prev2 = np.zeros_like(coef)
    for sample in x:
        s = sample + coef * s_prev - s_prev2
        s_prev2, s_prev = s_prev, s
    return s_prev**2 + s_prev2**2 - coef * s_prev * s_prev2


@lru_cache(maxsize=8)
def _goertzel_matrices(
    freqs_key: tuple[float, ...], n: int, sr: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Impulse-response matrices giving ``s[N-1]`` and ``s[N-2]`` of the recurrence for each bin."""
    w = 2.0 * np.pi * np.asarray(freqs_key) / sr
    m = np.arange(n)[::-1][:, None]  # m = N-1-n
    u1 = np.sin((m + 1) * w) / np.sin(w)  # U_{N-1-n}
    u2 = np.sin(m * w) / np.sin(w)  # U_{N-2-n}; zero for n = N-1
    for arr in (u1, u2):
        arr.flags.writeable = False
    return u1, u2, 2.0 * np.cos(w)


class BeepTracker:
    """Packet-by-packet beep tracker shared by the beep, VAD and learned detectors.

    Parameters are those of ``BeepDetector``. ``update(frame)`` returns a ``Beep`` (with
    ``end_s`` = the confirmation time) on the packet where a tone run first reaches
    ``min_beep_s``, else ``None``. ``last_ratio`` holds the packet's tone-energy ratio.
    """

    def __init__(self, params: BeepDetector) -> None:
        self.p = params
        freqs = np.arange(params.min_freq_hz, params.max_freq_hz + 1e-9, params.freq_step_hz)
        self.freqs_hz = freqs
        u1, u2, self.coef = _goertzel_matrices(tuple(freqs.tolist()), FRAME_N_SAMPLES, SR_HZ)
        self.u12 = np.hstack([u1, u2])  # one product gives s[N-1] and s[N-2] for every bin
        self.n_bins = freqs.size
        self.sep_bins = int(np.ceil(params.min_tone_separation_hz / params.freq_step_hz))
        self.min_run = int(np.ceil(params.min_beep_s / FRAME_S - 1e-9))
        self.min_energy = FRAME_N_SAMPLES * 0.5 * 10.0 ** (params.min_level_dbfs / 10.0)
        self.n_frames = 0
        self.run_freqs: list[float] = []
        self.run_start = 0
        self.last_ratio = 0.0
        self.beeps: list[Beep] = []

    def tonal_freq(self, frame: np.ndarray) -> float | None:
        """The tone frequency of a packet in Hz if the packet is tonal, else ``None``."""
        energy = float(frame @ frame)
        if energy < self.min_energy:
            self.last_ratio = 0.0
            return None
        s = frame @ self.u12
        s1, s2 = s[: self.n_bins], s[self.n_bins :]
        ratio = 2.0 * (s1 * s1 + s2 * s2 - self.coef * s1 * s2) / (FRAME_N_SAMPLES * energy)
        k = int(np.argmax(ratio))
        self.last_ratio = float(ratio[k])
        if self.last_ratio < self.p.min_tone_ratio:
            return None
        far = np.abs(np.arange(ratio.size) - k) > self.sep_bins
        if far.any() and float(ratio[far].max()) > self.p.max_second_tone_ratio:
            return None
        sub = (frame.reshape(_N_SUBBLOCKS, -1) ** 2).sum(axis=1).tolist()
        mean = sum(sub) / _N_SUBBLOCKS
        var = sum((e - mean) ** 2 for e in sub) / _N_SUBBLOCKS
        if var > (self.p.max_envelope_cv * mean) ** 2:  # std > cv * mean, without a square root
            return None
        return float(self.freqs_hz[k])

    def update(self, frame: np.ndarray) -> Beep | None:
        """Consume one packet; return the beep confirmed on it, if any."""
        freq = self.tonal_freq(frame)
        self.n_frames += 1
        if freq is None or (self.run_freqs and abs(freq - self.run_freqs[-1]) > self.p.max_drift_hz):
            self.run_freqs = []
        if freq is None:
            return None
        if not self.run_freqs:
            self.run_start = self.n_frames - 1
        self.run_freqs.append(freq)
        if len(self.run_freqs) != self.min_run:
            return None
        beep = Beep(
            start_s=round(self.run_start * FRAME_S, 6),
            end_s=round(self.n_frames * FRAME_S, 6),
            freq_hz=float(np.mean(self.run_freqs)),
        )
        self.beeps.append(beep)
        return beep


def answer_tone_detector() -> BeepDetector:
    """Tracker settings for the 2100 Hz fax/modem answer tone (ITU-T V.25 ANS, V.8 ANSam, T.30 CED).

    The answer tone is 2100 +- 15 Hz and lasts 2.6-4 s (V.25); ANSam adds a 15 Hz, 20 %
    amplitude modulation and phase reversals every 450 ms. The bank covers 1900-2300 Hz (above
    the 2000 Hz limit of the beep bank, so the two never report the same tone), the envelope
    test is relaxed to a coefficient of variation of 0.5 for the amplitude modulation, and
    0.3 s of tone is required: shorter than the 450 ms between phase reversals, which break a
    tone run for one packet, and far longer than any end-of-greeting beep would need.

    Returns
    -------
    BeepDetector
        Parameters for ``BeepTracker``.
    """
    return BeepDetector(min_freq_hz=1900.0, max_freq_hz=2300.0, min_beep_s=0.3, max_envelope_cv=0.5)


class BeepDetector(Detector):
    """Standalone beep detector: MACHINE as soon as a beep is confirmed.

    Parameters
    ----------
    min_freq_hz, max_freq_hz : float [Hz]
        Range of the Goertzel bank; default 400-2000 Hz (mod_avmd accepts 440-2000 Hz).
    freq_step_hz : float > 0 [Hz]
        Bank spacing; default 20 Hz.
    min_tone_ratio : float in (0, 1]
        Share of packet energy at the peak frequency for a tonal packet; default 0.75.
    max_second_tone_ratio : float in (0, 1)
        Largest share allowed at any frequency ``min_tone_separation_hz`` away; default 0.03.
    min_tone_separation_hz : float > 0 [Hz]
        Default 100 Hz (beyond the main lobe's first sidelobe of a 20 ms block).
    max_envelope_cv : float > 0
        Largest coefficient of variation of 5 ms sub-block energies; default 0.35.
    max_drift_hz : float >= 0 [Hz]
        Largest packet-to-packet change of the peak frequency within one beep; default 20 Hz
        (one bank step: a real beep does not glide, a synthetic voice's harmonic does).
    min_beep_s : float > 0 [s]
        Shortest beep; default 0.08 s (a 0.1 s beep covers at least four whole packets).
    min_level_dbfs : float [dBFS]
        Quietest packet considered; default -45 dBFS.
    no_beep_label : {'notsure', 'human'}
        Label when the audio ends without a beep; default ``'notsure'``.
    """

    name = "beep"

    def __init__(
        self,
        *,
        min_freq_hz: float = 400.0,
        max_freq_hz: float = 2000.0,
        freq_step_hz: float = 20.0,
        min_tone_ratio: float = 0.75,
        max_second_tone_ratio: float = 0.03,
        min_tone_separation_hz: float = 100.0,
        max_envelope_cv: float = 0.35,
        max_drift_hz: float = 20.0,
        min_beep_s: float = 0.08,
        min_level_dbfs: float = -45.0,
        no_beep_label: str = "notsure",
    ) -> None:
        self.min_freq_hz = min_freq_hz
        self.max_freq_hz = max_freq_hz
        self.freq_step_hz = freq_step_hz
        self.min_tone_ratio = min_tone_ratio
        self.max_second_tone_ratio = max_second_tone_ratio
        self.min_tone_separation_hz = min_tone_separation_hz
        self.max_envelope_cv = max_envelope_cv
        self.max_drift_hz = max_drift_hz
        self.min_beep_s = min_beep_s
        self.min_level_dbfs = min_level_dbfs
        self.no_beep_label = no_beep_label

    def _validate(self) -> None:
        require(
            0 < self.min_freq_hz < self.max_freq_hz < SR_HZ / 2,
            "min_freq_hz < max_freq_hz",
            f"in (0, {SR_HZ // 2}) Hz",
            (self.min_freq_hz, self.max_freq_hz),
        )
        require(self.freq_step_hz > 0, "freq_step_hz", "> 0 Hz", self.freq_step_hz)
        require(0 < self.min_tone_ratio <= 1, "min_tone_ratio", "in (0, 1]", self.min_tone_ratio)
        require(
            0 < self.max_second_tone_ratio < 1,
            "max_second_tone_ratio",
            "in (0, 1)",
            self.max_second_tone_ratio,
        )
        require(
            self.min_tone_separation_hz > 0, "min_tone_separation_hz", "> 0 Hz", self.min_tone_separation_hz
        )
        require(self.max_envelope_cv > 0, "max_envelope_cv", "> 0", self.max_envelope_cv)
        require(self.max_drift_hz >= 0, "max_drift_hz", ">= 0 Hz", self.max_drift_hz)
        require(
            0 < self.min_beep_s <= 2.0,
            "min_beep_s",
            "in (0, 2] s (did you pass milliseconds?)",
            self.min_beep_s,
        )
        require(
            self.no_beep_label in ("notsure", "human"),
            "no_beep_label",
            "'notsure' or 'human'",
            self.no_beep_label,
        )

    def _make_stream(self) -> DetectorStream:
        return _BeepStream(self)


class _BeepStream(DetectorStream):
    def __init__(self, p: BeepDetector) -> None:
        super().__init__()
        self.tracker = BeepTracker(p)
        self.no_beep_label = p.no_beep_label

    def _step(self, frame: np.ndarray) -> Decision | None:
        beep = self.tracker.update(frame)
        if beep is None:
            return None
        return Decision("machine", 1.0, self.elapsed_s, f"BEEP-{beep.freq_hz:.0f}Hz-at-{beep.start_s:.2f}s")

    def _at_end(self) -> Decision:
        return Decision(self.no_beep_label, 0.0, self.elapsed_s, "NOBEEP")


def find_beeps(audio: np.ndarray, sr: int, detector: BeepDetector | None = None) -> list[Beep]:
    """All beeps in a recording, with start, end and mean frequency.

    Tone runs separated by a single non-tonal packet at a frequency within ``max_drift_hz``
    are merged into one beep (a noise burst may break a tone; the LumenVox specification
    tolerates artifacts up to 20 % of the beep length, docs/sources.md §5.3).

    Parameters
    ----------
    audio : np.ndarray [shape=(n_samples,), dtype=float]
    sr : int [Hz]
        Must be 8000.
    detector : BeepDetector, optional
        Parameters to use; defaults to ``BeepDetector()``.

    Returns
    -------
    list of Beep
        ``start_s`` is the start of the first whole tonal packet, ``end_s`` the end of the last.
    """
    check_audio(audio, sr)
    det = detector if detector is not None else BeepDetector()
    det.stream(sr)  # validates sr and parameters
    tracker = BeepTracker(det)
    runs: list[list[float]] = []  # [first packet, last packet (exclusive), freq sum, n]
    for i, frame in enumerate(frames(audio, sr, frame_s=FRAME_S)):
        tracker.update(frame)
        if not tracker.run_freqs:
            continue
        freq = tracker.run_freqs[-1]
        if runs and runs[-1][1] >= i - 1 and abs(runs[-1][2] / runs[-1][3] - freq) <= det.max_drift_hz:
            runs[-1][1] = i + 1
            runs[-1][2] += freq
            runs[-1][3] += 1
        else:
            runs.append([i, i + 1, freq, 1])
    min_run = tracker.min_run
    return [
        Beep(round(a * FRAME_S, 6), round(b * FRAME_S, 6), total / n)
        for a, b, total, n in runs
        if n >= min_run
    ]
