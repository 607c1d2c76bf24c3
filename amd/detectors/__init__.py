"""Answering-machine detectors and their registry.

Every detector follows the contract of ``amd.detectors._base``: keyword-only parameters stored
as same-named attributes, a pure ``detect(audio, sr) -> Decision`` and an equivalent streaming
form fed 20 ms packets (``detector.stream(sr).push(frame)``).

Conventions
-----------
Audio at 8 kHz, mono float in [-1, 1]; ``decided_at_s`` in seconds from answer; labels
``'human' | 'machine' | 'notsure'``; ``score`` = P(machine) or ``None``.
"""

from amd.detectors._base import FRAME_S, LABELS, SR_HZ, Decision, Detector, DetectorStream
from amd.detectors._registry import DETECTOR_NAMES, best_detector_name, make_detector
from amd.detectors._whisper import WHISPER_MODELS, ModelPackageError, load_whisper
from amd.detectors.asterisk import AsteriskAmd
from amd.detectors.beep import (
    Beep,
    BeepDetector,
    BeepTracker,
    answer_tone_detector,
    find_beeps,
    goertzel_power,
)
from amd.detectors.learned import LearnedDetector
from amd.detectors.vad import SpeechTracker, VadDetector
from amd.detectors.words import WordsDetector

__all__ = [
    "DETECTOR_NAMES",
    "FRAME_S",
    "LABELS",
    "SR_HZ",
    "WHISPER_MODELS",
    "AsteriskAmd",
    "Beep",
    "BeepDetector",
    "BeepTracker",
    "Decision",
    "Detector",
    "DetectorStream",
    "LearnedDetector",
    "ModelPackageError",
    "SpeechTracker",
    "VadDetector",
    "WordsDetector",
    "answer_tone_detector",
    "best_detector_name",
    "find_beeps",
    "goertzel_power",
    "load_whisper",
    "make_detector",
]
