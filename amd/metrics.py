"""Evaluation metrics for answering-machine detection, shaped like ``mir_eval``.

``validate(reference, estimated)`` checks a pair of label sequences, each metric is one
function of ``reference_*`` / ``estimated_*`` arrays, and ``evaluate`` returns a flat
``dict[str, float]`` with readable names. Empty input warns and gives defined values (NaN for
rates with no denominator, never an exception).

Definitions (``reference`` holds the truth, ``estimated`` the detector's labels):

- accuracy: share of calls whose label equals the truth (``notsure`` is never correct);
- balanced accuracy: mean of the human recall and the machine recall;
- human false-positive rate: humans labelled ``machine`` / humans. This is the rate regulators
  care about (a person hung up on; Ofcom counts it as an abandoned call, ``docs/sources.md``
  §3.10), so it is reported first;
- machine miss rate: machines *not* labelled ``machine`` (``human`` or ``notsure``) / machines,
  since a dialer connects an undecided call to an agent;
- notsure rate: ``notsure`` / all calls;
- human decision latency: ``estimated_decided_at_s - reference_speech_start_s`` for human
  calls with a known speech start (the dead air a person hears after speaking), summarised by
  median, 95th percentile and share within 2 s (the Ofcom "two-second window"); and
  ``estimated_decided_at_s`` itself for all human calls (latency from answer).

Each rate comes with a 95 % Wilson score interval (Wilson 1927; scipy's ``binomtest``), which
keeps sensible coverage near 0 and 1 where the normal approximation fails.

``evaluate_weighted`` gives the same metrics post-stratified by answer kind: each clip of kind
*k* weighs ``W_k / n_k`` for a population share ``W_k`` (``amd.answer_mix``), so a rate is
``sum_k W_k p_k`` over the kinds of its truth class. Its interval is the Wilson interval at the
Kish effective sample size ``n_eff = (sum w)^2 / sum w^2 = 1 / sum_k W_k^2 / n_k``, rounded with
the effective count ``p n_eff`` to whole numbers (Kish 1965;
the design-effect adjustment of Korn and Graubard 1998), which equals the post-stratified
variance when the kinds share one rate. Latency quantiles are weighted (inverted CDF).

Conventions
-----------
Labels ``'human' | 'machine'`` (reference) and ``'human' | 'machine' | 'notsure'``
(estimated); times in seconds from answer; rates in [0, 1].
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.stats import binomtest

__all__ = [
    "accuracy",
    "balanced_accuracy",
    "confusion_matrix",
    "evaluate",
    "evaluate_weighted",
    "human_false_positive_rate",
    "human_latency_s",
    "machine_miss_rate",
    "notsure_rate",
    "validate",
    "wilson_interval",
]

REFERENCE_LABELS = ("human", "machine")
ESTIMATED_LABELS = ("human", "machine", "notsure")


def validate(reference: np.ndarray, estimated: np.ndarray) -> None:
    """Check that reference and estimated labels are comparable.

    Raises
    ------
    ValueError
        Lengths differ or a label is outside the vocabulary.
    """
    reference, estimated = np.asarray(reference), np.asarray(estimated)
    if reference.shape != estimated.shape or reference.ndim != 1:
        raise ValueError(
            f"`reference` and `estimated` must be 1-D of equal length; got {reference.shape} and {estimated.shape}."
        )
    if reference.size == 0:
        warnings.warn("reference labels are empty; metrics will be NaN.", stacklevel=2)
    bad_ref = sorted(set(reference.tolist()) - set(REFERENCE_LABELS))
    if bad_ref:
        raise ValueError(f"`reference` labels must be in {REFERENCE_LABELS}; got {bad_ref}.")
    bad_est = sorted(set(estimated.tolist()) - set(ESTIMATED_LABELS))
    if bad_est:
        raise ValueError(f"`estimated` labels must be in {ESTIMATED_LABELS}; got {bad_est}.")


def wilson_interval(n_success: int, n_total: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval (no continuity correction) of scipy's ``binomtest``; ``(nan, nan)`` when ``n_total == 0``.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(0, 100)]
    [0.0, 0.037]
    """
    if n_total == 0:
        return (math.nan, math.nan)
    ci = binomtest(int(n_success), int(n_total)).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


def confusion_matrix(reference: np.ndarray, estimated: np.ndarray) -> np.ndarray:
    """Counts with rows = truth (human, machine) and columns = label (human, machine, notsure)."""
    reference, estimated = np.asarray(reference), np.asarray(estimated)
    out = np.zeros((2, 3), dtype=int)
    for i, r in enumerate(REFERENCE_LABELS):
        for j, e in enumerate(ESTIMATED_LABELS):
            out[i, j] = int(np.count_nonzero((reference == r) & (estimated == e)))
    return out


def _rate(k: int, n: int) -> float:
    return k / n if n else math.nan


def accuracy(reference: np.ndarray, estimated: np.ndarray) -> float:
    """Share of calls labelled with their truth."""
    cm = confusion_matrix(reference, estimated)
    return _rate(int(cm[0, 0] + cm[1, 1]), int(cm.sum()))


