"""The answer mix: how often each answer kind picks up a real campaign's answered calls.

The corpus has about the same number of clips of every answer kind, so that rare kinds are
measured at all. A regulator or a dialer operator needs the rates a campaign would see, where
short "Hello?" answers far outnumber long business greetings. ``amd.metrics.evaluate_weighted``
post-stratifies the per-kind results by an answer mix to give those rates.

``DEFAULT_ANSWER_MIX`` (defined in ``callvocab`` and re-exported here) is the mix the dialer
simulation assumes for answered calls (``answer.kind_weights``; about half machines, from the
40-70 % voicemail share of connected calls in ``docs/sources.md`` §4.10; the split inside each
truth class is the project's assumption, documented in docs/model.md). A user can give their
own mix as a JSON or TOML table of ``kind = weight`` (``amd-bench run --answer-mix FILE``).

Conventions
-----------
Weights are non-negative shares; they need not sum to 1 (they are normalised), and a kind
left out has weight 0. Each truth class needs a positive total.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from callvocab import ANSWER_KINDS, DEFAULT_ANSWER_MIX, TRUTH_LABELS, TRUTH_OF_KIND

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["DEFAULT_ANSWER_MIX", "AnswerMixError", "check_answer_mix", "read_answer_mix"]

#: Largest answer-mix file read, in bytes (a mix is nine lines).
MAX_MIX_FILE_BYTES = 65_536


class AnswerMixError(ValueError):
    """An answer mix with an unknown kind, a bad weight or an empty truth class."""


def _short(value: object) -> str:
    """A bad value shown on one short line."""
    text = " ".join(repr(value).split())
    return text if len(text) <= 120 else text[:117] + "..."


def check_answer_mix(mix: Mapping[str, float]) -> dict[str, float]:
    """The mix normalised to sum 1, every kind present; raises ``AnswerMixError`` if invalid."""
    if not isinstance(mix, Mapping) or not mix:
        raise AnswerMixError(f"answer mix must be a non-empty table of kind = weight; got {_short(mix)}.")
    for kind, weight in mix.items():
        if kind not in ANSWER_KINDS:
            raise AnswerMixError(f"answer mix kind must be one of {ANSWER_KINDS}; got {_short(kind)}.")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise AnswerMixError(f"answer mix `{kind}` must be a finite number; got {_short(weight)}.")
        if weight < 0:
            raise AnswerMixError(f"answer mix `{kind}` must be >= 0; got {weight!r}.")
    for truth in TRUTH_LABELS:
        if sum(float(w) for k, w in mix.items() if TRUTH_OF_KIND[k] == truth) <= 0:
            raise AnswerMixError(
                f"answer mix must give the {truth} kinds a positive total weight; got {_short(mix)}."
            )
    total = sum(float(w) for w in mix.values())
    return {kind: float(mix.get(kind, 0.0)) / total for kind in ANSWER_KINDS}


def read_answer_mix(path: str | os.PathLike[str]) -> dict[str, float]:
    """Read and check an answer mix from a ``.json`` or ``.toml`` file (a table of kind = weight)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_MIX_FILE_BYTES:
            raise AnswerMixError(f"answer mix file {p} must be at most {MAX_MIX_FILE_BYTES} bytes; "
                                 f"got {p.stat().st_size}.")
        raw = p.read_bytes()
    except OSError as exc:
        raise AnswerMixError(f"answer mix file {p} cannot be read: {exc.strerror or exc}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8")) + 1
        raise AnswerMixError(f"answer mix file {p} must be UTF-8 text; line {line}, column {column} holds "
                             f"byte 0x{raw[exc.start]:02x}.") from None
    try:
        data = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise AnswerMixError(
            f"answer mix file {p} is not valid {p.suffix.lstrip('.') or 'JSON'}: {exc}."
        ) from None
    except RecursionError:
        raise AnswerMixError(f"answer mix file {p} must be a flat table of kind = weight; got nesting deeper "
                             "than the parser can follow.") from None
    return check_answer_mix(data)
