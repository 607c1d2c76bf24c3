"""Confidence intervals, the AMD audit and the replication spread of dialer_sim.compliance (issue 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dialer_sim.compliance import (
    AmdAudit,
    BetaPrior,
    audit_sample_size,
    binomial_interval,
    compliance_rates,
    compliance_spread,
    estimate_false_positives,
    prior_from_behaviour_table,
)
from dialer_sim.errors import ConfigError
from dialer_sim.records import CDR_COLUMNS


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_intervals_match_scipy_binomtest(method):
    """Both intervals agree with scipy.stats.binomtest's implementation, including k = 0 and k = n."""
    scipy_name = {"wilson": "wilson", "clopper-pearson": "exact"}[method]
    for k, n in [(0, 10), (3, 100), (10, 10), (37, 1200)]:
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method=scipy_name)
        low, high = binomial_interval(k, n, method=method)
        assert float(low) == pytest.approx(ref.low, abs=1e-12)
        assert float(high) == pytest.approx(ref.high, abs=1e-12)


def _campaign_frame(
    n_campaigns: int, n_live: int, p_abandon: float, rng: np.random.Generator
) -> pd.DataFrame:
    """FTC-style records: every call a live answer; abandoned ones get an agent 5 s after the greeting."""
    n = n_campaigns * n_live
    abandoned = rng.random(n) < p_abandon
    dial = np.tile(np.arange(n_live) * 60.0, n_campaigns)
    answer = dial + 5.0
    frame = pd.DataFrame(
        {
            "campaign_id": np.repeat(np.arange(n_campaigns).astype(str), n_live),
            "day": 0, "number_id": np.arange(n), "attempt": 1, "caller_id": "0800", "dial_at_s": dial,
            "network_outcome": "answered", "ring_s": 5.0, "answer_kind": "human",
            "speech_start_at_s": answer + 0.2, "greeting_end_at_s": answer + 1.0, "amd_label": "",
            "amd_decided_at_s": np.nan, "agent_id": 0,
            "agent_connect_at_s": answer + np.where(abandoned, 6.0, 1.5), "end_at_s": answer + 90.0,
            "ended_by": "agent", "disposition": "human_to_agent",
        }
    )  # fmt: skip
    return frame[list(CDR_COLUMNS)]


def _exact_coverage(n: int, p: float, method: str) -> float:
    """P(interval contains p) summed over the binomial distribution of k."""
    k = np.arange(n + 1)
    low, high = binomial_interval(k, np.full(n + 1, n), method=method)
    return float(stats.binom.pmf(k, n, p)[(low <= p) & (p <= high)].sum())


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_ci_covers_true_rate_in_about_95_percent_of_simulated_campaigns(method, rng):
    """2000 simulated campaigns through compliance_rates: coverage within a binomial tolerance of 95 %.

    The simulated coverage must lie within 3.29 standard errors (99.9 %) of the exact
    coverage, and the exact coverage near 95 % (Wilson) or at least 95 % (Clopper–Pearson).
    """
    n_campaigns, n_live, p = 2000, 300, 0.04
    out = compliance_rates(_campaign_frame(n_campaigns, n_live, p, rng), "ftc", ci=method)
    assert len(out) == n_campaigns
    covered = ((out["ci95_low"] <= p) & (p <= out["ci95_high"])).to_numpy()
    exact = _exact_coverage(n_live, p, method)
    tol = 3.29 * np.sqrt(exact * (1.0 - exact) / n_campaigns)
    assert abs(covered.mean() - exact) <= tol
    if method == "wilson":
        assert 0.93 <= exact <= 0.97
    else:
        assert exact >= 0.95


def test_audit_estimate_and_exact_upper_bound():
    """k = 0 of 50: estimate 0, upper bound 1 − 0.05^(1/50); counts scale by the machine decisions."""
    est = estimate_false_positives(AmdAudit(n_audited=50, n_found_human=0), 400)
    assert est.n_fp == 0.0
    assert est.p_fp_high == pytest.approx(1.0 - 0.05 ** (1 / 50))
    assert est.n_fp_high == pytest.approx(400 * est.p_fp_high)
    assert est.method == "clopper-pearson"


