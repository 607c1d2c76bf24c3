"""List campaigns: each screening strategy's mechanism, caller IDs, the blocklist, hygiene and probing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

import dialer_sim as ds
from dialer_sim.config import STRATEGIES

LABELS = ["human", "machine", "notsure"]
SURE_NETWORK = {"p_busy": 0.0, "p_unobtainable": 0.0}


def list_config(mix: dict, *, n_numbers: int = 400, days: int = 7, agents: int = 5, **sections) -> ds.DialerConfig:
    data = {
        "campaign": {"n_numbers": n_numbers, "n_shifts": days},
        "agents": {"n_agents": agents},
        "network": dict(SURE_NETWORK),
        "population": {"strategy_mix": mix, "p_fax_line": 0.0, **sections.pop("population", {})},
    }
    for name, table in sections.items():
        data[name] = {**data.get(name, {}), **table}
    return ds.config_from_dict(data)


def test_block_withheld_never_answers_a_withheld_caller_and_every_number_is_dropped_after_k():
    """100 % block_withheld and a withheld caller ID: no call is answered, each number gets exactly k attempts."""
    cfg = list_config({"block_withheld": 1.0}, caller_id={"policy": "withheld"}, hygiene={"max_rejected": 3})
    r = ds.run(cfg, 1)
    rec = r.records
    assert set(rec["network_outcome"]) == {"rejected"}
    assert (rec["caller_id"] == "withheld").all()
    assert (r.numbers["status"] == "dropped").all()
    assert (r.numbers["attempts"] == 3).all()
    assert (rec.groupby("number_id").size() == 3).all()


def test_block_withheld_answers_a_presented_number():
    cfg = list_config({"block_withheld": 1.0}, caller_id={"policy": "fixed"}, amd={"mode": "off"})
    rec = ds.run(cfg, 2).records
    assert (rec["network_outcome"] != "rejected").all()
    assert (rec["disposition"] == "human_to_agent").sum() > 0


def test_never_answer_without_voicemail_rings_out_until_dropped():
    cfg = list_config({"never_answer": 1.0}, population={"p_voicemail": 0.0}, hygiene={"max_no_answer": 4})
    r = ds.run(cfg, 3)
    assert set(r.records["disposition"]) == {"no_answer"}
    assert (r.numbers["attempts"] == 4).all()
    assert (r.numbers["status"] == "dropped").all()


def test_screen_unknown_sends_every_call_to_voicemail_which_the_amd_sees():
    cfg = list_config({"screen_unknown": 1.0}, population={"p_voicemail": 1.0})
    rec = ds.run(cfg, 4).records
    answered = rec[rec["network_outcome"] == "answered"]
    assert len(answered) > 0
    assert set(answered["answer_kind"]) <= {"machine_beep", "machine_nobeep", "machine_carrier"}
    assert answered["amd_label"].isin(LABELS).mean() > 0.9  # the AMD listened (unless the caller hung up first)
    assert (rec["disposition"] != "human_to_agent").all()


def test_screeners_call_back_only_when_a_message_is_left():
    base = dict(population={"p_voicemail": 1.0, "p_callback_after_message": 1.0})
    hangup = ds.run(list_config({"screen_unknown": 1.0}, **base), 5)
    message = ds.run(list_config({"screen_unknown": 1.0}, amd={"machine_action": "leave_message"}, **base), 5)
    assert hangup.numbers["callbacks"].sum() == 0
    left = (message.records["disposition"] == "machine_hangup").sum()
    assert message.numbers["callbacks"].sum() == left > 0


def test_silent_answer_answers_as_human_silent_which_the_parametric_amd_mostly_calls_machine():
    cfg = list_config({"silent_answer": 1.0}, population={"p_voicemail": 0.0}, n_numbers=800)
    rec = ds.run(cfg, 6).records
    live = rec[rec["network_outcome"] == "answered"]
    assert set(live["answer_kind"]) == {"human_silent"}
    decided = live[live["amd_label"].isin(LABELS)]
    p_machine = ds.AmdConfig().confusion["human_silent"][1]
    n, k = len(decided), int((decided["amd_label"] == "machine").sum())
    assert sps.binomtest(k, n, p_machine).pvalue > 0.001  # Asterisk-like: silence reads as a machine
    assert (decided.loc[decided["amd_label"] == "machine", "disposition"] == "amd_false_positive").all()


@pytest.mark.parametrize("p_accept", [0.0, 1.0])
def test_screening_assistant_rings_the_person_only_when_an_agent_speaks(p_accept):
    """A hang-up on the assistant never reaches the person; an agent who speaks does, if they accept."""
    cfg = list_config({"screening_assistant": 1.0}, population={"p_accept_after_screening": p_accept})
    r = ds.run(cfg, 7)
    rec = r.records
    assert set(rec.loc[rec["network_outcome"] == "answered", "answer_kind"]) == {"screening_assistant"}
    hung_up = rec["disposition"] == "machine_hangup"
    reached = rec["agent_id"] >= 0
    assert hung_up.sum() > 0
    assert reached.sum() > 0
    expected = "human_to_agent" if p_accept == 1.0 else "machine_to_agent"
    assert (rec.loc[reached, "disposition"] == expected).all()
    assert (r.numbers["contacts"] > 0).sum() == (p_accept == 1.0) * reached.sum()


def test_change_number_becomes_unobtainable_after_enough_unwanted_calls():
    """With a limit of 2, the third and later attempts that get through the network find the number gone."""
    cfg = list_config({"change_number": 1.0}, population={"change_after_n_unwanted": 2, "p_voicemail": 0.0},
                      n_numbers=300, days=14)
    r = ds.run(cfg, 8)
    rec = r.records.sort_values(["number_id", "attempt"])
    rang = rec["network_outcome"].isin(["answered", "no_answer"])
    n_rang_before = rang.astype(int).groupby(rec["number_id"]).cumsum() - rang.astype(int)
    after = rec[n_rang_before >= 2]
    assert len(after) > 0
    assert (after["network_outcome"] == "unobtainable").all()
    assert (rec.loc[n_rang_before < 2, "network_outcome"] != "unobtainable").all()
    changed = set(r.numbers.loc[r.numbers["number_changed"], "number_id"])
    assert changed == set(rec.loc[rang, "number_id"].value_counts().loc[lambda c: c >= 2].index)


def test_blocklist_users_reject_a_flagged_caller_id_and_a_rotating_pool_retires_it():
    """A hair-trigger blocklist: the first short call flags the number; blocklist users then reject it."""
    trigger = {"flag_score": 1.5, "half_score_weight": 1.0, "short_call_weight": 1.0}
    fixed = ds.run(list_config({"blocklist": 1.0}, blocklist=trigger, n_numbers=300), 9)
    rec = fixed.records.sort_values("dial_at_s")
    first_short = rec.loc[rec["network_outcome"] == "answered", "end_at_s"].min()
    after = rec[rec["dial_at_s"] > first_short + 60.0]
    assert len(after) > 0
    assert (after["network_outcome"] == "rejected").all()
    assert fixed.summary["n_caller_ids_flagged"] == 1

    rotating = ds.run(list_config({"blocklist": 1.0}, blocklist=trigger, n_numbers=300,
                                  caller_id={"policy": "rotating", "pool_size": 3, "n_spare_numbers": 20}), 9)
    assert rotating.summary["n_caller_ids_used"] > 3
    assert (rotating.records["network_outcome"] == "answered").sum() > (fixed.records["network_outcome"] == "answered").sum()


def test_fixed_caller_pickup_rate_matches_hiya_times_availability():
    """First attempts on answer_all numbers are picked up by the person at p_not_in_contacts x availability(hour)."""
    cfg = list_config({"answer_all": 1.0}, population={"p_voicemail": 0.0},
                      blocklist={"flag_score": 9.0}, amd={"mode": "off"}, n_numbers=4000, days=3, agents=20)
    r = ds.run(cfg, 10)
    first = r.records[r.records["attempt"] == 1]
    pc = cfg.population
    hour = ((first["dial_at_s"] % 86_400) // 3600).astype(int).to_numpy()
    p = pc.p_pickup_by_caller["not_in_contacts"] * np.asarray(pc.availability_weekday)[hour]
    k = int((first["network_outcome"] == "answered").sum())
    z = (k - p.sum()) / math.sqrt((p * (1 - p)).sum())
    assert abs(z) < sps.norm.ppf(1 - 0.001 / 2), (k, p.sum(), z)


def test_successful_numbers_were_really_reached_by_an_agent():
    mix = {s: 1.0 / len(STRATEGIES) for s in STRATEGIES}
    r = ds.run(list_config(mix, n_numbers=600, days=10), 11)
    reached = set(r.records.loc[r.records["disposition"] == "human_to_agent", "number_id"])
    successful = set(r.numbers.loc[r.numbers["status"] == "successful", "number_id"])
    assert successful == reached
    assert len(successful) > 0
    last = r.records.sort_values("attempt").groupby("number_id").tail(1).set_index("number_id")
    assert (last.loc[sorted(successful), "disposition"] == "human_to_agent").all()  # never dialled again


def test_daily_snapshots_add_up_and_days_without_a_window_have_no_agents():
    mix = {"answer_all": 0.5, "silent_answer": 0.25, "never_answer": 0.25}
    r = ds.run(list_config(mix, days=8), 12)
    d = r.daily
    assert sorted(d["day"].unique()) == list(range(8))
    for _, g in d.groupby("day"):
        total = g[g["strategy"] == "all"].iloc[0]
        parts = g[g["strategy"] != "all"]
        for col in ("n_numbers", "n_on_list", "n_successful", "n_dropped", "calls", "silent_calls"):
            assert parts[col].sum() == total[col]
        assert total["n_on_list"] + total["n_successful"] + total["n_dropped"] == total["n_numbers"]
    sunday = d[(d["weekday"] == 6) & (d["strategy"] == "all")]
    assert (sunday["dials_day"] == 0).all()
    assert (sunday["agent_hours_day"] == 0).all()
    assert d.groupby("strategy")["n_successful"].apply(lambda s: s.is_monotonic_increasing).all()


def test_probe_robot_harvests_the_numbers_its_amd_called_human_and_drops_the_people_without_agents():
    cfg = list_config({"answer_all": 1.0}, population={"p_unassigned": 0.3}, probe={"n_lines": 10},
                      agents=0, network={"ring_timeout_s": 15.0}, n_numbers=500, days=3)
    r = ds.run(cfg, 13)
    rec = r.records
    assert rec["agent_id"].isna().all()
    harvested = set(r.numbers.loc[r.numbers["status"] == "successful", "number_id"])
    said_human = set(rec.loc[rec["amd_label"] == "human", "number_id"])
    assert harvested == said_human
    assert len(harvested) > 0
    live = rec["answer_kind"].isin(["human", "human_hello_hello", "human_long_greeting", "human_silent"])
    dropped = rec.loc[(rec["amd_label"] == "human") & live, "disposition"]
    assert len(dropped) > 0
    assert dropped.isin(["abandoned", "callee_hung_up"]).all()
    unassigned = set(r.numbers.loc[~r.numbers["assigned"], "number_id"])
    assert not harvested & unassigned
    assert 0.0 < r.summary["successful_live_share"] <= 1.0


def test_a_list_run_is_a_pure_function_of_config_and_seed():
    mix = {"answer_all": 0.6, "blocklist": 0.2, "screening_assistant": 0.2}
    cfg = list_config(mix, caller_id={"policy": "rotating"}, days=4)
    seq = np.random.SeedSequence(99)
    a, b = ds.run(cfg, seq), ds.run(cfg, seq)  # the same SeedSequence object twice: identical streams
    assert a.records.equals(b.records)
    assert a.daily.equals(b.daily)
    assert not ds.run(cfg, 100).records.equals(a.records)


def test_strategy_assignment_is_coupled_across_adoption_shares():
    """Raising a strategy's share only switches more of the same numbers to it."""
    ids = []
    for share in (0.1, 0.3, 0.6):
        r = ds.run(list_config({"answer_all": 1 - share, "screen_unknown": share}, days=1), 14)
        ids.append(set(r.numbers.loc[r.numbers["strategy"] == "screen_unknown", "number_id"]))
    assert ids[0] <= ids[1] <= ids[2]
    assert len(ids[0]) < len(ids[2])


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"probe": {"n_lines": 5}}, r"\[probe\] must be used together with a \[population\] section"),
        ({"population": {"strategy_mix": {"answer_all": 0.5}}}, r"population\.strategy_mix must be shares that sum to 1"),
        ({"population": {"strategy_mix": {"screen_all": 1.0}}}, r"population\.strategy_mix keys must be among"),
        ({"population": {}, "rules": {"windows": {"mon": [20, 8]}}}, r"rules\.windows\.mon must be \[start_h, end_h\] with"),
        ({"population": {}, "rules": {"windows": {"moon": [8, 20]}}}, r"rules\.windows keys must be weekday names"),
        ({"population": {}, "caller_id": {"policy": "spoofed"}}, r"caller_id\.policy must be one of withheld, fixed"),
        ({"population": {"availability_weekday": [0.5] * 23}}, r"population\.availability_weekday must be a list of 24"),
        ({"population": {}, "hygiene": {"max_machine": 0}}, r"hygiene\.max_machine must be an integer in \[1"),
        ({"population": {}, "blocklist": {"tellows": 7}}, r"blocklist\.tellows is not a known setting"),
        ({"population": {}, "probe": {}, "amd": {"mode": "off"}}, r"amd\.mode must be parametric or empirical with"),
    ],
)
def test_bad_list_settings_name_field_rule_and_value(data, match):
    with pytest.raises(ds.ConfigError, match=match):
        ds.config_from_dict(data)


