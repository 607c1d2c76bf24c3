"""Exact queueing formulas: reference test vectors, independent cross-checks, input checks."""

from __future__ import annotations

import doctest
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import integrate, special

import dialer_sim.queueing as queueing
import dialer_sim.queueing._erlang_bc as erlang_bc
import dialer_sim.queueing._formulas as formulas
from dialer_sim.errors import ConfigError
from dialer_sim.queueing import (
    erlang_a,
    erlang_b,
    erlang_b_metrics,
    erlang_c,
    erlang_c_metrics,
    erlang_c_wait_tail,
    mmn_deterministic_patience,
    mmn_general_patience,
    open_loop_frontier,
    utilisation_at_abandon_target,
)

# --- independent reference implementations -------------------------------------------------


def birth_death_erlang_a(lam: float, mu: float, n: int, theta: float) -> tuple[float, float]:
    """P(W>0) and P(Ab) of M/M/n+M from the truncated birth-death chain (docs/sources.md §2.3), in log space."""
    k = np.arange(n + 1)
    log_low = k * np.log(lam / mu) - special.gammaln(k + 1)
    j_max = int(max(0.0, (lam - n * mu) / theta) + 40 * math.sqrt(lam / theta) + 200)
    j = np.arange(1, j_max + 1)
    log_high = log_low[-1] + np.cumsum(np.log(lam) - np.log(n * mu + j * theta))
    log_all = np.concatenate([log_low, log_high])
    log_total = special.logsumexp(log_all)
    assert log_high[-1] - log_total < -40, "truncation too early"
    p_wait = np.exp(special.logsumexp(log_all[n:]) - log_total)
    mean_queue = np.exp(special.logsumexp(log_high, b=j) - log_total)
    return float(p_wait), float(theta * mean_queue / lam)


def exponential_cdf(rate_per_s: float):
    return lambda x: -math.expm1(-rate_per_s * x)


def step_cdf(window_s: float):
    return lambda x: float(x >= window_s)


# --- test values (docs/sources.md §2.5) ------------------------------------------------


def test_erlang_b_and_c_test_vector():
    """a = 8, n = 10: B = 0.121661, C = 0.409180."""
    assert erlang_b(10, 8.0) == pytest.approx(0.121661, abs=1e-6)
    assert erlang_c(10, 8.0) == pytest.approx(0.409180, abs=1e-6)


@pytest.mark.parametrize(
    ("lam", "mu", "theta", "n", "p_wait", "p_abandon"),
    [
        (10.0, 1.0, 1.0, 10, 0.542070, 0.125110),
        (2.0, 0.25, 0.5, 8, 0.471912, 0.162738),
        (48.0, 1.0 / 3.0, 1.0, 150, 0.240776, 0.023411),
    ],
)
def test_erlang_a_test_vectors(lam, mu, theta, n, p_wait, p_abandon):
    """The Erlang A closed form reproduces the §2.5 vectors to 1e-5, with E[W] = P(Ab)/θ."""
    metrics = erlang_a(lam, mu, n, theta)
    assert metrics.p_wait == pytest.approx(p_wait, abs=1e-5)
    assert metrics.p_abandon == pytest.approx(p_abandon, abs=1e-5)
    assert metrics.mean_wait_s == pytest.approx(p_abandon / theta, abs=1e-5)
    assert metrics.utilisation == pytest.approx(lam * (1 - p_abandon) / (n * mu), abs=1e-5)


def test_erlang_a_first_vector_mean_wait():
    """λ = 10, μ = 1, θ = 1, n = 10: E[W] = 0.125110 s."""
    assert erlang_a(10.0, 1.0, 10, 1.0).mean_wait_s == pytest.approx(0.125110, abs=1e-5)


