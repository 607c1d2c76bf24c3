"""Ping calls: who sees a ping, who calls back, what it costs, when the number is shut down (docs/consumer_world.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import simpy
from scipy import stats

import dialer_sim as ds
from dialer_sim.config import Dist, PingConfig
from dialer_sim.model import (
    CALLBACK_RULES,
    Caller,
    CommunityBlocklist,
    PingCallbacks,
    Population,
    ping_outcome,
)

NUMBER = "+49301234567"


def _ping_run(mix: dict, n: int, *, seed: int = 1, gap_s: float = 1.0, **ping):
    """Ping ``n`` numbers one every ``gap_s`` seconds through the call-back model; return (callbacks, population)."""
    cfg = ds.DialerConfig(population=ds.PopulationConfig(strategy_mix=mix, p_unassigned=0.0, p_fax_line=0.0),
                          agents=ds.AgentsConfig(n_agents=0), ping=PingConfig(**ping))
    rng = np.random.default_rng(seed)
    pop = Population(cfg, n, rng=rng, rng_attempts=np.random.default_rng(seed + 1))
    blocklist = CommunityBlocklist(cfg.blocklist)
    env = simpy.Environment()
    cb = PingCallbacks(cfg.ping, pop, blocklist, env, rng=np.random.default_rng(seed + 2))

    def ping(_event, i):
        caller = Caller(NUMBER, False, blocklist.is_flagged(NUMBER, env.now))
        cb.on_ping(i, caller, ping_outcome(pop, i, caller))

    for i in range(n):
        env.timeout(i * gap_s).callbacks.append(lambda e, i=i: ping(e, i))
    env.run()
    return cb, pop


def test_every_strategy_has_a_callback_rule():
    assert set(CALLBACK_RULES) == set(ds.STRATEGIES)


@pytest.mark.parametrize("strategy", ["screen_unknown", "never_answer"])
def test_nobody_calls_back_a_ping_without_a_message(strategy):
    """Regression (issue 15): screeners see the missed call but call back only numbers that left a message."""
    cb, _ = _ping_run({strategy: 1.0}, 2000, p_callback={"premium": 1.0, "local": 1.0}, number_kind="local")
    s = cb.summary()
    assert s["missed_calls_seen"] == 2000
    assert s["callbacks"] == 0
    assert s["consumer_cost_eur"] == 0.0


def test_screening_assistant_users_never_see_a_ping():
    cb, _ = _ping_run({"screening_assistant": 0.5, "answer_all": 0.5}, 2000,
                      p_callback={"premium": 1.0, "local": 1.0})
    by = cb.by_strategy()
    assert by["screening_assistant"]["missed_calls_seen"] == 0
    assert by["screening_assistant"]["callbacks"] == 0
    assert by["answer_all"]["callbacks"] == by["answer_all"]["n_numbers"]  # p = 1: the others all call back


def test_blocklist_users_never_see_a_flagged_number():
    """Complaints flag the number on the community blocklist; from then on its pings to blocklist users are rejected."""
    cb, pop = _ping_run({"blocklist": 0.5, "answer_all": 0.5}, 3000, p_callback={"premium": 1.0, "local": 1.0},
                        p_complaint=1.0, shutdown_after_n_complaints=10**6,
                        callback_delay_s=Dist("deterministic", value=1.0), callback_s=Dist("deterministic", value=1.0))
    flagged_at = cb.blocklist.first_flagged_at_s[NUMBER]
    is_bl = pop.strategy == ds.STRATEGIES.index("blocklist")
    pinged_at = np.arange(pop.n_numbers) * 1.0
    assert cb.seen[is_bl & (pinged_at > flagged_at)].sum() == 0
    assert cb.seen[is_bl & (pinged_at < flagged_at)].all()
    assert cb.seen[~is_bl].all()


def test_callback_rate_matches_its_parameter_within_a_computed_interval():
    p = 0.1
    cb, _ = _ping_run({"answer_all": 1.0}, 20_000, p_callback={"premium": 0.02, "local": p}, number_kind="local")
    s = cb.summary()
    ci = stats.binomtest(s["callbacks"], s["missed_calls_seen"]).proportion_ci(0.999, method="wilson")
    assert ci.low <= p <= ci.high


def test_premium_cost_is_billed_minutes_times_tariff():
    cb, _ = _ping_run({"answer_all": 1.0}, 3000, p_callback={"premium": 0.5, "local": 0.5},
                      eur_per_min={"premium": 2.5, "local": 3.0}, p_complaint=0.0)
    s = cb.summary()
    assert s["callbacks_billed"] > 1000
    assert s["premium_minutes"] == pytest.approx(round(s["premium_minutes"]))  # whole 60 s increments
    assert s["consumer_cost_eur"] == pytest.approx(s["premium_minutes"] * 2.5)
    minutes = cb.billed_s / 60.0
    assert np.array_equal(minutes, np.round(minutes))
    assert minutes[cb.callbacks > 0].min() >= 1


def test_a_61_s_call_back_bills_two_minutes():
    cb, _ = _ping_run({"answer_all": 1.0}, 10, p_callback={"premium": 1.0, "local": 1.0},
                      callback_s=Dist("deterministic", value=61.0), p_complaint=0.0)
    assert cb.summary()["premium_minutes"] == 20.0
    assert cb.summary()["consumer_cost_eur"] == pytest.approx(60.0)


def test_shutdown_happens_at_the_threshold_and_stops_costs():
    """Every call-back complains at its end; the 5th complaint shuts the number; later call-backs cost nothing."""
    cb, _ = _ping_run({"answer_all": 1.0}, 50, gap_s=100.0, p_callback={"premium": 1.0, "local": 1.0},
                      p_complaint=1.0, shutdown_after_n_complaints=5,
                      callback_delay_s=Dist("deterministic", value=10.0), callback_s=Dist("deterministic", value=30.0))
    s = cb.summary()
    # Ping i at 100 i, call-back at 100 i + 10, complaint at 100 i + 40: the 5th (i = 4) at 440 s.
    assert cb.shutdown_at_s == {NUMBER: 440.0}
    assert s["first_shutdown_at_s"] == 440.0
    assert s["n_numbers_shut_down"] == 1
    assert s["callbacks"] == 50
    assert s["callbacks_billed"] == 5
    assert s["callbacks_unreached"] == 45
    assert s["complaints"] == 5
    assert s["consumer_cost_eur"] == pytest.approx(5 * 1 * 3.0)  # 30 s bills one started minute at 3 EUR
    assert cb.cost_eur[5:].sum() == 0.0


def test_a_call_back_placed_before_the_shutdown_is_billed_in_full():
    cb, _ = _ping_run({"answer_all": 1.0}, 3, gap_s=1.0, p_callback={"premium": 1.0, "local": 1.0},
                      p_complaint=1.0, shutdown_after_n_complaints=1,
                      callback_delay_s=Dist("deterministic", value=10.0), callback_s=Dist("deterministic", value=120.0))
    s = cb.summary()
    assert cb.shutdown_at_s[NUMBER] == 130.0  # the first call-back (10 s to 130 s) complains at its end
    assert s["callbacks_billed"] == 3
    assert s["premium_minutes"] == 6.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"number_kind": "mobile"}, r"^ping\.number_kind must be one of \['premium', 'local'\]; got 'mobile'\.$"),
    ({"p_callback": {"premium": 0.1}}, r"^ping\.p_callback must be a table with exactly the keys"),
    ({"p_callback": {"premium": 1.5, "local": 0.1}}, r"^ping\.p_callback\.premium must be a number in \[0, 1\]; got 1\.5"),
    ({"ring_s": Dist("uniform", low=10.0, high=20.0)}, r"^ping\.ring_s must be a ring with mean <= 6 s"),
    ({"shutdown_after_n_complaints": 0}, r"^ping\.shutdown_after_n_complaints must be an integer in \[1, "),
    ({"billing_increment_s": 0.0}, r"^ping\.billing_increment_s must be a number in \(0, 3600\]; got 0\.0"),
    ({"eur_per_min": {"premium": -1.0, "local": 3.0}}, r"^ping\.eur_per_min\.premium must be a number in \[0, "),
])
def test_bad_ping_parameters_give_one_line_errors(kwargs, message):
    with pytest.raises(ds.ConfigError, match=message) as err:
        PingConfig(**kwargs)
    assert "\n" not in str(err.value)


def test_ping_loads_from_toml_and_round_trips():
    data = {"population": {}, "agents": {"n_agents": 0},
            "ping": {"number_kind": "local", "ring_s": {"kind": "uniform", "low": 1.0, "high": 3.0},
                     "p_callback": {"premium": 0.01, "local": 0.2}, "shutdown_after_n_complaints": 50}}
    cfg = ds.config_from_dict(data)
    assert cfg.ping.number_kind == "local"
    assert cfg.ping.ring_s.high == 3.0
    assert ds.config_from_dict(ds.config_to_dict(cfg)).ping == cfg.ping
    with pytest.raises(ds.ConfigError, match=r"^ping\.n_lnes is not a known setting"):
        ds.config_from_dict({**data, "ping": {"n_lnes": 3}})
    with pytest.raises(ds.ConfigError, match=r"^\[ping\] must be used together with a \[population\] section"):
        ds.config_from_dict({"ping": {}})
    with pytest.raises(ds.ConfigError, match=r"^caller_id\.policy must be fixed or rotating with \[ping\]"):
        ds.config_from_dict({**data, "caller_id": {"policy": "withheld"}})



def _ping_campaign(n: int = 3000, **ping) -> ds.DialerConfig:
    return ds.config_from_dict({
        "campaign": {"n_numbers": n, "n_shifts": 1, "shift_start_s": 32400, "shift_length_s": 36000},
        "agents": {"n_agents": 0}, "rules": {"max_attempts_per_campaign": 1},
        "population": {"strategy_mix": {"answer_all": 0.5, "screen_unknown": 0.25, "screening_assistant": 0.25}},
        "ping": {"n_lines": 20, **ping}})


def test_a_ping_campaign_rings_briefly_and_every_unanswered_ping_breaks_the_ring_rule():
    from dialer_sim.compliance import short_rings

    result = ds.run(_ping_campaign(number_kind="local", p_callback={"premium": 1.0, "local": 1.0}), seed=4)
    rec = result.records
    assert len(rec) == 3000
    assert (rec["attempt"] == 1).all()
    unanswered = rec[rec["network_outcome"] == "no_answer"]
    assert unanswered["ring_s"].between(1.0, 5.0).all()
    assert (unanswered["ended_by"] == "dialer").all()
    kinds = rec["answer_kind"].fillna("")
    assert (kinds[kinds != ""] == "screening_assistant").all()
    assert (kinds != "").any()
    rule = short_rings(rec).iloc[0]
    assert rule["n_short_rings"] == rule["n_unanswered"] == len(unanswered)
    assert rule["breached"]
    s = result.summary
    assert s["ping_pings"] == 3000
    assert s["ping_callbacks"] > 0
    assert s["ping_consumer_cost_eur"] == pytest.approx(s["ping_premium_minutes"] * 3.0)
    again = ds.run(_ping_campaign(number_kind="local", p_callback={"premium": 1.0, "local": 1.0}), seed=4).summary
    assert json.dumps(again, sort_keys=True, default=str) == json.dumps(s, sort_keys=True, default=str)


def test_dialer_sim_run_refuses_a_bad_ping_section_in_one_line(tmp_path, capsys):
    from dialer_sim.cli import main

    cfg = tmp_path / "ping.toml"
    cfg.write_text("[population]\n[agents]\nn_agents = 0\n[ping]\np_complaint = 2.0\n")
    assert main(["run", str(cfg), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "ping.p_complaint must be a number in [0, 1]; got 2.0" in err[0]
    assert not (tmp_path / "out").exists()
