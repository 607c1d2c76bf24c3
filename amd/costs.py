"""What a detector's decisions cost a regulator and a call centre under a dialer's AMD policy.

A detector gives one decision per call: a label and the time it was taken. The dialer turns it
into an action, and the action has a price:

- ``hangup`` (the classic policy): a ``machine`` verdict hangs up, whenever it comes; a
  ``human`` or ``notsure`` verdict connects the call to an agent at that moment. A person
  connected after the deadline is a *late connect* (dead air past the regulator's window).
- ``connect_at_deadline``: a ``machine`` verdict by the deadline hangs up; a ``human`` or
  ``notsure`` verdict by the deadline connects at once; a call still undecided at the deadline
  is connected to an agent at the deadline while the detector keeps listening. A later
  ``machine`` verdict releases the agent if it comes before the agent has recognised what
  answered: a machine after the agent's handling time, a person after the agent's recognition
  time. The same late verdict on a person inside the recognition span hangs up on them (an AMD
  false positive); after it the agent has taken over and the verdict is ignored.

The deadline is the UK Ofcom window: 2 s from the start of the callee's speech, or from answer
when the callee never speaks (``docs/sources.md`` §3.10). Per call the module computes:

- ``hung_up_human`` and ``late_human``: the two parts of *AMD-caused abandonment* (humans hung
  up on, plus humans connected after the deadline, as a share of live answers);
- ``agent_s``: the expected agent-seconds a machine costs, over the machine-handling time
  ``H ~ Uniform(low, high)`` (``E[min(L, H)]`` for an agent released ``L`` s after connect);
- ``machine_no_agent``: a machine hung up on before any agent was connected;
- ``connect_from_speech_s``: when a person is put through, from the start of their speech.

``DEFAULT_AGENT_TIMES`` are the dialer simulation's defaults (``docs/sources.md`` §5.10; ``agents.machine_handling_s``,
uniform 4-12 s; a person is recognised in 1.0 s); a test keeps them equal.

Conventions
-----------
Times in seconds from answer; rates in [0, 1]; labels ``'human' | 'machine' | 'notsure'``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_AGENT_TIMES",
    "OFCOM_DEADLINE_S",
    "POLICIES",
    "AgentTimes",
    "call_costs",
    "cost_figures",
    "deadline_s",
    "expected_agent_s",
]

#: The dialer policies priced here.
POLICIES = ("hangup", "connect_at_deadline")
#: Ofcom's window: a live person must hear an agent within 2 s of starting to speak.
OFCOM_DEADLINE_S = 2.0


@dataclass(frozen=True)
class AgentTimes:
    """How long an agent needs to recognise what answered.

    Parameters
    ----------
    human_recognition_s : float > 0 [s]
        Time after connect within which a late ``machine`` verdict still hangs up on a person.
    machine_handling_low_s, machine_handling_high_s : float [s], 0 <= low <= high
        The agent recognises a machine after ``Uniform(low, high)`` seconds and moves on.
    """

    human_recognition_s: float = 1.0
    machine_handling_low_s: float = 4.0
    machine_handling_high_s: float = 12.0

    def __post_init__(self) -> None:
        for name in ("human_recognition_s", "machine_handling_low_s", "machine_handling_high_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"`{name}` must be a finite number of seconds; got {value!r}.")
        if not self.human_recognition_s > 0:
            raise ValueError(f"`human_recognition_s` must be > 0 s; got {self.human_recognition_s!r}.")
        if not 0 <= self.machine_handling_low_s <= self.machine_handling_high_s:
            raise ValueError(
                "`machine_handling_low_s` must be >= 0 and <= `machine_handling_high_s`; got "
                f"{self.machine_handling_low_s!r} and {self.machine_handling_high_s!r}."
            )

    @property
    def machine_handling_mean_s(self) -> float:
        """Mean agent time on a machine that reaches an agent and is never released early."""
        return 0.5 * (self.machine_handling_low_s + self.machine_handling_high_s)


#: The dialer simulation's defaults (``dialer_sim.config.AgentsConfig``).
DEFAULT_AGENT_TIMES = AgentTimes()


def deadline_s(speech_start_s: np.ndarray) -> np.ndarray:
    """The Ofcom deadline from answer: speech start + 2 s, or 2 s after answer without speech."""
    start = np.asarray(speech_start_s, dtype=float)
    return np.where(np.isfinite(start), start, 0.0) + OFCOM_DEADLINE_S


def expected_agent_s(release_after_s: np.ndarray, times: AgentTimes = DEFAULT_AGENT_TIMES) -> np.ndarray:
    """``E[min(L, H)]`` with ``H ~ Uniform(low, high)``: agent time when released ``L`` s after connect.

    ``L = inf`` (never released by the detector) gives the mean handling time.

    Examples
    --------
    >>> expected_agent_s(np.array([1.0, 8.0, np.inf])).tolist()
    [1.0, 7.0, 8.0]
    """
    lo, hi = times.machine_handling_low_s, times.machine_handling_high_s
    release = np.maximum(np.asarray(release_after_s, dtype=float), 0.0)
    if hi == lo:
        return np.minimum(release, lo)
    inside = np.clip(release, lo, hi)
    # E[min(L, H)] = E[H; H < L] + L P(H >= L) for L in [lo, hi].
    mid = ((inside**2 - lo**2) / 2.0 + inside * (hi - inside)) / (hi - lo)
    return np.where(release <= lo, release, np.where(release >= hi, times.machine_handling_mean_s, mid))


def call_costs(
    truth: np.ndarray,
    label: np.ndarray,
    decided_at_s: np.ndarray,
    speech_start_s: np.ndarray,
    *,
    policy: str,
    times: AgentTimes = DEFAULT_AGENT_TIMES,
) -> pd.DataFrame:
    """The outcome and cost of every call under one dialer policy.

    Parameters
    ----------
    truth : array of {'human', 'machine'}
    label : array of {'human', 'machine', 'notsure'}
    decided_at_s : array of float [s from answer]
    speech_start_s : array of float [s from answer], NaN when the callee never speaks
    policy : {'hangup', 'connect_at_deadline'}
    times : AgentTimes

    Returns
    -------
    pandas.DataFrame
        One row per call: ``deadline_s``, ``connect_s`` (NaN when hung up before an agent),
        ``hung_up_human``, ``late_human``, ``abandoned_human`` (either), ``machine_no_agent``
        (bool, False for humans), ``agent_s`` (expected agent-seconds; 0 for humans) and
        ``connect_from_speech_s`` (humans put through, NaN otherwise or without speech).
    """
    if policy not in POLICIES:
        raise ValueError(f"`policy` must be one of {POLICIES}; got {policy!r}.")
    truth, label = np.asarray(truth), np.asarray(label)
    at = np.asarray(decided_at_s, dtype=float)
    start = np.asarray(speech_start_s, dtype=float)
    deadline = deadline_s(start)
    is_h, is_m = truth == "human", truth == "machine"
    says_m = label == "machine"
    if policy == "hangup":
        hang_up = says_m
        connect = np.where(says_m, np.nan, at)
        release_after = np.full(at.shape, np.inf)
        hung_up_h = is_h & says_m
    else:
        early = at <= deadline
        hang_up = says_m & early
        connect = np.where(hang_up, np.nan, np.where(early, at, deadline))
        late_m = says_m & ~early
        release_after = np.where(late_m, at - deadline, np.inf)
        hung_up_h = is_h & (hang_up | (late_m & (at - deadline < times.human_recognition_s)))
    reached = ~hang_up
    agent = np.where(is_m & reached, expected_agent_s(release_after, times), 0.0)
    late_h = is_h & ~hung_up_h & (connect > deadline + 1e-9)
    through = is_h & ~hung_up_h
    return pd.DataFrame(
        {
            "deadline_s": deadline,
            "connect_s": connect,
            "hung_up_human": hung_up_h,
            "late_human": late_h,
            "abandoned_human": hung_up_h | late_h,
            "machine_no_agent": is_m & hang_up,
            "agent_s": agent,
            "connect_from_speech_s": np.where(through & np.isfinite(start), connect - start, np.nan),
        }
    )


def _rate_ci(hit: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Weighted share with its 95 % Wilson interval at the Kish effective size (``amd.metrics``)."""
    from amd.metrics import _weighted_rate

    return _weighted_rate(hit, w)


