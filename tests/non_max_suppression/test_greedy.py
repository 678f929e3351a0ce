"""nms against a plain-Python loop of the course's recipe, with ties and exact-threshold cases."""

from __future__ import annotations

import numpy as np
import pytest

from playground.non_max_suppression import nms, nms_per_class, nms_steps
from tests.references import loop_nms


def random_boxes(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xy = rng.random((n, 2)) * 10
    boxes = np.concatenate([xy, xy + 1 + rng.random((n, 2)) * 4], axis=1)
    return boxes, rng.random(n)


@pytest.mark.parametrize("seed, n", [(0, 1), (1, 5), (2, 40), (3, 200)])
@pytest.mark.parametrize("iou_threshold, score_threshold", [(0.5, 0.6), (0.3, 0.0), (0.7, 0.2)])
def test_nms_matches_the_loop_reference(seed, n, iou_threshold, score_threshold):
    """Random boxes: the same kept indices, in the same order, as the list-based reference."""
    boxes, scores = random_boxes(seed, n)
    kept = nms(boxes, scores, iou_threshold, score_threshold)
    assert kept.tolist() == loop_nms(boxes, scores, iou_threshold, score_threshold)
    assert kept.dtype == np.int64


def test_a_box_at_exactly_the_iou_threshold_is_removed():
    """IoU = 2/4 = 0.5 exactly: the course discards IoU ≥ 0.5, so only the first box survives."""
    assert nms([[0, 0, 2, 2], [0, 0, 2, 1]], [0.9, 0.8]).tolist() == [0]
    assert nms([[0, 0, 2, 2], [0, 0, 2, 1]], [0.9, 0.8], iou_threshold=0.51).tolist() == [0, 1]


def test_a_score_at_exactly_the_threshold_is_discarded():
    """p_c ≤ 0.6 is discarded: a box with p_c = 0.6 never takes part."""
    assert nms([[0, 0, 1, 1], [5, 5, 6, 6]], [0.6, 0.61]).tolist() == [1]


def test_equal_scores_keep_the_lower_index_first():
    """Two identical boxes with the same score: the first one is kept and suppresses the other."""
    assert nms([[0, 0, 1, 1], [0, 0, 1, 1], [3, 3, 4, 4]], [0.8, 0.8, 0.8]).tolist() == [0, 2]


def test_empty_input_gives_an_empty_result():
    """No boxes, or none above the score threshold: an empty int array."""
    assert nms(np.zeros((0, 4)), np.zeros(0)).tolist() == []
    assert nms([[0, 0, 1, 1]], [0.1]).tolist() == []


def test_steps_explain_each_removal():
    """Each step keeps the best remaining box and removes exactly the candidates with IoU ≥ the threshold."""
    boxes, scores = random_boxes(9, 30)
    below, steps = nms_steps(boxes, scores, 0.4, 0.3)
    assert sorted(below.tolist()) == [i for i in range(30) if scores[i] <= 0.3]
    for step in steps:
        np.testing.assert_array_equal(step.removed, step.ious >= 0.4)
    assert [s.kept for s in steps] == loop_nms(boxes, scores, 0.4, 0.3)


def test_per_class_boxes_do_not_suppress_each_other():
    """The same box twice, as two classes, survives twice; within a class only one survives."""
    boxes = [[0, 0, 2, 2], [0, 0, 2, 2], [0.1, 0, 2, 2]]
    assert sorted(nms_per_class(boxes, [0.9, 0.8, 0.7], [0, 1, 0]).tolist()) == [0, 1]
    assert nms_per_class(boxes, [0.9, 0.8, 0.7], [0, 0, 0], max_per_class=5).tolist() == [0]


def test_mismatched_lengths_are_refused():
    """Three boxes and two scores is a mistake, said in words."""
    with pytest.raises(ValueError, match="3 boxes but 2 scores"):
        nms([[0, 0, 1, 1]] * 3, [0.9, 0.8])


def test_per_class_ties_across_classes_go_to_the_lower_index():
    """Two far-apart boxes with equal scores, the higher index in the lower class: the lower index comes first."""
    kept = nms_per_class([[0, 0, 1, 1], [5, 5, 6, 6]], [0.8, 0.8], [1, 0])
    assert kept.tolist() == [0, 1]
