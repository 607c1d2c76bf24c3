"""Answering-machine detection as the simulation sees it.

The simulation never listens to audio. For each answered call it asks an AMD
model for a label (``human``, ``machine``, ``notsure``) and the instant it was
decided. Two implementations share one small interface (docs/architecture.md):

- :class:`ParametricAmd`: per answer kind, label probabilities and a decision
  delay after speech start (after answer for kinds that do not speak).
- :class:`EmpiricalAmd`: samples one measured clip of the same kind from the
  behaviour table written by the AMD benchmark, so the call's speech start,
  greeting end and decision come from the same recording.

Conventions
-----------
Offsets are seconds from the moment of answer; NaN means "did not happen"
(no speech) or "take it from the answer model" (parametric timings).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from callvocab import read_behaviour_table

from ..config._dialer import AmdConfig
from ..errors import ConfigError
from ._draws import Block

__all__ = ["AmdDecision", "EmpiricalAmd", "ParametricAmd", "load_behaviour_table", "make_amd"]

NAN = math.nan

# (label, decided_offset_s, speech_start_offset_s, greeting_end_offset_s)
AmdDecision = tuple[str, float, float, float]


class ParametricAmd:
    """Confusion rates per kind plus a decision-delay distribution (AmdConfig)."""

    provides_timing = False

    def __init__(self, config: AmdConfig, *, rng: np.random.Generator):
        self._u = Block.uniform(rng)
        self._after_speech = Block.of(config.delay_after_speech_s, rng)
        self._no_speech = Block.of(config.delay_no_speech_s, rng)
        self._cum = {k: (row[0], row[0] + row[1]) for k, row in config.confusion.items()}

    def decide(self, kind: str, speech_start_offset_s: float) -> AmdDecision:
        """Label and decision offset for a call of ``kind`` whose speech starts at the given offset."""
        p_h, p_hm = self._cum[kind]
        u = self._u()
        label = "human" if u < p_h else ("machine" if u < p_hm else "notsure")
        if speech_start_offset_s == speech_start_offset_s:  # not NaN: the callee speaks
            decided = speech_start_offset_s + self._after_speech()
        else:
            decided = self._no_speech()
        return label, decided, NAN, NAN


def load_behaviour_table(path: str | Path) -> pd.DataFrame:
    """Read and check an AMD behaviour table (CSV or Parquet): ``callvocab.read_behaviour_table``.

    Raises
    ------
    ConfigError
        Missing, empty or unreadable file, missing columns, unknown kinds or
        labels, negative or missing decision times.
    """
    return read_behaviour_table(path, where="amd.table_path", error=ConfigError)


class EmpiricalAmd:
    """Samples measured (label, decision, speech timing) rows of the same kind."""

    provides_timing = True

    def __init__(self, config: AmdConfig, *, rng: np.random.Generator, kinds_needed: set[str]):
        df = config.behaviour_table().frame
        missing = sorted(k for k in kinds_needed if k not in set(df["kind"]))
        if missing:
            raise ConfigError(
                f"amd.table_path has no clip of kind {missing[0]!r}, which answer.kind_weights can produce."
            )
        self._u = Block.uniform(rng)
        self._rows: dict[str, list[AmdDecision]] = {}
        for kind, g in df.groupby("kind", sort=True):
            rows = zip(g["label"], g["decided_at_s"], g["speech_start_s"], g["greeting_end_s"], strict=True)
            self._rows[str(kind)] = list(rows)

    def decide(self, kind: str, speech_start_offset_s: float) -> AmdDecision:
        """One measured clip of ``kind``, drawn uniformly."""
        rows = self._rows[kind]
        return rows[int(self._u() * len(rows))]


def make_amd(config: AmdConfig, *, rng: np.random.Generator, kinds_needed: set[str]):
    """The AMD model of ``config`` (None when ``mode = 'off'``)."""
    if config.mode == "off":
        return None
    if config.mode == "parametric":
        return ParametricAmd(config, rng=rng)
    return EmpiricalAmd(config, rng=rng, kinds_needed=kinds_needed)
