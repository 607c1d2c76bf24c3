"""The pacing policy's periodic ticks, with the quiet ones run ahead and their placements skipped.

A mixin of :class:`dialer_sim.model.CampaignModel` (it uses the model's ``env``,
``policy``, ``state``, ``source``, :meth:`shift_bounds`, :meth:`_place` and
:meth:`_list_exhausted`). Ticks are a chain of timeout callbacks, not a process
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

__all__ = ["PacingTicks"]


class PacingTicks:
    """Mixin of :class:`dialer_sim.model.CampaignModel`: the policy's periodic updates and placements."""

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
            horizon = min(env.peek(), self.source.next_due_s())
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
        left = self.source.n_ready(st.now_s)
        st.n_numbers_left = left
        n = min(self.policy.lines_to_launch(st), left)
        return n > 0 or (left == 0 and self.source.next_due_s() < self._retry_wake_at)

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
