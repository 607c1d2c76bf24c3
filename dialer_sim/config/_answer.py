"""Configuration of what a dial meets: the network's outcome, who answers and how, and AMD.

Part of the campaign configuration (``dialer_sim.config`` re-exports every class).
``AmdConfig.table_path`` names the AMD behaviour table, or holds it in memory (a
``callvocab.BehaviourTable`` or a pandas DataFrame); a run's ``config.json``
records the table's content hash and row count (``table_record``).

Conventions
-----------
- Times are seconds from the dial or the answer; probabilities are ``p_*`` in [0, 1].
- Every default cites its source in docs/sources.md (by section).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from callvocab import ANSWER_KINDS, DEFAULT_ANSWER_MIX, BehaviourTable

from .. import _limits as lim
from ..errors import ConfigError
from ._distributions import Dist
from ._rules import _check, _d, _pos, _prob

__all__ = ["AmdConfig", "AnswerConfig", "NetworkConfig", "check_table_record", "table_record"]

#: Keys a recorded ``[amd]`` section adds for the behaviour table (``table_record``).
TABLE_RECORD_KEYS = ("table_sha256", "table_rows")


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
    ``kind_weights`` must sum to 1; the default is ``callvocab.DEFAULT_ANSWER_MIX``,
    about half machines (the voicemail share of connected calls, docs/sources.md
    §4.3). ``timing[kind]`` gives ``speech_start_s``
    (answer → first speech) and ``greeting_s`` (length of the first greeting);
    ``never`` for kinds that do not speak (``human_silent``, ``fax``).
    """

    p_pickup: float = 0.75
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ANSWER_MIX))
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

    ``table_path`` is a path to the table (CSV or Parquet), or, from Python, the
    table itself: a ``callvocab.BehaviourTable`` or a pandas DataFrame, which is
    checked and stored as a ``BehaviourTable``. With ``mode = "empirical"`` a
    path is read and checked when the config is made, so a run samples the
    table as it was then; :meth:`behaviour_table` returns it, and
    :func:`table_record` gives its content hash and row count for the run's
    record (``config.json``).

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
    table_path: str | os.PathLike[str] | BehaviourTable | pd.DataFrame | None = None
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
        self._resolve_table()
        if self.mode == "parametric":
            missing = sorted(set(ANSWER_KINDS) - set(self.confusion))
            _check(not missing, "amd.confusion", "a row for every answer kind (missing shown)", missing)
            for kind, row in self.confusion.items():
                _check(kind in ANSWER_KINDS, "amd.confusion keys", f"answer kinds {list(ANSWER_KINDS)}", kind)
                _check(len(row) == 3, f"amd.confusion.{kind}", "[p_human, p_machine, p_notsure]", row)
                for p in row:
                    _prob(f"amd.confusion.{kind}", p)
                _check(abs(sum(row) - 1.0) < 1e-6, f"amd.confusion.{kind}", "probabilities that sum to 1", row)

    def _resolve_table(self) -> None:
        """Check ``table_path``; a DataFrame becomes a BehaviourTable, and in empirical mode a path is read."""
        value = self.table_path
        _check(value is None or isinstance(value, (str, os.PathLike, BehaviourTable, pd.DataFrame)), "amd.table_path",
               "a path string or a behaviour table", value)
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
            _check(isinstance(value, str), "amd.table_path", "a path string", value)
        elif isinstance(value, pd.DataFrame):
            value = BehaviourTable(value, where="amd.table_path", error=ConfigError)
        object.__setattr__(self, "table_path", value)
        table = value if isinstance(value, BehaviourTable) else None
        if self.mode == "empirical":
            _check(value is not None and value != "", "amd.table_path",
                   "a path to a behaviour table when amd.mode = 'empirical'", value)
            if table is None:
                table = BehaviourTable.read(value, where="amd.table_path", error=ConfigError)
        object.__setattr__(self, "_table", table if self.mode == "empirical" else None)

    def behaviour_table(self) -> BehaviourTable | None:
        """The behaviour table an empirical run samples (None in the other modes)."""
        return self._table


def table_record(amd: AmdConfig) -> dict[str, Any]:
    """``{"table_sha256": ..., "table_rows": ...}`` of the sampled behaviour table; empty without one.

    The hash is ``callvocab.behaviour_sha256``: SHA-256 of the table's canonical text.
    """
    table = amd.behaviour_table()
    return {} if table is None else table.record()


def check_table_record(amd: AmdConfig, record: Mapping[str, Any]) -> None:
    """Check that a config's behaviour table is the one its record names.

    Raises
    ------
    ConfigError
        The record gives a content hash or row count and the table's differ (the
        file changed since the run).
    """
    actual = table_record(amd)
    for key, value in record.items():
        if actual and value != actual[key]:
            raise ConfigError(f"amd.{key} must match the table amd.table_path names ({actual[key]!r}); got "
                              f"{value!r}: the table is not the one the run used.")
