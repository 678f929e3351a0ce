"""Suppression as a detector's last step, and mAP against the NMS threshold, on synthetic detections."""

from __future__ import annotations

import numpy as np
import pytest

from playground.non_max_suppression import Detections, GroundTruth, evaluate, mean_average_precision
from playground.non_max_suppression.sweep import map_sweep, suppress
from tests.references import loop_nms, loop_soft_nms


def duplicates(seed: int, n_images: int = 15):
    """Every object found by a tight heap of boxes (duplicates), scores falling off with the shift."""
    rng = np.random.default_rng(seed)
    raw, truths = [], []
    for _ in range(n_images):
        m = int(rng.integers(1, 4))
        corner = rng.random((m, 2)) * 60
        gt = np.concatenate([corner, corner + rng.uniform(15, 30, (m, 2))], axis=1)
        cls = rng.integers(0, 2, m)
        boxes, scores, classes = [], [], []
        for box, c in zip(gt, cls):
            for _ in range(5):
                shift = rng.normal(0, 0.1, 4) * (box[2] - box[0])
                b = box + shift
                boxes.append(np.concatenate([np.minimum(b[:2], b[2:]), np.maximum(b[:2], b[2:])]))
                scores.append(float(np.clip(0.9 - np.abs(shift).mean() / 10 + rng.normal(0, 0.05), 0.02, 0.99)))
                classes.append(int(c))
        raw.append(Detections(np.array(boxes), np.array(scores), np.array(classes)))
        truths.append(GroundTruth(gt, cls))
    return raw, truths


def test_hard_suppression_is_the_loop_reference_per_class():
    """suppress(kind="hard") keeps, in each class, what the loop reference keeps."""
    raw, _ = duplicates(0)
    for det in raw:
        kept = suppress(det, "hard", 0.5, 0.01)
        expected = []
        for c in np.unique(det.classes):
            members = np.flatnonzero(det.classes == c)
            expected += [tuple(det.boxes[members[i]]) for i in loop_nms(det.boxes[members].tolist(),
                                                                          det.scores[members].tolist(), 0.5, 0.01)]
        assert sorted(map(tuple, kept.boxes)) == sorted(expected)


def test_soft_suppression_rescores_as_the_papers_loop():
    """suppress(kind="gaussian") keeps each class's boxes with the loop's decayed scores."""
    raw, _ = duplicates(1)
    det = raw[0]
    kept = suppress(det, "gaussian", score_threshold=0.01, sigma=0.5)
    expected = []
    for c in np.unique(det.classes):
        members = np.flatnonzero(det.classes == c)
        expected += [s for _, s in loop_soft_nms(det.boxes[members].tolist(), det.scores[members].tolist(),
                                                 "gaussian", 0.5, 0.3, 0.01)]
    np.testing.assert_allclose(sorted(kept.scores), sorted(expected), rtol=1e-12)


def test_suppression_raises_map_over_keeping_every_duplicate():
    """Five boxes per object: without NMS four of them are false positives, so mAP rises once they go."""
    raw, truths = duplicates(2)
    none = map_sweep(raw, truths, [0, 1], [0.5], "none")[0]
    hard = map_sweep(raw, truths, [0, 1], [0.5], "hard")[0]
    assert hard > none


def test_the_sweep_is_evaluate_at_each_threshold():
    """Each point of the curve is mAP of evaluate() on the images suppressed at that threshold."""
    raw, truths = duplicates(3)
    thresholds = [0.3, 0.5, 0.7]
    curve = map_sweep(raw, truths, [0, 1], thresholds, "hard", "coco101")
    for t, value in zip(thresholds, curve):
        kept = [suppress(d, "hard", t) for d in raw]
        assert value == pytest.approx(mean_average_precision(evaluate(kept, truths, [0, 1], method="coco101")))


def test_an_unknown_kind_is_refused():
    """kind must be none, hard, linear or gaussian."""
    raw, _ = duplicates(4, 1)
    with pytest.raises(ValueError, match="kind must be"):
        suppress(raw[0], "soft")


@pytest.mark.parametrize("kind, thresholds", [("hard", [0.3, 0.6]), ("linear", [0.3]), ("gaussian", [0.5, 1.0])])
def test_sweep_results_hold_both_interpolations_of_the_same_matches(kind, thresholds):
    """sweep_results' curves are evaluate()'s; its all-point and 101-point mAPs are map_sweep's for each method."""
    from playground.non_max_suppression.sweep import map_curve, sweep_results

    raw, truths = duplicates(5)
    results = sweep_results(raw, truths, [0, 1], thresholds, kind)
    for method in ("all_points", "coco101"):
        np.testing.assert_allclose(map_curve(results, method), map_sweep(raw, truths, [0, 1], thresholds, kind, method),
                                   rtol=1e-12)
    for r in results:
        np.testing.assert_array_equal(r["all_points"][0].recall, r["coco101"][0].recall)