def test_mmn_deterministic_patience_test_vector():
    """λ = 10, μ = 1, τ = 0.5, n = 10: P(W>0) = 0.621104, P(Ab) = 0.103517."""
    metrics = mmn_deterministic_patience(10.0, 1.0, 10, 0.5)
    assert metrics.p_wait == pytest.approx(0.621104, abs=1e-5)
    assert metrics.p_abandon == pytest.approx(0.103517, abs=1e-5)


# --- cross-checks between independent computations ------------------------------------------


def test_erlang_b_recursion_matches_exact_rational_formula():
    """B(n, a) = (aⁿ/n!)/Σ aᵏ/k!, computed with exact fractions for small n."""
    for n in range(1, 16):
        for load in (Fraction(1, 3), Fraction(5, 2), Fraction(8), Fraction(40)):
            terms = [load**k / math.factorial(k) for k in range(n + 1)]
            exact = terms[-1] / sum(terms)
            assert erlang_b(n, float(load)) == pytest.approx(float(exact), rel=1e-12)


def test_erlang_c_matches_direct_poisson_sum_and_tail_integral():
    """C(n, a) from the M/M/n stationary sum, and E[W] = ∫ P(W > t) dt."""
    n, lam, mu = 12, 9.0, 1.0
    load = lam / mu
    low = sum(load**k / math.factorial(k) for k in range(n))
    queue = load**n / math.factorial(n) * n / (n - load)
    assert erlang_c(n, load) == pytest.approx(queue / (low + queue), rel=1e-12)
    metrics = erlang_c_metrics(lam, mu, n)
    area, _ = integrate.quad(lambda t: erlang_c_wait_tail(lam, mu, n, t), 0, np.inf)
    assert metrics.mean_wait_s == pytest.approx(area, rel=1e-9)
    assert metrics.p_abandon == 0.0
    assert metrics.utilisation == pytest.approx(0.75)


def test_erlang_c_wait_tail_is_vectorised():
    """An array of waits gives an array of the same shape, decaying at rate nμ − λ."""
    tail = erlang_c_wait_tail(8.0, 1.0, 10, np.array([0.0, 1.0, 2.0]))
    assert tail.shape == (3,)
    np.testing.assert_allclose(tail / tail[0], np.exp(-2.0 * np.array([0.0, 1.0, 2.0])), rtol=1e-12)


@pytest.mark.parametrize(
    ("lam", "mu", "n", "theta"),
    [
        (10.0, 1.0, 10, 1.0),
        (2.0, 0.25, 8, 0.5),
        (48.0, 1.0 / 3.0, 150, 1.0),
        (30.0, 1.0, 20, 0.2),  # overloaded: λ > nμ, stable only through abandonment
        (3.0, 1.0, 1, 5.0),  # single agent, impatient callers
        (1900.0, 1.0, 2000, 1.0 / 60.0),  # large centre, y < x series branch
        (2200.0, 1.0, 2000, 0.05),  # large overloaded centre, gammainc branch
    ],
)
def test_erlang_a_closed_form_matches_birth_death_sum(lam, mu, n, theta):
    """Garnett-Mandelbaum-Reiman closed form equals the truncated birth-death chain."""
    metrics = erlang_a(lam, mu, n, theta)
    p_wait, p_abandon = birth_death_erlang_a(lam, mu, n, theta)
    assert metrics.p_wait == pytest.approx(p_wait, abs=1e-9, rel=1e-7)
    assert metrics.p_abandon == pytest.approx(p_abandon, abs=1e-9, rel=1e-7)


@pytest.mark.parametrize(
    ("lam", "mu", "n", "theta"),
    [(10.0, 1.0, 10, 1.0), (2.0, 0.25, 8, 0.5), (48.0, 1.0 / 3.0, 150, 1.0), (30.0, 1.0, 20, 0.2)],
)
def test_general_patience_with_exponential_cdf_reproduces_erlang_a(lam, mu, n, theta):
    """Baccelli-Hébuterne integration with G = Exp(θ) gives the Erlang A closed form, E[W] included."""
    closed = erlang_a(lam, mu, n, theta)
    general = mmn_general_patience(lam, mu, n, exponential_cdf(theta))
    for field in ("p_wait", "p_abandon", "mean_wait_s", "utilisation"):
        assert getattr(general, field) == pytest.approx(getattr(closed, field), abs=1e-8)


