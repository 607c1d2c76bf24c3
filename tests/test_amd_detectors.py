"""The detector contract, run on every registered detector, plus VAD and learned behaviour.

Fixtures are synthetic 8 kHz signals with known answers, built from the seeded
generator: silence, a 1 kHz beep, a short "hello" then silence, and a long greeting.
"""

from __future__ import annotations

import inspect
import json
import math

import numpy as np
import pytest
from scipy.signal import lfilter

from amd import AudioError, frames
from amd.detectors import (
    DETECTOR_NAMES,
    Decision,
    LearnedDetector,
    VadDetector,
    best_detector_name,
    make_detector,
)

SR = 8000


#: First three formants (Hz) of five vowels, Peterson & Barney (1952) male averages.
_VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (530, 1840, 2480), (570, 840, 2410), (300, 870, 2240))


def _voice(duration_s: float, rng: np.random.Generator, *, level: float = 0.08) -> np.ndarray:
    """Source-filter speech stand-in: a glottal pulse train (f0 100-220 Hz, jittered per syllable)
    through three formant resonators, in 0.1-0.25 s Hann-shaped syllables with short gaps.
    Unlike a bare harmonic buzz, it stays speech-like for the WebRTC VAD after the 300-3400 Hz
    telephone band removes the fundamental."""
    parts, n_total, f0 = [], int(round(duration_s * SR)), rng.uniform(100, 220)
    while sum(p.size for p in parts) < n_total:
        n = int(rng.uniform(0.1, 0.25) * SR)
        src = np.zeros(n)
        src[np.arange(0, n, SR / (f0 * (1 + 0.03 * rng.standard_normal()))).astype(int)] = 1.0
        y = src
        for fc, bw in zip(_VOWELS[rng.integers(len(_VOWELS))], (80, 100, 120), strict=True):
            r = np.exp(-np.pi * bw / SR)
            y = lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * fc / SR), r * r], y)
        parts += [y * np.hanning(n), np.zeros(int(rng.uniform(0.0, 0.04) * SR))]
    x = np.concatenate(parts)[:n_total]
    return level * x / np.sqrt(np.mean(x**2)) / 2


def _room(duration_s: float, rng: np.random.Generator) -> np.ndarray:
    return 10 ** (-65 / 20) * rng.standard_normal(int(round(duration_s * SR)))


@pytest.fixture(scope="module")
def signals(rng_factory):
    """Named synthetic calls: silence, beep, hello, long greeting."""
    rng = rng_factory(17)
    t = np.arange(int(0.4 * SR)) / SR
    return {
        "silence": _room(5.0, rng),
        "beep": np.concatenate([_room(1.0, rng), 0.2 * np.sin(2 * np.pi * 1000 * t), _room(1.0, rng)]),
        "hello": np.concatenate([_room(0.6, rng), _voice(0.45, rng), _room(3.0, rng)]),
        "long_greeting": np.concatenate([_room(0.4, rng), _voice(5.0, rng), _room(0.5, rng)]),
    }


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_constructor_is_keyword_only_and_stores_params(name):
    """Every constructor parameter is keyword-only, has a default and is stored unmodified."""
    det = make_detector(name)
    params = inspect.signature(type(det).__init__).parameters
    for pname, p in list(params.items())[1:]:
        assert p.kind is inspect.Parameter.KEYWORD_ONLY, pname
        assert getattr(det, pname) is p.default or getattr(det, pname) == p.default
    assert det.get_params() == {k: getattr(det, k) for k in list(params)[1:]}


@pytest.mark.parametrize("name", DETECTOR_NAMES)
@pytest.mark.parametrize("signal", ["silence", "beep", "hello", "long_greeting"])
def test_detect_is_pure_deterministic_and_equals_stream(name, signal, signals):
    """detect() returns a valid Decision, twice the same, without touching the input, and equal to
    feeding the same 20 ms packets to a stream and calling finish()."""
    det = make_detector(name)
    audio = signals[signal]
    before = audio.copy()
    d1 = det.detect(audio, SR)
    d2 = det.detect(audio, SR)
    np.testing.assert_array_equal(audio, before)
    assert isinstance(d1, Decision)
    assert d1 == d2
    assert d1.label in ("human", "machine", "notsure")
    assert 0.0 <= d1.decided_at_s <= audio.size / SR + 1e-9
    assert d1.score is None or 0.0 <= d1.score <= 1.0
    stream = det.stream(SR)
    streamed = None
    for frame in frames(audio, SR):
        streamed = stream.push(frame)
        if streamed is not None:
            break
    assert (streamed or stream.finish()) == d1


