"""Per-call classification for each regime, from the times in the call records.

No regime reads the ``disposition`` column: whether a call was abandoned is
decided here from ``dial_at_s``, ``ring_s``, ``speech_start_at_s``,
``greeting_end_at_s``, ``amd_decided_at_s``, ``agent_connect_at_s``,
``end_at_s`` and who ended the call, so any regime applies to any records.
Who answered comes from ``answer_kind`` (the simulation's truth; for real
records the agent's identification) and what the detector said from
``amd_label``.

The common rule (:func:`abandoned_after`)
-----------------------------------------
A call whose regulatory clock starts at ``c`` with a threshold of ``T`` seconds
is *abandoned* unless an agent was connected by ``c + T``, or the called person
hung up before ``c + T`` without the dialer having dropped the call. A person who
hangs up within the window was not abandoned by the dialer: the dialer still had
time to connect an agent, and none of the rules charge the dialer for the
callee's choice (16 CFR 310.4(b)(1)(iv) speaks of the *telemarketer* failing to
connect; Ofcom's message obligation starts only when the window elapses).
A clock that never starts (``c = +inf``) leaves only calls the dialer itself
disconnected without an agent as abandoned.

Conventions
-----------
- Times in seconds on the record time base; NaN means "did not happen".
- ``answer_at_s = dial_at_s + ring_s``.
- Live = ``answer_kind`` in ``HUMAN_KINDS``; machine = any other kind but ``fax``.
- *AMD hang-up*: answered, ``amd_label == 'machine'``, the dialer ended the
  call, and either no agent or an agent released by a verdict that came after
  the connection (``amd_decided_at_s > agent_connect_at_s``, the
  ``connect_at_deadline`` policy of docs/model.md). A live person released so
  was not connected in time: the dialer hung up on them as on any AMD false
  positive.
- Every classifier returns a DataFrame of 0/1 float count columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from callvocab import HUMAN_KINDS

__all__ = ["CallFacts", "abandoned_after", "call_facts"]


class CallFacts:
    """Boolean and time arrays shared by every regime (computed once)."""

    def __init__(self, records: pd.DataFrame):
        kind = records["answer_kind"].fillna("").astype(str).to_numpy()
        self.n = len(records)
        self.answered = (records["network_outcome"] == "answered").to_numpy()
        self.answer_at_s = records["dial_at_s"].to_numpy(float) + records["ring_s"].to_numpy(float)
        self.speech_start_at_s = records["speech_start_at_s"].to_numpy(float)
        self.greeting_end_at_s = records["greeting_end_at_s"].to_numpy(float)
        self.amd_decided_at_s = records["amd_decided_at_s"].to_numpy(float)
        self.connect_at_s = records["agent_connect_at_s"].to_numpy(float)
        self.end_at_s = records["end_at_s"].to_numpy(float)
        ended_by = records["ended_by"].fillna("").astype(str).to_numpy()
        self.callee_ended = ended_by == "callee"
        self.dialer_ended = ended_by == "dialer"
        self.live = self.answered & np.isin(kind, list(HUMAN_KINDS))
        self.fax = self.answered & (kind == "fax")
        self.kind_unknown = self.answered & (kind == "")
        self.machine = self.answered & ~self.live & ~self.fax & ~self.kind_unknown
        self.connected = np.isfinite(self.connect_at_s)
        amd_label = records["amd_label"].fillna("").astype(str).to_numpy()
        self.amd_labelled = self.answered & (amd_label != "")
        with np.errstate(invalid="ignore"):
            self.amd_released = self.connected & self.dialer_ended & (self.amd_decided_at_s > self.connect_at_s)
        # A verdict that releases a connected call is an AMD hang-up whatever its label (a `notsure` under
        # `amd.notsure_action = "hangup"` releases like `machine`); unconnected, only `machine` is one.
        self.amd_hangup = self.answered & self.dialer_ended & (
            ((amd_label == "machine") & ~self.connected) | self.amd_released)
        self.no_answer_time = self.answered & ~np.isfinite(self.answer_at_s)


def abandoned_after(facts: CallFacts, clock_at_s: np.ndarray, threshold_s: float) -> np.ndarray:
    """The common rule: no agent by ``clock + threshold`` and not a callee hang-up within it."""
    deadline = clock_at_s + threshold_s
    with np.errstate(invalid="ignore"):
        in_time = facts.connected & (facts.connect_at_s <= deadline) & ~facts.amd_released
        callee_left_in_window = facts.callee_ended & (facts.end_at_s < deadline) & ~facts.connected
    return ~in_time & ~callee_left_in_window


def _frame(**cols: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in cols.items()})


def _diagnostics(facts: CallFacts) -> dict[str, np.ndarray]:
    return {"n_kind_unknown": facts.kind_unknown, "n_no_answer_time": facts.no_answer_time}


def classify_ftc(facts: CallFacts, *, threshold_s: float) -> pd.DataFrame:
    """FTC/FCC: live answers; clock at the end of the person's completed greeting.

    A person who answers and says nothing (no speech at all) has completed an
    empty greeting at pickup, so the clock starts at the answer: the safe-harbour
    rule exists so that no one waits in dead air for more than 2 s, and a silent
    person waits from pickup. A greeting that started but never completed (the
    call ended mid-greeting) never starts the clock (``+inf``).
    """
    clock = np.where(
        np.isfinite(facts.greeting_end_at_s),
        facts.greeting_end_at_s,
        np.where(np.isfinite(facts.speech_start_at_s), np.inf, facts.answer_at_s),
    )
    abandoned = facts.live & abandoned_after(facts, clock, threshold_s)
    return _frame(numerator=abandoned, denominator=facts.live, **_diagnostics(facts))


def classify_crtc(facts: CallFacts, *, threshold_s: float) -> pd.DataFrame:
    """CRTC: clock at the answer; denominator all answered calls except fax tones.

    ``docs/sources.md`` §3.4: "not connected within 2 s" over answered calls; only live answers can be abandoned, machines only enlarge the
    denominator.
    """
    abandoned = facts.live & abandoned_after(facts, facts.answer_at_s, threshold_s)
    return _frame(numerator=abandoned, denominator=facts.answered & ~facts.fax, **_diagnostics(facts))


def classify_ofcom(facts: CallFacts, *, threshold_s: float) -> pd.DataFrame:
    """Ofcom 2010: counts for D, L, AM and the AMD hang-ups; the formula is per window.

    The clock starts at the first word of the called party (``speech_start_at_s``);
    a silent answer starts it at pickup, the earliest moment the person can hear
    dead air. The dialer's view is what counts: every answered call it did not
    hang up on as a machine (nor recognise as fax) is a potential drop.
    """
    clock = np.where(np.isfinite(facts.speech_start_at_s), facts.speech_start_at_s, facts.answer_at_s)
    offered = facts.answered & ~facts.fax & ~facts.amd_hangup
    drop = offered & abandoned_after(facts, clock, threshold_s)
    with np.errstate(invalid="ignore"):
        in_time = facts.connected & (facts.connect_at_s <= clock + threshold_s) & ~facts.amd_released
    return _frame(
        n_drops=drop,
        n_live_to_agent=offered & facts.live & in_time,
        n_machine_to_agent=offered & facts.machine & facts.connected,
        n_amd_machine=facts.amd_hangup,
        n_amd_false_positive=facts.amd_hangup & facts.live,
        n_amd_labelled=facts.amd_labelled,
        **_diagnostics(facts),
    )


def classify_vicidial(facts: CallFacts, *, threshold_s: float) -> pd.DataFrame:
    """VICIdial's drop % rebuilt from times: ``drop_call_seconds`` from pickup.

    "Human-answered" is VICIdial's view: every answered call except fax, AMD
    machine hang-ups (status AA) and machines an agent dispositioned (A/AM/AL).
    A machine the AMD missed that nobody picked up is a DROP to VICIdial, and so
    here. For the UK option, L is every human-answered call an agent handled.
    """
    dropped = abandoned_after(facts, facts.answer_at_s, threshold_s)
    # A machine connected after the drop timer was a DROP to VICIdial, not an agent's A.
    human_answered = (
        facts.answered & ~facts.fax & ~facts.amd_hangup & ~(facts.machine & facts.connected & ~dropped)
    )
    drop = human_answered & dropped
    return _frame(
        numerator=drop,
        denominator=human_answered,
        n_drops=drop,
        n_live_to_agent=human_answered & ~dropped & facts.connected,
        n_machine_to_agent=facts.machine & facts.connected & ~dropped,
        **_diagnostics(facts),
    )


def classify_genesys(facts: CallFacts, *, threshold_s: float) -> pd.DataFrame:
    """Genesys Cloud compliance abandons: not routed to an agent within the threshold.

    The clock starts when the call is routed to the queue: at the call-analysis
    decision when there is one (``amd_decided_at_s``), else at the answer.
    ``denominator_all`` counts every dial attempt; ``denominator_queue`` the calls
    that reached the queue (answered, not fax, not an AMD hang-up).
    """
    routed_at = np.where(
        np.isfinite(facts.amd_decided_at_s),
        np.fmax(facts.amd_decided_at_s, facts.answer_at_s),
        facts.answer_at_s,
    )
    queue = facts.answered & ~facts.fax & ~facts.amd_hangup
    abandoned = queue & abandoned_after(facts, routed_at, threshold_s)
    return _frame(
        numerator=abandoned,
        denominator_queue=queue,
        denominator_all=np.ones(facts.n, dtype=bool),
        **_diagnostics(facts),
    )


def call_facts(records: pd.DataFrame) -> CallFacts:
    """Shared arrays of a CDR frame (see :class:`CallFacts`)."""
    return CallFacts(records)
