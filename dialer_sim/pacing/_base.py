"""What a pacing policy sees of the dialer, and the interface it implements.

The dialer model owns one :class:`DialerState` per replication and updates it in
place as calls and agents change state (no per-event allocation). A policy reads
it and answers one question: how many new lines to launch now.

Conventions
-----------
- Times are seconds since midnight of the campaign's first day (``now_s``);
  the calendar day starts at ``86400 * floor(now_s / 86400)``.
- A policy only sees what a real dialer can observe: the AMD verdict, not the
  truth. An AMD false positive looks like a machine to the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["OBSERVED_OUTCOME", "DialerState", "PacingPolicy", "observed_outcome"]


@dataclass(slots=True)
class DialerState:
    """Live counters of one dialer, updated in place by the model.

    Attributes
    ----------
    now_s : float
        Current simulation time.
    n_agents : int >= 0
        Agents logged in (on shift), whatever they are doing.
    n_agents_idle : int >= 0
        Agents ready for a call (not talking, not in wrap-up).
    n_lines_ringing : int >= 0
        Dial attempts placed and not yet answered or failed.
    n_calls_in_amd : int >= 0
        Answered calls whose AMD has not decided yet.
    n_calls_waiting : int >= 0
        Answered calls routed to agents (AMD said human or notsure, or AMD off)
        that wait for a free agent (dead air for the callee).
    n_calls_with_agent : int >= 0
        Calls connected to an agent and still talking (wrap-up excluded).
    n_numbers_left : int >= 0
        Numbers that could be dialled right now.
    n_agents_wrap_up : int >= 0
        Agents in post-call work (wrap-up) after a call with a person.
    agent_busy_since_s : dict[int, float]
        For each agent that is not idle, when its current call (talk + wrap-up)
        started. Used by policies that predict agent release times.
    """

    now_s: float = 0.0
    n_agents: int = 0
    n_agents_idle: int = 0
    n_lines_ringing: int = 0
    n_calls_in_amd: int = 0
    n_calls_waiting: int = 0
    n_calls_with_agent: int = 0
    n_numbers_left: int = 0
    n_agents_wrap_up: int = 0
    agent_busy_since_s: dict[int, float] = field(default_factory=dict)

    @property
    def n_lines_up(self) -> int:
        """Calls the dialer counts against its goal: ringing, in AMD, waiting or talking."""
        return self.n_lines_ringing + self.n_calls_in_amd + self.n_calls_waiting + self.n_calls_with_agent

    @property
    def n_agents_dialable(self) -> int:
        """Agents logged in and not in wrap-up: ready for a call or talking (VICIdial's placement count)."""
        n = self.n_agents - self.n_agents_wrap_up
        return n if n > 0 else 0


# What the dialer can observe of each disposition (truth stays hidden):
#   live  - a live person was connected to an agent (agent confirms a human);
#   drop  - an answer routed to agents that got none: dropped by the dialer, or the
#           callee hung up in dead air while waiting;
#   machine - the dialer believes a machine answered (AMD machine, incl. AMD false
#           positives, or an agent who reached a machine);
#   none  - no answer, busy, unobtainable, rejected, fax.
OBSERVED_OUTCOME = {
    "human_to_agent": "live",
    "abandoned": "drop",
    "callee_hung_up": "drop",
    "machine_hangup": "machine",
    "amd_false_positive": "machine",
    "machine_to_agent": "machine",
    "no_answer": "none",
    "busy": "none",
    "unobtainable": "none",
    "rejected": "none",
    "fax": "none",
}


def observed_outcome(disposition: str) -> str:
    """Map a disposition to what the dialer observes: ``live``, ``drop``, ``machine`` or ``none``."""
    return OBSERVED_OUTCOME[disposition]


class PacingPolicy:
    """Base class of the pacing policies (``docs/sources.md`` §1).

    Subclasses set ``name`` and override :meth:`lines_to_launch`; they may also
    override :meth:`update` (called every ``update_interval_s`` seconds of
    simulation time when that is not ``None``) and :meth:`on_outcome` (called
    once per finished dial attempt). A policy instance holds the state of one
    replication and is never shared.

    The model calls :meth:`lines_to_launch` whenever something changes that may
    allow a new line (a shift starts, an agent frees up, a call ends, a retry
    becomes due, after each :meth:`update`) and launches ``min(answer,
    n_numbers_left)``. Its answer must depend only on the state it is given and
    on what the policy observed, so no periodic placement tick is needed.
    """

    name: str = "base"
    #: Seconds between periodic :meth:`update` calls (None: never).
    update_interval_s: float | None = None
    #: True when :meth:`lines_to_launch` is a pure function of the policy's state and the
    #: :class:`DialerState` (asking twice at one instant changes nothing). The model may then
    #: run the periodic updates of a quiet stretch ahead of time and skip their placements when they
    #: would launch nothing (``docs/pacing.md``); a policy that counts its calls leaves it False.
    pure_placement: bool = False
    #: Optional, for a policy with ``pure_placement``: ``advance_quiet(state, n_updates) -> int`` runs at once
    #: the longest prefix of the next ``n_updates`` periodic updates (the k-th at ``state.now_s + k ×
    #: update_interval_s``, all seeing the same ``state``) after none of which ``lines_to_launch`` can answer
    #: differently, exactly as calling ``update`` for each would, and returns its length (``state.now_s`` left at
    #: the last one's clock). The model then asks for placement only where it may change (``docs/pacing.md``).
    #: None, the default, means no closed form: the model calls ``update`` for every update.
    advance_quiet = None

    def lines_to_launch(self, state: DialerState) -> int:
        """How many new lines to dial now (>= 0)."""
        raise NotImplementedError

    def update(self, state: DialerState) -> None:
        """Periodic controller step; default: nothing."""

    def on_outcome(self, now_s: float, disposition: str) -> None:
        """Observe one finished dial attempt; default: nothing."""
