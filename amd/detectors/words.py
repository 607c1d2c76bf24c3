"""The ``words`` detector: cadence and tone evidence first, then what the greeting says.

Within the 2 s a regulator allows, a long live greeting ("Good morning, Acme Insurance, Jane
speaking, how can I help?") and a voicemail greeting are the same kind of sound; only the
words differ. This detector cascades three stages on every 20 ms packet:

1. **Tones** (the beep tracker of ``amd.detectors.beep`` and its 2100 Hz fax/modem
   answer-tone bank; SIT tones confirm as beeps): MACHINE at once, at any time.
2. **Cadence** (the WebRTC VAD ``SpeechTracker`` of ``amd.detectors.vad``): no speech by
   ``silence_timeout_s`` is HUMAN (a person waiting for the caller); a reply shorter than
   ``short_speech_s`` followed by ``end_silence_s`` of silence is HUMAN.
3. **Words**, only while the call is undecided: at ``checkpoints_s`` after the speech onset,
   and when a long greeting falls silent, the audio since the onset is transcribed with
   Whisper (``amd.detectors._whisper``) and searched for cues (``amd.detectors._words_cues``).
   A human cue gives HUMAN. A machine cue gives MACHINE; before ``deadline_s`` only when the
   transcript passes the strict confidence gate, the only transcript evidence a person
   practically never gives. A long greeting that ends without a cue waits ``beep_wait_s``
   for a beep, then gets ``fallback_label``.

So the detector never says MACHINE before the deadline on cadence alone: its later MACHINE
verdicts are meant to release an agent who was connected at the deadline, and a person is
at worst connected, never hung up on for speaking long.

Conventions
-----------
Times in seconds from answer, ``checkpoints_s`` and ``deadline_s`` from the speech onset;
audio at 8 kHz in 20 ms packets; ``score`` is ``None``; ``cause`` names the stage
(``BEEP``, ``ANSWERTONE``, ``SILENCE``, ``SHORTREPLY``, ``HUMANCUE:<phrase>``,
``MACHINECUE:<phrase>``, ``NOCUE``, ``MAXWAIT``, ``HANGUP``).
"""

from __future__ import annotations

import math

import numpy as np

from amd.detectors._base import FRAME_S, Decision, Detector, DetectorStream, require
from amd.detectors._whisper import WHISPER_MODELS, load_whisper, model_files, transcribe
from amd.detectors._words_cues import HUMAN, STRONG_MACHINE, Transcript, find_cue
from amd.detectors.beep import BeepDetector, BeepTracker, answer_tone_detector
from amd.detectors.vad import SpeechTracker

__all__ = ["WordsDetector"]

#: Languages with cue lists, per model (tiny.en is English only).
LANGUAGES = {"tiny.en": ("en",), "base": ("en", "de")}
_POSITIVE_S = (
    "deadline_s",
    "window_s",
    "short_speech_s",
    "end_silence_s",
    "greeting_end_silence_s",
    "beep_wait_s",
    "max_listen_s",
    "silence_timeout_s",
)


