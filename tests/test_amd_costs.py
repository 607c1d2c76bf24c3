"""Policy costs of AMD decisions: hand-built calls against hand-computed outcomes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from scipy.stats import t as student_t

from amd.costs import DEFAULT_AGENT_TIMES, AgentTimes, call_costs, cost_figures, expected_agent_s

# Speech starts at 0.5 s, so the Ofcom deadline is 2.5 s; recognition 1.0 s; handling U(4, 12).
CASES = pd.DataFrame(
    [
        # name, kind, truth, label, decided_at_s, speech_start_s
        ("human early", "human", "human", "human", 1.2, 0.5),
        ("machine early", "machine_beep", "machine", "machine", 1.5, 0.5),
        ("undecided then human", "human_long_greeting", "human", "notsure", 3.0, 0.5),
        ("undecided then machine", "machine_nobeep", "machine", "machine", 5.0, 0.5),
        ("late FP inside the recognition span", "human_long_greeting", "human", "machine", 3.0, 0.5),
        ("late FP after the recognition span", "human_long_greeting", "human", "machine", 4.0, 0.5),
        ("machine called human", "machine_carrier", "machine", "human", 1.0, 0.5),
        ("silent person, early machine", "human_silent", "human", "machine", 1.0, np.nan),
    ],
    columns=["name", "kind", "truth", "label", "decided_at_s", "speech_start_s"],
)


def _costs(policy: str, times: AgentTimes = DEFAULT_AGENT_TIMES) -> pd.DataFrame:
    out = call_costs(
        CASES["truth"],
        CASES["label"],
        CASES["decided_at_s"],
        CASES["speech_start_s"],
        policy=policy,
        times=times,
    )
    return out.set_index(CASES["name"])


def test_connect_at_deadline_each_case():
    c = _costs("connect_at_deadline")
    assert c["deadline_s"].tolist() == [2.5] * 7 + [2.0]
    # Decided human early: put through at the verdict, 0.7 s after speech start.
    assert c.loc["human early", "connect_from_speech_s"] == pytest.approx(0.7)
    assert not c.loc["human early", "abandoned_human"]
    # Decided machine early: hung up before any agent, no agent time.
    assert c.loc["machine early", "machine_no_agent"]
    assert c.loc["machine early", "agent_s"] == 0.0
    # Undecided then human: connected at the deadline, not late.
    assert c.loc["undecided then human", "connect_s"] == 2.5
    assert not c.loc["undecided then human", "abandoned_human"]
    # Undecided then machine at 5.0 s: the agent is released 2.5 s after connect (< 4 s handling).
    assert not c.loc["undecided then machine", "machine_no_agent"]
    assert c.loc["undecided then machine", "agent_s"] == pytest.approx(2.5)
    # A late machine verdict on a person 0.5 s after connect hangs up on them; 1.5 s after, the agent overrides.
    assert c.loc["late FP inside the recognition span", "hung_up_human"]
    assert not c.loc["late FP after the recognition span", "abandoned_human"]
    # A machine called human: the agent handles it for the mean of U(4, 12).
    assert c.loc["machine called human", "agent_s"] == pytest.approx(8.0)
    # No speech: the clock runs from answer, and the early machine verdict is a hang-up.
    assert c.loc["silent person, early machine", "hung_up_human"]
    assert not c["late_human"].any()


def test_hangup_each_case():
    c = _costs("hangup")
    assert not c.loc["human early", "abandoned_human"]
    assert c.loc["machine early", "machine_no_agent"]
    # Undecided until 3.0 s, then connected: 0.5 s past the deadline, a late connect.
    assert c.loc["undecided then human", "late_human"]
    assert c.loc["undecided then human", "connect_s"] == 3.0
    # A machine verdict hangs up whenever it comes: no agent time, but every FP hangs up.
    assert c.loc["undecided then machine", "machine_no_agent"]
    assert c.loc["undecided then machine", "agent_s"] == 0.0
    assert c.loc["late FP inside the recognition span", "hung_up_human"]
    assert c.loc["late FP after the recognition span", "hung_up_human"]
    assert c.loc["machine called human", "agent_s"] == pytest.approx(8.0)


def test_expected_agent_time_inside_the_handling_range():
    # Released 6 s after connect, H ~ U(4, 12): E[min(6, H)] = ((36 - 16) / 2 + 6 * 6) / 8 = 5.75.
    assert expected_agent_s(np.array([6.0]))[0] == pytest.approx(5.75)
    assert expected_agent_s(np.array([3.0, 12.0, 40.0])).tolist() == [3.0, 8.0, 8.0]
    # Fixed handling time: the minimum of the two.
    fixed = AgentTimes(machine_handling_low_s=5.0, machine_handling_high_s=5.0)
    assert expected_agent_s(np.array([2.0, 9.0]), fixed).tolist() == [2.0, 5.0]
    # Monte Carlo check of the formula within a 5-sigma band.
    rng = np.random.default_rng(1)
    h = rng.uniform(4.0, 12.0, 200_000)
    sim = np.minimum(7.3, h)
    assert abs(sim.mean() - expected_agent_s(np.array([7.3]))[0]) < 5 * sim.std() / math.sqrt(sim.size)


def _deadline_costs():
    """The cases' costs under ``connect_at_deadline``."""
    return call_costs(CASES["truth"], CASES["label"], CASES["decided_at_s"], CASES["speech_start_s"],
                      policy="connect_at_deadline")


