"""The parts of an abandoned-call rate and the dialer's own drop rate, per call and per window.

Every abandoned call of a regime (:mod:`._classify` decides which) is exactly
one of four parts, told apart by what the record times say happened:

==========================  =======================================================
part                        the call
==========================  =======================================================
``dialer_drops``            no agent, the dialer ended the call (it dropped it for
                            want of an agent, with or without a message)
``amd_false_positives``     a live person the AMD labelled a machine and hung up on
``late_connects``           an agent was connected, but after the regime's deadline
                            (the AMD decided late, or routing waited for an agent)
``callee_hangups``          no agent, the called person hung up in dead air after
                            the deadline
==========================  =======================================================

so the parts add up to the regime's numerator. Where a regime adjusts its
counts (Ofcom's machine deduction ``D′ = D·(1 − AM/(AM + L))`` without AMD,
VICIdial's UK option), the same factor scales every part of ``D``, so the
parts still add up to the adjusted numerator (``docs/sources.md`` §3).

The *dialer's own drop rate* is a different figure, independent of any
regime's clock: live answers the dialer itself disconnected without an agent
(not AMD hang-ups), over all live answers. Every report shows it beside the
regime's rate.

Conventions
-----------
- Counts are float (adjusted counts need not be integers); rates are
  proportions of the regime's denominator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._classify import CallFacts
from ._intervals import binomial_interval

__all__ = ["PARTS", "PART_COLUMNS", "REGIME_NAMES", "add_part_counts", "adjustment_label", "clock_label", "finish_parts"]

PARTS = ("dialer_drops", "amd_false_positives", "late_connects", "callee_hangups")
PART_COLUMNS = tuple(f"n_{p}" for p in PARTS)
_OWN = ("n_own_drops", "n_all_live_answers")


def add_part_counts(counts: pd.DataFrame, facts: CallFacts, abandoned: np.ndarray) -> pd.DataFrame:
    """Add the per-call part columns of ``abandoned`` and the own-drop counts to ``counts``."""
    ab = np.asarray(abandoned, bool)
    no_agent = ~facts.connected & ~facts.amd_hangup
    cols = {
        "n_dialer_drops": ab & no_agent & ~facts.callee_ended,
        "n_amd_false_positives": ab & facts.amd_hangup,
        "n_late_connects": ab & facts.connected & ~facts.amd_hangup,
        "n_callee_hangups": ab & no_agent & facts.callee_ended,
        "n_own_drops": facts.live & no_agent & facts.dialer_ended,
        "n_all_live_answers": facts.live,
    }
    for name, values in cols.items():
        counts[name] = values.astype(float)
    return counts


def finish_parts(out: pd.DataFrame, *, scale: np.ndarray | None, amd_fp: np.ndarray | None,
                 confidence: float) -> pd.DataFrame:
    """Adjust the parts per window and add their rates and the dialer's own drop rate.

    Parameters
    ----------
    out : pd.DataFrame
        Summed counts per window, with ``denominator`` already set.
    scale : array of float or None
        The regime's adjustment of its drop count (``D′ / D``), applied to every
        part of ``D``; None leaves the parts as counted.
    amd_fp : array of float or None
        Ofcom: the false positives ``F`` the regime adds (truth or an audit
        estimate), replacing the counted part.
    confidence : float
        Two-sided level of the own-drop interval.
    """
    if scale is not None:
        for name in ("n_dialer_drops", "n_late_connects", "n_callee_hangups"):
            out[name] = out[name] * scale
    if amd_fp is not None:
        out["n_amd_false_positives"] = amd_fp
    den = out["denominator"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        for part in PARTS:
            out[f"rate_{part}"] = np.where(den > 0, out[f"n_{part}"] / den, np.nan)
        own, live = out["n_own_drops"].to_numpy(float), out["n_all_live_answers"].to_numpy(float)
        out["dialer_drop_rate"] = np.where(live > 0, own / live, np.nan)
    low, high = binomial_interval(own, live, method="wilson", confidence=confidence)
    out["dialer_drop_ci95_low"], out["dialer_drop_ci95_high"] = low, high
    return out


#: How reports name each regime.
REGIME_NAMES = {"ofcom2010": "Ofcom", "ftc": "FTC/FCC", "crtc": "CRTC", "vicidial": "VICIdial drop %",
                "vicidial_uk": "VICIdial UK drop %", "genesys": "Genesys compliance abandons"}
_CLOCKS = {
    "ofcom2010": "from speech start",
    "ftc": "from greeting end",
    "crtc": "from answer",
    "vicidial": "from answer (drop_call_seconds)",
    "genesys": "from routing (AMD decision, else answer)",
}
_DENOMINATORS = {
    "ftc": "live answers",
    "crtc": "answered calls except fax tones (machines included)",
    "vicidial": "human-answered calls as VICIdial counts them (answered, not fax, not AMD hang-ups, "
    "not agent-handled machines)",
    "genesys_queue": "calls that reached the queue (answered, not fax, not AMD hang-ups)",
    "genesys_all": "every dial attempt",
}


def clock_label(regime: str, threshold_s: float) -> str:
    """The regime's clock in words, e.g. ``'2 s from speech start'``."""
    return f"{threshold_s:g} s {_CLOCKS[regime.removesuffix('_uk')]}"


def adjustment_label(regime: str, *, amd_used: bool = False, denominator: str = "queue") -> str:
    """What the regime counts in its denominator and how it adjusts the counts (``docs/sources.md`` §3)."""
    if regime == "ofcom2010":
        if amd_used:
            return ("AMD in use: D′ = D; the AMD false positives F are added to numerator and denominator; "
                    "denominator L + D′ + F (live calls given an agent in time, drops, false positives)")
        return ("no AMD: drops reduced by the machine share of agent-connected answers, D′ = D·(1 − AM/(AM + L)), "
                "every part scaled alike; denominator L + D′")
    if regime == "vicidial_uk":
        return _DENOMINATORS["vicidial"] + "; ofcom_uk_drop_calc: drops reduced by the machine share, D′ = " \
            "D·(1 − AM/(AM + L)) rounded to 3 decimals, every part scaled alike; denominator L + D′"
    return _DENOMINATORS[f"genesys_{denominator}" if regime == "genesys" else regime] + "; no adjustment"
