"""Call records (one row per dial attempt) and the campaign summary computed from them.
"""

from ._cdr import (
    AMD_LABELS,
    ANSWER_KINDS,
    CDR_COLUMNS,
    DISPOSITIONS,
    ENDED_BY,
    HUMAN_KINDS,
    NETWORK_OUTCOMES,
    CallRecord,
    RecordSink,
    frame_from_arrow,
    records_schema,
)
from ._economics import (
    ORDERS_STREAM,
    OrderDraws,
    active_agent_hours,
    billable_minutes,
    campaign_costs,
    campaign_economics,
    draw_orders,
    orders_rng,
    sales_contacts,
)
from ._summary import AMD_SOURCES, summary_from_counts

__all__ = [
    "AMD_LABELS",
    "AMD_SOURCES",
    "ANSWER_KINDS",
    "CDR_COLUMNS",
    "CallRecord",
    "DISPOSITIONS",
    "ENDED_BY",
    "HUMAN_KINDS",
    "NETWORK_OUTCOMES",
    "ORDERS_STREAM",
    "OrderDraws",
    "RecordSink",
    "active_agent_hours",
    "billable_minutes",
    "campaign_costs",
    "campaign_economics",
    "draw_orders",
    "frame_from_arrow",
    "orders_rng",
    "records_schema",
    "sales_contacts",
    "summary_from_counts",
]
