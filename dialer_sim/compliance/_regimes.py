"""Abandoned-call rates per campaign and window under each regulator's rule.

Regimes (``docs/sources.md`` §3.1–§3.6, read as ``docs/compliance.md`` says):

============  ===========================  ==============================  =========  =====  ==========
regime        numerator                    denominator                     clock      T [s]  window
============  ===========================  ==============================  =========  =====  ==========
ofcom2010     D′ + F (AMD false pos.)      L + D′ + F                      speech     2      day
ftc           live answers abandoned       live answers                    greeting   2      30d
                                                                           end
crtc          live answers abandoned       answered calls (not fax)        answer     2      month
vicidial      DROP + XDROP                 human-answered                  answer     5      day
genesys       compliance abandons          queue-reached or all calls      routing    2      day
============  ===========================  ==============================  =========  =====  ==========

Ofcom: ``D`` = drops, ``L`` = live calls connected to an agent within the
window, ``AM`` = answering machines agents reached. Without AMD,
``D′ = D·(1 − AM/(AM + L))`` (the reasoned deduction of drops on machines);
with AMD, ``D′ = D`` and ``F`` is added: the known false positives for
simulated records, or an audit estimate (:mod:`._audit`). VICIdial's UK option
applies the same deduction to its own counts and rounds D′ to 3 decimals, as
``AST_VDadapt.pl`` does. Which calls are abandoned is decided from times
(:mod:`._classify`), never from the ``disposition`` column.

Conventions
-----------
- Rates are proportions in [0, 1]; ``limit`` too (0.03 = 3 %).
- A window is *breached* when its rate is strictly above the limit.
- ``computable`` is False, with a ``reason``, when the records lack what the
  rule needs (times a dialer did not record, unknown answer kinds) or the
  denominator is zero; the numbers are then NaN, never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from callvocab import CDR_COLUMNS
from callvocab.cdr import START_DATE_KEY

from ..errors import ConfigError, RecordsError
from . import _classify as cls
from ._audit import AmdAudit, estimate_false_positives
from ._intervals import CI_METHODS, confidence_bounds
from ._parts import PART_COLUMNS, PARTS, add_part_counts, adjustment_label, clock_label, finish_parts
from ._vicidial import vicidial_status_counts
from ._windows import assign_windows, parse_window

__all__ = ["REGIMES", "RESULT_COLUMNS", "RegimeSpec", "compliance_rates"]


@dataclass(frozen=True)
class RegimeSpec:
    """Defaults of one regime: window, threshold, limit and the record columns it needs."""

    name: str
    window: str
    threshold_s: float
    limit: float
    needs_kind: bool
    needs_columns: tuple[str, ...]


REGIMES: dict[str, RegimeSpec] = {
    "ofcom2010": RegimeSpec(
        "ofcom2010",
        "day",
        2.0,
        0.03,
        True,
        ("ring_s", "speech_start_at_s", "agent_connect_at_s", "answer_kind"),
    ),
    "ftc": RegimeSpec(
        "ftc",
        "30d",
        2.0,
        0.03,
        True,
        ("ring_s", "speech_start_at_s", "greeting_end_at_s", "agent_connect_at_s", "answer_kind"),
    ),
    "crtc": RegimeSpec("crtc", "month", 2.0, 0.05, True, ("ring_s", "agent_connect_at_s", "answer_kind")),
    # drop_call_seconds default 5 s, adaptive_dropped_percentage default 3 (docs/sources.md §3.5).
    "vicidial": RegimeSpec(
        "vicidial", "day", 5.0, 0.03, True, ("ring_s", "agent_connect_at_s", "answer_kind")
    ),
    "genesys": RegimeSpec(
        "genesys", "day", 2.0, 0.03, False, ("ring_s", "agent_connect_at_s", "amd_decided_at_s")
    ),
}
GENESYS_DENOMINATORS = ("queue", "all")
RESULT_COLUMNS = (
    "regime",
    "campaign_id",
    "window_start_s",
    "window_end_s",
    "numerator",
    "denominator",
    "rate",
    "ci95_low",
    "ci95_high",
    "ci_method",
    "limit",
    "breached",
    "computable",
    "reason",
)
_KEYS = ["campaign_id", "window_start_s", "window_end_s"]


@dataclass(frozen=True)
class _Options:
    spec: RegimeSpec
    threshold_s: float
    limit: float
    ci: str
    confidence: float
    amd_used: bool | None
    audit: AmdAudit | Mapping[str, AmdAudit] | None
    denominator: str
    uk: bool


def _check_options(regime: str, **kw) -> _Options:
    if regime not in REGIMES:
        raise ConfigError(f"`regime` must be one of {', '.join(REGIMES)}; got {regime!r}.")
    spec = REGIMES[regime]
    threshold_s = spec.threshold_s if kw["threshold_s"] is None else float(kw["threshold_s"])
    limit = spec.limit if kw["limit"] is None else float(kw["limit"])
    if not (np.isfinite(threshold_s) and threshold_s >= 0):
        raise ConfigError(f"`threshold_s` must be a finite number >= 0 s; got {kw['threshold_s']!r}.")
    if not 0.0 <= limit <= 1.0:
        hint = " (a proportion: 0.03 means 3 %)" if limit > 1 else ""
        raise ConfigError(f"`limit` must be in [0, 1]{hint}; got {kw['limit']!r}.")
    if kw["ci"] not in CI_METHODS:
        raise ConfigError(f"`ci` must be one of {', '.join(CI_METHODS)}; got {kw['ci']!r}.")
    if kw["denominator"] not in GENESYS_DENOMINATORS:
        raise ConfigError(
            f"`denominator` must be one of {', '.join(GENESYS_DENOMINATORS)}; got {kw['denominator']!r}."
        )
    if kw["uk"] and regime != "vicidial":
        raise ConfigError(
            f"`uk` (VICIdial's ofcom_uk_drop_calc) applies only to regime 'vicidial'; got {regime!r}."
        )
    return _Options(
        spec,
        threshold_s,
        limit,
        kw["ci"],
        float(kw["confidence"]),
        kw["amd_used"],
        kw["audit"],
        kw["denominator"],
        bool(kw["uk"]),
    )


def _check_records(records: pd.DataFrame) -> None:
    missing = [c for c in CDR_COLUMNS if c not in records.columns]
    if missing:
        raise RecordsError(f"records are missing the call-record column(s) {', '.join(missing)}.")
    dial = records["dial_at_s"].to_numpy(float)
    bad = np.flatnonzero(~np.isfinite(dial))
    if bad.size:
        raise RecordsError(
            f"record {int(bad[0])}: `dial_at_s` must be a finite time in s; got {dial[bad[0]]!r}."
        )


def _per_call_counts(records: pd.DataFrame, opt: _Options, from_statuses: bool) -> pd.DataFrame:
    if from_statuses:
        return vicidial_status_counts(records)
    facts = cls.call_facts(records)
    classify = {
        "ofcom2010": cls.classify_ofcom,
        "ftc": cls.classify_ftc,
        "crtc": cls.classify_crtc,
        "vicidial": cls.classify_vicidial,
        "genesys": cls.classify_genesys,
    }[opt.spec.name]
    counts = classify(facts, threshold_s=opt.threshold_s)
    add_part_counts(counts, facts, counts["n_drops" if opt.spec.name == "ofcom2010" else "numerator"])
    counts.index = records.index
    if opt.spec.name == "genesys":
        counts["denominator"] = counts[f"denominator_{opt.denominator}"]
    return counts


def _not_computable(out: pd.DataFrame, mask: np.ndarray, reason: str | pd.Series) -> None:
    mask = np.asarray(mask, bool) & out["computable"].to_numpy()
    out.loc[mask, "computable"] = False
    out.loc[mask, "reason"] = reason if isinstance(reason, str) else reason[mask]


def _ofcom_window(out: pd.DataFrame, opt: _Options) -> pd.DataFrame:
    """D′, F and the rate per window (see the module docstring)."""
    d, live, am = out["n_drops"], out["n_live_to_agent"], out["n_machine_to_agent"]
    amd_used = out["campaign_amd_used"] if opt.amd_used is None else pd.Series(opt.amd_used, index=out.index)
    out["campaign_amd_used"] = amd_used.to_numpy(bool)
    share_machine = (am / (am + live)).where(am + live > 0, 0.0)
    out["n_drops_adjusted"] = np.where(amd_used, d, d * (1.0 - share_machine))
    out["n_amd_fp"] = np.where(amd_used, out["n_amd_false_positive"], 0.0)
    out["n_amd_fp_low"] = out["n_amd_fp"]
    out["n_amd_fp_high"] = out["n_amd_fp"]
    out["amd_fp_source"] = np.where(amd_used, "truth", "not used")
    if opt.audit is not None:
        for i in np.flatnonzero(amd_used.to_numpy()):
            audit = opt.audit if isinstance(opt.audit, AmdAudit) else opt.audit.get(out["campaign_id"].iat[i])
            if audit is None:
                continue
            # Bonferroni: the FP interval at 1 − α/2 and the binomial CI at 1 − α/2 (see _confidence).
            est = estimate_false_positives(
                audit,
                int(out["n_amd_machine"].iat[i]),
                confidence=1.0 - (1.0 - opt.confidence) / 2.0,
                two_sided=True,
            )
            out.loc[out.index[i], ["n_amd_fp", "n_amd_fp_low", "n_amd_fp_high", "amd_fp_source"]] = (
                est.n_fp,
                est.n_fp_low,
                est.n_fp_high,
                f"audit ({est.method})",
            )
    out["numerator"] = out["n_drops_adjusted"] + out["n_amd_fp"]
    out["denominator"] = live + out["numerator"]
    scale = np.where(amd_used, 1.0, 1.0 - share_machine)
    return finish_parts(out, scale=scale, amd_fp=out["n_amd_fp"].to_numpy(float), confidence=opt.confidence)


def _vicidial_uk_window(out: pd.DataFrame, opt: _Options) -> pd.DataFrame:
    d, live, am = out["n_drops"], out["n_live_to_agent"], out["n_machine_to_agent"]
    share_machine = (am / (am + live)).where(am + live > 0, 0.0)
    out["n_drops_adjusted"] = np.round(d - d * share_machine, 3)
    out["numerator"] = out["n_drops_adjusted"]
    out["denominator"] = live + out["n_drops_adjusted"]
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(d > 0, out["n_drops_adjusted"] / d, 1.0)
    return finish_parts(out, scale=scale, amd_fp=None, confidence=opt.confidence)


def compliance_rates(
    records: pd.DataFrame,
    regime: str,
    *,
    window: str | float | None = None,
    threshold_s: float | None = None,
    limit: float | None = None,
    ci: str = "wilson",
    confidence: float = 0.95,
    amd_used: bool | None = None,
    audit: AmdAudit | Mapping[str, AmdAudit] | None = None,
    denominator: str = "queue",
    uk: bool = False,
    start_date: dt.date | None = None,
) -> pd.DataFrame:
    """Abandoned-call rate per campaign and window under one regime.

    Parameters
    ----------
    records : pd.DataFrame
        Call records (CDR columns). Frames from :func:`read_vicidial_log` carry
        ``attrs['source'] == 'vicidial'`` and are handled from their statuses.
    regime : {'ofcom2010', 'ftc', 'crtc', 'vicidial', 'genesys'}
        The rule (module docstring).
    window : {'day', '30d', 'month', 'campaign'} or float [s] or None
        Overrides the regime's window.
    threshold_s : float >= 0 [s] or None
        Overrides the regime's threshold (Genesys' compliance threshold, VICIdial's
        ``drop_call_seconds``).
    limit : float in [0, 1] or None
        Overrides the regime's limit.
    ci : {'wilson', 'clopper-pearson'}
        Interval for the rate (reported in ``ci_method``).
    confidence : float in (0, 1)
        Two-sided level (the ``ci95_*`` names follow the JSON contract).
    amd_used : bool or None
        Ofcom only: whether the campaign used AMD; ``None`` infers it per
        campaign from any non-empty ``amd_label``.
    audit : AmdAudit, mapping of campaign_id to AmdAudit, or None
        Ofcom only: the false-positive audit; without it the true false
        positives of simulated records are used.
    denominator : {'queue', 'all'}
        Genesys only: calls that reached the queue, or every dial attempt.
    uk : bool
        VICIdial only: the ``ofcom_uk_drop_calc`` option.
    start_date : datetime.date or None
        Calendar date of day 0 (needed for calendar months); None takes the
        date the records carry (a simulation's ``campaign_start_date``).

    Returns
    -------
    pd.DataFrame
        One row per (campaign, window), columns :data:`RESULT_COLUMNS` followed
        by the regime's component counts.

    Raises
    ------
    ConfigError
        On a bad option. RecordsError when the records lack CDR columns.
    """
    opt = _check_options(
        regime,
        threshold_s=threshold_s,
        limit=limit,
        ci=ci,
        confidence=confidence,
        amd_used=amd_used,
        audit=audit,
        denominator=denominator,
        uk=uk,
    )
    _check_records(records)
    from_statuses = records.attrs.get("source") == "vicidial" and regime == "vicidial"
    if start_date is None:
        start_date = _records_start_date(records)
    windows = assign_windows(
        records, parse_window(opt.spec.window if window is None else window), start_date=start_date
    )
    counts = _per_call_counts(records, opt, from_statuses)
    counts["n_calls"] = 1.0
    if regime == "ofcom2010":
        counts["campaign_amd_used"] = (
            counts["n_amd_labelled"].groupby(records["campaign_id"]).transform("max")
        )
    grouped = pd.concat([records[["campaign_id"]], windows, counts], axis=1).groupby(_KEYS, sort=True)
    out = grouped.sum().reset_index()
    if regime == "ofcom2010":
        out["campaign_amd_used"] = grouped["campaign_amd_used"].max().to_numpy() > 0
    return _finish(out, records.attrs, opt, from_statuses)


def _records_start_date(records: pd.DataFrame) -> dt.date | None:
    """Day 0's date the records carry: VICIdial's first call date, or a simulation's ``campaign_start_date``."""
    text = records.attrs.get(START_DATE_KEY)
    return dt.date.fromisoformat(text) if isinstance(text, str) else records.attrs.get("day0_date")


def _check_computable(out: pd.DataFrame, attrs: Mapping, opt: _Options, from_statuses: bool) -> None:
    """Mark windows whose records lack what the rule needs (unrecorded times, unknown kinds)."""
    unrecorded = (
        []
        if from_statuses
        else [c for c in attrs.get("unrecorded_columns", ()) if c in opt.spec.needs_columns]
    )
    if unrecorded:
        source = {"vicidial": "VICIdial's vicidial_log"}.get(attrs.get("source"), "the source")
        _not_computable(
            out,
            np.ones(len(out), bool),
            f"{source} does not record {', '.join(unrecorded)}, which the {opt.spec.name} rule needs",
        )
    if not from_statuses:
        n_time = out["n_no_answer_time"].astype(int).astype(str)
        _not_computable(
            out, out["n_no_answer_time"] > 0, n_time + " answered calls have no answer time (ring_s)"
        )
        if opt.spec.needs_kind:
            n_kind = out["n_kind_unknown"].astype(int).astype(str)
            _not_computable(
                out,
                out["n_kind_unknown"] > 0,
                n_kind + " answered calls have no answer_kind; the rule needs to know who answered",
            )


def _finish(out: pd.DataFrame, attrs: Mapping, opt: _Options, from_statuses: bool) -> pd.DataFrame:
    """Rates, intervals, parts and verdicts from the summed counts per window (one row each)."""
    out.insert(0, "regime", opt.spec.name + ("_uk" if opt.uk else ""))
    out["computable"] = True
    out["reason"] = None
    if from_statuses:  # VICIdial statuses do not say which part a drop was
        out[list(PART_COLUMNS) + ["n_own_drops", "n_all_live_answers"]] = np.nan
    if opt.spec.name == "ofcom2010":
        out = _ofcom_window(out, opt)
    elif opt.uk:
        out = _vicidial_uk_window(out, opt)
    else:
        out = finish_parts(out, scale=None, amd_fp=None, confidence=opt.confidence)
    _check_computable(out, attrs, opt, from_statuses)
    _not_computable(out, out["denominator"] <= 0, "no calls in the denominator")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rate"] = out["numerator"] / out["denominator"]
    out["ci_method"] = opt.ci
    confidence_bounds(out, method=opt.ci, confidence=opt.confidence)
    out["limit"] = opt.limit
    out["breached"] = (out["rate"] > opt.limit).astype(object)
    bad = ~out["computable"].to_numpy()
    out.loc[bad, ["numerator", "denominator", "rate", "ci95_low", "ci95_high"]] = np.nan
    out.loc[bad, list(PART_COLUMNS) + [f"rate_{p}" for p in PARTS]] = np.nan
    out.loc[bad, "breached"] = None
    out["clock"] = clock_label(out["regime"].iat[0], opt.threshold_s) if len(out) else ""
    amd = out["campaign_amd_used"] if "campaign_amd_used" in out else pd.Series(False, index=out.index)
    out["adjustment"] = [adjustment_label(r, amd_used=bool(a), denominator=opt.denominator)
                         for r, a in zip(out["regime"], amd, strict=True)]
    extras = [c for c in out.columns if c not in RESULT_COLUMNS]
    return out[list(RESULT_COLUMNS) + extras]
