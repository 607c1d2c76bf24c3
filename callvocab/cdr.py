"""The call record (CDR): the columns of one dial attempt and their Arrow types.

Simulated and imported records share this schema (``docs/records.md``); the writer that
streams them to Parquet is ``dialer_sim.RecordSink``.

Conventions
-----------
- Every instant (``*_at_s``) is in seconds since midnight at the start of the campaign's
  first day; durations end in ``_s``; a time that did not happen is NaN.
- A label that does not apply is the empty string in memory and null in Parquet/CSV.
- ``agent_id`` is -1 in a :class:`CallRecord` when no agent was involved, null in files.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import MappingProxyType

import pyarrow as pa

__all__ = [
    "CDR_COLUMNS",
    "CDR_INTEGER_TYPES",
    "CDR_STRING_COLUMNS",
    "DISPOSITIONS",
    "ENDED_BY",
    "NETWORK_OUTCOMES",
    "START_DATE_KEY",
    "CallRecord",
    "records_schema",
]

#: Parquet metadata key of the calendar date of day 0 (ISO ``YYYY-MM-DD``).
START_DATE_KEY = "campaign_start_date"
#: What the network did with a dial attempt.
NETWORK_OUTCOMES = ("no_answer", "busy", "unobtainable", "rejected", "answered")
#: Who ended the call.
ENDED_BY = ("dialer", "callee", "agent")
#: How a dial attempt ended, as the dialer would log it (``docs/model.md``).
DISPOSITIONS = (
    "no_answer",
    "busy",
    "unobtainable",
    "rejected",
    "fax",
    "machine_hangup",
    "machine_to_agent",
    "human_to_agent",
    "abandoned",
    "amd_false_positive",
    "callee_hung_up",
)


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One dial attempt, exactly the columns of the CDR (docs/model.md, "The call record")."""

    campaign_id: str
    day: int
    number_id: int
    attempt: int
    caller_id: str
    dial_at_s: float
    network_outcome: str
    ring_s: float
    answer_kind: str
    speech_start_at_s: float
    greeting_end_at_s: float
    amd_label: str
    amd_decided_at_s: float
    agent_id: int
    agent_connect_at_s: float
    end_at_s: float
    ended_by: str
    disposition: str


#: The CDR columns in file order (the fields of :class:`CallRecord`).
CDR_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(CallRecord))
#: Columns stored as nullable strings (the string fields of :class:`CallRecord`).
CDR_STRING_COLUMNS: frozenset[str] = frozenset(f.name for f in fields(CallRecord) if f.type == "str")
#: Arrow type of each integer column; every other column is float64.
CDR_INTEGER_TYPES: MappingProxyType[str, pa.DataType] = MappingProxyType({
    "day": pa.int32(), "number_id": pa.int64(), "attempt": pa.int32(), "agent_id": pa.int32(),
})


def records_schema() -> pa.Schema:
    """The Arrow schema of a call-record file (nullable strings and agent id)."""
    cols = []
    for name in CDR_COLUMNS:
        if name in CDR_STRING_COLUMNS:
            cols.append(pa.field(name, pa.string()))
        elif name in CDR_INTEGER_TYPES:
            cols.append(pa.field(name, CDR_INTEGER_TYPES[name]))
        else:
            cols.append(pa.field(name, pa.float64()))
    return pa.schema(cols)
