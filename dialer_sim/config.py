"""Configuration of one simulated campaign: frozen, validated dataclasses.

Every field carries its unit in its name; validation runs in ``__post_init__``
so ``dataclasses.replace`` re-validates. Load from TOML with
:func:`dialer_sim.load_config`; see ``experiments/configs/`` for examples.

Conventions
-----------
- Times are seconds. ``*_at_s`` fields of the call record count from midnight of
  the campaign's first day; ``shift_start_s`` is a time of day.
- Probabilities are ``p_*`` in [0, 1]; counts are ``n_*``.
- Every default cites its source in docs/sources.md (by section).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from . import _limits as lim
from ._limits import shown
from .config_list import (
    BlocklistConfig,
    CallerIdConfig,
    HygieneConfig,
    PopulationConfig,
    ProbeConfig,
    RulesConfig,
)
from .consent_config import ConsentConfig, EconomicsConfig
from .distributions import Dist
from .errors import ConfigError
from .records import ANSWER_KINDS

__all__ = [
    "AbandonConfig",
    "AgentsConfig",
    "AmdConfig",
    "AnswerConfig",
    "CampaignConfig",
    "DialerConfig",
    "NetworkConfig",
    "OpenLoopConfig",
    "PacingConfig",
]


def _is_iso_date(text: Any) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return isinstance(text, str) and len(text) == 10


def _check(cond: bool, field_name: str, rule: str, value: Any) -> None:
    if not cond:
        raise ConfigError(f"{field_name} must be {rule}; got {shown(value)}.")


def _prob(name: str, v: Any) -> None:
    _check(isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 <= v <= 1.0, name, "in [0, 1]", v)


def _pos(name: str, v: Any, *, allow_zero: bool = False, maximum: float = lim.MAX_DURATION_S) -> None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    _check(ok and (v >= 0 if allow_zero else v > 0), name, "a finite number >= 0" if allow_zero else
           "a finite number > 0", v)
    _check(v <= maximum, name, f"a finite number <= {maximum:g} (the documented bound)", v)


def _count(name: str, v: Any, minimum: int = 1, maximum: int = lim.MAX_NUMBERS) -> None:
    _check(isinstance(v, int) and not isinstance(v, bool) and v >= minimum, name, f"an integer >= {minimum}", v)
    _check(v <= maximum, name, f"an integer <= {maximum} (the documented bound)", v)


def _d(kind: str, name: str, **kw: Any) -> Any:
    return field(default_factory=lambda: Dist(kind, name=name, **kw))


@dataclass(frozen=True)
class CampaignConfig:
    """The calling list and the shifts.

    ``n_numbers`` fresh numbers are dialled in order; a number whose attempt ended
    without a live contact is retried after ``retry_gap_s`` up to
    ``max_attempts`` attempts (default 3: Cisco ``maxDialAttempts`` and the German
    code's 3 a day, docs/sources.md §1.2, §4.9).

    In a list campaign (a ``[population]`` section, docs/screening.md) ``n_shifts``
    counts calendar days, each day's shift is clipped to its calling window, and
    ``[rules]`` and ``[hygiene]`` replace ``max_attempts`` and ``retry_gap_s``.

    ``start_date`` (ISO ``YYYY-MM-DD``) is the calendar date of day 0, written
    into the records file's metadata (``campaign_start_date``) so calendar-month
    windows (CRTC) need no ``--start-date``. The default, Monday 5 January 2026,
    is a fixed date so results do not depend on the day a run is made.
    """

    campaign_id: str = "campaign-1"
    caller_id: str = "+4930000000"
    n_numbers: int = 20_000
    n_shifts: int = 1
    shift_start_s: float = 9 * 3600.0
    shift_length_s: float = 8 * 3600.0
    max_attempts: int = 3
    retry_gap_s: float = 2 * 3600.0
    start_date: str = "2026-01-05"

    def __post_init__(self) -> None:
        _check(isinstance(self.campaign_id, str) and self.campaign_id != "", "campaign.campaign_id",
               "a non-empty string", self.campaign_id)
        _check(isinstance(self.caller_id, str), "campaign.caller_id", "a string", self.caller_id)
        _check(_is_iso_date(self.start_date), "campaign.start_date", "a date YYYY-MM-DD", self.start_date)
        _count("campaign.n_numbers", self.n_numbers)
        _count("campaign.n_shifts", self.n_shifts, maximum=lim.MAX_DAYS)
        _pos("campaign.shift_start_s", self.shift_start_s, allow_zero=True)
        _pos("campaign.shift_length_s", self.shift_length_s)
        _check(self.shift_start_s + self.shift_length_s <= 86_400, "campaign.shift_start_s + shift_length_s",
               "<= 86400 (a shift ends the same day; did you pass milliseconds?)",
               self.shift_start_s + self.shift_length_s)
        _count("campaign.max_attempts", self.max_attempts, maximum=lim.MAX_ATTEMPTS)
        _pos("campaign.retry_gap_s", self.retry_gap_s, allow_zero=True)


@dataclass(frozen=True)
class NetworkConfig:
    """Network outcome of a dial attempt (docs/sources.md §4.1).

    Busy 4.5 % (3–6 % of dials), unobtainable 2 % (< 1 % failures on known
    numbers, ≈ 10 % with random-digit samples), rejected 0 (a screening feature,
    see the screening strategies). A reachable number is answered after a
    kind-dependent delay (:class:`AnswerConfig`) unless the ring timeout comes
    first: ``ring_timeout_s`` 20 s (UK/US minimum 15 s, Sytel caps at 22 s).
    ``busy_s``/``unobtainable_s``/``rejected_s`` are the times until the tone is
    recognised.
    """

    p_busy: float = 0.045
    p_unobtainable: float = 0.02
    p_rejected: float = 0.0
    ring_timeout_s: float = 20.0
    busy_s: Dist = _d("uniform", "network.busy_s", low=1.0, high=4.0)
    unobtainable_s: Dist = _d("uniform", "network.unobtainable_s", low=1.0, high=3.0)
    rejected_s: Dist = _d("uniform", "network.rejected_s", low=0.5, high=2.0)

    def __post_init__(self) -> None:
        for name in ("p_busy", "p_unobtainable", "p_rejected"):
            _prob(f"network.{name}", getattr(self, name))
        total = self.p_busy + self.p_unobtainable + self.p_rejected
        _check(total <= 1.0 + 1e-12, "network.p_busy + p_unobtainable + p_rejected", "<= 1", total)
        _pos("network.ring_timeout_s", self.ring_timeout_s, maximum=lim.MAX_STEP_S)
        if self.ring_timeout_s < 15.0:
            warnings.warn(
                f"network.ring_timeout_s = {self.ring_timeout_s} is below the 15 s minimum of the UK and US rules "
                "(docs/sources.md §3).", stacklevel=3,
            )


# Kind mix among answered calls. Voicemail share of connected calls 40–70 %
# (docs/sources.md §4.3 [V]); we take ≈ 50 % machines. The split inside each
# truth class is our assumption, documented in docs/model.md.
_DEFAULT_KIND_WEIGHTS = {
    "human": 0.36, "human_hello_hello": 0.04, "human_long_greeting": 0.04, "human_silent": 0.01,
    "machine_beep": 0.30, "machine_nobeep": 0.08, "machine_carrier": 0.10,
    "screening_assistant": 0.04, "fax": 0.03,
}


def _default_timings() -> dict[str, dict[str, Dist]]:
    """Speech start after answer and greeting length per kind (docs/sources.md §5.1, §5.5; the kinds of docs/model.md)."""
    def u(lo: float, hi: float, name: str) -> Dist:
        return Dist("uniform", low=lo, high=hi, name=name)

    spec = {
        "human": ((0.2, 1.0), (0.3, 1.0)),
        "human_hello_hello": ((0.2, 1.0), (0.3, 0.8)),
        "human_long_greeting": ((0.2, 1.0), (1.8, 4.0)),
        "human_silent": (None, None),
        "machine_beep": ((0.3, 1.5), (3.0, 12.0)),
        "machine_nobeep": ((0.3, 1.5), (3.0, 12.0)),
        "machine_carrier": ((0.2, 1.0), (3.0, 7.0)),
        "screening_assistant": ((0.3, 1.2), (4.0, 8.0)),
        "fax": (None, None),
    }
    out: dict[str, dict[str, Dist]] = {}
    for kind, (start, greet) in spec.items():
        base = f"answer.timing.{kind}"
        out[kind] = {
            "speech_start_s": u(*start, f"{base}.speech_start_s") if start else Dist("never", name=base),
            "greeting_s": u(*greet, f"{base}.greeting_s") if greet else Dist("never", name=base),
        }
    return out


@dataclass(frozen=True)
class AnswerConfig:
    """Who or what answers a reachable number, when, and how it speaks.

    ``p_pickup``: share of reachable attempts that something would answer at all
    (the rest ring out). Answer delays: humans mostly at 6–10 s, machines
    (voicemail after 4–5 rings) at 18–22 s, some < 1 s (docs/sources.md §4.1,
    the ring-time modes); carrier voicemail and screening assistants answer at once.
    ``kind_weights`` must sum to 1. ``timing[kind]`` gives ``speech_start_s``
    (answer → first speech) and ``greeting_s`` (length of the first greeting);
    ``never`` for kinds that do not speak (``human_silent``, ``fax``).
    """

    p_pickup: float = 0.75
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(_DEFAULT_KIND_WEIGHTS))
    human_answer_delay_s: Dist = _d("mixture", "answer.human_answer_delay_s",
                                    components=((0.05, 0.2, 1.0), (0.75, 5.0, 10.0), (0.20, 10.0, 18.0)))
    machine_answer_delay_s: Dist = _d("mixture", "answer.machine_answer_delay_s",
                                      components=((0.15, 0.2, 1.0), (0.85, 17.0, 23.0)))
    instant_answer_delay_s: Dist = _d("uniform", "answer.instant_answer_delay_s", low=0.2, high=2.0)
    timing: dict[str, dict[str, Dist]] = field(default_factory=_default_timings)

    def __post_init__(self) -> None:
        _prob("answer.p_pickup", self.p_pickup)
        unknown = sorted(set(self.kind_weights) - set(ANSWER_KINDS))
        _check(not unknown, "answer.kind_weights keys", f"answer kinds {list(ANSWER_KINDS)}", unknown)
        for k, w in self.kind_weights.items():
            _pos(f"answer.kind_weights.{k}", w, allow_zero=True)
        total = sum(self.kind_weights.values())
        _check(abs(total - 1.0) < 1e-6, "answer.kind_weights", "weights that sum to 1", round(total, 9))
        missing = sorted(set(ANSWER_KINDS) - set(self.timing))
        _check(not missing, "answer.timing", "a table for every answer kind (missing shown)", missing)


@dataclass(frozen=True)
class AmdConfig:
    """Answering-machine detection as the simulation sees it (docs/model.md).

    ``mode``: ``off`` (every answer goes to agents), ``parametric`` (per kind
    label probabilities ``confusion[kind] = [p_human, p_machine, p_notsure]`` and
    a decision delay after speech start, or after answer for kinds that do not
    speak), ``empirical`` (sample one measured clip per call from the behaviour
    table ``table_path``: columns kind, label, decided_at_s, speech_start_s,
    greeting_end_s, so a call's times stay consistent).

    The parametric model is a fallback. Its defaults stand for the published
    range of a tuned cadence detector, not for a measured one
    (``docs/sources.md`` §5.6): 2–8 % of people called machine (8.1 % under the
    benchmark's answer mix), silent answerers mostly called machines
    (INITIALSILENCE), long greetings often machines (LONGGREETING), screening
    assistants mostly machines; decisions 0.9 s after speech at the quickest,
    1–3 s typical. The project's measured ``asterisk`` detector calls 28.8 % of
    people machines under the same mix (``docs/amd.md``); ``empirical`` with its
    behaviour table uses measured behaviour instead.

    ``undecided_action``: what the dialer does with a call the detector has not
    decided by the compliance deadline (``abandon.clock_start`` plus
    ``abandon.window_s``). ``wait`` (the default) keeps listening until the
    verdict, however late, and then acts on it. ``connect_at_deadline`` routes
    the call to an agent at the deadline while the detector keeps listening; a
    later machine verdict releases the agent unless the agent has already
    recognised what answered (``agents.human_recognition_s``,
    ``agents.machine_handling_s``; docs/model.md "Connect at the deadline").
    """

    mode: str = "parametric"
    confusion: dict[str, list[float]] = field(default_factory=lambda: {
        "human": [0.96, 0.03, 0.01], "human_hello_hello": [0.85, 0.10, 0.05],
        "human_long_greeting": [0.60, 0.35, 0.05], "human_silent": [0.15, 0.75, 0.10],
        "machine_beep": [0.08, 0.85, 0.07], "machine_nobeep": [0.12, 0.78, 0.10],
        "machine_carrier": [0.05, 0.90, 0.05], "screening_assistant": [0.10, 0.80, 0.10],
        "fax": [0.0, 1.0, 0.0],
    })
    delay_after_speech_s: Dist = _d("lognormal", "amd.delay_after_speech_s", median=1.2, sigma=0.35)
    delay_no_speech_s: Dist = _d("uniform", "amd.delay_no_speech_s", low=2.5, high=3.0)
    table_path: str | None = None
    machine_action: str = "hangup"
    message_s: float = 20.0
    notsure_action: str = "agent"
    undecided_action: str = "wait"

    def __post_init__(self) -> None:
        _check(self.mode in ("off", "parametric", "empirical"), "amd.mode", "one of off, parametric, empirical",
               self.mode)
        _check(self.machine_action in ("hangup", "leave_message"), "amd.machine_action",
               "one of hangup, leave_message", self.machine_action)
        _check(self.notsure_action in ("agent", "hangup"), "amd.notsure_action", "one of agent, hangup",
               self.notsure_action)
        _check(self.undecided_action in ("wait", "connect_at_deadline"), "amd.undecided_action",
               "one of wait, connect_at_deadline", self.undecided_action)
        _pos("amd.message_s", self.message_s, allow_zero=True, maximum=lim.MAX_STEP_S)
        _check(self.table_path is None or isinstance(self.table_path, str), "amd.table_path", "a path string",
               self.table_path)
        if self.mode == "empirical":
            _check(isinstance(self.table_path, str) and self.table_path != "", "amd.table_path",
                   "a path to a behaviour table when amd.mode = 'empirical'", self.table_path)
        if self.mode == "parametric":
            missing = sorted(set(ANSWER_KINDS) - set(self.confusion))
            _check(not missing, "amd.confusion", "a row for every answer kind (missing shown)", missing)
            for kind, row in self.confusion.items():
                _check(kind in ANSWER_KINDS, "amd.confusion keys", f"answer kinds {list(ANSWER_KINDS)}", kind)
                _check(len(row) == 3, f"amd.confusion.{kind}", "[p_human, p_machine, p_notsure]", row)
                for p in row:
                    _prob(f"amd.confusion.{kind}", p)
                _check(abs(sum(row) - 1.0) < 1e-6, f"amd.confusion.{kind}", "probabilities that sum to 1", row)


@dataclass(frozen=True)
class AgentsConfig:
    """Agents: talk, wrap-up, and the short handling of machines that reach them.

    Talk time: right-party talk 1–20 min, default 5 min (docs/sources.md §4.4
    [V]); lognormal with median 240 s and sigma 0.7 has mean ≈ 307 s.
    ``human_recognition_s``: how long an agent connected to a call the AMD has
    not decided needs to hear that a person is on the line, after which a late
    machine verdict is overridden (``amd.undecided_action``); no source gives
    it, so it is a parameter (docs/sources.md §5.11).
    """

    n_agents: int = 20
    talk_time_s: Dist = _d("lognormal", "agents.talk_time_s", median=240.0, sigma=0.7)
    wrap_up_s: Dist = _d("uniform", "agents.wrap_up_s", low=5.0, high=25.0)
    machine_handling_s: Dist = _d("uniform", "agents.machine_handling_s", low=4.0, high=12.0)
    human_recognition_s: Dist = _d("deterministic", "agents.human_recognition_s", value=1.0)

    def __post_init__(self) -> None:
        _count("agents.n_agents", self.n_agents, minimum=0, maximum=lim.MAX_AGENTS)


@dataclass(frozen=True)
class AbandonConfig:
    """When a live answer that finds no agent is dropped, and how callees give up.

    The compliance window ``window_s`` starts at ``clock_start``:
    ``speech_start`` (UK Ofcom: 2 s from the first word), ``greeting_end`` (US
    FTC/FCC: 2 s after the completed greeting) or ``connect`` (VICIdial
    ``drop_call_seconds`` from pickup, default 5 s) (docs/sources.md §1.1,
    §3). ``drop_action``: ``silent`` hangs up, ``message`` plays a message of
    ``message_s``. With ``hold_queue`` the callee waits instead of being dropped.
    ``patience_s``: how long a live person listens to dead air after the greeting
    before hanging up; no measured distribution exists (docs/sources.md §4.5), so a
    lognormal with median 3 s is a free parameter to sweep.
    """

    window_s: float = 2.0
    clock_start: str = "speech_start"
    drop_action: str = "message"
    message_s: float = 8.0
    hold_queue: bool = False
    patience_s: Dist = _d("lognormal", "abandon.patience_s", median=3.0, sigma=0.5)

    def __post_init__(self) -> None:
        _pos("abandon.window_s", self.window_s, allow_zero=True, maximum=lim.MAX_STEP_S)
        _check(self.clock_start in ("speech_start", "greeting_end", "connect"), "abandon.clock_start",
               "one of speech_start, greeting_end, connect", self.clock_start)
        _check(self.drop_action in ("silent", "message"), "abandon.drop_action", "one of silent, message",
               self.drop_action)
        _pos("abandon.message_s", self.message_s, allow_zero=True, maximum=lim.MAX_STEP_S)
        _check(isinstance(self.hold_queue, bool), "abandon.hold_queue", "true or false", self.hold_queue)


@dataclass(frozen=True)
class PacingConfig:
    """The pacing policy by name and its parameters (``dialer_sim.pacing``)."""

    policy: str = "progressive"
    params: Any = None  # the policy's frozen params dataclass, filled by the loader

    def __post_init__(self) -> None:
        from .pacing import PACING_PARAMS  # local: pacing imports nothing from config

        _check(isinstance(self.policy, str) and self.policy in PACING_PARAMS, "pacing.policy", f"one of {sorted(PACING_PARAMS)}", self.policy)
        if self.params is None:
            object.__setattr__(self, "params", PACING_PARAMS[self.policy]())
        _check(isinstance(self.params, PACING_PARAMS[self.policy]), "pacing.params",
               f"{PACING_PARAMS[self.policy].__name__}", type(self.params).__name__)


@dataclass(frozen=True)
class OpenLoopConfig:
    """Open-loop validation mode: Poisson answers straight to agents.

    Every call is answered at once by a human who speaks at once (``human``, no
    greeting), AMD is off, talk time is exponential with mean
    ``mean_talk_time_s`` and there is no wrap-up. Abandonment follows
    :class:`AbandonConfig`: ``hold_queue = true`` with exponential patience gives
    M/M/n+M (Erlang A); a deterministic window gives M/M/n+D; window 0 gives
    Erlang B (docs/sources.md §2).
    """

    arrival_rate_per_s: float = 1.0
    mean_talk_time_s: float = 1.0
    n_calls: int = 100_000

    def __post_init__(self) -> None:
        _pos("open_loop.arrival_rate_per_s", self.arrival_rate_per_s, maximum=lim.MAX_ARRIVAL_RATE_PER_S)
        _pos("open_loop.mean_talk_time_s", self.mean_talk_time_s)
        _count("open_loop.n_calls", self.n_calls, maximum=lim.MAX_CALLS)


@dataclass(frozen=True)
class DialerConfig:
    """A whole simulated campaign; the single argument of :func:`dialer_sim.run`."""

    campaign: CampaignConfig = field(default_factory=CampaignConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    answer: AnswerConfig = field(default_factory=AnswerConfig)
    amd: AmdConfig = field(default_factory=AmdConfig)
    agents: AgentsConfig = field(default_factory=AgentsConfig)
    abandon: AbandonConfig = field(default_factory=AbandonConfig)
    pacing: PacingConfig = field(default_factory=PacingConfig)
    open_loop: OpenLoopConfig | None = None
    population: PopulationConfig | None = None
    caller_id: CallerIdConfig | None = None
    blocklist: BlocklistConfig | None = None
    rules: RulesConfig | None = None
    hygiene: HygieneConfig | None = None
    probe: ProbeConfig | None = None
    consent: ConsentConfig | None = None
    economics: EconomicsConfig | None = None

    @property
    def list_mode(self) -> bool:
        """True when the campaign dials a called population (``[population]`` given)."""
        return self.population is not None

    def __post_init__(self) -> None:
        extras = ("caller_id", "blocklist", "rules", "hygiene", "probe", "consent", "economics")
        if self.population is None:
            given = [name for name in extras if getattr(self, name) is not None]
            _check(not given, f"[{given[0] if given else ''}]", "used together with a [population] section", "no [population]")
        else:
            # List mode: the effective settings are recorded, so config.json says what ran.
            for name, cls in (("caller_id", CallerIdConfig), ("blocklist", BlocklistConfig), ("rules", RulesConfig),
                              ("hygiene", HygieneConfig)):
                if getattr(self, name) is None:
                    object.__setattr__(self, name, cls())
            _check(self.open_loop is None, "[open_loop]", "absent when [population] is given", "both given")
        if self.open_loop is not None:
            _check(self.agents.n_agents >= 1, "agents.n_agents", "an integer >= 1", self.agents.n_agents)
            return
        if self.probe is None:
            _check(self.agents.n_agents >= 1, "agents.n_agents", "an integer >= 1 (0 only with [probe])",
                   self.agents.n_agents)
        else:
            _check(self.amd.mode != "off", "amd.mode", "parametric or empirical with [probe] (a robot harvests "
                   "the numbers its AMD calls human)", self.amd.mode)
            return
        max_level = float(getattr(self.pacing.params, "max_lines_per_agent", 1.0) or 1.0)
        for attr in ("lines_per_agent", "adaptive_maximum_level", "max_lines_per_agent"):
            max_level = max(max_level, float(getattr(self.pacing.params, attr, 0.0) or 0.0))
        peak_lines = math.ceil(max_level * self.agents.n_agents)
        _check(peak_lines <= self.campaign.n_numbers, "campaign.n_numbers",
               f">= the most lines the pacing may put up ({peak_lines} = {max_level:g} lines/agent x "
               f"{self.agents.n_agents} agents)", self.campaign.n_numbers)

