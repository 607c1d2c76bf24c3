"""Scripted sentences spoken by the synthesiser for the AMD corpus.

Each distinct text is one *source* for the train/test split. The wording follows what callers
actually hear: short answers, business greetings, personal and carrier voicemail
announcements, and call-screening prompts modelled on the phrasing reported for Google Call
Screen and iOS Call Screening (see ``docs/corpus.md``). Names and companies are invented.

Conventions
-----------
- Keys are the answer kinds of docs/architecture.md; values map a language code (``'en'``, ``'de'``) to texts.
- ``{digits}`` in a text is replaced by a spoken phone number drawn per clip.
"""

from __future__ import annotations

_EN_NAMES = ("Jane", "Tom", "Sarah", "Mike", "Priya", "Daniel", "Laura", "Chris")
_DE_NAMES = ("Anna", "Thomas", "Petra", "Jens", "Katrin", "Stefan", "Julia", "Markus")
_EN_COMPANIES = ("Acme Insurance", "Northwind Travel", "Bluebird Dental", "Riverside Motors")
_DE_COMPANIES = ("Müller Versicherungen", "Autohaus Becker", "Praxis Doktor Weber", "Stadtwerke Nordheim")
_EN_FAMILIES = ("Smith", "Johnson", "Miller", "Garcia", "Brown", "Wilson")
_DE_FAMILIES = ("Schneider", "Fischer", "Wagner", "Hoffmann", "Schulz", "Koch")

HUMAN_SHORT = {
    "en": (
        "Hello?",
        "Hello.",
        "Yes?",
        "Hi.",
        "Yeah, hello?",
        "Hello, Smith.",
        "Johnson speaking.",
        "Speaking.",
        "Hi, who's this?",
        "Hello, Tom here.",
        "Yep?",
        "Good evening.",
    ),
    "de": (
        "Hallo?",
        "Ja, bitte?",
        "Müller.",
        "Ja, hallo?",
        "Schmidt hier.",
        "Guten Tag.",
        "Hallo, wer ist da?",
        "Meier?",
        "Ja?",
        "Fischer, hallo.",
    ),
}

HELLO_AGAIN = {
    "en": ("Hello?", "Hello? Anyone there?", "Hello?? Can you hear me?"),
    "de": ("Hallo?", "Hallo? Ist da wer?"),
}

_LONG_EN = (
    "Good morning, {company}, {name} speaking, how can I help?",
    "{company} customer service, this is {name}, how may I help you today?",
    "Hello, you've reached {name} at {company}, who's calling please?",
    "Hi, {name} here from {company}, what can I do for you?",
)
_LONG_DE = (
    "Guten Tag, {company}, mein Name ist {name}, was kann ich für Sie tun?",
    "{company}, {name} am Apparat, guten Morgen.",
    "Hallo, hier ist {name} von {company}, wer spricht da bitte?",
)

_VM_BEEP_EN = (
    "Hi, you've reached {name} {family}. I can't come to the phone right now. Please leave a message after the tone.",
    "Hello, this is the {family} residence. We're not home. Leave your name and number after the beep.",
    "Hey, it's {name}. Leave a message and I'll call you back.",
    "You have reached {company}. Our office is closed. Please leave a message after the tone.",
)
_VM_BEEP_DE = (
    "Hallo, hier ist der Anschluss von {family}. Bitte sprechen Sie nach dem Signalton.",
    "Guten Tag, Sie sind verbunden mit {company}. Wir sind leider nicht erreichbar. Bitte hinterlassen Sie eine Nachricht.",
    "Hallo, hier ist {name}. Ich bin gerade nicht da. Sprich mir einfach aufs Band.",
)
_VM_NOBEEP_EN = (
    "Hi, this is {name}. I'm away from the phone. Please call again later.",
    "Thank you for calling {company}. Our office hours are nine to five, Monday to Friday. Please call back during business hours.",
    "Hello, you've reached the {family} family. We can't take your call. Try my mobile instead.",
)
_VM_NOBEEP_DE = (
    "Hallo, hier ist {name} {family}. Ich bin zurzeit nicht erreichbar. Bitte rufen Sie später wieder an.",
    "Vielen Dank für Ihren Anruf bei {company}. Unsere Geschäftszeiten sind Montag bis Freitag von acht bis siebzehn Uhr.",
)

