"""NMS on 1,000 and 10,000 boxes: a plain Python loop, the library's vectorised numpy, and ONNX's operator.

All three run on the same boxes (heaped around objects, as a detector's raw output is) and must keep the same
set, which is asserted before anything is timed. The rows compare numpy with the loop, and the operator (the
committed ``nms_postprocess`` model through ``onnx_nms``) with numpy.
"""

from __future__ import annotations

import numpy as np

from bench.core import Case
from playground import runtime
from playground.non_max_suppression import nms, onnx_nms
from playground.non_max_suppression import runtime_nms as rn
from tests.references import loop_nms

SIZES = (1_000, 10_000)
OBJECTS_PER_1000 = 20  # objects the boxes are heaped around, per 1,000 boxes
IOU, SCORE = 0.5, 0.0  # every box takes part: the hardest case for the loop


def heaped_boxes(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` boxes around n/50 objects in a 1000 × 1000 image, float32 corners and scores."""
    rng = np.random.default_rng(seed)
    m = max(1, n * OBJECTS_PER_1000 // 1000)
    centres = rng.random((m, 2)) * 900 + 50
    sizes = rng.uniform(20, 120, (m, 2))
    owner = rng.integers(0, m, n)
    mid = centres[owner] + rng.normal(0, 0.15, (n, 2)) * sizes[owner]
    half = sizes[owner] / 2 * rng.uniform(0.7, 1.3, (n, 2))
    boxes = np.concatenate([mid - half, mid + half], axis=1).astype(np.float32)
    return boxes, rng.random(n).astype(np.float32)


def cases() -> list[Case]:
    out = []
    for n in SIZES:
        boxes, scores = heaped_boxes(n)
        b64, s64 = boxes.astype(np.float64), scores.astype(np.float64)
        as_lists = (b64.tolist(), s64.tolist())
        loop = loop_nms(*as_lists, IOU, SCORE)
        vectorised = nms(b64, s64, IOU, SCORE)
        onnx = onnx_nms(boxes, scores, iou_threshold=IOU, score_threshold=SCORE, provider="cpu")
        if not (sorted(loop) == sorted(vectorised.tolist()) == sorted(onnx.tolist())):
            raise AssertionError(f"NMS on {n} boxes: the loop, numpy and ONNX kept different sets")
        feeds, _ = rn.feeds(boxes, scores, None, IOU, SCORE)
        label = f"{n:,} boxes, {len(vectorised)} kept"
        out += [
            Case(f"nms (vectorised numpy): {label}", run=lambda b=b64, s=s64: nms(b, s, IOU, SCORE),
                 reference=lambda a=as_lists: loop_nms(*a, IOU, SCORE), reference_name="plain Python loop"),
            Case(f"onnx_nms (NonMaxSuppression): {label}",
                 run=lambda b=boxes, s=scores: onnx_nms(b, s, iou_threshold=IOU, score_threshold=SCORE, provider="cpu"),
                 reference=lambda b=b64, s=s64: nms(b, s, IOU, SCORE), reference_name="nms (vectorised numpy)"),
            Case(f"nms_postprocess model alone: {label}",
                 run=lambda f=feeds: runtime.run(rn.MODEL, f, provider="cpu"),
                 reference=lambda b=b64, s=s64: nms(b, s, IOU, SCORE), reference_name="nms (vectorised numpy)"),
        ]
    return out
