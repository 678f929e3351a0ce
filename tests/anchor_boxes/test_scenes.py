"""The synthetic scenes: reproducible from a seed, boxes that frame what is drawn, the situations anchors are for."""

from __future__ import annotations

import numpy as np
import pytest

from playground.anchor_boxes import (
    CLASS_NAMES,
    HELDOUT_SCENES,
    HELDOUT_SEED_BASE,
    PAGE_SEEDS,
    TRAIN_SEED_BASE,
    heldout_scene,
    make_scene,
    parse_objects,
    render,
    training_scene,
)
from playground.anchor_boxes.scenes import MIN_VISIBLE, SceneObject, describe_objects, heldout_count, training_count


@pytest.fixture(scope="module")
def scenes():
    """The first 120 training scenes."""
    return [training_scene(i) for i in range(120)]


def test_the_same_seed_draws_the_same_scene():
    """Two calls with one seed give identical pixels and boxes; another seed gives another scene."""
    a, b, c = make_scene(5, 4), make_scene(5, 4), make_scene(6, 4)
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    assert not np.array_equal(a.boxes, c.boxes)


@pytest.mark.parametrize("n", [0, 1, 6, 10])
def test_contract_shapes_and_ranges(n):
    """image (96, 96, 3) float32 in 0–1, boxes (n, 4) corners in 0–1 with x1 < x2, classes (n,) valid ints."""
    scene = make_scene(11, n)
    assert scene.image.shape == (96, 96, 3) and scene.image.dtype == np.float32
    assert 0 <= scene.image.min() and scene.image.max() <= 1
    assert scene.boxes.shape == (n, 4) and scene.classes.shape == (n,)
    assert (scene.boxes >= 0).all() and (scene.boxes <= 1).all()
    assert (scene.boxes[:, 2] > scene.boxes[:, 0]).all() and (scene.boxes[:, 3] > scene.boxes[:, 1]).all()
    assert set(scene.classes.tolist()) <= set(range(len(CLASS_NAMES)))


@pytest.mark.parametrize("cls", range(len(CLASS_NAMES)))
@pytest.mark.parametrize("pointing", range(4))
def test_a_box_frames_exactly_the_pixels_its_object_covers(cls, pointing):
    """One object alone: the pixels that differ from the background lie inside its box and touch each side."""
    obj = SceneObject(cls, 40.3, 51.7, 27.4, 15.2, (1.0, 1.0, 1.0), pointing, 0.3)
    scene = render([obj], 96, seed=1)
    blank = render([], 96, seed=1)
    rows, cols = np.nonzero(np.abs(scene.image - blank.image).max(axis=2) > 0.05)
    x1, y1, x2, y2 = scene.boxes[0] * 96
    assert cols.min() >= np.floor(x1) and cols.max() <= np.ceil(x2) - 1
    assert rows.min() >= np.floor(y1) and rows.max() <= np.ceil(y2) - 1
    assert cols.min() <= x1 + 1 and cols.max() >= x2 - 2 and rows.min() <= y1 + 1 and rows.max() >= y2 - 2


def test_the_shapes_have_their_areas():
    """Covered area ≈ w·h for a rectangle, π/4·w·h for an ellipse, w·h/2 for a triangle (within 2 %)."""
    for cls, share in ((0, np.pi / 4), (1, 1.0), (2, 0.5)):
        scene = render([SceneObject(cls, 48, 48, 40, 30, (1.0, 1.0, 1.0))], 96, seed=2)
        background = render([], 96, seed=2).image
        covered = ((scene.image - background) / (1 - background)).mean(axis=2).clip(0, 1).sum()
        assert covered == pytest.approx(share * 40 * 30, rel=0.02)


def test_later_objects_leave_earlier_ones_mostly_visible(scenes):
    """Every object keeps at least MIN_VISIBLE of its area in view, and some objects do overlap."""
    visible = np.concatenate([s.visible for s in scenes])
    assert visible.min() >= MIN_VISIBLE
    assert (visible < 0.99).mean() > 0.05