CARRIER = {
    "en": (
        "The person you are calling is not available. Please try again later.",
        "Your call has been forwarded to an automatic voice message system. {digits} is not available.",
        "The mobile phone you are calling is switched off. Please try again later.",
        "The number you have dialled is not available at the moment. Please leave a message after the tone.",
        "Sorry, the person you called is unavailable. Record your message after the tone.",
    ),
    "de": (
        "Der gewünschte Gesprächspartner ist zurzeit nicht erreichbar. Bitte versuchen Sie es später noch einmal.",
        "Die Mobilbox von {digits} ist nicht erreichbar. Bitte hinterlassen Sie eine Nachricht nach dem Signalton.",
        "Der Teilnehmer ist vorübergehend nicht erreichbar.",
        "Kein Anschluss unter dieser Nummer.",
    ),
}

SCREENING = {
    "en": (
        "Hi, the person you're calling is using a screening service and will get a copy of this conversation. "
        "Go ahead and say your name and why you're calling.",
        "Hi, if you record your name and reason for calling, I'll see if this person is available.",
        "Please state your name and the reason for calling.",
        "Hello, I'm a call assistant. Who is calling, and what is this about?",
        "The person you are calling screens unknown callers. Please say your name after the tone.",
    ),
    "de": (
        "Hallo, die Person, die Sie anrufen, nutzt einen Anrufassistenten. Bitte nennen Sie Ihren Namen und den Grund Ihres Anrufs.",
        "Bitte sagen Sie Ihren Namen und warum Sie anrufen. Ich frage dann, ob die Person erreichbar ist.",
        "Guten Tag, hier ist der Anrufassistent. Wer ist am Apparat, bitte?",
    ),
}


def _fill(templates: tuple[str, ...], names, companies, families) -> tuple[str, ...]:
    """Every template with a deterministic rotation of names, companies and families (no product blow-up)."""
    out = []
    for i, template in enumerate(templates):
        for j in range(4):
            out.append(
                template.format(
                    name=names[(i + 3 * j) % len(names)],
                    company=companies[(i + j) % len(companies)],
                    family=families[(2 * i + j) % len(families)],
                    digits="{digits}",
                )
            )
    return tuple(dict.fromkeys(out))


HUMAN_LONG = {
    "en": _fill(_LONG_EN, _EN_NAMES, _EN_COMPANIES, _EN_FAMILIES),
    "de": _fill(_LONG_DE, _DE_NAMES, _DE_COMPANIES, _DE_FAMILIES),
}
VOICEMAIL_BEEP = {
    "en": _fill(_VM_BEEP_EN, _EN_NAMES, _EN_COMPANIES, _EN_FAMILIES),
    "de": _fill(_VM_BEEP_DE, _DE_NAMES, _DE_COMPANIES, _DE_FAMILIES),
}
VOICEMAIL_NOBEEP = {
    "en": _fill(_VM_NOBEEP_EN, _EN_NAMES, _EN_COMPANIES, _EN_FAMILIES),
    "de": _fill(_VM_NOBEEP_DE, _DE_NAMES, _DE_COMPANIES, _DE_FAMILIES),
}

#: espeak-ng voices per language and the voice variants (timbres) drawn from.
VOICES = {"en": ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029"), "de": ("de",)}
VARIANTS = (
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m7",
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "klatt",
    "klatt2",
    "adam",
    "linda",
    "paul",
)

#: Digit words for spoken phone numbers.
DIGIT_WORDS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "de": ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"),
}
