"""The runtime's answer: the committed ``nms_postprocess`` model, built on ONNX's ``NonMaxSuppression`` operator.

The operator and the course disagree at the boundaries, and this module is
where the library makes them agree:

- **IoU.** The operator suppresses a box only when its IoU with a kept box is
  *strictly greater* than ``iou_threshold``; the course discards IoU ≥ 0.5. So
  a box at exactly 0.5 survives the raw operator. :func:`operator_thresholds`
  passes the next float32 below the threshold instead: for an IoU computed in
  float32, ``IoU > nextafter(t, −∞)`` is ``IoU ≥ t``.
- **Scores.** The operator keeps scores strictly greater than
  ``score_threshold``, as the course does (p_c ≤ 0.6 is discarded); the
  threshold is passed as the largest float32 not above it, so a float32 score
  passes exactly when it is greater than the float64 threshold.
- **Boxes** are [y1, x1, y2, x2] for the operator (``center_point_box=0``);
  the model takes the course's (x1, y1, x2, y2) and swaps the axes itself.
- **max_output_boxes_per_class** left out means 0: nothing is returned. The
  model always gets it (the box count when there is no cap).
- The operator works per class; the model turns each box's class into a row
  of the operator's (classes, boxes) score matrix, −∞ elsewhere, so a box
  competes only in its own class (the course's rule) and never in another.

ORT computes IoU in float32 and the library in float64. With whole-number
corners (areas below 2**24) both are exact up to the one final division, and
the two agree on every threshold of two decimals, boxes at exactly the
threshold included (the tests check all of them on a grid). With fractional
corners they can differ when an IoU lies within float32 rounding (about 1e-7)
of the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from onnx import TensorProto, helper

from playground import runtime
from playground.anchor_boxes import as_boxes
from playground.non_max_suppression.greedy import IOU_THRESHOLD, SCORE_THRESHOLD, score_order
from playground.onnx_format import IR_VERSION, OPSET

MODEL = "nms_postprocess"  # onnx_models/nms_postprocess.onnx, built by export/nms_postprocess.py
INPUTS = ("boxes", "scores", "classes", "num_classes", "max_per_class", "iou_threshold", "score_threshold")


def _float32_at_most(value: float) -> np.float32:
    """The largest float32 that is ≤ ``value``."""
    f = np.float32(value)
    return np.nextafter(f, np.float32(-np.inf)) if float(f) > value else f


def _scores32(scores: np.ndarray, threshold: float, threshold32: np.float32) -> np.ndarray:
    """Scores (N,) float64 as float32, each on the side of the threshold its float64 value is on.

    A float32 score is unchanged. A float64 one within float32 rounding of the
    threshold could otherwise round across it (0.6 becomes 0.6000000238 > 0.6).
    """
    s32 = scores.astype(np.float32)
    above = np.nextafter(threshold32, np.float32(np.inf))
    return np.where(scores > threshold, np.maximum(s32, above), np.minimum(s32, threshold32)).astype(np.float32)


def operator_thresholds(iou_threshold: float = IOU_THRESHOLD, score_threshold: float = SCORE_THRESHOLD,
                        course_rule: bool = True) -> tuple[np.float32, np.float32]:
    """The float32 thresholds to give ``NonMaxSuppression``.

    Parameters
    ----------
    iou_threshold, score_threshold : float
        The course's thresholds: remove IoU ≥ ``iou_threshold``, keep scores > ``score_threshold``.
    course_rule : bool
        True: move the IoU threshold to the next float32 down, so the
        operator's strict ``>`` removes IoU ≥ the threshold. False: pass both
        as they are (the raw operator, which keeps a box at exactly the threshold).

    Returns
    -------
    iou, score : numpy.float32

    Raises
    ------
    ValueError
        For a non-finite threshold, or an IoU threshold the operator cannot
        express: it accepts [0, 1] only, and never removes a box that does not
        overlap, so the course's threshold 0 (which removes every box) has no
        counterpart.
    """
    iou_threshold, score_threshold = float(iou_threshold), float(score_threshold)
    if not (np.isfinite(iou_threshold) and np.isfinite(score_threshold)):
        raise ValueError("thresholds must be finite numbers")
    if not course_rule:
        if not 0 <= iou_threshold <= 1:
            raise ValueError(f"NonMaxSuppression needs an IoU threshold in [0, 1], not {iou_threshold}")
        return np.float32(iou_threshold), np.float32(score_threshold)
    if iou_threshold <= 0:
        raise ValueError("the operator never removes boxes that do not overlap, so it cannot remove IoU ≥ 0: "
                         "use an IoU threshold above 0")
    iou32 = np.nextafter(np.float32(min(iou_threshold, 1.0)), np.float32(-np.inf))
    if iou_threshold > 1:  # IoU ≥ t > 1 never happens: pass 1, which the strict > never exceeds
        iou32 = np.float32(1.0)
    return iou32, _float32_at_most(score_threshold)


@dataclass(frozen=True)
class OperatorResult:
    """What the post-processing model returned, and what it was given."""

    kept: np.ndarray  # (K,) int64 indices into the input, highest score first, ties to the lower index
    selected: np.ndarray  # (K, 3) int64 rows (batch, class row, box) as the operator returned them, class by class
    class_labels: np.ndarray  # (C,) the input's class label of each class row
    iou_threshold: np.float32  # what the operator got
    score_threshold: np.float32
    max_per_class: int


def feeds(boxes, scores, classes=None, iou_threshold: float = IOU_THRESHOLD,
          score_threshold: float = SCORE_THRESHOLD, max_per_class: int | None = None,
          course_rule: bool = True) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The model's inputs for these boxes, and the class labels the class rows stand for.

    Returns
    -------
    feeds : dict of str to numpy.ndarray
        Named as :data:`INPUTS`; boxes (N, 4) float32 corners, scores (N,)
        float32, classes (N,) int64 in 0…C−1, and [1]-shaped scalars.
    labels : numpy.ndarray, shape (C,)
        The input's class label of each class row (sorted).
    """
    b = as_boxes(boxes).reshape(-1, 4)
    s = np.asarray(scores, np.float64).reshape(-1)
    if len(s) != len(b):
        raise ValueError(f"there are {len(b)} boxes but {len(s)} scores")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite numbers")
    c = np.zeros(len(b), np.int64) if classes is None else np.asarray(classes).reshape(-1)
    if len(c) != len(b):
        raise ValueError(f"there are {len(b)} boxes but {len(c)} classes")
    labels, rows = np.unique(c, return_inverse=True)
    if max_per_class is not None and int(max_per_class) < 0:
        raise ValueError(f"max_per_class must be 0 or more, not {max_per_class}")
    cap = len(b) if max_per_class is None else int(max_per_class)  # omitted would mean 0 to the operator
    iou32, score32 = operator_thresholds(iou_threshold, score_threshold, course_rule)
    return {
        "boxes": b.astype(np.float32),
        "scores": _scores32(s, float(score_threshold), score32) if course_rule else s.astype(np.float32),
        "classes": rows.astype(np.int64).reshape(-1),
        "num_classes": np.array([len(labels)], np.int64),
        "max_per_class": np.array([cap], np.int64),
        "iou_threshold": np.array([iou32], np.float32),
        "score_threshold": np.array([score32], np.float32),
    }, labels