def balanced_accuracy(reference: np.ndarray, estimated: np.ndarray) -> float:
    """Mean of human recall and machine recall (NaN if a class is absent)."""
    cm = confusion_matrix(reference, estimated)
    return 0.5 * (_rate(int(cm[0, 0]), int(cm[0].sum())) + _rate(int(cm[1, 1]), int(cm[1].sum())))


def human_false_positive_rate(reference: np.ndarray, estimated: np.ndarray) -> float:
    """Humans labelled machine, over humans."""
    cm = confusion_matrix(reference, estimated)
    return _rate(int(cm[0, 1]), int(cm[0].sum()))


def machine_miss_rate(reference: np.ndarray, estimated: np.ndarray) -> float:
    """Machines not labelled machine (human or notsure), over machines."""
    cm = confusion_matrix(reference, estimated)
    return _rate(int(cm[1, 0] + cm[1, 2]), int(cm[1].sum()))


def notsure_rate(reference: np.ndarray, estimated: np.ndarray) -> float:
    """Calls labelled notsure, over all calls."""
    cm = confusion_matrix(reference, estimated)
    return _rate(int(cm[:, 2].sum()), int(cm.sum()))


def human_latency_s(
    reference: np.ndarray,
    estimated_decided_at_s: np.ndarray,
    reference_speech_start_s: np.ndarray | None = None,
) -> np.ndarray:
    """Decision times of human calls, from speech start (if given) or from answer.

    Calls whose speech start is unknown (NaN, e.g. silent answerers) are left out when
    measuring from speech start.
    """
    reference = np.asarray(reference)
    at = np.asarray(estimated_decided_at_s, dtype=float)[reference == "human"]
    if reference_speech_start_s is None:
        return at
    start = np.asarray(reference_speech_start_s, dtype=float)[reference == "human"]
    keep = np.isfinite(start)
    return at[keep] - start[keep]


def _latency_summary(prefix: str, lat: np.ndarray) -> dict[str, float]:
    if lat.size == 0:
        return {
            f"{prefix}_median_s": math.nan,
            f"{prefix}_p95_s": math.nan,
            f"{prefix}_share_within_2s": math.nan,
        }
    return {
        f"{prefix}_median_s": float(np.median(lat)),
        f"{prefix}_p95_s": float(np.percentile(lat, 95)),
        f"{prefix}_share_within_2s": float(np.mean(lat <= 2.0)),
    }


