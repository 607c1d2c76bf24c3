"""The summary's abandonment figures, computed from the call records by the compliance breakdown.

The run summary and ``dialer-sim compliance`` share one definition:
:func:`dialer_sim.compliance.abandonment_breakdown`. Records streamed to
Parquet are read back batch by batch and their counts summed, so memory stays
flat however long the campaign.

Conventions
-----------
- The configured clock decides the regime (``docs/compliance.md``):
  ``speech_start`` is Ofcom 2010, ``greeting_end`` the FTC/FCC rule,
  ``connect`` with a 2 s window the CRTC rule and any other ``connect``
  window VICIdial's ``drop_call_seconds``. The configured ``window_s`` is the
  threshold, and the clock label states it.
- Every rate is a proportion; ``unit`` says of what.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from ..compliance._breakdown import breakdown_from_totals, breakdown_rows, breakdown_totals
from ..config._dialer import DialerConfig
from ._cdr import RecordSink, frame_from_arrow

__all__ = ["default_regime", "run_abandonment"]

_BATCH_ROWS = 65_536
DIALER_DROPS_DEFINITION = ("live answers the dialer itself disconnected without an agent (not AMD hang-ups), "
                           "over all live answers; no regulator's clock")


def default_regime(config: DialerConfig) -> str:
    """The regime whose clock the configuration's ``abandon`` section follows."""
    ab = config.abandon
    if ab.clock_start == "speech_start":
        return "ofcom2010"
    if ab.clock_start == "greeting_end":
        return "ftc"
    return "crtc" if ab.window_s == 2.0 else "vicidial"


def _batches(sink: RecordSink, records_path: Path | None) -> Iterator[pd.DataFrame]:
    if records_path is None:
        yield sink.to_frame()
        return
    for batch in pq.ParquetFile(records_path).iter_batches(batch_size=_BATCH_ROWS):
        yield frame_from_arrow(batch)


def run_abandonment(config: DialerConfig, sink: RecordSink,
                    records_path: Path | None) -> tuple[dict, pd.DataFrame]:
    """The summary's ``abandonment`` object and the regime's counts per day (``day`` index)."""
    regime = default_regime(config)
    by_day = [breakdown_totals(frame, regime=regime, threshold_s=config.abandon.window_s, by="day")
              for frame in _batches(sink, records_path)]
    per_day = pd.concat(by_day).groupby(level=0).sum()
    # Ofcom: whether AMD was used is inferred from the AMD labels, exactly as `dialer-sim compliance` does.
    used = bool(per_day["n_amd_labelled"].sum() > 0) if "n_amd_labelled" in per_day else None
    b = breakdown_from_totals(per_day.sum(), regime=regime, threshold_s=config.abandon.window_s, amd_used=used)
    per_day_abandoned = breakdown_rows(per_day, regime=regime, threshold_s=config.abandon.window_s,
                                       amd_used=used)["n_abandoned"] if len(per_day) else []
    days = pd.DataFrame({
        "regime_abandoned_day": [float(v) if v == v else None for v in per_day_abandoned],  # None: not computable
        "dialer_drops_day": per_day["n_own_drops"].to_numpy(),
    }, index=per_day.index)
    return {
        "unit": "proportion (0.03 = 3 %); each rate names its denominator",
        "regime": regime,
        "dialer_drops": {
            "definition": DIALER_DROPS_DEFINITION,
            "n": b["n_own_drops"], "n_live_answers": b["n_all_live_answers"], "rate": b["dialer_drop_rate"],
            "ci95_low": b["dialer_drop_ci95_low"], "ci95_high": b["dialer_drop_ci95_high"],
        },
        regime: b,
    }, days