def test_list_config_round_trips_through_plain_dicts():
    cfg = list_config({"answer_all": 0.7, "silent_answer": 0.3}, caller_id={"policy": "rotating"},
                      rules={"ofcom_abandoned_gap_s": 259_200.0})
    again = ds.config_from_dict(ds.config_to_dict(cfg))
    assert ds.config_to_dict(again) == ds.config_to_dict(cfg)
    assert again.rules == cfg.rules
    assert again.rules.ofcom_abandoned_gap_s == 259_200.0
    assert again.population == cfg.population
    assert again.caller_id.policy == "rotating"


def test_a_dial_list_dials_only_those_numbers_of_the_same_population():
    mix = {"answer_all": 0.5, "silent_answer": 0.5}
    cfg = list_config(mix, n_numbers=500, days=3)
    full = ds.run(cfg, 15)
    chosen = full.numbers.loc[full.numbers["strategy"] == "silent_answer", "number_id"].to_numpy()[:100]
    sub = ds.run(cfg, 15, dial_list=chosen)
    assert set(sub.records["number_id"]) <= set(chosen.tolist())
    assert len(sub.numbers) == 100
    assert (sub.numbers["strategy"] == "silent_answer").all()  # the same people behind the same numbers
    assert sub.daily.query("strategy == 'all'")["n_numbers"].eq(100).all()
    with pytest.raises(ds.ConfigError, match=r"dial_list must hold numbers in \[0, 499\]"):
        ds.run(cfg, 15, dial_list=[0, 500])
    with pytest.raises(ds.ConfigError, match="dial_list must not repeat a number"):
        ds.run(cfg, 15, dial_list=[1, 1])


