"""Precision, recall and AP against hand-worked cases (arithmetic in the docstrings) and a definition-level loop."""

from __future__ import annotations

import numpy as np
import pytest

from playground.non_max_suppression import (
    Detections,
    GroundTruth,
    average_precision,
    evaluate,
    match,
    mean_average_precision,
    precision_recall,
)
from tests.references import all_point_ap


def test_hand_worked_precision_recall_and_ap():
    """3 objects; detections by score: hit, miss, hit, hit.
    recall 1/3, 1/3, 2/3, 1; precision 1, 1/2, 2/3, 3/4.
    All-point AP = 1/3·1 + 1/3·3/4 + 1/3·3/4 = 0.8333… (the envelope at recall 2/3 is max(2/3, 3/4) = 3/4)."""
    recall, precision = precision_recall([0.9, 0.8, 0.7, 0.6], [True, False, True, True], 3)
    np.testing.assert_allclose(recall, [1 / 3, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(precision, [1, 1 / 2, 2 / 3, 3 / 4])
    assert average_precision(recall, precision) == pytest.approx(1 / 3 + 1 / 3 * 3 / 4 + 1 / 3 * 3 / 4)


def test_coco101_differs_from_all_points_on_the_same_curve():
    """Same curve: COCO averages the envelope at r = 0, 0.01, …, 1. Recall points 0…0.33 (34 of them) see 1,
    0.34…1.00 (67) see 3/4: (34·1 + 67·0.75)/101 = 0.8342 against all-point 0.8333."""
    recall, precision = precision_recall([0.9, 0.8, 0.7, 0.6], [True, False, True, True], 3)
    assert average_precision(recall, precision, "coco101") == pytest.approx((34 + 67 * 0.75) / 101)


@pytest.mark.parametrize("seed", range(6))
def test_all_point_ap_matches_its_definition(seed):
    """Random hit/miss sequences: the vectorised AP equals Σ Δrecall × max precision to the right."""
    rng = np.random.default_rng(seed)
    hits = rng.random(40) < 0.6
    n_gt = int(hits.sum()) + int(rng.integers(0, 5))
    scores = np.linspace(1, 0, 40)
    recall, precision = precision_recall(scores, hits, n_gt)
    assert average_precision(recall, precision) == pytest.approx(all_point_ap(hits, n_gt), abs=1e-12)


def test_a_duplicate_detection_is_a_false_positive():
    """Two detections on one object: the more confident matches, the other is a false positive."""
    hits = match([[0, 0, 2, 2], [0, 0, 2, 2.1]], [0.6, 0.9], [[0, 0, 2, 2]])
    assert hits.tolist() == [False, True]


def test_match_needs_iou_at_least_the_threshold():
    """IoU exactly 0.5 matches at threshold 0.5 (≥), not at 0.51."""
    assert match([[0, 0, 2, 1]], [0.9], [[0, 0, 2, 2]], 0.5).tolist() == [True]
    assert match([[0, 0, 2, 1]], [0.9], [[0, 0, 2, 2]], 0.51).tolist() == [False]


def test_map_over_two_images_and_two_classes():
    """Class 0: both objects found first → AP 1. Class 1: a false positive ranks above the one hit → recall 1 at
    precision 1/2 → AP 0.5. mAP = 0.75."""
    truths = [GroundTruth(np.array([[0, 0, 1, 1], [2, 2, 3, 3]]), np.array([0, 1])),
              GroundTruth(np.array([[0, 0, 1, 1]]), np.array([0]))]
    dets = [Detections(np.array([[0, 0, 1, 1], [5, 5, 6, 6], [2, 2, 3, 3]]), np.array([0.9, 0.8, 0.7]),
                       np.array([0, 1, 1])),
            Detections(np.array([[0, 0, 1, 1]]), np.array([0.95]), np.array([0]))]
    results = evaluate(dets, truths, classes=[0, 1])
    assert results[0].ap == pytest.approx(1.0) and results[1].ap == pytest.approx(0.5)
    assert mean_average_precision(results) == pytest.approx(0.75)


def test_no_detections_give_zero_ap():
    """Objects but no detections: AP 0."""
    assert average_precision(np.zeros(0), np.zeros(0)) == 0.0
