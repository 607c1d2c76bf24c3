"""The words both halves of the project share: answer kinds, the AMD behaviour table, the call record.

``amd`` (audio, detectors, benchmark) and ``dialer_sim`` (the simulation) meet in the
behaviour table and speak of the same answer kinds; this small package is where each of
those words is defined, once. It depends on numpy, pandas and pyarrow only, never on
``amd`` or ``dialer_sim``, so both may import it (``docs/architecture.md``, "Shared
vocabulary").

Conventions
-----------
- Times are seconds (from the moment of answer in a behaviour table; since midnight of the
  campaign's first day in a call record).
- Constants are read-only: tuples, frozensets and read-only mappings.
"""

from .behaviour import (
    BEHAVIOUR_COLUMNS,
    BENCHMARK_BEHAVIOUR_COLUMNS,
    BehaviourTable,
    BehaviourTableError,
    behaviour_sha256,
    check_behaviour_table,
    read_behaviour_table,
)
from .cdr import CDR_COLUMNS, DISPOSITIONS, ENDED_BY, NETWORK_OUTCOMES, CallRecord, records_schema
from .kinds import (
    AMD_LABELS,
    ANSWER_KINDS,
    DEFAULT_ANSWER_MIX,
    HUMAN_KINDS,
    TRUTH_LABELS,
    TRUTH_OF_KIND,
    VOICEMAIL_KINDS,
)

__all__ = [
    "AMD_LABELS",
    "ANSWER_KINDS",
    "BEHAVIOUR_COLUMNS",
    "BENCHMARK_BEHAVIOUR_COLUMNS",
    "BehaviourTable",
    "BehaviourTableError",
    "CDR_COLUMNS",
    "CallRecord",
    "DEFAULT_ANSWER_MIX",
    "DISPOSITIONS",
    "ENDED_BY",
    "HUMAN_KINDS",
    "NETWORK_OUTCOMES",
    "TRUTH_LABELS",
    "TRUTH_OF_KIND",
    "VOICEMAIL_KINDS",
    "behaviour_sha256",
    "check_behaviour_table",
    "read_behaviour_table",
    "records_schema",
]
