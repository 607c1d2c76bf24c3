"""Exact queueing formulas (Erlang B, C, A; M/M/n+D and M/M/n+G) and the validation of the open-loop model
against them (docs/validation.md).
"""

from ._base import QueueMetrics
from ._deterministic_patience import mmn_deterministic_patience
from ._erlang_bc import erlang_b, erlang_b_metrics, erlang_c, erlang_c_metrics, erlang_c_wait_tail
from ._formulas import (
    ABANDON_MODELS,
    OpenLoopFrontier,
    arrival_rate_at_abandon_target,
    erlang_a,
    open_loop_frontier,
    utilisation_at_abandon_target,
)
from ._general_patience import mmn_general_patience

__all__ = [
    "ABANDON_MODELS",
    "OpenLoopFrontier",
    "QueueMetrics",
    "arrival_rate_at_abandon_target",
    "erlang_a",
    "erlang_b",
    "erlang_b_metrics",
    "erlang_c",
    "erlang_c_metrics",
    "erlang_c_wait_tail",
    "mmn_deterministic_patience",
    "mmn_general_patience",
    "open_loop_frontier",
    "utilisation_at_abandon_target",
]