def test_cli_run_of_a_list_campaign_writes_daily_and_numbers(tmp_path):
    import subprocess
    import sys

    import pandas as pd

    toml = tmp_path / "c.toml"
    toml.write_text('[campaign]\nn_numbers = 300\nn_shifts = 3\n[agents]\nn_agents = 3\n'
                    '[population]\nstrategy_mix = { answer_all = 0.5, blocklist = 0.5 }\n')
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "dialer_sim.cli", "run", str(toml), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    daily = pd.read_csv(out / "daily.csv")
    assert set(daily["strategy"]) == {"all", "answer_all", "blocklist"}
    assert len(pd.read_parquet(out / "numbers.parquet")) == 300


def test_blocklist_score_follows_its_formula_and_forgets_old_complaints():
    from dialer_sim.model import CommunityBlocklist

    bl = CommunityBlocklist(ds.BlocklistConfig(half_score_weight=10.0, window_days=28.0, flag_score=7.0))
    for i in range(30):
        bl.complain("+49301", float(i))
    assert bl.score("+49301", 100.0) == pytest.approx(1 + 8 * 30 / 40)  # C = 30 -> 7.0
    assert bl.is_flagged("+49301", 100.0)
    assert bl.first_flagged_at_s["+49301"] == 29.0
    assert bl.score("+49301", 29.0 + 28 * 86_400.0 + 1) == pytest.approx(1.0)  # all older than the window
    assert not bl.is_flagged("+49301", 29.0 + 28 * 86_400.0 + 1)
    bl.complain("withheld", 0.0, 100.0)
    assert not bl.is_flagged("withheld", 1.0)  # a withheld number cannot be rated


