"""A faithful re-implementation of Asterisk's ``app_amd`` answering-machine detector.

Behaviour follows Asterisk ``apps/app_amd.c`` and the silence test of ``main/dsp.c`` as
described in docs/sources.md §5.1 (asterisk/asterisk, snapshot 2026-08-06). Nothing here is
copied; it is re-derived from that description:

- Each 20 ms packet first advances the media clock; when it reaches ``total_analysis_time_ms``
  the answer is NOTSURE (cause ``TOOLONG``) before the packet is analysed.
- Silence test (``ast_dsp_silence``): the integer mean of ``|sample|`` on the 16-bit scale is
  compared with ``silence_threshold`` (256); strictly below is silence and adds the packet's
  length in ms (samples / 8) to a running silence total, any voiced packet resets the total.
  No hangover, no smoothing.
- Silent packet: once the run reaches ``between_words_silence_ms`` the state becomes IN_SILENCE
  and the current word resets; then (a) no greeting yet and run >= ``initial_silence_ms`` gives
  MACHINE ``INITIALSILENCE``; (b) greeting started and run >= ``after_greeting_silence_ms``
  gives HUMAN.
- Voiced packet: the current word and total voice grow; a word is counted only when the current
  word reaches ``min_word_length_ms`` while IN_SILENCE. Then, in order: word >=
  ``maximum_word_length_ms`` gives MACHINE ``MAXWORDLENGTH``; words > ``maximum_number_of_words``
  gives MACHINE ``MAXWORDS`` ("exceeded" semantics since ASTERISK-25639); greeting started and
  voice >= ``greeting_ms`` gives MACHINE ``LONGGREETING``. The first word reaching
  ``min_word_length_ms`` starts the greeting.
- Quirk kept on purpose: the state starts IN_WORD, so a first word that begins before any
  ``between_words_silence_ms`` of silence is not counted (it still starts the greeting).
- Audio that ends before a decision gives NOTSURE with cause ``HANGUP`` (Asterisk's HANGUP
  status). The wall-clock budget and comfort-noise frames of a live channel do not arise for
  recorded audio.

Conventions
-----------
Parameters keep Asterisk's integer milliseconds (``*_ms``) so the arithmetic is exact; the
``amd.conf`` key is given for each. Float audio is put on the 16-bit scale as
``rint(audio * 32768)`` saturated to int16 (``amd.float_to_int16``).
"""

from __future__ import annotations

import numpy as np

from amd.detectors._base import Decision, Detector, DetectorStream, require

__all__ = ["AsteriskAmd"]

_STATE_IN_WORD = 1
_STATE_IN_SILENCE = 2


class AsteriskAmd(Detector):
    """Asterisk ``app_amd`` with its defaults (``amd.conf.sample``, ``dsp.conf.sample``).

    Parameters
    ----------
    initial_silence_ms : int > 0 [ms]
        ``initial_silence``: silence before any speech giving MACHINE. Default 2500.
    greeting_ms : int > 0 [ms]
        ``greeting``: total voiced time after the greeting started giving MACHINE. Default 1500.
    after_greeting_silence_ms : int > 0 [ms]
        ``after_greeting_silence``: silence after the greeting giving HUMAN. Default 800.
    total_analysis_time_ms : int > 0 [ms]
        ``total_analysis_time``: budget giving NOTSURE. Default 5000.
    min_word_length_ms : int > 0 [ms]
        ``min_word_length``: unbroken voice that makes a word. Default 100.
    between_words_silence_ms : int > 0 [ms]
        ``between_words_silence``: silence that ends a word. Default 50.
    maximum_number_of_words : int >= 0
        ``maximum_number_of_words``: more words than this gives MACHINE. Default 2.
    silence_threshold : int in [0, 32768]
        ``silence_threshold``: mean ``|sample|`` (16-bit scale) below which a packet is silent.
        Default 256 (about -42 dBFS).
    maximum_word_length_ms : int > 0 [ms]
        ``maximum_word_length``: one unbroken word this long gives MACHINE. Default 5000.

    Examples
    --------
    >>> import numpy as np
    >>> AsteriskAmd().detect(np.zeros(8000 * 3), 8000)
    Decision(label='machine', score=None, decided_at_s=2.5, cause='INITIALSILENCE-2500-2500')
    """

    name = "asterisk"

    def __init__(
        self,
        *,
        initial_silence_ms: int = 2500,
        greeting_ms: int = 1500,
        after_greeting_silence_ms: int = 800,
        total_analysis_time_ms: int = 5000,
        min_word_length_ms: int = 100,
        between_words_silence_ms: int = 50,
        maximum_number_of_words: int = 2,
        silence_threshold: int = 256,
        maximum_word_length_ms: int = 5000,
    ) -> None:
        self.initial_silence_ms = initial_silence_ms
        self.greeting_ms = greeting_ms
        self.after_greeting_silence_ms = after_greeting_silence_ms
        self.total_analysis_time_ms = total_analysis_time_ms
        self.min_word_length_ms = min_word_length_ms
        self.between_words_silence_ms = between_words_silence_ms
        self.maximum_number_of_words = maximum_number_of_words
        self.silence_threshold = silence_threshold
        self.maximum_word_length_ms = maximum_word_length_ms

    def _validate(self) -> None:
        for key, value in self.get_params().items():
            lo = 0 if key in ("maximum_number_of_words", "silence_threshold") else 1
            rule = "an int >= 0" if lo == 0 else "an int > 0 (milliseconds)"
            ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= lo
            require(ok, key, rule, value)
        require(
            self.silence_threshold <= 32768,
            "silence_threshold",
            "<= 32768 (16-bit scale)",
            self.silence_threshold,
        )

    def _make_stream(self) -> DetectorStream:
        return _AsteriskStream(self)


