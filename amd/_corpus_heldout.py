"""Scripted sentences in the held-out languages of the AMD corpus.

Training and tuning use English and German only. These languages (French, Spanish, Italian,
Dutch, Portuguese) are spoken by espeak-ng voices that no training clip uses, and appear only
in the held-out part of the test split, so the benchmark can report how a detector does on
languages and voices it has never heard. The wording mirrors the English and German scripts
of ``amd._corpus_scripts``; names and companies are invented.

Conventions
-----------
Keys are the answer kinds of docs/architecture.md; values map a language code to texts.
"""

from __future__ import annotations

#: espeak-ng voices of each held-out language (never used by the train split).
HELDOUT_VOICES = {
    "fr": ("fr-fr", "fr-be"),
    "es": ("es", "es-419"),
    "it": ("it",),
    "nl": ("nl",),
    "pt": ("pt", "pt-br"),
}
HELDOUT_LANGUAGES = tuple(HELDOUT_VOICES)

HUMAN_SHORT = {
    "fr": ("Allô ?", "Oui, allô ?", "Bonjour.", "Martin, j'écoute."),
    "es": ("¿Diga?", "¿Sí?", "Hola, ¿quién es?", "García, dígame."),
    "it": ("Pronto?", "Sì, pronto?", "Buongiorno.", "Rossi, chi parla?"),
    "nl": ("Hallo?", "Met Jansen.", "Ja, hallo?", "Goedemiddag."),
    "pt": ("Estou?", "Sim, diga.", "Olá, quem fala?", "Bom dia."),
}

HELLO_AGAIN = {
    "fr": ("Allô ?", "Allô ? Il y a quelqu'un ?"),
    "es": ("¿Diga?", "¿Hola? ¿Me oye?"),
    "it": ("Pronto?", "Pronto? Mi sente?"),
    "nl": ("Hallo?", "Hallo? Is daar iemand?"),
    "pt": ("Estou?", "Está lá alguém?"),
}

HUMAN_LONG = {
    "fr": (
        "Cabinet Durand, Claire à l'appareil, bonjour.",
        "Bonjour, Garage Lefèvre, que puis-je faire pour vous ?",
    ),
    "es": (
        "Seguros Navarro, le atiende Lucía, buenos días.",
        "Clínica Dental Sol, dígame, ¿en qué puedo ayudarle?",
    ),
    "it": ("Studio Bianchi, sono Giulia, buongiorno.", "Autofficina Conti, buongiorno, come posso aiutarla?"),
    "nl": (
        "Goedemorgen, Bakkerij De Vries, met Sanne.",
        "Tandartspraktijk Bos, goedemiddag, waarmee kan ik helpen?",
    ),
    "pt": ("Clínica Sorriso, fala a Marta, bom dia.", "Oficina Ferreira, boa tarde, em que posso ajudar?"),
}

VOICEMAIL_BEEP = {
    "fr": (
        "Bonjour, vous êtes bien chez Sophie Bernard. Laissez-moi un message après le bip sonore.",
        "Vous êtes sur la messagerie de Julien. Je ne suis pas disponible, laissez votre nom et votre numéro après le signal.",
    ),
    "es": (
        "Hola, has llamado a Carmen López. Ahora no puedo atenderte. Deja tu mensaje después de la señal.",
        "Ha llamado a la familia Ruiz. No estamos en casa. Deje su nombre y su teléfono después del tono.",
    ),
    "it": (
        "Ciao, sono Marco. Non posso rispondere, lascia un messaggio dopo il segnale acustico.",
        "Avete chiamato la famiglia Ricci. Lasciate un messaggio dopo il bip, vi richiameremo.",
    ),
    "nl": (
        "Hallo, u spreekt met de voicemail van Pieter de Boer. Spreek een bericht in na de piep.",
        "Hoi, met Eva. Ik ben er even niet. Laat een berichtje achter na de toon.",
    ),
    "pt": (
        "Olá, ligou para o Rui Costa. Não posso atender agora. Deixe a sua mensagem após o sinal.",
        "Está a falar com o correio de voz da família Santos. Deixe o seu nome e número após o bip.",
    ),
}

VOICEMAIL_NOBEEP = {
    "fr": (
        "Bonjour, le cabinet Durand est fermé. Nos horaires sont de neuf heures à dix-huit heures. Merci de rappeler.",
    ),
    "es": (
        "Gracias por llamar a Seguros Navarro. Nuestro horario es de nueve a seis. Por favor, llame más tarde.",
    ),
    "it": (
        "Grazie per aver chiamato lo Studio Bianchi. Siamo chiusi. Vi preghiamo di richiamare in orario d'ufficio.",
    ),
    "nl": (
        "Welkom bij Tandartspraktijk Bos. Wij zijn gesloten. Belt u alstublieft tijdens kantooruren terug.",
    ),
    "pt": (
        "Obrigado por ligar para a Oficina Ferreira. Estamos fechados. Por favor, volte a ligar mais tarde.",
    ),
}

CARRIER = {
    "fr": (
        "Le numéro que vous avez demandé n'est pas disponible actuellement. Veuillez rappeler ultérieurement.",
    ),
    "es": ("El teléfono móvil al que llama está apagado o fuera de cobertura en este momento.",),
    "it": (
        "Il cliente da lei chiamato non è al momento raggiungibile. La preghiamo di riprovare più tardi.",
    ),
    "nl": (
        "Het nummer dat u heeft gekozen is op dit moment niet bereikbaar. Probeert u het later nog eens.",
    ),
    "pt": ("O número para o qual ligou não está disponível neste momento. Por favor, tente mais tarde.",),
}

SCREENING = {
    "fr": (
        "Bonjour, la personne que vous appelez filtre ses appels. Dites votre nom et la raison de votre appel.",
    ),
    "es": ("Hola, soy un asistente de llamadas. Diga su nombre y el motivo de su llamada, por favor.",),
    "it": ("Salve, sono l'assistente di chiamata. Per favore, dica il suo nome e il motivo della chiamata.",),
    "nl": ("Hallo, u spreekt met een belassistent. Zeg uw naam en waarom u belt, alstublieft.",),
    "pt": ("Olá, sou o assistente de chamadas. Diga o seu nome e o motivo da chamada, por favor.",),
}
