"""The SimPy model of a predictive dialer running one campaign.

One :class:`CampaignModel` holds everything a replication needs (environment,
streams, agents, pacing policy, number source, record sink); nothing is
module-level. Where the numbers come from is a
:class:`~dialer_sim.model.NumberSource`: a single list, a multi-day
list campaign, or open-loop arrivals.

How a dial attempt unfolds (docs/model.md has the full event diagram). Every
step is a SimPy timeout whose callback is the next method below; no attempt
needs a process of its own:

1. :meth:`~CampaignModel.new_call`, then the network outcome. Busy,
   unobtainable, rejected and unanswered attempts end after one timeout
   (:meth:`~CampaignModel.end_unanswered`).
2. :meth:`~CampaignModel.answer`: after the answer delay, fax detection, or AMD
   (during which a live callee may already hang up in dead air); AMD
   ``machine`` hangs up (or leaves a message); ``human`` / ``notsure`` (or AMD
   off) are routed to the agents.
3. :meth:`~CampaignModel.route`: an idle agent takes the call at once, else it
   waits for the first of: an agent, the compliance deadline (drop, silently
   or with a message), or the callee's patience running out.
4. Connected calls talk, the agent wraps up and takes the next waiting call or
   rejoins the idle pool.

The pacing policy is asked for new lines whenever the state changes: a call
ends, an agent frees up, a retry becomes due, or its periodic update runs.

Conventions
-----------
Times are seconds since midnight of the campaign's first day. Idle agents are
a FIFO of integer agent ids (the longest-idle agent serves next); waiting calls
are served first come, first served.
"""

from __future__ import annotations

import contextlib
import gc
import math

import numpy as np

from .._time import SECONDS_PER_DAY
from ..config._dialer import DialerConfig
from ..pacing import make_policy
from ..pacing._base import DialerState
from ..records._cdr import HUMAN_KINDS, RecordSink
from ._amd import make_amd
from ._amd_stage import AmdStage
from ._call import Call
from ._counters import CampaignCounters
from ._deadline_connect import DeadlineConnect
from ._draws import Block
from ._environment import DialerEnvironment
from ._list_campaign import ListCampaign
from ._number_sources import NumberSource, SingleList
from ._open_loop import OpenLoopArrivals
from ._ping import PingCampaign
from ._routing import AgentRouting
from ._ticks import PacingTicks

__all__ = ["CampaignModel"]

NAN = math.nan
INF = math.inf
#: Fax/modem tones are recognised by call-progress analysis about 1 s after answer
#: (CED 2100 Hz starts at answer; docs/sources.md §5.3), with or without AMD.
FAX_DETECT_S = 1.0
#: Allocations between collections of the youngest generation while a model runs (Python's default is 700).
GC_YOUNG_THRESHOLD = 50_000
#: Which answer-delay distribution each kind uses: people (and fax machines) pick up after a few rings,
#: answering machines after 4-5 rings, network voicemail and screening assistants at once.
_DELAY_GROUP = {
    "human": "human", "human_hello_hello": "human", "human_long_greeting": "human", "human_silent": "human",
    "machine_beep": "machine", "machine_nobeep": "machine",
    "machine_carrier": "instant", "screening_assistant": "instant", "fax": "human",
}


