"""What happens in the first seconds after answer, one function per answer kind.

A *source* is one recorded prompt group or one scripted text; a *scene* places it on a
timeline with pre-speech silence, room noise, pauses, beeps or tones, and reports exact label
times. The telephone channel is applied later by ``amd.corpus``.

Conventions
-----------
- Times are seconds from answer (the start of the clip); clips are at most ``MAX_CLIP_S``.
- Speech is placed at an active level of about -26 dBFS (ITU-T P.56 nominal active speech
  level of -26 dBov), varied by +-6 dB per clip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from amd import _corpus_heldout as heldout
from amd import _corpus_scripts as scripts
from amd._corpus_sources import SR, CorpusError, Renderer, breath, fax_answer, set_level, sit_tones, tone
from amd.channel import make_noise
from callvocab import ANSWER_KINDS

MAX_CLIP_S = 8.0
#: Length of a long human greeting (a business answer), uniform over this range in seconds: the
#: dialer model's ``answer.timing.human_long_greeting.greeting_s`` (``docs/sources.md`` §5.8).
LONG_GREETING_S = (1.8, 4.0)
#: Speaking rates (words per minute) a long greeting may be rendered at to reach its length.
_LONG_GREETING_WPM = (130, 260)
_VOICES = {**scripts.VOICES, **heldout.HELDOUT_VOICES}
_HELLO_AGAIN = {**scripts.HELLO_AGAIN, **heldout.HELLO_AGAIN}

# Asterisk prompt groups: source id -> (language, prompt names). Connector prompts shared by
# several groups ("the person at extension", digits, "please leave your message") are listed
# in docs/corpus.md as a split limitation.
_ASTERISK = {
    "asterisk:hello": ["hello"],
    "asterisk:vm-isunavail": ["vm-theperson", "#ext", "vm-isunavail"],
    "asterisk:vm-isonphone": ["vm-theperson", "#ext", "vm-isonphone"],
    "asterisk:vm-nobodyavail": ["vm-nobodyavail"],
    "asterisk:number-not-answering": ["number-not-answering"],
    "asterisk:cannot-complete-as-dialed": ["cannot-complete-as-dialed", "check-number-dial-again"],
    "asterisk:all-circuits-busy-now": ["all-circuits-busy-now", "please-try-call-later"],
    "asterisk:ss-noservice": ["ss-noservice"],
    "asterisk:privacy-prompt": ["privacy-prompt"],
    "asterisk:priv-recordintro": ["priv-recordintro"],
    "asterisk:privacy-unident": ["privacy-unident"],
}
_SIT_SOURCES = {
    "asterisk:cannot-complete-as-dialed",
    "asterisk:ss-noservice",
    "Kein Anschluss unter dieser Nummer.",
}
_HUMAN_NAMES = (
    "phonetic/v_p",
    "phonetic/j_p",
    "phonetic/o_p",
    "phonetic/r_p",
    "phonetic/m_p",
    "phonetic/c_p",
)


@dataclass(frozen=True)
class Source:
    """One split group: an Asterisk prompt group (``prompts``) or a scripted text (``text``)."""

    source_id: str
    language: str
    text: str | None = None
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scene:
    """A clean clip before the channel, with its label times in seconds (NaN when absent)."""

    audio: np.ndarray
    language: str
    voice: str
    text: str
    speech_start_s: float = np.nan
    greeting_end_s: float = np.nan
    beep_s: float = np.nan
    tone_start_s: float = np.nan
    truncated: bool = False


def _texts(table: dict[str, tuple[str, ...]]) -> list[Source]:
    return [
        Source(f"espeak:{lang}:{text}", lang, text=text) for lang, texts in table.items() for text in texts
    ]


def _prompts(*ids: str) -> list[Source]:
    return [Source(i, "en", prompts=tuple(_ASTERISK[i])) for i in ids]


def source_pools() -> dict[str, list[Source]]:
    """The candidate sources of every kind (a source may serve several kinds)."""
    short = _prompts("asterisk:hello") + _texts(scripts.HUMAN_SHORT)
    return {
        "human": short,
        "human_hello_hello": short,
        "human_long_greeting": _texts(scripts.HUMAN_LONG),
        "human_silent": [
            Source(f"silence:{c}", "") for c in ("pink", "brown", "white", "pink+breath", "brown+breath")
        ],
        "machine_beep": _prompts("asterisk:vm-isunavail", "asterisk:vm-isonphone")
        + _texts(scripts.VOICEMAIL_BEEP),
        "machine_nobeep": _prompts("asterisk:vm-nobodyavail") + _texts(scripts.VOICEMAIL_NOBEEP),
        "machine_carrier": _prompts(
            "asterisk:number-not-answering",
            "asterisk:cannot-complete-as-dialed",
            "asterisk:all-circuits-busy-now",
            "asterisk:ss-noservice",
        )
        + _texts(scripts.CARRIER),
        "screening_assistant": _prompts(
            "asterisk:privacy-prompt", "asterisk:priv-recordintro", "asterisk:privacy-unident"
        )
        + _texts(scripts.SCREENING),
        "fax": [Source(f"fax:{v}", "") for v in ("ced", "ansam", "cng")],
    }


def heldout_pools() -> dict[str, list[Source]]:
    """The sources of every speech kind in the held-out languages (test split only)."""
    short = _texts(heldout.HUMAN_SHORT)
    return {
        "human": short,
        "human_hello_hello": short,
        "human_long_greeting": _texts(heldout.HUMAN_LONG),
        "machine_beep": _texts(heldout.VOICEMAIL_BEEP),
        "machine_nobeep": _texts(heldout.VOICEMAIL_NOBEEP),
        "machine_carrier": _texts(heldout.CARRIER),
        "screening_assistant": _texts(heldout.SCREENING),
    }


def _speech(
    source: Source,
    renderer: Renderer,
    rng: np.random.Generator,
    *,
    voice: str | None = None,
    target_s: float | None = None,
) -> tuple[np.ndarray, str]:
    """Render a source's speech at a random level; returns (audio, voice description).

    With ``target_s`` a synthesised text is rendered again at the speaking rate that brings it
    to about that length (within ``_LONG_GREETING_WPM``; the caller checks the result).
    """
    level_dbfs = float(rng.uniform(-32.0, -20.0))
    if source.prompts:
        parts = []
        for name in source.prompts:
            if name == "#ext":  # an extension number read digit by digit, as app_voicemail does
                parts += [
                    renderer.prompt(f"digits/{d}") for d in rng.integers(0, 10, size=int(rng.integers(3, 5)))
                ]
            else:
                parts.append(renderer.prompt(name))
            if source.source_id == "asterisk:hello" and rng.random() < 0.4:
                parts.append(renderer.prompt(str(rng.choice(_HUMAN_NAMES))))
        gap = np.zeros(int(0.12 * SR))
        audio = np.concatenate([p for part in parts for p in (part, gap)][:-1])
        return set_level(audio, level_dbfs), "asterisk:en_US_f_Allison"
    if voice is None:
        voice = f"{rng.choice(_VOICES[source.language])}+{rng.choice(scripts.VARIANTS)}"
    if "{digits}" in source.text:
        text = source.text.replace("{digits}", " ".join(rng.choice(scripts.DIGIT_WORDS[source.language], size=7)))
    else:
        text = source.text
    speed, pitch = int(rng.integers(145, 196)), int(rng.integers(25, 76))
    audio = renderer.speak(text, voice=voice, speed_wpm=speed, pitch=pitch)
    if target_s is not None:
        lo, hi = _LONG_GREETING_WPM
        speed = int(np.clip(round(speed * audio.size / SR / target_s), lo, hi))
        audio = renderer.speak(text, voice=voice, speed_wpm=speed, pitch=pitch)
    return set_level(audio, level_dbfs), f"espeak-ng:{voice}:s{speed}"


def _room(
    n_samples: int, rng: np.random.Generator, *, low_dbfs: float = -72.0, high_dbfs: float = -52.0
) -> np.ndarray:
    color = str(rng.choice(["pink", "brown", "white"]))
    return make_noise(n_samples, level_dbfs=float(rng.uniform(low_dbfs, high_dbfs)), color=color, rng=rng)


def _place(parts: list[tuple[float, np.ndarray]], length_s: float) -> tuple[np.ndarray, bool]:
    """Mix ``(start_s, signal)`` parts on a timeline of ``min(length_s, MAX_CLIP_S)`` seconds."""
    n = int(round(min(length_s, MAX_CLIP_S) * SR))
    out = np.zeros(n)
    truncated = False
    for start_s, signal in parts:
        i = int(round(start_s * SR))
        truncated |= i + signal.size > n
        if i < n:
            end = min(n, i + signal.size)
            out[i:end] += signal[: end - i]
    return out, truncated


def _beep(renderer: Renderer, rng: np.random.Generator) -> np.ndarray:
    if rng.random() < 0.25:
        return renderer.prompt("beep") * 10.0 ** (rng.uniform(-6.0, 3.0) / 20.0)
    return tone(
        float(rng.uniform(400.0, 2000.0)),
        float(rng.uniform(0.1, 1.5)),
        level_dbfs=float(rng.uniform(-20.0, -8.0)),
    )


def human_scene(kind: str, source: Source, renderer: Renderer, rng: np.random.Generator) -> Scene:
    """``human``, ``human_hello_hello`` and ``human_long_greeting``: speak, then wait 2-4 s."""
    pre_s = float(rng.uniform(0.2, 1.5))
    if kind == "human_long_greeting":
        speech, voice = _speech(source, renderer, rng, target_s=float(rng.uniform(*LONG_GREETING_S)))
        if not LONG_GREETING_S[0] <= speech.size / SR <= LONG_GREETING_S[1]:
            raise _DoesNotFit
    else:
        speech, voice = _speech(source, renderer, rng)
    parts = [(pre_s, speech)]
    end_s = pre_s + speech.size / SR
    greeting_end_s = end_s
    if kind == "human_hello_hello":
        again = Source("again", source.language or "en", prompts=("hello",) if source.prompts else ())
        if not source.prompts:
            again = Source(
                "again", source.language, text=str(rng.choice(_HELLO_AGAIN[source.language]))
            )
        second, _ = _speech(again, renderer, rng, voice=None if source.prompts else voice.split(":")[1])
        start2_s = end_s + float(rng.uniform(0.8, 2.0))
        parts.append((start2_s, second))
        end_s = start2_s + second.size / SR
    length_s = end_s + float(rng.uniform(2.0, 4.0))
    audio, truncated = _place(parts, length_s)
    audio += _room(audio.size, rng)
    text = source.text or "+".join(source.prompts)
    return Scene(audio, source.language, voice, text, pre_s, greeting_end_s, truncated=truncated)


def silent_scene(source: Source, rng: np.random.Generator) -> Scene:
    """``human_silent``: line and room noise only, sometimes a breath."""
    color = source.source_id.split(":")[1].split("+")[0]
    n = int(round(float(rng.uniform(5.0, MAX_CLIP_S)) * SR))
    audio = make_noise(n, level_dbfs=float(rng.uniform(-65.0, -42.0)), color=color, rng=rng)
    if "breath" in source.source_id:
        b = breath(level_dbfs=float(rng.uniform(-50.0, -38.0)), rng=rng)
        i = int(rng.integers(int(0.5 * SR), n - b.size))
        audio[i : i + b.size] += b
    return Scene(audio, "", "", "")


def machine_scene(kind: str, source: Source, renderer: Renderer, rng: np.random.Generator) -> Scene:
    """Voicemail (with or without beep), carrier announcements and call-screening assistants."""
    pre_s = float(rng.uniform(0.05, 2.5)) if kind != "screening_assistant" else float(rng.uniform(0.1, 1.2))
    speech, voice = _speech(source, renderer, rng)
    parts: list[tuple[float, np.ndarray]] = []
    tone_start_s = np.nan
    if source.source_id in _SIT_SOURCES or source.text in _SIT_SOURCES:
        sit = sit_tones(level_dbfs=float(rng.uniform(-22.0, -14.0)))
        parts.append((pre_s, sit))
        tone_start_s, pre_s = pre_s, pre_s + sit.size / SR
    greeting_end_s = pre_s + speech.size / SR
    parts.append((pre_s, speech))
    text = source.text or "+".join(source.prompts)
    wants_beep = kind == "machine_beep" or (
        kind != "machine_nobeep" and any(w in text for w in ("tone", "Signalton"))
    )
    beep_s = np.nan
    if wants_beep:
        beep = _beep(renderer, rng)
        beep_s = greeting_end_s + float(rng.uniform(0.2, 1.0))
        if kind == "machine_beep" and beep_s + beep.size / SR > MAX_CLIP_S - 0.2:
            raise _DoesNotFit
        parts.append((beep_s, beep))
        end_s = beep_s + beep.size / SR + float(rng.uniform(0.5, 1.5))
    else:
        end_s = greeting_end_s + float(rng.uniform(0.5, 3.0))
    audio, truncated = _place(parts, end_s)
    if not beep_s < audio.size / SR:
        beep_s = np.nan  # cut off by the 8 s limit: no beep in the clip
    audio += _room(audio.size, rng, low_dbfs=-80.0, high_dbfs=-60.0)
    return Scene(audio, source.language, voice, text, pre_s, greeting_end_s, beep_s, tone_start_s, truncated)


def fax_scene(source: Source, rng: np.random.Generator) -> Scene:
    """``fax``: fax or modem answer tones, no speech."""
    variant = source.source_id.split(":")[1]
    audio, tone_start_s = fax_answer(
        variant, float(rng.uniform(5.0, MAX_CLIP_S)), level_dbfs=float(rng.uniform(-18.0, -10.0)), rng=rng
    )
    audio += _room(audio.size, rng, low_dbfs=-80.0, high_dbfs=-60.0)
    return Scene(audio, "", variant, "", tone_start_s=tone_start_s)


class _DoesNotFit(Exception):
    """The drawn greeting plus beep does not fit in MAX_CLIP_S; the caller draws again."""


def make_scene(kind: str, source: Source, renderer: Renderer, rng: np.random.Generator) -> Scene | None:
    """The scene for ``kind`` from ``source``, or None if a beep would not fit in the clip."""
    if kind not in ANSWER_KINDS:
        raise CorpusError(f"`kind` must be one of {ANSWER_KINDS}; got {kind!r}.")
    try:
        if kind.startswith("human") and kind != "human_silent":
            return human_scene(kind, source, renderer, rng)
        if kind == "human_silent":
            return silent_scene(source, rng)
        if kind == "fax":
            return fax_scene(source, rng)
        return machine_scene(kind, source, renderer, rng)
    except _DoesNotFit:
        return None
