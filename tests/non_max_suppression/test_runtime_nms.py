"""The nms_postprocess model (ONNX's NonMaxSuppression) against the operator's spec and the course's rule.

The raw model is compared with a plain-Python reading of the operator's spec
(strict IoU >, strict score >, per class, a cap); the library's wrapper with
the loop reference of the course's rule (IoU ≥, score >), on random cases and
on the boundaries: IoU and scores at exactly the threshold, ties, touching
boxes, caps and the float32 rounding inside ONNX Runtime.
"""

from __future__ import annotations

import numpy as np
import pytest

from playground import runtime
from playground.non_max_suppression import nms, nms_per_class, onnx_nms, operator_thresholds, run_operator
from playground.non_max_suppression import runtime_nms as rn
from tests.references import loop_nms, operator_nms_reference, pair_iou


def clustered(seed: int, n: int, n_classes: int = 3, scale: float = 1.0):
    """Boxes heaped around a few objects (so many overlap), float32 scores, random classes."""
    rng = np.random.default_rng(seed)
    centres = rng.random((max(1, n // 8), 2)) * 80 + 10
    mid = centres[rng.integers(0, len(centres), n)] + rng.normal(0, 3, (n, 2))
    half = rng.uniform(3, 12, (n, 2))
    boxes = np.concatenate([mid - half, mid + half], axis=1) * scale
    scores = rng.random(n).astype(np.float32)
    return boxes.astype(np.float32), scores, rng.integers(0, n_classes, n)


def model_feeds(boxes, scores, classes, cap, iou_t, score_t) -> dict[str, np.ndarray]:
    """The model's inputs written out by hand (no library code), thresholds passed as they are."""
    n_classes = int(max(classes, default=-1)) + 1
    return {"boxes": np.asarray(boxes, np.float32).reshape(-1, 4), "scores": np.asarray(scores, np.float32),
            "classes": np.asarray(classes, np.int64), "num_classes": np.array([n_classes], np.int64),
            "max_per_class": np.array([cap], np.int64), "iou_threshold": np.array([iou_t], np.float32),
            "score_threshold": np.array([score_t], np.float32)}


@pytest.mark.model_reference("nms_postprocess")
@pytest.mark.parametrize("seed, n, cap, iou_t, score_t", [
    (0, 1, 5, 0.5, 0.0), (1, 30, 100, 0.5, 0.3), (2, 120, 3, 0.3, 0.6), (3, 200, 200, 0.7, 0.1), (4, 0, 5, 0.5, 0.5),
    (5, 60, 0, 0.5, 0.0), (6, 80, 1, 0.05, 0.0), (7, 80, 100, 1.0, 0.0),
])
def test_raw_model_follows_the_operator_spec(seed, n, cap, iou_t, score_t, provider):
    """Random boxes: the model's rows (batch, class, box), class by class in score order, are the spec's;
    kept_scores and kept_boxes are the inputs at those boxes."""
    boxes, scores, classes = clustered(seed, n)
    out = runtime.run("nms_postprocess", model_feeds(boxes, scores, classes, cap, iou_t, score_t), provider=provider)
    expected = operator_nms_reference(boxes.tolist(), scores.tolist(), classes.tolist(), cap, iou_t, score_t)
    assert out["selected"].tolist() == expected
    np.testing.assert_array_equal(out["box_index"], [row[2] for row in expected])
    np.testing.assert_array_equal(out["kept_scores"], scores[out["box_index"]])
    np.testing.assert_array_equal(out["kept_boxes"], boxes[out["box_index"]])


@pytest.mark.model_reference("nms_postprocess")
def test_raw_model_keeps_a_box_at_exactly_the_iou_threshold(provider):
    """[0,0,2,2] and [0,0,2,1]: IoU = 2/4 = 0.5. The operator removes only IoU > 0.5, so both stay; the
    course removes IoU ≥ 0.5, so the wrapper keeps one."""
    boxes, scores = [[0, 0, 2, 2], [0, 0, 2, 1]], [0.9, 0.8]
    out = runtime.run("nms_postprocess", model_feeds(boxes, scores, [0, 0], 10, 0.5, 0.0), provider=provider)
    assert out["box_index"].tolist() == [0, 1]
    assert onnx_nms(boxes, scores, provider=provider).tolist() == [0] == nms(boxes, scores).tolist()


@pytest.mark.model_reference("nms_postprocess")
def test_raw_model_keeps_scores_strictly_above_the_threshold(provider):
    """Scores 0.5 and 0.75 (exact in float32) at threshold 0.5: only 0.75 passes (strict >, as the course)."""
    out = runtime.run("nms_postprocess", model_feeds([[0, 0, 1, 1], [5, 5, 6, 6]], [0.5, 0.75], [0, 0], 10, 0.5, 0.5),
                      provider=provider)
    assert out["box_index"].tolist() == [1]


@pytest.mark.model_reference("nms_postprocess")
def test_a_box_competes_only_in_its_own_class(provider):
    """The same box as class 0 and class 1 is kept twice; its −∞ score in the other class's row never passes,
    even at a negative score threshold."""
    boxes = [[0, 0, 2, 2], [0, 0, 2, 2]]
    out = runtime.run("nms_postprocess", model_feeds(boxes, [0.9, 0.8], [0, 1], 10, 0.5, -1.0), provider=provider)
    assert out["selected"].tolist() == [[0, 0, 0], [0, 1, 1]]


def test_omitting_the_cap_gives_no_boxes():
    """The bare operator with max_output_boxes_per_class left out returns nothing, however clear the case."""
    assert rn.run_without_cap([[0, 0, 1, 1], [3, 3, 4, 4]], [0.9, 0.8], provider="cpu").shape == (0, 3)


@pytest.mark.parametrize("seed, n, cap", [(0, 1, None), (1, 40, None), (2, 150, 2), (3, 300, None), (4, 0, None)])
@pytest.mark.parametrize("iou_t, score_t", [(0.5, 0.6), (0.3, 0.0), (0.7, 0.25), (1.0, 0.5)])
def test_wrapper_equals_the_course_rule_per_class(seed, n, cap, iou_t, score_t, provider):
    """Random per-class boxes: onnx_nms keeps what the loop reference keeps in each class, highest score first."""
    boxes, scores, classes = clustered(seed, n)
    kept = onnx_nms(boxes, scores, classes, iou_t, score_t, max_per_class=cap, provider=provider)
    expected = []
    for cls in np.unique(classes):
        members = np.flatnonzero(classes == cls)
        chosen = [int(members[i]) for i in loop_nms(boxes[members].tolist(), scores[members].tolist(), iou_t, score_t)]
        expected += chosen[:cap] if cap is not None else chosen
    assert sorted(kept.tolist()) == sorted(expected)
    assert kept.tolist() == nms_per_class(boxes, scores, classes, iou_t, score_t, cap).tolist()


def test_equal_scores_in_two_classes_go_to_the_lower_index():
    """Box 1 (class 2) and box 0 (class 1) score the same: box 0 comes first, as nms_per_class orders them."""
    assert onnx_nms([[0, 0, 1, 1], [5, 5, 6, 6]], [0.8, 0.8], [1, 0], provider="cpu").tolist() == [0, 1]


def test_wrapper_without_classes_is_nms():
    """classes=None is one class: the same indices, in the same order, as nms."""
    boxes, scores, _ = clustered(11, 90)
    assert onnx_nms(boxes, scores, iou_threshold=0.4, score_threshold=0.2, provider="cpu").tolist() == \
        nms(boxes, scores, 0.4, 0.2).tolist()


@pytest.mark.parametrize("boxes, scores, iou_t, score_t, expected", [
    ([[0, 0, 10, 10], [0, 0, 10, 3]], [0.9, 0.8], 0.3, 0.0, [0]),  # IoU 30/100 = 0.3 exactly; float32(0.3) > 0.3
    ([[0, 0, 10, 10], [0, 0, 10, 7]], [0.9, 0.8], 0.7, 0.0, [0]),  # IoU 70/100 = 0.7 exactly; float32(0.7) < 0.7
    ([[0, 0, 10, 10], [0, 0, 10, 7]], [0.9, 0.8], 0.71, 0.0, [0, 1]),  # 0.7 < 0.71: stays
    ([[0, 0, 1, 1], [5, 5, 6, 6]], [0.6, 0.61], 0.5, 0.6, [1]),  # 0.6 ≤ 0.6 discarded although float32(0.6) > 0.6
    ([[0, 0, 1, 1], [5, 5, 6, 6]], [0.6000001, 0.61], 0.5, 0.6, [1, 0]),  # just above 0.6: kept
    ([[0, 0, 1, 1], [0, 0, 1, 1], [3, 3, 4, 4]], [0.8, 0.8, 0.8], 0.5, 0.6, [0, 2]),  # tie: the lower index wins
    ([[3, 3, 4, 4], [0, 0, 1, 1], [0, 0, 1, 1]], [0.8, 0.8, 0.8], 0.5, 0.6, [0, 1]),  # ... wherever it is
    ([[0, 0, 1, 1], [1, 0, 2, 1], [1, 1, 2, 2]], [0.9, 0.8, 0.7], 0.01, 0.0, [0, 1, 2]),  # touching: IoU 0
    ([[0, 0, 4, 4], [1, 1, 3, 3]], [0.9, 0.8], 0.25, 0.0, [0]),  # inside: IoU 4/16 = 0.25 exactly
    ([[0, 0, 4, 4], [0, 0, 4, 4]], [0.9, 0.8], 1.0, 0.0, [0]),  # identical: IoU 1 ≥ 1
    ([[0, 0, 4, 4], [0, 0, 4, 4]], [0.9, 0.8], 1.5, 0.0, [0, 1]),  # a threshold above 1 removes nothing
])
def test_wrapper_at_the_boundaries(boxes, scores, iou_t, score_t, expected, provider):
    """Exact-threshold IoUs and scores, ties and touching boxes: the course's answer, as nms gives it."""
    assert onnx_nms(boxes, scores, iou_threshold=iou_t, score_threshold=score_t, provider=provider).tolist() == expected
    assert nms(boxes, scores, iou_t, score_t).tolist() == expected


def pairwise_suppressed(a: np.ndarray, b: np.ndarray, iou_t: float) -> np.ndarray:
    """For each pair (a[k], b[k]), whether the wrapper removes b[k] after keeping a[k].

    Every pair is its own class, so one call answers thousands of two-box questions."""
    n = len(a)
    boxes = np.concatenate([a, b])
    scores = np.concatenate([np.full(n, 0.9), np.full(n, 0.8)])
    classes = np.concatenate([np.arange(n), np.arange(n)])
    kept = onnx_nms(boxes, scores, classes, iou_t, 0.0, provider="cpu")
    survived = np.zeros(n, bool)
    survived[kept[kept >= n] - n] = True
    return ~survived


def grid_pairs(seed: int, n: int, scale: float):
    """Pairs of boxes with whole-number corners 0…100 (÷ scale), small enough that many meet exactly."""
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 80, (2, n, 2))
    wh = rng.integers(1, 21, (2, n, 2))
    a = np.concatenate([xy[0], xy[0] + wh[0]], axis=1) / scale
    b = np.concatenate([xy[1], xy[1] + wh[1]], axis=1) / scale
    b[: n // 2] = np.concatenate([a[: n // 2, :2], a[: n // 2, :2] + wh[1, : n // 2] / scale], axis=1)  # same corner
    return a, b


@pytest.mark.parametrize("iou_t", [k / 100 for k in range(5, 101, 5)] + [0.01, 0.33, 0.67, 0.99])
def test_float32_rounding_in_the_runtime_does_not_break_the_rule_on_whole_number_boxes(iou_t):
    """4,000 pairs with whole-number corners, many at exactly the threshold (IoU = k/100 as a fraction of
    integers): ORT's float32 IoU against the moved threshold decides exactly as IoU ≥ t in plain Python."""
    a, b = grid_pairs(int(iou_t * 100), 4000, 1.0)
    expected = np.array([pair_iou(p, q) >= iou_t for p, q in zip(a.tolist(), b.tolist())])
    exact = sum(pair_iou(p, q) == iou_t for p, q in zip(a.tolist(), b.tolist()))
    np.testing.assert_array_equal(pairwise_suppressed(a, b, iou_t), expected)
    assert iou_t not in (0.5, 0.25) or exact > 0  # the exact cases are there to be tested


@pytest.mark.parametrize("iou_t", [0.3, 0.5, 0.7])
def test_fractional_corners_differ_only_within_float32_rounding(iou_t):
    """Corners in hundredths (as a detector's 0–1 boxes): where the runtime and plain Python disagree, the IoU
    is within 1e-6 of the threshold, i.e. a tie blurred by float32 rounding, never a real difference."""
    a, b = grid_pairs(7, 4000, 100.0)
    ious = np.array([pair_iou(p, q) for p, q in zip(a.tolist(), b.tolist())])
    differ = pairwise_suppressed(a, b, iou_t) != (ious >= iou_t)
    assert np.all(np.abs(ious[differ] - iou_t) < 1e-6)


@pytest.mark.parametrize("t", [0.5, 0.3, 0.7, 1e-6, 1.0])
def test_the_moved_iou_threshold_is_the_next_float32_down(t):
    """The operator gets nextafter(float32(t), −∞): for float32 IoUs, IoU > that ⇔ IoU ≥ float32(t)."""
    moved, _ = operator_thresholds(t, 0.6)
    assert moved.dtype == np.float32 and moved < np.float32(t)
    assert np.nextafter(moved, np.float32(np.inf)) == np.float32(t)
    assert operator_thresholds(t, 0.6, course_rule=False)[0] == np.float32(t)


@pytest.mark.parametrize("t", [0.6, 0.5, 0.1, 0.0, -0.2])
def test_the_score_threshold_is_the_largest_float32_not_above_it(t):
    """float32 s > passed ⇔ s > t: the passed value is ≤ t and the next float32 up is > t."""
    _, passed = operator_thresholds(0.5, t)
    assert float(passed) <= t < float(np.nextafter(passed, np.float32(np.inf)))


@pytest.mark.parametrize("t", [0.0, -0.1])
def test_an_iou_threshold_the_operator_cannot_express_is_refused(t):
    """IoU ≥ 0 removes every other box, but the operator never removes a box that does not overlap."""
    with pytest.raises(ValueError, match="above 0"):
        operator_thresholds(t, 0.6)


def test_the_result_says_what_the_operator_was_given():
    """run_operator reports the moved thresholds, the cap it passed (the box count without one) and raw rows."""
    boxes, scores, classes = clustered(21, 25)
    result = run_operator(boxes, scores, classes, 0.5, 0.2, provider="cpu")
    assert result.max_per_class == 25 and result.iou_threshold == np.nextafter(np.float32(0.5), np.float32(0))
    assert sorted(result.selected[:, 2].tolist()) == sorted(result.kept.tolist())
    assert set(result.class_labels.tolist()) == set(classes.tolist())
    capped = run_operator(boxes, scores, classes, 0.5, 0.2, max_per_class=1, provider="cpu")
    assert capped.max_per_class == 1 and len(capped.kept) == len(set(classes[capped.kept].tolist()))


def test_bad_input_is_refused_in_words():
    """Mismatched lengths and a negative cap raise ValueError with a message."""
    with pytest.raises(ValueError, match="2 boxes but 1 scores"):
        onnx_nms([[0, 0, 1, 1]] * 2, [0.9])
    with pytest.raises(ValueError, match="0 or more"):
        onnx_nms([[0, 0, 1, 1]], [0.9], max_per_class=-1)
