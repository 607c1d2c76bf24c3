"""Learned detector: a logistic-regression classifier on growing-window features, decided early.

After the VAD finds the callee's speech onset, the classifier is evaluated on the
``amd.features`` vector every ``step_s`` (from ``first_decision_s`` after the onset). The
decision is taken as soon as P(machine) is confidently low (<= ``human_threshold``: HUMAN) or,
from ``machine_not_before_s`` after the onset, confidently high (>= ``machine_threshold``:
MACHINE); at ``max_decision_s`` after onset the final threshold decides. A HUMAN verdict is only
given before ``human_not_after_s`` (the 2 s deadline: later it would put nobody through sooner);
when the final threshold says "not a machine", the stream keeps listening for a beep or answer
tone until the audio ends, and answers HUMAN only then (``listen_for_tones_after_final``). A speech-based MACHINE
verdict therefore never comes before ``machine_not_before_s`` (3.2 s in the shipped model:
Ofcom's 2 s deadline, an agent's 1 s recognition of a person and a 0.2 s margin), so under a
dialer that connects undecided calls at the deadline it can release an agent from a machine
but never hang up on a person (``amd.costs``); before that only tones say MACHINE. A confirmed beep or 2100 Hz fax/modem answer tone (ITU-T V.25/V.8/T.30) is MACHINE
at once; while a tone run is heard but not yet long enough to confirm, an evaluation due then
is postponed to the first packet after the run (otherwise the classifier could answer HUMAN
0.2 s into a fax tone that the tone rule confirms 0.1 s later). A line with no speech by
``silence_timeout_s`` gets ``silent_label``. The thresholds are chosen on out-of-fold predictions on the training
split so that the human false-positive rate stays low (``amd.detectors._learned_fit``).

The model is stored as JSON (feature names, scaler mean and scale, coefficients, intercept,
thresholds and training metadata), so it loads without scikit-learn and survives scikit-learn
upgrades, unlike a pickle.

Conventions
-----------
``score`` is P(machine) from the classifier (1.0 for a beep, ``None`` for a silent line);
times in seconds from answer; audio at 8 kHz in 20 ms packets.
"""

from __future__ import annotations

import json
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from amd.detectors._base import FRAME_S, Decision, Detector, DetectorStream, require
from amd.detectors._features import FEATURE_NAMES, FeatureStream

__all__ = ["DEFAULT_MODEL_PATH", "LearnedDetector", "load_model", "model_probability"]

#: The model shipped with the package, trained on the train split of the 600-clip corpus.
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "learned.json"
MODEL_FORMAT = "amd-learned-logistic-v2"


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        model = json.load(fh)
    _check_model(model, path)
    return model


def load_model(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a learned-detector model file.

    Raises
    ------
    ValueError
        The file is not a model of format ``amd-learned-logistic-v2`` or its features differ
        from ``amd.features.FEATURE_NAMES``.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"`model_path` must be an existing model file; got {str(path)!r}.")
    return _load_cached(str(path), path.stat().st_mtime_ns)


def _check_model(model: dict[str, Any], path: str) -> None:
    if model.get("format") != MODEL_FORMAT:
        raise ValueError(
            f"`model_path` must hold format {MODEL_FORMAT!r}; got {model.get('format')!r} in {path}."
        )
    if tuple(model["feature_names"]) != FEATURE_NAMES:
        raise ValueError(f"`model_path` features must match amd.features.FEATURE_NAMES; {path} differs.")


def model_probability(model: dict[str, Any], features: np.ndarray, logit_offset: float = 0.0) -> np.ndarray:
    """P(machine) for feature rows under a model dict (standardise, linear, logistic)."""
    clf = model["classifier"]
    z = (np.atleast_2d(features) - np.asarray(clf["mean"])) / np.asarray(clf["scale"])
    logit = z @ np.asarray(clf["coef"]) + float(clf["intercept"]) + logit_offset
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -500, 500)))


