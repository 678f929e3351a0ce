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
from tests.references import all_point_ap, coco101_ap, loop_average_precision


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


@pytest.mark.parametrize("seed", range(6))
def test_coco101_ap_matches_its_definition(seed):
    """Random hit/miss sequences: COCO's 101-point AP equals the mean over pycocotools' recall points of the best
    precision at recall ≥ each point."""
    rng = np.random.default_rng(100 + seed)
    hits = rng.random(30) < 0.5
    n_gt = int(hits.sum()) + int(rng.integers(0, 4))
    recall, precision = precision_recall(np.linspace(1, 0, 30), hits, max(n_gt, 1))
    assert average_precision(recall, precision, "coco101") == pytest.approx(coco101_ap(hits, max(n_gt, 1)), abs=1e-12)


def synthetic_images(seed: int, n_images: int = 12):
    """Ground truth in 3 classes and a noisy detector's boxes: shifted copies of each object, misses, strays."""
    rng = np.random.default_rng(seed)
    dets, truths = [], []
    for _ in range(n_images):
        m = int(rng.integers(1, 5))
        corner = rng.random((m, 2)) * 70
        gt = np.concatenate([corner, corner + rng.uniform(8, 25, (m, 2))], axis=1)
        gt_cls = rng.integers(0, 3, m)
        rows = []
        for box, c in zip(gt, gt_cls):
            for _ in range(int(rng.integers(0, 4))):  # 0 (a miss) to 3 boxes on each object
                w, h = box[2] - box[0], box[3] - box[1]
                rows.append((box + rng.normal(0, 0.12, 4) * [w, h, w, h], float(rng.random()), int(c)))
        for _ in range(int(rng.integers(0, 3))):  # strays
            xy = rng.random(2) * 80
            rows.append((np.concatenate([xy, xy + rng.uniform(5, 20, 2)]), float(rng.random() * 0.7),
                         int(rng.integers(0, 3))))
        rows = [(np.minimum(b[:2], b[2:]).tolist() + np.maximum(b[:2], b[2:]).tolist(), s, c) for b, s, c in rows]
        dets.append(rows)
        truths.append([(b.tolist(), int(c)) for b, c in zip(gt, gt_cls)])
    return dets, truths


def as_arrays(dets, truths):
    return ([Detections(np.array([b for b, _, _ in d]).reshape(-1, 4), np.array([s for _, s, _ in d]),
                        np.array([c for _, _, c in d], np.int64)) for d in dets],
            [GroundTruth(np.array([b for b, _ in t]).reshape(-1, 4), np.array([c for _, c in t], np.int64))
             for t in truths])


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("method", ["all_points", "coco101"])
@pytest.mark.parametrize("iou_threshold", [0.5, 0.75])
def test_evaluate_matches_the_definition_on_synthetic_detections(seed, method, iou_threshold):
    """A noisy synthetic detector over 12 images: every class's AP equals the loop reference's (greedy matching
    by score, the best unmatched ground truth, Σ over detections / 101 points)."""
    dets, truths = synthetic_images(seed)
    results = evaluate(*as_arrays(dets, truths), classes=[0, 1, 2], iou_threshold=iou_threshold, method=method)
    for cls in range(3):
        expected = loop_average_precision(dets, truths, cls, iou_threshold, method)
        assert results[cls].ap == pytest.approx(expected, abs=1e-12)


def test_voc_and_coco_give_different_numbers_for_the_same_boxes():
    """The same synthetic detections, the same matches: all-point and 101-point AP differ (the page says which)."""
    dets, truths = as_arrays(*synthetic_images(1))
    voc = mean_average_precision(evaluate(dets, truths, [0, 1, 2], method="all_points"))
    coco = mean_average_precision(evaluate(dets, truths, [0, 1, 2], method="coco101"))
    assert voc != pytest.approx(coco, abs=1e-6)
