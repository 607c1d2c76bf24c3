"""Private base class of the pacing policies of this package.

It adds one optional hook to :class:`~dialer_sim.pacing._base.PacingPolicy`:
:meth:`PolicyBase.on_routed`, called by the model when an answered call is
routed to the agents (AMD said human or notsure, or AMD off), with the delay
since the line was dialled. Policies that do not learn from it ignore it, so the
model may call it on every policy.

Conventions
-----------
- Times in seconds; ``now_s`` is the simulation clock, ``delay_s`` a duration.
"""

from __future__ import annotations

from dialer_sim.pacing._base import PacingPolicy

__all__: list[str] = []


class PolicyBase(PacingPolicy):
    """PacingPolicy plus the optional ``on_routed`` hook (default: ignore)."""

    def on_routed(self, now_s: float, delay_s: float) -> None:
        """Observe that an answered call was routed ``delay_s`` seconds after its dial."""