class LearnedDetector(Detector):
    """Early sequential decision with a logistic classifier on growing-window features.

    Parameters
    ----------
    model_path : str or path-like or None
        Model JSON written by ``amd-bench train``; ``None`` uses the shipped model
        (``DEFAULT_MODEL_PATH``) unless ``fit`` was called.
    logit_offset : float
        Added to the classifier's logit before thresholding; the operating-curve knob
        (positive values push towards MACHINE). Default 0.

    Attributes
    ----------
    model_ : dict
        Set by ``fit``: the trained model, in the same form as the JSON file.
    """

    name = "learned"

    def __init__(
        self, *, model_path: str | os.PathLike[str] | None = None, logit_offset: float = 0.0
    ) -> None:
        self.model_path = model_path
        self.logit_offset = logit_offset

    def fit(
        self,
        audios: list[np.ndarray],
        labels: list[str],
        *,
        seed: int,
        max_human_fp: float = 0.005,
        groups: list[str] | None = None,
        progress: bool = False,
    ) -> LearnedDetector:
        """Train the classifier and choose the decision thresholds.

        Parameters
        ----------
        audios : list of np.ndarray [shape=(n_samples,), dtype=float]
            Training recordings at 8 kHz.
        labels : list of {'human', 'machine'}
            Truth of each recording.
        seed : int
            Seed of the cross-validation fold assignment.
        max_human_fp : float in [0, 1)
            Largest out-of-fold AMD-caused abandonment (people hung up on, under a dialer that
            connects undecided calls at Ofcom's deadline) the thresholds may give.
        groups : list of str, optional
            Source of each recording (the corpus ``source`` column). Cross-validation folds
            then keep each source in one fold, so the out-of-fold predictions that set ``C``
            and the thresholds never saw the same prompt or text; default: clip-level folds.
        progress : bool
            Show a progress bar over recordings.

        Returns
        -------
        self
        """
        from amd.detectors._learned_fit import fit_model

        self.model_ = fit_model(
            audios, labels, seed=seed, max_human_fp=max_human_fp, groups=groups, progress=progress
        )
        return self

    def model(self) -> dict[str, Any]:
        """The model in use: the fitted one, the file at ``model_path`` or the shipped one."""
        if hasattr(self, "model_"):
            return self.model_
        return load_model(self.model_path if self.model_path is not None else DEFAULT_MODEL_PATH)

    def _validate(self) -> None:
        require(
            isinstance(self.logit_offset, (int, float)) and math.isfinite(self.logit_offset),
            "logit_offset",
            "a finite float",
            self.logit_offset,
        )

    def _make_stream(self) -> DetectorStream:
        return _LearnedStream(self.model(), float(self.logit_offset))


class _LearnedStream(DetectorStream):
    def __init__(self, model: dict[str, Any], logit_offset: float) -> None:
        super().__init__()
        self.model = model
        self.offset = logit_offset
        self.policy = model["policy"]
        self.features = FeatureStream()
        self.step_frames = max(1, int(round(self.policy["step_s"] / FRAME_S)))
        self.first_frames = int(round(self.policy["first_decision_s"] / FRAME_S))
        self.max_frames = int(round(self.policy["max_decision_s"] / FRAME_S))
        # Models trained before the safe-early objective have no such key: machine at any time.
        self.not_before_frames = int(round(self.policy.get("machine_not_before_s", 0.0) / FRAME_S))
        # HUMAN only before this (a verdict after the deadline connects nobody sooner), and after a
        # final "not a machine" keep listening for tones instead of answering HUMAN at once.
        self.human_until_frames = int(round(self.policy.get("human_not_after_s", math.inf) / FRAME_S)) \
            if math.isfinite(self.policy.get("human_not_after_s", math.inf)) else 1 << 30
        self.listen_on = bool(self.policy.get("listen_for_tones_after_final", False))
        self.final_p: float | None = None
        self.last_p: float | None = None
        self.overdue = False  # an evaluation was postponed while a tone run was unconfirmed

    def _prob(self) -> float:
        p = float(model_probability(self.model, self.features.features(), self.offset)[0])
        self.last_p = p
        return p

    def _step(self, frame: np.ndarray) -> Decision | None:
        fs = self.features
        fs.push(frame)
        t = self.elapsed_s
        if fs.beep_seen:
            return Decision("machine", 1.0, t, "BEEP")
        if fs.answer_tone_seen:
            return Decision("machine", 1.0, t, "ANSWERTONE")
        onset = fs.speech.onset_s
        if onset is None:
            if t >= self.policy["silence_timeout_s"] - 1e-9:
                return self._silence(self.policy["silent_label"])
            return None
        if self.final_p is not None:
            return None  # the classifier has spoken; only a tone can still say MACHINE
        since = self.n_frames - int(round(onset / FRAME_S))
        if since < self.first_frames or ((since - self.first_frames) % self.step_frames and not self.overdue):
            return None
        if fs.tone_pending():  # a tone is being heard: wait for the beep/answer-tone rule or its end
            self.overdue = True
            return None
        self.overdue = False
        p = self._prob()
        pol = self.policy
        if p >= pol["machine_threshold"] and since >= self.not_before_frames:
            return Decision("machine", p, t, "CONFIDENT")
        if p <= pol["human_threshold"] and since < self.human_until_frames:
            return Decision("human", p, t, "CONFIDENT")
        if since >= self.max_frames:
            if p >= pol["final_threshold"]:
                return Decision("machine", p, t, "MAXWAIT")
            if not self.listen_on:
                return Decision("human", p, t, "MAXWAIT")
            self.final_p = p
        return None

    def _at_end(self) -> Decision:
        t = self.elapsed_s
        if self.features.speech.onset_s is None:
            return self._silence(self.policy["silent_label"])
        if self.final_p is not None:
            return Decision("human", self.final_p, t, "HANGUP")
        p = self._prob()
        return Decision("machine" if p >= self.policy["final_threshold"] else "human", p, t, "HANGUP")


def policy_times_frames(onset_frame: int, policy: dict[str, Any]) -> list[int]:
    """Packet counts (since answer) at which the policy evaluates the classifier, given the onset."""
    step = max(1, int(round(policy["step_s"] / FRAME_S)))
    first = int(round(policy["first_decision_s"] / FRAME_S))
    last = int(round(policy["max_decision_s"] / FRAME_S))
    return [onset_frame + k for k in range(first, last + 1, step)]
