"""Streaming features over a growing window of answered-call audio (the learned detector's input).

The implementation lives beside the detectors that use it (``amd.detectors._features``),
so that ``amd.detectors`` depends on nothing above it; this module is its public name.
See ``amd.detectors._features`` for the feature definitions and their conventions.
"""

from __future__ import annotations

from amd.detectors._features import (
    FEATURE_NAMES,
    N_FFT,
    N_MFCC,
    FeatureStream,
    feature_trajectory,
    frame_spectral,
)

__all__ = ["FEATURE_NAMES", "N_FFT", "N_MFCC", "FeatureStream", "feature_trajectory", "frame_spectral"]
