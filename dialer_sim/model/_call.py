"""One dial attempt in flight: what the model knows about it until it writes the call record.

A :class:`Call` is created when a line is dialled (:meth:`CampaignModel.new_call
<dialer_sim.model.CampaignModel.new_call>`) and filled in as the attempt
unfolds: the network outcome, who answered and when, the AMD verdict, the agent.
When the attempt ends the model turns it into one row of the call record
(:class:`~dialer_sim.records.CallRecord`), so its field names follow the record's
columns.

Conventions
-----------
Times are seconds on the model's clock (``*_at_s`` instants, ``*_s``
durations). A time that did not happen is NaN, a label that does not apply the
empty string, ``agent_id`` is -1 while no agent took the call, and
``hang_up_at_s`` is ``inf`` when nobody will hang up (a machine, or infinite
patience). A slotted dataclass is as fast to build and read as a hand-written
``__slots__`` class (measured: within a few per cent) and much faster than a
dict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Call"]

NAN = math.nan
INF = math.inf


@dataclass(slots=True, eq=False)
class Call:
    """The state of one dial attempt (the call record's columns, plus what the model needs on the way).

    Attributes
    ----------
    call_id, number_id, attempt, dial_at_s, caller_id
        Set when the line is dialled.
    network_outcome, ring_s
        ``answered`` or the failure, and the time from dial to answer or failure tone.
    kind, human
        Who or what answered (an answer kind) and whether it is a live person.
    answered_at_s, speech_start_at_s, greeting_end_at_s
        When it answered, when speech started and when the greeting ended (NaN if never).
    amd_label, amd_decided_at_s
        The AMD verdict as the record shows it (empty and NaN until the dialer acts on one).
    verdict, verdict_at_s
        The detector's verdict and its instant, acted upon or not (``pending`` verdicts of
        ``amd.undecided_action = "connect_at_deadline"``); empty and NaN without AMD.
    pending
        True while a call routed at the deadline still waits for its verdict.
    hang_up_at_s
        When a live callee's patience in dead air runs out.
    deadline_at_s
        The end of the compliance window (``abandon.clock_start`` + ``window_s``), set on answer.
    agent_id, connected_at_s
        The agent who took the call and when.
    person_on_line
        The agent talks to a person: a live callee, or the one a screening assistant rang through.
    """

    call_id: int
    number_id: int
    attempt: int
    dial_at_s: float
    caller_id: str
    network_outcome: str = "answered"
    ring_s: float = NAN
    kind: str = ""
    human: bool = False
    answered_at_s: float = NAN
    speech_start_at_s: float = NAN
    greeting_end_at_s: float = NAN
    amd_label: str = ""
    amd_decided_at_s: float = NAN
    verdict: str = ""
    verdict_at_s: float = NAN
    pending: bool = False
    hang_up_at_s: float = INF
    deadline_at_s: float = INF
    agent_id: int = -1
    connected_at_s: float = NAN
    person_on_line: bool = False

    @property
    def silence_from_s(self) -> float:
        """When the callee starts to hear dead air: the end of the greeting, else the answer (or the dial's end)."""
        ge = self.greeting_end_at_s
        return ge if ge == ge else self.dial_at_s + self.ring_s
