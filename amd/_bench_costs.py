"""The benchmark's cost tables, the rule that names ``best`` and the targets check.

``cost_tables`` prices every detector's test-split decisions under every dialer policy
(``amd.costs``), on the seen languages, the held-out ones and both, once with every clip
weighted alike (the equal-kind corpus) and once post-stratified by the answer mix. The classic
figures (human FP, machine miss, median human latency from speech start, RTF) of the same part
sit on the same row.

Conventions
-----------
Rates in [0, 1]; agent time in seconds per machine answer; the deadline is Ofcom's 2 s from
speech start (``amd.costs``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from amd.costs import DEFAULT_AGENT_TIMES, POLICIES, call_costs, cost_figures
from amd.metrics import evaluate, evaluate_weighted
from callvocab import TRUTH_OF_KIND

#: Parts of the test split: everything, the training languages, and the held-out languages.
PARTS = ("all", "seen", "heldout")
#: AMD-caused abandonment a best detector may cause, as a share of live answers.
ABANDONMENT_TARGET = 0.005
#: A detector that passes at least this share of machines to agents is never best.
MAX_MACHINES_TO_AGENTS = 2.0 / 3.0
BEST_POLICY = "connect_at_deadline"
BEST_RULE = (
    "under the answer mix, connect_at_deadline policy, seen-language test clips: among detectors that "
    "keep more than 1/3 of machines from agents, those whose AMD-caused abandonment (humans hung up on "
    "plus humans connected after Ofcom's 2 s from speech start, over live answers) is <= 0.5 %; of "
    "these the one with the fewest agent-seconds per machine answer (ties: lower abandonment). If no "
    "detector meets this rule (meets_rule false), people come first: the fewest agent-seconds among "
    "detectors within the abandonment target whatever share of machines they pass to agents, and if "
    "none is within target, the lowest abandonment."
)
_CLASSIC = ("human_fp_rate", "machine_miss_rate", "human_latency_from_speech_median_s")


def _part(res: pd.DataFrame, part: str) -> pd.DataFrame:
    if part == "all":
        return res
    group = res["group"] if "group" in res else pd.Series("seen", index=res.index)
    return res[group.fillna("seen") == part]


def _classic(g: pd.DataFrame, mix: dict[str, float] | None) -> dict[str, float]:
    kwargs = {
        "estimated_decided_at_s": g["decided_at_s"].to_numpy(float),
        "reference_speech_start_s": g["speech_start_s"].to_numpy(float),
    }
    if mix is None:
        m = evaluate(g["truth"].to_numpy(), g["label"].to_numpy(), **kwargs)
    else:
        m = evaluate_weighted(
            g["truth"].to_numpy(),
            g["label"].to_numpy(),
            kinds=g["kind"].to_numpy(),
            kind_weights=mix,
            truth_of_kind=TRUTH_OF_KIND,
            **kwargs,
        )
    return {k: m[k] for k in _CLASSIC}


def cost_tables(
    res_all: pd.DataFrame, metrics: pd.DataFrame, mix: dict[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``costs.csv`` (every clip alike) and ``costs_answer_mix.csv`` (post-stratified by ``mix``).

    One row per (detector, policy, part) with a part that has both humans and machines.
    """
    rtf = metrics.set_index("detector")["rtf"]
    tables: dict[str, list[dict]] = {"equal": [], "mix": []}
    for name, res in res_all.groupby("detector", sort=False):
        for part in PARTS:
            g = _part(res, part)
            if set(g["truth"]) != {"human", "machine"}:
                continue
            for policy in POLICIES:
                c = call_costs(g["truth"], g["label"], g["decided_at_s"], g["speech_start_s"], policy=policy)
                c.index = g.index
                for key, weights in (("equal", None), ("mix", mix)):
                    tables[key].append(
                        {
                            "detector": name,
                            "policy": policy,
                            "part": part,
                            **cost_figures(g, c, kind_weights=weights),
                            **_classic(g, weights),
                            "rtf": float(rtf[name]),
                        }
                    )
    return pd.DataFrame(tables["equal"]), pd.DataFrame(tables["mix"])


