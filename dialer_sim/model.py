"""The SimPy model of a predictive dialer running one campaign.

One :class:`CampaignModel` holds everything a replication needs (environment,
streams, agents, pacing policy, record sink); nothing is module-level.

How a dial attempt unfolds (docs/model.md has the full event diagram):

1. The network outcome is drawn. Busy, unobtainable, rejected and unanswered
   attempts end after one timeout, handled by a callback instead of a process
   (most attempts; the cheap fast path).
2. An answered call becomes a process: fax detection, or AMD, during which a
   live callee may already hang up in dead air; AMD ``machine`` hangs up (or
   leaves a message); ``human`` / ``notsure`` (or AMD off) route to agents.
3. Routed calls take an idle agent at once when there is one (no timers), else
   wait for the first of: an agent, the compliance deadline (drop, silently or
   with a message), or the callee's patience running out.
4. Connected calls talk, the agent wraps up and returns to the pool.

The pacing policy is asked for new lines whenever the state changes: a call
ends, an agent frees up, a retry becomes due, or its periodic update runs.

Conventions
-----------
Times are seconds since midnight of the campaign's first day. Agents are a
``simpy.Store`` of integer agent ids (FIFO: the longest-idle agent serves next).
"""

from __future__ import annotations

import heapq
import math
from collections import deque

import numpy as np
import simpy

from ._deadline_connect import DeadlineConnect
from ._draws import Block
from ._list_campaign import ListCampaign
from .amd_model import make_amd
from .config import DialerConfig
from .pacing import make_policy
from .pacing._base import DialerState
from .records import HUMAN_KINDS, RecordSink

__all__ = ["CampaignModel"]

NAN = math.nan
INF = math.inf
SECONDS_PER_DAY = 86_400.0
#: Fax/modem tones are recognised by call-progress analysis about 1 s after answer
#: (CED 2100 Hz starts at answer; docs/sources.md §5.3), with or without AMD.
FAX_DETECT_S = 1.0
#: Which answer-delay distribution each kind uses: people (and fax machines) pick up after a few rings,
#: answering machines after 4-5 rings, network voicemail and screening assistants at once.
_DELAY_GROUP = {
    "human": "human", "human_hello_hello": "human", "human_long_greeting": "human", "human_silent": "human",
    "machine_beep": "machine", "machine_nobeep": "machine",
    "machine_carrier": "instant", "screening_assistant": "instant", "fax": "human",
}


