"""Consent, do-not-call registers, withdrawal, opt-in renewal, complaints and fines of one list campaign.

:class:`ConsentLedger` holds each number's consent (status, channel, the day it
was given), whether it is on a do-not-call register and whether the person has
the company's number in their contacts; it decides whether a lawful campaign may
dial a number now, applies withdrawals and renewal answers during calls, keeps
the renewal evidence, draws complaints to the regulator and turns them into an
expected fine (parameters in :class:`~dialer_sim.config.ConsentConfig`,
the model in docs/consumer_world.md).

Conventions
-----------
- Status codes: :data:`NONE`, :data:`OPT_IN` (express opt-in), :data:`CUSTOMER`
  (an existing customer relationship).
- Consent is *valid* on day ``d`` when it counts (an opt-in through a valid
  channel, or a customer relationship where that counts), has not been withdrawn
  and ``d - consent_day <= validity``. A lawful campaign may dial a number when
  its consent is valid and it is not registered.
- Traits are drawn once per replication from the ``consent`` stream in a fixed
  order (status, channel, age, register, contacts, then one uniform for the
  fine); each call's withdrawal, renewal and complaint draws come after, from
  the same stream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._time import SECONDS_PER_DAY
from ..config._consent import ConsentConfig
from ._draws import Block

__all__ = ["CUSTOMER", "NONE", "OPT_IN", "ConsentLedger", "p_fined"]

NONE, OPT_IN, CUSTOMER = 0, 1, 2
STATUS_NAMES = ("none", "opt_in", "customer")


def p_fined(n_complaints: int, p_enforcement_per_complaint: float) -> float:
    """Probability that at least one of ``n_complaints`` opens a fine proceeding."""
    return float(-np.expm1(n_complaints * np.log1p(-p_enforcement_per_complaint))) \
        if p_enforcement_per_complaint < 1.0 else float(n_complaints > 0)


class ConsentLedger:
    """Per-number consent state and the campaign's complaint and fine counts.

    Parameters
    ----------
    config : ConsentConfig
    n_numbers : int
    rng : numpy.random.Generator
        The replication's ``consent`` stream.
    """

    def __init__(self, config: ConsentConfig, n_numbers: int, *, rng: np.random.Generator):
        self.cfg = c = config
        n = int(n_numbers)
        u = rng.random((5, n))
        self.status = np.where(u[0] < c.p_express_opt_in, OPT_IN,
                               np.where(u[0] < c.p_express_opt_in + c.p_customer, CUSTOMER, NONE)).astype(np.int8)
        names = c.channels[:-1]
        cum = np.cumsum([c.opt_in_channels[k] for k in names])
        self.channel = np.minimum(np.searchsorted(cum / cum[-1], u[1], side="right"), len(names) - 1).astype(np.int8)
        self.channel[self.status != OPT_IN] = -1
        self.consent_day = np.where(self.status != NONE, -u[2] * c.max_consent_age_days, np.nan)
        self.on_register = u[3] < c.p_on_register
        self.in_contacts = (self.status != NONE) & (u[4] < c.p_company_in_contacts)
        self.withdrawn = np.zeros(n, dtype=bool)
        self._u_fine = float(rng.random())
        self._u = Block.uniform(rng)
        self._channel_ok = np.array([ch not in c.invalid_channels for ch in c.channels])
        self.lawful_at_start = self.valid_mask(0.0) & ~self.on_register  # before any call changed a consent
        self.evidence: list[tuple[int, float, str]] = []  # (number_id, time_s, "renewed" | "declined")
        self.n_dials = self.n_dials_non_consented = self.n_dials_registered = 0
        self.n_complaints_non_consented = self.n_complaints_withheld = 0
        self.n_withdrawn_in_call = 0

    @property
    def n_numbers(self) -> int:
        return len(self.status)

    # -- validity ---------------------------------------------------------------------------------
    def counts(self, number_id: int) -> bool:
        """The number's consent is of a kind that allows an advertising call (ignoring its age)."""
        s = self.status[number_id]
        if s == OPT_IN:
            return bool(self._channel_ok[self.channel[number_id]])
        return s == CUSTOMER and self.cfg.customer_counts_as_consent

    def valid(self, number_id: int, t_s: float) -> bool:
        """Consent is valid at time ``t_s`` (see the module conventions)."""
        if self.withdrawn[number_id] or not self.counts(number_id):
            return False
        limit = self.cfg.validity_days if self.status[number_id] == OPT_IN else self.cfg.customer_validity_days
        return t_s / SECONDS_PER_DAY - self.consent_day[number_id] <= limit

    def valid_mask(self, t_s: float) -> np.ndarray:
        """:meth:`valid` for every number at time ``t_s``."""
        c = self.cfg
        kind_ok = np.zeros(self.n_numbers, dtype=bool)
        opt = self.status == OPT_IN
        kind_ok[opt] = self._channel_ok[self.channel[opt]]
        limit = np.where(opt, c.validity_days, c.customer_validity_days)
        if c.customer_counts_as_consent:
            kind_ok |= self.status == CUSTOMER
        with np.errstate(invalid="ignore"):
            young = t_s / SECONDS_PER_DAY - self.consent_day <= limit
        return kind_ok & young & ~self.withdrawn

    def may_dial(self, number_id: int, t_s: float) -> bool:
        """A call to ``number_id`` at ``t_s`` is allowed: always in cold mode; valid and unregistered when lawful."""
        if self.cfg.mode == "cold":
            return True
        return not self.on_register[number_id] and self.valid(number_id, t_s)

    def dialable(self, number_ids, t_s: float = 0.0) -> list[int]:
        """The numbers of ``number_ids`` (in their order) that may be dialled at ``t_s``."""
        if self.cfg.mode == "cold":
            return list(number_ids)
        ok = self.valid_mask(t_s) & ~self.on_register
        return [int(i) for i in number_ids if ok[i]]

    # -- calls ------------------------------------------------------------------------------------
    def on_dial(self, number_id: int, t_s: float) -> bool:
        """Count an attempt about to be placed; False (and nothing counted) when the mode forbids it."""
        if not self.may_dial(number_id, t_s):
            return False
        self.n_dials += 1
        if not self.valid(number_id, t_s):
            self.n_dials_non_consented += 1
        if self.on_register[number_id]:
            self.n_dials_registered += 1
        return True

    def after_call(self, number_id: int, t_s: float, *, live: bool, contact: bool, withheld: bool) -> None:
        """Complaints from a call a person heard, then withdrawal or the renewal answer of a contact.

        ``live``: a person heard the call (an agent, dead air or an AMD hang-up); ``contact``: they talked to an
        agent; ``withheld``: the caller ID was withheld.
        """
        if not live:
            return
        c = self.cfg
        if (not self.valid(number_id, t_s) or self.on_register[number_id]) and self._u() < c.p_complaint_non_consented:
            self.n_complaints_non_consented += 1
        if withheld and self._u() < c.p_complaint_withheld:
            self.n_complaints_withheld += 1
        if not contact or not self.valid(number_id, t_s):
            return
        if c.purpose == "renewal":
            self.renew(number_id, t_s, accepted=self._u() < c.p_renew)
        elif self._u() < c.p_withdraw_per_contact:
            self.withdraw(number_id)
            self.n_withdrawn_in_call += 1

    def withdraw(self, number_id: int) -> None:
        """The person withdraws consent: no lawful call may follow."""
        self.withdrawn[number_id] = True

    def renew(self, number_id: int, t_s: float, *, accepted: bool) -> None:
        """Record a renewal answer as evidence; a yes is a fresh opt-in by phone, a no withdraws consent."""
        self.evidence.append((int(number_id), float(t_s), "renewed" if accepted else "declined"))
        if accepted:
            self.status[number_id] = OPT_IN
            self.channel[number_id] = len(self.cfg.channels) - 1
            self.consent_day[number_id] = t_s / SECONDS_PER_DAY
        else:
            self.withdraw(number_id)

    # -- results ----------------------------------------------------------------------------------
    @property
    def n_complaints(self) -> int:
        return self.n_complaints_non_consented + self.n_complaints_withheld

    def summary(self, listed: np.ndarray, end_s: float) -> dict:
        """Campaign totals; ``listed`` masks the numbers the campaign was given, ``end_s`` is when it ended."""
        c = self.cfg
        p = p_fined(self.n_complaints, c.p_enforcement_per_complaint)
        lawful_now = self.valid_mask(end_s) & ~self.on_register
        answers = [e[2] for e in self.evidence]
        return {
            "consent_mode": c.mode,
            "consent_purpose": c.purpose,
            "n_listed": int(listed.sum()),
            "n_lawful_at_start": int((self.lawful_at_start & listed).sum()),
            "n_lawful_at_end": int((lawful_now & listed).sum()),
            "n_lawful_1y_after_end": int((self.valid_mask(end_s + 365 * SECONDS_PER_DAY) & ~self.on_register
                                          & listed).sum()),
            "n_on_register": int((self.on_register & listed).sum()),
            "dials_to_non_consented": self.n_dials_non_consented,
            "dials_to_registered": self.n_dials_registered,
            "complaints_non_consented": self.n_complaints_non_consented,
            "complaints_withheld": self.n_complaints_withheld,
            "complaints": self.n_complaints,
            "p_fined": p,
            "expected_fine_eur": p * c.fine_per_proceeding_eur,
            "fined": bool(self._u_fine < p),
            "n_withdrawn_in_call": self.n_withdrawn_in_call,
            "n_renewed": answers.count("renewed"),
            "n_declined": answers.count("declined"),
        }

    def frame(self) -> pd.DataFrame:
        """One row per number: consent status, channel, day given, register, contacts, withdrawal."""
        channels = pd.Categorical.from_codes(np.where(self.channel < 0, -1, self.channel),
                                             categories=list(self.cfg.channels))
        return pd.DataFrame({
            "consent": pd.Categorical.from_codes(self.status, categories=list(STATUS_NAMES)),
            "consent_channel": channels,
            "consent_day": self.consent_day,
            "on_register": self.on_register,
            "company_in_contacts": self.in_contacts,
            "consent_withdrawn": self.withdrawn,
        })

    def evidence_frame(self) -> pd.DataFrame:
        """The recorded renewal answers: number, time and answer."""
        return pd.DataFrame(self.evidence, columns=["number_id", "at_s", "answer"])
