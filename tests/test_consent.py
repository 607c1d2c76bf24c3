"""Consent and do-not-call registers: lawful dialling, expiry, withdrawal, renewal evidence, complaints and fines."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

import dialer_sim as ds
from dialer_sim.model import OPT_IN, ConsentLedger, p_fined
from dialer_sim.records import HUMAN_KINDS

SURE_NETWORK = {"p_busy": 0.0, "p_unobtainable": 0.0}
DAY_S = 86_400.0


def consent_config(consent: dict, *, mix=None, n_numbers: int = 400, days: int = 7, **sections) -> ds.DialerConfig:
    data = {
        "campaign": {"n_numbers": n_numbers, "n_shifts": days},
        "agents": {"n_agents": 4},
        "network": dict(SURE_NETWORK),
        "population": {"strategy_mix": mix or {"answer_all": 1.0}, "p_fax_line": 0.0,
                       **sections.pop("population", {})},
        "consent": consent,
    }
    data.update(sections)
    return ds.config_from_dict(data)


def valid_at(numbers, day: np.ndarray, validity_days: float) -> np.ndarray:
    """Whether each number's consent (as the per-number table shows it) counted on ``day``."""
    ok_kind = (numbers["consent"] == "opt_in").to_numpy() & (numbers["consent_channel"] != "list_broker").to_numpy()
    return ok_kind & (day - numbers["consent_day"].to_numpy() <= validity_days)


# A mixed list: half the opt-ins have expired, the rest expire during the week; some never counted; some registered.
MIXED = {"mode": "lawful", "p_express_opt_in": 0.6, "p_customer": 0.2, "p_on_register": 0.2,
         "max_consent_age_days": 10.0, "validity_days": 5.0, "p_withdraw_per_contact": 0.0}


def test_a_lawful_campaign_never_dials_a_non_consented_expired_or_registered_number():
    """Every attempt goes to a number with valid opt-in on the day it is placed, never to a registered one."""
    cfg = consent_config(MIXED, population={"p_voicemail": 0.8})
    r = ds.run(cfg, 11)
    num = r.numbers.set_index("number_id")
    rec = r.records
    dialled = num.loc[rec["number_id"]]
    ok = valid_at(dialled, rec["dial_at_s"].to_numpy() / DAY_S, MIXED["validity_days"])
    assert len(rec) > 150
    assert ok.all()
    assert not dialled["on_register"].any()
    assert r.summary["dials_to_non_consented"] == 0
    assert r.summary["dials_to_registered"] == 0
    # The guard mattered: numbers that were lawful on day 0 lost their consent during the week and were not redialled.
    expired_mid = valid_at(num, np.zeros(len(num)), 5.0) & ~valid_at(num, np.full(len(num), 7.0), 5.0)
    assert expired_mid.sum() > 50
    assert r.summary["n_lawful_at_end"] < r.summary["n_lawful_at_start"] < r.summary["n_listed"]


def test_a_cold_campaign_dials_everyone_and_counts_the_dials_to_non_consented_numbers():
    cfg = consent_config({**MIXED, "mode": "cold"})
    r = ds.run(cfg, 12)
    num = r.numbers.set_index("number_id")
    rec = r.records
    dialled = num.loc[rec["number_id"]]
    ok = valid_at(dialled, rec["dial_at_s"].to_numpy() / DAY_S, MIXED["validity_days"])
    assert len(num) == cfg.campaign.n_numbers
    assert r.summary["dials_to_non_consented"] == int((~ok).sum()) > 0
    assert r.summary["dials_to_registered"] == int(dialled["on_register"].sum()) > 0


def test_an_expired_consent_is_not_used():
    """Ledger level: an opt-in older than the validity is neither valid nor dialable in lawful mode."""
    cfg = ds.ConsentConfig(mode="lawful", p_express_opt_in=1.0, p_on_register=0.0, validity_days=100.0,
                           opt_in_channels={"web_form": 1.0}, invalid_channels=[])
    led = ConsentLedger(cfg, 3, rng=np.random.default_rng(0))
    led.consent_day[:] = [-50.0, -100.0, -150.0]
    assert [led.valid(i, 0.0) for i in range(3)] == [True, True, False]
    assert led.dialable([2, 1, 0]) == [1, 0]
    assert led.dialable([0, 1], t_s=10 * DAY_S) == [0]  # the 100-day-old consent expires ten days later
    assert not led.on_dial(2, 0.0)
    assert led.n_dials == 0


def test_withdrawal_during_a_call_removes_consent():
    cfg = consent_config({"mode": "lawful", "p_express_opt_in": 1.0, "p_on_register": 0.0,
                          "max_consent_age_days": 10.0, "p_withdraw_per_contact": 1.0}, amd={"mode": "off"})
    r = ds.run(cfg, 13)
    num = r.numbers
    contacted = num["contacts"] > 0
    assert contacted.sum() > 20
    assert (num["consent_withdrawn"] == contacted).all()
    assert r.summary["n_withdrawn_in_call"] == int(contacted.sum())
    led = ConsentLedger(ds.ConsentConfig(p_express_opt_in=1.0, p_withdraw_per_contact=1.0, invalid_channels=[]), 1,
                        rng=np.random.default_rng(1))
    assert led.valid(0, 0.0)
    led.after_call(0, 0.0, live=True, contact=True, withheld=False)
    assert not led.valid(0, 0.0)
    assert led.withdrawn[0]


