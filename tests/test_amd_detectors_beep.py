"""Goertzel beep detector: accepts 400-2000 Hz beeps at several SNRs, rejects dual tones."""

from __future__ import annotations

import numpy as np
import pytest

from amd.detectors import BeepDetector, find_beeps, goertzel_power

SR = 8000


def _tone(freqs_hz, duration_s, *, level=0.2, phase=0.3):
    t = np.arange(int(round(duration_s * SR))) / SR
    return sum(level * np.sin(2 * np.pi * f * t + phase * (k + 1)) for k, f in enumerate(freqs_hz))


def _noise(n, *, tone_level, snr_db, rng):
    """White noise whose power is ``snr_db`` below a sine of amplitude ``tone_level``."""
    return rng.standard_normal(n) * np.sqrt(tone_level**2 / 2 * 10 ** (-snr_db / 10))


def test_goertzel_fast_path_equals_recurrence_and_dft(rng):
    """The detector's closed-form bank equals the literal recurrence and the DFT at the same bins."""
    from amd.detectors.beep import BeepTracker

    x = rng.standard_normal(160)
    tracker = BeepTracker(BeepDetector())
    s = x @ tracker.u12
    s1, s2 = s[: tracker.n_bins], s[tracker.n_bins :]
    fast = s1 * s1 + s2 * s2 - tracker.coef * s1 * s2
    slow = goertzel_power(x, tracker.freqs_hz, SR)
    dft = np.abs(np.exp(-2j * np.pi * np.outer(tracker.freqs_hz, np.arange(160)) / SR) @ x) ** 2
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(slow, dft, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("freq_hz", [400.0, 697.0, 1000.0, 1433.0, 2000.0])
@pytest.mark.parametrize("snr_db", [30.0, 20.0, 10.0])
def test_beep_accepted_with_time_and_frequency(freq_hz, snr_db, rng):
    """A 0.3 s beep at 1.23 s (not packet-aligned) in noise: MACHINE within 0.1 s of its start,
    reported start within one packet and frequency within one bank step."""
    start_s = 1.23
    clean = np.concatenate([np.zeros(int(start_s * SR)), _tone([freq_hz], 0.3), np.zeros(SR // 2)])
    audio = clean + _noise(clean.size, tone_level=0.2, snr_db=snr_db, rng=rng)
    d = BeepDetector().detect(audio, SR)
    assert d.label == "machine"
    assert start_s < d.decided_at_s <= start_s + 0.12
    (beep,) = find_beeps(audio, SR)
    assert abs(beep.start_s - start_s) <= 0.02 + 1e-9
    assert abs(beep.freq_hz - freq_hz) <= 20.0
    assert beep.end_s == pytest.approx(1.52, abs=0.021)


@pytest.mark.parametrize("duration_s", [0.1, 0.5, 1.5])
def test_beep_durations_accepted(duration_s, rng):
    """Beeps from 0.1 s to 1.5 s are detected (a misaligned 0.1 s beep still covers 4 packets)."""
    clean = np.concatenate([np.zeros(int(0.51 * SR)), _tone([850.0], duration_s), np.zeros(SR // 4)])
    assert (
        BeepDetector().detect(clean + _noise(clean.size, tone_level=0.2, snr_db=20, rng=rng), SR).label
        == "machine"
    )


@pytest.mark.parametrize(
    ("name", "freqs_hz", "on_s", "off_s"),
    [
        ("DTMF 1", (697.0, 1209.0), 0.1, 0.1),
        ("DTMF #", (941.0, 1477.0), 0.2, 0.1),
        ("busy", (480.0, 620.0), 0.5, 0.5),
        ("ringback", (440.0, 480.0), 2.0, 4.0),
    ],
)
def test_dual_tones_rejected(name, freqs_hz, on_s, off_s, rng):
    """DTMF digits, busy (480+620 Hz) and ringback (440+480 Hz) cadences never count as a beep."""
    cycle = np.concatenate([_tone(freqs_hz, on_s, level=0.15), np.zeros(int(off_s * SR))])
    audio = np.tile(cycle, int(np.ceil(6.0 / (on_s + off_s))))
    audio = audio + _noise(audio.size, tone_level=0.15, snr_db=30, rng=rng)
    d = BeepDetector().detect(audio, SR)
    assert d.label == "notsure", name
    assert find_beeps(audio, SR) == []


def test_dtmf_with_twist_rejected():
    """DTMF with the high tone 8 dB above the low tone (maximum standard twist) is rejected."""
    t = np.arange(SR) / SR
    audio = 0.06 * np.sin(2 * np.pi * 770 * t) + 0.15 * np.sin(2 * np.pi * 1336 * t)
    assert BeepDetector().detect(audio, SR).label == "notsure"


def test_noise_and_silence_have_no_beep(rng):
    """White noise and digital silence give no beep; the no-beep label is configurable."""
    assert BeepDetector().detect(0.1 * rng.standard_normal(3 * SR), SR).label == "notsure"
    d = BeepDetector(no_beep_label="human").detect(np.zeros(2 * SR), SR)
    assert (d.label, d.decided_at_s, d.score) == ("human", 2.0, 0.0)


def test_bad_parameter_named():
    """An invalid range raises ValueError naming the parameters."""
    with pytest.raises(ValueError, match="min_freq_hz < max_freq_hz"):
        BeepDetector(min_freq_hz=2000.0, max_freq_hz=400.0).detect(np.zeros(SR), SR)
    with pytest.raises(ValueError, match="did you pass milliseconds"):
        BeepDetector(min_beep_s=80).detect(np.zeros(SR), SR)
