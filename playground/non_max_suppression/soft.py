"""Soft-NMS (Bodla et al., 2017): instead of removing an overlapping box, lower its score.

Hard NMS sets the score of every box whose IoU with the kept box M is ≥ N_t
to 0. Soft-NMS multiplies it by a decay f(IoU) instead, and carries on with
the decayed scores:

- linear: f = 1 − IoU when IoU ≥ N_t, else 1 (the paper's N_t = 0.3);
- Gaussian: f = exp(−IoU² / σ) for every box (the paper's σ = 0.5; OpenVINO
  writes exp(−0.5·IoU²/σ), a different σ for the same curve).

Each round keeps the remaining box with the highest (decayed) score, so a box
that overlapped a kept one can still be kept later with a lower score: two
people standing close stay two detections. A box whose score falls to
``score_threshold`` or below is dropped (the paper's code uses 0.001).
Ties in score go to the lower index.

Examples
--------
>>> kept, scores = soft_nms([[0, 0, 2, 2], [0, 0, 2, 1]], [0.9, 0.8])   # IoU 0.5
>>> kept.tolist(), scores.round(4).tolist()                           # 0.8·exp(−0.25/0.5)
([0, 1], [0.9, 0.4852])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.anchor_boxes import as_boxes, iou
from playground.non_max_suppression.greedy import score_order

SOFT_METHODS = ("linear", "gaussian")
SIGMA = 0.5  # the paper's σ of the Gaussian decay exp(−IoU²/σ)
LINEAR_THRESHOLD = 0.3  # the paper's N_t: the linear decay applies from this IoU on
FINAL_THRESHOLD = 0.001  # a box whose decayed score is ≤ this is dropped (the paper's code)
MATRIX_LIMIT = 2048  # up to this many boxes, all IoUs are computed at once ((N, N) float64: 32 MB at the limit)


def decay(ious, method: str = "gaussian", sigma: float = SIGMA, iou_threshold: float = LINEAR_THRESHOLD) -> np.ndarray:
    """The factor f(IoU) a box's score is multiplied by.

    Parameters
    ----------
    ious : array_like, shape (R,)
        IoU of each remaining box with the box just kept.
    method : {"linear", "gaussian"}
    sigma : float
        σ > 0 of the Gaussian decay.
    iou_threshold : float
        N_t of the linear decay.

    Returns
    -------
    numpy.ndarray, shape (R,)
        In [0, 1].
    """
    o = np.asarray(ious, np.float64)
    if method == "linear":
        return np.where(o >= iou_threshold, 1.0 - o, 1.0)
    if method == "gaussian":
        if not sigma > 0:
            raise ValueError(f"sigma must be above 0, not {sigma}")
        return np.exp(-(o * o) / sigma)
    raise ValueError(f"method must be one of {SOFT_METHODS}, not {method!r}")


@dataclass(frozen=True)
class SoftStep:
    """One round of Soft-NMS: the box kept, and the remaining boxes' scores before and after the decay."""

    kept: int  # index into the input
    score: float  # its (decayed) score when it was kept
    candidates: np.ndarray  # (R,) indices still in play, in input order
    ious: np.ndarray  # (R,) their IoU with the kept box
    before: np.ndarray  # (R,) their scores before this round's decay
    after: np.ndarray  # (R,) after it; those ≤ score_threshold are dropped


def soft_nms_steps(boxes, scores, method: str = "gaussian", sigma: float = SIGMA,
                   iou_threshold: float = LINEAR_THRESHOLD, score_threshold: float = FINAL_THRESHOLD) -> list[SoftStep]:
    """Soft-NMS one round at a time (one class).

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        Corners (x1, y1, x2, y2).
    scores : array_like, shape (N,)
    method, sigma, iou_threshold
        As in :func:`decay`.
    score_threshold : float
        Boxes scoring ≤ this never take part, and a box whose decayed score falls to ≤ this is dropped.

    Returns
    -------
    list of SoftStep
        One per kept box, in the order they are kept.
    """
    b = as_boxes(boxes).reshape(-1, 4)
    s = np.asarray(scores, np.float64).reshape(-1).copy()
    if len(s) != len(b):
        raise ValueError(f"there are {len(b)} boxes but {len(s)} scores")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite numbers")
    decay(np.zeros(0), method, sigma, iou_threshold)  # checks the method and σ
    alive = np.flatnonzero(s > score_threshold)
    # Every box in play may be kept in turn: one IoU matrix up front instead of a validated call per round
    matrix = iou(b[alive], b[alive]) if 0 < len(alive) <= MATRIX_LIMIT else None  # (A, A)
    position = np.full(len(b), -1, np.int64)
    position[alive] = np.arange(len(alive))
    steps = []
    while len(alive):
        best = alive[score_order(s[alive])[0]]  # the highest current score; a tie to the lower index
        rest = alive[alive != best]
        if not len(rest):
            overlaps = np.zeros(0)
        elif matrix is not None:
            overlaps = matrix[position[best], position[rest]]
        else:
            overlaps = iou(b[best], b[rest])
        before = s[rest].copy()
        s[rest] = before * decay(overlaps, method, sigma, iou_threshold)
        steps.append(SoftStep(int(best), float(s[best]), rest, overlaps, before, s[rest].copy()))
        alive = rest[s[rest] > score_threshold]
    return steps


def soft_nms(boxes, scores, method: str = "gaussian", sigma: float = SIGMA, iou_threshold: float = LINEAR_THRESHOLD,
             score_threshold: float = FINAL_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """Soft-NMS of one class's boxes.

    Returns
    -------
    kept : numpy.ndarray of int64, shape (K,)
        Indices into the input, in the order they were kept (their decayed
        scores never increase along it).
    kept_scores : numpy.ndarray, shape (K,)
        Each kept box's decayed score.
    """
    steps = soft_nms_steps(boxes, scores, method, sigma, iou_threshold, score_threshold)
    return np.array([st.kept for st in steps], np.int64), np.array([st.score for st in steps], np.float64)


def soft_nms_per_class(boxes, scores, classes, method: str = "gaussian", sigma: float = SIGMA,
                       iou_threshold: float = LINEAR_THRESHOLD,
                       score_threshold: float = FINAL_THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """:func:`soft_nms` run separately on each class.

    Returns
    -------
    kept, kept_scores : numpy.ndarray, shape (K,)
        Over all classes, by decayed score, highest first (ties to the lower index).
    """
    b = as_boxes(boxes).reshape(-1, 4)
    s = np.asarray(scores, np.float64).reshape(-1)
    c = np.asarray(classes).reshape(-1)
    if not len(b) == len(s) == len(c):
        raise ValueError(f"there are {len(b)} boxes, {len(s)} scores and {len(c)} classes")
    kept, kept_scores = [np.zeros(0, np.int64)], [np.zeros(0)]
    for cls in np.unique(c):
        members = np.flatnonzero(c == cls)
        k, ks = soft_nms(b[members], s[members], method, sigma, iou_threshold, score_threshold)
        kept.append(members[k])
        kept_scores.append(ks)
    kept_all, scores_all = np.concatenate(kept), np.concatenate(kept_scores)
    order = np.lexsort((kept_all, -scores_all))  # by score, then by index
    return kept_all[order], scores_all[order]