@pytest.mark.parametrize(
    ("lam", "mu", "n", "window_s"),
    [(10.0, 1.0, 10, 0.5), (10.0, 1.0, 10, 3.0), (14.0, 1.0, 10, 2.0), (4.0, 1.0 / 180.0, 800, 2.0)],
)
def test_general_patience_with_step_cdf_reproduces_deterministic_patience(lam, mu, n, window_s):
    """A step CDF at τ gives the M/M/n+D closed form: P(W>0), P(Ab) and E[W]."""
    closed = mmn_deterministic_patience(lam, mu, n, window_s)
    general = mmn_general_patience(lam, mu, n, step_cdf(window_s), breakpoints_s=[window_s])
    for field in ("p_wait", "p_abandon", "mean_wait_s", "utilisation"):
        assert getattr(general, field) == pytest.approx(getattr(closed, field), abs=1e-8)


def test_general_patience_with_zero_patience_is_erlang_b():
    """G ≡ 1 (nobody waits) is the loss system."""
    general = mmn_general_patience(8.0, 1.0, 10, lambda x: 1.0)
    assert general.p_abandon == pytest.approx(erlang_b(10, 8.0), abs=1e-10)
    assert general.mean_wait_s == pytest.approx(0.0, abs=1e-12)


def test_general_patience_without_abandonment_is_erlang_c():
    """G ≡ 0 (infinite patience) with λ < nμ is M/M/n."""
    general = mmn_general_patience(8.0, 1.0, 10, lambda x: 0.0)
    closed = erlang_c_metrics(8.0, 1.0, 10)
    assert general.p_wait == pytest.approx(closed.p_wait, abs=1e-9)
    assert general.p_abandon == 0.0
    assert general.mean_wait_s == pytest.approx(closed.mean_wait_s, abs=1e-9)


def test_deterministic_patience_with_zero_window_is_erlang_b():
    """τ = 0 gives P(W>0) = P(Ab) = B(n, a) and the Erlang B utilisation."""
    for lam, n in ((8.0, 10), (0.5, 1), (130.0, 100)):
        window = mmn_deterministic_patience(lam, 1.0, n, 0.0)
        loss = erlang_b_metrics(lam, 1.0, n)
        assert window.p_wait == pytest.approx(loss.p_wait, rel=1e-12)
        assert window.p_abandon == pytest.approx(loss.p_abandon, rel=1e-12)
        assert window.utilisation == pytest.approx(loss.utilisation, rel=1e-12)
        assert window.mean_wait_s == 0.0


def test_deterministic_patience_is_continuous_at_critical_load():
    """δ = nμ − λ = 0 exactly agrees with δ = ±1e-9 (no division by zero)."""
    at = mmn_deterministic_patience(10.0, 1.0, 10, 2.0)
    for lam in (10.0 - 1e-9, 10.0 + 1e-9):
        near = mmn_deterministic_patience(lam, 1.0, 10, 2.0)
        for field in ("p_wait", "p_abandon", "mean_wait_s"):
            assert getattr(near, field) == pytest.approx(getattr(at, field), rel=1e-7)


def test_deterministic_patience_is_monotone():
    """P(Ab) falls as the window grows and rises with the answer rate."""
    windows = [mmn_deterministic_patience(10.0, 1.0, 10, w).p_abandon for w in (0.0, 0.5, 1.0, 2.0, 5.0)]
    assert np.all(np.diff(windows) < 0)
    rates = [mmn_deterministic_patience(lam, 1.0, 10, 2.0).p_abandon for lam in (5.0, 8.0, 10.0, 12.0, 20.0)]
    assert np.all(np.diff(rates) > 0)


