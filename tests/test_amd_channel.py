"""amd.channel: G.711 against known code values, voice band, SNR, packet loss, the composed channel."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from amd import AudioError
from amd.channel import (
    TelephoneChannel,
    active_level_db,
    add_noise,
    alaw_decode,
    alaw_encode,
    bandpass,
    mulaw_decode,
    mulaw_encode,
    packet_loss,
)

SR = 8000
ALL_INT16 = np.arange(-32768, 32768) / 32768.0


def test_g711_known_code_values():
    """Codes from the G.711 tables: silence is 0xFF (mu) / 0xD5 (A); full-scale codes and their decoded values."""
    assert mulaw_encode(np.array([0.0, 1.0, -1.0])).tolist() == [0xFF, 0x80, 0x00]
    assert alaw_encode(np.array([0.0, 1.0, -1.0])).tolist() == [0xD5, 0xAA, 0x2A]
    # decoded in 16-bit units: mu-law 0x80/0x00 = +-32124, A-law 0xD5 = +8, 0x2A = -32256
    assert (mulaw_decode(np.array([0x80, 0x00, 0xFF], dtype=np.uint8)) * 32768).tolist() == [32124, -32124, 0]
    assert (alaw_decode(np.array([0xD5, 0x55, 0x2A], dtype=np.uint8)) * 32768).tolist() == [8, -8, -32256]


def test_g711_every_code_round_trips():
    """Decoding a code and encoding it again gives the same code (mu-law's negative zero 0x7F maps to 0xFF)."""
    codes = np.arange(256, dtype=np.uint8)
    assert np.array_equal(alaw_encode(alaw_decode(codes)), codes)
    mu = mulaw_encode(mulaw_decode(codes))
    assert np.flatnonzero(mu != codes).tolist() == [0x7F]
    assert mu[0x7F] == 0xFF


@pytest.mark.parametrize(
    ("encode", "decode", "units", "bias"),
    [(mulaw_encode, mulaw_decode, 8192, 33), (alaw_encode, alaw_decode, 4096, 0)],
)
def test_g711_error_within_half_a_segment_step(encode, decode, units, bias):
    """Within the codec range, |error| <= half the local step, which doubles per segment (G.711 tables).

    Step at rounded magnitude m: mu-law 2 ** (floor(log2(m + 33)) - 4); A-law 2 below 32 units,
    else 2 ** (floor(log2(m)) - 4).
    """
    x = ALL_INT16[np.abs(ALL_INT16) < 0.98]
    err = np.abs(decode(encode(x)) - x) * units
    m = np.rint(np.abs(x) * units) + bias  # the segment of the rounded input
    step = np.where(m < 32, 2.0, 2.0 ** (np.floor(np.log2(np.maximum(m, 1.0))) - 4))
    assert np.all(err <= step / 2 + 0.5)  # +0.5 unit: rounding the finer 16-bit input
    assert err.max() > step.max() / 4  # the bound is not vacuous
    assert 255 <= np.unique(encode(ALL_INT16)).size <= 256


def _tone(freq_hz, n=8000):
    return 0.3 * np.sin(2 * np.pi * freq_hz * np.arange(n) / SR)


def _gain_db(freq_hz):
    y = bandpass(_tone(freq_hz), SR)
    x = _tone(freq_hz)
    return 10 * np.log10(np.mean(y[2000:] ** 2) / np.mean(x[2000:] ** 2))


def test_bandpass_attenuates_outside_voice_band():
    """100 Hz and 3900 Hz are at least 20 dB below the passband; 1 kHz passes within 0.5 dB."""
    passband = _gain_db(1000)
    assert abs(passband) < 0.5
    assert _gain_db(100) < passband - 20
    assert _gain_db(3900) < passband - 20
    with pytest.raises(AudioError, match="band edges"):
        bandpass(_tone(1000), SR, high_hz=4000.0)


def test_add_noise_hits_snr_on_active_signal(rng):
    """The achieved SNR over the active frames equals the target; leading silence does not change it."""
    speech = np.concatenate([np.zeros(8000), _tone(700, 4000), np.zeros(4000)])
    for snr_db in (5.0, 20.0, 40.0):
        noisy = add_noise(speech, SR, snr_db=snr_db, rng=rng)
        noise = noisy - speech
        active = slice(8000, 12000)  # exactly the active frames
        achieved = 10 * np.log10(np.mean(speech[active] ** 2) / np.mean(noise[active] ** 2))
        assert achieved == pytest.approx(snr_db, abs=1e-9)
    assert active_level_db(speech, SR) == pytest.approx(10 * np.log10(0.045), abs=0.01)
    with pytest.raises(AudioError, match="no active frames"):
        add_noise(np.zeros(800), SR, snr_db=10.0, rng=rng)


def test_packet_loss_rate_matches_gilbert_model(rng):
    """The lost fraction is within a 99.9 % interval of p, using the Gilbert chain's variance."""
    p, burst = 0.05, 3.0
    _, lost = packet_loss(np.ones(SR * 400), SR, p_loss=p, mean_burst_packets=burst, rng=rng)
    n = lost.size
    # variance of the mean of a 2-state Markov chain: p(1-p)/n * (1 + r) / (1 - r), r = 1 - a - b
    a, b = p / (burst * (1 - p)), 1 / burst
    r = 1 - a - b
    half_width = stats.norm.ppf(0.9995) * np.sqrt(p * (1 - p) / n * (1 + r) / (1 - r))
    assert abs(lost.mean() - p) < half_width
    runs = np.diff(np.flatnonzero(np.diff(np.r_[0, lost.astype(int), 0])))[::2]
    assert runs.mean() == pytest.approx(burst, rel=0.25)


def test_packet_loss_zeroes_whole_packets(rng):
    """Lost packets are exactly 160 zero samples; kept packets are untouched."""
    x = np.ones(SR)
    y, lost = packet_loss(x, SR, p_loss=0.3, rng=rng)
    blocks = y.reshape(-1, 160)
    assert np.all(blocks[lost] == 0)
    assert np.all(blocks[~lost] == 1)


def test_channel_is_seeded_and_requires_8khz(rng_factory):
    """Same seed, same output; 16 kHz input is refused; bad parameters are named."""
    ch = TelephoneChannel(law="alaw", snr_db=15.0, p_packet_loss=0.05, comfort_noise_dbfs=-65.0)
    x = np.concatenate([_tone(1000), np.zeros(8000)])
    y1 = ch.apply(x, SR, rng=rng_factory(1))
    assert np.array_equal(y1, ch.apply(x, SR, rng=rng_factory(1)))
    assert not np.array_equal(y1, ch.apply(x, SR, rng=rng_factory(2)))
    with pytest.raises(AudioError, match=r"`sr` must be 8000 Hz .* got 16000 \(resample first\)"):
        ch.apply(x, 16000, rng=rng_factory(1))
    with pytest.raises(AudioError, match=r"`p_packet_loss` must be in \[0, 1\); got 1.5"):
        TelephoneChannel(p_packet_loss=1.5)
    with pytest.raises(AudioError, match="`law` must be"):
        TelephoneChannel(law="g722")