class WordsDetector(Detector):
    """Tone and cadence rules cascaded with Whisper transcripts at checkpoints.

    Parameters
    ----------
    model : {'tiny.en', 'base'}
        Whisper model: English-only tiny (default) or multilingual base.
    language : {'en', 'de'}
        The campaign's language, forced on the recogniser (``tiny.en`` takes only ``'en'``).
    checkpoints_s : tuple of float [s]
        Times after the speech onset at which running speech is transcribed; default
        (1.2, 2.0, 3.0, 4.5).
    deadline_s : float > 0 [s]
        The compliance deadline after the speech onset; before it a transcript says MACHINE
        only through a strong cue under the strict gate. Default 2.0 s.
    window_s : float in (0, 30] [s]
        Audio length the Whisper encoder sees (the latest audio, zero padded); default 8 s,
        a quarter of the encoder cost of the 30 s it was trained on, at similar transcripts.
    short_speech_s : float > 0 [s]
        Total speech below which a reply that falls silent is HUMAN; default 1.2 s.
    end_silence_s : float > 0 [s]
        Silence that ends a short reply; default 0.5 s.
    greeting_end_silence_s : float > 0 [s]
        Silence after which a long greeting is taken as ended and transcribed; default 0.8 s.
    beep_wait_s : float > 0 [s]
        Silence after a long greeting without a cue before ``fallback_label``; default 1.5 s.
    max_listen_s : float > 0 [s]
        Listening time after the onset before a final transcript and ``fallback_label``;
        default 8.0 s.
    silence_timeout_s : float > 0 [s]
        No speech by then gives HUMAN; default 3.0 s.
    max_no_speech_prob, min_avg_logprob : float
        Normal transcript gate; defaults 0.6 and -1.0 nats per token.
    strict_no_speech_prob, strict_avg_logprob : float
        Strict gate for MACHINE before the deadline; defaults 0.3 and -0.5.
    lead_s : float >= 0 [s]
        Audio kept before the detected onset in a transcript; default 0.3 s.
    fallback_label : {'human', 'notsure'}
        Answer when the words settle nothing; default ``'human'``.
    cpu_threads : int >= 1
        Threads of the recogniser; default 1.
    """

    name = "words"

    def __init__(
        self,
        *,
        model: str = "tiny.en",
        language: str = "en",
        checkpoints_s: tuple[float, ...] = (1.2, 2.0, 3.0, 4.5),
        deadline_s: float = 2.0,
        window_s: float = 8.0,
        short_speech_s: float = 1.2,
        end_silence_s: float = 0.5,
        greeting_end_silence_s: float = 0.8,
        beep_wait_s: float = 1.5,
        max_listen_s: float = 8.0,
        silence_timeout_s: float = 3.0,
        max_no_speech_prob: float = 0.6,
        min_avg_logprob: float = -1.0,
        strict_no_speech_prob: float = 0.3,
        strict_avg_logprob: float = -0.5,
        lead_s: float = 0.3,
        fallback_label: str = "human",
        cpu_threads: int = 1,
    ) -> None:
        self.model = model
        self.language = language
        self.checkpoints_s = checkpoints_s
        self.deadline_s = deadline_s
        self.window_s = window_s
        self.short_speech_s = short_speech_s
        self.end_silence_s = end_silence_s
        self.greeting_end_silence_s = greeting_end_silence_s
        self.beep_wait_s = beep_wait_s
        self.max_listen_s = max_listen_s
        self.silence_timeout_s = silence_timeout_s
        self.max_no_speech_prob = max_no_speech_prob
        self.min_avg_logprob = min_avg_logprob
        self.strict_no_speech_prob = strict_no_speech_prob
        self.strict_avg_logprob = strict_avg_logprob
        self.lead_s = lead_s
        self.fallback_label = fallback_label
        self.cpu_threads = cpu_threads

    def _validate(self) -> None:
        require(self.model in WHISPER_MODELS, "model", f"one of {', '.join(WHISPER_MODELS)}", self.model)
        langs = LANGUAGES[self.model]
        require(
            self.language in langs, "language", f"one of {', '.join(langs)} for {self.model}", self.language
        )
        for key in _POSITIVE_S:
            value = getattr(self, key)
            require(_is_real(value) and 0 < value < math.inf, key, "> 0 s and finite", value)
        require(self.window_s <= 30.0, "window_s", "<= 30 s (Whisper's input length)", self.window_s)
        require(_is_real(self.lead_s) and 0 <= self.lead_s <= 1.0, "lead_s", "in [0, 1] s", self.lead_s)
        cps = self.checkpoints_s
        require(
            isinstance(cps, tuple)
            and all(_is_real(c) and 0 < c < math.inf for c in cps)
            and list(cps) == sorted(set(cps)),
            "checkpoints_s",
            "a tuple of increasing finite times > 0 s",
            cps,
        )
        for key in ("max_no_speech_prob", "strict_no_speech_prob"):
            value = getattr(self, key)
            require(_is_real(value) and 0 <= value <= 1, key, "in [0, 1]", value)
        for key in ("min_avg_logprob", "strict_avg_logprob"):
            value = getattr(self, key)
            require(_is_real(value) and -math.inf < value <= 0, key, "a finite log-probability <= 0", value)
        require(
            self.fallback_label in ("human", "notsure"),
            "fallback_label",
            "'human' or 'notsure'",
            self.fallback_label,
        )
        require(
            isinstance(self.cpu_threads, int)
            and not isinstance(self.cpu_threads, bool)
            and self.cpu_threads >= 1,
            "cpu_threads",
            "an int >= 1",
            self.cpu_threads,
        )
        model_files(self.model)  # a missing weights package fails here, with its name

    def _make_stream(self) -> DetectorStream:
        return _WordsStream(self)


