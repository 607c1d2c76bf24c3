"""Connect at the deadline: calls the AMD has not decided by the compliance deadline go to an agent.

With ``amd.undecided_action = "connect_at_deadline"`` a call whose detector is
still listening when the compliance window ends (``abandon.clock_start`` plus
``abandon.window_s``) is routed to an agent at that instant, like any routed
call. The detector keeps listening. Once the call is connected:

- a person is recognised by the agent after ``agents.human_recognition_s``;
  a hang-up verdict (``machine``, or ``notsure`` under ``notsure_action =
  "hangup"``) that arrives before that hangs up on the person (an AMD false
  positive, ended by the dialer); after it, the agent overrides the detector;
- a machine is recognised after the ``agents.machine_handling_s`` draw, as any
  machine that reaches an agent; a hang-up verdict that arrives before that
  releases the agent at the verdict (ended by the dialer).

The dialer sees either release as a machine that reached an agent. A call that
waits for an agent (none free at the deadline, ``hold_queue``) is hung up on
by a hang-up verdict that comes while it waits. A verdict that comes after the
call has ended is not recorded: the detector stopped with the call.

Conventions
-----------
Times are seconds on the model's clock. A call routed at the deadline has
``call.pending`` set; its detector's verdict is ``call.verdict`` at
``call.verdict_at_s``, not yet acted upon. The deadline itself is computed once
per answered call, by :meth:`CampaignModel.mark_answered
<dialer_sim.model.CampaignModel.mark_answered>`, and kept in ``call.deadline_at_s``.
"""

from __future__ import annotations

import math

from ._call import Call
from ._draws import Block

__all__ = ["DeadlineConnect"]

INF = math.inf


class DeadlineConnect:
    """Mixin of :class:`dialer_sim.model.CampaignModel`: the compliance deadline and ``amd.undecided_action``."""

    def _deadline_draws(self, streams) -> None:
        self._connect_undecided = self.cfg.amd.undecided_action == "connect_at_deadline"
        self._recognition = Block.of(self.cfg.agents.human_recognition_s, streams["recognition"])
        ab = self.cfg.abandon
        self._clock = ab.clock_start
        self._window_s = ab.window_s

    def _undecided_route_at(self, call: Call) -> float:
        """When an undecided call goes to the agents: the deadline, or INF when the verdict comes in time."""
        if not self._connect_undecided:
            return INF
        deadline = call.deadline_at_s
        return deadline if call.verdict_at_s > deadline else INF

    def _hangs_up(self, label: str) -> bool:
        """A verdict on which the dialer hangs up (``amd.notsure_action`` decides for ``notsure``)."""
        return label == "machine" or (label == "notsure" and self.cfg.amd.notsure_action == "hangup")

    def _route_undecided(self, call: Call) -> None:
        """At the deadline, still undecided: route the call with its verdict pending."""
        self.stats.n_routed_undecided += 1
        self.trace_call(call, "routed_undecided_at", self.env._now)
        call.pending = True
        self.route(call)

    def _verdict_while_waiting(self, call: Call) -> float:
        """When a pending hang-up verdict ends the wait for an agent (INF: it does not)."""
        if not call.pending or not self._hangs_up(call.verdict):
            return INF
        return call.verdict_at_s

    def _late_verdict(self, call: Call, now: float, hold_s: float, human: bool) -> float:
        """Set the record's verdict of a call connected at ``now`` with a verdict pending; return its release time.

        ``hold_s`` is the agent's time on the call without a release (talk, or machine handling); the
        release time is INF when the agent recognises what answered before a hang-up verdict.
        """
        label, t_dec = call.verdict, call.verdict_at_s
        if self._hangs_up(label):
            span = min(hold_s, self._recognition()) if human else hold_s
            if t_dec < now + span:
                call.amd_label, call.amd_decided_at_s = label, max(t_dec, now)
                return call.amd_decided_at_s
        if t_dec <= now + hold_s:
            call.amd_label, call.amd_decided_at_s = label, t_dec
        return INF  # otherwise the call ended before the detector decided: no verdict in the record

    def _released_by_verdict(self, call: Call) -> None:
        """The verdict comes before the agent recognised the call: the dialer releases the agent."""
        self.state.n_calls_with_agent -= 1
        self.trace_call(call, "amd_decided_at", call.amd_decided_at_s)
        live = call.human
        self.stats.n_released_by_verdict[live] += 1
        disp = "amd_false_positive" if live else "machine_to_agent"
        # The dialer believes it released a machine, whatever answered.
        self._record(call, disp, "dialer", call.amd_decided_at_s, seen_as="machine_to_agent")
        self._agent_done(call)
