"""Campaign economics: orders and cancellations, net orders, costs and their reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

import dialer_sim as ds
from dialer_sim.records import billable_minutes, draw_orders, sales_contacts


def small_campaign(seed: int = 21, **consent) -> ds.Result:
    cfg = ds.config_from_dict({
        "campaign": {"n_numbers": 300, "n_shifts": 2},
        "agents": {"n_agents": 4},
        "network": {"p_busy": 0.0, "p_unobtainable": 0.0},
        "population": {"strategy_mix": {"answer_all": 1.0}},
        "amd": {"mode": "off"},
        **({"consent": consent} if consent else {}),
    })
    return ds.run(cfg, seed)


def test_net_orders_are_orders_minus_cancellations_and_rates_match_their_parameters():
    r = small_campaign()
    econ = ds.EconomicsConfig(p_sale_per_contact=0.5, p_cancel=0.3)
    out = ds.campaign_economics(r, econ, rng=ds.orders_rng(np.random.SeedSequence(1)))
    n_contacts = r.summary["n_contacts"]
    assert n_contacts > 100
    assert out["net_orders"] == out["orders"] - out["cancellations"]
    for k, n, p in (("orders", n_contacts, 0.5), ("cancellations", out["orders"], 0.3)):
        ci = sps.binomtest(out[k], n).proportion_ci(0.999)
        assert ci.low <= p <= ci.high, (k, out[k], n)


def test_the_same_draws_serve_every_cancellation_rate():
    """Common random numbers: more cancellation never cancels fewer orders; 0 and 1 are the extremes."""
    draws = draw_orders(np.arange(5000), rng=np.random.default_rng(3))
    rates = [0.0, 0.2, 0.5, 0.9, 1.0]
    net = [draws.counts(0.2, p)["net_orders"] for p in rates]
    orders = draws.counts(0.2, 0.0)["orders"]
    assert net[0] == orders
    assert net[-1] == 0
    assert all(a >= b for a, b in zip(net, net[1:], strict=False))
    table = draws.order_table(0.2, 0.5)
    assert len(table) == orders
    assert table["recorded"].all()
    assert int(table["cancelled"].sum()) == draws.counts(0.2, 0.5)["cancellations"]


def test_withdrawn_contacts_and_renewal_calls_sell_nothing():
    r = small_campaign(p_express_opt_in=1.0, p_withdraw_per_contact=1.0, invalid_channels=[], max_consent_age_days=10.0)
    assert r.summary["n_contacts"] > 0
    assert len(sales_contacts(r.numbers)) == 0
    assert len(sales_contacts(r.numbers, purpose="renewal")) == 0


def test_costs_add_up_by_hand():
    cfg = ds.EconomicsConfig(order_recording_s=360.0, agent_wage_eur_per_h=10.0, telephony_eur_per_min=0.02,
                             telephony_eur_per_attempt=0.01, commission_eur_per_net_order=5.0,
                             revenue_eur_per_net_order=40.0)
    c = ds.campaign_costs(cfg, agent_hours=8.0, n_dials=1000, connected_min=500.0, orders=10, net_orders=6,
                          expected_fine_eur=100.0)
    assert c["wages_eur"] == pytest.approx((8.0 + 10 * 0.1) * 10.0)
    assert c["telephony_eur"] == pytest.approx(500 * 0.02 + 1000 * 0.01)
    assert c["cost_eur"] == pytest.approx(90.0 + 20.0 + 30.0 + 100.0)
    assert c["profit_eur"] == pytest.approx(240.0 - 240.0)
    assert c["cost_per_net_order_eur"] == pytest.approx(40.0)
    assert math.isnan(ds.campaign_costs(cfg, agent_hours=1.0, n_dials=1, connected_min=0.0, orders=0,
                                        net_orders=0)["cost_per_net_order_eur"])


def test_billable_minutes_count_answered_calls_from_the_answer():
    r = small_campaign()
    rec = r.records
    answered = rec[rec["network_outcome"] == "answered"]
    expected = ((answered["end_at_s"] - answered["dial_at_s"] - answered["ring_s"]).sum()) / 60.0
    assert billable_minutes(rec) == pytest.approx(expected)
    assert 0 < billable_minutes(rec) < (rec["end_at_s"] - rec["dial_at_s"]).sum() / 60.0


def test_economics_are_reproducible_from_the_seed():
    r = small_campaign()
    econ = ds.EconomicsConfig()
    a = ds.campaign_economics(r, econ, rng=ds.orders_rng(np.random.SeedSequence(5)))
    b = ds.campaign_economics(r, econ, rng=ds.orders_rng(np.random.SeedSequence(5)))
    assert a == b


@pytest.mark.parametrize(("key", "value"), [("p_cancel", 1.2), ("p_sale_per_contact", -0.1),
                                            ("agent_wage_eur_per_h", "ten"), ("order_recording_s", 1e6)])
def test_bad_economics_settings_give_one_line_errors(key, value):
    with pytest.raises(ds.ConfigError) as err:
        ds.config_from_dict({"population": {}, "economics": {key: value}})
    assert f"economics.{key}" in str(err.value)
    assert "\n" not in str(err.value)


def test_economics_needs_a_list_campaign():
    with pytest.raises(ds.ConfigError, match=r"\[economics\]"):
        ds.config_from_dict({"economics": {}})