def test_erlang_a_with_vanishing_abandonment_approaches_erlang_c():
    """θ → 0 recovers M/M/n (P(Ab|wait) ~ θ·E[W|wait])."""
    slow = erlang_a(8.0, 1.0, 10, 1e-7)
    assert slow.p_wait == pytest.approx(erlang_c(10, 8.0), rel=1e-5)


def test_large_centre_is_finite_and_sensible():
    """n = 2000 agents: no overflow, probabilities in [0, 1], heavier load gives more abandonment."""
    mu = 1.0 / 180.0
    results = []
    for load in (1800.0, 1950.0, 2000.0, 2100.0):
        lam = load * mu
        for metrics in (
            erlang_a(lam, mu, 2000, 1.0 / 30.0),
            mmn_deterministic_patience(lam, mu, 2000, 2.0),
            erlang_b_metrics(lam, mu, 2000),
        ):
            values = np.array([metrics.p_wait, metrics.p_abandon, metrics.mean_wait_s, metrics.utilisation])
            assert np.all(np.isfinite(values))
            assert 0.0 <= metrics.p_abandon <= metrics.p_wait <= 1.0
            assert 0.0 < metrics.utilisation <= 1.0
        results.append(erlang_a(lam, mu, 2000, 1.0 / 30.0).p_abandon)
    assert np.all(np.diff(results) > 0)
    assert erlang_b(2000, 100.0) == 0.0  # underflows cleanly to 0, not NaN
    assert erlang_c(2000, 1999.0) == pytest.approx(1.0, abs=0.05)


# --- open-loop utilisation vs abandonment (docs/sources.md §2.6) ----------------------------------

ERLANG_B_TABLE = [  # n, target, utilisation in percent, decimals shown in the table
    (10, 0.01, 44, 0),
    (10, 0.03, 54, 0),
    (10, 0.05, 59, 0),
    (20, 0.01, 60, 0),
    (20, 0.03, 68, 0),
    (20, 0.05, 72, 0),
    (50, 0.01, 75, 0),
    (50, 0.03, 81, 0),
    (50, 0.05, 85, 0),
    (100, 0.01, 83, 0),
    (100, 0.03, 88, 0),
    (100, 0.05, 90.5, 1),
]


@pytest.mark.parametrize(("n", "target", "percent", "decimals"), ERLANG_B_TABLE)
def test_erlang_b_utilisation_table(n, target, percent, decimals):
    """Utilisation at 1/3/5 % abandonment with 180 s handle time, to the table's rounding."""
    utilisation = utilisation_at_abandon_target(n, 180.0, target, model="erlang_b")
    assert round(100 * utilisation, decimals) == percent


@pytest.mark.parametrize(("n", "percent"), [(10, 54), (20, 69), (50, 82), (100, 89)])
def test_mmn_d_utilisation_table(n, percent):
    """M/M/n+D with a 2 s window at 3 % abandonment, to the table's rounding."""
    utilisation = utilisation_at_abandon_target(n, 180.0, 0.03, model="mmn_d", window_s=2.0)
    assert round(100 * utilisation) == percent


def test_abandon_target_is_met_exactly():
    """At the returned rate, the model's P(Ab) equals the target."""
    lam = queueing.arrival_rate_at_abandon_target(20, 180.0, 0.03, model="mmn_d", window_s=2.0)
    assert mmn_deterministic_patience(lam, 1 / 180.0, 20, 2.0).p_abandon == pytest.approx(0.03, rel=1e-9)


