"""The step-through: greedy NMS over several classes, with the reason each box was removed.

Built on :func:`~playground.non_max_suppression.nms_steps`, class by class
(or all boxes as one class). Every box ends in one of four states:

- ``"kept"``: chosen as a prediction;
- ``"score"``: discarded first, because p_c ≤ the score threshold;
- ``"iou"``: removed by a kept box of its class, IoU ≥ the IoU threshold;
- ``"cap"``: still in play when its class already had the maximum number of boxes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.anchor_boxes import as_boxes
from playground.non_max_suppression.greedy import IOU_THRESHOLD, SCORE_THRESHOLD, nms_steps, score_order

FATES = ("kept", "score", "iou", "cap")


@dataclass(frozen=True)
class TraceStep:
    """One round: the box kept in its class, and its IoU with every box of that class still in play."""

    cls: int  # the class (0 when class-agnostic)
    kept: int  # index into the input
    candidates: np.ndarray  # (R,) indices of the same class still in play, in score order
    ious: np.ndarray  # (R,) IoU with the kept box
    removed: np.ndarray  # (R,) bool: IoU ≥ the threshold


@dataclass(frozen=True)
class Trace:
    """Greedy NMS over all classes, step by step, and what became of each box."""

    steps: list[TraceStep]  # class by class (classes in increasing order), each in score order
    fate: np.ndarray  # (N,) one of FATES for each box
    removed_by: np.ndarray  # (N,) int: the kept box that removed it ("iou"), else −1
    removed_at: np.ndarray  # (N,) int: the step (0-based) that decided it ("kept", "iou"), else −1
    kept: np.ndarray  # (K,) int64 kept indices, highest score first (ties to the lower index)
    iou_threshold: float
    score_threshold: float
    max_per_class: int | None
    per_class: bool


def nms_trace(boxes, scores, classes=None, iou_threshold: float = IOU_THRESHOLD,
              score_threshold: float = SCORE_THRESHOLD, per_class: bool = True,
              max_per_class: int | None = None) -> Trace:
    """Greedy NMS with every step and every box's fate.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        Corners (x1, y1, x2, y2).
    scores : array_like, shape (N,)
    classes : array_like of int, shape (N,), optional
        Each box's class; ignored when ``per_class`` is False.
    per_class : bool
        True: boxes only suppress boxes of their own class (the course's rule). False: one pool.
    max_per_class : int, optional
        At most this many kept boxes per class (of the pool when class-agnostic).

    Returns
    -------
    Trace
        ``kept`` is what :func:`~playground.non_max_suppression.nms_per_class` returns.
    """
    b = as_boxes(boxes).reshape(-1, 4)
    s = np.asarray(scores, np.float64).reshape(-1)
    if len(s) != len(b):
        raise ValueError(f"there are {len(b)} boxes but {len(s)} scores")
    c = np.zeros(len(b), np.int64) if classes is None or not per_class else np.asarray(classes).reshape(-1)
    if len(c) != len(b):
        raise ValueError(f"there are {len(b)} boxes but {len(c)} classes")
    if max_per_class is not None and int(max_per_class) < 0:
        raise ValueError(f"max_per_class must be 0 or more, not {max_per_class}")
    fate = np.full(len(b), "score", dtype=object)
    removed_by = np.full(len(b), -1, np.int64)
    removed_at = np.full(len(b), -1, np.int64)
    steps: list[TraceStep] = []
    for cls in np.unique(c):
        members = np.flatnonzero(c == cls)
        _, class_steps = nms_steps(b[members], s[members], iou_threshold, score_threshold)
        cap = len(class_steps) if max_per_class is None else min(int(max_per_class), len(class_steps))
        in_play = members[s[members] > score_threshold]  # before the first step
        for local in class_steps[:cap]:
            step = TraceStep(int(cls), int(members[local.kept]), members[local.candidates], local.ious, local.removed)
            fate[step.kept], removed_at[step.kept] = "kept", len(steps)
            gone = step.candidates[step.removed]
            fate[gone], removed_by[gone], removed_at[gone] = "iou", step.kept, len(steps)
            in_play = step.candidates[~step.removed]
            steps.append(step)
        fate[in_play] = "cap"  # empty unless the cap stopped the class early
    kept = np.flatnonzero(fate == "kept")
    kept = kept[score_order(s[kept])].astype(np.int64)
    return Trace(steps, fate, removed_by, removed_at, kept, float(iou_threshold), float(score_threshold),
                 None if max_per_class is None else int(max_per_class), per_class)
