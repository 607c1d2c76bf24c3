"""Configuration of consent, do-not-call registers and campaign economics (``[consent]``, ``[economics]``).

``[consent]`` gives every number of a list campaign a consent status (express
opt-in with its date and channel, an existing customer relationship, or none)
and may put it on a do-not-call register; it says whether the campaign is
*lawful* (dials only numbers with valid, unexpired consent that are not
registered) or *cold* (dials everyone), what a call's purpose is (a sales call,
or an opt-in renewal call), and how complaints to the regulator and fines
follow. ``[economics]`` prices a campaign: sales per contact, cancellations,
wages, telephony, commission and revenue. The model is described in
docs/consumer_world.md; the sources of the defaults are in docs/sources.md
§7.5-§7.10.

Conventions
-----------
- Days are calendar days of the campaign (day 0 is its first day); a consent
  given ``a`` days before the campaign started has ``consent_day = -a``.
- Money is euros (``*_eur``), per hour ``*_eur_per_h``, per minute ``*_eur_per_min``.
- Every default cites docs/sources.md or is marked as our assumption.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._list_campaign import _fail, _num, _shares

__all__ = ["CONSENT_MODES", "CONSENT_PURPOSES", "ConsentConfig", "EconomicsConfig"]

#: ``lawful`` dials only valid, unregistered consent; ``cold`` dials every number of the list.
CONSENT_MODES = ("cold", "lawful")
#: What a call that reaches an agent is for.
CONSENT_PURPOSES = ("sales", "renewal")
_MAX_DAYS = 36_600.0  # a century: any consent age or validity beyond it is a typo
_MAX_EUR = 1e9


def _bool(name: str, v) -> None:
    if not isinstance(v, bool):
        _fail(name, "true or false", v)


@dataclass(frozen=True)
class ConsentConfig:
    """Consent status, registers, the lawful/cold mode, withdrawal, renewal, complaints and fines.

    Each number independently has express opt-in with ``p_express_opt_in``, an
    existing customer relationship with ``p_customer``, or no consent. An opt-in
    carries a channel drawn from ``opt_in_channels``; consents bought from a
    list broker (``invalid_channels``) do not count (German courts hold
    list-broker consents invalid, docs/sources.md §7.6). Consents are
    ``U(0, max_consent_age_days)`` days old when the campaign starts and end
    ``validity_days`` after they were given: no statute fixes a validity
    (docs/sources.md §7.6), so two years is our assumption. A customer
    relationship counts as consent only with ``customer_counts_as_consent``
    (off: German law asks a consumer's prior express consent for an advertising
    call; on: the US rule's established business relationship of 18 months,
    ``customer_validity_days``, docs/sources.md §7.7). A number is on a
    do-not-call register with ``p_on_register`` (2 %: our assumption, of the
    order of the German telephone Robinson list's entries, docs/sources.md §7.7).

    A consented person has the company's number in their contacts with
    ``p_company_in_contacts`` (assumption): when the dialer presents that
    number (caller-ID policy ``fixed``) their phone shows the name, so they
    pick up at the contact rate and screeners let the call through.

    ``mode``: ``lawful`` dials only numbers with valid consent that are not on a
    register, and stops dialling a number whose consent expires or is withdrawn;
    ``cold`` dials everyone. ``purpose``: on a ``sales`` call a person who talks
    to an agent withdraws consent with ``p_withdraw_per_contact`` (assumption);
    on a ``renewal`` call the agent asks for renewed consent, the person agrees
    with ``p_renew`` (assumption) and the answer is recorded as evidence (a
    refusal withdraws consent). A renewal call needs valid consent itself
    (asking for consent on the phone is already an advertising call,
    docs/sources.md §7.6), so ``renewal`` needs ``mode = "lawful"``.

    Complaints: a person who answers a call (talks to an agent, or hears dead air
    or an AMD hang-up) complains to the regulator with
    ``p_complaint_non_consented`` when their number has no valid consent or is
    registered, and with ``p_complaint_withheld`` when the caller ID was
    withheld (both assumptions: no source gives a per-call rate). Each complaint
    opens a fine proceeding with ``p_enforcement_per_complaint`` (the
    Bundesnetzagentur's 17 fines from 63,273 complaints in 2020,
    docs/sources.md §7.8); a campaign is fined at most once, for
    ``fine_per_proceeding_eur`` (its mean 2020 fine, €1.35 m / 17; the law allows
    up to €300,000, §7.5), so the expected fine is
    ``fine x (1 - (1 - p_enforcement_per_complaint) ** complaints)``.
    """

    mode: str = "cold"
    purpose: str = "sales"
    p_express_opt_in: float = 0.0
    p_customer: float = 0.0
    opt_in_channels: dict[str, float] = field(default_factory=lambda: {
        "web_form": 0.7, "in_store": 0.2, "list_broker": 0.1})
    invalid_channels: list[str] = field(default_factory=lambda: ["list_broker"])
    max_consent_age_days: float = 1095.0
    validity_days: float = 730.0
    customer_counts_as_consent: bool = False
    customer_validity_days: float = 548.0
    p_on_register: float = 0.02
    p_company_in_contacts: float = 0.3
    p_withdraw_per_contact: float = 0.05
    p_renew: float = 0.6
    p_complaint_non_consented: float = 0.01
    p_complaint_withheld: float = 0.01
    p_enforcement_per_complaint: float = 2.7e-4
    fine_per_proceeding_eur: float = 79_000.0

    def __post_init__(self) -> None:
        if self.mode not in CONSENT_MODES:
            _fail("consent.mode", f"one of {list(CONSENT_MODES)}", self.mode)
        if self.purpose not in CONSENT_PURPOSES:
            _fail("consent.purpose", f"one of {list(CONSENT_PURPOSES)}", self.purpose)
        if self.purpose == "renewal" and self.mode != "lawful":
            _fail("consent.mode", '"lawful" when consent.purpose = "renewal" (a renewal call needs valid consent)',
                  self.mode)
        for name in ("p_express_opt_in", "p_customer", "p_on_register", "p_company_in_contacts",
                     "p_withdraw_per_contact", "p_renew", "p_complaint_non_consented", "p_complaint_withheld",
                     "p_enforcement_per_complaint"):
            _num(f"consent.{name}", getattr(self, name), 0.0, 1.0)
        if self.p_express_opt_in + self.p_customer > 1.0 + 1e-9:
            _fail("consent.p_express_opt_in + consent.p_customer", "at most 1",
                  round(self.p_express_opt_in + self.p_customer, 9))
        if not isinstance(self.opt_in_channels, dict) or not self.opt_in_channels:
            _fail("consent.opt_in_channels", "a non-empty table of channel = share", self.opt_in_channels)
        _shares("consent.opt_in_channels", self.opt_in_channels, tuple(self.opt_in_channels))
        if not isinstance(self.invalid_channels, (list, tuple)) or not all(
                isinstance(c, str) and c in self.opt_in_channels for c in self.invalid_channels):
            _fail("consent.invalid_channels", f"a list of channels among {sorted(self.opt_in_channels)}",
                  self.invalid_channels)
        for name in ("max_consent_age_days", "validity_days", "customer_validity_days"):
            _num(f"consent.{name}", getattr(self, name), 0.0, _MAX_DAYS)
        _bool("consent.customer_counts_as_consent", self.customer_counts_as_consent)
        _num("consent.fine_per_proceeding_eur", self.fine_per_proceeding_eur, 0.0, _MAX_EUR)

    @property
    def channels(self) -> tuple[str, ...]:
        """The opt-in channels in a fixed order (their array codes), then ``phone_renewal``."""
        return (*sorted(self.opt_in_channels), "phone_renewal")


@dataclass(frozen=True)
class EconomicsConfig:
    """What a campaign earns and costs (docs/consumer_world.md, "Campaign economics").

    A live contact (a person who talked to an agent, did not withdraw consent
    and was not on a renewal call) buys with ``p_sale_per_contact``
    (assumption: no source gives a rate); the agent then records the order part
    of the call as evidence, which takes ``order_recording_s`` of paid agent
    time on top of the talk (assumption). Each order is cancelled with
    ``p_cancel``: clients tolerate planned cancellation quotas of 20-90 %
    depending on the product (an outbound agent's account, docs/sources.md
    §7.9). Costs: every logged-in agent hour at ``agent_wage_eur_per_h`` (the
    German statutory minimum wage of 2026, §7.9), each connected minute at
    ``telephony_eur_per_min`` and each dial attempt at
    ``telephony_eur_per_attempt`` (assumptions, typical VoIP wholesale rates),
    ``commission_eur_per_net_order`` per order that was not cancelled (agents
    are paid per booked order minus the quota, §7.9), and the campaign's
    expected fine. The client pays ``revenue_eur_per_net_order`` per net order
    (assumption).
    """

    p_sale_per_contact: float = 0.10
    order_recording_s: float = 60.0
    p_cancel: float = 0.40
    agent_wage_eur_per_h: float = 13.90
    telephony_eur_per_min: float = 0.01
    telephony_eur_per_attempt: float = 0.001
    commission_eur_per_net_order: float = 5.0
    revenue_eur_per_net_order: float = 40.0

    def __post_init__(self) -> None:
        _num("economics.p_sale_per_contact", self.p_sale_per_contact, 0.0, 1.0)
        _num("economics.p_cancel", self.p_cancel, 0.0, 1.0)
        _num("economics.order_recording_s", self.order_recording_s, 0.0, 3600.0)
        for name in ("agent_wage_eur_per_h", "telephony_eur_per_min", "telephony_eur_per_attempt",
                     "commission_eur_per_net_order", "revenue_eur_per_net_order"):
            _num(f"economics.{name}", getattr(self, name), 0.0, _MAX_EUR)
