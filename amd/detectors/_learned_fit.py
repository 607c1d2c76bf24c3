"""Training of the learned detector: features, classifier, cross-validated decision thresholds.

Steps (all deterministic for a given ``seed``):

1. Run ``amd.features.FeatureStream`` over every training clip and take a snapshot at each
   time the sequential policy would evaluate the classifier (every ``STEP_S`` from
   ``FIRST_DECISION_S`` to ``MAX_DECISION_S`` after the detected speech onset).
2. Standardise and fit an L2 logistic regression on all snapshots, each clip weighted equally
   and the two classes balanced; the regularisation ``C`` is picked by clip-grouped 5-fold
   cross-validation (log-loss).
3. Simulate the sequential policy on the out-of-fold probabilities over a grid of (human,
   final) thresholds, with speech-based MACHINE verdicts held back until
   ``MACHINE_NOT_BEFORE_S`` after the onset, and price each setting under the
   connect-at-deadline dialer policy (``amd.costs``, the detected onset standing in for the
   speech start). Keep, in this order of priority: AMD-caused abandonment at most
   ``max_human_fp``; median human put-through at most ``MAX_MEDIAN_LATENCY_S`` after the onset;
   the fewest agent-seconds per machine (in steps of ``AGENT_S_RESOLUTION``); the fewest
   people called machine at any time.

Conventions
-----------
Times in seconds from answer; labels ``'human' | 'machine'``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from amd.detectors._base import FRAME_S
from amd.detectors._features import FEATURE_NAMES, FeatureStream

STEP_S = 0.1
FIRST_DECISION_S = 0.2
#: A speech-based MACHINE verdict waits this long after the onset: Ofcom's 2 s deadline plus an
#: agent's 1 s recognition of a person (``amd.costs.DEFAULT_AGENT_TIMES``) plus 0.2 s margin for
#: an onset detected a little before the true speech start.
MACHINE_NOT_BEFORE_S = 3.2
MAX_DECISION_S = MACHINE_NOT_BEFORE_S
#: HUMAN verdicts only before Ofcom's 2 s deadline after the onset.
HUMAN_NOT_AFTER_S = 2.0
AGENT_S_RESOLUTION = 0.05
SILENCE_TIMEOUT_S = 3.0
N_FOLDS = 5
C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 1.0, 10.0)
LATENCY_PENALTY_PER_S = 0.02
_GRID_H = (0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
_GRID_F = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: The median human put-through the thresholds must meet out of fold (seconds after speech start).
MAX_MEDIAN_LATENCY_S = 0.8


def clip_snapshots(audio: np.ndarray) -> dict[str, Any]:
    """Features at the policy's evaluation times for one clip, plus its beep and onset times."""
    stream = FeatureStream()
    first = int(round(FIRST_DECISION_S / FRAME_S))
    step = int(round(STEP_S / FRAME_S))
    last = int(round(MAX_DECISION_S / FRAME_S))
    rows, times = [], []
    beep_frame = None  # first packet with a beep or an answer tone (the policy's MACHINE rule)
    n = audio.size // 160
    for i in range(n):
        stream.push(audio[i * 160 : (i + 1) * 160])
        if (stream.beep_seen or stream.answer_tone_seen) and beep_frame is None:
            beep_frame = i + 1
        onset = stream.speech.onset_s
        if onset is None:
            if i + 1 >= int(round(SILENCE_TIMEOUT_S / FRAME_S)):
                break  # the policy answers for a silent line here
            continue
        since = i + 1 - int(round(onset / FRAME_S))
        if since >= first and (since - first) % step == 0 and since <= last:
            rows.append(stream.features())
            times.append(i + 1)
        if since > last and beep_frame is not None:
            break
    onset = stream.speech.onset_s
    if onset is not None and (not times or times[-1] < n) and len(times) < (last - first) // step + 1:
        rows.append(stream.features())  # audio ended before the last evaluation: the end-of-audio call
        times.append(n)
    return {
        "X": np.asarray(rows).reshape(len(rows), len(FEATURE_NAMES)),
        "frames": np.asarray(times, dtype=int),
        "beep_frame": beep_frame,
        "onset_s": onset,
        "n_frames": n,
    }


def _fit_lr(X: np.ndarray, y: np.ndarray, w: np.ndarray, C: float) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-12] = 1.0
    clf = LogisticRegression(C=C, max_iter=5000, solver="lbfgs")
    clf.fit((X - mean) / scale, y, sample_weight=w)
    return {
        "type": "logistic",
        "C": C,
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": clf.coef_[0].tolist(),
        "intercept": float(clf.intercept_[0]),
    }


