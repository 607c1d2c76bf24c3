"""The AMD stage of an answered call: listening until the verdict, then routing it or hanging up.

A mixin of :class:`dialer_sim.model.CampaignModel` (it uses the model's ``env``,
``state``, ``cfg``, :meth:`route`, :meth:`_record`, :meth:`trace_call` and the
deadline rules of :class:`~dialer_sim.model._deadline_connect.DeadlineConnect`).
A call enters it from :meth:`CampaignModel._answered
<dialer_sim.model.CampaignModel._answered>` when AMD is on; every step is a
timeout whose callback is the next method, in the order they appear here.

Conventions
-----------
The detector's verdict and its instant are on the call (``call.verdict``,
``call.verdict_at_s``) from the answer on; a live callee's hang-up instant in
dead air is ``call.hang_up_at_s``.
"""

from __future__ import annotations

import math

from ._call import Call

__all__ = ["AmdStage"]

NAN = math.nan
INF = math.inf


class AmdStage:
    """Mixin of :class:`dialer_sim.model.CampaignModel`: a call in AMD, its verdict and the dialer's hang-up."""

    def _in_amd(self, call: Call) -> None:
        """The call is in AMD until its verdict (or the deadline, when undecided calls connect then)."""
        self.state.n_calls_in_amd += 1
        until, route_at = call.verdict_at_s, self._undecided_route_at(call)
        if route_at < until:  # min(verdict, route_at), without the builtin's call
            until = route_at
        if call.hang_up_at_s < until:  # the live callee hangs up in dead air first
            self.env.call_later(call.hang_up_at_s - self.env._now, self._hung_up_in_amd, call)
        else:
            self.env.call_later(until - self.env._now, self._amd_done, call)

    def _hung_up_in_amd(self, call: Call) -> None:
        self.state.n_calls_in_amd -= 1
        self._record(call, "callee_hung_up", "callee", self.env._now)

    def _amd_done(self, call: Call) -> None:
        self.state.n_calls_in_amd -= 1
        if self._undecided_route_at(call) < INF:
            self._route_undecided(call)
            return
        label = call.verdict
        self.trace_call(call, "amd_decided_at", call.verdict_at_s)
        call.amd_label, call.amd_decided_at_s = label, (call.verdict_at_s if label else NAN)
        if self._hangs_up(label):
            call.amd_decided_at_s = call.verdict_at_s
            self._amd_hangup(call)
        else:
            self.route(call)

    def _amd_hangup(self, call: Call) -> None:
        """The dialer hangs up on a verdict; on a machine it may first wait for the beep and leave a message."""
        if not call.human and call.kind != "fax" and self.cfg.amd.machine_action == "leave_message":
            now, ge = self.env._now, call.greeting_end_at_s
            start = max(now, ge if ge == ge else now)
            self.env.call_later(start - now + self.cfg.amd.message_s, self._hung_up_by_amd, call)
        else:
            self._record(call, self._amd_disposition(call), "dialer", self.env._now)

    def _hung_up_by_amd(self, call: Call) -> None:
        self._record(call, self._amd_disposition(call), "dialer", self.env._now)

    @staticmethod
    def _amd_disposition(call: Call) -> str:
        return "amd_false_positive" if call.human else ("fax" if call.kind == "fax" else "machine_hangup")
