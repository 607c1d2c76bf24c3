"""Upper bounds on every size, count, rate and duration a user can ask for.

A configuration, sweep or experiment file is a few bytes; without an upper bound
``n_numbers = 1000000000`` asks for gigabytes before the first call is placed.
Each bound is checked when the value is read, before anything is allocated, and
breaking it is the usual one-line error naming the field, the rule and the value.
The bounds are generous: each is about a hundred times what a real campaign uses
(docs/model.md, docs/screening.md and docs/sweeps.md list them per setting).
"""

from __future__ import annotations

__all__: list[str] = []

#: Numbers on one calling list (10 million: a national list; per-number state is about 190 bytes, 290 past day 256).
MAX_NUMBERS = 10_000_000
#: Shifts, or calendar days of a list campaign (ten years).
MAX_DAYS = 3_660
#: Attempts at one number in a plain campaign.
MAX_ATTEMPTS = 1_000
#: Agents of one campaign.
MAX_AGENTS = 10_000
#: Calls of one open-loop validation run.
MAX_CALLS = 10_000_000
#: Any duration a campaign step can take (ring timeout, window, message), seconds (one hour).
MAX_STEP_S = 3_600.0
#: Any other duration (gaps, distribution parameters, talk times), seconds (366 days).
MAX_DURATION_S = 366 * 86_400.0
#: Poisson arrival rate of an open-loop run, calls per second.
MAX_ARRIVAL_RATE_PER_S = 10_000.0
#: Shape parameters of the duration distributions.
MAX_SIGMA = 10.0
MAX_CV = 100.0
MAX_MIXTURE_COMPONENTS = 100
#: Sweeps: replications per point, points, and runs (points x replications).
MAX_REPLICATIONS = 10_000
MAX_POINTS = 10_000
MAX_RUNS = 1_000_000
#: Worker processes of a sweep or experiment.
MAX_WORKERS = 256
#: Seeds are 64-bit unsigned integers (numpy SeedSequence entropy of one word).
MAX_SEED = 2**63 - 1
#: TOML input files (configs, sweeps, experiment tables): size in bytes and nesting depth.
MAX_TOML_BYTES = 1_048_576
MAX_TOML_DEPTH = 20


def shown(value: object) -> str:
    """``repr(value)`` cut to one short line, so a huge or deeply nested bad value stays a one-line message."""
    import reprlib

    r = reprlib.Repr()
    r.maxstring, r.maxother, r.maxlist, r.maxdict, r.maxlevel = 80, 80, 8, 8, 3
    return " ".join(r.repr(value).split())


def key_shown(key: object) -> str:
    """A key as written in a dotted field name, or its ``repr`` when it holds spaces, newlines or odd characters."""
    text = str(key)
    plain = isinstance(key, str) and text != "" and all(c.isalnum() or c in "_-" for c in text) and text.isascii()
    return text if plain else shown(key)