@pytest.mark.parametrize("name", DETECTOR_NAMES)
def test_wrong_input_rejected_with_named_message(name):
    """Detectors refuse other sample rates (no implicit resampling) and integer audio."""
    det = make_detector(name)
    with pytest.raises(AudioError, match="`sr` must be 8000 Hz"):
        det.detect(np.zeros(16000), 16000)
    with pytest.raises(AudioError, match="floating dtype"):
        det.detect(np.zeros(8000, dtype=np.int16), SR)
    with pytest.raises(AudioError, match="finite"):
        det.detect(np.full(8000, np.nan), SR)


def test_stream_refuses_packets_after_decision():
    """A stream that has decided raises instead of silently continuing."""
    stream = make_detector("asterisk").stream(SR)
    for frame in frames(np.zeros(3 * SR), SR):
        if stream.push(frame) is not None:
            break
    with pytest.raises(RuntimeError, match="already decided"):
        stream.push(np.zeros(160))


def test_vad_cadence_rules(signals):
    """VAD rules: short hello then silence is HUMAN, long greeting MACHINE, silence the silent label,
    a beep MACHINE."""
    vad = VadDetector()
    hello = vad.detect(signals["hello"], SR)
    assert (hello.label, hello.cause) == ("human", "ENDSILENCE")
    assert hello.decided_at_s == pytest.approx(0.6 + 0.45 + vad.end_silence_s, abs=0.1)
    long = vad.detect(signals["long_greeting"], SR)
    assert long.cause in ("LONGUTTERANCE", "LONGSPEECH")
    # Speech evidence is held until 3.2 s after the onset: past the 2 s deadline and an agent's
    # 1 s recognition of a person, so the verdict can only release an agent.
    assert 0.4 + vad.machine_not_before_s <= long.decided_at_s <= 0.4 + vad.machine_not_before_s + 0.4
    classic = VadDetector(machine_not_before_s=0.0).detect(signals["long_greeting"], SR)
    assert classic.cause == long.cause
    assert classic.decided_at_s < 0.4 + 2.0 + 0.1  # the classic rules decide inside the 2 s window
    assert vad.detect(signals["silence"], SR) == Decision("human", None, 3.0, "SILENCE")
    assert VadDetector(silent_label="notsure").detect(signals["silence"], SR).label == "notsure"
    assert vad.detect(signals["beep"], SR).cause == "BEEP"


def test_vad_parameters_validated():
    """A duration given in milliseconds by mistake is named with a hint; booleans and infinity
    are not durations."""
    with pytest.raises(ValueError, match="`end_silence_s` must be > 0 s"):
        VadDetector(end_silence_s=-600).detect(np.zeros(SR), SR)
    for bad in (True, math.inf):
        with pytest.raises(ValueError, match="`max_wait_s` must be > 0 s and finite"):
            VadDetector(max_wait_s=bad).detect(np.zeros(SR), SR)


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("vad", {"end_silence_s": -1.0}, "end_silence_s"),
        ("asterisk", {"greeting_ms": 0}, "greeting_ms"),
        ("beep", {"freq_step_hz": 0.0}, "freq_step_hz"),
        ("learned", {"logit_offset": math.nan}, "logit_offset"),
    ],
)
def test_make_detector_checks_parameters_at_once(name, params, field):
    """The registry (what the CLI and sweeps use) refuses a bad parameter when the detector is
    built, not later when the first call is classified."""
    with pytest.raises(ValueError, match=f"`{field}` must be"):
        make_detector(name, **params)


def test_unknown_detector_named():
    """make_detector names the valid choices."""
    with pytest.raises(ValueError, match="`detector` must be one of asterisk"):
        make_detector("nope")


def test_best_alias_resolves_to_a_concrete_detector():
    """`best` is recorded in amd/models/best.json and builds that detector."""
    assert best_detector_name() in ("asterisk", "beep", "vad", "learned")
    assert type(make_detector("best")).name == best_detector_name()


def test_shipped_model_is_portable_json():
    """The shipped learned model is plain JSON with coefficients, scaler and thresholds."""
    from amd.detectors.learned import DEFAULT_MODEL_PATH

    model = json.loads(DEFAULT_MODEL_PATH.read_text())
    assert model["format"] == "amd-learned-logistic-v2"
    n = len(model["feature_names"])
    assert len(model["classifier"]["coef"]) == len(model["classifier"]["mean"]) == n
    pol = model["policy"]
    assert 0 < pol["human_threshold"] < pol["machine_threshold"] < 1


