"""The AMD false-positive audit: a reasoned estimate of people hung up on as machines.

Ofcom's 2010 policy (``docs/sources.md`` §3.3) requires dialers that use
answering-machine detection to add "a reasoned, evidence-based estimate" of AMD
false positives (live people the detector classified as machines and the dialer
hung up on) to the abandoned calls. The usual evidence is an audit: of the
``N`` calls AMD labelled *machine* in a window, ``m`` recordings are listened
to and ``k`` turn out to be people.

- Point estimate of the false-positive share among AMD machine decisions:
  ``p̂ = k / m``; count estimate ``N p̂``.
- Upper confidence bound: the exact one-sided Clopper–Pearson bound
  ``Beta(k + 1, m − k).ppf(confidence)`` (binomial sampling; with a finite
  window of ``N`` calls sampled without replacement this is conservative).
- With a prior ``Beta(a, b)`` (for instance built from the audio benchmark's
  behaviour table by :func:`prior_from_behaviour_table`), the posterior is
  ``Beta(a + k, b + m − k)``; its mean and ``confidence`` quantile replace the
  frequentist estimate and bound.

Conventions
-----------
- ``n_*`` are counts, ``p_*`` proportions in [0, 1].
- The behaviour table has one row per benchmark decision (or per group with a
  ``weight`` column): ``kind`` (an answer kind, ``dialer_sim.records.ANSWER_KINDS``) and ``label``
  (``human`` | ``machine`` | ``notsure``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from callvocab import ANSWER_KINDS, HUMAN_KINDS, check_behaviour_table

from ..errors import ConfigError
from ..stats import proportion_interval

__all__ = [
    "AmdAudit",
    "BetaPrior",
    "FalsePositiveEstimate",
    "audit_sample_size",
    "estimate_false_positives",
    "prior_from_behaviour_table",
]


@dataclass(frozen=True)
class BetaPrior:
    """A ``Beta(a, b)`` prior on the false-positive share of AMD machine decisions.

    Parameters
    ----------
    a, b : float > 0
        Shape parameters; ``a + b`` is the prior's weight in audited recordings.
    """

    a: float
    b: float

    def __post_init__(self) -> None:
        for name in ("a", "b"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ConfigError(f"`BetaPrior.{name}` must be a finite number > 0; got {value!r}.")


@dataclass(frozen=True)
class AmdAudit:
    """The result of listening to a sample of AMD *machine* recordings.

    Parameters
    ----------
    n_audited : int >= 1
        Recordings listened to (``m``), drawn at random from the AMD machine decisions.
    n_found_human : int in [0, n_audited]
        Of those, recordings in which a live person answered (``k``).
    prior : BetaPrior or None
        Optional prior; ``None`` gives the frequentist (Clopper–Pearson) estimate.
    """

    n_audited: int
    n_found_human: int
    prior: BetaPrior | None = None

    def __post_init__(self) -> None:
        if int(self.n_audited) != self.n_audited or self.n_audited < 1:
            raise ConfigError(f"`n_audited` must be an integer >= 1; got {self.n_audited!r}.")
        if int(self.n_found_human) != self.n_found_human or not 0 <= self.n_found_human <= self.n_audited:
            raise ConfigError(
                f"`n_found_human` must be an integer in [0, n_audited={self.n_audited}]; got {self.n_found_human!r}."
            )


@dataclass(frozen=True)
class FalsePositiveEstimate:
    """Estimated AMD false positives in one window.

    Attributes
    ----------
    n_amd_machine : int
        AMD machine decisions in the window (``N``).
    p_fp, p_fp_low, p_fp_high : float in [0, 1]
        Point estimate and two-sided interval of the false-positive share.
    n_fp, n_fp_low, n_fp_high : float >= 0
        The same for the count, ``N`` times the share.
    method : str
        ``'clopper-pearson'`` or ``'beta-posterior'``.
    """

    n_amd_machine: int
    p_fp: float
    p_fp_low: float
    p_fp_high: float
    n_fp: float
    n_fp_low: float
    n_fp_high: float
    method: str


def estimate_false_positives(
    audit: AmdAudit, n_amd_machine: int, *, confidence: float = 0.95, two_sided: bool = False
) -> FalsePositiveEstimate:
    """Estimate the AMD false-positive count of a window from an audit.

    Parameters
    ----------
    audit : AmdAudit
        The sample listened to.
    n_amd_machine : int >= 0
        AMD machine decisions in the window (the population the sample stands for).
    confidence : float in (0, 1)
        Level of the bound(s).
    two_sided : bool
        ``False`` (default): ``p_fp_low`` is 0 and ``p_fp_high`` is the one-sided
        upper bound Ofcom's "reasoned estimate" calls for. ``True``: an
        equal-tailed two-sided interval (used to combine with the binomial CI).

    Returns
    -------
    FalsePositiveEstimate

    Examples
    --------
    >>> est = estimate_false_positives(AmdAudit(n_audited=200, n_found_human=6), 1000)
    >>> round(est.n_fp, 1), round(est.n_fp_high, 1)
    (30.0, 58.3)
    """
    if int(n_amd_machine) != n_amd_machine or n_amd_machine < 0:
        raise ConfigError(f"`n_amd_machine` must be an integer >= 0; got {n_amd_machine!r}.")
    k, m = audit.n_found_human, audit.n_audited
    q_high = (1.0 + confidence) / 2.0 if two_sided else confidence
    q_low = (1.0 - confidence) / 2.0 if two_sided else 0.0
    if audit.prior is None:
        p = k / m
        low, high = (float(b) for b in proportion_interval(
            k, m, method="exact", confidence=confidence, alternative="two-sided" if two_sided else "less"))
        method = "clopper-pearson"
    else:
        post = stats.beta(audit.prior.a + k, audit.prior.b + m - k)
        p, high = float(post.mean()), float(post.ppf(q_high))
        low = float(post.ppf(q_low)) if q_low > 0 else 0.0
        method = "beta-posterior"
    n = float(n_amd_machine)
    return FalsePositiveEstimate(int(n_amd_machine), p, low, high, n * p, n * low, n * high, method)


def audit_sample_size(
    *,
    p_fp_expected: float,
    margin: float,
    confidence: float = 0.95,
    n_amd_machine: int | None = None,
) -> int:
    """How many AMD machine recordings to audit for a given precision.

    The smallest ``m`` whose exact one-sided upper bound, at the expected number
    of people found ``k = m · p_fp_expected``, lies within ``margin`` of the
    point estimate: ``Beta(k + 1, m − k).ppf(confidence) − p_fp_expected <= margin``.

    To bound the *abandon rate* to ``rate_margin`` instead, pass
    ``margin = rate_margin · n_live / n_amd_machine``: every extra false positive
    per machine decision adds ``n_amd_machine / n_live`` to the rate.

    Parameters
    ----------
    p_fp_expected : float in [0, 1)
        Planning guess of the false-positive share (a previous audit, or the
        prior mean from :func:`prior_from_behaviour_table`).
    margin : float in (0, 1)
        Allowed distance between the upper bound and the estimate.
    confidence : float in (0, 1)
        One-sided level of the bound.
    n_amd_machine : int >= 1 or None
        Machine decisions available; the answer never exceeds it (auditing all
        of them gives the exact count).

    Returns
    -------
    int >= 1

    Examples
    --------
    >>> audit_sample_size(p_fp_expected=0.05, margin=0.02)
    464
    """
    if not 0.0 <= p_fp_expected < 1.0:
        raise ConfigError(f"`p_fp_expected` must be in [0, 1); got {p_fp_expected!r}.")
    if not 0.0 < margin < 1.0:
        raise ConfigError(f"`margin` must be in (0, 1); got {margin!r}.")

    def gap(m: int) -> float:
        k = m * p_fp_expected
        return float(stats.beta.ppf(confidence, k + 1.0, m - k)) - p_fp_expected

    # The gap shrinks monotonically in m (k grows continuously with m): double, then bisect.
    high = 1
    while gap(high) > margin:
        high *= 2
    low = high // 2
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if gap(mid) <= margin else (mid, high)
    m_needed = high
    if n_amd_machine is not None:
        if n_amd_machine < 1:
            raise ConfigError(f"`n_amd_machine` must be >= 1; got {n_amd_machine!r}.")
        m_needed = min(m_needed, int(n_amd_machine))
    return m_needed


def prior_from_behaviour_table(
    table: pd.DataFrame, kind_shares: Mapping[str, float], *, prior_n: float
) -> BetaPrior:
    """A Beta prior on the AMD false-positive share from the audio benchmark.

    The benchmark's behaviour table gives, per answer kind, how often the
    detector said *machine*: ``q_kind``. With the campaign's mix of answer kinds
    ``s_kind`` (shares among answered calls), Bayes' rule gives the expected
    share of people among machine decisions,
    ``p0 = Σ_human s q / Σ_all s q``, and the prior is
    ``Beta(prior_n · p0, prior_n · (1 − p0))``.

    Parameters
    ----------
    table : pd.DataFrame
        Columns ``kind`` and ``label``, and optionally ``weight`` (rows per
        benchmark decision otherwise).
    kind_shares : mapping of str to float >= 0
        Share of each answer kind among answered calls (need not sum to 1).
    prior_n : float > 0
        How many audited recordings the benchmark is worth; it is a judgment on
        how well the benchmark corpus matches this campaign's audio, so there
        is no default.

    Returns
    -------
    BetaPrior
    """
    check_behaviour_table(table, where="behaviour table", columns=("kind", "label"), error=ConfigError)
    if not (np.isfinite(prior_n) and prior_n > 0):
        raise ConfigError(f"`prior_n` must be a finite number > 0; got {prior_n!r}.")
    unknown = sorted(set(kind_shares) - set(ANSWER_KINDS))
    if unknown:
        raise ConfigError(
            f"`kind_shares` has unknown answer kinds {unknown}; known: {', '.join(ANSWER_KINDS)}."
        )
    weight = table["weight"] if "weight" in table.columns else pd.Series(1.0, index=table.index)
    machine = (table["label"] == "machine").astype(float) * weight
    q = machine.groupby(table["kind"]).sum() / weight.groupby(table["kind"]).sum()
    missing = sorted(k for k, s in kind_shares.items() if s > 0 and k not in q.index)
    if missing:
        raise ConfigError(f"behaviour table has no rows for answer kinds {missing} present in `kind_shares`.")
    mass = {k: s * float(q[k]) for k, s in kind_shares.items() if s > 0}
    total = sum(mass.values())
    if total <= 0:
        raise ConfigError("the detector never says machine for the given kinds; the prior is undefined.")
    p0 = sum(v for k, v in mass.items() if k in HUMAN_KINDS) / total
    # Keep both shapes positive: a benchmark with no human misclassified still
    # leaves half a pseudo-observation of doubt (Jeffreys-like floor).
    p0 = min(max(p0, 0.5 / prior_n), 1.0 - 0.5 / prior_n)
    return BetaPrior(a=prior_n * p0, b=prior_n * (1.0 - p0))