def evaluate(
    reference: np.ndarray,
    estimated: np.ndarray,
    *,
    estimated_decided_at_s: np.ndarray,
    reference_speech_start_s: np.ndarray,
) -> dict[str, float]:
    """All metrics with their 95 % Wilson intervals, human false-positive rate first.

    Returns
    -------
    dict[str, float]
        ``human_fp_rate`` (+ ``_ci95_low`` / ``_ci95_high``), ``machine_miss_rate``,
        ``notsure_rate``, ``accuracy``, ``balanced_accuracy`` (each with intervals; the balanced
        accuracy interval combines the two recall intervals), human latency summaries
        ``human_latency_from_speech_*`` and ``human_latency_from_answer_*``, and counts.
    """
    reference, estimated = np.asarray(reference), np.asarray(estimated)
    validate(reference, estimated)
    cm = confusion_matrix(reference, estimated)
    n_h, n_m = int(cm[0].sum()), int(cm[1].sum())
    counts = {
        "human_fp_rate": (int(cm[0, 1]), n_h),
        "machine_miss_rate": (int(cm[1, 0] + cm[1, 2]), n_m),
        "notsure_rate": (int(cm[:, 2].sum()), n_h + n_m),
        "accuracy": (int(cm[0, 0] + cm[1, 1]), n_h + n_m),
    }
    out: dict[str, float] = {}
    for name, (k, n) in counts.items():
        low, high = wilson_interval(k, n)
        out.update({name: _rate(k, n), f"{name}_ci95_low": low, f"{name}_ci95_high": high})
    rec_h, rec_m = wilson_interval(int(cm[0, 0]), n_h), wilson_interval(int(cm[1, 1]), n_m)
    out["balanced_accuracy"] = balanced_accuracy(reference, estimated)
    out["balanced_accuracy_ci95_low"] = 0.5 * (rec_h[0] + rec_m[0])
    out["balanced_accuracy_ci95_high"] = 0.5 * (rec_h[1] + rec_m[1])
    out.update(
        _latency_summary(
            "human_latency_from_speech",
            human_latency_s(reference, estimated_decided_at_s, reference_speech_start_s),
        )
    )
    out.update(
        _latency_summary("human_latency_from_answer", human_latency_s(reference, estimated_decided_at_s))
    )
    out.update({"n_human": float(n_h), "n_machine": float(n_m)})
    return out


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose weighted CDF reaches ``q`` (inverted CDF, numpy's ``method``)."""
    order = np.argsort(values, kind="stable")
    cdf = np.cumsum(weights[order])
    i = int(np.searchsorted(cdf, q * cdf[-1] * (1.0 - 1e-12), side="left"))
    return float(values[order][min(i, values.size - 1)])


def _weighted_latency_summary(prefix: str, lat: np.ndarray, w: np.ndarray) -> dict[str, float]:
    if lat.size == 0 or not w.sum() > 0:
        return _latency_summary(prefix, np.empty(0))
    return {
        f"{prefix}_median_s": _weighted_quantile(lat, w, 0.5),
        f"{prefix}_p95_s": _weighted_quantile(lat, w, 0.95),
        f"{prefix}_share_within_2s": float(w[lat <= 2.0].sum() / w.sum()),
    }


def _kish_n_eff(w: np.ndarray) -> float:
    """Kish effective sample size ``(sum w)^2 / sum w^2``; 0 when no weight."""
    total = float(w.sum())
    return total * total / float((w * w).sum()) if total > 0 else 0.0


def _weighted_rate(hit: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Weighted share of ``hit`` with its Wilson interval at the Kish effective sample size.

    ``binomtest`` takes whole counts, so the interval is that of ``round(p·n)`` out of
    ``n = round(n_eff)`` (at least 1) calls.
    """
    total = float(w.sum())
    if hit.size == 0 or total <= 0:
        return (math.nan, math.nan, math.nan)
    p = float(w[hit].sum()) / total
    n_eff = max(1, int(round(_kish_n_eff(w))))
    low, high = wilson_interval(min(n_eff, int(round(p * n_eff))), n_eff)
    return (p, low, high)


def evaluate_weighted(
    reference: np.ndarray,
    estimated: np.ndarray,
    *,
    kinds: np.ndarray,
    kind_weights: dict[str, float],
    truth_of_kind: dict[str, str],
    estimated_decided_at_s: np.ndarray,
    reference_speech_start_s: np.ndarray,
) -> dict[str, float]:
    """The metrics of ``evaluate``, post-stratified by answer kind.

    Parameters
    ----------
    kinds : np.ndarray of str
        The answer kind of every call.
    kind_weights : dict[str, float]
        Population share of each kind (normalised here; a kind not named has weight 0).
    truth_of_kind : dict[str, str]
        The truth class of each kind, to report how much of each class the sample covers.

    Returns
    -------
    dict[str, float]
        The ``evaluate`` keys (rates post-stratified, intervals at the Kish effective size,
        weighted latency quantiles), plus ``n_eff_human`` / ``n_eff_machine`` and
        ``coverage_human`` / ``coverage_machine``: the share of each class's population weight
        whose kinds appear in the sample (below 1, the rates speak only for the kinds present).
    """
    reference, estimated, kinds = np.asarray(reference), np.asarray(estimated), np.asarray(kinds)
    validate(reference, estimated)
    if kinds.shape != reference.shape:
        raise ValueError(f"`kinds` must have one entry per call ({reference.size}); got {kinds.size}.")
    n_k = {k: int(np.count_nonzero(kinds == k)) for k in np.unique(kinds)}
    unknown = sorted(set(n_k) - set(truth_of_kind))
    if unknown:
        raise ValueError(f"`kinds` must be known answer kinds; got {unknown}.")
    w = np.array([float(kind_weights.get(k, 0.0)) / n_k[k] for k in kinds])
    is_h, is_m = reference == "human", reference == "machine"
    out: dict[str, float] = {}
    rates = {
        "human_fp_rate": (is_h, estimated == "machine"),
        "machine_miss_rate": (is_m, estimated != "machine"),
        "notsure_rate": (np.ones_like(is_h), estimated == "notsure"),
        "accuracy": (np.ones_like(is_h), estimated == reference),
    }
    for name, (den, hit) in rates.items():
        p, low, high = _weighted_rate(hit[den], w[den])
        out.update({name: p, f"{name}_ci95_low": low, f"{name}_ci95_high": high})
    rec_h = _weighted_rate((estimated == "human")[is_h], w[is_h])
    rec_m = _weighted_rate((estimated == "machine")[is_m], w[is_m])
    for i, suffix in enumerate(("", "_ci95_low", "_ci95_high")):
        out[f"balanced_accuracy{suffix}"] = 0.5 * (rec_h[i] + rec_m[i])
    at = np.asarray(estimated_decided_at_s, dtype=float)
    start = np.asarray(reference_speech_start_s, dtype=float)
    spoke = is_h & np.isfinite(start)
    out.update(_weighted_latency_summary("human_latency_from_speech", (at - start)[spoke], w[spoke]))
    out.update(_weighted_latency_summary("human_latency_from_answer", at[is_h], w[is_h]))
    for cls, mask in (("human", is_h), ("machine", is_m)):
        out[f"n_eff_{cls}"] = _kish_n_eff(w[mask])
        class_total = sum(v for k, v in kind_weights.items() if truth_of_kind.get(k) == cls)
        present = sum(kind_weights.get(k, 0.0) for k in n_k if truth_of_kind[k] == cls)
        out[f"coverage_{cls}"] = present / class_total if class_total > 0 else math.nan
    return out
