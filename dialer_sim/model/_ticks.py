"""The pacing policy's periodic ticks, with the quiet ones run ahead and their placements skipped.

A mixin of :class:`dialer_sim.model.CampaignModel` (it uses the model's ``env``,
``policy``, ``state``, ``source``, :meth:`shift_bounds`, :meth:`_place` and
:meth:`_list_exhausted`). Ticks are a chain of callbacks in the environment's tick slot
(:meth:`DialerEnvironment.schedule_tick <dialer_sim.model.DialerEnvironment.schedule_tick>`), not a process
resumed every ``update_interval_s``.

Conventions
-----------
A tick before the next queued event and before the next retry falls due sees the
state the previous tick left. When the policy's placement is a pure function of
that state (``PacingPolicy.pure_placement``), its controller step runs at once
with the tick's clock, and its placement is skipped while it would launch no line
and wake no retry (``docs/pacing.md``). Every ``update`` runs at the instant it
would have run, so the run is event for event the one that ticks every second.
"""

from __future__ import annotations

from .._time import EXACT_CLOCK_S, n_steps_before

__all__ = ["PacingTicks", "SHORT_STRETCH_TICKS"]

INF = float("inf")
#: Quiet stretches up to this many ticks are stepped one by one: cheaper than the closed form's set-up.
SHORT_STRETCH_TICKS = 4


class PacingTicks:
    """Mixin of :class:`dialer_sim.model.CampaignModel`: the policy's periodic updates and placements."""

    def _policy_updates(self):
        """Start the policy's periodic ticks (a chain of tick-slot callbacks, no process resumed per tick)."""
        policy = self.policy
        self._tick_dt = policy.update_interval_s
        self._tick_update = policy.update
        self._tick_ahead = bool(getattr(policy, "pure_placement", False))
        self._tick_advance = getattr(policy, "advance_quiet", None) if self._tick_ahead else None
        self._tick_days = iter(range(self.cfg.campaign.n_shifts))
        self._next_tick_day()
        return
        yield  # a generator, so that the chain starts when SimPy initialises this process

    def _next_tick_day(self) -> None:
        """Wait for the next day's shift, if any, then tick every ``update_interval_s`` inside it."""
        for day in self._tick_days:
            bounds = self.shift_bounds(day)
            if bounds is not None:
                start, self._tick_end = bounds
                self._tick_last = self._last_quiet_tick(start)
                self.env.schedule_tick(start - self.env._now, self._schedule_tick)
                return

    def _last_quiet_tick(self, start: float) -> float | None:
        """The day's last tick that may run ahead (not the day's last tick), when the ticks are exact sums.

        ``None`` when the policy has no ``advance_quiet``, or when the ticks ``start + k·dt`` are not whole
        seconds below :data:`EXACT_CLOCK_S`: the ticks are then run ahead one by one.
        """
        dt, end = float(self._tick_dt), self._tick_end
        if self._tick_advance is None or not (float(start).is_integer() and dt.is_integer() and end < EXACT_CLOCK_S):
            return None
        return start + dt * n_steps_before(start + 2 * dt, dt, end, 1 << 62, inclusive=True)

    def _schedule_tick(self) -> None:
        """Schedule the next tick, after running ahead the ticks that provably launch nothing.

        A tick before the next queued event and the next retry falling due sees the state the previous one
        left, so its controller step can run now with the tick's clock; its placement is skipped when it would
        launch no line and wake no retry. The first tick that may place is scheduled at its instant in
        SimPy's order, so the run is event for event the one that ticks every ``update_interval_s``.
        A stretch of up to :data:`SHORT_STRETCH_TICKS` ticks is stepped one by one; a longer one, when the
        policy has ``advance_quiet``, in closed form.
        """
        env, dt = self.env, self._tick_dt
        now = env._now
        t = now + dt
        if t > self._tick_end:
            self._next_tick_day()
            return
        step_done = False
        if self._tick_ahead:
            queue = env._queue
            horizon = queue[0][0] if queue else INF
            # "not self._list_exhausted()", inlined: this runs once per tick.
            if t < horizon and not (self._next_call == self.stats.n_dials and self.source.exhausted()):
                due = self.source.next_due_s()
                if due < horizon:
                    horizon = due
                if t >= horizon:
                    pass
                elif self._tick_last is not None and horizon - t > SHORT_STRETCH_TICKS * dt:
                    t, step_done = self._run_ahead_closed_form(t, horizon)
                else:
                    t, step_done = self._run_ahead_stepwise(t, horizon)
        env.schedule_tick(t - now, self._tick_place if step_done else self._tick)

    def _run_ahead_stepwise(self, t: float, horizon: float) -> tuple[float, bool]:
        """The quiet ticks from ``t`` on, before ``horizon``, one controller step each (see the closed form)."""
        now, dt, end = self.env._now, self._tick_dt, self._tick_end
        st, update, would_place = self.state, self.policy.update, self._tick_would_place
        # Not the day's last tick (it schedules the next day), and only while t - now is exact.
        while t < horizon and t + dt <= end and now + (t + dt - now) == t + dt:
            st.now_s = t
            update(st)
            if would_place():
                return t, True
            t += dt
        return t, False

    def _run_ahead_closed_form(self, t: float, horizon: float) -> tuple[float, bool]:
        """The quiet ticks from ``t`` on, the policy advancing whole stretches of them at once.

        The quiet ticks are the whole seconds ``t, t + dt, ...`` before ``horizon``, up to the day's last
        quiet tick; the state is the same at each. The placement is asked before the first tick's step (the
        answer holds at every tick whose step cannot change it) and after every step that may change it;
        the policy's ``advance_quiet`` runs the steps in between. Returns the tick to schedule and whether
        its step already ran (it places).
        """
        dt = self._tick_dt
        n_left = int((self._tick_last - t) / dt) + 1  # exact: whole seconds
        if horizon - t < n_left * dt:
            n_left = n_steps_before(t, dt, horizon, n_left)
        if n_left <= 0:
            return t, False
        st, update, advance = self.state, self.policy.update, self._tick_advance
        st.now_s = t
        if self._tick_would_place():  # before t's step: the step may change that, so take it and ask again
            update(st)
            if self._tick_would_place():
                return t, True
            t += dt
            n_left -= 1
        while n_left:
            st.now_s = t
            n = advance(st, n_left)
            if n:
                t += n * dt
                n_left -= n
                if not n_left:
                    break
                st.now_s = t
            update(st)  # a step that may change the placement
            if self._tick_would_place():
                return t, True
            t += dt
            n_left -= 1
        return t, False

    def _tick_would_place(self) -> bool:
        """Whether :meth:`_place` at ``state.now_s`` would launch a line or wake a retry (sets what it sets)."""
        st = self.state
        left = self._n_ready(st.now_s)
        st.n_numbers_left = left
        if self._lines_to_launch(st) > 0 and left > 0:  # min(lines, left) > 0
            return True
        return left == 0 and self.source.next_due_s() < self._retry_wake_at

    def _tick(self) -> None:
        """One periodic update: the policy's controller step, then a placement."""
        if self._next_call == self.stats.n_dials and self.source.exhausted():  # _list_exhausted, inlined
            return  # nothing can ever be dialled again: the controller has nothing left to steer
        st = self.state
        st.now_s = self.env._now
        self._tick_update(st)
        self._place()
        self._schedule_tick()

    def _tick_place(self) -> None:
        """A tick whose controller step already ran ahead (:meth:`_schedule_tick`): place only."""
        self._place()
        self._schedule_tick()
