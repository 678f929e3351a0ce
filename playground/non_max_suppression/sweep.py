"""Suppression as a detector's last step, and how the choice of it moves AP.

:func:`suppress` applies one rule (none, hard NMS, linear or Gaussian
Soft-NMS) to one image's raw detections, class by class;
:func:`map_sweep` evaluates a rule over a set of images for several
thresholds, giving the curve of mAP against the NMS IoU threshold.

AP needs the whole ranking, so evaluation keeps low-confidence boxes
(``EVAL_SCORE_THRESHOLD``): the course's 0.6 is a display threshold, and
with it the precision–recall curve would stop early.
"""

from __future__ import annotations

import numpy as np

from playground.non_max_suppression.evaluation import (
    MATCH_IOU,
    METHODS,
    ClassResult,
    Detections,
    GroundTruth,
    average_precision,
    evaluate,
    mean_average_precision,
)
from playground.non_max_suppression.greedy import nms_per_class
from playground.non_max_suppression.soft import SIGMA, soft_nms_per_class

KINDS = ("none", "hard", "linear", "gaussian")  # no suppression, the course's NMS, Soft-NMS linear and Gaussian
EVAL_SCORE_THRESHOLD = 0.01  # boxes kept for AP: low, so the precision–recall curve reaches full recall


def suppress(det: Detections, kind: str = "hard", iou_threshold: float = 0.5,
             score_threshold: float = EVAL_SCORE_THRESHOLD, sigma: float = SIGMA) -> Detections:
    """One image's detections after a suppression rule, per class.

    Parameters
    ----------
    det : Detections
        Raw boxes (N, 4), scores (N,), classes (N,).
    kind : {"none", "hard", "linear", "gaussian"}
        "hard" is the course's NMS at ``iou_threshold``; "linear" is Soft-NMS
        with N_t = ``iou_threshold``; "gaussian" is Soft-NMS with ``sigma``
        (``iou_threshold`` unused); "none" only applies the score threshold.

    Returns
    -------
    Detections
        The kept boxes, with their (possibly decayed) scores.
    """
    boxes = np.asarray(det.boxes, np.float64).reshape(-1, 4)
    scores = np.asarray(det.scores, np.float64).reshape(-1)
    classes = np.asarray(det.classes).reshape(-1)
    if kind == "none":
        kept = np.flatnonzero(scores > score_threshold)
        new_scores = scores[kept]
    elif kind == "hard":
        kept = nms_per_class(boxes, scores, classes, iou_threshold, score_threshold)
        new_scores = scores[kept]
    elif kind in ("linear", "gaussian"):
        kept, new_scores = soft_nms_per_class(boxes, scores, classes, kind, sigma, iou_threshold, score_threshold)
    else:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return Detections(boxes[kept], new_scores, classes[kept])


def map_sweep(raw: list[Detections], truths: list[GroundTruth], classes, thresholds, kind: str = "hard",
              method: str = "all_points", score_threshold: float = EVAL_SCORE_THRESHOLD, sigma: float = SIGMA,
              match_iou: float = MATCH_IOU) -> np.ndarray:
    """mAP at ``match_iou`` after suppressing every image at each threshold.

    Parameters
    ----------
    raw : list of Detections
        Each image's boxes before suppression.
    thresholds : array_like, shape (T,)
        NMS IoU thresholds (N_t for linear Soft-NMS; σ for Gaussian Soft-NMS).

    Returns
    -------
    numpy.ndarray, shape (T,)
    """
    out = []
    for t in np.asarray(thresholds, np.float64).reshape(-1):
        if kind == "gaussian":
            kept = [suppress(d, kind, score_threshold=score_threshold, sigma=float(t)) for d in raw]
        else:
            kept = [suppress(d, kind, float(t), score_threshold, sigma) for d in raw]
        out.append(mean_average_precision(evaluate(kept, truths, classes, match_iou, method)))
    return np.array(out)


def sweep_results(raw: list[Detections], truths: list[GroundTruth], classes, thresholds, kind: str = "hard",
                  score_threshold: float = EVAL_SCORE_THRESHOLD, sigma: float = SIGMA,
                  match_iou: float = MATCH_IOU) -> list[dict[str, dict[int, ClassResult]]]:
    """Every class's precision–recall curve and AP, by both interpolations, at each threshold.

    Matching is done once per threshold; the two APs differ only in how the
    same curve is integrated.

    Returns
    -------
    list of dict
        One per threshold: ``{method: {class: ClassResult}}`` for each method in ``METHODS``.
    """
    out = []
    for t in np.asarray(thresholds, np.float64).reshape(-1):
        if kind == "gaussian":
            kept = [suppress(d, kind, score_threshold=score_threshold, sigma=float(t)) for d in raw]
        else:
            kept = [suppress(d, kind, float(t), score_threshold, sigma) for d in raw]
        voc = evaluate(kept, truths, classes, match_iou, "all_points")
        coco = {c: ClassResult(c, average_precision(r.recall, r.precision, "coco101"), r.n_ground_truth, r.recall,
                               r.precision) for c, r in voc.items()}
        out.append({"all_points": voc, "coco101": coco})
    return out


def map_curve(results: list[dict[str, dict[int, ClassResult]]], method: str = "all_points") -> np.ndarray:
    """mAP at each threshold of :func:`sweep_results`, by one interpolation: shape (T,)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    return np.array([mean_average_precision(r[method]) for r in results])