def test_audit_upper_bound_covers_in_at_least_95_percent(rng):
    """Simulated audits: the one-sided exact bound is above the true share in >= 95 % (minus tolerance)."""
    p, m, n_sims = 0.06, 80, 4000
    k = rng.binomial(m, p, size=n_sims)
    upper = np.array(
        [estimate_false_positives(AmdAudit(n_audited=m, n_found_human=int(x)), 1).p_fp_high for x in k]
    )
    covered = (upper >= p).mean()
    assert covered >= 0.95 - 3.29 * np.sqrt(0.95 * 0.05 / n_sims)


def test_audit_with_beta_prior_is_the_posterior():
    """Prior Beta(1, 19), 5 of 100 people: posterior Beta(6, 114), mean 0.05."""
    est = estimate_false_positives(AmdAudit(n_audited=100, n_found_human=5, prior=BetaPrior(1.0, 19.0)), 1000)
    assert est.p_fp == pytest.approx(6 / 120)
    assert est.p_fp_high == pytest.approx(stats.beta.ppf(0.95, 6, 114))
    assert est.method == "beta-posterior"


def test_audit_planner_is_the_smallest_sufficient_sample():
    """The planned m meets the margin and m − 1 does not; a tighter margin needs more recordings."""
    m = audit_sample_size(p_fp_expected=0.05, margin=0.02)

    def gap(m_):
        return stats.beta.ppf(0.95, m_ * 0.05 + 1, m_ * 0.95) - 0.05

    assert gap(m) <= 0.02 < gap(m - 1)
    assert audit_sample_size(p_fp_expected=0.05, margin=0.01) > m
    assert audit_sample_size(p_fp_expected=0.05, margin=0.02, n_amd_machine=120) == 120


def test_prior_from_behaviour_table_uses_bayes_rule():
    """Humans said machine 10 % of the time, machines 80 %; equal shares → p0 = 0.1 / 0.9."""
    table = pd.DataFrame(
        {"kind": ["human"] * 10 + ["machine_beep"] * 10, "label": ["machine"] + ["human"] * 9 + ["machine"] * 8 + ["notsure"] * 2}
    )  # fmt: skip
    prior = prior_from_behaviour_table(table, {"human": 0.5, "machine_beep": 0.5}, prior_n=90.0)
    assert prior.a == pytest.approx(90.0 * (0.1 / 0.9))
    assert prior.a + prior.b == pytest.approx(90.0)
    with pytest.raises(ConfigError, match="no rows for answer kinds"):
        prior_from_behaviour_table(table, {"fax": 1.0}, prior_n=10.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_audited": 0, "n_found_human": 0}, "`n_audited` must be an integer >= 1"),
        (
            {"n_audited": 10, "n_found_human": 11},
            r"`n_found_human` must be an integer in \[0, n_audited=10\]",
        ),
    ],
)
def test_bad_audit_values(kwargs, match):
    """Impossible audits are rejected with the field named."""
    with pytest.raises(ConfigError, match=match):
        AmdAudit(**kwargs)


def test_spread_across_replications(rng):
    """Mean, standard deviation and breach share of the per-window rate over replications."""
    results = [compliance_rates(_campaign_frame(1, 200, p, rng), "ftc") for p in (0.02, 0.04, 0.06)]
    out = compliance_spread(results)
    rates = [r["rate"].iat[0] for r in results]
    row = out.iloc[0]
    assert row.n_replications == 3
    assert row.rate_mean == pytest.approx(np.mean(rates))
    assert row.rate_sd == pytest.approx(np.std(rates, ddof=1))
    assert row.p_breached == pytest.approx(np.mean([r > 0.03 for r in rates]))
    assert row.mean_ci95_low < row.rate_mean < row.mean_ci95_high
    with pytest.raises(ConfigError, match="at least one replication"):
        compliance_spread([])
