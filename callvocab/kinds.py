"""Who or what answers a call: the answer kinds, their truth labels, the AMD labels and the default mix.

Both halves of the project speak of answered calls in these words: the audio corpus labels
each clip with an answer kind, the AMD benchmark writes per-kind behaviour, and the dialer
simulation draws a kind for every answered call (``docs/architecture.md``, "Shared
vocabulary", has the table of kinds).

Conventions
-----------
- The truth label of a kind is ``human`` when a live person is listening, ``machine``
  otherwise (voicemail, network announcement, screening assistant, fax).
- AMD labels are a detector's verdicts: ``human``, ``machine`` or ``notsure``.
- Answer-mix weights are shares of answered calls; the default sums to 1.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "AMD_LABELS",
    "ANSWER_KINDS",
    "DEFAULT_ANSWER_MIX",
    "HUMAN_KINDS",
    "TRUTH_LABELS",
    "TRUTH_OF_KIND",
    "VOICEMAIL_KINDS",
]

#: Every answer kind, in the order the corpus and the simulation list them.
ANSWER_KINDS: tuple[str, ...] = (
    "human",
    "human_hello_hello",
    "human_long_greeting",
    "human_silent",
    "machine_beep",
    "machine_nobeep",
    "machine_carrier",
    "screening_assistant",
    "fax",
)
#: The two truth labels: is a live person listening?
TRUTH_LABELS: tuple[str, ...] = ("human", "machine")
#: Truth label of each answer kind: the four ``human*`` kinds are people, every other kind is not.
TRUTH_OF_KIND: MappingProxyType[str, str] = MappingProxyType(
    {kind: TRUTH_LABELS[0] if kind.startswith("human") else TRUTH_LABELS[1] for kind in ANSWER_KINDS}
)
#: The kinds whose truth is ``human`` (a live person answered).
HUMAN_KINDS: frozenset[str] = frozenset(k for k in ANSWER_KINDS if TRUTH_OF_KIND[k] == "human")
#: The kinds that are a voicemail greeting (the subscriber's own, or the network's), in ``ANSWER_KINDS`` order.
VOICEMAIL_KINDS: tuple[str, ...] = tuple(k for k in ANSWER_KINDS if k.startswith("machine_"))
#: A detector's verdicts.
AMD_LABELS: tuple[str, ...] = (*TRUTH_LABELS, "notsure")

#: Share of each answer kind among a campaign's answered calls: the dialer simulation's
#: ``answer.kind_weights`` and the AMD benchmark's default answer mix. About half machines,
#: from the 40-70 % voicemail share of connected calls (``docs/sources.md`` §4.3, §4.10); the
#: split inside each truth class is the project's assumption (``docs/model.md``). Read-only.
DEFAULT_ANSWER_MIX: MappingProxyType[str, float] = MappingProxyType({
    "human": 0.36,
    "human_hello_hello": 0.04,
    "human_long_greeting": 0.04,
    "human_silent": 0.01,
    "machine_beep": 0.30,
    "machine_nobeep": 0.08,
    "machine_carrier": 0.10,
    "screening_assistant": 0.04,
    "fax": 0.03,
})
