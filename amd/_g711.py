"""ITU-T G.711 companding: mu-law and A-law encode, decode and round trip (re-exported by ``amd.channel``).

Conventions
-----------
- ``audio : np.ndarray [shape=(n_samples,), dtype=float]`` in [-1, 1].
- G.711 codes are 8-bit ``np.uint8`` as transmitted on the line (mu-law with all bits inverted,
  A-law with even bits inverted).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from amd.audio import AudioError

__all__ = ["alaw_decode", "alaw_encode", "g711_roundtrip", "mulaw_decode", "mulaw_encode"]

# ITU-T G.711 (11/1988).
# Implemented from the segment/quantisation definition of G.711 Tables 1a/2a: the magnitude is
# split into 8 segments whose step size doubles from one to the next, 16 uniform steps per
# segment, decoded at the middle of each step. mu-law works on 14-bit linear samples (range
# +-8159 after the bias of 33), A-law on 13-bit samples (+-4096). Float full scale 1.0 maps to
# 8192 (mu-law) or 4096 (A-law) units, i.e. the 16-bit sample shifted right by 2 or 3 bits.
_MU_BIAS = 33
_MU_MAX = 8159 - 1  # largest magnitude before the bias pushes it out of segment 7 (8191)


def mulaw_encode(audio: np.ndarray) -> np.ndarray:
    """Encode float samples to G.711 mu-law codes (``np.uint8``; 0.0 -> 0xFF).

    Values beyond the mu-law range (|x| > 8158/8192) saturate to the largest code.
    """
    audio = np.asarray(audio, dtype=np.float64)
    linear = np.rint(audio * 8192.0)
    magnitude = np.minimum(np.abs(linear), _MU_MAX).astype(np.int64) + _MU_BIAS
    segment = np.floor(np.log2(magnitude)).astype(np.int64) - 5  # 33..63 -> 0, ..., 4096.. -> 7
    mantissa = (magnitude >> (segment + 1)) & 0x0F
    sign = (linear < 0).astype(np.int64) << 7
    return (~(sign | (segment << 4) | mantissa) & 0xFF).astype(np.uint8)


def mulaw_decode(codes: np.ndarray) -> np.ndarray:
    """Decode G.711 mu-law codes (``np.uint8``) to float samples at the middle of each step."""
    raw = ~np.asarray(codes, dtype=np.int64) & 0xFF
    segment = (raw >> 4) & 0x07
    magnitude = (((raw & 0x0F) << 1) + _MU_BIAS << segment) - _MU_BIAS
    return np.where(raw & 0x80, -magnitude, magnitude) / 8192.0


def alaw_encode(audio: np.ndarray) -> np.ndarray:
    """Encode float samples to G.711 A-law codes (``np.uint8``; 0.0 -> 0xD5).

    Values beyond the A-law range (|x| >= 1) saturate to the largest code.
    """
    audio = np.asarray(audio, dtype=np.float64)
    linear = np.floor(audio * 4096.0)  # A-law decision values sit on integers of the 13-bit scale
    negative = linear < 0
    magnitude = np.minimum(np.where(negative, -linear - 1, linear), 4095).astype(np.int64)
    segment = np.where(magnitude < 32, 0, np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int64) - 4)
    mantissa = np.where(segment == 0, magnitude >> 1, magnitude >> np.maximum(segment, 1)) & 0x0F
    sign = (~negative).astype(np.int64) << 7
    return ((sign | (segment << 4) | mantissa) ^ 0x55).astype(np.uint8)


def alaw_decode(codes: np.ndarray) -> np.ndarray:
    """Decode G.711 A-law codes (``np.uint8``) to float samples at the middle of each step."""
    raw = np.asarray(codes, dtype=np.int64) ^ 0x55
    segment = (raw >> 4) & 0x07
    step_middle = ((raw & 0x0F) << 1) + 1
    magnitude = np.where(segment == 0, step_middle, (step_middle + 32) << np.maximum(segment - 1, 0))
    return np.where(raw & 0x80, magnitude, -magnitude) / 4096.0


def g711_roundtrip(audio: np.ndarray, *, law: Literal["mulaw", "alaw"]) -> np.ndarray:
    """Encode ``audio`` to G.711 8-bit codes and decode them again (quantisation + saturation)."""
    if law == "mulaw":
        return mulaw_decode(mulaw_encode(audio))
    if law == "alaw":
        return alaw_decode(alaw_encode(audio))
    raise AudioError(f"`law` must be 'mulaw' or 'alaw'; got {law!r}.")
