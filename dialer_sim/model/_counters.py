"""Online counters of one replication, so the run summary needs no records in memory.

Conventions
-----------
Durations are seconds; :meth:`CampaignCounters.add` is called once per ended
dial attempt, with the attempt's true disposition.
"""

from __future__ import annotations

from ._call import Call

__all__ = ["CampaignCounters"]


class CampaignCounters:
    """Counts and sums over the ended attempts and the agents' shifts."""

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

    def add(self, disp: str, call: Call, end: float) -> None:
        """One attempt ended at ``end`` as ``disp``; a live callee's dead air runs from
        :attr:`Call.silence_from_s` to the connection (or the end)."""
        self.n_dials += 1
        self.by_disposition[disp] = self.by_disposition.get(disp, 0) + 1
        if end > self.last_end_s:
            self.last_end_s = end
        t_conn = call.connected_at_s
        if disp == "machine_to_agent":
            self.agent_s_on_machines += end - t_conn
        if call.human:
            self.n_live += 1
            stop = t_conn if t_conn == t_conn else end
            silence_from_s = call.silence_from_s
            if stop > silence_from_s:
                self.dead_air_s += stop - silence_from_s
