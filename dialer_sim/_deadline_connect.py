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
Times are seconds on the model's clock. ``pending`` is the detector's
``(label, decided_at_s)`` not yet acted upon.
"""

from __future__ import annotations

import math

from ._draws import Block

__all__ = ["DeadlineConnect"]

NAN = math.nan
INF = math.inf


class DeadlineConnect:
    """Mixin of :class:`dialer_sim.model.CampaignModel` for ``amd.undecided_action``."""

    def _deadline_draws(self, streams) -> None:
        self._connect_undecided = self.cfg.amd.undecided_action == "connect_at_deadline"
        self._recognition = Block.of(self.cfg.agents.human_recognition_s, streams["recognition"])

    def _window_deadline(self, t_ans: float, ss: float, ge: float) -> float:
        """End of the compliance window: ``abandon.clock_start`` (the answer when it never starts) + ``window_s``."""
        ab = self.cfg.abandon
        clock = ss if ab.clock_start == "speech_start" else (ge if ab.clock_start == "greeting_end" else t_ans)
        return (clock if clock == clock else t_ans) + ab.window_s

    def _undecided_route_at(self, times: tuple, t_dec: float) -> float:
        """When an undecided call goes to the agents: the deadline, or INF when the verdict comes in time."""
        if not self._connect_undecided:
            return INF
        deadline = self._window_deadline(*times)
        return deadline if t_dec > deadline else INF

    def _hangs_up(self, label: str) -> bool:
        """A verdict on which the dialer hangs up (``amd.notsure_action`` decides for ``notsure``)."""
        return label == "machine" or (label == "notsure" and self.cfg.amd.notsure_action == "hangup")

    def _route_undecided(self, call, kind, ring_s, times, pending, t_hang, human):
        """At the deadline, still undecided: route the call with the verdict ``pending``."""
        self.stats.n_routed_undecided += 1
        self._tr(call, "routed_undecided_at", self.env.now)
        yield from self._route(call, kind, ring_s, times, "", NAN, t_hang, human, pending=pending)

    def _verdict_while_waiting(self, pending) -> float:
        """When a pending hang-up verdict ends the wait for an agent (INF: it does not)."""
        if pending is None or not self._hangs_up(pending[0]):
            return INF
        return pending[1]

    def _late_verdict(self, pending, now: float, hold_s: float, human: bool) -> tuple[str, float, float]:
        """``(label, decided_at_s, release_at_s)`` of a call connected at ``now`` with a verdict pending.

        ``hold_s`` is the agent's time on the call without a release (talk, or machine handling);
        ``release_at_s`` is INF when the agent recognises what answered before a hang-up verdict.
        """
        label, t_dec = pending
        if self._hangs_up(label):
            span = min(hold_s, self._recognition()) if human else hold_s
            if t_dec < now + span:
                return label, t_dec, max(t_dec, now)
        if t_dec <= now + hold_s:
            return label, t_dec, INF
        return "", NAN, INF  # the call ended before the detector decided

    def _released_by_verdict(self, call, kind, ring_s, times, label, t_dec, agent, t_conn):
        """The verdict comes before the agent recognised the call: the dialer releases the agent."""
        env, st = self.env, self.state
        _, ss, ge = times
        yield env.timeout(t_dec - env.now)
        st.n_calls_with_agent -= 1
        self._tr(call, "amd_decided_at", t_dec)
        live = kind in self._human
        self.stats.n_released_by_verdict[live] += 1
        disp = "amd_false_positive" if live else "machine_to_agent"
        # The dialer believes it released a machine, whatever answered.
        self._record(call, "answered", ring_s, kind, ss, ge, label, t_dec, agent, t_conn, t_dec, "dialer", disp,
                     seen_as="machine_to_agent")
        self.stats.agent_busy_s += max(0.0, min(env.now, self._shift_end_of(t_conn)) - t_conn)
        self._release(agent)
