"""The detector contract: ``Decision``, the streaming protocol and the ``Detector`` base class.

Every detector is an estimator-like object: keyword-only constructor parameters
stored unmodified as same-named attributes, and a pure, deterministic ``detect(audio, sr)``.
Each detector is at heart a *streaming* state machine fed one 20 ms packet at a time, as a
dialer's media path delivers audio; ``detect`` is defined as running that stream over the
packets of a recording, so the offline and the streaming answers are the same by construction
(and a contract test checks it for every detector).

Conventions
-----------
- ``audio : np.ndarray [shape=(n_samples,), dtype=float]`` in [-1, 1] at ``sr = 8000`` Hz;
  other rates raise ``AudioError`` (nothing is resampled implicitly; use
  ``amd.load_audio(path, sr=8000)``).
- Packets are ``FRAME_S = 0.02`` s (160 samples); a trailing partial packet is ignored.
- ``decided_at_s`` is seconds from the start of the audio (the moment of answer) to the end of
  the packet on which the decision was taken.
- Labels are ``'human' | 'machine' | 'notsure'``; ``score`` is P(machine) or ``None``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from amd.audio import AudioError, check_audio, frames
from callvocab import AMD_LABELS as LABELS  # re-exported: the label vocabulary

__all__ = ["FRAME_S", "LABELS", "SR_HZ", "Decision", "Detector", "DetectorStream"]

#: Sample rate every detector works at, in Hz (narrow-band telephony).
SR_HZ = 8000
#: Packet length in seconds (the usual RTP packetisation, 160 samples at 8 kHz).
FRAME_S = 0.02


@dataclass(frozen=True)
class Decision:
    """The answer of a detector for one call.

    Parameters
    ----------
    label : {'human', 'machine', 'notsure'}
    score : float in [0, 1] or None
        Probability (or calibrated confidence) that the callee is a machine; ``None`` for rule
        detectors that have no score.
    decided_at_s : float >= 0 [s]
        Time from the start of the audio (answer) at which the decision was available.
    cause : str
        Short machine-readable reason, e.g. Asterisk's ``AMDCAUSE`` (``"HUMAN-800-800"``).
    """

    label: str
    score: float | None
    decided_at_s: float
    cause: str = ""

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"`label` must be one of {LABELS}; got {self.label!r}.")
        if self.score is not None and not 0.0 <= self.score <= 1.0:
            raise ValueError(f"`score` must be in [0, 1] or None; got {self.score!r}.")
        if not self.decided_at_s >= 0.0:
            raise ValueError(f"`decided_at_s` must be >= 0 s; got {self.decided_at_s!r}.")


class DetectorStream:
    """One call's detector state, fed 20 ms packets in order.

    Subclasses implement ``_step(frame) -> Decision | None`` and ``_at_end() -> Decision``; this
    class counts packets (so ``elapsed_s`` is the media time so far) and refuses packets after
    a decision.
    """

    def __init__(self) -> None:
        self.n_frames = 0
        self.decision: Decision | None = None
        #: True while every sample so far equals the first one: digital silence or pure DC, no line at all.
        self.flat = True
        self._level = 0.0

    @property
    def elapsed_s(self) -> float:
        """Media time consumed so far, in seconds from the start of the audio."""
        return round(self.n_frames * FRAME_S, 6)

    def push(self, frame: np.ndarray) -> Decision | None:
        """Consume one 20 ms packet; return the decision if it was taken on this packet.

        Parameters
        ----------
        frame : np.ndarray [shape=(160,), dtype=float]

        Raises
        ------
        AudioError
            The packet has the wrong length.
        RuntimeError
            A decision was already returned by this stream.
        """
        if self.decision is not None:
            raise RuntimeError("this stream has already decided; start a new stream per call.")
        if frame.shape != (FRAME_N_SAMPLES,):
            raise AudioError(f"`frame` must have shape ({FRAME_N_SAMPLES},); got {frame.shape}.")
        if self.n_frames == 0:
            self._level = frame[0]
        self.flat = self.flat and bool(np.all(frame == self._level))
        self.n_frames += 1
        self.decision = self._step(frame)
        return self.decision

    def finish(self) -> Decision:
        """The decision when the audio ends: the one already taken, or the end-of-audio answer."""
        if self.decision is None:
            self.decision = self._at_end()
        return self.decision

    def _step(self, frame: np.ndarray) -> Decision | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _at_end(self) -> Decision:
        return Decision("notsure", None, self.elapsed_s, "HANGUP")

    def _silence(self, label: str) -> Decision:
        """The decision for a line with no speech: ``label`` (cause SILENCE), or ``notsure`` (cause
        NOSIGNAL) when every sample so far is the same value. A telephone line always carries some
        noise, so a constant signal (digital silence or DC) is a muted channel or a broken
        recording: there is nothing to decide on."""
        if self.flat:
            return Decision("notsure", None, self.elapsed_s, "NOSIGNAL")
        return Decision(label, None, self.elapsed_s, "SILENCE")


FRAME_N_SAMPLES = int(round(FRAME_S * SR_HZ))


class Detector:
    """Base class: parameter introspection, validation hook and ``detect`` via the stream."""

    #: Registry name of the detector.
    name: ClassVar[str] = ""

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters and their current values (sklearn ``get_params`` style)."""
        sig = inspect.signature(type(self).__init__)
        return {p: getattr(self, p) for p in sig.parameters if p != "self"}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def stream(self, sr: int) -> DetectorStream:
        """A fresh streaming state for one call at ``sr`` Hz (must be 8000)."""
        check_sr(sr)
        self._validate()
        return self._make_stream()

    def detect(self, audio: np.ndarray, sr: int) -> Decision:
        """Classify one answered call.

        Parameters
        ----------
        audio : np.ndarray [shape=(n_samples,), dtype=float]
            The callee's audio from the moment of answer.
        sr : int [Hz]
            Must be 8000.

        Returns
        -------
        Decision
            Identical to feeding ``amd.frames(audio, sr)`` to ``self.stream(sr)`` packet by
            packet and calling ``finish()`` at the end.
        """
        check_audio(audio, sr)
        stream = self.stream(sr)
        for frame in frames(audio, sr, frame_s=FRAME_S):
            decision = stream.push(frame)
            if decision is not None:
                return decision
        return stream.finish()

    def _validate(self) -> None:
        """Check the parameters; raise ``ValueError`` naming the parameter. Overridden."""

    def _make_stream(self) -> DetectorStream:  # pragma: no cover - abstract
        raise NotImplementedError


def check_sr(sr: int) -> None:
    """Raise ``AudioError`` unless ``sr`` is the telephone rate the detectors work at."""
    check_audio(np.zeros(1), sr)
    if sr != SR_HZ:
        raise AudioError(
            f"`sr` must be {SR_HZ} Hz for the detectors; got {sr} (load with amd.load_audio(path, sr={SR_HZ}))."
        )


def require(ok: bool, name: str, rule: str, value: object) -> None:
    """Raise ``ValueError("`name` must be rule; got value.")`` unless ``ok``."""
    if not ok:
        raise ValueError(f"`{name}` must be {rule}; got {value!r}.")
