"""VICIdial's adaptive predictive dial level (ADAPT_HARD_LIMIT / TAPERED / AVERAGE).

A re-implementation, in our own code, of the controller in VICIdial's
``bin/AST_VDadapt.pl`` (v2.14) as described in ``docs/sources.md`` §1.1, with
the placement rule of ``bin/AST_VDauto_dial.pl``: keep ``round(L × N)`` lines
up, where N counts the agents VICIdial counts (ready or talking; agents in
wrap-up are paused while they disposition the call and are not counted).
``docs/pacing.md`` compares every rule with VICIdial's.

The controller, run by :meth:`VicidialAdaptPolicy.update` every second:

1. Sample R = idle agents, W = answered calls waiting for an agent, A = agents
   (``n_agents_idle``, ``n_calls_waiting``, ``n_agents``); keep the last 15
   samples and their means R̄, W̄, Ā. Differential D = R̄ − W̄. While Ā = 0
   (no agent logged in over the last 15 s) the controller is frozen: no drop
   statistics, no level update (VICIdial's ``if total_agents_avg > 0``).
2. Every 60 s (and on the first unfrozen loop) refresh the drop statistics:
   today's attempts, today's drop % = 100 × drops / answers (answers =
   human-answered = observed live + drop, at least 1), and over the last minute
   the attempts and drop % = 100 × drops / attempts. With ``ofcom_uk_drop_calc``,
   today's drops become drops' = drops × (1 − AM/(AM + H)) and the drop % is
   100 × drops' / (H + drops'), where AM counts machines an agent reached and
   H live calls. Percentages are rounded to 2 decimals as VICIdial stores them.
3. Every 15 samples, with L the current level:
   d = (D + T)/Ā (0 if D + T = 0 or Ā = 0), T = ``adaptive_dl_diff_target``;
   d′ = d·|I − 1| if d < 0 else d·(1 + I), I = ``adaptive_intensity``/100;
   L′ = round(L·(1 + d′), 3), capped at ``adaptive_maximum_level``, floored at 1;
   if more than 20 attempts in the last minute and over 50 % of them dropped,
   L′ ← L′/2; if more than 50 attempts today and today's drop % exceeds
   ``adaptive_dropped_percentage``: hard_limit → 1.0, average → L′/2,
   tapered → L′·r with r = min(1, (HHMM_latest − HHMM_now)/1000) in HHMM
   arithmetic (1.0 once past the latest time). Final floor 1.0. L′ is stored as
   VICIdial's ``VARCHAR(6)`` column holds it (its first 6 characters) and
   becomes the next L, so average and tapered compound every 15 s while over
   the limit.

Conventions
-----------
- HHMM is the wall-clock time of day as an integer (17:30 → 1730), taken from
  ``now_s mod 86400``; the arithmetic is VICIdial's, so 21:00 − 17:30 gives
  370, r = 0.37 (not 3.5 hours / 10 = 0.35).
- "Today" is the calendar day of ``now_s`` (``now_s // 86400``). An answered
  attempt is counted at its answer (:meth:`VicidialAdaptPolicy.on_answered`),
  when VICIdial writes its log row, so calls still in progress count toward
  today's and the last minute's attempts; its outcome (live, drop, machine)
  counts when it is reported. Attempts that were never answered count when they
  end. A caller that never calls ``on_answered`` gets every attempt counted at
  its end. A drop enters the last minute's drops when it is reported; VICIdial
  dates it by its answer. The last minute's drops are capped at its attempts, as
  a drop reported over a minute after its answer could otherwise exceed them.
- ``update`` is meant to be called every second while agents are logged in.
  Seconds it skipped (the model does not call it between shifts) are loops in
  which VICIdial saw no agent: they enter the 15-sample window as zeros, so the
  first loop of the next shift works from that shift's samples alone.
- In a quiet stretch (the same samples every second) :meth:`VicidialAdaptPolicy.advance_quiet`
  runs the loops before the next level update at once, with exactly the effect of one
  :meth:`~VicidialAdaptPolicy.update` per second; the placement cannot change among them.
- VICIdial's optional "dial level threshold" (force 1.0 under a minimum agent
  count) is not modelled.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import repeat

from dialer_sim._time import SECONDS_PER_MINUTE, n_steps_before
from dialer_sim.errors import ConfigError
from dialer_sim.pacing._base import OBSERVED_OUTCOME, DialerState
from dialer_sim.pacing._params import PacingParams
from dialer_sim.pacing._policy import PolicyBase
from dialer_sim.pacing._stats import ANSWERED_DISPOSITIONS, DayTally, WindowTally
from dialer_sim.pacing._vicidial_level import server_hhmm, stored_level, tapered_rate
from dialer_sim.pacing.ratio import MAX_LINES_PER_AGENT

__all__ = [
    "VICIDIAL_MODES", "VicidialAdaptParams", "VicidialAdaptPolicy", "server_hhmm", "stored_level", "tapered_rate",
]

VICIDIAL_MODES = ("hard_limit", "tapered", "average")

# AST_VDadapt.pl constants (docs/sources.md §1.1).
SAMPLE_INTERVAL_S = 1.0  # main loop delay
N_SAMPLES = 15  # samples averaged into R̄, W̄, Ā; also the level-update period in loops
DROP_STATS_INTERVAL_S = 60.0  # drop statistics refreshed about once a minute
EMERGENCY_MIN_CALLS = 20  # "> 20 calls in the last minute"
EMERGENCY_DROP_PCT = 50.0  # "> 50 % of them dropped"
DAILY_MIN_CALLS = 50  # daily rule only once "> 50 calls today"


@dataclass(frozen=True, kw_only=True)
class VicidialAdaptParams(PacingParams):
    """Parameters of :class:`VicidialAdaptPolicy` (VICIdial campaign fields, ``docs/sources.md`` §1.1).

    Parameters
    ----------
    mode : {'hard_limit', 'tapered', 'average'}, default 'hard_limit'
        ADAPT_HARD_LIMIT, ADAPT_TAPERED or ADAPT_AVERAGE.
    initial_dial_level : float in [1, adaptive_maximum_level], default 1.0
        Dial level at the start of the run (VICIdial's floor).
    adaptive_maximum_level : float in [1, 15], default 3.0
        Cap on the level (VICIdial default 3.0).
    adaptive_dropped_percentage : float in [0.1, 100], default 3.0
        Daily drop % that triggers the mode's rule (VICIdial default 3).
    adaptive_dl_diff_target : int in [-40, 40], default 0
        T: −1 aims for one idle agent, +1 for one caller waiting (default 0).
    adaptive_intensity : int in [-40, 40], default 0
        I: positive raises faster and lowers slower (default 0).
    adaptive_latest_server_time_hhmm : int HHMM in [0000, 2359], default 2100
        When dialing stops, for the tapered rule (VICIdial default 2100).
    ofcom_uk_drop_calc : bool, default False
        Use the UK Ofcom drop adjustment for today's drop % (VICIdial option).
    count_wrapup_agents : bool, default False
        Count agents in wrap-up in the placement count N, as this model did
        before it followed VICIdial (which counts them as paused). False is
        VICIdial's rule: N = agents ready or talking.
    """

    policy = "vicidial_adapt"

    mode: str = "hard_limit"
    initial_dial_level: float = 1.0
    adaptive_maximum_level: float = 3.0
    adaptive_dropped_percentage: float = 3.0
    adaptive_dl_diff_target: int = 0
    adaptive_intensity: int = 0
    adaptive_latest_server_time_hhmm: int = 2100
    ofcom_uk_drop_calc: bool = False
    count_wrapup_agents: bool = False

    def __post_init__(self) -> None:
        self._choice("mode", VICIDIAL_MODES)
        maximum = self._float_in("adaptive_maximum_level", 1.0, MAX_LINES_PER_AGENT)
        self._float_in("initial_dial_level", 1.0, maximum)
        self._float_in("adaptive_dropped_percentage", 0.1, 100.0)
        self._int_in("adaptive_dl_diff_target", -40, 40)
        self._int_in("adaptive_intensity", -40, 40)
        hhmm = self._int_in("adaptive_latest_server_time_hhmm", 0, 2359)
        if hhmm % 100 >= 60:
            raise ConfigError(
                f"pacing.adaptive_latest_server_time_hhmm must be a time HHMM with minutes < 60; got {hhmm}."
            )
        self._bool("ofcom_uk_drop_calc")
        self._bool("count_wrapup_agents")


class VicidialAdaptPolicy(PolicyBase):
    """VICIdial's adaptive dial level (see module docstring for the rule).

    Parameters
    ----------
    params : VicidialAdaptParams

    Attributes
    ----------
    dial_level : float >= 1
        Current dial level L.
    n_calls_today, drops_pct_today : int, float
        Today's attempts and drop % as of the last statistics refresh.
    n_calls_one_min, drops_pct_one_min : int, float
        The same over the last minute.
    """

    name = "vicidial_adapt"
    update_interval_s = SAMPLE_INTERVAL_S

    def __init__(self, params: VicidialAdaptParams) -> None:
        self.params = params
        self.dial_level = params.initial_dial_level
        self._target_agents, self._target_level, self._target_lines = -1, 0.0, 0  # lines_to_launch's round(L × N)
        self._ready: deque[int] = deque(maxlen=N_SAMPLES)
        self._waiting: deque[int] = deque(maxlen=N_SAMPLES)
        self._agents: deque[int] = deque(maxlen=N_SAMPLES)
        self._n_agent_samples_nonzero = 0  # samples in the window with an agent logged in (Ā > 0 iff > 0)
        self._wrapup_paused = not params.count_wrapup_agents
        self._n_loops_since_level = 0
        self._last_loop_s: float | None = None
        self._next_stats_at_s = float("-inf")  # VICIdial pulls a baseline on its first loop
        self._today = DayTally()
        self._last_minute = WindowTally(SECONDS_PER_MINUTE)
        self._n_answered_open = 0  # answers counted by on_answered whose outcome is still to come
        self.n_calls_today = 0
        self.drops_pct_today = 0.0
        self.n_calls_one_min = 0
        self.drops_pct_one_min = 0.0

    def lines_to_launch(self, state: DialerState) -> int:
        """RATIO placement with the current level: ``round(L × N) − lines up``, N as VICIdial counts it.

        The same arithmetic as :func:`~dialer_sim.pacing.ratio.ratio_lines` on
        ``n_agents_dialable`` (or ``n_agents``), inlined: the model asks on every
        state change and on every tick. ``round(L × N)`` is kept for the last
        (L, N): they change far less often than the lines up, and ``round`` is
        the dearest step here.
        """
        n_agents = state.n_agents
        if self._wrapup_paused:
            n_agents -= state.n_agents_wrap_up
            if n_agents < 0:
                n_agents = 0
        level = self.dial_level
        if n_agents != self._target_agents or level != self._target_level:
            self._target_agents, self._target_level = n_agents, level
            self._target_lines = round(level * n_agents)
        launch = self._target_lines - (
            state.n_lines_ringing + state.n_calls_in_amd + state.n_calls_waiting + state.n_calls_with_agent)
        return launch if launch > 0 else 0

    def on_answered(self, now_s: float) -> None:
        """Count an answered attempt in today's and the last minute's attempts now, at its answer."""
        self._today.add_call(now_s)
        self._last_minute.add_call(now_s)
        self._n_answered_open += 1

    def on_outcome(self, now_s: float, disposition: str) -> None:
        """Count the attempt's outcome (and the attempt itself unless it was counted at its answer)."""
        observed = OBSERVED_OUTCOME[disposition]  # observed_outcome, without the call
        if self._n_answered_open > 0 and disposition in ANSWERED_DISPOSITIONS:
            self._n_answered_open -= 1
            self._today.add_outcome(now_s, observed, disposition)
            if observed == "drop":
                self._last_minute.add_drop(now_s)
            return
        self._today.add(now_s, observed, disposition)
        self._last_minute.add(now_s, observed == "drop")

    def update(self, state: DialerState) -> None:
        """One controller loop (after the loops skipped since the last call, if any)."""
        now_s = state.now_s
        last_s = self._last_loop_s
        if last_s is not None and now_s - last_s > SAMPLE_INTERVAL_S:  # else no loop was skipped
            self._skipped_loops(now_s)
        self._loop(now_s, state.n_agents_idle, state.n_calls_waiting, state.n_agents)
        self._last_loop_s = now_s

    def advance_quiet(self, state: DialerState, n_loops: int) -> int:
        """Run at once the loops of a quiet stretch before the next level update (placement is constant there).

        The loops are consecutive seconds, the first at ``state.now_s``, all sampling ``state``, which does
        not change between them. Until the next level update none of them changes ``dial_level``, so
        :meth:`lines_to_launch` gives the same answer after each. Their effect is computed in closed form:
        each window is extended by the repeated sample (its sums are integer sums, so a level update
        computes the same floats afterwards), the loop counter grows by their number, and a drop-statistics
        refresh that falls among them runs at its own second. The result is exactly that of calling
        :meth:`update` once per second (``tests/test_pacing_quiet.py``).

        Parameters
        ----------
        state : DialerState
            The samples of every loop; loop k (from 0) runs at clock ``state.now_s + k`` (seconds).
        n_loops : int >= 0
            Loops available in the stretch.

        Returns
        -------
        int
            Loops run, from 0 to ``n_loops``: all of them, or those before the next level update. 0 also
            when the first loop follows skipped seconds or no agent is logged in; ``update`` then runs
            that loop. ``state.now_s`` is left at the last loop's clock.
        """
        n = N_SAMPLES - 1 - self._n_loops_since_level  # loops before the next level update (< 15)
        if n > n_loops:
            n = n_loops
        now_s, last_s, n_agents = state.now_s, self._last_loop_s, state.n_agents
        if n <= 0 or not n_agents or (last_s is not None and now_s - last_s > SAMPLE_INTERVAL_S):
            return 0
        n_idle, n_waiting = state.n_agents_idle, state.n_calls_waiting
        last_s = now_s + (n - 1) * SAMPLE_INTERVAL_S
        if self._next_stats_at_s > last_s:  # no drop-statistics refresh among them
            self._extend_windows(n, n_idle, n_waiting, n_agents)
        else:  # the refresh's loop runs as one loop, at its own second (there is no level update in it)
            to_stats = n_steps_before(now_s, SAMPLE_INTERVAL_S, self._next_stats_at_s, n)
            self._extend_windows(to_stats, n_idle, n_waiting, n_agents)
            self._loop(now_s + to_stats * SAMPLE_INTERVAL_S, n_idle, n_waiting, n_agents)
            self._extend_windows(n - to_stats - 1, n_idle, n_waiting, n_agents)
        state.now_s = self._last_loop_s = last_s
        return n

    def _extend_windows(self, n_loops: int, n_idle: int, n_waiting: int, n_agents: int) -> None:
        """``n_loops`` (< 15) loops with one sample, ``n_agents`` > 0, and neither refresh nor level update."""
        if n_loops <= 0:
            return
        agents = self._agents
        if n_loops == 1:
            self._ready.append(n_idle)
            self._waiting.append(n_waiting)
            agents.append(n_agents)
        else:
            self._ready.extend(repeat(n_idle, n_loops))
            self._waiting.extend(repeat(n_waiting, n_loops))
            agents.extend(repeat(n_agents, n_loops))
        self._n_agent_samples_nonzero = len(agents) - agents.count(0)
        self._n_loops_since_level += n_loops

    def _skipped_loops(self, now_s: float) -> None:
        """Run the loops missed since the last call as loops with no agent logged in."""
        n_missed = int(round((now_s - self._last_loop_s) / SAMPLE_INTERVAL_S)) - 1
        for k in range(1, min(n_missed, N_SAMPLES) + 1):
            self._loop(self._last_loop_s + k * SAMPLE_INTERVAL_S, 0, 0, 0)
        if n_missed > N_SAMPLES:  # the window is all zeros by now: the controller is frozen, only time passes
            self._n_loops_since_level += n_missed - N_SAMPLES

    def _loop(self, now_s: float, n_idle: int, n_waiting: int, n_agents: int) -> None:
        """Sample; unless no agent was logged in over the window, maybe refresh drop stats and the level.

        The window's sums are taken only at a level update (every 15 loops); the
        freeze test ``any(agents in the window)`` is a running count of non-zero
        samples, so a loop costs three appends and a few comparisons.
        """
        agents = self._agents
        if len(agents) == N_SAMPLES and agents[0]:
            self._n_agent_samples_nonzero -= 1  # the oldest sample leaves the window
        self._ready.append(n_idle)
        self._waiting.append(n_waiting)
        agents.append(n_agents)
        if n_agents:
            self._n_agent_samples_nonzero += 1
        self._n_loops_since_level += 1
        if not self._n_agent_samples_nonzero:
            return  # Ā = 0: VICIdial skips both the drop statistics and the level update
        if now_s >= self._next_stats_at_s:
            self._refresh_drop_stats(now_s)
            self._next_stats_at_s = now_s + DROP_STATS_INTERVAL_S
        if self._n_loops_since_level >= N_SAMPLES:
            self._n_loops_since_level = 0
            self.dial_level = stored_level(self._next_level(now_s))

    def _refresh_drop_stats(self, now_s: float) -> None:
        """Recompute today's and the last minute's attempts and drop % (step 2)."""
        today = self._today
        today.roll(now_s)
        self.n_calls_today = today.n_calls
        drops: float = today.n_drops
        answers: float = today.n_answers
        if self.params.ofcom_uk_drop_calc:
            n_machines, n_live = today.n_agent_machines, today.n_live
            if n_machines + n_live > 0:
                drops = drops * (1.0 - n_machines / (n_machines + n_live))
            answers = n_live + drops
        self.drops_pct_today = round(100.0 * drops / max(answers, 1.0), 2) if drops > 0 else 0.0
        window = self._last_minute
        window.prune(now_s)
        self.n_calls_one_min = n_calls = window.n_calls
        # A drop enters the window when it is reported, its call at the answer, which may have left the window.
        n_drops = min(window.n_drops, n_calls)
        self.drops_pct_one_min = round(100.0 * n_drops / n_calls, 2) if n_drops > 0 else 0.0

    def _next_level(self, now_s: float) -> float:
        """The 15-second level update (step 3)."""
        params = self.params
        n = len(self._ready)
        mean_agents = sum(self._agents) / n
        differential = (sum(self._ready) - sum(self._waiting)) / n + params.adaptive_dl_diff_target
        d = differential / mean_agents if differential != 0 and mean_agents != 0 else 0.0
        intensity = params.adaptive_intensity / 100.0
        d_prime = d * abs(intensity - 1.0) if d < 0 else d * (intensity + 1.0)
        level = round(self.dial_level * (1.0 + d_prime), 3)
        if params.adaptive_maximum_level < level:  # min, max: a level update runs every 15 s of every shift
            level = params.adaptive_maximum_level
        if level < 1.0:
            level = 1.0
        if self.n_calls_one_min > EMERGENCY_MIN_CALLS and self.drops_pct_one_min > EMERGENCY_DROP_PCT:
            level /= 2.0
        if self.n_calls_today > DAILY_MIN_CALLS and self.drops_pct_today > params.adaptive_dropped_percentage:
            level = self._daily_rule(level, now_s)
        return max(level, 1.0)

    def _daily_rule(self, level: float, now_s: float) -> float:
        """The mode's reaction to today's drop % being over the limit."""
        mode = self.params.mode
        if mode == "hard_limit":
            return 1.0
        if mode == "average":
            return level / 2.0
        rate = tapered_rate(self.params.adaptive_latest_server_time_hhmm, now_s)
        return 1.0 if rate is None else level * rate