def _stack(snaps: list[dict[str, Any]], y_clip: np.ndarray, idx: np.ndarray):
    X = np.vstack([snaps[i]["X"] for i in idx])
    y = np.concatenate([np.full(len(snaps[i]["X"]), y_clip[i]) for i in idx])
    w = np.concatenate([np.full(len(snaps[i]["X"]), 1.0 / max(len(snaps[i]["X"]), 1)) for i in idx])
    for cls in (0, 1):  # balance the classes
        mask = y == cls
        if mask.any():
            w[mask] *= 0.5 * w.sum() / w[mask].sum()
    return X, y, w


def _prob(clf: dict[str, Any], X: np.ndarray) -> np.ndarray:
    z = (X - np.asarray(clf["mean"])) / np.asarray(clf["scale"])
    return 1.0 / (1.0 + np.exp(-np.clip(z @ np.asarray(clf["coef"]) + clf["intercept"], -500, 500)))


def simulate_policy(
    snaps,
    probs,
    thr_h: float,
    thr_m: float,
    thr_f: float,
    silent_label: str,
    not_before_s: float = 0.0,
    human_not_after_s: float = np.inf,
    listen_on: bool = False,
):
    """Labels and decision packet counts of the sequential policy on given probability tracks."""
    labels, at = [], []
    nb = int(round(not_before_s / FRAME_S))
    for snap, p in zip(snaps, probs, strict=True):
        label, frame = silent_label, int(round(SILENCE_TIMEOUT_S / FRAME_S))
        listening = False
        if len(p):
            since = snap["frames"] - int(round(snap["onset_s"] / FRAME_S))
            early = since * FRAME_S < human_not_after_s - 1e-9
            hit = np.flatnonzero(((p >= thr_m) & (since >= nb)) | ((p <= thr_h) & early))
            k = int(hit[0]) if hit.size else len(p) - 1
            if hit.size:
                label = "machine" if p[k] >= thr_m and since[k] >= nb else "human"
            else:
                label = "machine" if p[k] >= thr_f else "human"
                listening = listen_on and label == "human"
            frame = int(snap["frames"][k])
        elif snap["onset_s"] is None:
            frame = min(frame, snap["n_frames"])
        if listening:
            frame = snap["n_frames"]  # not a machine by the classifier: listen for tones to the end
        if snap["beep_frame"] is not None and snap["beep_frame"] <= frame:
            label, frame = "machine", snap["beep_frame"]
        labels.append(label)
        at.append(frame)
    return np.asarray(labels), np.asarray(at)


def _choose_thresholds(snaps, probs, y_clip, silent_label, max_human_fp):
    from amd.costs import call_costs

    truth = np.where(y_clip == 1, "machine", "human")
    onset_s = np.array([s["onset_s"] if s["onset_s"] is not None else np.nan for s in snaps], dtype=float)
    best, best_key = None, None
    for thr_h, thr_f in itertools.product(_GRID_H, _GRID_F):
        if thr_h >= thr_f:
            continue
        labels, at = simulate_policy(
            snaps, probs, thr_h, thr_f, thr_f, silent_label, MACHINE_NOT_BEFORE_S, HUMAN_NOT_AFTER_S, True
        )
        c = call_costs(truth, labels, at * FRAME_S, onset_s, policy="connect_at_deadline")
        humans = truth == "human"
        abandonment = float(c["abandoned_human"][humans].mean()) if humans.any() else 0.0
        agent_s = float(c["agent_s"][~humans].mean()) if (~humans).any() else 0.0
        put_through = c["connect_from_speech_s"][humans].dropna()
        med = float(put_through.median()) if len(put_through) else 0.0
        fp = float(np.mean(labels[humans] == "machine")) if humans.any() else 0.0
        key = (
            abandonment <= max_human_fp,
            med <= MAX_MEDIAN_LATENCY_S,
            -round(agent_s / AGENT_S_RESOLUTION),
            -fp,
            -abandonment,
        )
        if best_key is None or key > best_key:
            best_key = key
            best = {
                "human_threshold": thr_h,
                "machine_threshold": thr_f,
                "final_threshold": thr_f,
                "oof_amd_abandonment": abandonment,
                "oof_agent_s_per_machine": agent_s,
                "oof_median_human_put_through_s": med,
                "oof_human_fp": fp,
            }
    return best


def _cross_validate(snaps, y_clip: np.ndarray, folds: np.ndarray):
    """Out-of-fold probabilities and mean log-loss for each ``C`` (folds group snapshots by clip)."""
    cv_loss, oof_by_c = {}, {}
    for C in C_GRID:
        oof = [np.empty(0)] * len(snaps)
        for k in range(N_FOLDS):
            train_idx, test_idx = np.flatnonzero(folds != k), np.flatnonzero(folds == k)
            clf = _fit_lr(*_stack(snaps, y_clip, train_idx), C)
            for i in test_idx:
                oof[i] = _prob(clf, snaps[i]["X"]) if len(snaps[i]["X"]) else np.empty(0)
        p_all = np.concatenate([np.clip(p, 1e-12, 1 - 1e-12) for p in oof])
        y_all = np.concatenate([np.full(len(p), y_clip[i]) for i, p in enumerate(oof)])
        cv_loss[C] = float(-np.mean(y_all * np.log(p_all) + (1 - y_all) * np.log(1 - p_all)))
        oof_by_c[C] = oof
    return cv_loss, oof_by_c


