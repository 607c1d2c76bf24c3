"""A composable, seeded simulation of a narrow-band telephone channel.

The corpus builder passes every clip through ``TelephoneChannel.apply`` so detectors see what a
dialer sees on a PSTN or VoIP leg: background noise at a known signal-to-noise ratio, the
300-3400 Hz voice band, a level change, G.711 companding (mu-law or A-law, ITU-T G.711), and
lost 20 ms packets. Each step is also a public function so tests and experiments can use it
alone; the G.711 codec functions live in ``amd._g711`` and are re-exported here.

Conventions
-----------
- ``audio : np.ndarray [shape=(n_samples,), dtype=float]`` in [-1, 1]; ``sr`` in Hz.
  The channel itself requires ``sr == 8000`` (narrow-band telephony); nothing is resampled.
- Levels are in dB; ``*_dbfs`` is relative to a full-scale (amplitude 1.0) signal's RMS.
- G.711 codes are 8-bit ``np.uint8`` as transmitted on the line (mu-law with all bits inverted,
  A-law with even bits inverted).
- Functions that draw random numbers take a keyword-only ``rng: np.random.Generator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.signal import butter, sosfilt

from amd._g711 import alaw_decode, alaw_encode, g711_roundtrip, mulaw_decode, mulaw_encode
from amd.audio import AudioError, check_audio

__all__ = [
    "TELEPHONE_SR",
    "TelephoneChannel",
    "active_frames",
    "active_level_db",
    "add_noise",
    "alaw_decode",
    "alaw_encode",
    "apply_gain",
    "bandpass",
    "comfort_noise",
    "g711_roundtrip",
    "make_noise",
    "mulaw_decode",
    "mulaw_encode",
    "packet_loss",
]

#: Narrow-band telephony sample rate in Hz (G.711 is defined at 8000 samples per second).
TELEPHONE_SR = 8000
_PACKET_S = 0.02  # RTP packetisation interval for G.711 (RFC 3551 default ptime 20 ms)
_ACTIVE_MARGIN_DB = 30.0  # frames within this many dB of the loudest frame count as active


def bandpass(audio: np.ndarray, sr: int, *, low_hz: float = 300.0, high_hz: float = 3400.0) -> np.ndarray:
    """Limit ``audio`` to the telephone voice band.

    A 4th-order Butterworth band-pass (8 poles in total) as second-order sections, applied
    **causally** with ``scipy.signal.sosfilt``. A real line is causal; the zero-phase
    ``sosfiltfilt`` would smear energy backwards in time and move speech and beep onsets
    earlier than the labels say. The causal filter only delays them by its group delay
    (about 1 ms in the passband), which is negligible against 20 ms frames.

    Parameters
    ----------
    audio : np.ndarray [shape=(n_samples,), dtype=float]
    sr : int > 0 [Hz]
    low_hz, high_hz : float [Hz]
        Band edges (-3 dB points); ``0 < low_hz < high_hz < sr / 2``. The defaults are the
        300-3400 Hz band of ITU-T G.712.

    Returns
    -------
    np.ndarray [shape=(n_samples,), dtype=float64]
    """
    check_audio(audio, sr)
    if not 0 < low_hz < high_hz < sr / 2:
        raise AudioError(
            f"band edges must satisfy 0 < low_hz < high_hz < sr/2 = {sr / 2:g} Hz; "
            f"got low_hz={low_hz!r}, high_hz={high_hz!r}."
        )
    sos = butter(4, [low_hz, high_hz], btype="bandpass", fs=sr, output="sos")
    return sosfilt(sos, audio.astype(np.float64))


def apply_gain(audio: np.ndarray, *, gain_db: float) -> np.ndarray:
    """Scale ``audio`` by ``gain_db`` decibels (amplitude factor ``10 ** (gain_db / 20)``).

    No clipping happens here; the codec or the int16 writer saturates, as on a real line.
    """
    if not np.isfinite(gain_db):
        raise AudioError(f"`gain_db` must be finite; got {gain_db!r}.")
    return audio * 10.0 ** (gain_db / 20.0)


def active_frames(audio: np.ndarray, sr: int) -> np.ndarray:
    """Boolean mask of 20 ms frames holding active signal (speech or tone).

    A frame is active when its energy is within 30 dB of the loudest frame. This keeps the idea
    of ITU-T P.56 (measure a speech level over the active portion only, so that pauses do not
    dilute it) with a much simpler activity test; it suits clean synthesised or studio sources,
    whose pauses are at least 30 dB down.

    Returns
    -------
    np.ndarray [shape=(n_frames,), dtype=bool]
        Frame ``i`` covers samples ``[i * n, (i + 1) * n)`` with ``n = 0.02 * sr``; a trailing
        partial frame is ignored.
    """
    check_audio(audio, sr)
    n = int(round(_PACKET_S * sr))
    n_frames = audio.size // n
    energy = np.mean(audio[: n_frames * n].reshape(n_frames, n) ** 2, axis=1)
    if n_frames == 0 or energy.max() <= 0:
        return np.zeros(n_frames, dtype=bool)
    return energy >= energy.max() * 10.0 ** (-_ACTIVE_MARGIN_DB / 10.0)


def active_level_db(audio: np.ndarray, sr: int) -> float:
    """Mean power over the active frames, in dB relative to full scale (see ``active_frames``)."""
    mask = active_frames(audio, sr)
    if not mask.any():
        raise AudioError("`audio` has no active frames; an active-speech level is undefined.")
    n = int(round(_PACKET_S * sr))
    blocks = audio[: mask.size * n].reshape(mask.size, n)[mask]
    return float(10.0 * np.log10(np.mean(blocks**2)))


def make_noise(
    n_samples: int, *, level_dbfs: float, color: Literal["white", "pink", "brown"], rng: np.random.Generator
) -> np.ndarray:
    """Gaussian noise with a 1/f**k power spectrum (k = 0, 1, 2), scaled to an exact RMS level.

    The spectrum is shaped in the frequency domain: complex Gaussian bins are multiplied by
    ``f ** (-k / 2)`` (the DC bin is zeroed) and transformed back. Pink noise approximates room
    and handset noise; brown noise approximates low-frequency rumble.

    Parameters
    ----------
    n_samples : int > 0
    level_dbfs : float [dB re full scale]
        RMS level of the result (exact for the realised samples).
    color : {'white', 'pink', 'brown'}
    rng : np.random.Generator
    """
    exponents = {"white": 0.0, "pink": 1.0, "brown": 2.0}
    if color not in exponents:
        raise AudioError(f"`color` must be one of {sorted(exponents)}; got {color!r}.")
    if n_samples < 2:
        raise AudioError(f"`n_samples` must be >= 2; got {n_samples}.")
    spectrum = rng.standard_normal(n_samples // 2 + 1) + 1j * rng.standard_normal(n_samples // 2 + 1)
    freqs = np.arange(spectrum.size, dtype=np.float64)
    freqs[0] = np.inf  # removes DC
    noise = np.fft.irfft(spectrum * freqs ** (-exponents[color] / 2.0), n=n_samples)
    return noise * (10.0 ** (level_dbfs / 20.0) / np.sqrt(np.mean(noise**2)))


def add_noise(
    audio: np.ndarray,
    sr: int,
    *,
    snr_db: float,
    color: Literal["white", "pink", "brown"] = "pink",
    rng: np.random.Generator,
) -> np.ndarray:
    """Add noise so that active-signal power over noise power equals ``snr_db``.

    Both powers are measured over the same active frames of ``audio`` (``active_frames``), so
    leading and trailing silence does not change the result, and the noise is scaled with its
    realised (not expected) power: the achieved SNR equals ``snr_db`` up to rounding.

    Raises
    ------
    AudioError
        If ``audio`` has no active frames (add noise at an absolute level with ``make_noise``).
    """
    if not np.isfinite(snr_db):
        raise AudioError(f"`snr_db` must be finite; got {snr_db!r}.")
    mask = active_frames(audio, sr)
    level_db = active_level_db(audio, sr)
    noise = make_noise(audio.size, level_dbfs=0.0, color=color, rng=rng)
    n = int(round(_PACKET_S * sr))
    noise_active_db = 10.0 * np.log10(np.mean(noise[: mask.size * n].reshape(mask.size, n)[mask] ** 2))
    return audio + noise * 10.0 ** ((level_db - snr_db - noise_active_db) / 20.0)


def packet_loss(
    audio: np.ndarray,
    sr: int,
    *,
    p_loss: float,
    mean_burst_packets: float = 1.0,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Drop 20 ms packets following a two-state Gilbert model and fill them with silence.

    The chain is in state *good* (received) or *bad* (lost). With loss rate ``p`` and mean burst
    length ``L`` packets, ``P(bad -> good) = 1 / L`` and ``P(good -> bad) = p / (L * (1 - p))``,
    whose stationary probability of *bad* is exactly ``p``; ``L = 1`` gives independent losses.
    The first packet starts in the stationary distribution. Lost packets become zeros, what a
    receiver without packet-loss concealment plays out.

    Parameters
    ----------
    p_loss : float in [0, 1)
        Long-run fraction of packets lost.
    mean_burst_packets : float >= 1
        Mean number of consecutive packets per loss burst.

    Returns
    -------
    audio : np.ndarray [shape=(n_samples,)]
    lost : np.ndarray [shape=(n_packets,), dtype=bool]
        Which packets were lost (the last packet may be partial).
    """
    check_audio(audio, sr)
    if not 0.0 <= p_loss < 1.0:
        raise AudioError(f"`p_loss` must be in [0, 1); got {p_loss!r}.")
    if not mean_burst_packets >= 1.0:
        raise AudioError(f"`mean_burst_packets` must be >= 1; got {mean_burst_packets!r}.")
    n = int(round(_PACKET_S * sr))
    n_packets = -(-audio.size // n)
    p_bad_to_good = 1.0 / mean_burst_packets
    p_good_to_bad = p_loss * p_bad_to_good / (1.0 - p_loss)
    draws = rng.random(n_packets)
    lost = np.zeros(n_packets, dtype=bool)
    state_bad = draws[0] < p_loss
    for i in range(n_packets):
        if i > 0:
            state_bad = draws[i] >= p_bad_to_good if state_bad else draws[i] < p_good_to_bad
        lost[i] = state_bad
    out = audio.astype(np.float64, copy=True)
    for i in np.flatnonzero(lost):
        out[i * n : (i + 1) * n] = 0.0
    return out, lost


def comfort_noise(
    audio: np.ndarray,
    sr: int,
    *,
    level_dbfs: float,
    vad_threshold_dbfs: float = -50.0,
    hangover_packets: int = 5,
    rng: np.random.Generator,
) -> np.ndarray:
    """Replace silent packets with white comfort noise, as discontinuous transmission does.

    A sender with DTX stops sending speech packets in silence and the receiver plays comfort
    noise at the level announced in RFC 3389 CN packets. A packet is silent when its RMS is below
    ``vad_threshold_dbfs`` and the previous ``hangover_packets`` packets were silent too (the
    hangover keeps word endings intact).
    """
    check_audio(audio, sr)
    n = int(round(_PACKET_S * sr))
    n_packets = audio.size // n
    blocks = audio[: n_packets * n].reshape(n_packets, n)
    rms_db = 10.0 * np.log10(np.mean(blocks**2, axis=1) + 1e-20)
    quiet = rms_db < vad_threshold_dbfs
    out = audio.astype(np.float64, copy=True)
    run = 0
    for i in range(n_packets):
        run = run + 1 if quiet[i] else 0
        if run > hangover_packets:
            out[i * n : (i + 1) * n] = rng.standard_normal(n) * 10.0 ** (level_dbfs / 20.0)
    return out


@dataclass(frozen=True)
class TelephoneChannel:
    """A narrow-band telephone channel: noise, voice band, gain, G.711, DTX and packet loss.

    ``apply`` runs the steps in the order a call goes through them: background noise at the
    talker's side (``snr_db`` against the active signal), the 300-3400 Hz band of the line,
    a level change, G.711 companding (which also saturates at the codec's full scale), comfort
    noise in silent packets (discontinuous transmission), and lost packets.

    Parameters
    ----------
    law : {'mulaw', 'alaw'} or None
        G.711 variant; ``None`` keeps linear PCM.
    snr_db : float or None [dB]
        Active-signal-to-noise ratio of the added noise; ``None`` adds none.
    noise_color : {'white', 'pink', 'brown'}
    gain_db : float [dB]
    p_packet_loss : float in [0, 1)
    mean_burst_packets : float >= 1
        Mean loss-burst length in 20 ms packets (Gilbert model; 1 = independent losses).
    comfort_noise_dbfs : float or None [dBFS]
        Level of comfort noise played in silent packets; ``None`` disables DTX.
    low_hz, high_hz : float [Hz]
        Voice-band edges.

    Examples
    --------
    >>> ch = TelephoneChannel(law="alaw", snr_db=20.0, p_packet_loss=0.02)
    >>> tone = 0.3 * np.sin(2 * np.pi * 1000 * np.arange(8000) / 8000)
    >>> ch.apply(tone, 8000, rng=np.random.default_rng(0)).shape
    (8000,)
    """

    law: Literal["mulaw", "alaw"] | None = "mulaw"
    snr_db: float | None = None
    noise_color: Literal["white", "pink", "brown"] = "pink"
    gain_db: float = 0.0
    p_packet_loss: float = 0.0
    mean_burst_packets: float = 1.0
    comfort_noise_dbfs: float | None = None
    low_hz: float = 300.0
    high_hz: float = 3400.0

    def __post_init__(self) -> None:
        if self.law not in ("mulaw", "alaw", None):
            raise AudioError(f"`law` must be 'mulaw', 'alaw' or None; got {self.law!r}.")
        if self.noise_color not in ("white", "pink", "brown"):
            raise AudioError(f"`noise_color` must be 'white', 'pink' or 'brown'; got {self.noise_color!r}.")
        if self.snr_db is not None and not np.isfinite(self.snr_db):
            raise AudioError(f"`snr_db` must be finite or None; got {self.snr_db!r}.")
        if not np.isfinite(self.gain_db):
            raise AudioError(f"`gain_db` must be finite; got {self.gain_db!r}.")
        if not 0.0 <= self.p_packet_loss < 1.0:
            raise AudioError(f"`p_packet_loss` must be in [0, 1); got {self.p_packet_loss!r}.")
        if not self.mean_burst_packets >= 1.0:
            raise AudioError(f"`mean_burst_packets` must be >= 1; got {self.mean_burst_packets!r}.")
        if not 0 < self.low_hz < self.high_hz < TELEPHONE_SR / 2:
            raise AudioError(
                f"band edges must satisfy 0 < low_hz < high_hz < 4000 Hz; got {self.low_hz!r}, {self.high_hz!r}."
            )

    def apply(self, audio: np.ndarray, sr: int, *, rng: np.random.Generator) -> np.ndarray:
        """Pass ``audio`` through the channel.

        Parameters
        ----------
        audio : np.ndarray [shape=(n_samples,), dtype=float]
        sr : int [Hz]
            Must be 8000; resample explicitly (``amd.audio.load_audio``) before.
        rng : np.random.Generator
            Drawn in a fixed order: noise, comfort noise, packet loss.

        Returns
        -------
        np.ndarray [shape=(n_samples,), dtype=float64]
        """
        check_audio(audio, sr)
        if sr != TELEPHONE_SR:
            raise AudioError(
                f"`sr` must be {TELEPHONE_SR} Hz for the telephone channel; got {sr} (resample first)."
            )
        out = audio.astype(np.float64)
        if self.snr_db is not None:
            out = add_noise(out, sr, snr_db=self.snr_db, color=self.noise_color, rng=rng)
        out = apply_gain(bandpass(out, sr, low_hz=self.low_hz, high_hz=self.high_hz), gain_db=self.gain_db)
        if self.law is not None:
            out = g711_roundtrip(out, law=self.law)
        if self.comfort_noise_dbfs is not None:
            out = comfort_noise(out, sr, level_dbfs=self.comfort_noise_dbfs, rng=rng)
        if self.p_packet_loss > 0:
            out, _ = packet_loss(
                out, sr, p_loss=self.p_packet_loss, mean_burst_packets=self.mean_burst_packets, rng=rng
            )
        return out
