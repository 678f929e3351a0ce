"""build_target: y's slots against a literal reference, and the stated policy for two objects in one slot."""

from __future__ import annotations

import numpy as np
import pytest

from playground.anchor_boxes import CLASS_NAMES, POOR_FIT_IOU, build_target, make_scene
from tests.references import reference_target, shape_iou

TALL, WIDE = (0.2, 0.5), (0.5, 0.2)  # the course's pedestrian and car anchors


def test_one_object_fills_one_slot_by_hand():
    """A 0.2×0.5 box with midpoint (0.5, 0.5) on 3×3: cell (1, 1), the tall anchor, y = (1, .5, .5, 1.5, .6, 0, 1, 0)."""
    t = build_target([[0.4, 0.25, 0.6, 0.75]], [1], 3, [TALL, WIDE], 3)
    assert t.y.shape == (3, 3, 2, 8)
    np.testing.assert_allclose(t.y[1, 1, 0], [1, 0.5, 0.5, 1.5, 0.6, 0, 1, 0], atol=1e-12)
    assert t.y.sum() == pytest.approx(t.y[1, 1, 0].sum())  # every other slot is all zeros
    (a,) = t.assignments
    assert (a.row, a.col, a.wanted, a.anchor, a.status, a.rival) == (1, 1, 0, 0, "kept", None)


def test_the_course_example_a_person_and_a_car_share_a_cell():
    """A tall and a wide object on one midpoint take the two different anchors of that cell: no collision."""
    t = build_target([[0.4, 0.25, 0.6, 0.75], [0.25, 0.4, 0.75, 0.6]], [0, 1], 3, [TALL, WIDE], 2)
    assert [(a.anchor, a.status) for a in t.assignments] == [(0, "kept"), (1, "kept")]
    assert t.y[1, 1, :, 0].tolist() == [1, 1]


def test_two_objects_wanting_one_slot_the_better_fit_keeps_it():
    """Both tall, same cell: IoU with the tall anchor 0.8 (0.16×0.5) vs 1.0 (0.2×0.5), so object 2 keeps it
    although it comes second, and object 1 moves to the wide anchor; nothing is overwritten."""
    boxes = [[0.42, 0.25, 0.58, 0.75], [0.4, 0.25, 0.6, 0.75]]
    t = build_target(boxes, [0, 2], 3, [TALL, WIDE], 3)
    first, second = t.assignments
    assert shape_iou((0.16, 0.5), TALL) == pytest.approx(0.8)
    assert (second.anchor, second.status) == (0, "kept")
    assert (first.wanted, first.anchor, first.status, first.rival) == (0, 1, "moved", 1)
    np.testing.assert_allclose(t.y[1, 1, 0, 4], 0.6)  # the slot holds the second object's b_w = 0.2·3
    np.testing.assert_allclose(t.y[1, 1, 1, 4], 0.48)  # the first moved with its own b_w = 0.16·3
    assert t.holder(1, 1, 0) == 1 and t.holder(1, 1, 1) == 0 and t.holder(0, 0, 0) is None


def test_equal_fits_go_to_the_object_listed_first():
    """Two identical boxes in one cell with one anchor: the first keeps it, the second is dropped."""
    box = [0.1, 0.1, 0.2, 0.3]
    t = build_target([box, box], [0, 1], 2, [TALL], 3)
    first, second = t.assignments
    assert first.status == "kept" and second.status == "dropped" and second.anchor is None and second.rival == 0
    assert t.y[0, 0, 0, 5:].tolist() == [1, 0, 0]  # the first object's class, not overwritten by the second


def test_a_full_cell_drops_the_worst_fitting_object():
    """Three objects in one cell with two anchors: the pair order by IoU decides, the third is left out of y."""
    boxes = [[0.1, 0.1, 0.3, 0.6], [0.05, 0.2, 0.55, 0.4], [0.15, 0.15, 0.35, 0.45]]
    t = build_target(boxes, [0, 1, 2], 1, [TALL, WIDE], 3)
    assert sorted(a.status for a in t.assignments) == ["dropped", "kept", "kept"]
    assert t.y[0, 0, :, 0].sum() == 2
    dropped = next(a for a in t.assignments if a.status == "dropped")
    assert dropped.index == 2 and dropped.rival == 0  # its best IoU, 0.6 with TALL, loses to object 1's 1.0


def test_poor_fit_is_flagged_below_the_threshold():
    """A 0.5×0.5 box against a 0.2×0.5 and a 0.5×0.2 anchor: best IoU 0.1 / 0.25 = 0.4 < 0.5 is flagged."""
    t = build_target([[0.0, 0.0, 0.5, 0.5], [0.4, 0.25, 0.6, 0.75]], [0, 0], 2, [TALL, WIDE], 1)
    square, tall = t.assignments
    assert square.ious.max() == pytest.approx(0.1 / 0.25) and square.ious.max() < POOR_FIT_IOU
    assert square.poor_fit and not tall.poor_fit


@pytest.fixture(scope="module")
def scenes():
    """60 generated scenes of 1 … 8 objects."""
    return [make_scene(seed, 1 + seed % 8) for seed in range(60)]


@pytest.mark.parametrize("s, anchors", [(1, [TALL]), (2, [TALL, WIDE]), (3, [(0.1, 0.1), (0.3, 0.2), (0.2, 0.4)]),
                                        (6, [(0.1, 0.18), (0.2, 0.12), (0.18, 0.3), (0.44, 0.24), (0.28, 0.48)])])
def test_matches_the_literal_reference_on_random_scenes(scenes, s, anchors):
    """On 60 generated scenes (collisions included at small S) y and every slot equal the reference's."""
    collisions = 0
    for scene in scenes:
        t = build_target(scene.boxes, scene.classes, s, anchors, len(CLASS_NAMES))
        y, slots = reference_target(scene.boxes, scene.classes, s, anchors, len(CLASS_NAMES))
        np.testing.assert_allclose(t.y, y, atol=1e-12)
        assert [(a.row, a.col, a.anchor) for a in t.assignments] == slots
        collisions += sum(a.status != "kept" for a in t.assignments)
    if s <= 2:
        assert collisions > 0  # the small grids do exercise the policy


def test_refuses_mismatched_or_out_of_range_classes():
    """One class per box, each within 0 … C − 1."""
    with pytest.raises(ValueError, match="classes"):
        build_target([[0, 0, 0.1, 0.1]], [0, 1], 2, [TALL], 3)
    with pytest.raises(ValueError, match="classes must be"):
        build_target([[0, 0, 0.1, 0.1]], [3], 2, [TALL], 3)


def test_no_objects_give_an_empty_target():
    """An empty scene: y is all zeros and there is nothing to assign."""
    t = build_target(np.zeros((0, 4)), [], 4, [TALL, WIDE], 3)
    assert t.y.shape == (4, 4, 2, 8) and not t.y.any() and t.assignments == ()