def _mean_ci(values: np.ndarray, kinds: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Post-stratified mean with a 95 % t interval: ``Var = sum_k W_k^2 s_k^2 / n_k``.

    ``W_k`` is kind *k*'s share of the weight, ``s_k`` its sample standard deviation; degrees
    of freedom are the Kish effective size minus one.
    """
    from scipy.stats import t as student_t

    total = float(w.sum())
    if values.size == 0 or total <= 0:
        return (math.nan, math.nan, math.nan)
    mean = float((w * values).sum() / total)
    var = 0.0
    for kind in np.unique(kinds):
        sel = kinds == kind
        share = float(w[sel].sum()) / total
        if sel.sum() > 1 and share > 0:
            var += share * share * float(np.var(values[sel], ddof=1)) / int(sel.sum())
    n_eff = total * total / float((w * w).sum())
    if n_eff < 2:
        return (mean, math.nan, math.nan)
    half = float(student_t.ppf(0.975, n_eff - 1.0)) * math.sqrt(var)
    return (mean, max(0.0, mean - half), mean + half)


def _weighted_median(values: np.ndarray, w: np.ndarray) -> float:
    from amd.metrics import _weighted_quantile

    keep = np.isfinite(values) & (w > 0)
    return _weighted_quantile(values[keep], w[keep], 0.5) if keep.any() else math.nan


def cost_figures(
    calls: pd.DataFrame, costs: pd.DataFrame, *, kind_weights: dict[str, float] | None = None
) -> dict[str, float]:
    """Figures of merit of one detector under one policy, with 95 % intervals.

    Parameters
    ----------
    calls : pandas.DataFrame
        Columns ``truth`` and ``kind`` (one row per call, aligned with ``costs``).
    costs : pandas.DataFrame
        The output of ``call_costs`` for the same calls.
    kind_weights : dict[str, float] or None
        Population share of each answer kind: each call of kind *k* weighs ``W_k / n_k``
        (post-stratified, as ``amd.metrics.evaluate_weighted``). ``None`` weighs every call
        equally (the corpus's own mix).

    Returns
    -------
    dict[str, float]
        ``amd_abandonment`` (humans hung up on or connected after the deadline, over live
        answers), ``hung_up_human_rate``, ``late_human_rate``, ``agent_s_per_machine``
        (expected agent-seconds per machine answer), ``p_machine_no_agent``, each main figure
        with ``_ci95_low`` / ``_ci95_high``; ``human_connect_from_speech_median_s``;
        ``n_human``, ``n_machine`` (calls) and ``n_eff_human``, ``n_eff_machine``. The
        agent-seconds interval is a t interval: on the corpus mix the plain one, under an
        answer mix the post-stratified one (a kind with one call adds no variance).
    """
    kinds = calls["kind"].to_numpy().astype(str)
    truth = calls["truth"].to_numpy()
    if kind_weights is None:
        w = np.ones(len(calls))
    else:
        n_k = pd.Series(kinds).value_counts().to_dict()
        w = np.array([float(kind_weights.get(k, 0.0)) / n_k[k] for k in kinds])
    out: dict[str, float] = {}
    is_h, is_m = truth == "human", truth == "machine"
    for name, mask, column in (
        ("amd_abandonment", is_h, "abandoned_human"),
        ("p_machine_no_agent", is_m, "machine_no_agent"),
    ):
        p, low, high = _rate_ci(costs[column].to_numpy(bool)[mask], w[mask])
        out.update({name: p, f"{name}_ci95_low": low, f"{name}_ci95_high": high})
    for name, column in (("hung_up_human_rate", "hung_up_human"), ("late_human_rate", "late_human")):
        out[name] = _rate_ci(costs[column].to_numpy(bool)[is_h], w[is_h])[0]
    strata = kinds if kind_weights is not None else np.zeros(len(kinds), dtype=int)  # one stratum
    mean, low, high = _mean_ci(costs["agent_s"].to_numpy(float)[is_m], strata[is_m], w[is_m])
    out.update(
        {
            "agent_s_per_machine": mean,
            "agent_s_per_machine_ci95_low": low,
            "agent_s_per_machine_ci95_high": high,
        }
    )
    out["human_connect_from_speech_median_s"] = _weighted_median(
        costs["connect_from_speech_s"].to_numpy(float)[is_h], w[is_h]
    )
    for cls, mask in (("human", is_h), ("machine", is_m)):
        wc = w[mask]
        out[f"n_{cls}"] = float(mask.sum())
        out[f"n_eff_{cls}"] = float(wc.sum() ** 2 / (wc * wc).sum()) if wc.sum() > 0 else 0.0
    return out
