"""YOLO's output shapes by hand, and the detector's grid for any input against a brute-force window count."""

from __future__ import annotations

import pytest

from playground.anchor_boxes import elbow
from playground.anchor_boxes.shapes import DetectorLayer, forward_shapes, yolo_output
from playground.conv_shape import ShapeError
from tests.references import slide

# a small detector: conv3×3 s2 p1, conv3×3 p1 + pool, head 1×1
LAYERS = (DetectorLayer("conv1", "conv", 3, 2, 1, 8), DetectorLayer("conv2", "conv", 3, 1, 1, 16),
          DetectorLayer("pool2", "pool", 2, 2), DetectorLayer("head", "conv", 1, 1, 0, 40))


@pytest.mark.parametrize("s, b, c, channels, boxes", [
    (19, 5, 80, 425, 1805),  # YOLOv2 on COCO at 608×608
    (3, 2, 3, 16, 18),  # the course's small example: 3×3×2×8 = 3×3×16
    (1, 1, 0, 5, 1),
])
def test_yolo_output_by_hand(s, b, c, channels, boxes):
    """B·(5 + C) channels per cell and S·S·B boxes."""
    out = yolo_output(s, b, c)
    assert (out.per_anchor, out.channels, out.boxes, out.numbers) == (5 + c, channels, boxes, s * s * channels)


def test_yolo_output_refuses_impossible_sizes():
    with pytest.raises(ShapeError):
        yolo_output(0, 5, 80)


@pytest.mark.parametrize("n", [16, 17, 96, 100, 608])
def test_forward_shapes_follow_brute_force_windows(n):
    """Each layer's output side is the number of positions a brute-force slide finds on the padded input."""
    shapes = forward_shapes(n, n, LAYERS)
    side = n
    for layer, out in zip(LAYERS, shapes):
        side = len(slide(side, layer.f, layer.p, layer.p, layer.s))
        assert (out.n_h, out.n_w) == (side, side)
    assert shapes[-1].n_c == 40 and shapes[2].params == 0 and shapes[2].macs == 0
    assert shapes[0].params == (3 * 3 * 3 + 1) * 8
    assert shapes[1].macs == shapes[1].n_h * shapes[1].n_w * 16 * 3 * 3 * 8


def test_forward_shapes_of_a_tiny_input_fail_in_words():
    """A 1-pixel input cannot be pooled after a stride-2 conv: the error says why."""
    with pytest.raises(ShapeError, match="no position where it fits"):
        forward_shapes(1, 1, LAYERS)


@pytest.mark.parametrize("values, expected", [
    ([0.4, 0.55, 0.62, 0.66, 0.69, 0.71, 0.72, 0.73, 0.74], 3),
    ([0.1, 0.9, 0.91, 0.92, 0.93], 2),  # a sharp knee right after the first point
    ([0.0, 0.1, 0.2, 0.3], 1),  # a straight line: nothing is above the chord, the first point
])
def test_elbow_is_the_point_farthest_above_the_chord(values, expected):
    """Scaled to 0…1, the elbow is where y − x is largest (worked out by hand for each curve)."""
    ks = list(range(1, len(values) + 1))
    assert elbow(ks, values) == expected
