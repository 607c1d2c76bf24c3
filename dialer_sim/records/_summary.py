"""Campaign summaries: a pure function of the model's online counters.

Conventions
-----------
- ``live answers`` are answered calls whose answer kind is a live person
  (truth, known to the simulation): ``human``, ``human_hello_hello``,
  ``human_long_greeting``, ``human_silent``.
- ``contacts`` are live people connected to an agent (``human_to_agent``).
- Agent time is counted over the shifts: ``n_agents x shift_length_s x n_shifts``
  (open loop: ``n_agents`` x the time of the last event).
- Abandonment comes from the records through
  :func:`dialer_sim.compliance.abandonment_breakdown` (``docs/model.md``): the
  dialer's own drop rate ``dialer_drop_rate`` and the configured regime's rate
  ``regime_rate`` with its four parts ``regime_rate_*``; ``abandonment_regime``
  and ``abandonment_clock`` name the rule (the nested object, with counts, is
  ``Result.abandonment`` and ``summary.json``'s ``abandonment``). The
  flat ``abandon_*`` keys stay for tables that read them: ``abandon_rate_live``
  is the dialer's own drop rate (by disposition), ``abandon_rate_window_live``
  the configured regime's rate (``abandonment[regime]["rate"]``, of that
  regime's denominator), ``abandon_or_amd_fp_rate_live`` drops plus AMD false
  positives over live answers.
"""

from __future__ import annotations

import math

from ..config._dialer import DialerConfig
from ._cdr import DISPOSITIONS

__all__ = ["AMD_SOURCES", "summary_from_counts"]

#: What the AMD of a run stands for (``docs/amd.md``): the parametric model is a fallback.
AMD_SOURCES = {
    "off": "none (no AMD)",
    "parametric": "parametric fallback (docs/sources.md §5.6; not a measured detector)",
    "empirical": "measured behaviour table (amd.table_path)",
}


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
    abandonment: dict | None = None,
    agent_logged_in_s: float | None = None,
    deadline: dict[str, float] | None = None,
) -> dict[str, float | int | str]:
    """The summary dictionary (flat JSON scalars) from aggregate counts.

    ``abandonment`` is the object of :func:`dialer_sim.records._abandonment.run_abandonment`; the summary
    holds scalar copies of it (``dialer_drop_rate``, ``regime_rate``, ``regime_rate_<part>``, with
    ``abandonment_regime`` and ``abandonment_clock`` naming the rule).

    ``agent_logged_in_s`` overrides the logged-in agent time computed from the
    shifts (list campaigns: shifts are clipped to the calling windows).
    ``deadline``: the model's counters ``agent_s_on_machines``,
    ``n_routed_undecided``, ``n_machine_released_by_amd`` and
    ``n_amd_false_positive_after_connect`` (NaN when not given). The late
    connects are the abandonment breakdown's ``n_late_connects``.
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
        "abandon_rate_window_live": _regime_rate(abandonment),
        "callee_hung_up_rate_live": share(counts["callee_hung_up"], n_live),
        "amd_false_positive_rate_live": share(counts["amd_false_positive"], n_live),
        **_deadline_fields(deadline or {}, n_answered - n_live, abandonment),
        "abandon_window_s": config.abandon.window_s,
        "abandon_clock_start": config.abandon.clock_start,
        "amd_source": AMD_SOURCES[config.amd.mode],
        "pacing_policy": config.pacing.policy,
        "n_agents": config.agents.n_agents,
        "sim_end_s": float(last_end_s),
    })
    out.update(_flat_abandonment(abandonment))
    return out


def _deadline_fields(c: dict[str, float], n_machine_answers: int, abandonment: dict | None) -> dict[str, float]:
    """Agent time on machines and what ``amd.undecided_action`` did (docs/model.md, the summary table).

    ``late_connect_rate_window_live`` and ``n_window_late_connect`` are the late-connect part of the
    configured regime's breakdown (one definition, :func:`dialer_sim.compliance.abandonment_breakdown`).
    """
    nan = math.nan
    machine_s = float(c.get("agent_s_on_machines", nan))
    b = abandonment[abandonment["regime"]] if abandonment is not None else {}
    late_rate = b.get("rate_late_connects")
    return {
        "agent_s_on_machines": machine_s,
        "agent_s_per_machine_answer": machine_s / n_machine_answers if n_machine_answers > 0 else nan,
        "late_connect_rate_window_live": nan if late_rate is None else late_rate,
        "n_window_late_connect": b.get("n_late_connects", nan),
        "n_routed_undecided": c.get("n_routed_undecided", nan),
        "n_machine_released_by_amd": c.get("n_machine_released_by_amd", nan),
        "n_amd_false_positive_after_connect": c.get("n_amd_false_positive_after_connect", nan),
    }


_FLAT_PARTS = ("dialer_drops", "amd_false_positives", "late_connects", "callee_hangups")


def _flat_abandonment(abandonment: dict | None) -> dict[str, float | str]:
    """Scalar copies of the abandonment object for tables (``regime_*`` are of the named regime)."""
    if abandonment is None:
        return {}
    b, own = abandonment[abandonment["regime"]], abandonment["dialer_drops"]
    nan = math.nan
    out: dict[str, float | str] = {
        "abandonment_regime": b["regime"],
        "abandonment_clock": b["clock"],
        "dialer_drop_rate": nan if own["rate"] is None else own["rate"],
        "dialer_drop_ci95_low": nan if own["ci95_low"] is None else own["ci95_low"],
        "dialer_drop_ci95_high": nan if own["ci95_high"] is None else own["ci95_high"],
    }
    for key in ("rate", "ci95_low", "ci95_high", *(f"rate_{p}" for p in _FLAT_PARTS)):
        out[f"regime_{key}"] = nan if b[key] is None else b[key]
    return out


def _regime_rate(abandonment: dict | None) -> float:
    if abandonment is None:
        return math.nan
    rate = abandonment[abandonment["regime"]]["rate"]
    return math.nan if rate is None else rate