def test_rotating_pool_retires_a_number_whose_answer_rate_halves():
    from dialer_sim.model import CallerIdPool, CommunityBlocklist

    cfg = ds.CallerIdConfig(policy="rotating", pool_size=2, n_spare_numbers=1, answer_rate_window_calls=10,
                            retire_answer_ratio=0.5)
    pool = CallerIdPool(cfg, CommunityBlocklist(ds.BlocklistConfig()))
    first = pool.active[0]
    for i in range(10):
        pool.on_result(first, i % 2 == 0, float(i))  # baseline answer rate 0.5
    for i in range(7):
        pool.on_result(first, False, 20.0 + i)  # the last-10 rate falls to 0.2 < 0.5 x 0.5 after 5 misses
    assert first not in pool.active
    assert pool.retired[first][1] == "answer_rate"
    assert pool.n_used == 3
    assert len(pool.active) == 2
    callers = {pool.next_caller(100.0).caller_id for _ in range(4)}
    assert first not in callers


def test_days_to_drop_count_from_a_numbers_first_attempt():
    r = ds.run(list_config({"answer_all": 0.5, "never_answer": 0.5}, n_numbers=600, days=10, agents=2), 16)
    first = (r.records.groupby("number_id")["dial_at_s"].min() // 86_400).astype(int)
    nums = r.numbers.set_index("number_id")
    dialled = nums.loc[first.index]
    assert (dialled["first_day"] == first).all()
    assert (nums.loc[~nums.index.isin(first.index), "first_day"] == -1).all()
    dropped = nums[nums["status"] == "dropped"]
    assert first.max() > 0  # fresh numbers were still being started after day 0
    expected = (dropped["status_day"] - dropped["first_day"] + 1).mean()
    assert r.summary["mean_days_to_drop"] == pytest.approx(expected)
