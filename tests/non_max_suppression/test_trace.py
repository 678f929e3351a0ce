"""The step-through's trace: every box's fate and the step that decided it, against the loop reference."""

from __future__ import annotations

import numpy as np
import pytest

from playground.non_max_suppression import nms_per_class
from playground.non_max_suppression.trace import nms_trace
from tests.references import loop_nms, pair_iou


def heaped(seed: int, n: int):
    rng = np.random.default_rng(seed)
    mid = rng.random((max(1, n // 6), 2))[rng.integers(0, max(1, n // 6), n)] * 80 + rng.normal(0, 4, (n, 2))
    half = rng.uniform(4, 12, (n, 2))
    return np.concatenate([mid - half, mid + half], axis=1), rng.random(n).round(2), rng.integers(0, 3, n)


@pytest.mark.parametrize("seed, n", [(0, 1), (1, 12), (2, 60), (3, 150)])
@pytest.mark.parametrize("per_class", [True, False])
@pytest.mark.parametrize("cap", [None, 0, 1, 3])
def test_kept_boxes_are_the_loop_references(seed, n, per_class, cap):
    """Per class (or as one pool), the kept boxes are the loop reference's first ``cap`` of each class."""
    boxes, scores, classes = heaped(seed, n)
    trace = nms_trace(boxes, scores, classes, 0.45, 0.3, per_class, cap)
    groups = np.unique(classes) if per_class else [None]
    expected = []
    for cls in groups:
        members = np.arange(n) if cls is None else np.flatnonzero(classes == cls)
        chosen = [int(members[i]) for i in loop_nms(boxes[members].tolist(), scores[members].tolist(), 0.45, 0.3)]
        expected += chosen if cap is None else chosen[:cap]
    assert sorted(trace.kept.tolist()) == sorted(expected)
    pool = classes if per_class else np.zeros(n, int)
    assert trace.kept.tolist() == nms_per_class(boxes, scores, pool, 0.45, 0.3, cap).tolist()


@pytest.mark.parametrize("seed", range(4))
def test_every_fate_has_its_reason(seed):
    """score: p_c ≤ 0.3; iou: its remover is a kept box of its class, with IoU ≥ 0.45 (plain Python IoU), kept
    before it was decided; cap: its class has exactly ``cap`` kept boxes."""
    boxes, scores, classes = heaped(seed, 80)
    trace = nms_trace(boxes, scores, classes, 0.45, 0.3, True, 2)
    for i, fate in enumerate(trace.fate):
        if fate == "score":
            assert scores[i] <= 0.3
        elif fate == "iou":
            k = trace.removed_by[i]
            assert trace.fate[k] == "kept" and classes[k] == classes[i]
            assert pair_iou(boxes[i].tolist(), boxes[k].tolist()) >= 0.45
            assert trace.steps[trace.removed_at[i]].kept == k
        elif fate == "cap":
            assert scores[i] > 0.3 and sum(trace.fate[j] == "kept" for j in np.flatnonzero(classes == classes[i])) == 2
        else:
            assert fate == "kept" and trace.steps[trace.removed_at[i]].kept == i


def test_steps_go_class_by_class_in_score_order():
    """Steps of class 0 come before those of class 1; within a class the kept scores do not increase."""
    boxes, scores, classes = heaped(7, 90)
    trace = nms_trace(boxes, scores, classes, 0.5, 0.1)
    step_classes = [s.cls for s in trace.steps]
    assert step_classes == sorted(step_classes)
    for cls in set(step_classes):
        kept_scores = [scores[s.kept] for s in trace.steps if s.cls == cls]
        assert kept_scores == sorted(kept_scores, reverse=True)


def test_a_worked_chain():
    """Boxes 1–3 of the chain preset at 0.3: box 1 removes box 2 (IoU 800/2400 = 1/3 ≥ 0.3); box 3 only touches
    box 1 (IoU 0) and survives, although it overlaps box 2 by 1/3 too: a removed box removes nothing."""
    boxes = [[10, 30, 50, 70], [30, 30, 70, 70], [50, 30, 90, 70]]
    trace = nms_trace(boxes, [0.9, 0.8, 0.7], iou_threshold=0.3, score_threshold=0.6)
    assert trace.fate.tolist() == ["kept", "iou", "kept"]
    np.testing.assert_allclose(trace.steps[0].ious, [1 / 3, 0.0])
    assert trace.removed_by[1] == 0