def fold_assignment(n_clips: int, groups: list[str] | None, *, seed: int) -> np.ndarray:
    """Cross-validation fold of each clip: seeded round-robin over clips, or over groups.

    With ``groups`` (one source id per clip), the distinct groups are shuffled with ``seed``
    and dealt to the ``N_FOLDS`` folds in turn, so every clip of a group is in one fold.
    """
    rng = np.random.default_rng(seed)
    if groups is None:
        return rng.permutation(n_clips) % N_FOLDS
    if len(groups) != n_clips:
        raise ValueError(f"`groups` must hold one source per clip ({n_clips}); got {len(groups)}.")
    names = sorted(set(groups))
    if len(names) < N_FOLDS:
        raise ValueError(f"`groups` must hold >= {N_FOLDS} distinct sources; got {len(names)}.")
    fold_of = {names[j]: k % N_FOLDS for k, j in enumerate(rng.permutation(len(names)))}
    return np.array([fold_of[g] for g in groups])


def check_max_human_fp(max_human_fp: float) -> None:
    """Raise ``ValueError`` unless ``max_human_fp`` is a rate in [0, 1)."""
    ok = isinstance(max_human_fp, (int, float)) and not isinstance(max_human_fp, bool)
    if not (ok and 0.0 <= max_human_fp < 1.0):
        hint = " (a rate, not a percentage)" if ok and 1.0 <= max_human_fp <= 100.0 else ""
        raise ValueError(f"`max_human_fp` must be a rate in [0, 1){hint}; got {max_human_fp!r}.")


def fit_model(
    audios, labels, *, seed: int, max_human_fp: float, groups: list[str] | None = None, progress: bool = False
) -> dict[str, Any]:
    """Train the learned detector; returns the model dict (written as JSON by ``amd-bench train``)."""
    from tqdm import tqdm

    if len(audios) != len(labels) or len(audios) < 2 * N_FOLDS:
        raise ValueError(
            f"`audios` must hold >= {2 * N_FOLDS} clips matching `labels`; got {len(audios)} and {len(labels)}."
        )
    check_max_human_fp(max_human_fp)
    bad = sorted({lab for lab in labels if lab not in ("human", "machine")})
    if bad:
        raise ValueError(f"`labels` must be 'human' or 'machine'; got {bad}.")
    y_clip = np.array([1 if lab == "machine" else 0 for lab in labels])
    snaps = [clip_snapshots(a) for a in tqdm(audios, desc="features", disable=not progress)]
    silent = [y for s, y in zip(snaps, y_clip, strict=True) if s["onset_s"] is None]
    silent_label = "machine" if silent and np.mean(silent) > 0.5 else "human"
    folds = fold_assignment(len(snaps), groups, seed=seed)
    cv_loss, oof_by_c = _cross_validate(snaps, y_clip, folds)
    best_c = min(C_GRID, key=lambda c: (cv_loss[c], c))
    policy = {
        "step_s": STEP_S,
        "first_decision_s": FIRST_DECISION_S,
        "max_decision_s": MAX_DECISION_S,
        "machine_not_before_s": MACHINE_NOT_BEFORE_S,
        "human_not_after_s": HUMAN_NOT_AFTER_S,
        "listen_for_tones_after_final": True,
        "silence_timeout_s": SILENCE_TIMEOUT_S,
        "silent_label": silent_label,
    }
    chosen = _choose_thresholds(snaps, oof_by_c[best_c], y_clip, silent_label, max_human_fp)
    policy.update({k: chosen[k] for k in ("human_threshold", "machine_threshold", "final_threshold")})
    classifier = _fit_lr(*_stack(snaps, y_clip, np.arange(len(snaps))), best_c)
    return {
        "format": "amd-learned-logistic-v2",
        "feature_names": list(FEATURE_NAMES),
        "classifier": classifier,
        "policy": policy,
        "training": {
            "seed": seed,
            "n_clips": len(snaps),
            "n_machine": int(y_clip.sum()),
            "max_human_fp": max_human_fp,
            "folds": "by source" if groups is not None else "by clip",
            "cv_log_loss": {str(c): v for c, v in cv_loss.items()},
            "cross_validation": {k: v for k, v in chosen.items() if k.startswith("oof")},
        },
    }