@contextlib.contextmanager
def _sparse_gc():
    """Collect reference cycles less often while the model runs (its objects are short-lived, few form cycles).

    The objects that exist before the run (configuration, population, calling list) are frozen out of the
    collector's scans, and the youngest generation is collected every :data:`GC_YOUNG_THRESHOLD`
    allocations instead of every 700; both are restored afterwards. Results do not depend on it.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class CampaignModel(AgentRouting, AmdStage, DeadlineConnect, PacingTicks):
    """One replication of one campaign (closed loop) or of the open-loop queue.

    Parameters
    ----------
    config : DialerConfig
    streams : dict of name -> numpy Generator, from ``_draws.make_streams``.
    sink : RecordSink
    trace : list or None
        When a list, ``(call_id, event, time_s)`` tuples are appended (tests).
    policy : PacingPolicy, optional
    dial_list : sequence of int, optional
        The fresh numbers in dialling order (list mode may dial a subset of the population).
    source_factory : callable, optional
        ``source_factory(model, streams, dial_list)`` returns the :class:`NumberSource` to use instead of
        the one the configuration selects (docs/architecture.md, "Number sources").
    """

    def __init__(self, config: DialerConfig, streams, sink: RecordSink, *, trace: list | None = None, policy=None,
                 dial_list=None, source_factory=None):
        self.cfg = config
        self.env = DialerEnvironment()
        self.sink = sink
        self.trace = trace
        self.state = DialerState()
        self.stats = CampaignCounters()
        dial_list = list(range(config.campaign.n_numbers)) if dial_list is None else [int(i) for i in dial_list]
        campaign = PingCampaign if config.ping is not None else ListCampaign
        self.list = campaign(self, streams, dial_list) if config.list_mode else None
        if policy is None:
            policy = self.list.probe_policy() if self.list is not None and (config.probe or config.ping) else None
        self.policy = policy if policy is not None else make_policy(config.pacing.params)
        self._on_routed = getattr(self.policy, "on_routed", None)  # optional hooks (pacing._policy)
        self._on_answered = getattr(self.policy, "on_answered", None)
        self._init_agents(config.agents.n_agents)
        self._draws(streams)
        self._next_call = 0
        self._retry_wake_at = INF
        self._shift_end = -INF
        self._shift_bounds: dict[int, tuple[float, float] | None] = {}
        if source_factory is not None:
            self.source: NumberSource = source_factory(self, streams, dial_list)
        elif self.list is not None:
            self.source = self.list
        else:
            self.source = (OpenLoopArrivals(self, streams) if config.open_loop is not None
                           else SingleList(self, streams, dial_list))
        # Bound once: _place and _record call these on every state change and every ended attempt.
        self._paced = self.source.paced
        self._n_ready, self._dial_next = self.source.n_ready, self.source.dial_next
        self._after_attempt = self.source.after_attempt
        self._lines_to_launch, self._on_outcome = self.policy.lines_to_launch, self.policy.on_outcome
        self._sink_rows, self._batch_rows = sink.pending_rows, sink.batch_rows

    # -- setup ---------------------------------------------------------------------------------------
    def _draws(self, s) -> None:
        c = self.cfg
        self._u_net = Block.uniform(s["network"])
        self._failure_s = {"busy": Block.of(c.network.busy_s, s["ring"]),
                           "unobtainable": Block.of(c.network.unobtainable_s, s["ring"]),
                           "rejected": Block.of(c.network.rejected_s, s["ring"])}
        self._delay = {group: Block.of(getattr(c.answer, f"{group}_answer_delay_s"), s["ring"])
                       for group in ("human", "machine", "instant")}
        self._speech = {k: (Block.of(t["speech_start_s"], s["speech"]), Block.of(t["greeting_s"], s["speech"]))
                        for k, t in c.answer.timing.items()}
        self._amd = make_amd(c.amd, rng=s["amd"], kinds_needed={k for k, w in c.answer.kind_weights.items() if w > 0})
        self._talk = Block.of(c.agents.talk_time_s, s["talk"])
        self._mach_handling = Block.of(c.agents.machine_handling_s, s["talk"])
        self._wrap = Block.of(c.agents.wrap_up_s, s["wrap"])
        self._patience = Block.of(c.abandon.patience_s, s["patience"])
        if c.open_loop is not None:  # exponential talk, no wrap-up (the M/M/n+M and M/M/n+D queues)
            mean_talk_s = c.open_loop.mean_talk_time_s
            self._talk = Block(lambda n: s["talk"].exponential(mean_talk_s, n))
            self._wrap = Block(np.zeros)
        self._deadline_draws(s)
        net = c.network
        self._p_fail = (net.p_busy, net.p_busy + net.p_unobtainable, net.p_busy + net.p_unobtainable + net.p_rejected)
        self._ring_timeout_s = net.ring_timeout_s
        self._campaign_id = c.campaign.campaign_id
        self._hold_queue = c.abandon.hold_queue

    # -- running -------------------------------------------------------------------------------------
    def run(self) -> None:
        """Run the campaign to its end (all shifts, all calls finished)."""
        self.source.start()
        if self.source.paced:
            self.env.process(self._shifts())
            if self.policy.update_interval_s:
                self.env.process(self._policy_updates())
        with _sparse_gc():
            self.env.run()

    def shift_bounds(self, day: int) -> tuple[float, float] | None:
        """Start and end of day ``day``'s shift (inside the source's calling window), or None.

        Computed once per day (every agent's release asks for its shift's end).
        """
        bounds = self._shift_bounds.get(day, False)
        if bounds is False:
            c = self.cfg.campaign
            start = day * SECONDS_PER_DAY + c.shift_start_s
            bounds = self._shift_bounds[day] = self.source.clip_to_window(day, start, start + c.shift_length_s)
        return bounds

    def _shifts(self):
        st = self.state
        for day in range(self.cfg.campaign.n_shifts):
            bounds = self.shift_bounds(day)
            if bounds is None:
                continue
            start, end = bounds
            yield self.env.timeout(start - self.env._now)
            self._shift_end = end
            st.n_agents = self.cfg.agents.n_agents
            self.stats.agent_logged_in_s += st.n_agents * (end - start)
            self._place()
            yield self.env.timeout(end - start)
            st.n_agents = 0
        self._shift_end = -INF

    def _list_exhausted(self) -> bool:
        """No number can become ready again and no attempt is unfinished (so none can create a retry).

        Unfinished counts every attempt not yet recorded, including calls playing a message after a drop
        or on a voicemail, which are no longer lines up for the pacing.
        """
        return self._next_call == self.stats.n_dials and self.source.exhausted()  # the cheap test first

    def _place(self) -> None:
        """Ask the policy for lines and launch them (called on every state change)."""
        now = self.env._now
        if now >= self._shift_end:
            return
        st = self.state
        st.now_s = now
        left = self._n_ready(now)
        st.n_numbers_left = left
        n = self._lines_to_launch(st)
        if n > left:
            n = left
        if n:
            dial_next = self._dial_next
            for _ in range(n):
                dial_next()
        if n < left:
            return
        due = self.source.next_due_s()
        if due < self._retry_wake_at:  # nothing to dial now, but a number becomes ready later
            self._retry_wake_at = due
            self.env.call_later(due - now, self._retry_wake)

    def _retry_wake(self, _value=None) -> None:
        self._retry_wake_at = INF
        self._place()

    # -- the line API of number sources (docs/architecture.md, "Number sources") -----------------------
    def new_call(self, number_id: int, attempt: int, caller_id: str) -> Call:
        """Start a dial attempt now: its :class:`Call`, with a line counted as ringing."""
        call = Call(self._next_call, number_id, attempt, self.env._now, caller_id)
        self._next_call += 1
        self.state.n_lines_ringing += 1
        return call

    def network_fails(self, call: Call, *, rejected: bool = True) -> bool:
        """Draw the network outcome; end a busy or unobtainable attempt (and a rejected one when ``rejected``).

        Returns True when the attempt ended here. One ``network`` draw per attempt, whatever the outcome.
        """
        u = self._u_net()
        p_busy, p_unob, p_rej = self._p_fail
        if u < p_busy:
            self.end_unanswered(call, "busy")
        elif u < p_unob:
            self.end_unanswered(call, "unobtainable")
        elif rejected and u < p_rej:
            self.end_unanswered(call, "rejected")
        else:
            return False
        return True

    def end_unanswered(self, call: Call, outcome: str, ring_s: float | None = None) -> None:
        """End the attempt as ``outcome`` after its ring time (``no_answer``) or its tone time (drawn).

        ``ring_s``: the dialer hangs up after this ring instead (a ping dialer's short ring).
        """
        if ring_s is None:
            ring_s = self._ring_timeout_s if outcome == "no_answer" else self._failure_s[outcome]()
        call.network_outcome, call.ring_s = outcome, ring_s
        self.env.call_later(ring_s, self._unanswered, call)

    def _unanswered(self, call: Call) -> None:
        self.state.n_lines_ringing -= 1
        self._record(call, call.network_outcome, "dialer", self.env._now)

    def hang_up_at_answer(self, call: Call, kind: str, delay_s: float) -> None:
        """``kind`` picks up after ``delay_s`` and the dialer hangs up at once: nobody is connected, nobody speaks."""
        call.kind, call.ring_s, call.human = kind, delay_s, kind in HUMAN_KINDS
        self.env.call_later(delay_s, self._hung_up_at_answer, call)

    def _hung_up_at_answer(self, call: Call) -> None:
        self.state.n_lines_ringing -= 1
        now = self.env._now
        call.answered_at_s = now
        self._record(call, "abandoned" if call.human else "machine_hangup", "dialer", now)

    def answer(self, call: Call, kind: str) -> None:
        """The callee's side picks up as ``kind`` after its answer delay, or rings out."""
        delay = self._delay[_DELAY_GROUP[kind]]()
        if delay >= self._ring_timeout_s:
            self.end_unanswered(call, "no_answer")
            return
        call.kind, call.ring_s, call.human = kind, delay, kind in HUMAN_KINDS
        self.env.call_later(delay, self._answered, call)

    def mark_answered(self, call: Call, t_ans: float, ss: float, ge: float) -> None:
        """Set the answer, speech-start and greeting-end instants, and from them the compliance deadline.

        The deadline is the end of the compliance window, ``abandon.clock_start`` (the answer when that
        instant never comes, e.g. no speech) plus ``abandon.window_s``; this is the only place it is computed.
        """
        call.answered_at_s, call.speech_start_at_s, call.greeting_end_at_s = t_ans, ss, ge
        clock = ss if self._clock == "speech_start" else (ge if self._clock == "greeting_end" else t_ans)
        call.deadline_at_s = (clock if clock == clock else t_ans) + self._window_s

    def draw_patience_s(self) -> float:
        """A live callee's patience in dead air (``abandon.patience_s``, ``patience`` stream)."""
        return self._patience()

    # -- an answered call ----------------------------------------------------------------------------
    def _answered(self, call: Call) -> None:
        self.state.n_lines_ringing -= 1
        t_ans, kind, amd = self.env._now, call.kind, self._amd
        if self.trace is not None:
            self.trace_call(call, "answered_at", t_ans)
        if self._on_answered is not None:
            self._on_answered(t_ans)
        speech = self._speech[kind]
        speech_off, greet_len = speech[0](), speech[1]()
        if amd is not None:
            label, dec_off, ss_m, ge_m = amd.decide(kind, speech_off if speech_off < INF else NAN)
            if amd.provides_timing:
                speech_off, greet_len = ss_m, ge_m - ss_m
            call.verdict, call.verdict_at_s = label, t_ans + dec_off
        ss = t_ans + speech_off if speech_off == speech_off and speech_off < INF else NAN
        ge = ss + greet_len if ss == ss and greet_len == greet_len and greet_len < INF else NAN
        self.mark_answered(call, t_ans, ss, ge)
        if call.human:  # a live callee listens to dead air from the end of the greeting (or the answer if silent)
            call.hang_up_at_s = (ge if ge == ge else t_ans) + self._patience()
        if amd is not None:
            self._in_amd(call)
        elif kind == "fax":
            self.env.call_later(FAX_DETECT_S, self._fax_detected, call)
        else:
            self.route(call)

    def _fax_detected(self, call: Call) -> None:
        self._record(call, "fax", "dialer", self.env._now)

    # -- bookkeeping ---------------------------------------------------------------------------------
    def trace_call(self, call: Call, event: str, t: float) -> None:
        """Append ``(call-ID, event, t)`` to the trace, when tracing."""
        if self.trace is not None:
            self.trace.append((f"call-{call.call_id}", event, t))

    def _record(self, call: Call, disp: str, ended_by: str, end: float, seen_as: str = "") -> None:
        """Write the call's record and feed the outcome to the counters, the pacing and the number source.

        ``seen_as``: the disposition the dialer itself observes when it differs from the truth (a machine
        dropped for want of an agent looks like any other drop to the pacing policy).
        """
        dial_at = call.dial_at_s
        rows = self._sink_rows
        rows.append((self._campaign_id, int(dial_at // SECONDS_PER_DAY), call.number_id, call.attempt,
                     call.caller_id, dial_at, call.network_outcome, call.ring_s, call.kind,
                     call.speech_start_at_s, call.greeting_end_at_s, call.amd_label, call.amd_decided_at_s,
                     call.agent_id, call.connected_at_s, end, ended_by, disp))
        if len(rows) >= self._batch_rows:  # RecordSink.maybe_flush, inlined: once per ended attempt
            self.sink.flush()
        if self.trace is not None:
            self.trace_call(call, disp, end)
        self.stats.add(disp, call, end)
        if not self._paced:  # open loop: no dialer, no pacing, no retries
            return
        seen = seen_as or disp
        self._on_outcome(end, seen)
        self._after_attempt(call, disp, seen, end)
        self._place()