class _AsteriskStream(DetectorStream):
    """The per-call state of ``app_amd`` (variable names follow the C source's meaning)."""

    def __init__(self, p: AsteriskAmd) -> None:
        super().__init__()
        self.p = p
        self.total_time_ms = 0
        self.dsp_silence_ms = 0  # the DSP's running silence total
        self.silence_ms = 0
        self.consecutive_voice_ms = 0
        self.voice_ms = 0
        self.n_words = 0
        self.state = _STATE_IN_WORD  # the quirk: not IN_SILENCE at start
        self.in_initial_silence = True
        self.in_greeting = False

    def _decide(self, label: str, cause: str) -> Decision:
        return Decision(label, None, self.elapsed_s, cause)

    def _step(self, frame: np.ndarray) -> Decision | None:
        p = self.p
        frame_ms = frame.size // 8  # samples / 8 at 8 kHz, integer as in Asterisk
        self.total_time_ms += frame_ms
        if self.total_time_ms >= p.total_analysis_time_ms:
            return self._decide("notsure", f"TOOLONG-{self.total_time_ms}")
        pcm = np.clip(np.rint(frame * 32768.0), -32768.0, 32767.0)
        mean_abs = int(np.abs(pcm).sum()) // frame.size  # integer mean as in dsp.c
        if mean_abs < p.silence_threshold:
            self.dsp_silence_ms += frame_ms
            return self._silent()
        self.dsp_silence_ms = 0
        return self._voiced(frame_ms)

    def _silent(self) -> Decision | None:
        p = self.p
        self.silence_ms = self.dsp_silence_ms
        if self.silence_ms >= p.between_words_silence_ms:
            self.state = _STATE_IN_SILENCE
            self.consecutive_voice_ms = 0
        if self.in_initial_silence and self.silence_ms >= p.initial_silence_ms:
            return self._decide("machine", f"INITIALSILENCE-{self.silence_ms}-{p.initial_silence_ms}")
        if self.in_greeting and self.silence_ms >= p.after_greeting_silence_ms:
            return self._decide("human", f"HUMAN-{self.silence_ms}-{p.after_greeting_silence_ms}")
        return None

    def _voiced(self, frame_ms: int) -> Decision | None:
        p = self.p
        self.consecutive_voice_ms += frame_ms
        self.voice_ms += frame_ms
        if self.consecutive_voice_ms >= p.min_word_length_ms and self.state == _STATE_IN_SILENCE:
            self.n_words += 1
            self.state = _STATE_IN_WORD
        if self.consecutive_voice_ms >= p.maximum_word_length_ms:
            return self._decide("machine", f"MAXWORDLENGTH-{self.consecutive_voice_ms}")
        if self.n_words > p.maximum_number_of_words:
            return self._decide("machine", f"MAXWORDS-{self.n_words}-{p.maximum_number_of_words}")
        if self.in_greeting and self.voice_ms >= p.greeting_ms:
            return self._decide("machine", f"LONGGREETING-{self.voice_ms}-{p.greeting_ms}")
        if self.voice_ms >= p.min_word_length_ms:
            self.silence_ms = 0
        if self.consecutive_voice_ms >= p.min_word_length_ms and not self.in_greeting:
            self.in_initial_silence = False
            self.in_greeting = True
        return None
