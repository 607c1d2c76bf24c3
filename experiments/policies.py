"""The pacing configurations the pacing experiments compare, as dotted overrides on a campaign.

``predictive_day`` runs each on one shift; ``pacing_vs_abandonment`` on teams of several sizes.
``docs/pacing.md`` describes the policies.
"""

from __future__ import annotations

__all__ = ["POLICIES"]

#: Label -> dotted config overrides, in the order tables and charts show them.
POLICIES = {
    "progressive": {"pacing.policy": "progressive"},
    "ratio 1.3": {"pacing.policy": "ratio", "pacing.lines_per_agent": 1.3},
    "vicidial hard_limit": {"pacing.policy": "vicidial_adapt", "pacing.mode": "hard_limit",
                            "pacing.initial_dial_level": 1.5},
    "vicidial tapered": {"pacing.policy": "vicidial_adapt", "pacing.mode": "tapered",
                         "pacing.initial_dial_level": 1.5},
    "strict_max": {"pacing.policy": "strict_max"},
    "cisco_gain": {"pacing.policy": "cisco_gain"},
    "erlang_predictive 2%": {"pacing.policy": "erlang_predictive", "pacing.target_abandon_pct": 2.0},
}