def test_scenes_have_varied_sizes_aspects_and_shared_cells(scenes):
    """Box sides from under 12 to over 40 pixels, w/h from under 1/2 to over 2, and midpoints sharing a 6×6 cell."""
    boxes = np.concatenate([s.boxes for s in scenes]) * 96
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    assert w.min() < 12 and w.max() > 40 and (w / h).min() < 0.5 and (w / h).max() > 2
    shared = 0
    for s in scenes:
        mid = (s.boxes[:, :2] + s.boxes[:, 2:]) / 2
        cells = {tuple(c) for c in np.floor(mid * 6).astype(int)}
        shared += len(cells) < len(mid)
    assert shared >= 10  # scenes in which two midpoints share a cell


def test_seed_ranges_are_disjoint_and_held_out_scenes_reproducible():
    """Page seeds < training seeds < held-out seeds; held-out scene i is make_scene(base + i, its count)."""
    assert PAGE_SEEDS <= TRAIN_SEED_BASE < HELDOUT_SEED_BASE
    assert HELDOUT_SEED_BASE - TRAIN_SEED_BASE >= 100 * 6000  # room for 100 times the export's 6,000 scenes
    for i in (0, 7, HELDOUT_SCENES - 1):
        scene = heldout_scene(i)
        again = make_scene(HELDOUT_SEED_BASE + i, heldout_count(i))
        np.testing.assert_array_equal(scene.image, again.image)
        assert 1 <= len(scene.boxes) <= 6
    assert 1 <= training_count(3) <= 6
    with pytest.raises(ValueError, match="held-out"):
        heldout_scene(HELDOUT_SCENES)


@pytest.mark.parametrize("classes", [(0,), (1, 2)])
def test_only_the_chosen_classes_are_drawn(classes):
    """classes=(…) limits the drawn shapes to those classes."""
    assert set(make_scene(3, 8, classes=classes).classes.tolist()) <= set(classes)


def test_a_bigger_canvas_keeps_pixel_sizes():
    """On 192 px the same kinds of objects are drawn: their sides stay within the pixel range of 96-px scenes."""
    scene = make_scene(4, 8, size=192)
    assert scene.image.shape == (192, 192, 3)
    sides = (scene.boxes[:, 2:] - scene.boxes[:, :2]) * 192
    assert sides.max() <= 64 and sides.min() >= 3


@pytest.mark.parametrize("text, message", [
    ("square 10 10 5 5", "line 1: the class"), ("e 10 ten 5 5", "line 1: x, y, w and h"),
    ("r 10 10 5 5\nr 95 10 8 8", "line 2: the box must lie inside"), ("r 1 2 3", "line 1: write a class"),
    ("t 10 10 1 5", "at least 2 pixels"), ("\n".join(["r 10 10 5 5"] * 13), "at most 12"),
])
def test_placed_objects_are_refused_in_words(text, message):
    """Bad lines are refused with the line number and what is wrong."""
    with pytest.raises(ValueError, match=message):
        parse_objects(text, 96)


def test_placed_objects_read_back_their_own_description():
    """describe_objects writes text that parse_objects turns back into the same boxes and classes."""
    scene = make_scene(9, 5)
    again = render(parse_objects(describe_objects(scene.objects)), 96)
    np.testing.assert_allclose(again.boxes, scene.boxes, atol=0.06 / 96)
    np.testing.assert_array_equal(again.classes, scene.classes)
    assert [o.cls for o in parse_objects("E 10 10 6 6\ntriangle 30 30 8 8")] == [0, 2]


@pytest.mark.parametrize("seed, n", [(-1, 2), (1.5, 2), (1, -2), (True, 2)])
def test_bad_arguments_are_refused(seed, n):
    """Seeds and counts must be whole numbers ≥ 0."""
    with pytest.raises(ValueError):
        make_scene(seed, n)
