"""The IoU calculator's working: intersection, union and the cases that trip learners, worked by hand."""

from __future__ import annotations

import pytest

from playground.non_max_suppression.overlap import overlap
from tests.references import cell_count_iou


@pytest.mark.parametrize("a, b, inter, union, kind", [
    ((10, 10, 50, 50), (30, 30, 70, 70), 400, 2800, "overlap"),  # 20·20 = 400; 1600 + 1600 − 400 = 2800
    ((10, 10, 50, 50), (50, 10, 90, 50), 0, 3200, "touch"),  # sharing the edge x = 50: width 0
    ((10, 10, 50, 50), (50, 50, 90, 90), 0, 3200, "touch"),  # sharing only the corner (50, 50)
    ((10, 10, 90, 90), (30, 30, 50, 50), 400, 6400, "inside"),  # ∩ = the small box; ∪ = the big one
    ((20, 20, 60, 60), (20, 20, 60, 60), 1600, 1600, "same"),
    ((0, 0, 10, 10), (20, 20, 30, 30), 0, 200, "apart"),
    ((20, 20, 60, 60), (20, 20, 60, 40), 800, 1600, "inside"),  # the top half: IoU exactly 0.5
])
def test_worked_cases(a, b, inter, union, kind):
    """Intersection and union as worked in the comment; IoU their ratio, and the cell count's."""
    o = overlap(a, b)
    assert (o.inter, o.union, o.kind) == (inter, union, kind)
    assert o.iou == pytest.approx(inter / union) == pytest.approx(cell_count_iou(a, b))
    assert o.inter_w * o.inter_h == o.inter and o.union == o.area_a + o.area_b - o.inter


def test_the_intersection_box_is_drawn_only_when_it_has_area():
    """Overlapping boxes give the intersection's corners; touching ones give None (nothing to draw)."""
    assert overlap((10, 10, 50, 50), (30, 30, 70, 70)).inter_box == (30, 30, 50, 50)
    assert overlap((10, 10, 50, 50), (50, 10, 90, 50)).inter_box is None


def test_a_zero_area_box_has_iou_zero():
    """A flat box (y1 = y2) inside another shares no area: IoU 0, no division by zero."""
    o = overlap((0, 0, 10, 10), (2, 5, 8, 5))
    assert o.iou == 0.0 and o.inter == 0 and o.union == 100
