"""IoU against brute-force cell counting and plain-Python overlap, with the cases that trip learners."""

from __future__ import annotations

import numpy as np
import pytest

from playground.anchor_boxes import centred_iou, iou
from tests.references import cell_count_iou, pair_iou


@pytest.mark.parametrize("a, b, expected", [
    ([0, 0, 2, 2], [0, 0, 2, 2], 1.0),  # the same box
    ([0, 0, 2, 2], [2, 0, 4, 2], 0.0),  # touching along an edge
    ([0, 0, 1, 1], [1, 1, 2, 2], 0.0),  # touching at a corner
    ([0, 0, 4, 4], [1, 1, 3, 3], 0.25),  # one inside the other: 4 / 16
    ([0, 0, 2, 2], [0, 0, 2, 1], 0.5),  # half of the other: 2 / 4
    ([0, 0, 2, 2], [1, 0, 3, 2], 1 / 3),  # 2 / (4 + 4 − 2)
    ([0, 0, 1, 1], [5, 5, 6, 6], 0.0),  # far apart
])
def test_iou_of_hand_worked_pairs(a, b, expected):
    """Overlap ÷ union as worked out by hand; edges and corners that only touch give exactly 0."""
    assert iou(a, b) == pytest.approx(expected, abs=1e-12)
    assert isinstance(iou(a, b), float)


def test_iou_matches_counting_unit_cells():
    """On 300 random whole-number boxes, IoU equals the count of shared unit cells over covered cells."""
    rng = np.random.default_rng(0)
    corners = rng.integers(0, 12, size=(300, 2, 2))
    boxes = np.concatenate([corners.min(axis=1), corners.max(axis=1) + 1], axis=1)  # (300, 4), never empty
    for a, b in zip(boxes[:150], boxes[150:]):
        assert iou(a, b) == pytest.approx(cell_count_iou(a, b), abs=1e-12)


def test_iou_matrix_is_every_pair():
    """(N, 4) and (M, 4) give (N, M) whose entries are the pairwise IoU; one box against many gives (M,)."""
    rng = np.random.default_rng(1)
    xy = rng.random((7, 2)) * 10
    a = np.concatenate([xy, xy + rng.random((7, 2)) * 5], axis=1)
    b = a[::-1] + 0.5
    matrix = iou(a, b)
    assert matrix.shape == (7, 7)
    for i in range(7):
        for j in range(7):
            assert matrix[i, j] == pytest.approx(pair_iou(a[i], b[j]), abs=1e-12)
    np.testing.assert_allclose(iou(a[0], b), matrix[0])
    np.testing.assert_allclose(iou(a, b[2]), matrix[:, 2])


def test_iou_is_symmetric_and_at_most_one():
    """IoU(A, B) = IoU(B, A) and 0 ≤ IoU ≤ 1."""
    rng = np.random.default_rng(2)
    xy = rng.random((50, 2))
    boxes = np.concatenate([xy, xy + rng.random((50, 2))], axis=1)
    matrix = iou(boxes, boxes)
    np.testing.assert_allclose(matrix, matrix.T)
    assert matrix.min() >= 0 and matrix.max() <= 1 + 1e-12
    np.testing.assert_allclose(np.diag(matrix), 1.0)


@pytest.mark.parametrize("a, message", [
    ([0, 0, 1], "corners"), ([2, 0, 1, 1], "x1 ≤ x2"), ([0, 0, np.nan, 1], "not finite"),
])
def test_bad_boxes_are_refused_in_words(a, message):
    """A box that is not four finite corners in order raises a ValueError that says what is wrong."""
    with pytest.raises(ValueError, match=message):
        iou(a, [0, 0, 1, 1])


def test_zero_area_boxes_have_iou_zero():
    """A point or a line has no area: its IoU with anything, itself included, is 0."""
    assert iou([1, 1, 1, 1], [1, 1, 1, 1]) == 0.0
    assert iou([0, 0, 0, 2], [0, 0, 1, 2]) == 0.0


def test_centred_iou_compares_shapes_only():
    """Two shapes on one centre: 0.2×0.2 inside 0.4×0.4 gives 0.04 / 0.16 = 0.25, wherever the boxes were."""
    assert centred_iou([0.2, 0.2], [0.4, 0.4]) == pytest.approx(0.25)
    assert centred_iou([0.2, 0.4], [0.4, 0.2]) == pytest.approx(0.04 / (0.08 + 0.08 - 0.04))
    assert centred_iou([[0.1, 0.1]], [[0.1, 0.1], [0.2, 0.1]]).shape == (1, 2)