def run_operator(boxes, scores, classes=None, iou_threshold: float = IOU_THRESHOLD,
                 score_threshold: float = SCORE_THRESHOLD, max_per_class: int | None = None,
                 course_rule: bool = True, provider: str = "auto") -> OperatorResult:
    """Suppress with the committed ``nms_postprocess`` model on ONNX Runtime.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        Corners (x1, y1, x2, y2), as everywhere in the course; sent as float32.
    scores : array_like, shape (N,)
        Sent as float32 (the operator's type); a float64 score within float32
        rounding of the score threshold is sent on the side of it that its
        float64 value is on. Float32 scores (every detector's) go unchanged.
    classes : array_like of int, shape (N,), optional
        Each box's class: boxes compete only within their class. None: one class.
    max_per_class : int, optional
        At most this many boxes per class; None: no cap (the box count is passed).
    course_rule : bool
        True: thresholds moved so the operator follows the course (see
        :func:`operator_thresholds`); False: the raw operator.
    provider : {"auto", "cuda", "cpu"}

    Returns
    -------
    OperatorResult
    """
    inputs, labels = feeds(boxes, scores, classes, iou_threshold, score_threshold, max_per_class, course_rule)
    out = runtime.run(MODEL, inputs, provider=provider)
    selected = out["selected"].astype(np.int64).reshape(-1, 3)
    box_index = np.sort(out["box_index"].astype(np.int64).reshape(-1))  # index order, so ties go to the lower index
    kept = box_index[score_order(np.asarray(scores, np.float64).reshape(-1)[box_index])]
    return OperatorResult(kept, selected, labels, inputs["iou_threshold"][0], inputs["score_threshold"][0],
                          int(inputs["max_per_class"][0]))


def onnx_nms(boxes, scores, classes=None, iou_threshold: float = IOU_THRESHOLD,
             score_threshold: float = SCORE_THRESHOLD, max_per_class: int | None = None,
             provider: str = "auto") -> np.ndarray:
    """The course's NMS computed by ONNX Runtime's ``NonMaxSuppression``: the same answer as the library.

    Returns the indices :func:`~playground.non_max_suppression.nms_per_class`
    returns (:func:`~playground.non_max_suppression.nms` for ``classes=None``
    and no cap): highest score first, ties to the lower index.

    Examples
    --------
    >>> onnx_nms([[0, 0, 2, 2], [0, 0, 2, 1]], [0.9, 0.8])   # IoU exactly 0.5: removed, as the course says
    array([0])
    """
    return run_operator(boxes, scores, classes, iou_threshold, score_threshold, max_per_class,
                        course_rule=True, provider=provider).kept


@lru_cache(maxsize=1)
def _bare_operator_graph() -> bytes:
    """A one-node ``NonMaxSuppression`` graph given only boxes and scores: no cap, no thresholds."""
    node = helper.make_node("NonMaxSuppression", ["boxes", "scores"], ["selected"], center_point_box=0)
    graph = helper.make_graph(
        [node], "bare_nms",
        [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, "N", 4]),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 1, "N"])],
        [helper.make_tensor_value_info("selected", TensorProto.INT64, ["K", 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="cnn-playground runtime_nms")
    model.ir_version = IR_VERSION
    return model.SerializeToString()


def run_without_cap(boxes, scores, provider: str = "auto") -> np.ndarray:
    """The bare operator with ``max_output_boxes_per_class`` (and the thresholds) left out.

    The spec's default for the omitted cap is 0, so the answer is always empty:
    the reason :func:`feeds` always passes one.

    Returns
    -------
    numpy.ndarray of int64, shape (K, 3)
        The operator's rows (batch, class, box); K = 0.
    """
    b = as_boxes(boxes).reshape(-1, 4)[:, [1, 0, 3, 2]].astype(np.float32)[None]
    s = np.asarray(scores, np.float32).reshape(1, 1, -1)
    out = runtime.run_graph(_bare_operator_graph(), {"boxes": b, "scores": s}, label="NonMaxSuppression, no cap",
                            provider=provider)
    return out["selected"].reshape(-1, 3)
