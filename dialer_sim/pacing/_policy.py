"""Private base class of the pacing policies of this package.

It adds two optional hooks to :class:`~dialer_sim.pacing._base.PacingPolicy`:
:meth:`PolicyBase.on_answered`, called by the model when a dial attempt is
answered (by a person, a machine or a fax; its outcome follows later through
``on_outcome``), and :meth:`PolicyBase.on_routed`, called when an answered call
is routed to the agents (AMD said human or notsure, or AMD off), with the delay
since the line was dialled. Policies that do not learn from them ignore them,
so the model may call them on every policy.

Conventions
-----------
- Times in seconds; ``now_s`` is the simulation clock, ``delay_s`` a duration.
"""

from __future__ import annotations

from dialer_sim.pacing._base import PacingPolicy

__all__: list[str] = []


class PolicyBase(PacingPolicy):
    """PacingPolicy plus the optional ``on_answered`` and ``on_routed`` hooks (default: ignore).

    Every policy of this package has a pure placement (``pure_placement``):
    :meth:`lines_to_launch` depends only on the policy's state and the
    :class:`DialerState`, and calling it again at the same instant and state
    changes nothing.
    """

    pure_placement = True

    def on_answered(self, now_s: float) -> None:
        """Observe that a dial attempt was answered at ``now_s`` (its outcome comes later)."""

    def on_routed(self, now_s: float, delay_s: float) -> None:
        """Observe that an answered call was routed ``delay_s`` seconds after its dial."""