def test_learned_training_simulation_equals_the_stream(rng_factory):
    """The policy simulated in training gives the streaming detector's label and time on every
    clip, and a speech-based MACHINE verdict never comes before 3.2 s after the onset: before
    the deadline only a beep says MACHINE, and after a final "not a machine" the stream still
    hears a late beep."""
    from amd.detectors._learned_fit import (
        HUMAN_NOT_AFTER_S,
        MACHINE_NOT_BEFORE_S,
        clip_snapshots,
        simulate_policy,
    )
    from amd.detectors.learned import model_probability

    rng = rng_factory(6)
    t = np.arange(int(0.3 * SR)) / SR
    beep = 0.2 * np.sin(2 * np.pi * 1000 * t)
    audios, labels = [], []
    for i in range(20):
        if i % 2:
            tail = [beep, _room(1.0, rng)] if i % 4 == 1 else [_room(1.5, rng)]
            audios.append(np.concatenate([_room(0.5, rng), _voice(float(rng.uniform(2.0, 5.0)), rng), *tail]))
            labels.append("machine")
        else:
            audios.append(np.concatenate([_room(0.5, rng), _voice(float(rng.uniform(0.3, 3.0)), rng), _room(3.0, rng)]))
            labels.append("human")
    det = LearnedDetector().fit(audios, labels, seed=1)
    pol = det.model_["policy"]
    assert pol["machine_not_before_s"] == MACHINE_NOT_BEFORE_S
    assert pol["human_not_after_s"] == HUMAN_NOT_AFTER_S
    snaps = [clip_snapshots(a) for a in audios]
    probs = [model_probability(det.model_, s["X"]) if len(s["X"]) else np.empty(0) for s in snaps]
    sim_labels, sim_frames = simulate_policy(
        snaps, probs, pol["human_threshold"], pol["machine_threshold"], pol["final_threshold"],
        pol["silent_label"], MACHINE_NOT_BEFORE_S, HUMAN_NOT_AFTER_S, True,
    )  # fmt: skip
    for audio, snap, label, frame in zip(audios, snaps, sim_labels, sim_frames, strict=True):
        d = det.detect(audio, SR)
        assert (d.label, d.decided_at_s) == (label, pytest.approx(frame * 0.02)), d
        if d.label == "machine" and d.cause not in ("BEEP", "ANSWERTONE"):
            assert d.decided_at_s - snap["onset_s"] >= MACHINE_NOT_BEFORE_S - 1e-9
        if d.label == "human" and d.cause == "CONFIDENT":
            assert d.decided_at_s - snap["onset_s"] < HUMAN_NOT_AFTER_S


def test_learned_fit_is_reproducible_and_detects(rng_factory):
    """Same training data and seed give an identical model; the fitted detector separates
    hello-then-silence from long greetings on its own training signals."""
    rng = rng_factory(5)
    audios, labels = [], []
    for i in range(16):
        if i % 2:
            audios.append(np.concatenate([_room(0.5, rng), _voice(3.0, rng), _room(0.5, rng)]))
            labels.append("machine")
        else:
            audios.append(np.concatenate([_room(0.5, rng), _voice(0.4, rng), _room(2.5, rng)]))
            labels.append("human")
    a = LearnedDetector().fit(audios, labels, seed=3)
    b = LearnedDetector().fit(audios, labels, seed=3)
    assert json.dumps(a.model_, sort_keys=True) == json.dumps(b.model_, sort_keys=True)
    got = [a.detect(x, SR).label for x in audios]
    assert np.mean([g == t for g, t in zip(got, labels, strict=True)]) >= 0.75
    with pytest.raises(ValueError, match="`labels` must be 'human' or 'machine'"):
        LearnedDetector().fit(audios, ["x"] * len(audios), seed=0)


@pytest.mark.parametrize(("law", "snr_db"), [("mulaw", 30.0), ("alaw", 15.0), ("mulaw", 10.0)])
def test_vad_robust_to_noise_and_codec(law, snr_db, signals, rng):
    """Through a G.711 channel with pink noise down to 10 dB SNR, the VAD detector still calls the
    short hello HUMAN and the long greeting MACHINE, and still hears the beep."""
    from amd import TelephoneChannel

    channel = TelephoneChannel(law=law, snr_db=snr_db)
    vad = VadDetector()
    assert vad.detect(channel.apply(signals["hello"], SR, rng=rng), SR).label == "human"
    assert vad.detect(channel.apply(signals["long_greeting"], SR, rng=rng), SR).label == "machine"
    assert vad.detect(channel.apply(signals["beep"], SR, rng=rng), SR).cause == "BEEP"
