"""Whole-run fingerprints: the SHA-256 of everything a run produces, for a fixed set of configurations.

Used by ``tests/test_run_fingerprints.py`` to check that changes to the model's hot path give event-for-event the
same run (same draws, same records). Regenerate ``tests/data/run_fingerprints.json`` only when a change is meant to
change results:

    .venv/bin/python tests/run_fingerprints.py > tests/data/run_fingerprints.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import dialer_sim as ds
from dialer_sim.queueing.validation import VALIDATION_CASES, open_loop_config

CONFIGS = Path(__file__).resolve().parent.parent / "experiments" / "configs"
#: Every screening strategy, so each branch of the population's answer logic is taken.
MIXED = {"answer_all": 0.30, "screen_unknown": 0.15, "block_withheld": 0.10, "blocklist": 0.10,
         "silent_answer": 0.05, "screening_assistant": 0.10, "never_answer": 0.10, "change_number": 0.10}
_LIST = {"campaign.n_numbers": 2500, "campaign.n_shifts": 3, "population.strategy_mix": MIXED}

#: name -> (TOML under experiments/configs, overrides); "open_loop:<i>" is VALIDATION_CASES[i] with 4000 calls.
CASES = {
    "list_fixed_vicidial": ("screening_campaign.toml", _LIST),
    "list_rotating_leave_message": ("screening_campaign.toml", {
        **_LIST, "caller_id.policy": "rotating", "amd.machine_action": "leave_message",
        "blocklist.label_shown_to_all": False}),
    "list_withheld_amd_off_ratio": ("screening_campaign.toml", {
        **_LIST, "caller_id.policy": "withheld", "amd.mode": "off", "pacing.policy": "ratio"}),
    "list_connect_at_deadline_progressive": ("screening_campaign.toml", {
        **_LIST, "amd.undecided_action": "connect_at_deadline", "pacing.policy": "progressive",
        "abandon.drop_action": "message", "abandon.clock_start": "greeting_end"}),
    "list_erlang_hold_queue": ("screening_campaign.toml", {
        **_LIST, "pacing.policy": "erlang_predictive", "abandon.hold_queue": True}),
    "consent_cold": ("consent_campaign.toml", {"campaign.n_numbers": 2000, "campaign.n_shifts": 4}),
    "consent_lawful_mixed": ("consent_campaign.toml", {
        "campaign.n_numbers": 2000, "campaign.n_shifts": 4, "consent.mode": "lawful",
        "consent.p_express_opt_in": 0.85, "consent.p_customer": 0.15, "consent.customer_counts_as_consent": True,
        "population.strategy_mix": MIXED}),
    "ping_premium": ("ping_campaign.toml", {"campaign.n_numbers": 3000}),
    "probe_withheld": ("probe_range.toml", {"campaign.n_numbers": 1500, "campaign.n_shifts": 3}),
    "single_list_vicidial": ("predictive_campaign.toml", {"campaign.n_numbers": 4000}),
    "single_list_cisco_amd_off": ("predictive_campaign.toml", {
        "campaign.n_numbers": 4000, "pacing.policy": "cisco_gain", "amd.mode": "off"}),
    "open_loop:0": None,
    "open_loop:2": None,
    "open_loop:5": None,
}


def case_config(name: str):
    """The configuration of case ``name``."""
    if name.startswith("open_loop:"):
        return open_loop_config(VALIDATION_CASES[int(name.split(":")[1])], 4000)
    toml, overrides = CASES[name]
    return ds.apply_overrides(ds.load_config(CONFIGS / toml), overrides)


#: Floats enter the hash with 12 significant digits: a different draw, stream order or record changes them far more,
#: while a last-digit difference of another machine's libm (the smoke tables' tolerance) does not.
FLOAT_FORMAT = "%.12g"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _summary_text(summary: dict) -> str:
    return json.dumps({k: float(FLOAT_FORMAT % v) if isinstance(v, float) else v for k, v in summary.items()},
                      sort_keys=True, default=repr)


def fingerprint(name: str, seed: int = 7) -> dict[str, str]:
    """SHA-256 of the records, daily and numbers frames (CSV, floats to :data:`FLOAT_FORMAT`) and of the summary."""
    result = ds.run(case_config(name), seed, keep_records=True)
    out = {"records": _digest(result.records.to_csv(index=False, float_format=FLOAT_FORMAT)),
           "summary": _digest(_summary_text(result.summary))}
    for part in ("daily", "numbers"):
        frame = getattr(result, part)
        if frame is not None:
            out[part] = _digest(frame.to_csv(index=False, float_format=FLOAT_FORMAT))
    out["n_records"] = str(len(result.records))
    return out


if __name__ == "__main__":
    json.dump({name: fingerprint(name) for name in CASES}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
