"""Routing answered calls to agents: the idle pool, the waiting calls, talk, wrap-up and release.

A mixin of :class:`dialer_sim.model.CampaignModel` (it uses the model's
``env``, ``state``, ``stats``, draws and :meth:`_record`). An answered call that
wants an agent is handed to :meth:`AgentRouting.route`; from there every step
is a timeout whose callback is the next method, in the order they appear here.

Conventions
-----------
Idle agents are a FIFO of agent ids (``_idle``: the longest-idle agent serves
next); waiting calls an insertion-ordered mapping (``_waiting``: first come,
first served, and a call that gives up leaves it in O(1)). When an agent frees
up, the pacing policy is asked for new lines first, then the longest-waiting
call takes the agent, at the same instant.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque

from .._time import SECONDS_PER_DAY
from ._call import Call

__all__ = ["AgentRouting"]

INF = math.inf


class AgentRouting:
    """Mixin of :class:`dialer_sim.model.CampaignModel`: agents and the calls that wait for them."""

    def _init_agents(self, n_agents: int) -> None:
        self._idle: deque[int] = deque(range(n_agents))
        self._waiting: OrderedDict[Call, None] = OrderedDict()
        self.state.n_agents_idle = n_agents

    def agent_free(self) -> bool:
        """An idle agent would take a call routed now."""
        return bool(self._idle) and not self._waiting

    def route(self, call: Call) -> None:
        """Give an answered call an agent now, or queue it until an agent, its deadline or its hang-up."""
        now = self.env._now
        self.state.n_calls_waiting += 1
        if self._on_routed is not None:
            self._on_routed(now, now - call.dial_at_s)
        if self._idle and not self._waiting:
            self._connect(call, self._idle.popleft())
            return
        self._waiting[call] = None
        deadline = INF if self._hold_queue else call.deadline_at_s
        give_up = min(deadline, call.hang_up_at_s, self._verdict_while_waiting(call))
        if give_up < INF:
            self.env.call_later(max(0.0, give_up - now), self._give_up, call)

    def _give_up(self, call: Call) -> None:
        """The wait ends before an agent came: the late verdict hangs up, the callee hangs up, or the drop."""
        if call not in self._waiting:
            return  # an agent took the call first
        del self._waiting[call]
        self.state.n_calls_waiting -= 1
        deadline = INF if self._hold_queue else call.deadline_at_s
        verdict_at = self._verdict_while_waiting(call)
        if verdict_at < min(deadline, call.hang_up_at_s):
            call.amd_label, call.amd_decided_at_s = call.verdict, verdict_at
            self._amd_hangup(call)
        elif call.hang_up_at_s <= deadline:
            self._record(call, "callee_hung_up", "callee", self.env._now)
        else:
            self._drop(call)

    def _drop(self, call: Call) -> None:
        """No agent by the deadline: the dialer drops the call, silently or after a message."""
        now = self.env._now
        self.trace_call(call, "dropped_at", now)
        end = now + (self.cfg.abandon.message_s if self.cfg.abandon.drop_action == "message" else 0.0)
        if end > now:
            self.env.call_later(end - now, self._dropped, (call, end))
        else:
            self._dropped_at(call, end)

    def _dropped(self, call_and_end: tuple[Call, float]) -> None:
        self._dropped_at(*call_and_end)

    def _dropped_at(self, call: Call, end: float) -> None:
        disp = "abandoned" if call.human else ("fax" if call.kind == "fax" else "machine_hangup")
        # The dialer cannot tell a dropped machine from a dropped person: its pacing counts a drop either way.
        self._record(call, disp, "dialer", end, seen_as="abandoned")

    def _connect(self, call: Call, agent: int) -> None:
        """``agent`` takes the call now: talk (or handle a machine) unless a pending verdict releases it first."""
        st, now = self.state, self.env._now
        st.n_calls_waiting -= 1
        st.n_agents_idle -= 1
        st.n_calls_with_agent += 1
        st.agent_busy_since_s[agent] = now
        call.agent_id, call.connected_at_s = agent, now
        if self.trace is not None:
            self.trace_call(call, "connected_at", now)
        person = call.human
        if not person and call.kind == "screening_assistant":
            person = self.source.screened_person_accepts()  # the agent spoke: the assistant rings its person
        call.person_on_line = person
        hold = self._talk() if person else self._mach_handling()
        if call.pending:  # connected at the deadline, the detector still listening
            release_at = self._late_verdict(call, now, hold, person)
            if release_at < INF:
                self.env.call_later(release_at - now, self._released_by_verdict, call)
                return
        self.env.call_later(hold, self._talk_done, call)

    def _talk_done(self, call: Call) -> None:
        st = self.state
        st.n_calls_with_agent -= 1
        person = call.person_on_line
        wrap = self._wrap() if person else 0.0
        st.n_agents_wrap_up += wrap > 0  # before the record: the placement it triggers sees the agent in wrap-up
        self._record(call, "human_to_agent" if person else "machine_to_agent", "agent", self.env._now)
        if wrap > 0:
            self.env.call_later(wrap, self._wrap_done, call)
        else:
            self._agent_done(call)

    def _wrap_done(self, call: Call) -> None:
        self.state.n_agents_wrap_up -= 1
        self._agent_done(call)

    def _agent_done(self, call: Call) -> None:
        # Agent time is counted over the shift only (logged-in time), so clip work that runs past its end.
        t_conn = call.connected_at_s
        shift_end = self._shift_end_of(t_conn) if self.source.paced else INF  # open loop: no shifts
        self.stats.agent_busy_s += max(0.0, min(self.env._now, shift_end) - t_conn)
        self._release(call.agent_id)

    def _shift_end_of(self, t: float) -> float:
        """End of the shift running at ``t`` (``t`` itself when none runs that day)."""
        bounds = self.shift_bounds(int(t // SECONDS_PER_DAY))
        return bounds[1] if bounds is not None else t

    def _release(self, agent: int) -> None:
        """The agent is free: the pacing is asked first, then the longest-waiting call (if any) gets the agent."""
        st = self.state
        del st.agent_busy_since_s[agent]
        st.n_agents_idle += 1
        if self.trace is not None:
            self.trace.append((f"agent-{agent}", "idle_at", self.env._now))
        waiting = self._waiting
        if not waiting:
            self._idle.append(agent)
        if self.source.paced:
            self._place()
        if waiting:
            call, _ = waiting.popitem(last=False)
            self._connect(call, agent)
