"""encode_box: the midpoint's cell, the best anchor and (b_x, b_y, b_h, b_w), worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from playground.anchor_boxes import decode_box, encode_box, kmeans_anchors
from playground.anchor_boxes.anchors import assign, mean_best_iou

COURSE_ANCHORS = [(0.2, 0.5), (0.5, 0.2)]  # a tall (pedestrian) and a wide (car) anchor, as in the course


@pytest.mark.parametrize("box, s, expected", [
    # midpoint (0.5, 0.5) on a 3×3 grid: cell row 1, col 1; offset (0.5, 0.5); 0.2×0.5 box is the tall anchor
    ((0.4, 0.25, 0.6, 0.75), 3, (1, 1, 0, (0.5, 0.5, 1.5, 0.6))),
    # midpoint (0.75, 0.2) on 4×4: col ⌊3⌋ = 3, row ⌊0.8⌋ = 0; a wide box
    ((0.5, 0.15, 1.0, 0.25), 4, (0, 3, 1, (0.0, 0.8, 0.4, 2.0))),
    # a box bigger than its cell: b_h, b_w exceed 1
    ((0.0, 0.0, 1.0, 1.0), 19, (9, 9, 0, (0.5, 0.5, 19.0, 19.0))),
])
def test_encode_box_hand_worked(box, s, expected):
    """Cell ⌊y·S⌋, ⌊x·S⌋; b_x = x·S − col; b_h = h·S in cell units."""
    row, col, anchor, values = encode_box(box, s, COURSE_ANCHORS)
    assert (row, col, anchor) == expected[:3]
    np.testing.assert_allclose(values, expected[3], atol=1e-12)


def test_midpoint_on_the_far_edge_goes_to_the_last_cell():
    """x = 1.0 or y = 1.0 would be cell S by the floor: it belongs to cell S − 1 with offset 1."""
    row, col, _, (b_x, b_y, _, _) = encode_box((0.8, 0.8, 1.0, 1.0 + 0.0), 3, COURSE_ANCHORS)
    assert (row, col) == (2, 2)
    row, col, _, (b_x, b_y, _, _) = encode_box((1.0, 1.0, 1.0, 1.0), 3, COURSE_ANCHORS)
    assert (row, col, b_x, b_y) == (2, 2, 1.0, 1.0)


def test_anchor_ties_go_to_the_lower_index():
    """A square box fits a tall and an equally wide anchor equally: the first one is chosen."""
    _, _, anchor, _ = encode_box((0.4, 0.4, 0.6, 0.6), 3, [(0.2, 0.1), (0.1, 0.2)])
    assert anchor == 0


def test_decode_inverts_encode():
    """Decoding the cell and (b_x, b_y, b_h, b_w) gives back the box's corners."""
    rng = np.random.default_rng(0)
    for _ in range(100):
        x1, y1 = rng.random(2) * 0.6
        box = (x1, y1, x1 + rng.random() * 0.4, y1 + rng.random() * 0.4)
        row, col, _, (b_x, b_y, b_h, b_w) = encode_box(box, 7, COURSE_ANCHORS)
        np.testing.assert_allclose(decode_box(row, col, b_x, b_y, b_h, b_w, 7), box, atol=1e-12)


@pytest.mark.parametrize("args, message", [
    (((0.5, 0.5, 0.4, 0.6), 3, COURSE_ANCHORS), "x1 ≤ x2"),
    (((1.2, 0.5, 1.4, 0.6), 3, COURSE_ANCHORS), "outside the image"),
    (((0.1, 0.1, 0.2, 0.2), 0, COURSE_ANCHORS), "grid_size"),
    (((0.1, 0.1, 0.2, 0.2), 3, [(0.2, 0.0)]), "positive"),
])
def test_bad_arguments_are_refused_in_words(args, message):
    """Inverted boxes, midpoints outside the image, a grid of 0 and a zero-width anchor are refused."""
    with pytest.raises(ValueError, match=message):
        encode_box(*args)


def test_kmeans_finds_well_separated_shape_clusters():
    """Three tight clusters of (w, h) give three anchors at their means, smallest first."""
    rng = np.random.default_rng(3)
    centres = np.array([[0.05, 0.1], [0.3, 0.15], [0.6, 0.7]])
    wh = np.concatenate([c * (1 + 0.02 * rng.standard_normal((40, 2))) for c in centres])
    anchors = kmeans_anchors(wh, 3, seed=0)
    np.testing.assert_allclose(anchors, centres, rtol=0.02)


def test_kmeans_anchors_are_the_means_of_their_boxes():
    """At the end each anchor is the mean (w, h) of the boxes that overlap it best: a fixed point."""
    rng = np.random.default_rng(4)
    wh = rng.random((200, 2)) * 0.5 + 0.02
    for k in (1, 2, 5):
        anchors = kmeans_anchors(wh, k, seed=1)
        labels = assign(wh, anchors)
        for j in range(k):
            np.testing.assert_allclose(anchors[j], wh[labels == j].mean(axis=0), atol=1e-12)


def test_kmeans_is_reproducible_and_more_anchors_fit_better():
    """The same seed gives the same anchors; mean best IoU does not drop as k grows on this data."""
    rng = np.random.default_rng(5)
    wh = rng.random((300, 2)) * 0.5 + 0.02
    np.testing.assert_array_equal(kmeans_anchors(wh, 4, seed=7), kmeans_anchors(wh, 4, seed=7))
    quality = [mean_best_iou(wh, kmeans_anchors(wh, k)) for k in range(1, 7)]
    assert all(b >= a - 0.01 for a, b in zip(quality, quality[1:]))
    assert kmeans_anchors(wh, 1)[0] == pytest.approx(wh.mean(axis=0))


def test_kmeans_refuses_more_anchors_than_shapes():
    """Two distinct shapes cannot make three anchors."""
    with pytest.raises(ValueError, match="k must be"):
        kmeans_anchors([(0.1, 0.1), (0.2, 0.2), (0.1, 0.1)], 3)
