"""Detector names, including the ``best`` alias recorded next to the shipped model.

Conventions
-----------
Names are lower-case strings; ``best`` resolves to the detector named in
``amd/models/best.json`` (written from the benchmark's ``best.json`` on the test split).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from amd.detectors._base import Detector

BEST_PATH = Path(__file__).resolve().parent.parent / "models" / "best.json"
DETECTOR_NAMES = ("asterisk", "beep", "vad", "learned", "words", "best")


def _classes() -> dict[str, type[Detector]]:
    from amd.detectors.asterisk import AsteriskAmd
    from amd.detectors.beep import BeepDetector
    from amd.detectors.learned import LearnedDetector
    from amd.detectors.vad import VadDetector
    from amd.detectors.words import WordsDetector

    return {
        "asterisk": AsteriskAmd,
        "beep": BeepDetector,
        "vad": VadDetector,
        "learned": LearnedDetector,
        "words": WordsDetector,
    }


def best_detector_name() -> str:
    """The concrete detector that ``best`` stands for (from ``amd/models/best.json``)."""
    with open(BEST_PATH, encoding="utf-8") as fh:
        return str(json.load(fh)["detector"])


def make_detector(name: str, **params: Any) -> Detector:
    """Build a detector by registry name.

    Parameters
    ----------
    name : str
        One of ``DETECTOR_NAMES``.
    **params
        Keyword parameters of the detector class.

    Raises
    ------
    ValueError
        Unknown name, or a parameter outside its range. The registry is the boundary where
        users name detectors and parameters (CLI, sweeps), so parameters are checked here at
        once; a detector built directly is checked when it first listens (sklearn style).
    """
    if name not in DETECTOR_NAMES:
        raise ValueError(f"`detector` must be one of {', '.join(DETECTOR_NAMES)}; got {name!r}.")
    concrete = best_detector_name() if name == "best" else name
    detector = _classes()[concrete](**params)
    detector._validate()
    return detector
