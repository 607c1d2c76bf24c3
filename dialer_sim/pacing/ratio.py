"""Fixed-ratio pacing: a constant dial level (lines per agent).

VICIdial's RATIO dial method (``docs/sources.md`` §1.1, placement loop of
``AST_VDauto_dial.pl``): every placement tick the goal is
``round(dial_level * N)`` lines up, where N counts agents that are not paused
(ready or in a call), and the dialer originates ``goal - lines already up``.
Lines up include calls already talking to an agent, so dial level 2.0 with 10
agents keeps 20 lines up in total.

Conventions
-----------
- ``round`` is round-half-to-even, as Perl's ``sprintf("%.0f")`` that VICIdial
  uses (both follow C's ``printf``).
- ``N`` is ``DialerState.n_agents``: every agent logged in, including agents in
  wrap-up, whom VICIdial would count as paused. ``vicidial_adapt`` counts N as
  VICIdial does (``DialerState.n_agents_dialable``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dialer_sim.pacing._base import DialerState
from dialer_sim.pacing._params import PacingParams
from dialer_sim.pacing._policy import PolicyBase

__all__ = ["MAX_LINES_PER_AGENT", "RatioParams", "RatioPolicy", "ratio_lines"]

#: Upper bound on any dial level we accept (Genesys Cloud caps Max Calls Per
#: Agent at 15, docs/sources.md §1.3).
MAX_LINES_PER_AGENT = 15.0


@dataclass(frozen=True, kw_only=True)
class RatioParams(PacingParams):
    """Parameters of :class:`RatioPolicy`.

    Parameters
    ----------
    lines_per_agent : float in [1.0, 15.0], default 2.0
        The dial level. 2.0 is our choice of a mid-range level (Cisco's
        maximum lines per agent defaults to 3.0, ``docs/sources.md`` §1.2).
    """

    policy = "ratio"

    lines_per_agent: float = 2.0

    def __post_init__(self) -> None:
        self._float_in("lines_per_agent", 1.0, MAX_LINES_PER_AGENT)


def ratio_lines(state: DialerState, lines_per_agent: float, n_agents: int | None = None) -> int:
    """VICIdial placement rule: ``max(0, round(lines_per_agent * n_agents) - n_lines_up)``.

    ``n_agents`` defaults to ``state.n_agents`` (every agent logged in).
    """
    goal = round(lines_per_agent * (state.n_agents if n_agents is None else n_agents))
    up = state.n_lines_ringing + state.n_calls_in_amd + state.n_calls_waiting + state.n_calls_with_agent
    launch = goal - up
    return launch if launch > 0 else 0


class RatioPolicy(PolicyBase):
    """Keep ``round(lines_per_agent * n_agents)`` lines up (see module docstring).

    Parameters
    ----------
    params : RatioParams

    Examples
    --------
    >>> from dialer_sim.pacing import DialerState, RatioParams, RatioPolicy
    >>> policy = RatioPolicy(RatioParams(lines_per_agent=2.0))
    >>> policy.lines_to_launch(DialerState(n_agents=10, n_lines_ringing=12, n_calls_with_agent=6))
    2
    """

    name = "ratio"
    update_interval_s = None

    def __init__(self, params: RatioParams) -> None:
        self.params = params
        self.lines_per_agent = params.lines_per_agent

    def lines_to_launch(self, state: DialerState) -> int:
        """Lines missing to reach the goal (>= 0)."""
        return ratio_lines(state, self.lines_per_agent)
