"""Soft-NMS against the paper's loop and hand-worked decays (arithmetic in the docstrings)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.non_max_suppression import nms
from playground.non_max_suppression.soft import decay, soft_nms, soft_nms_per_class, soft_nms_steps
from tests.references import loop_soft_nms


def random_boxes(seed: int, n: int):
    rng = np.random.default_rng(seed)
    mid = rng.random((max(1, n // 6), 2))[rng.integers(0, max(1, n // 6), n)] * 80 + rng.normal(0, 3, (n, 2))
    half = rng.uniform(3, 12, (n, 2))
    return np.concatenate([mid - half, mid + half], axis=1), rng.random(n)


def test_gaussian_decay_of_a_half_overlap():
    """IoU 0.5, σ = 0.5: the second box keeps 0.8·exp(−0.5²/0.5) = 0.8·exp(−0.5) = 0.48522; it is not removed."""
    kept, scores = soft_nms([[0, 0, 2, 2], [0, 0, 2, 1]], [0.9, 0.8], "gaussian", sigma=0.5)
    assert kept.tolist() == [0, 1]
    np.testing.assert_allclose(scores, [0.9, 0.8 * math.exp(-0.5)], rtol=1e-12)
    assert scores[1] == pytest.approx(0.48522, abs=1e-5)


def test_linear_decay_below_and_above_nt():
    """N_t = 0.3. Box 2 overlaps box 1 by IoU 2/4 = 0.5 ≥ 0.3: 0.8·(1 − 0.5) = 0.4. Box 3 against box 1
    ([0,0,2,2] and [1.6,0,3.6,2]): ∩ = 0.4·2 = 0.8, ∪ = 4 + 4 − 0.8 = 7.2, IoU = 1/9 < 0.3: unchanged (0.7),
    so it is kept next; its IoU with box 2 ([0,0,2,1]) is 0.4/(2 + 4 − 0.4) = 1/14, also below N_t."""
    boxes = [[0, 0, 2, 2], [0, 0, 2, 1], [1.6, 0, 3.6, 2]]
    kept, scores = soft_nms(boxes, [0.9, 0.8, 0.7], "linear", iou_threshold=0.3)
    assert kept.tolist() == [0, 2, 1]
    np.testing.assert_allclose(scores, [0.9, 0.7, 0.4], rtol=1e-12)


def test_a_decayed_box_can_be_kept_after_a_lower_one():
    """The linear case above: box 2 started at 0.8 > 0.7 but is kept after box 3 once decayed to 0.4."""
    steps = soft_nms_steps([[0, 0, 2, 2], [0, 0, 2, 1], [1.6, 0, 3.6, 2]], [0.9, 0.8, 0.7], "linear")
    assert [s.kept for s in steps] == [0, 2, 1]
    np.testing.assert_allclose(steps[0].before, [0.8, 0.7])
    np.testing.assert_allclose(steps[0].after, [0.4, 0.7])


@pytest.mark.parametrize("method", ["linear", "gaussian"])
@pytest.mark.parametrize("seed, n", [(0, 1), (1, 8), (2, 40), (3, 120)])
@pytest.mark.parametrize("sigma, nt, threshold", [(0.5, 0.3, 0.001), (0.1, 0.5, 0.2), (2.0, 0.7, 0.05)])
def test_soft_nms_matches_the_papers_loop(method, seed, n, sigma, nt, threshold):
    """Random boxes: the same boxes in the same order with the same decayed scores as the list-based loop."""
    boxes, scores = random_boxes(seed, n)
    kept, kept_scores = soft_nms(boxes, scores, method, sigma, nt, threshold)
    expected = loop_soft_nms(boxes.tolist(), scores.tolist(), method, sigma, nt, threshold)
    assert kept.tolist() == [i for i, _ in expected]
    np.testing.assert_allclose(kept_scores, [s for _, s in expected], rtol=1e-12)


def test_decay_curves():
    """Linear: 1 below N_t, 1 − IoU from N_t on (at N_t itself too). Gaussian: 1 at IoU 0, e^(−1/σ) at IoU 1."""
    np.testing.assert_allclose(decay([0.0, 0.29, 0.3, 0.8], "linear", iou_threshold=0.3), [1, 1, 0.7, 0.2])
    np.testing.assert_allclose(decay([0.0, 1.0], "gaussian", sigma=0.5), [1, math.exp(-2)])


def test_a_tiny_sigma_is_hard_nms():
    """Whole-number boxes within 0…20: two that overlap share ≥ 1 unit of a union ≤ 2·20² = 800, so IoU ≥ 1/800.
    With σ = 1e-9 such a box is multiplied by at most exp(−(1/800)²/1e-9) = e^−1562 ≈ 0 and drops below 0.001:
    Soft-NMS keeps exactly what hard NMS keeps when any overlap removes (threshold 1e-4 < 1/800)."""
    rng = np.random.default_rng(5)
    corner = rng.integers(0, 15, (40, 2))
    boxes = np.concatenate([corner, corner + rng.integers(1, 6, (40, 2))], axis=1)
    scores = rng.random(40)
    kept, _ = soft_nms(boxes, scores, "gaussian", sigma=1e-9, score_threshold=0.001)
    assert sorted(kept.tolist()) == sorted(nms(boxes, scores, 1e-4, 0.001).tolist())
    assert len(kept) < 40  # some boxes did overlap


def test_per_class_keeps_classes_apart():
    """The same two boxes in two classes are both kept undecayed; in one class the second is decayed."""
    boxes = [[0, 0, 2, 2], [0, 0, 2, 2]]
    kept, scores = soft_nms_per_class(boxes, [0.9, 0.8], [0, 1])
    assert kept.tolist() == [0, 1] and scores.tolist() == [0.9, 0.8]
    _, one_class = soft_nms_per_class(boxes, [0.9, 0.8], [0, 0])
    np.testing.assert_allclose(one_class, [0.9, 0.8 * math.exp(-1 / 0.5)])


@pytest.mark.parametrize("kwargs, message", [({"method": "cubic"}, "method must be"), ({"sigma": 0.0}, "sigma")])
def test_bad_settings_are_refused(kwargs, message):
    """An unknown decay or σ ≤ 0 is a ValueError in words."""
    with pytest.raises(ValueError, match=message):
        soft_nms([[0, 0, 1, 1]], [0.9], **kwargs)
