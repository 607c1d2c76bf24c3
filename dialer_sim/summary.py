"""Campaign summaries: a pure function of the model's online counters.

Conventions
-----------
- ``live answers`` are answered calls whose answer kind is a live person
  (truth, known to the simulation): ``human``, ``human_hello_hello``,
  ``human_long_greeting``, ``human_silent``.
- ``contacts`` are live people connected to an agent (``human_to_agent``).
- Agent time is counted over the shifts: ``n_agents x shift_length_s x n_shifts``
  (open loop: ``n_agents`` x the time of the last event).
"""

from __future__ import annotations

import math

from .config import DialerConfig
from .records import DISPOSITIONS

__all__ = ["summary_from_counts"]


def _logged_in_agent_s(config: DialerConfig, last_end_s: float) -> float:
    if config.open_loop is not None:
        return config.agents.n_agents * last_end_s
    c = config.campaign
    return config.agents.n_agents * c.shift_length_s * c.n_shifts


def summary_from_counts(
    config: DialerConfig,
    *,
    by_disposition: dict[str, int],
    n_dials: int,
    n_live: int,
    dead_air_s: float,
    agent_busy_s: float,
    last_end_s: float,
    n_window_abandoned: int | None = None,
    agent_logged_in_s: float | None = None,
    deadline: dict[str, float] | None = None,
) -> dict[str, float | int | str]:
    """The summary dictionary (flat JSON scalars) from aggregate counts.

    ``agent_logged_in_s`` overrides the logged-in agent time computed from the
    shifts (list campaigns: shifts are clipped to the calling windows).
    ``deadline``: the model's counters ``agent_s_on_machines``,
    ``n_window_late_connect``, ``n_routed_undecided``, ``n_machine_released_by_amd``
    and ``n_amd_false_positive_after_connect`` (NaN when not given).
    """
    counts = {d: int(by_disposition.get(d, 0)) for d in DISPOSITIONS}
    logged_in_s = _logged_in_agent_s(config, last_end_s) if agent_logged_in_s is None else agent_logged_in_s
    contacts = counts["human_to_agent"]
    util = agent_busy_s / logged_in_s if logged_in_s > 0 else math.nan
    n_answered = n_dials - sum(counts[d] for d in ("no_answer", "busy", "unobtainable", "rejected"))

    def share(num: float, den: float) -> float:
        return num / den if den > 0 else math.nan

    out: dict[str, float | int | str] = {
        "campaign_id": config.campaign.campaign_id,
        "n_dials": int(n_dials),
        "n_answered": int(n_answered),
        "n_live_answers": int(n_live),
        "n_contacts": contacts,
    }
    out.update({f"n_{d}": counts[d] for d in DISPOSITIONS})
    out.update({
        "contacts_per_agent_hour": share(contacts, logged_in_s / 3600.0),
        "dials_per_contact": share(n_dials, contacts),
        "agent_utilisation": util,
        "agent_idle_share": 1.0 - util if util == util else math.nan,
        "agent_idle_hours": max(0.0, (logged_in_s - agent_busy_s) / 3600.0),
        "agent_logged_in_hours": logged_in_s / 3600.0,
        "dead_air_per_live_answer_s": share(dead_air_s, n_live),
        "abandon_rate_live": share(counts["abandoned"], n_live),
        "abandon_or_amd_fp_rate_live": share(counts["abandoned"] + counts["amd_false_positive"], n_live),
        "abandon_rate_window_live": share(n_window_abandoned, n_live) if n_window_abandoned is not None else math.nan,
        "callee_hung_up_rate_live": share(counts["callee_hung_up"], n_live),
        "amd_false_positive_rate_live": share(counts["amd_false_positive"], n_live),
        **_deadline_fields(deadline or {}, n_answered - n_live, n_live),
        "abandon_window_s": config.abandon.window_s,
        "abandon_clock_start": config.abandon.clock_start,
        "pacing_policy": config.pacing.policy,
        "n_agents": config.agents.n_agents,
        "sim_end_s": float(last_end_s),
    })
    return out


def _deadline_fields(c: dict[str, float], n_machine_answers: int, n_live: int) -> dict[str, float]:
    """Agent time on machines and what ``amd.undecided_action`` did (docs/model.md, the summary table)."""
    nan = math.nan
    machine_s = float(c.get("agent_s_on_machines", nan))
    late = c.get("n_window_late_connect", nan)
    return {
        "agent_s_on_machines": machine_s,
        "agent_s_per_machine_answer": machine_s / n_machine_answers if n_machine_answers > 0 else nan,
        "late_connect_rate_window_live": late / n_live if n_live > 0 else nan,
        "n_window_late_connect": late,
        "n_routed_undecided": c.get("n_routed_undecided", nan),
        "n_machine_released_by_amd": c.get("n_machine_released_by_amd", nan),
        "n_amd_false_positive_after_connect": c.get("n_amd_false_positive_after_connect", nan),
    }