def test_a_renewal_call_records_each_answer_as_evidence():
    """Every contact of a renewal campaign is asked; yes renews the opt-in by phone, no withdraws it."""
    p_renew = 0.6
    cfg = consent_config({"mode": "lawful", "purpose": "renewal", "p_express_opt_in": 1.0, "p_on_register": 0.0,
                          "max_consent_age_days": 390.0, "validity_days": 400.0, "p_renew": p_renew}, n_numbers=600,
                         amd={"mode": "off"})
    r = ds.run(cfg, 14)
    s, num = r.summary, r.numbers
    n_contacts = int((num["contacts"] > 0).sum())
    assert s["n_renewed"] + s["n_declined"] == n_contacts > 50
    renewed = num["consent_channel"] == "phone_renewal"
    assert renewed.sum() == s["n_renewed"]
    assert (num.loc[renewed, "consent_day"] >= 0).all()
    assert num["consent_withdrawn"].sum() == s["n_declined"]
    ci = sps.binomtest(s["n_renewed"], n_contacts).proportion_ci(0.999)
    assert ci.low <= p_renew <= ci.high
    sales = ds.run(ds.apply_overrides(cfg, {"consent.purpose": "sales"}), 14, keep_records=False).summary
    assert sales["n_lawful_at_start"] == s["n_lawful_at_start"]  # counted before any answer changed a consent
    assert s["n_lawful_1y_after_end"] > sales["n_lawful_1y_after_end"]  # renewed consents outlive the old ones


def test_a_renewal_campaign_must_be_lawful():
    with pytest.raises(ds.ConfigError, match=r"consent\.mode"):
        ds.ConsentConfig(purpose="renewal", mode="cold")


@pytest.mark.parametrize("caller", ["withheld", "fixed"])
def test_complaints_follow_their_probability_per_call_a_person_heard(caller):
    """Cold calls to nobody who consented: complaints ~ Binomial(live answers, p); withheld adds its own."""
    p_nc, p_wh = 0.2, 0.3
    cfg = consent_config({"mode": "cold", "p_complaint_non_consented": p_nc, "p_complaint_withheld": p_wh},
                         caller_id={"policy": caller}, amd={"mode": "off"})
    r = ds.run(cfg, 15)
    n_live = int(r.records["answer_kind"].isin(HUMAN_KINDS).sum())
    assert n_live > 100
    for k, p in (("complaints_non_consented", p_nc), ("complaints_withheld", p_wh if caller == "withheld" else 0.0)):
        ci = sps.binomtest(r.summary[k], n_live).proportion_ci(0.999)
        assert ci.low <= p <= ci.high, (k, r.summary[k], n_live)


def test_the_fine_is_a_rare_complaint_driven_event_with_the_stated_probability():
    p, n_complaints = 2.7e-4, 3000
    assert p_fined(0, p) == 0.0
    assert p_fined(n_complaints, p) == pytest.approx(1 - (1 - p) ** n_complaints, rel=1e-12)
    cfg = ds.ConsentConfig(p_enforcement_per_complaint=p, fine_per_proceeding_eur=1000.0)
    fined = 0
    n_ledgers = 2000
    for seed in range(n_ledgers):
        led = ConsentLedger(cfg, 0, rng=np.random.default_rng(seed))
        led.n_complaints_non_consented = n_complaints
        s = led.summary(np.zeros(0, dtype=bool), 0.0)
        assert s["expected_fine_eur"] == pytest.approx(1000.0 * p_fined(n_complaints, p))
        fined += s["fined"]
    ci = sps.binomtest(fined, n_ledgers).proportion_ci(0.999)
    assert ci.low <= p_fined(n_complaints, p) <= ci.high


def test_a_saved_contact_lets_the_company_through_screening_only_under_its_own_number():
    """100 % screen_unknown who all saved the company's number: a fixed caller ID reaches them, a rotating one not."""
    consent = {"mode": "cold", "p_express_opt_in": 1.0, "p_company_in_contacts": 1.0}
    fixed = ds.run(consent_config(consent, mix={"screen_unknown": 1.0}, amd={"mode": "off"}), 16)
    rotating = ds.run(consent_config(consent, mix={"screen_unknown": 1.0}, amd={"mode": "off"},
                                     caller_id={"policy": "rotating"}), 16)
    assert fixed.summary["n_contacts"] > 50
    assert rotating.summary["n_contacts"] == 0
    led = ConsentLedger(ds.ConsentConfig(p_express_opt_in=0.5, p_company_in_contacts=1.0), 1000,
                        rng=np.random.default_rng(2))
    assert (led.in_contacts == (led.status == OPT_IN)).all()  # only a consented person saved the number


@pytest.mark.parametrize(("key", "value", "field"), [
    ("mode", "sometimes", "consent.mode"),
    ("purpose", "upsell", "consent.purpose"),
    ("p_on_register", 1.5, "consent.p_on_register"),
    ("opt_in_channels", {"web_form": 0.5}, "consent.opt_in_channels"),
    ("invalid_channels", ["fax"], "consent.invalid_channels"),
    ("validity_days", -1, "consent.validity_days"),
    ("fine_per_proceeding_eur", float("nan"), "consent.fine_per_proceeding_eur"),
    ("colour", "red", "consent.colour"),
])
def test_bad_consent_settings_give_one_line_errors_naming_the_field(key, value, field):
    with pytest.raises(ds.ConfigError) as err:
        consent_config({key: value})
    msg = str(err.value)
    assert field in msg
    assert "\n" not in msg


def test_consent_needs_a_list_campaign():
    with pytest.raises(ds.ConfigError, match=r"\[consent\]"):
        ds.config_from_dict({"consent": {"mode": "lawful"}})


def test_same_seed_same_consent_outcome():
    cfg = consent_config({**MIXED, "mode": "cold", "p_complaint_non_consented": 0.1})
    a, b = ds.run(cfg, 17, keep_records=False), ds.run(cfg, 17, keep_records=False)
    assert a.summary == b.summary
    assert a.numbers.equals(b.numbers)