class CampaignModel(DeadlineConnect):
    """One replication of one campaign (closed loop) or of the open-loop queue.

    Parameters
    ----------
    config : DialerConfig
    streams : dict of name -> numpy Generator, from ``_draws.make_streams``.
    sink : RecordSink
    trace : list or None
        When a list, ``(call_id, event, time_s)`` tuples are appended (tests).
    """

    def __init__(self, config: DialerConfig, streams, sink: RecordSink, *, trace: list | None = None, policy=None,
                 dial_list=None):
        self.cfg = config
        self.env = simpy.Environment()
        self.sink = sink
        self._append_row = sink.append_row
        self.trace = trace
        self.state = DialerState()
        # The fresh numbers in dialling order (list mode may dial a subset of the population).
        self._dial_list = list(range(config.campaign.n_numbers)) if dial_list is None else [int(i) for i in dial_list]
        self.list = ListCampaign(self, streams, self._dial_list) if config.list_mode else None
        if policy is None:
            policy = self.list.probe_policy() if self.list is not None and config.probe else None
        self.policy = policy if policy is not None else make_policy(config.pacing.params)
        self._on_routed = getattr(self.policy, "on_routed", None)  # optional hooks (pacing._policy)
        self._on_answered = getattr(self.policy, "on_answered", None)
        n_agents = config.agents.n_agents
        self.agents = simpy.Store(self.env)
        self.agents.items.extend(range(n_agents))
        self.state.n_agents_idle = n_agents
        self._draws(streams)
        self._human = frozenset(HUMAN_KINDS)
        self._next_call = 0
        self._fresh = 0
        self._ready: deque = deque()
        self._retry_heap: list = []
        self._retry_wake_at = INF
        self._shift_end = -INF
        self._retries = config.open_loop is None
        self.stats = _Stats()
        if config.open_loop is not None:
            self._open_loop_draws(streams)

    # -- setup ---------------------------------------------------------------------------------------
    def _draws(self, s) -> None:
        c = self.cfg
        self._u_net = Block.uniform(s["network"])
        self._u_party = Block.uniform(s["parties"])
        self._busy_s = Block.of(c.network.busy_s, s["ring"])
        self._unob_s = Block.of(c.network.unobtainable_s, s["ring"])
        self._rej_s = Block.of(c.network.rejected_s, s["ring"])
        self._delay = {
            "human": Block.of(c.answer.human_answer_delay_s, s["ring"]),
            "machine": Block.of(c.answer.machine_answer_delay_s, s["ring"]),
            "instant": Block.of(c.answer.instant_answer_delay_s, s["ring"]),
        }
        kinds = [k for k, w in c.answer.kind_weights.items() if w > 0]
        total = sum(c.answer.kind_weights[k] for k in kinds)
        acc, self._kind_cum = 0.0, []
        for k in kinds:
            acc += c.answer.kind_weights[k] / total
            self._kind_cum.append((acc, k))
        self._speech = {k: (Block.of(t["speech_start_s"], s["speech"]), Block.of(t["greeting_s"], s["speech"]))
                        for k, t in c.answer.timing.items()}
        self._amd = make_amd(c.amd, rng=s["amd"], kinds_needed=set(kinds))
        self._talk = Block.of(c.agents.talk_time_s, s["talk"])
        self._mach_handling = Block.of(c.agents.machine_handling_s, s["talk"])
        self._wrap = Block.of(c.agents.wrap_up_s, s["wrap"])
        self._patience = Block.of(c.abandon.patience_s, s["patience"])
        self._deadline_draws(s)


    def _draw_kind(self) -> str:
        u = self._u_party()
        for acc, k in self._kind_cum:
            if u < acc:
                return k
        return self._kind_cum[-1][1]

    def _open_loop_draws(self, s) -> None:
        ol = self.cfg.open_loop
        self._iat = Block(lambda n: s["arrivals"].exponential(1.0 / ol.arrival_rate_per_s, n))
        self._talk = Block(lambda n: s["talk"].exponential(ol.mean_talk_time_s, n))
        self._wrap = Block(np.zeros)  # no wrap-up in the open-loop model

    # -- running -------------------------------------------------------------------------------------
    def run(self) -> None:
        """Run the campaign to its end (all shifts, all calls finished)."""
        if self.cfg.open_loop is not None:
            self.env.process(self._open_loop_source())
            self.env.run()
            return
        self.env.process(self._shifts())
        if self.policy.update_interval_s:
            self.env.process(self._policy_updates())
        self.env.run()

    def shift_bounds(self, day: int) -> tuple[float, float] | None:
        """Start and end of day ``day``'s shift (inside the calling window in list mode), or None."""
        c = self.cfg.campaign
        start, end = day * SECONDS_PER_DAY + c.shift_start_s, day * SECONDS_PER_DAY + c.shift_start_s + c.shift_length_s
        if self.list is not None:
            return self.list.clip_to_window(day, start, end)
        return start, end

    def _shifts(self):
        st = self.state
        for day in range(self.cfg.campaign.n_shifts):
            bounds = self.shift_bounds(day)
            if bounds is None:
                continue
            start, end = bounds
            yield self.env.timeout(start - self.env.now)
            self._shift_end = end
            st.n_agents = self.cfg.agents.n_agents
            self.stats.agent_logged_in_s += st.n_agents * (end - start)
            self._place()
            yield self.env.timeout(end - start)
            st.n_agents = 0
        self._shift_end = -INF

    def _policy_updates(self):
        """Start the policy's periodic ticks (a chain of timeout callbacks, no process resumed per tick)."""
        self._tick_dt = self.policy.update_interval_s
        self._tick_days = iter(range(self.cfg.campaign.n_shifts))
        self._next_tick_day()
        return
        yield  # a generator, so that the chain starts when SimPy initialises this process

    def _next_tick_day(self) -> None:
        """Wait for the next day's shift, if any, then tick every ``update_interval_s`` inside it."""
        for day in self._tick_days:
            bounds = self.shift_bounds(day)
            if bounds is not None:
                self._tick_end = bounds[1]
                self.env.timeout(bounds[0] - self.env.now).callbacks.append(self._schedule_tick)
                return

    def _schedule_tick(self, _event=None) -> None:
        """Schedule the next tick, after running ahead the ticks that provably launch nothing.

        A tick before the next queued event and the next retry falling due sees the state the previous one
        left, so its controller step can run now with the tick's clock; its placement is skipped when it would
        launch no line and wake no retry. The first tick that may place is a real event at its instant in
        SimPy's order, so the run is event for event the one that ticks every ``update_interval_s``.
        """
        env, dt, end = self.env, self._tick_dt, self._tick_end
        now = env.now
        t = now + dt
        if t > end:
            self._next_tick_day()
            return
        step_done = False
        if getattr(self.policy, "pure_placement", False) and not self._list_exhausted():
            horizon = env.peek()
            if self._retry_heap:
                horizon = min(horizon, self._retry_heap[0][0])
            st = self.state
            # Not the day's last tick (it schedules the next day), and only while t - now is exact.
            while t < horizon and t + dt <= end and now + (t + dt - now) == t + dt:
                st.now_s = t
                self.policy.update(st)
                if self._tick_would_place():
                    step_done = True
                    break
                t += dt
        env.timeout(t - now).callbacks.append(self._tick_place if step_done else self._tick)

    def _tick_would_place(self) -> bool:
        """Whether :meth:`_place` at ``state.now_s`` would launch a line or wake a retry (sets what it sets)."""
        st = self.state
        left = self._numbers_left()
        st.n_numbers_left = left
        n = min(self.policy.lines_to_launch(st), left)
        return n > 0 or (left == 0 and bool(self._retry_heap) and self._retry_heap[0][0] < self._retry_wake_at)

    def _tick(self, _event) -> None:
        """One periodic update: the policy's controller step, then a placement."""
        if self._list_exhausted():
            return  # nothing can ever be dialled again: the controller has nothing left to steer
        self.state.now_s = self.env.now
        self.policy.update(self.state)
        self._place()
        self._schedule_tick()

    def _tick_place(self, _event) -> None:
        """A tick whose controller step already ran ahead (:meth:`_schedule_tick`): place only."""
        self._place()
        self._schedule_tick()

    def _list_exhausted(self) -> bool:
        """No fresh number, no retry pending and no attempt unfinished (so none can create a retry).

        Unfinished counts every attempt not yet recorded, including calls playing a message after a drop
        or on a voicemail, which are no longer lines up for the pacing.
        """
        return (self._fresh >= len(self._dial_list) and not self._ready and not self._retry_heap
                and self._next_call == self.stats.n_dials)

    def _numbers_left(self) -> int:
        now = self.env.now
        heap = self._retry_heap
        while heap and heap[0][0] <= now:
            _, number_id, attempt = heapq.heappop(heap)
            self._ready.append((number_id, attempt))
        return (len(self._dial_list) - self._fresh) + len(self._ready)

    def _place(self) -> None:
        """Ask the policy for lines and launch them (called on every state change)."""
        now = self.env.now
        if now >= self._shift_end:
            return
        st = self.state
        st.now_s = now
        left = self._numbers_left()
        st.n_numbers_left = left
        n = min(self.policy.lines_to_launch(st), left)
        lst = self.list
        for _ in range(n):
            if self._ready:
                number_id, attempt = self._ready.popleft()
            else:
                number_id, attempt = self._dial_list[self._fresh], 1
                self._fresh += 1
            if lst is not None:
                lst.dial(number_id)
            else:
                self._dial(number_id, attempt)
        if n < left or not self._retry_heap:
            return
        due = self._retry_heap[0][0]
        if due < self._retry_wake_at:  # nothing to dial now, but a retry becomes due later
            self._retry_wake_at = due
            self.env.timeout(due - now).callbacks.append(self._retry_wake)

    def _retry_wake(self, _event) -> None:
        self._retry_wake_at = INF
        self._place()

    # -- open loop (validation) ----------------------------------------------------------------------
    def _open_loop_source(self):
        """Poisson answers by humans who speak at once, straight to the agents (M/M/n+M, M/M/n+D)."""
        env, agents, st, trace = self.env, self.agents, self.state, self.trace
        patience = self._patience if self.cfg.abandon.hold_queue else None
        for i in range(self.cfg.open_loop.n_calls):
            yield env.timeout(self._iat())
            now = env.now
            call = [i, i, 1, now, ""]
            if trace is not None:
                self._tr(call, "answered_at", now)
            if agents.items and not agents.get_queue:
                # NOTE: fast path inlined for speed: no process and no patience timer when an agent is free.
                agent = agents.items.pop(0)
                st.n_agents_idle -= 1
                st.agent_busy_since_s[agent] = now
                if trace is not None:
                    self._tr(call, "connected_at", now)
                env.timeout(self._talk()).callbacks.append(
                    lambda _e, call=call, agent=agent, t=now: self._open_loop_done(call, agent, t))
                continue
            t_hang = now + patience() if patience is not None else INF
            env.process(self._route(call, "human", 0.0, (now, now, now), "", NAN, t_hang, True))

    def _open_loop_done(self, call, agent, t_conn) -> None:
        end = self.env.now
        self.stats.agent_busy_s += end - t_conn
        t = call[3]
        self._record(call, "answered", 0.0, "human", t, t, "", NAN, agent, t_conn, end, "agent", "human_to_agent")
        self._release(agent)

    # -- one dial attempt ----------------------------------------------------------------------------
    def _dial(self, number_id: int, attempt: int) -> None:
        net = self.cfg.network
        call = self.new_call(number_id, attempt, self.cfg.campaign.caller_id)
        u = self._u_net()
        if u < net.p_busy:
            self._fail(call, "busy", self._busy_s())
            return
        if u < net.p_busy + net.p_unobtainable:
            self._fail(call, "unobtainable", self._unob_s())
            return
        if u < net.p_busy + net.p_unobtainable + net.p_rejected:
            self._fail(call, "rejected", self._rej_s())
            return
        if self._u_party() >= self.cfg.answer.p_pickup:
            self._fail(call, "no_answer", net.ring_timeout_s)
            return
        self.answer(call, self._draw_kind())

    def new_call(self, number_id: int, attempt: int, caller_id: str) -> list:
        """Start a dial attempt: the call's bookkeeping list, with a line counted as ringing."""
        call = [self._next_call, number_id, attempt, self.env.now, caller_id]
        self._next_call += 1
        self.state.n_lines_ringing += 1
        return call

    def answer(self, call: list, kind: str) -> None:
        """The callee's side picks up as ``kind`` after its answer delay, or rings out."""
        delay = self._delay[_DELAY_GROUP[kind]]()
        if delay >= self.cfg.network.ring_timeout_s:
            self._fail(call, "no_answer", self.cfg.network.ring_timeout_s)
        else:
            self.env.process(self._answered(call, kind, delay))

    def _fail(self, call: list, outcome: str, ring_s: float) -> None:
        # Fast path: no process, one timeout with a callback.
        def done(_event, call=call, outcome=outcome, ring_s=ring_s):
            self.state.n_lines_ringing -= 1
            now = self.env.now
            self._record(call, outcome, ring_s, "", NAN, NAN, "", NAN, -1, NAN, now, "dialer", outcome)

        self.env.timeout(ring_s).callbacks.append(done)

    def _answered(self, call: list, kind: str, ring_s: float):
        env, st = self.env, self.state
        yield env.timeout(ring_s)
        st.n_lines_ringing -= 1
        t_ans = env.now
        self._tr(call, "answered_at", t_ans)
        if self._on_answered is not None:
            self._on_answered(t_ans)
        speech_off, greet_len = self._speech[kind][0](), self._speech[kind][1]()
        label, dec_off = "", NAN
        if self._amd is not None:
            label, dec_off, ss_m, ge_m = self._amd.decide(kind, speech_off if speech_off < INF else NAN)
            if self._amd.provides_timing:
                speech_off, greet_len = ss_m, ge_m - ss_m
        ss = t_ans + speech_off if speech_off == speech_off and speech_off < INF else NAN
        ge = ss + greet_len if ss == ss and greet_len == greet_len and greet_len < INF else NAN
        times = (t_ans, ss, ge)
        human = kind in self._human
        # A live callee listens to dead air from the end of the greeting (or the answer if silent).
        t_hang = (ge if ge == ge else t_ans) + self._patience() if human else INF
        if kind == "fax" and self._amd is None:
            yield env.timeout(FAX_DETECT_S)
            self._record(call, "answered", ring_s, kind, ss, ge, "", NAN, -1, NAN, env.now, "dialer", "fax")
            return
        if self._amd is not None:
            t_dec = t_ans + dec_off
            t_route = self._undecided_route_at(times, t_dec)  # INF unless amd.undecided_action says otherwise
            if (yield from self._in_amd_until(call, kind, ring_s, times, min(t_dec, t_route), t_hang)):
                return
            if t_route < INF:
                yield from self._route_undecided(call, kind, ring_s, times, (label, t_dec), t_hang, human)
                return
            self._tr(call, "amd_decided_at", t_dec)
            if self._hangs_up(label):
                yield from self._amd_hangup(call, kind, ring_s, times, label, t_dec, human)
                return
        yield from self._route(call, kind, ring_s, times, label, t_dec if label else NAN, t_hang, human)

    def _in_amd_until(self, call, kind, ring_s, times, until, t_hang):
        """The call is in AMD until ``until``; True when a live callee hangs up in dead air first (recorded)."""
        env, st = self.env, self.state
        _, ss, ge = times
        st.n_calls_in_amd += 1
        if t_hang < until:
            yield env.timeout(t_hang - env.now)
            st.n_calls_in_amd -= 1
            self._record(call, "answered", ring_s, kind, ss, ge, "", NAN, -1, NAN, env.now, "callee",
                         "callee_hung_up")
            return True
        yield env.timeout(until - env.now)
        st.n_calls_in_amd -= 1
        return False

    def _amd_hangup(self, call, kind, ring_s, times, label, t_dec, human):
        t_ans, ss, ge = times
        disp = "amd_false_positive" if human else ("fax" if kind == "fax" else "machine_hangup")
        if not human and kind != "fax" and self.cfg.amd.machine_action == "leave_message":
            # Wait for the greeting (and beep) to end, then play the message.
            start = max(self.env.now, ge if ge == ge else self.env.now)
            yield self.env.timeout(start - self.env.now + self.cfg.amd.message_s)
        self._record(call, "answered", ring_s, kind, ss, ge, label, t_dec, -1, NAN, self.env.now, "dialer", disp)

    def _route(self, call, kind, ring_s, times, label, t_dec, t_hang, human, pending=None):
        """Give the call an agent, or drop it at the deadline; ``pending``: a verdict still to come."""
        env, st, ab = self.env, self.state, self.cfg.abandon
        t_ans, ss, ge = times
        st.n_calls_waiting += 1
        if self._on_routed is not None:
            self._on_routed(env.now, env.now - call[3])
        agents = self.agents
        if agents.items and not agents.get_queue:
            # NOTE: fast path inlined for speed: an idle agent takes the call at once, no timers.
            agent = agents.items.pop(0)
        else:
            deadline = INF if ab.hold_queue else self._window_deadline(t_ans, ss, ge)
            verdict_at = self._verdict_while_waiting(pending)
            give_up = min(deadline, t_hang, verdict_at)
            req = agents.get()
            if give_up < INF:
                yield req | env.timeout(max(0.0, give_up - env.now))
            else:
                yield req
            if not req.triggered:
                req.cancel()
                st.n_calls_waiting -= 1
                if verdict_at < min(deadline, t_hang):  # the late verdict hangs up on the waiting call
                    yield from self._amd_hangup(call, kind, ring_s, times, pending[0], verdict_at, human)
                    return
                yield from self._unserved(call, kind, ring_s, times, label, t_dec, deadline, t_hang, human)
                return
            agent = req.value
        yield from self._talk_to_agent(call, kind, ring_s, times, label, t_dec, agent, human, pending)

    def _unserved(self, call, kind, ring_s, times, label, t_dec, deadline, t_hang, human):
        t_ans, ss, ge = times
        now = self.env.now
        if t_hang <= deadline:
            self._record(call, "answered", ring_s, kind, ss, ge, label, t_dec, -1, NAN, now, "callee", "callee_hung_up")
            return
        self._tr(call, "dropped_at", now)
        end = now + (self.cfg.abandon.message_s if self.cfg.abandon.drop_action == "message" else 0.0)
        if end > now:
            yield self.env.timeout(end - now)
        disp = "abandoned" if human else ("fax" if kind == "fax" else "machine_hangup")
        # The dialer cannot tell a dropped machine from a dropped person: its pacing counts a drop either way.
        self._record(call, "answered", ring_s, kind, ss, ge, label, t_dec, -1, NAN, end, "dialer", disp,
                     seen_as="abandoned")

    def _talk_to_agent(self, call, kind, ring_s, times, label, t_dec, agent, human, pending=None):
        env, st = self.env, self.state
        t_ans, ss, ge = times
        now = env.now
        st.n_calls_waiting -= 1
        st.n_agents_idle -= 1
        st.n_calls_with_agent += 1
        st.agent_busy_since_s[agent] = now
        self._tr(call, "connected_at", now)
        if not human and kind == "screening_assistant" and self.list is not None:
            human = self.list.screened_person_accepts()  # the agent spoke: the assistant rings its person
        hold = self._talk() if human else self._mach_handling()
        if pending is not None:  # connected at the deadline, the detector still listening
            label, t_dec, release_at = self._late_verdict(pending, now, hold, human)
            if release_at < INF:
                yield from self._released_by_verdict(call, kind, ring_s, times, label, release_at, agent, now)
                return
        yield env.timeout(hold)
        st.n_calls_with_agent -= 1
        end = env.now
        disp = "human_to_agent" if human else "machine_to_agent"
        wrap = self._wrap() if human else 0.0
        st.n_agents_wrap_up += wrap > 0  # before the record: the placement it triggers sees the agent in wrap-up
        self._record(call, "answered", ring_s, kind, ss, ge, label, t_dec, agent, now, end, "agent", disp)
        if wrap > 0:
            yield env.timeout(wrap)
            st.n_agents_wrap_up -= 1
        # Agent time is counted over the shift only (logged-in time), so clip work that runs past its end.
        self.stats.agent_busy_s += max(0.0, min(env.now, self._shift_end_of(now)) - now)
        self._release(agent)

    def _shift_end_of(self, t: float) -> float:
        if not self._retries:  # open loop: no shifts
            return INF
        bounds = self.shift_bounds(int(t // SECONDS_PER_DAY))
        return bounds[1] if bounds is not None else t

    def _release(self, agent: int) -> None:
        st = self.state
        del st.agent_busy_since_s[agent]
        st.n_agents_idle += 1
        if self.trace is not None:
            self._tr_agent(agent)
        agents = self.agents
        if agents.get_queue:
            agents.put(agent)  # a routed call is waiting: SimPy hands the agent over
        else:
            # NOTE: inlined for speed: nobody waits, so the agent simply rejoins the idle pool.
            agents.items.append(agent)
        if self._retries:
            self._place()

    # -- bookkeeping ---------------------------------------------------------------------------------
    def _tr(self, call, event: str, t: float) -> None:
        if self.trace is not None:
            self.trace.append((f"call-{call[0]}", event, t))

    def _tr_agent(self, agent: int) -> None:
        if self.trace is not None:
            self.trace.append((f"agent-{agent}", "idle_at", self.env.now))

    def _record(self, call, outcome, ring_s, kind, ss, ge, label, t_dec, agent, t_conn, end, ended_by, disp,
                seen_as: str = ""):
        """Write the record and feed the outcome to stats, pacing and the list.

        ``seen_as``: the disposition the dialer itself observes when it differs from the truth (a machine
        dropped for want of an agent looks like any other drop to the pacing policy).
        """
        call_id, number_id, attempt, dial_at, caller_id = call
        c = self.cfg.campaign
        self._append_row((c.campaign_id, int(dial_at // SECONDS_PER_DAY), number_id, attempt, caller_id, dial_at,
                          outcome, ring_s, kind, ss, ge, label, t_dec, agent, t_conn, end, ended_by, disp))
        self.sink.maybe_flush()
        if self.trace is not None:
            self._tr(call, disp, end)
        human = kind in self._human
        self.stats.add(disp, ge if ge == ge else dial_at + ring_s, t_conn, end, human)
        if not self._retries:  # open loop: no dialer, no pacing, no retries
            return
        self.policy.on_outcome(end, seen_as or disp)
        if self.list is not None:
            due = self.list.after_attempt(call, disp, kind, label, ring_s, end, seen_as or disp)
            if due is not None:
                heapq.heappush(self._retry_heap, (due, number_id, attempt + 1))
        elif disp not in _FINAL and attempt < c.max_attempts:
            heapq.heappush(self._retry_heap, (end + c.retry_gap_s, number_id, attempt + 1))
        self._place()


# Dispositions after which a number is not dialled again in this campaign.
_FINAL = frozenset({"human_to_agent", "unobtainable"})


class _Stats:
    """Online counters so summaries need not keep the records in memory."""

    def __init__(self) -> None:
        self.by_disposition: dict[str, int] = {}
        self.n_dials = 0
        self.n_live = 0
        self.dead_air_s = 0.0
        self.agent_busy_s = 0.0
        self.last_end_s = 0.0
        self.agent_logged_in_s = 0.0
        self.agent_s_on_machines = 0.0
        self.n_routed_undecided = 0
        self.n_released_by_verdict = [0, 0]  # [machines, live people] released by a verdict after connection

    def add(self, disp: str, silence_from_s: float, t_conn: float, end: float, human: bool) -> None:
        self.n_dials += 1
        self.by_disposition[disp] = self.by_disposition.get(disp, 0) + 1
        if end > self.last_end_s:
            self.last_end_s = end
        if disp == "machine_to_agent":
            self.agent_s_on_machines += end - t_conn
        if human:
            self.n_live += 1
            stop = t_conn if t_conn == t_conn else end
            if stop > silence_from_s:
                self.dead_air_s += stop - silence_from_s
