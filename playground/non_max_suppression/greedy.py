"""Non-max suppression, the course's recipe: keep the most confident box, drop the ones that overlap it.

1. Discard every box with p_c ≤ ``score_threshold`` (0.6 in the course).
2. While boxes remain: take the one with the largest p_c as a prediction, and
   discard every remaining box whose IoU with it is ≥ ``iou_threshold`` (0.5).

Run it per class for several classes. Ties in score go to the lower index, so
the result never depends on how a sort breaks ties. Overlap is
:func:`playground.anchor_boxes.iou`, its one home.

Examples
--------
>>> boxes = [[0, 0, 2, 2], [0, 0, 2, 1.9], [3, 3, 4, 4]]
>>> nms(boxes, [0.9, 0.8, 0.7])      # the second box overlaps the first by 0.95
array([0, 2])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.anchor_boxes import as_boxes, iou

IOU_THRESHOLD = 0.5  # the course's: suppress a box whose IoU with a kept one is ≥ 0.5
SCORE_THRESHOLD = 0.6  # the course's: discard boxes with p_c ≤ 0.6


def _scores(scores, n: int) -> np.ndarray:
    array = np.asarray(scores, np.float64).reshape(-1)
    if len(array) != n:
        raise ValueError(f"there are {n} boxes but {len(array)} scores")
    if not np.isfinite(array).all():
        raise ValueError("scores must be finite numbers")
    return array


def _threshold(value, name: str) -> float:
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return value


def score_order(scores: np.ndarray) -> np.ndarray:
    """Indices by score, highest first; equal scores in index order (a stable sort)."""
    return np.argsort(-np.asarray(scores, np.float64), kind="stable")


@dataclass(frozen=True)
class Step:
    """One round of greedy NMS: the box kept, and what happened to the boxes still in play."""

    kept: int  # index (into the input) of the highest-scoring remaining box
    candidates: np.ndarray  # (R,) indices still in play after it, in score order
    ious: np.ndarray  # (R,) IoU of each candidate with the kept box
    removed: np.ndarray  # (R,) bool: IoU ≥ iou_threshold, so suppressed by this box


def nms_steps(boxes, scores, iou_threshold: float = IOU_THRESHOLD,
              score_threshold: float = SCORE_THRESHOLD) -> tuple[np.ndarray, list[Step]]:
    """Greedy NMS one round at a time, for the page's step-through.

    Returns
    -------
    below : numpy.ndarray of int
        Indices discarded first because their score is ≤ ``score_threshold``.
    steps : list of Step
        One per kept box, in the order they are kept.
    """
    b = as_boxes(boxes).reshape(-1, 4)
    s = _scores(scores, len(b))
    iou_threshold, score_threshold = _threshold(iou_threshold, "iou_threshold"), _threshold(
        score_threshold, "score_threshold")
    order = score_order(s)
    alive = order[s[order] > score_threshold]
    below = np.sort(np.flatnonzero(s <= score_threshold))
    steps = []
    while len(alive):
        best, rest = alive[0], alive[1:]
        overlaps = iou(b[best], b[rest]) if len(rest) else np.zeros(0)
        removed = overlaps >= iou_threshold
        steps.append(Step(int(best), rest, overlaps, removed))
        alive = rest[~removed]
    return below, steps


def nms(boxes, scores, iou_threshold: float = IOU_THRESHOLD, score_threshold: float = SCORE_THRESHOLD) -> np.ndarray:
    """Greedy non-max suppression of one class's boxes, the course's rule.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        Corners (x1, y1, x2, y2) with x1 ≤ x2, y1 ≤ y2.
    scores : array_like, shape (N,)
        Each box's confidence p_c (or p_c·c_i for one class).
    iou_threshold : float
        A remaining box whose IoU with a kept box is ≥ this is removed.
    score_threshold : float
        Only boxes whose score is > this take part.

    Returns
    -------
    numpy.ndarray of int64, shape (K,)
        Indices into the input of the kept boxes, highest score first, equal
        scores in index order. Empty input (or nothing above the score
        threshold) gives an empty array.

    Raises
    ------
    ValueError
        For malformed boxes, a score count that differs from the box count, or non-finite values.
    """
    if len(np.asarray(boxes).reshape(-1)) == 0:
        _scores(scores, 0)
        return np.zeros(0, np.int64)
    _, steps = nms_steps(boxes, scores, iou_threshold, score_threshold)
    return np.array([step.kept for step in steps], np.int64)


def nms_per_class(boxes, scores, classes, iou_threshold: float = IOU_THRESHOLD,
                  score_threshold: float = SCORE_THRESHOLD, max_per_class: int | None = None) -> np.ndarray:
    """:func:`nms` run separately on each class; boxes of different classes never suppress each other.

    Parameters
    ----------
    classes : array_like of int, shape (N,)
        Each box's class.
    max_per_class : int, optional
        Keep at most this many boxes of each class (the highest-scoring ones).

    Returns
    -------
    numpy.ndarray of int64
        Kept indices into the input, highest score first over all classes (ties to the lower index).
    """
    b = as_boxes(boxes).reshape(-1, 4)
    s = _scores(scores, len(b))
    c = np.asarray(classes).reshape(-1)
    if len(c) != len(b):
        raise ValueError(f"there are {len(b)} boxes but {len(c)} classes")
    kept = []
    for cls in np.unique(c):
        members = np.flatnonzero(c == cls)
        chosen = members[nms(b[members], s[members], iou_threshold, score_threshold)]
        kept.extend(chosen[:max_per_class] if max_per_class is not None else chosen)
    kept = np.sort(np.array(kept, np.int64))  # index order first, so equal scores of two classes go to the lower index
    return kept[score_order(s[kept])] if len(kept) else kept