def test_open_loop_frontier_arrays():
    """The frontier matches point-wise evaluation and rises with the abandonment allowance."""
    grid = np.linspace(0.005, 0.1, 8)
    frontier = open_loop_frontier(50, 180.0, grid, model="mmn_d", window_s=2.0)
    assert frontier.utilisation.shape == frontier.arrival_rate_per_s.shape == frontier.p_wait.shape == (8,)
    assert np.all(np.diff(frontier.utilisation) > 0)
    assert frontier.utilisation[3] == pytest.approx(
        utilisation_at_abandon_target(50, 180.0, grid[3], model="mmn_d", window_s=2.0), rel=1e-12
    )
    erlang_b_frontier = open_loop_frontier(50, 180.0, grid)
    assert np.all(frontier.utilisation > erlang_b_frontier.utilisation)  # waiting τ helps


# --- input validation -----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10", None])
def test_n_agents_must_be_positive_integer(bad):
    """n_agents is rejected with a message naming field, rule and value."""
    with pytest.raises(ConfigError, match=r"^n_agents must be an integer >= 1; got "):
        erlang_b(bad, 8.0)


def test_n_agents_message_shows_value():
    """The message ends with the offending value."""
    with pytest.raises(ConfigError, match=r"^n_agents must be an integer >= 1; got 0\.$"):
        erlang_a(10.0, 1.0, 0, 1.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_a(-1.0, 1.0, 10, 1.0), r"arrival_rate_per_s must be > 0; got -1\.0\."),
        (lambda: erlang_a(1.0, 0.0, 10, 1.0), r"service_rate_per_s must be > 0; got 0\.0\."),
        (lambda: erlang_a(1.0, 1.0, 10, 0.0), r"patience_rate_per_s must be > 0"),
        (lambda: erlang_a(float("nan"), 1.0, 10, 1.0), r"arrival_rate_per_s must be finite"),
        (lambda: erlang_b(10, -8.0), r"offered_load must be >= 0; got -8\.0\."),
        (lambda: mmn_deterministic_patience(1.0, 1.0, 10, -2.0), r"window_s must be >= 0; got -2\.0\."),
        (lambda: erlang_c_wait_tail(8.0, 1.0, 10, -1.0), r"wait_s must be finite and >= 0"),
        (
            lambda: erlang_c(10, 10.0),
            r"offered_load must be < n_agents for Erlang C .*got offered_load=10\.0",
        ),
        (lambda: erlang_c_metrics(12.0, 1.0, 10), r"unstable|stable M/M/n"),
        (lambda: utilisation_at_abandon_target(10, 180.0, 0.0), r"target_p_abandon must be in \(0, 1\)"),
        (lambda: utilisation_at_abandon_target(10, 180.0, 0.03, model="erlang_z"), r"model must be one of"),
        (lambda: open_loop_frontier(10, 180.0, []), r"p_abandon_grid must hold at least one value"),
        (lambda: mmn_general_patience(8.0, 1.0, 10, 0.5), r"patience_cdf must be callable"),
        (lambda: mmn_general_patience(8.0, 1.0, 10, lambda x: 2.0), r"patience_cdf must return values in"),
        (lambda: mmn_general_patience(12.0, 1.0, 10, lambda x: 0.0), r"patience_cdf must reach"),
        (lambda: mmn_general_patience(8.0, 1.0, 10, lambda x: 0.0, breakpoints_s=[-1.0]), r"breakpoints_s"),
    ],
)
def test_invalid_inputs_raise_config_error(call, message):
    """Every bad input gives a ConfigError whose message names the rule."""
    with pytest.raises(ConfigError, match=message):
        call()


def test_config_error_is_value_error():
    """Callers may catch ValueError."""
    with pytest.raises(ValueError, match="n_agents"):
        erlang_b(0, 1.0)


def test_docstring_examples_run():
    """The numpydoc Examples (built from the test vectors) pass as doctests."""
    results = [doctest.testmod(m, raise_on_error=False) for m in (formulas, erlang_bc)]
    failed, attempted = sum(r.failed for r in results), sum(r.attempted for r in results)
    assert attempted >= 10
    assert failed == 0
