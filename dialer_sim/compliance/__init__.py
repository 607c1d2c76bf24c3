"""Regulators' abandoned-call rates from simulated or real call records.

Each regime (Ofcom 2010, FTC/FCC, CRTC, VICIdial's drop %, Genesys Cloud) is
computed from the times in the call records, per campaign and window, with a
Wilson or Clopper–Pearson 95 % interval; see ``docs/compliance.md``.

Conventions
-----------
- Times in seconds on the record time base (``dialer_sim.records``).
- Rates and limits are proportions in [0, 1].
"""

from ._audit import (
    AmdAudit,
    BetaPrior,
    FalsePositiveEstimate,
    audit_sample_size,
    estimate_false_positives,
    prior_from_behaviour_table,
)
from ._breakdown import BREAKDOWN_KEYS, abandonment_breakdown, not_computable_rows
from ._intervals import CI_METHODS, binomial_interval
from ._load import RECORD_FORMATS, read_records
from ._regimes import GENESYS_DENOMINATORS, REGIMES, RESULT_COLUMNS, compliance_rates
from ._replications import SPREAD_COLUMNS, compliance_spread
from ._report import JSON_KEYS, REPORT_FILES, compliance_json_rows, format_table, plot_rates, write_report
from ._ring_time import RING_RULES, format_ring_rows, short_rings
from ._vicidial import VICIDIAL_CATEGORIES, VICIDIAL_STATUSES, read_vicidial_log

__all__ = [
    "AmdAudit",
    "BREAKDOWN_KEYS",
    "BetaPrior",
    "CI_METHODS",
    "FalsePositiveEstimate",
    "GENESYS_DENOMINATORS",
    "JSON_KEYS",
    "RECORD_FORMATS",
    "REGIMES",
    "REPORT_FILES",
    "RESULT_COLUMNS",
    "RING_RULES",
    "SPREAD_COLUMNS",
    "VICIDIAL_CATEGORIES",
    "VICIDIAL_STATUSES",
    "abandonment_breakdown",
    "audit_sample_size",
    "binomial_interval",
    "compliance_json_rows",
    "compliance_rates",
    "compliance_spread",
    "estimate_false_positives",
    "format_ring_rows",
    "format_table",
    "not_computable_rows",
    "plot_rates",
    "prior_from_behaviour_table",
    "read_records",
    "read_vicidial_log",
    "short_rings",
    "write_report",
]