def choose_best(costs_mix: pd.DataFrame) -> dict:
    """The detector ``BEST_RULE`` picks, with the figures that decided it."""
    rows = costs_mix[
        (costs_mix["policy"] == BEST_POLICY)
        & (costs_mix["part"] == "seen")
        & ~costs_mix["detector"].str.startswith("best(")
    ]
    keeps = rows["p_machine_no_agent"] > 1.0 - MAX_MACHINES_TO_AGENTS
    within = rows["amd_abandonment"] <= ABANDONMENT_TARGET
    cheapest = ["agent_s_per_machine", "amd_abandonment"]
    if (keeps & within).any():
        pick, reason = rows[keeps & within].sort_values(cheapest, kind="stable").iloc[0], "rule"
    elif within.any():
        pick = rows[within].sort_values(cheapest, kind="stable").iloc[0]
        reason = "no detector within target keeps more than 1/3 of machines from agents"
    else:
        pick = rows.sort_values(["amd_abandonment", "agent_s_per_machine"], kind="stable").iloc[0]
        reason = "no detector is within the abandonment target"
    return {
        "detector": str(pick["detector"]),
        "meets_rule": reason == "rule",
        "why_not": None if reason == "rule" else reason,
        "within_target": bool(within[rows["detector"] == pick["detector"]].iloc[0]),
        "eligible": sorted(str(d) for d in rows.loc[keeps & within, "detector"]),
        "rule": BEST_RULE,
    }


def _figure(costs_mix: pd.DataFrame, detector: str, part: str, column: str) -> float:
    sel = costs_mix[
        (costs_mix["detector"] == detector)
        & (costs_mix["policy"] == BEST_POLICY)
        & (costs_mix["part"] == part)
    ]
    return float(sel[column].iloc[0]) if len(sel) else math.nan


def targets_check(costs_mix: pd.DataFrame, metrics: pd.DataFrame, best: str) -> pd.DataFrame:
    """Each target for ``best`` (connect_at_deadline, answer mix): its value, bound and verdict."""
    rows = []
    for part, min_no_agent in (("seen", 0.60), ("heldout", 0.40)):
        rows += [
            ("AMD-caused abandonment", part, _figure(costs_mix, best, part, "amd_abandonment"), "<=", 0.005),
            ("machines never reaching an agent", part, _figure(costs_mix, best, part, "p_machine_no_agent"), ">=",
             min_no_agent),
            ("agent-seconds per machine answer (s)", part, _figure(costs_mix, best, part, "agent_s_per_machine"),
             "<=", 1.5),
            ("median human put through, from speech start (s)", part,
             _figure(costs_mix, best, part, "human_connect_from_speech_median_s"), "<=", 0.8),
        ]  # fmt: skip
    for name, rtf in metrics.set_index("detector")["rtf"].items():
        if not str(name).startswith(("words", "best(")):  # the targets of cadence detectors
            rows.append((f"RTF of {name} (cadence)", "all", float(rtf), ">=", 1000.0))
    out = pd.DataFrame(rows, columns=["target", "part", "value", "op", "bound"])
    ok = np.where(out["op"] == "<=", out["value"] <= out["bound"], out["value"] >= out["bound"])
    out["met"] = ok & np.isfinite(out["value"])
    return out


def best_record(best: dict, costs_mix: pd.DataFrame, costs_eq: pd.DataFrame) -> dict:
    """``best.json``'s cost figures: per part and policy, under the mix and on the corpus."""
    keys = (
        "amd_abandonment",
        "amd_abandonment_ci95_low",
        "amd_abandonment_ci95_high",
        "agent_s_per_machine",
        "agent_s_per_machine_ci95_low",
        "agent_s_per_machine_ci95_high",
        "p_machine_no_agent",
        "p_machine_no_agent_ci95_low",
        "p_machine_no_agent_ci95_high",
        "human_connect_from_speech_median_s",
    )
    record = {}
    for label, table in (("under_answer_mix", costs_mix), ("equal_kinds", costs_eq)):
        sel = table[table["detector"] == best["detector"]]
        record[label] = {
            f"{r['policy']}/{r['part']}": {k: float(r[k]) for k in keys} for r in sel.to_dict("records")
        }
    record["agent_times"] = {
        "human_recognition_s": DEFAULT_AGENT_TIMES.human_recognition_s,
        "machine_handling_s": [
            DEFAULT_AGENT_TIMES.machine_handling_low_s,
            DEFAULT_AGENT_TIMES.machine_handling_high_s,
        ],
    }
    return record
