"""Configuration of list campaigns: the called population, caller IDs, calling rules and list hygiene.

A campaign runs in *list mode* when its configuration has a ``[population]``
section. Then every number has a person (or device) behind it with one
screening strategy (docs/screening.md), the dialer presents caller IDs from
``[caller_id]``, a community blocklist (``[blocklist]``) flags them after
complaints, retries follow the calling rules (``[rules]``: windows, attempt
caps, gaps, the Ofcom redial rules) and list hygiene (``[hygiene]``) drops
numbers or marks them successful. ``[probe]`` turns the campaign into a probing
robot that dials a number range on a fixed number of lines.

Conventions
-----------
- Probabilities are ``p_*``; times ``*_s`` or ``*_h`` (hours of the day);
  counts ``n_*`` / ``max_*``.
- Weekdays are 0 = Monday ... 6 = Sunday; ``rules.start_weekday`` is the weekday
  of the campaign's first day (day 0).
- Every default cites docs/sources.md (§4 campaign practice and screening, §3
  regulation) or is marked as our assumption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .._limits import shown
from ..errors import ConfigError

__all__ = [
    "CALLER_TYPES",
    "MIXED_STRATEGY_MIX",
    "STRATEGIES",
    "WEEKDAYS",
    "BlocklistConfig",
    "CallerIdConfig",
    "HygieneConfig",
    "PopulationConfig",
    "ProbeConfig",
    "RulesConfig",
]

#: Screening strategies of the called population (docs/screening.md), in a fixed order (array codes).
STRATEGIES = (
    "answer_all",
    "screen_unknown",
    "block_withheld",
    "blocklist",
    "silent_answer",
    "screening_assistant",
    "never_answer",
    "change_number",
)
#: A population in which every screening strategy is present (the benchmark's list campaign and the
#: mixed population of experiments/screening_starvation.py; an illustration, not a measured mix).
MIXED_STRATEGY_MIX = {"answer_all": 0.45, "screen_unknown": 0.15, "block_withheld": 0.05, "blocklist": 0.10,
                      "silent_answer": 0.05, "screening_assistant": 0.05, "never_answer": 0.10, "change_number": 0.05}
#: How a phone shows an incoming call; the pick-up rates of docs/sources.md §4.6 (Hiya 2018) are keyed by these.
CALLER_TYPES = ("contact", "identified_business", "not_in_contacts", "unidentified", "flagged_spam")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _fail(name: str, rule: str, value: Any) -> None:
    raise ConfigError(f"{name} must be {rule}; got {shown(value)}.")


def _num(name: str, v: Any, lo: float, hi: float = float("inf"), *, integer: bool = False) -> None:
    ok = isinstance(v, int) if integer else isinstance(v, (int, float))
    ok = ok and not isinstance(v, bool) and math.isfinite(v) and lo <= v <= hi
    if not ok:
        kind = "an integer" if integer else "a number"
        _fail(name, f"{kind} in [{lo:g}, {hi:g}]", v)


def _shares(name: str, table: Any, keys: tuple[str, ...]) -> None:
    if not isinstance(table, dict):
        _fail(name, "a table of name = share", table)
    unknown = sorted(set(table) - set(keys))
    if unknown:
        _fail(f"{name} keys", f"among {list(keys)}", unknown)
    for k, v in table.items():
        _num(f"{name}.{k}", v, 0.0, 1.0)
    total = sum(table.values())
    if abs(total - 1.0) > 1e-6:
        _fail(name, "shares that sum to 1", round(total, 9))


def _profile(name: str, v: Any) -> None:
    if not isinstance(v, (list, tuple)) or len(v) != 24:
        _fail(name, "a list of 24 hourly values", v)
    for h, p in enumerate(v):
        _num(f"{name}[{h}]", p, 0.0, 1.0)


# Availability: the share of calls at that hour that find the person free to answer. No measured
# profile exists (docs/sources.md §4.3); ours (working hours lower, evenings and Saturdays higher) is an
# assumption, scaled so that first-attempt live contact on a mixed list is about 1 in 4 (docs/sources.md §4.3).
_WEEKDAY_AVAILABILITY = [0.3] * 8 + [0.6] * 9 + [0.85] * 4 + [0.5] * 3
_WEEKEND_AVAILABILITY = [0.3] * 9 + [0.8] * 12 + [0.5] * 3


@dataclass(frozen=True)
class PopulationConfig:
    """Who is behind the numbers, and how each screening strategy meets the dialer.

    ``strategy_mix``: share of numbers per strategy (sums to 1). A person answers a
    call with probability ``p_pickup_by_caller[type] x availability(hour)``, where
    ``type`` is how their phone shows the dialer's caller ID: Hiya 2018 pick-up
    rates 70 % contacts, 53 % identified business, 38 % not in contacts, 24 %
    unidentified, 9 % flagged spam (docs/sources.md §4.6). A fixed or rotating caller ID is
    ``known_caller_type`` (not in contacts); a withheld one is ``unidentified``.
    Unanswered calls go to voicemail when the number has one (``p_voicemail``; the
    voicemail share of connected calls is 40-70 %, docs/sources.md §4.3) after the
    machine answer delay of ``[answer]``; the voicemail kind and the person's way
    of answering are fixed per number, drawn from ``[answer].kind_weights``.

    Strategy parameters: ``screen_unknown`` and ``never_answer`` send every call
    to voicemail (Pew: 80 % do not answer unknown numbers; iOS "Silence Unknown
    Callers", docs/sources.md §4.7), and ``p_callback_after_message`` of screeners call
    back when the dialer leaves a message; ``silent_answer`` answers as
    ``human_silent``; ``screening_assistant`` is answered at once by the
    assistant, and when an agent speaks the person is rung and takes the call with
    ``p_accept_after_screening`` (the identified-business rate, 53 %: the assistant
    names the caller); ``change_number`` makes the number unobtainable once
    ``change_after_n_unwanted`` of the campaign's calls have reached the phone,
    answered or missed (assumption; no data). ``p_unassigned``: share of the numbers that are not in service
    (about 10 % of random-digit samples, docs/sources.md §4.1; a probing robot's range has
    more). ``p_fax_line``: fax/modem lines (<= 3 % of dials, docs/sources.md §4.1).
    """

    strategy_mix: dict[str, float] = field(default_factory=lambda: {"answer_all": 1.0})
    p_pickup_by_caller: dict[str, float] = field(default_factory=lambda: {
        "contact": 0.70, "identified_business": 0.53, "not_in_contacts": 0.38, "unidentified": 0.24,
        "flagged_spam": 0.09,
    })
    known_caller_type: str = "not_in_contacts"
    availability_weekday: list[float] = field(default_factory=lambda: list(_WEEKDAY_AVAILABILITY))
    availability_saturday: list[float] = field(default_factory=lambda: list(_WEEKEND_AVAILABILITY))
    availability_sunday: list[float] = field(default_factory=lambda: list(_WEEKEND_AVAILABILITY))
    p_voicemail: float = 0.55
    p_unassigned: float = 0.0
    p_fax_line: float = 0.01
    p_callback_after_message: float = 0.05
    p_accept_after_screening: float = 0.53
    change_after_n_unwanted: int = 5

    def __post_init__(self) -> None:
        _shares("population.strategy_mix", self.strategy_mix, STRATEGIES)
        if not isinstance(self.p_pickup_by_caller, dict) or set(self.p_pickup_by_caller) != set(CALLER_TYPES):
            _fail("population.p_pickup_by_caller", f"a table with exactly the keys {list(CALLER_TYPES)}",
                  self.p_pickup_by_caller)
        for k, v in self.p_pickup_by_caller.items():
            _num(f"population.p_pickup_by_caller.{k}", v, 0.0, 1.0)
        if self.known_caller_type not in CALLER_TYPES:
            _fail("population.known_caller_type", f"one of {list(CALLER_TYPES)}", self.known_caller_type)
        for name in ("availability_weekday", "availability_saturday", "availability_sunday"):
            _profile(f"population.{name}", getattr(self, name))
        for name in ("p_voicemail", "p_unassigned", "p_fax_line", "p_callback_after_message",
                     "p_accept_after_screening"):
            _num(f"population.{name}", getattr(self, name), 0.0, 1.0)
        _num("population.change_after_n_unwanted", self.change_after_n_unwanted, 1, 10**6, integer=True)


@dataclass(frozen=True)
class CallerIdConfig:
    """The caller IDs the dialer presents (the caller-ID policies of docs/screening.md).

    ``withheld`` shows no number (an offence for advertising calls in Germany
    since 2009, docs/sources.md §3, and rejected by ``block_withheld``); ``fixed``
    presents ``number``; ``rotating`` presents a pool of ``pool_size`` numbers in
    turn and retires one once it is flagged on the community blocklist or its
    answer rate over its last ``answer_rate_window_calls`` calls falls below
    ``retire_answer_ratio`` x the rate of its first window (a spam label halves
    the answer rate, 22 % -> 11 %, docs/sources.md §4.8), replacing it with one of
    ``n_spare_numbers`` fresh ("rested") numbers while any remain.
    """

    policy: str = "fixed"
    number: str = "+4930000000"
    pool_size: int = 10
    n_spare_numbers: int = 100
    retire_when_flagged: bool = True
    retire_answer_ratio: float = 0.5
    answer_rate_window_calls: int = 200

    def __post_init__(self) -> None:
        if self.policy not in ("withheld", "fixed", "rotating"):
            _fail("caller_id.policy", "one of withheld, fixed, rotating", self.policy)
        if not isinstance(self.number, str) or not self.number:
            _fail("caller_id.number", "a non-empty string", self.number)
        _num("caller_id.pool_size", self.pool_size, 1, 10**6, integer=True)
        _num("caller_id.n_spare_numbers", self.n_spare_numbers, 0, 10**7, integer=True)
        if not isinstance(self.retire_when_flagged, bool):
            _fail("caller_id.retire_when_flagged", "true or false", self.retire_when_flagged)
        _num("caller_id.retire_answer_ratio", self.retire_answer_ratio, 0.0, 1.0)
        _num("caller_id.answer_rate_window_calls", self.answer_rate_window_calls, 10, 10**7, integer=True)


@dataclass(frozen=True)
class BlocklistConfig:
    """A community blocklist in the style of Tellows (docs/sources.md §4.8).

    Tellows scores numbers 1-9 from user ratings and lists those scoring 7 or more
    that were active in recent weeks. Its formula is not public, so ours is
    stated here: a caller ID's score is ``1 + 8 C / (C + half_score_weight)``,
    where ``C`` is the weight of complaints about it in the last ``window_days``.
    A person who gets a silent call (dropped, AMD hang-up or dead air) complains
    with ``p_complaint_silent``, one an agent sold to with
    ``p_complaint_contact`` (both assumptions: Tellows gets > 20,000 ratings a
    month from > 9 m users); every answered call shorter than ``short_call_s``
    adds ``short_call_weight`` (network analytics flag short-call patterns; calls
    of 50 s or more look less like robocalls, docs/sources.md §4.8). Flagged IDs are
    rejected by ``blocklist`` users (the people who installed such an app). With
    ``label_shown_to_all`` (off by default: German carriers show no spam labels;
    turn it on for US-style network labels such as "Spam Likely") everyone else
    sees "spam" too and picks up at the flagged-spam rate.
    """

    flag_score: float = 7.0
    half_score_weight: float = 10.0
    window_days: float = 28.0
    p_complaint_silent: float = 0.10
    p_complaint_contact: float = 0.02
    short_call_s: float = 50.0
    short_call_weight: float = 0.005
    label_shown_to_all: bool = False

    def __post_init__(self) -> None:
        _num("blocklist.flag_score", self.flag_score, 1.0, 9.0)
        _num("blocklist.half_score_weight", self.half_score_weight, 1e-9, 1e9)
        _num("blocklist.window_days", self.window_days, 1e-9, 3660.0)
        _num("blocklist.p_complaint_silent", self.p_complaint_silent, 0.0, 1.0)
        _num("blocklist.p_complaint_contact", self.p_complaint_contact, 0.0, 1.0)
        _num("blocklist.short_call_s", self.short_call_s, 0.0, 3600.0)
        _num("blocklist.short_call_weight", self.short_call_weight, 0.0, 1e6)
        if not isinstance(self.label_shown_to_all, bool):
            _fail("blocklist.label_shown_to_all", "true or false", self.label_shown_to_all)


@dataclass(frozen=True)
class RulesConfig:
    """Calling windows, attempt caps, gaps and redial rules.

    Defaults follow the German industry code (CCV/DDV Branchenkodex 2015,
    docs/sources.md §4.9): calls Mon-Fri 8-20 h and Sat 9-18 h, at most 3 attempts a
    day, 15 a week (calendar week, Monday first) and 30 per campaign.
    ``windows`` maps weekday names to ``[start_h, end_h]``; a missing day has no
    calls. ``min_gap_s``: least time between the end of one attempt and the
    next on the same number (assumption: 2 h). The Ofcom 2010 rules (docs/sources.md
    §3) are options: ``ofcom_no_same_day_after_machine`` (no redial the same
    day after AMD decided machine, false positives included, since the dialer
    cannot guarantee an agent) and ``ofcom_abandoned_gap_s`` (no redial for 72 h
    after an abandoned call; 0 turns it off).
    """

    start_weekday: int = 0
    windows: dict[str, list[float]] = field(default_factory=lambda: {
        "mon": [8.0, 20.0], "tue": [8.0, 20.0], "wed": [8.0, 20.0], "thu": [8.0, 20.0], "fri": [8.0, 20.0],
        "sat": [9.0, 18.0],
    })
    max_attempts_per_day: int = 3
    max_attempts_per_week: int = 15
    max_attempts_per_campaign: int = 30
    min_gap_s: float = 7200.0
    ofcom_no_same_day_after_machine: bool = False
    ofcom_abandoned_gap_s: float = 0.0

    def __post_init__(self) -> None:
        _num("rules.start_weekday", self.start_weekday, 0, 6, integer=True)
        if not isinstance(self.windows, dict):
            _fail("rules.windows", "a table of weekday = [start_h, end_h]", self.windows)
        for day, win in self.windows.items():
            if day not in WEEKDAYS:
                _fail("rules.windows keys", f"weekday names {list(WEEKDAYS)}", day)
            if not isinstance(win, (list, tuple)) or len(win) != 2:
                _fail(f"rules.windows.{day}", "[start_h, end_h]", win)
            _num(f"rules.windows.{day}[0]", win[0], 0.0, 24.0)
            _num(f"rules.windows.{day}[1]", win[1], 0.0, 24.0)
            if not win[0] < win[1]:
                _fail(f"rules.windows.{day}", "[start_h, end_h] with start_h < end_h", win)
        _num("rules.max_attempts_per_day", self.max_attempts_per_day, 1, 10**6, integer=True)
        _num("rules.max_attempts_per_week", self.max_attempts_per_week, 1, 10**6, integer=True)
        _num("rules.max_attempts_per_campaign", self.max_attempts_per_campaign, 1, 10**6, integer=True)
        _num("rules.min_gap_s", self.min_gap_s, 0.0, 86_400.0 * 366)
        if not isinstance(self.ofcom_no_same_day_after_machine, bool):
            _fail("rules.ofcom_no_same_day_after_machine", "true or false", self.ofcom_no_same_day_after_machine)
        _num("rules.ofcom_abandoned_gap_s", self.ofcom_abandoned_gap_s, 0.0, 86_400.0 * 366)

    def window_s(self, weekday: int) -> tuple[float, float] | None:
        """The calling window of ``weekday`` as seconds of the day, or None."""
        win = self.windows.get(WEEKDAYS[weekday])
        return None if win is None else (float(win[0]) * 3600.0, float(win[1]) * 3600.0)


@dataclass(frozen=True)
class HygieneConfig:
    """List hygiene: when a number leaves the list (the mechanism of "unsuccessful" numbers).

    A number is dropped once it has had ``max_no_answer`` attempts that rang out or
    were busy, ``max_machine`` that the dialer saw as a machine (AMD machine,
    false positives included, or a machine that reached an agent),
    ``max_rejected`` rejected ones, ``max_unobtainable`` unobtainable ones, or
    ``max_fax`` fax answers, or once it reaches the campaign's attempt cap. A
    number where a live person reached an agent is marked successful and leaves
    the list ("passed on"). The counts are our assumptions, in the range dialers
    use (Cisco retries at most 3 times, docs/sources.md §1.2; the German code allows 30
    attempts, §4.9).
    """

    max_no_answer: int = 8
    max_machine: int = 4
    max_rejected: int = 3
    max_unobtainable: int = 1
    max_fax: int = 1

    def __post_init__(self) -> None:
        for name in ("max_no_answer", "max_machine", "max_rejected", "max_unobtainable", "max_fax"):
            _num(f"hygiene.{name}", getattr(self, name), 1, 10**6, integer=True)


@dataclass(frozen=True)
class ProbeConfig:
    """A probing robot: dials a number range on ``n_lines`` lines, agents optional.

    The range includes unassigned numbers (``population.p_unassigned``). A call
    the AMD labels ``human`` (the only sign of a live person a robot has) puts
    the number on the harvested "successful" list, and the number is not dialled
    again; with no agent free the person hears silence and the call counts as
    abandoned. The "robots try whole number ranges" of the project's question.
    """

    n_lines: int = 30

    def __post_init__(self) -> None:
        _num("probe.n_lines", self.n_lines, 1, 10**6, integer=True)
