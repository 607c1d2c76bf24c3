"""Progressive (power) pacing: one line per idle agent.

The dialer never has more lines in flight (ringing, in AMD, or answered and
waiting for an agent) than it has idle agents, so an answered call almost
always finds an agent: abandonment only happens when AMD or ringing outlast an
agent's readiness. This is the "Power" mode Genesys falls back to under Strict
Max Rate (docs/sources.md §1.3) and the 1:1 dialing the predictive dialer
was invented to beat (Samuelson 1999, docs/sources.md §1.4).

Conventions
-----------
- ``lines in flight`` = ``n_lines_ringing + n_calls_in_amd + n_calls_waiting``;
  calls talking to an agent are not in flight (their agent is not idle).
"""

from __future__ import annotations

from dataclasses import dataclass

from dialer_sim.pacing._base import DialerState
from dialer_sim.pacing._params import PacingParams
from dialer_sim.pacing._policy import PolicyBase

__all__ = ["ProgressiveParams", "ProgressivePolicy", "progressive_lines"]


@dataclass(frozen=True, kw_only=True)
class ProgressiveParams(PacingParams):
    """Parameters of :class:`ProgressivePolicy` (it has none to set: one line per idle agent)."""

    policy = "progressive"


def progressive_lines(state: DialerState) -> int:
    """Lines that keep in-flight lines equal to idle agents: ``max(0, idle - in flight)``."""
    in_flight = state.n_lines_ringing + state.n_calls_in_amd + state.n_calls_waiting
    free = state.n_agents_idle - in_flight
    return free if free > 0 else 0


class ProgressivePolicy(PolicyBase):
    """One line per idle agent (see module docstring).

    Parameters
    ----------
    params : ProgressiveParams

    Examples
    --------
    >>> from dialer_sim.pacing import DialerState, ProgressiveParams, ProgressivePolicy
    >>> policy = ProgressivePolicy(ProgressiveParams())
    >>> policy.lines_to_launch(DialerState(n_agents=5, n_agents_idle=3, n_lines_ringing=1))
    2
    """

    name = "progressive"
    update_interval_s = None

    def __init__(self, params: ProgressiveParams) -> None:
        self.params = params

    def lines_to_launch(self, state: DialerState) -> int:
        """Idle agents not yet matched by a line in flight (>= 0)."""
        return progressive_lines(state)
