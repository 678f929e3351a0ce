"""How good a detector is: precision, recall and average precision (AP) per class, and their mean (mAP).

Detections of one class, over all images, are taken from the most to the least
confident. A detection is a true positive when its IoU with a ground-truth box
of its class in the same image is ≥ ``iou_threshold`` (the best-overlapping
box still unmatched by a more confident detection: COCO's rule; VOC's devkit
instead calls a detection whose best box is already taken a false positive);
otherwise it is a false positive, so a duplicate counts as one. Precision and recall after each
detection trace the precision–recall curve; AP is the area under its
interpolated form, where the precision at recall r is the best precision at
any recall ≥ r. Two interpolations are offered, and they give different
numbers for the same boxes:

- ``"all_points"`` (PASCAL VOC from 2010): the exact area of the interpolated curve;
- ``"coco101"`` (COCO): the mean of the interpolated precision at the 101
  recalls 0, 0.01, …, 1 (COCO also averages over IoU thresholds 0.50:0.05:0.95;
  at a single threshold this is COCO's AP at that threshold, e.g. AP50).

Examples
--------
>>> average_precision(np.array([0.5, 1.0]), np.array([1.0, 0.5]))   # recall 0.5 at precision 1, then 1 at 0.5
0.75
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.anchor_boxes import as_boxes, iou

METHODS = ("all_points", "coco101")
MATCH_IOU = 0.5  # a detection counts when its IoU with an unmatched ground-truth box is ≥ this (AP@0.5)


@dataclass(frozen=True)
class Detections:
    """One image's detections: boxes (N, 4) as corners, scores (N,), classes (N,) int."""

    boxes: np.ndarray
    scores: np.ndarray
    classes: np.ndarray


@dataclass(frozen=True)
class GroundTruth:
    """One image's objects: boxes (M, 4) as corners, classes (M,) int."""

    boxes: np.ndarray
    classes: np.ndarray


def match(pred_boxes, pred_scores, gt_boxes, iou_threshold: float = MATCH_IOU) -> np.ndarray:
    """Which detections of one class in one image are true positives, greedily by score.

    Returns
    -------
    numpy.ndarray of bool, shape (N,)
        In the input's order: True where the detection matched a ground-truth box
        (IoU ≥ ``iou_threshold``, the best-overlapping one still unmatched).
    """
    pred = as_boxes(pred_boxes).reshape(-1, 4)
    gt = as_boxes(gt_boxes).reshape(-1, 4)
    hits = np.zeros(len(pred), bool)
    if len(pred) == 0 or len(gt) == 0:
        return hits
    overlaps = iou(pred, gt)  # (N, M)
    taken = np.zeros(len(gt), bool)
    for i in np.argsort(-np.asarray(pred_scores, np.float64), kind="stable"):
        free = np.where(taken, -1.0, overlaps[i])
        j = int(np.argmax(free))
        if free[j] >= iou_threshold:
            hits[i], taken[j] = True, True
    return hits


def precision_recall(scores, hits, n_ground_truth: int) -> tuple[np.ndarray, np.ndarray]:
    """Recall and precision after each detection, most confident first (ties in input order).

    Parameters
    ----------
    scores, hits : array_like, shape (N,)
        Every detection of one class over all images, and whether it is a true positive.
    n_ground_truth : int
        Objects of that class over all images.

    Returns
    -------
    recall, precision : numpy.ndarray, shape (N,)
    """
    order = np.argsort(-np.asarray(scores, np.float64), kind="stable")
    tp = np.cumsum(np.asarray(hits, bool)[order])
    seen = np.arange(1, len(order) + 1)
    recall = tp / n_ground_truth if n_ground_truth > 0 else np.zeros(len(order))
    return recall.astype(np.float64), (tp / seen).astype(np.float64)


def average_precision(recall, precision, method: str = "all_points") -> float:
    """Area under the interpolated precision–recall curve.

    Parameters
    ----------
    recall, precision : array_like, shape (N,)
        From :func:`precision_recall` (recall non-decreasing).
    method : {"all_points", "coco101"}
        VOC's exact area, or COCO's mean over 101 recall points.

    Returns
    -------
    float
        In 0…1; 0 when there are no detections.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    r, p = np.asarray(recall, np.float64), np.asarray(precision, np.float64)
    if len(r) == 0:
        return 0.0
    # interpolated precision: the best precision at this recall or any higher one
    envelope = np.maximum.accumulate(p[::-1])[::-1]
    if method == "coco101":
        points = np.linspace(0, 1, 101)
        at = np.searchsorted(r, points, side="left")  # first detection reaching each recall point
        return float(np.where(at < len(r), envelope[np.minimum(at, len(r) - 1)], 0.0).mean())
    widths = np.diff(np.concatenate([[0.0], r]))  # recall gained by each detection
    return float(np.sum(widths * envelope))


@dataclass(frozen=True)
class ClassResult:
    """One class's evaluation."""

    cls: int
    ap: float
    n_ground_truth: int
    recall: np.ndarray  # (N,) after each detection, most confident first
    precision: np.ndarray  # (N,)


def evaluate(detections: list[Detections], truths: list[GroundTruth], classes, iou_threshold: float = MATCH_IOU,
             method: str = "all_points") -> dict[int, ClassResult]:
    """AP of every class over a set of images (one :class:`Detections` and one :class:`GroundTruth` per image)."""
    if len(detections) != len(truths):
        raise ValueError(f"{len(detections)} images of detections but {len(truths)} of ground truth")
    results = {}
    for cls in classes:
        scores, hits, n_gt = [], [], 0
        for det, gt in zip(detections, truths):
            mine, theirs = np.asarray(det.classes) == cls, np.asarray(gt.classes) == cls
            det_boxes = np.asarray(det.boxes).reshape(-1, 4)
            gt_boxes = np.asarray(gt.boxes).reshape(-1, 4)
            det_scores = np.asarray(det.scores, np.float64)
            scores.append(det_scores[mine])
            hits.append(match(det_boxes[mine], det_scores[mine], gt_boxes[theirs], iou_threshold))
            n_gt += int(theirs.sum())
        recall, precision = precision_recall(np.concatenate(scores), np.concatenate(hits), n_gt)
        results[int(cls)] = ClassResult(int(cls), average_precision(recall, precision, method), n_gt, recall, precision)
    return results


def mean_average_precision(results: dict[int, ClassResult]) -> float:
    """mAP: the mean of the classes' AP (classes without any ground truth are left out)."""
    aps = [r.ap for r in results.values() if r.n_ground_truth > 0]
    return float(np.mean(aps)) if aps else 0.0
