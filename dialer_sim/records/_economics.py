"""Campaign economics: orders, cancellations, costs and profit of one list-campaign replication.

The economics are computed after the simulation, from the campaign's result:
its call records (connected minutes, dial attempts), summary (logged-in agent
hours, the consent ledger's expected fine) and per-number table (contacts,
withdrawals). :func:`draw_orders` draws the sales of the contacts and the
cancellations of the orders from a generator the caller derives from the
replication's seed (:func:`orders_rng`), so the result is reproducible; one
uniform per contact for the sale and one for the cancellation let a sweep over
sale and cancellation probabilities reuse the same draws (common random
numbers). :func:`campaign_costs` prices the campaign
(:class:`~dialer_sim.config.EconomicsConfig`, docs/consumer_world.md).

Conventions
-----------
- An *order* is a sale the agent recorded (the order part of the call is the
  evidence); a *net order* is an order that was not cancelled, so
  ``net_orders = orders - cancellations``.
- Money is euros; ``cost_per_net_order_eur`` is NaN without a net order.
- Agents are paid for the logged-in hours of every day that started with
  numbers on the list (:func:`active_agent_hours`): once the list has run dry,
  they are sent home.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config._consent import EconomicsConfig

__all__ = ["ORDERS_STREAM", "OrderDraws", "active_agent_hours", "billable_minutes", "campaign_costs", "campaign_economics", "draw_orders",
           "orders_rng",
           "sales_contacts"]

#: Spawn-key suffix of the orders generator, outside the simulation's named streams.
ORDERS_STREAM = 1_000_017


def orders_rng(seed_seq: np.random.SeedSequence) -> np.random.Generator:
    """The orders generator of a replication: child ``(*spawn_key, ORDERS_STREAM)`` of its SeedSequence."""
    child = np.random.SeedSequence(seed_seq.entropy, spawn_key=(*seed_seq.spawn_key, ORDERS_STREAM))
    return np.random.default_rng(child)


def sales_contacts(numbers: pd.DataFrame, *, purpose: str = "sales") -> np.ndarray:
    """Number id of each contact that can buy: contacts of a sales campaign whose person did not withdraw.

    A number with ``k`` contacts appears ``k`` times; a person who withdrew consent during the call ends the
    sales talk (one contact fewer). A renewal campaign sells nothing.
    """
    if purpose == "renewal" or numbers.empty:
        return np.zeros(0, dtype=np.int64)
    k = numbers["contacts"].to_numpy(dtype=np.int64)
    if "consent_withdrawn" in numbers:
        k = np.maximum(k - numbers["consent_withdrawn"].to_numpy(dtype=np.int64), 0)
    return np.repeat(numbers["number_id"].to_numpy(dtype=np.int64), k)


@dataclass(frozen=True)
class OrderDraws:
    """The two uniforms of each sales contact: ``u_sale`` (buys when below p_sale), ``u_cancel``."""

    number_id: np.ndarray
    u_sale: np.ndarray
    u_cancel: np.ndarray

    def orders(self, p_sale: float) -> np.ndarray:
        """Mask of the contacts that ordered."""
        return self.u_sale < p_sale

    def counts(self, p_sale: float, p_cancel: float) -> dict[str, int]:
        """``orders``, ``cancellations`` and ``net_orders`` at these probabilities."""
        ordered = self.orders(p_sale)
        cancelled = ordered & (self.u_cancel < p_cancel)
        n_orders, n_cancelled = int(ordered.sum()), int(cancelled.sum())
        return {"orders": n_orders, "cancellations": n_cancelled, "net_orders": n_orders - n_cancelled}

    def order_table(self, p_sale: float, p_cancel: float) -> pd.DataFrame:
        """One row per recorded order: the number, that its recording is kept as evidence, whether it was cancelled."""
        ordered = self.orders(p_sale)
        return pd.DataFrame({"number_id": self.number_id[ordered], "recorded": True,
                             "cancelled": self.u_cancel[ordered] < p_cancel})


def draw_orders(contacts: np.ndarray, *, rng: np.random.Generator) -> OrderDraws:
    """Draw the sale and cancellation uniforms of each sales contact (``contacts`` from :func:`sales_contacts`)."""
    u = rng.random((2, len(contacts)))
    return OrderDraws(np.asarray(contacts, dtype=np.int64), u[0], u[1])


def billable_minutes(records: pd.DataFrame) -> float:
    """Connected minutes of the answered attempts: from answer (dial + ring) to the end of the call."""
    answered = records["network_outcome"].to_numpy() == "answered"
    seconds = records["end_at_s"].to_numpy() - records["dial_at_s"].to_numpy() - records["ring_s"].to_numpy()
    return float(np.clip(seconds[answered], 0.0, None).sum() / 60.0)


def campaign_costs(cfg: EconomicsConfig, *, agent_hours: float, n_dials: int, connected_min: float,
                   orders: int, net_orders: int, expected_fine_eur: float = 0.0) -> dict[str, float]:
    """Costs, revenue and profit of a campaign (see :class:`EconomicsConfig`).

    ``agent_hours``: logged-in agent hours; recording each order adds ``order_recording_s`` of paid agent time.
    """
    wages = (agent_hours + orders * cfg.order_recording_s / 3600.0) * cfg.agent_wage_eur_per_h
    telephony = connected_min * cfg.telephony_eur_per_min + n_dials * cfg.telephony_eur_per_attempt
    commission = net_orders * cfg.commission_eur_per_net_order
    cost = wages + telephony + commission + expected_fine_eur
    revenue = net_orders * cfg.revenue_eur_per_net_order
    return {
        "wages_eur": wages,
        "telephony_eur": telephony,
        "commission_eur": commission,
        "expected_fine_eur": expected_fine_eur,
        "cost_eur": cost,
        "revenue_eur": revenue,
        "profit_eur": revenue - cost,
        "cost_per_net_order_eur": cost / net_orders if net_orders > 0 else math.nan,
    }


def campaign_economics(result, cfg: EconomicsConfig, *, rng: np.random.Generator) -> dict[str, float]:
    """Orders, net orders, costs and profit of one replication's :class:`~dialer_sim.Result`.

    ``result`` needs its call records (``keep_records=True``) and a list campaign's per-number table; ``rng``
    comes from :func:`orders_rng` of the replication's seed.
    """
    if result.records is None or result.numbers is None:
        raise ValueError("campaign_economics needs a list campaign's result with its records (keep_records=True).")
    s = result.summary
    hours = active_agent_hours(result.daily) if result.daily is not None else s["agent_logged_in_hours"]
    draws = draw_orders(sales_contacts(result.numbers, purpose=s.get("consent_purpose", "sales")), rng=rng)
    n = draws.counts(cfg.p_sale_per_contact, cfg.p_cancel)
    costs = campaign_costs(cfg, agent_hours=hours, n_dials=s["n_dials"],
                           connected_min=billable_minutes(result.records), orders=n["orders"],
                           net_orders=n["net_orders"], expected_fine_eur=s.get("expected_fine_eur", 0.0))
    return {**n, "paid_agent_hours": hours, **costs}


def active_agent_hours(daily: pd.DataFrame) -> float:
    """Logged-in agent hours of the days that started with numbers on the list (the days a campaign pays for).

    Day 0 always counts; once the list has run dry, the agents are sent home.
    """
    everyone = daily[daily["strategy"] == "all"]
    on_at_start = everyone["n_on_list"].shift(1, fill_value=1).to_numpy() > 0
    return float(everyone["agent_hours_day"].to_numpy(dtype=float)[on_at_start].sum())