def _is_real(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _WordsStream(DetectorStream):
    def __init__(self, p: WordsDetector) -> None:
        super().__init__()
        self.p = p
        self.speech = SpeechTracker(aggressiveness=2, min_speech_s=0.1, word_gap_s=0.2, min_level_dbfs=-50.0)
        self.beeps = BeepTracker(BeepDetector())
        self.answer_tones = BeepTracker(answer_tone_detector())
        self.max_frames = int(round(p.window_s / FRAME_S))
        self.buffer: list[np.ndarray] = []  # the last window_s of audio
        self.first_frame = 0  # packet index of buffer[0]
        self.next_checkpoint = 0
        self.greeting_checked = False  # the current end-of-greeting silence was transcribed
        #: Every transcript taken, as (seconds from answer, Transcript).
        self.transcripts: list[tuple[float, Transcript]] = []

    def _step(self, frame: np.ndarray) -> Decision | None:
        self._remember(frame)
        t = self.elapsed_s
        if self.beeps.update(frame) is not None:
            return Decision("machine", None, t, "BEEP")
        if self.answer_tones.update(frame) is not None:
            return Decision("machine", None, t, "ANSWERTONE")
        sp, p = self.speech, self.p
        sp.update(frame)
        if sp.onset_s is None:
            return Decision("human", None, t, "SILENCE") if t >= p.silence_timeout_s - 1e-9 else None
        since = t - sp.onset_s
        if sp.silence_run_s == 0.0:
            self.greeting_checked = False
        if sp.speech_s < p.short_speech_s - 1e-9:
            if sp.silence_run_s >= p.end_silence_s - 1e-9:
                return Decision("human", None, t, "SHORTREPLY")
        elif sp.silence_run_s >= p.greeting_end_silence_s - 1e-9:
            return self._after_greeting(t, since)
        if (
            self.next_checkpoint < len(p.checkpoints_s)
            and since >= p.checkpoints_s[self.next_checkpoint] - 1e-9
        ):
            self.next_checkpoint += 1
            return self._judge(self._listen(), t, since)
        if since >= p.max_listen_s - 1e-9:
            return self._judge(self._listen(), t, since) or Decision(p.fallback_label, None, t, "MAXWAIT")
        return None

    def _after_greeting(self, t: float, since: float) -> Decision | None:
        """A long greeting fell silent: judge its words once, then wait for a beep."""
        if not self.greeting_checked:
            self.greeting_checked = True
            decision = self._judge(self._listen(), t, since)
            if decision is not None:
                return decision
        if self.speech.silence_run_s >= self.p.beep_wait_s - 1e-9:
            return Decision(self.p.fallback_label, None, t, "NOCUE")
        return None

    def _remember(self, frame: np.ndarray) -> None:
        self.buffer.append(frame.copy())
        if len(self.buffer) > self.max_frames:
            self.buffer.pop(0)
            self.first_frame += 1

    def _listen(self) -> Transcript:
        """Transcribe the audio from just before the onset to now (at most ``window_s``)."""
        start = int(round((self.speech.onset_s - self.p.lead_s) / FRAME_S)) - self.first_frame
        audio = np.concatenate(self.buffer[max(start, 0) :])
        model = load_whisper(self.p.model, self.p.cpu_threads)
        heard = transcribe(model, audio, language=self.p.language, window_s=self.p.window_s)
        self.transcripts.append((self.elapsed_s, heard))
        return heard

    def _judge(self, heard: Transcript, t: float, since: float) -> Decision | None:
        """Apply the cues to a transcript taken ``since`` seconds after the speech onset."""
        p, lang = self.p, self.p.language
        if not heard.passes(max_no_speech_prob=p.max_no_speech_prob, min_avg_logprob=p.min_avg_logprob):
            return None
        if (cue := find_cue(heard.text, HUMAN, lang)) is not None:
            return Decision("human", None, t, f"HUMANCUE:{cue}")
        if (cue := find_cue(heard.text, STRONG_MACHINE, lang)) is None:
            return None
        early = since < p.deadline_s - 1e-9
        if early and not heard.passes(
            max_no_speech_prob=p.strict_no_speech_prob, min_avg_logprob=p.strict_avg_logprob
        ):
            return None
        return Decision("machine", None, t, f"MACHINECUE:{cue}")

    def _at_end(self) -> Decision:
        t = self.elapsed_s
        if self.speech.onset_s is None:
            return Decision("notsure", None, t, "HANGUP")
        if not self.greeting_checked:
            decision = self._judge(self._listen(), t, t - self.speech.onset_s)
            if decision is not None:
                return decision
        return Decision(self.p.fallback_label, None, t, "HANGUP")
