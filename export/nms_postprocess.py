"""Export ``nms_postprocess``: a detector's post-processing, built on ONNX's ``NonMaxSuppression`` operator.

Usage: python -m export.nms_postprocess

A hand-built graph with no weights. It takes boxes as the course writes them
and does per-class suppression on ONNX Runtime::

    boxes (N, 4) x1,y1,x2,y2 ──Gather([1, 0, 3, 2])──▶ y1,x1,y2,x2 ──Unsqueeze──▶ (1, N, 4)
    classes (N,), num_classes ──Equal(Range(C)[:, None], classes[None])──▶ mask (C, N)
    scores (N,) ──Where(mask, scores, −∞)──▶ (C, N) ──Unsqueeze──▶ (1, C, N)
    NonMaxSuppression(center_point_box = 0; max_per_class, iou_threshold, score_threshold)
        ──▶ selected (K, 3) rows (batch, class, box) ──Gather──▶ box_index (K,), kept_scores, kept_boxes

A box takes part only in its own class (−∞ is never above a finite score
threshold). The thresholds are passed through unchanged: the raw operator
removes IoU strictly above ``iou_threshold``; the library's wrapper
(``playground.non_max_suppression.runtime_nms``) moves it to the next float32
down to follow the course. The verification compares that wrapper with the
library's greedy NMS on random and boundary cases.
"""

from __future__ import annotations

import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper

from export.common import OPSET, cpu_session, finalize, save_model
from playground.non_max_suppression import nms_per_class
from playground.non_max_suppression import runtime_nms as rn

NAME = "nms_postprocess"
PRODUCES = ("nms_postprocess",)  # literal: `python -m export` reads it without importing the script
SEED = 0
RANDOM_CASES = 200  # random per-class box sets compared with the library


def build() -> onnx.ModelProto:
    """The ONNX graph described in the module docstring."""
    i64, f32 = TensorProto.INT64, TensorProto.FLOAT
    nodes = [
        helper.make_node("Gather", ["boxes", "yxyx_order"], ["boxes_yxyx"], axis=1),
        helper.make_node("Unsqueeze", ["boxes_yxyx", "axis0"], ["batch_boxes"]),  # (1, N, 4)
        helper.make_node("Squeeze", ["num_classes", "axis0"], ["class_count"]),  # scalar C
        helper.make_node("Range", ["zero", "class_count", "one"], ["class_ids"]),  # (C,)
        helper.make_node("Unsqueeze", ["class_ids", "axis1"], ["class_column"]),  # (C, 1)
        helper.make_node("Unsqueeze", ["classes", "axis0"], ["class_row"]),  # (1, N)
        helper.make_node("Equal", ["class_column", "class_row"], ["mask"]),  # (C, N)
        helper.make_node("Unsqueeze", ["scores", "axis0"], ["score_row"]),  # (1, N)
        helper.make_node("Where", ["mask", "score_row", "minus_inf"], ["class_scores"]),  # (C, N)
        helper.make_node("Unsqueeze", ["class_scores", "axis0"], ["batch_scores"]),  # (1, C, N)
        helper.make_node("NonMaxSuppression", ["batch_boxes", "batch_scores", "max_per_class", "iou_threshold",
                                               "score_threshold"], ["selected"], center_point_box=0),
        helper.make_node("Gather", ["selected", "two"], ["box_index"], axis=1),  # (K,)
        helper.make_node("Gather", ["scores", "box_index"], ["kept_scores"], axis=0),
        helper.make_node("Gather", ["boxes", "box_index"], ["kept_boxes"], axis=0),
    ]
    consts = [
        helper.make_tensor("yxyx_order", i64, [4], [1, 0, 3, 2]),
        helper.make_tensor("axis0", i64, [1], [0]),
        helper.make_tensor("axis1", i64, [1], [1]),
        helper.make_tensor("zero", i64, [], [0]),
        helper.make_tensor("one", i64, [], [1]),
        helper.make_tensor("two", i64, [], [2]),
        helper.make_tensor("minus_inf", f32, [], [-np.inf]),
    ]
    graph = helper.make_graph(
        nodes, NAME,
        inputs=[
            helper.make_tensor_value_info("boxes", f32, ["N", 4]),
            helper.make_tensor_value_info("scores", f32, ["N"]),
            helper.make_tensor_value_info("classes", i64, ["N"]),
            helper.make_tensor_value_info("num_classes", i64, [1]),
            helper.make_tensor_value_info("max_per_class", i64, [1]),
            helper.make_tensor_value_info("iou_threshold", f32, [1]),
            helper.make_tensor_value_info("score_threshold", f32, [1]),
        ],
        outputs=[
            helper.make_tensor_value_info("selected", i64, ["K", 3]),
            helper.make_tensor_value_info("box_index", i64, ["K"]),
            helper.make_tensor_value_info("kept_scores", f32, ["K"]),
            helper.make_tensor_value_info("kept_boxes", f32, ["K", 4]),
        ],
        initializer=consts,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="cnn-playground export/nms_postprocess.py")
    return finalize(model)


