"""The multi-day list campaign: the :class:`~dialer_sim.model.NumberSource` of list mode.

When the configuration has a ``[population]`` section the model takes its
numbers from one :class:`ListCampaign`: who is behind each number (:mod:`.population`), which
caller ID each attempt presents and whether it is flagged (:mod:`.caller_id`),
when a number may be dialled again and when it leaves the list
(:mod:`.calling_list`), and the daily snapshots of the list.

Conventions
-----------
- Snapshots are taken at each midnight, after the day's calls have ended
  (calling windows end before midnight). Counts in the snapshot are cumulative
  since the start of the campaign; the ``*_day`` columns cover that day only.
- Network busy and failure draws come first, from the model's ``network``
  stream (``model.network_fails``), exactly as outside list mode; the
  population's behaviour comes after.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._time import SECONDS_PER_DAY
from ..config._list_campaign import STRATEGIES
from ..pacing._base import PacingPolicy
from ..records._cdr import HUMAN_KINDS
from ._call import Call
from ._caller_id import WITHHELD, CallerIdPool, CommunityBlocklist
from ._calling_list import ACTIVE, DROPPED, SILENT, SUCCESSFUL, CallingList
from ._consent import ConsentLedger
from ._draws import Block
from ._number_sources import QueuedNumbers
from ._population import Population

__all__ = ["ListCampaign"]

_STATUS = {ACTIVE: "active", SUCCESSFUL: "successful", DROPPED: "dropped"}
_NOT_RUNG = frozenset({"busy", "unobtainable", "rejected"})  # the phone never rang
_SILENT_OR_FP = SILENT | {"amd_false_positive"}  # what a live person may complain about as a silent call


class _FixedLines(PacingPolicy):
    """A probing robot keeps ``n_lines`` lines busy, whatever its agents do."""

    name = "fixed_lines"

    def __init__(self, n_lines: int):
        self.n_lines = n_lines

    def lines_to_launch(self, state) -> int:
        return max(0, self.n_lines - state.n_lines_up)


class ListCampaign(QueuedNumbers):
    """Population, caller IDs, blocklist and calling list of one replication."""

    def __init__(self, model, streams, dial_list: list[int]):
        super().__init__(dial_list)
        cfg = model.cfg
        self.model = model
        self.cfg = cfg
        n = cfg.campaign.n_numbers
        self.population = Population(cfg, n, rng=streams["population"], rng_attempts=streams["screening"])
        self.blocklist = CommunityBlocklist(cfg.blocklist)
        self.pool = CallerIdPool(cfg.caller_id, self.blocklist)
        self.calling_list = CallingList(cfg, n)
        self.listed = np.zeros(n, dtype=bool)  # the numbers the campaign was given
        self.listed[np.asarray(dial_list, dtype=np.int64)] = True
        self.consent = ConsentLedger(cfg.consent, n, rng=streams["consent"]) if cfg.consent is not None else None
        if self.consent is not None:
            self.population.in_contacts = self.consent.in_contacts
            # The lawful filter on this number source: a lawful campaign's list holds only what it may dial.
            self.dial_list = self.consent.dialable(self.dial_list)
        self._groups: tuple[np.ndarray, list[str]] | None = None
        self.on_list = np.zeros(n, dtype=bool)  # the numbers this campaign dials (all, or a harvested subset)
        self.on_list[np.asarray(self.dial_list, dtype=np.int64)] = True
        self.harvest_live = np.zeros(n, dtype=bool)  # the call that put the number on the list had a person
        self._u = Block.uniform(streams["complaints"])
        self._daily: list[dict] = []
        self._last = dict.fromkeys(("dials", "contacts", "busy_s", "logged_in_s", "live", "amd_fp"), 0.0)
        bl = cfg.blocklist
        self._label_shown = bl.label_shown_to_all
        self._p_silent, self._p_contact = bl.p_complaint_silent, bl.p_complaint_contact
        self._short_call_s, self._short_call_weight = bl.short_call_s, bl.short_call_weight
        self._leaves_message = cfg.amd.machine_action == "leave_message"

    def start(self) -> None:
        self.model.env.process(self._days())

    def probe_policy(self) -> PacingPolicy:
        return _FixedLines(self.cfg.probe.n_lines)

    def clip_to_window(self, day: int, start_s: float, end_s: float) -> tuple[float, float] | None:
        """The part of ``[start_s, end_s)`` inside day ``day``'s calling window, or None."""
        win = self.cfg.rules.window_s(self.calling_list.weekday(day))
        if win is None:
            return None
        s, e = max(start_s, day * SECONDS_PER_DAY + win[0]), min(end_s, day * SECONDS_PER_DAY + win[1])
        return (s, e) if s < e else None

    # -- one attempt ------------------------------------------------------------------------------
    def dial(self, number_id: int, attempt: int) -> None:
        """Place an attempt on ``number_id`` now (the calling list counts its attempt number)."""
        m = self.model
        now = m.env._now
        if self.consent is not None and not self.consent.on_dial(number_id, now):
            self.calling_list.drop(number_id, int(now // SECONDS_PER_DAY))  # consent expired or withdrawn
            return
        attempt = self.calling_list.on_dial(number_id, now)
        caller = self.pool.next_caller(now)
        call = m.new_call(number_id, attempt, caller.caller_id)
        if m.network_fails(call, rejected=False):
            return
        outcome, kind = self.population.respond(number_id, now, caller, label_shown=self._label_shown)
        if outcome == "answered":
            m.answer(call, kind)
        else:
            m.end_unanswered(call, outcome if outcome in ("no_answer", "rejected") else "unobtainable")

    def screened_person_accepts(self) -> bool:
        return self.population.accepts_after_screening()

    def after_attempt(self, call: Call, disposition: str, seen_as: str, end_s: float) -> None:
        """Feed an ended attempt to the population, blocklist, pool and list; queue its retry if any.

        ``disposition`` is the truth (what the person experienced); ``seen_as`` what the dialer observed, which
        drives its retry rules and hygiene (a machine dropped for want of an agent is a drop to the dialer).
        """
        number_id, caller_id, kind, disp = call.number_id, call.caller_id, call.kind, disposition
        contact = disp == "human_to_agent"
        live = kind in HUMAN_KINDS or (contact and kind == "screening_assistant")
        pop = self.population
        if disp not in _NOT_RUNG:
            pop.unwanted_call(number_id)  # it rang (or went to voicemail): the owner sees the missed call
        self.pool.on_result(caller_id, kind != "", end_s)
        p = self._p_silent if (live and disp in _SILENT_OR_FP) else (self._p_contact if contact else 0.0)
        if p > 0 and self._u() < p:
            self.blocklist.complain(caller_id, end_s)
        if kind and end_s - (call.dial_at_s + call.ring_s) < self._short_call_s:
            self.blocklist.complain(caller_id, end_s, self._short_call_weight)
        if self.consent is not None:
            self.consent.after_call(number_id, end_s, live=live, contact=contact,
                                    withheld=caller_id == WITHHELD)
        if (disp == "machine_hangup" and self._leaves_message
                and STRATEGIES[pop.strategy[number_id]] == "screen_unknown" and pop.calls_back()):
            self.calling_list.mark_callback(number_id)
        due = self.calling_list.after_attempt(number_id, seen_as, call.amd_label, end_s, live=live, received=disp)
        if due is not None and self.consent is not None and not self.consent.may_dial(number_id, due):
            due = self.calling_list.drop(number_id, int(end_s // SECONDS_PER_DAY))  # no lawful retry
        if due is not None:  # the number stays active: only a number without a retry can have succeeded
            self.retry_at(due, number_id, call.attempt + 1)
        elif self.calling_list.status_of(number_id) == SUCCESSFUL:
            self.harvest_live[number_id] = live

    # -- daily snapshots --------------------------------------------------------------------------
    def _days(self):
        env = self.model.env
        for day in range(self.cfg.campaign.n_shifts):
            yield env.timeout((day + 1) * SECONDS_PER_DAY - env._now)
            self._snapshot(day)

    def _day_totals(self) -> dict[str, float]:
        st = self.model.stats
        now = {
            "dials": st.n_dials, "contacts": st.by_disposition.get("human_to_agent", 0),
            "busy_s": st.agent_busy_s, "logged_in_s": st.agent_logged_in_s, "live": st.n_live,
            "amd_fp": st.by_disposition.get("amd_false_positive", 0),
        }
        day = {k: now[k] - self._last[k] for k in now}
        self._last = now
        return day

    def _snapshot(self, day: int) -> None:
        d = self._day_totals()
        hours = d["logged_in_s"] / 3600.0
        common = {
            "day": day,
            "weekday": self.calling_list.weekday(day),
            "dials_day": int(d["dials"]),
            "contacts_day": int(d["contacts"]),
            "live_answers_day": int(d["live"]),
            "agent_hours_day": hours,
            "contacts_per_agent_hour": d["contacts"] / hours if hours > 0 else np.nan,
            "agent_idle_share": 1.0 - d["busy_s"] / d["logged_in_s"] if hours > 0 else np.nan,
            "n_caller_ids_used": self.pool.n_used,
            "n_caller_ids_flagged": len(self.blocklist.first_flagged_at_s),
        }
        lst = self.calling_list
        group, names = self._snapshot_groups()
        n = len(names)  # groups 0..n-1; code n is "not on the list"
        by_status = np.bincount(group * 3 + lst.status, minlength=3 * (n + 1)).reshape(n + 1, 3)[:n]
        # Integer counts summed in float64: exact below 2**53. Each read of a list column builds an array.
        sums = np.array([np.bincount(group, weights=column, minlength=n + 1)[:n]
                         for column in (lst.calls, lst.silent, lst.amd_hangups, lst.contacts, lst.callbacks)])
        statuses = np.vstack([by_status.sum(axis=0), by_status]).tolist()  # "all" first
        sums = np.hstack([sums.sum(axis=1, keepdims=True), sums]).astype(np.int64).T.tolist()
        for name, (active, successful, dropped), (calls, silent, amd_hangups, contacts, callbacks) in zip(
                ["all", *names], statuses, sums, strict=True):
            self._daily.append({
                **common,
                "strategy": name,
                "n_numbers": active + successful + dropped,
                "n_on_list": active,
                "n_successful": successful,
                "n_dropped": dropped,
                "calls": calls,
                "silent_calls": silent,
                "amd_hangups": amd_hangups,
                "contacts": contacts,
                "callbacks": callbacks,
            })

    def _snapshot_groups(self) -> tuple[np.ndarray, list[str]]:
        """Each number's snapshot group (fixed for a run): the strategies present, in order, then "off the list".

        Returns the group codes (int64, one per number) and the present strategies' names.
        """
        if self._groups is None:
            on, strat = self.on_list, self.population.strategy
            present = [i for i in range(len(STRATEGIES)) if (on & (strat == i)).any()]
            code = np.full(len(STRATEGIES), len(present), dtype=np.int64)
            code[present] = np.arange(len(present))
            group = np.where(on, code[strat], len(present)).astype(np.int64)
            self._groups = (group, [STRATEGIES[i] for i in present])
        return self._groups

    def daily_frame(self) -> pd.DataFrame:
        """One row per (day, strategy), plus ``strategy == "all"``; see the module conventions."""
        return pd.DataFrame(self._daily)

    def numbers_frame(self) -> pd.DataFrame:
        """One row per number on the list: its traits, final status and what it received."""
        lst, pop = self.calling_list, self.population
        frame = pd.DataFrame({
            "number_id": np.arange(pop.n_numbers),
            "strategy": pd.Categorical.from_codes(pop.strategy, categories=list(STRATEGIES)),
            "assigned": pop.assigned,
            "status": pd.Categorical.from_codes(lst.status, categories=[_STATUS[i] for i in range(3)]),
            "first_day": lst.first_day,
            "status_day": lst.status_day,
            "attempts": lst.attempts,
            "calls": lst.calls,
            "silent_calls": lst.silent,
            "amd_hangups": lst.amd_hangups,
            "contacts": lst.contacts,
            "callbacks": lst.callbacks,
            "number_changed": pop.changed,
            "harvested_live": self.harvest_live,
        })
        if self.consent is not None:
            frame = pd.concat([frame, self.consent.frame()], axis=1)
        return frame[self.on_list].reset_index(drop=True)

    def consent_summary(self) -> dict:
        """The consent ledger's totals over the numbers the campaign was given (empty without [consent])."""
        if self.consent is None:
            return {}
        return self.consent.summary(self.listed, self.cfg.campaign.n_shifts * SECONDS_PER_DAY)
