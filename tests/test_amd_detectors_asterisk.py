"""Asterisk app_amd re-implementation: derived decision timings (docs/sources.md §5.1).

Signals are packet-aligned (multiples of 20 ms) white-noise "words" at mean |sample| far above
the 256 threshold, separated by digital silence, so every packet's voiced/silent status is
known and each timing can be derived by hand from the rules.
"""

from __future__ import annotations

import numpy as np
import pytest

from amd.detectors import AsteriskAmd

SR = 8000


def _signal(parts: list[tuple[str, float]], rng: np.random.Generator) -> np.ndarray:
    """Concatenate ('v', seconds) voiced noise and ('s', seconds) silence segments."""
    out = []
    for kind, dur in parts:
        n = int(round(dur * SR))
        out.append(0.1 * rng.standard_normal(n) if kind == "v" else np.zeros(n))
    return np.concatenate(out)


def test_short_hello_then_silence_is_human_after_word_plus_after_greeting_silence(rng):
    """A 0.3 s hello at 0.5 s: HUMAN when 800 ms of silence follow it, i.e. at 0.5 + 0.3 + 0.8 = 1.6 s.

    Derivation: the silence run restarts at the first silent packet after the word (ending at
    0.82 s) and reaches 800 ms on the packet ending 0.8 s later; the greeting started on the
    word's 5th packet (100 ms). So HUMAN comes 1.1 s after speech start for a 0.3 s word.
    """
    d = AsteriskAmd().detect(_signal([("s", 0.5), ("v", 0.3), ("s", 2.0)], rng), SR)
    assert (d.label, d.decided_at_s, d.cause) == ("human", 1.6, "HUMAN-800-800")


def test_quickest_human_is_0_9_s_after_speech_start(rng):
    """The shortest counted word (100 ms) then 800 ms silence: HUMAN 0.9 s after speech start."""
    d = AsteriskAmd().detect(_signal([("s", 0.4), ("v", 0.1), ("s", 1.5)], rng), SR)
    assert d.label == "human"
    assert d.decided_at_s == pytest.approx(0.4 + 0.9, abs=1e-9)


def test_word_shorter_than_min_word_length_never_starts_greeting(rng):
    """An 80 ms click does not start the greeting, so silence runs on to INITIALSILENCE at 2.5 s."""
    d = AsteriskAmd().detect(_signal([("s", 0.4), ("v", 0.08), ("s", 3.0)], rng), SR)
    # The click resets the silence run; it restarts at 0.48 s and reaches 2500 ms at 2.98 s.
    assert (d.label, d.decided_at_s) == ("machine", 2.98)
    assert d.cause == "INITIALSILENCE-2500-2500"


def test_initial_silence_is_machine_at_2_5_s():
    """2.5 s of silence from answer: MACHINE, cause INITIALSILENCE, at exactly 2.5 s."""
    d = AsteriskAmd().detect(np.zeros(3 * SR), SR)
    assert (d.label, d.decided_at_s, d.cause) == ("machine", 2.5, "INITIALSILENCE-2500-2500")


def test_long_greeting_is_machine_after_1_5_s_of_voice(rng):
    """Continuous speech from 0.3 s: MACHINE LONGGREETING when total voice reaches 1500 ms (1.8 s)."""
    d = AsteriskAmd().detect(_signal([("s", 0.3), ("v", 4.0)], rng), SR)
    assert (d.label, d.decided_at_s, d.cause) == ("machine", 1.8, "LONGGREETING-1500-1500")


def test_third_word_is_machine(rng):
    """Three 0.2 s words with 0.2 s gaps after 0.3 s silence: MACHINE when the 3rd word is counted.

    Word 3 starts at 1.1 s and is counted on its 5th packet (100 ms), ending 1.2 s.
    """
    parts = [("s", 0.3), ("v", 0.2), ("s", 0.2), ("v", 0.2), ("s", 0.2), ("v", 0.2), ("s", 2.0)]
    d = AsteriskAmd().detect(_signal(parts, rng), SR)
    assert (d.label, d.decided_at_s, d.cause) == ("machine", 1.2, "MAXWORDS-3-2")


def test_first_word_at_answer_is_not_counted(rng):
    """IN_WORD initial-state quirk: a word starting at answer is not counted.

    Three 0.2 s words from answer (gaps 0.2 s) count only two, so no MAXWORDS and the greeting
    ends HUMAN; with a 4th word (starting 1.2 s) MAXWORDS fires on its 5th packet, at 1.3 s.
    """
    three = [("v", 0.2), ("s", 0.2), ("v", 0.2), ("s", 0.2), ("v", 0.2), ("s", 2.0)]
    d3 = AsteriskAmd().detect(_signal(three, rng), SR)
    assert (d3.label, d3.decided_at_s) == ("human", 1.8)
    four = three[:-1] + [("s", 0.2), ("v", 0.2), ("s", 2.0)]
    d4 = AsteriskAmd().detect(_signal(four, rng), SR)
    assert (d4.label, d4.decided_at_s, d4.cause) == ("machine", 1.3, "MAXWORDS-3-2")


def test_crackle_never_forms_words_and_ends_notsure_at_5_s(rng):
    """Line crackle (40 ms bursts every 100 ms): no word, no 2.5 s silence run, NOTSURE TOOLONG at 5 s."""
    crackle = _signal([("v", 0.04), ("s", 0.06)] * 60, rng)
    d = AsteriskAmd().detect(crackle, SR)
    assert (d.label, d.decided_at_s, d.cause) == ("notsure", 5.0, "TOOLONG-5000")


def test_threshold_is_strict_mean_abs_on_16_bit_scale():
    """A square wave at mean |sample| exactly 256 is voiced; at 255 it is silent (dsp.c uses '<')."""
    voiced = np.full(3 * SR, 256 / 32768.0)
    silent = np.full(3 * SR, 255 / 32768.0)
    assert AsteriskAmd().detect(silent, SR).cause.startswith("INITIALSILENCE")
    # Continuous "voice" from answer: greeting starts, LONGGREETING after 1500 ms of voice.
    assert AsteriskAmd().detect(voiced, SR).cause == "LONGGREETING-1500-1500"


def test_audio_ending_early_is_notsure_hangup(rng):
    """A recording that ends before any rule fires gives NOTSURE (Asterisk's HANGUP) at its end."""
    d = AsteriskAmd().detect(_signal([("s", 0.5), ("v", 0.3), ("s", 0.3)], rng), SR)
    assert (d.label, d.decided_at_s, d.cause) == ("notsure", 1.1, "HANGUP")


def test_parameters_validated_with_named_message():
    """A non-integer or negative parameter raises ValueError naming it."""
    with pytest.raises(ValueError, match="`greeting_ms` must be an int > 0"):
        AsteriskAmd(greeting_ms=1.5).detect(np.zeros(SR), SR)
    with pytest.raises(ValueError, match="`maximum_number_of_words` must be an int >= 0"):
        AsteriskAmd(maximum_number_of_words=-1).detect(np.zeros(SR), SR)
