"""Non-max suppression: one box per object, step by step, and how a detector's boxes are scored.

The public API of the concept (page ``pages/non_max_suppression.py``):

- :func:`nms`, the course's greedy rule (scores > 0.6, then drop IoU ≥ 0.5),
  :func:`nms_steps` for the step-through and :func:`nms_per_class` (:mod:`.greedy`);
- precision, recall, AP and mAP (:mod:`.evaluation`);
- :func:`onnx_nms`, the same rule computed by ONNX Runtime's ``NonMaxSuppression``
  operator in the committed ``nms_postprocess`` model, and :func:`run_operator`
  for the raw operator's answer (:mod:`.runtime_nms`).

IoU comes from :func:`playground.anchor_boxes.iou`, its one home.

Examples
--------
>>> from playground.non_max_suppression import nms
>>> nms([[0, 0, 2, 2], [0, 0, 2, 1.9], [3, 3, 4, 4]], [0.9, 0.8, 0.7])
array([0, 2])
"""

from playground.non_max_suppression.evaluation import (
    MATCH_IOU,
    METHODS,
    ClassResult,
    Detections,
    GroundTruth,
    average_precision,
    evaluate,
    match,
    mean_average_precision,
    precision_recall,
)
from playground.non_max_suppression.greedy import IOU_THRESHOLD, SCORE_THRESHOLD, Step, nms, nms_per_class, nms_steps, score_order
from playground.non_max_suppression.runtime_nms import OperatorResult, onnx_nms, operator_thresholds, run_operator

__all__ = [
    "IOU_THRESHOLD", "MATCH_IOU", "METHODS", "SCORE_THRESHOLD", "ClassResult", "Detections", "GroundTruth",
    "OperatorResult", "Step", "average_precision", "evaluate", "match", "mean_average_precision", "nms", "nms_per_class",
    "nms_steps", "onnx_nms", "operator_thresholds", "precision_recall", "run_operator", "score_order",
]