def _random_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float, int | None]:
    """Clustered boxes on a whole-number grid, float32 scores, 1–3 classes, thresholds of two decimals."""
    n = int(rng.integers(0, 60))
    centres = rng.integers(10, 90, (max(1, n // 6), 2))
    pick = centres[rng.integers(0, len(centres), n)] + rng.integers(-6, 7, (n, 2))
    half = rng.integers(2, 15, (n, 2))
    boxes = np.concatenate([pick - half, pick + half], axis=1).astype(np.float64)
    scores = rng.random(n).astype(np.float32).astype(np.float64)
    classes = rng.integers(0, int(rng.integers(1, 4)), n)
    cap = None if rng.random() < 0.5 else int(rng.integers(0, 5))
    return boxes, scores, classes, round(float(rng.uniform(0.05, 1.0)), 2), round(float(rng.uniform(0, 0.9)), 2), cap


BOUNDARY_CASES = [  # (boxes, scores, classes, iou_threshold, score_threshold, max_per_class): each is an edge
    ([[0, 0, 2, 2], [0, 0, 2, 1]], [0.9, 0.8], [0, 0], 0.5, 0.6, None),  # IoU exactly 0.5: removed
    ([[0, 0, 10, 10], [0, 0, 10, 3]], [0.9, 0.8], [0, 0], 0.3, 0.0, None),  # IoU exactly 0.3 (float32 rounds up)
    ([[0, 0, 10, 10], [0, 0, 10, 7]], [0.9, 0.8], [0, 0], 0.7, 0.0, None),  # IoU exactly 0.7 (float32 rounds down)
    ([[0, 0, 1, 1], [5, 5, 6, 6]], [0.6, 0.61], [0, 0], 0.5, 0.6, None),  # a score at exactly the threshold
    ([[0, 0, 1, 1], [0, 0, 1, 1], [3, 3, 4, 4]], [0.8, 0.8, 0.8], [0, 0, 0], 0.5, 0.6, None),  # ties: lower index
    ([[0, 0, 2, 2], [0, 0, 2, 2]], [0.9, 0.8], [0, 1], 0.5, 0.6, None),  # same box, two classes: both kept
    ([[0, 0, 1, 1], [1, 0, 2, 1], [1, 1, 2, 2]], [0.9, 0.8, 0.7], [0, 0, 0], 0.01, 0.0, None),  # touching: IoU 0
    ([[0, 0, 1, 1], [2, 0, 3, 1], [4, 0, 5, 1]], [0.9, 0.8, 0.7], [0, 0, 0], 0.5, 0.0, 2),  # the cap
    ([[0, 0, 1, 1], [2, 0, 3, 1]], [0.9, 0.8], [0, 0], 0.5, 0.0, 0),  # a cap of 0: nothing
    (np.zeros((0, 4)), np.zeros(0), np.zeros(0, np.int64), 0.5, 0.6, None),  # no boxes
    ([[0, 0, 4, 4], [1, 1, 3, 3]], [0.9, 0.8], [0, 0], 0.25, 0.0, None),  # one inside the other: IoU 4/16
    ([[0, 0, 4, 4], [0, 0, 4, 4]], [0.9, 0.8], [0, 0], 1.0, 0.0, None),  # identical boxes at threshold 1
]


def verify(model: onnx.ModelProto) -> dict:
    """The course's rule through the operator (thresholds moved) against the library's greedy loop."""
    session = cpu_session(model)
    rng = np.random.default_rng(SEED)
    cases = list(BOUNDARY_CASES) + [_random_case(rng) for _ in range(RANDOM_CASES)]
    for boxes, scores, classes, iou_t, score_t, cap in cases:
        inputs, _ = rn.feeds(boxes, scores, classes, iou_t, score_t, cap)
        out = dict(zip([o.name for o in session.get_outputs()], session.run(None, inputs)))
        got = sorted(out["box_index"].tolist())
        expected = sorted(nms_per_class(boxes, scores, classes, iou_t, score_t, cap).tolist())
        if got != expected:
            raise AssertionError(f"{NAME}: kept {got}, the library kept {expected} for {boxes}, {scores}")
        np.testing.assert_array_equal(out["kept_scores"], inputs["scores"][out["box_index"]])
    raw, _ = rn.feeds(*BOUNDARY_CASES[0][:5], course_rule=False)
    raw_keeps_exact_half = session.run(["box_index"], raw)[0].tolist() == [0, 1]
    if not raw_keeps_exact_half:
        raise AssertionError(f"{NAME}: the raw operator was expected to keep a box at IoU exactly 0.5")
    return {"reference": "playground.non_max_suppression.nms_per_class (greedy numpy, float64), thresholds moved "
                         "by runtime_nms.operator_thresholds", "boundary_cases": len(BOUNDARY_CASES),
            "random_cases": RANDOM_CASES, "seed": SEED, "kept_sets_equal": len(cases),
            "raw_operator_keeps_iou_exactly_0_5": raw_keeps_exact_half}


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    model = build()
    save_model(
        NAME, model,
        description="Per-class non-max suppression by ONNX's NonMaxSuppression operator: boxes (N, 4) as x1,y1,x2,y2, "
                    "scores (N,), classes (N,) in 0…C−1, and [1]-shaped num_classes, max_per_class, iou_threshold "
                    "(removes IoU strictly above), score_threshold (keeps strictly above); outputs the operator's "
                    "rows (batch, class, box) and the kept boxes' indices, scores and corners.",
        provenance={"command": "python -m export nms_postprocess", "script": "export/nms_postprocess.py",
                    "data": "none: a hand-built graph with no trained weights", "seed": SEED,
                    "weights": "none: a post-processing graph"},
        verification=verify(model),
    )


if __name__ == "__main__":
    main()
