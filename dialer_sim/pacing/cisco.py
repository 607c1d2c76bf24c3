"""Batch gain control of lines per agent, in the style of Cisco Unified CCX.

Cisco does not publish its predictive update equation (docs/sources.md
§1.2). The rule here is OUR INFERENCE, chosen to be consistent with the
documented fields (predictiveCorrection, predictiveGain, callAbandonLimit,
maxLinesPerAgent); it is not Cisco's code:

- Every ``predictive_correction`` live-voice answers (observed ``live`` or
  ``drop``), measure the abandon % of that batch, m = 100 × drops / answers.
- lines ← clamp(lines × (1 + gain × (limit − m)/limit), 1, max_lines_per_agent),
  with limit = ``call_abandon_limit_pct``. A batch with no drops multiplies
  the lines by (1 + gain); a batch at the limit leaves them unchanged.
- Placement is the ratio rule with the current lines per agent:
  ``round(lines × n_agents) − lines up``.

Conventions
-----------
- Percentages are in percent (3.0 means 3 %).
- Attempts observed ``machine`` or ``none`` do not count toward a batch.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialer_sim.errors import ConfigError
from dialer_sim.pacing._base import DialerState, observed_outcome
from dialer_sim.pacing._params import PacingParams
from dialer_sim.pacing._policy import PolicyBase
from dialer_sim.pacing.ratio import ratio_lines

__all__ = ["CiscoGainParams", "CiscoGainPolicy", "cisco_gain_step"]


def cisco_gain_step(
    lines_per_agent: float, measured_pct: float, *, limit_pct: float, gain: float, max_lines_per_agent: float
) -> float:
    """One batch correction (inferred rule, see module docstring).

    Examples
    --------
    >>> cisco_gain_step(2.0, 6.0, limit_pct=3.0, gain=0.5, max_lines_per_agent=3.0)
    1.0
    >>> cisco_gain_step(2.0, 1.5, limit_pct=3.0, gain=0.5, max_lines_per_agent=3.0)
    2.5
    """
    lines = lines_per_agent * (1.0 + gain * (limit_pct - measured_pct) / limit_pct)
    return min(max(lines, 1.0), max_lines_per_agent)


@dataclass(frozen=True, kw_only=True)
class CiscoGainParams(PacingParams):
    """Parameters of :class:`CiscoGainPolicy` (Cisco UCCX field ranges and defaults, §1.2).

    Parameters
    ----------
    max_lines_per_agent : float in [1, 3], default 3.0
        maxLinesPerAgent.
    initial_lines_per_agent : float in [1, max_lines_per_agent], default 1.0
        Lines per agent before the first correction (linesPerAgent default 1.0).
    predictive_correction : int in [10, 1000], default 100
        Live-voice answers per correction batch (predictiveCorrection).
    predictive_gain : float in [0, 1], default 1.0
        Size of the corrections (predictiveGain).
    call_abandon_limit_pct : float in (0, 100], default 3.0
        Abandon % target (callAbandonLimit). Cisco accepts 0; the inferred rule
        divides by it, so we require > 0.
    """

    policy = "cisco_gain"

    max_lines_per_agent: float = 3.0
    initial_lines_per_agent: float = 1.0
    predictive_correction: int = 100
    predictive_gain: float = 1.0
    call_abandon_limit_pct: float = 3.0

    def __post_init__(self) -> None:
        maximum = self._float_in("max_lines_per_agent", 1.0, 3.0)
        self._float_in("initial_lines_per_agent", 1.0, 3.0)
        if self.initial_lines_per_agent > maximum:
            raise ConfigError(
                f"pacing.initial_lines_per_agent must be <= max_lines_per_agent ({maximum}); "
                f"got {self.initial_lines_per_agent}."
            )
        self._int_in("predictive_correction", 10, 1000)
        self._float_in("predictive_gain", 0.0, 1.0)
        self._float_in("call_abandon_limit_pct", 0.0, 100.0, lo_open=True)


class CiscoGainPolicy(PolicyBase):
    """Batch gain control toward an abandon target (inferred rule, see module docstring).

    Parameters
    ----------
    params : CiscoGainParams

    Attributes
    ----------
    lines_per_agent : float in [1, max_lines_per_agent]
        Current lines per agent.
    n_batch_answers, n_batch_drops : int
        Live-voice answers and drops of the batch in progress.
    """

    name = "cisco_gain"
    update_interval_s = None

    def __init__(self, params: CiscoGainParams) -> None:
        self.params = params
        self.lines_per_agent = params.initial_lines_per_agent
        self.n_batch_answers = 0
        self.n_batch_drops = 0

    def lines_to_launch(self, state: DialerState) -> int:
        """Ratio placement with the current lines per agent."""
        return ratio_lines(state, self.lines_per_agent)

    def on_outcome(self, now_s: float, disposition: str) -> None:
        """Add a live-voice answer to the batch; correct the lines when the batch is full."""
        observed = observed_outcome(disposition)
        if observed != "live" and observed != "drop":
            return
        self.n_batch_answers += 1
        self.n_batch_drops += observed == "drop"
        if self.n_batch_answers >= self.params.predictive_correction:
            params = self.params
            measured_pct = 100.0 * self.n_batch_drops / self.n_batch_answers
            self.lines_per_agent = cisco_gain_step(
                self.lines_per_agent,
                measured_pct,
                limit_pct=params.call_abandon_limit_pct,
                gain=params.predictive_gain,
                max_lines_per_agent=params.max_lines_per_agent,
            )
            self.n_batch_answers = 0
            self.n_batch_drops = 0