def test_figures_on_the_corpus_mix():
    """Equal weights: 2 of 5 people abandoned, 1 of 3 machines never reached an agent."""
    c = _deadline_costs()
    f = cost_figures(CASES, c)
    assert f["amd_abandonment"] == pytest.approx(2 / 5)
    ci = binomtest(2, 5).proportion_ci(method="wilson")
    assert (f["amd_abandonment_ci95_low"], f["amd_abandonment_ci95_high"]) == pytest.approx((ci.low, ci.high))
    assert f["p_machine_no_agent"] == pytest.approx(1 / 3)
    assert f["agent_s_per_machine"] == pytest.approx((0 + 2.5 + 8.0) / 3)
    half = student_t.ppf(0.975, 2) * np.std([0.0, 2.5, 8.0], ddof=1) / math.sqrt(3)
    assert f["agent_s_per_machine_ci95_low"] == 0.0  # clipped at zero agent time
    assert f["agent_s_per_machine_ci95_high"] == pytest.approx(3.5 + half)
    assert f["n_human"] == 5
    assert f["n_machine"] == 3
    # Humans put through, from speech start: 0.7 s, 2.0 s, 2.0 s -> median 2.0 s.
    assert f["human_connect_from_speech_median_s"] == pytest.approx(2.0)


def test_figures_under_an_answer_mix():
    """Post-stratified: a kind's share of the class replaces its share of the clips."""
    c = _deadline_costs()
    mix = {"human": 0.9, "human_long_greeting": 0.1, "machine_beep": 0.5, "machine_nobeep": 0.5}
    f = cost_figures(CASES, c, kind_weights=mix)
    # human: never abandoned; long greetings: 1 of 3 (the FP inside the span); silent: weight 0.
    assert f["amd_abandonment"] == pytest.approx(0.1 / 3)
    assert f["agent_s_per_machine"] == pytest.approx(0.5 * 0.0 + 0.5 * 2.5)
    assert f["p_machine_no_agent"] == pytest.approx(0.5)
    # Kish effective size of the humans: (sum w)^2 / sum w^2 with w = 0.9, 0.1/3 (x3).
    w = np.array([0.9, 0.1 / 3, 0.1 / 3, 0.1 / 3])
    assert f["n_eff_human"] == pytest.approx(w.sum() ** 2 / (w * w).sum())


def test_bad_policy_and_times():
    with pytest.raises(ValueError, match="`policy` must be one of"):
        call_costs(["human"], ["human"], [1.0], [0.5], policy="wait")
    with pytest.raises(ValueError, match="machine_handling_low_s"):
        AgentTimes(machine_handling_low_s=5.0, machine_handling_high_s=4.0)
    with pytest.raises(ValueError, match="human_recognition_s"):
        AgentTimes(human_recognition_s=0.0)


def test_agent_times_are_the_dialer_models():
    """The agent times priced here are the dialer simulation's ``agents.machine_handling_s`` and
    ``agents.human_recognition_s``, so the benchmark and the simulation price one policy."""
    from dialer_sim.config import AgentsConfig

    recognition = AgentsConfig().human_recognition_s
    assert (recognition.kind, recognition.value) == ("deterministic", DEFAULT_AGENT_TIMES.human_recognition_s)
    handling = AgentsConfig().machine_handling_s
    assert handling.kind == "uniform"
    assert (DEFAULT_AGENT_TIMES.machine_handling_low_s, DEFAULT_AGENT_TIMES.machine_handling_high_s) == (
        handling.low,
        handling.high,
    )


def _table(rows):
    cols = ["detector", "amd_abandonment", "agent_s_per_machine", "p_machine_no_agent"]
    t = pd.DataFrame(rows, columns=cols)
    t["policy"], t["part"] = "connect_at_deadline", "seen"
    # Rows of the other policy and part must not count: make them tempting.
    other = t.assign(amd_abandonment=0.0, agent_s_per_machine=0.0, p_machine_no_agent=1.0)
    return pd.concat([t, other.assign(policy="hangup"), other.assign(part="heldout")], ignore_index=True)


def test_best_rule_on_a_hand_built_table():
    """Fewest agent-seconds within the 0.5 % abandonment target; passing 2/3 of machines to agents disqualifies."""
    from amd._bench_costs import choose_best

    table = _table(
        [
            ("patient", 0.000, 3.0, 0.70),
            ("cheap", 0.004, 1.0, 0.80),
            ("rude", 0.020, 0.1, 0.95),  # cheapest, but hangs up on 2 % of people
            ("lazy", 0.000, 0.5, 0.30),  # within target and cheap, but 70 % of machines reach agents
            ("best(cheap)", 0.0, 0.0, 1.0),  # the alias is never a candidate
        ]
    )
    best = choose_best(table)
    assert best["detector"] == "cheap"
    assert best["within_target"]
    assert best["meets_rule"]
    assert best["eligible"] == ["cheap", "patient"]
    assert "agent-seconds" in best["rule"]
    # Nobody meets the rule: people first, so the cheapest detector within the abandonment target
    # even though it passes most machines to agents; it is flagged as not meeting the rule.
    none_ok = _table(
        [("a", 0.03, 1.0, 0.9), ("b", 0.01, 5.0, 0.5), ("lazy", 0.0, 0.5, 0.2), ("slow", 0.0, 2.0, 0.1)]
    )
    fallback = choose_best(none_ok)
    assert fallback["detector"] == "lazy"
    assert fallback["within_target"]
    assert not fallback["meets_rule"]
    assert fallback["eligible"] == []
    assert "1/3" in fallback["why_not"]
    # Nobody within target at all: the lowest abandonment.
    worst = choose_best(_table([("a", 0.03, 1.0, 0.9), ("b", 0.01, 5.0, 0.5)]))
    assert worst["detector"] == "b"
    assert not worst["within_target"]
