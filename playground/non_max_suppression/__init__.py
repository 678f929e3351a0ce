"""Non-max suppression: one box per object, step by step, and how a detector's boxes are scored.

The public API of the concept (page ``pages/non_max_suppression.py``):

- :func:`nms`, the course's greedy rule (scores > 0.6, then drop IoU ≥ 0.5),
  :func:`nms_steps` for the step-through and :func:`nms_per_class` (:mod:`.greedy`);
- precision, recall, AP and mAP (:mod:`.evaluation`);
- :func:`onnx_nms`, the same rule computed by ONNX Runtime's ``NonMaxSuppression``
  operator in the committed ``nms_postprocess`` model, and :func:`run_operator`
  for the raw operator's answer (:mod:`.runtime_nms`);
- :func:`soft_nms`, linear and Gaussian Soft-NMS (:mod:`.soft`);
- :func:`nms_trace`, every box's fate for the step-through (:mod:`.trace`);
- :func:`suppress` and :func:`map_sweep`, mAP against the NMS threshold (:mod:`.sweep`);
- the boxes the page works on (:mod:`.boxsets`) and the IoU calculator's :func:`overlap` (:mod:`.overlap`);
- the anchor-boxes detector's raw boxes and its evaluation on the held-out scenes (:mod:`.detector`,
  imported as a module: ``from playground.non_max_suppression import detector``).

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
from playground.non_max_suppression.overlap import Overlap, overlap
from playground.non_max_suppression.runtime_nms import OperatorResult, onnx_nms, operator_thresholds, run_operator
from playground.non_max_suppression.soft import SOFT_METHODS, SoftStep, soft_nms, soft_nms_per_class, soft_nms_steps
from playground.non_max_suppression.sweep import KINDS, map_sweep, suppress
from playground.non_max_suppression.trace import FATES, Trace, TraceStep, nms_trace

__all__ = [
    "FATES", "IOU_THRESHOLD", "KINDS", "MATCH_IOU", "METHODS", "SCORE_THRESHOLD", "SOFT_METHODS", "ClassResult",
    "Detections", "GroundTruth", "OperatorResult", "Overlap", "SoftStep", "Step", "Trace", "TraceStep",
    "average_precision", "evaluate", "map_sweep", "match", "mean_average_precision", "nms", "nms_per_class",
    "nms_steps", "nms_trace", "onnx_nms", "operator_thresholds", "overlap", "precision_recall", "run_operator",
    "score_order", "soft_nms", "soft_nms_per_class", "soft_nms_steps", "suppress",
]
