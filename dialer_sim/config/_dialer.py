"""Configuration of one simulated campaign: frozen, validated dataclasses.

Every field carries its unit in its name; validation runs in ``__post_init__``
so ``dataclasses.replace`` re-validates. Load from TOML with
:func:`dialer_sim.load_config`; see ``experiments/configs/`` for examples.
What a dial meets (network, answer, AMD) is configured in
``dialer_sim.config`` and re-exported here; the field rules are in
``dialer_sim.config._rules``.

Conventions
-----------
- Times are seconds. ``*_at_s`` fields of the call record count from midnight of
  the campaign's first day; ``shift_start_s`` is a time of day.
- Probabilities are ``p_*`` in [0, 1]; counts are ``n_*``.
- Every default cites its source in docs/sources.md (by section).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .. import _limits as lim
from ._answer import AmdConfig, AnswerConfig, NetworkConfig
from ._consent import ConsentConfig, EconomicsConfig
from ._distributions import Dist
from ._list_campaign import (
    BlocklistConfig,
    CallerIdConfig,
    HygieneConfig,
    PopulationConfig,
    ProbeConfig,
    RulesConfig,
)
from ._ping import PingConfig
from ._rules import _check, _count, _d, _is_iso_date, _pos

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
        from ..pacing import PACING_PARAMS  # local: pacing imports nothing from config

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
    ping: PingConfig | None = None
    consent: ConsentConfig | None = None
    economics: EconomicsConfig | None = None

    @property
    def list_mode(self) -> bool:
        """True when the campaign dials a called population (``[population]`` given)."""
        return self.population is not None

    def __post_init__(self) -> None:
        extras = ("caller_id", "blocklist", "rules", "hygiene", "probe", "ping", "consent", "economics")
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
        if self.ping is not None:
            _check(self.probe is None, "[ping]", "absent when [probe] is given (a robot does one or the other)",
                   "both given")
            _check(self.caller_id.policy != "withheld", "caller_id.policy", "fixed or rotating with [ping] (a "
                   "withheld number cannot be called back)", self.caller_id.policy)
            return
        if self.probe is None:
            _check(self.agents.n_agents >= 1, "agents.n_agents", "an integer >= 1 (0 only with [probe] or [ping])",
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

