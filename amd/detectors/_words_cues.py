"""Transcript cues of the ``words`` detector: what a greeting says, and whether to believe it.

A speech recogniser on an 8 kHz line invents text on noise and silence (Whisper's known
failure: repeated words, text in another script), so a transcript counts only when the
runtime's own confidence passes a gate: the probability of "no speech" the decoder assigns
and the mean log-probability of the decoded tokens (``docs/sources.md`` §6.1). Two gates are
used: a normal one for cues heard after the compliance deadline, and a strict one for the
only transcript evidence allowed to say ``machine`` before the deadline.

Openings that recordings and receptionists share ("you've reached", "thank you for calling",
"call back") are deliberately not machine cues: a receptionist's "Hello, you've reached Acme,
who's calling?" loses its last words to the recogniser often enough that such a cue would hang
up on people after the deadline (measured in ``docs/amd.md``).

Cues are phrases, matched on a normalised transcript (lower case, letters and digits only,
umlauts kept, apostrophes removed so "you've" and "youve" match alike):

- ``STRONG_MACHINE``: instructions or network wording a person answering a call does not say
  ("leave a message", "after the tone", "the person you are calling", "mailbox",
  "nach dem Signalton", "nicht erreichbar");
- ``HUMAN``: a person inviting the caller to speak ("speaking", "how can I help", "who's
  calling", "was kann ich für Sie tun", "wer spricht da").

Conventions
-----------
``avg_logprob`` in nats per token (<= 0), ``no_speech_prob`` in [0, 1]; language codes
``'en'`` and ``'de'``.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass

__all__ = ["HUMAN", "STRONG_MACHINE", "Transcript", "find_cue", "normalise"]

STRONG_MACHINE = {
    "en": (
        "leave a message",
        "leave your message",
        "leave your name",
        "leave me a message",
        "record your message",
        "after the tone",
        "after the beep",
        "at the tone",
        "not available",
        "is unavailable",
        "cant come to the phone",
        "cannot come to the phone",
        "cant take your call",
        "cannot take your call",
        "the person you are calling",
        "the person youre calling",
        "the person you called",
        "the number you have dialed",
        "the number you have dialled",
        "the number you dialed",
        "voice message system",
        "voicemail",
        "voice mail",
        "mailbox",
        "switched off",
        "screening service",
        "say your name",
        "state your name",
        "record your name",
        "reason for calling",
        "why youre calling",
        "please try again later",
        "try again later",
        "is not answering",
        "nobody is available",
        "no one is available",
        "to take your call",
        "enter your phone number",
        "the area code",
        "not in service",
        "has been disconnected",
        "please call again later",
        "please call back",
        "business hours",
        "office hours",
        "our office is closed",
    ),
    "de": (
        "nicht erreichbar",
        "nach dem signalton",
        "nach dem piepton",
        "eine nachricht",
        "ihre nachricht",
        "hinterlassen sie",
        "mailbox",
        "mobilbox",
        "sprachbox",
        "anrufbeantworter",
        "aufs band",
        "auf das band",
        "kein anschluss",
        "gewünschte gesprächspartner",
        "gewünschte teilnehmer",
        "der teilnehmer ist",
        "später wieder an",
        "später noch einmal",
        "geschäftszeiten",
        "anrufassistent",
        "nennen sie ihren namen",
        "sagen sie ihren namen",
        "grund ihres anrufs",
    ),
}

HUMAN = {
    "en": (
        "speaking",
        "how can i help",
        "how may i help",
        "can i help you",
        "what can i do for you",
        "whos calling",
        "who is calling",
        "who is this",
        "whos this",
        "who is speaking",
        "this is he",
        "this is she",
    ),
    "de": (
        "was kann ich für sie tun",
        "wie kann ich ihnen helfen",
        "wer spricht",
        "wer ist da",
        "wer ist dran",
        "am apparat",
        "mit wem spreche ich",
    ),
}


@dataclass(frozen=True)
class Transcript:
    """What the recogniser heard in the audio so far, with the runtime's confidence.

    Parameters
    ----------
    text : str
        Decoded text (all segments joined).
    avg_logprob : float <= 0 [nats per token]
        Mean log-probability of the decoded tokens (the lowest over segments).
    no_speech_prob : float in [0, 1]
        The decoder's probability that the window holds no speech (the highest over segments).
    """

    text: str
    avg_logprob: float
    no_speech_prob: float

    @property
    def compression_ratio(self) -> float:
        """Length of the UTF-8 text over its zlib-compressed length (a looping decode is high)."""
        raw = self.text.encode("utf-8")
        return len(raw) / len(zlib.compress(raw)) if raw else 0.0

    def passes(
        self, *, max_no_speech_prob: float, min_avg_logprob: float, max_compression_ratio: float = 2.4
    ) -> bool:
        """Whether the runtime is confident enough in this transcript to act on its words.

        The text must be non-empty, the no-speech probability at most ``max_no_speech_prob``,
        the mean token log-probability at least ``min_avg_logprob``, and the compression ratio
        at most ``max_compression_ratio`` (Whisper's own 2.4 for repetition loops such as
        "I'm a student, I'm a student, ...", ``docs/sources.md`` §6.1).
        """
        return (
            bool(self.text.strip())
            and self.no_speech_prob <= max_no_speech_prob
            and self.avg_logprob >= min_avg_logprob
            and self.compression_ratio <= max_compression_ratio
        )


_KEEP = re.compile(r"[^0-9a-zäöüß ]+")


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation to spaces, single spaces, padded.

    Examples
    --------
    >>> normalise("Hi, you've reached Laura. Please LEAVE a message!")
    ' hi youve reached laura please leave a message '
    """
    text = unicodedata.normalize("NFC", text.lower()).replace("'", "").replace("\u2019", "")
    return " " + " ".join(_KEEP.sub(" ", text).split()) + " "


def find_cue(text: str, table: dict[str, tuple[str, ...]], language: str) -> str | None:
    """The first phrase of ``table[language]`` that occurs as whole words in ``text``, or None."""
    norm = normalise(text)
    for phrase in table.get(language, ()):
        if f" {phrase} " in norm:
            return phrase
    return None
