"""The IoU calculator's working: the intersection box and the areas that IoU divides.

IoU itself is :func:`playground.anchor_boxes.iou`, its one home; this module
only lays out the pieces a learner multiplies and adds, so the page can draw
them and write the arithmetic in the learner's own numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.anchor_boxes import as_boxes, box_area, iou


@dataclass(frozen=True)
class Overlap:
    """Two boxes, their intersection and union."""

    a: tuple[float, float, float, float]  # corners x1, y1, x2, y2
    b: tuple[float, float, float, float]
    inter_box: tuple[float, float, float, float] | None  # the intersection's corners; None if no area is shared
    inter_w: float  # max(0, min(x2) − max(x1))
    inter_h: float  # max(0, min(y2) − max(y1))
    inter: float  # inter_w · inter_h
    area_a: float
    area_b: float
    union: float  # area_a + area_b − inter
    iou: float  # from playground.anchor_boxes.iou

    @property
    def kind(self) -> str:
        """How the boxes meet: "same", "inside", "overlap", "touch" (an edge or a corner, no area) or "apart"."""
        ax1, ay1, ax2, ay2 = self.a
        bx1, by1, bx2, by2 = self.b
        if self.a == self.b:
            return "same"
        if self.inter > 0:
            a_in_b = bx1 <= ax1 and by1 <= ay1 and ax2 <= bx2 and ay2 <= by2
            b_in_a = ax1 <= bx1 and ay1 <= by1 and bx2 <= ax2 and by2 <= ay2
            return "inside" if a_in_b or b_in_a else "overlap"
        meets = min(ax2, bx2) >= max(ax1, bx1) and min(ay2, by2) >= max(ay1, by1)
        return "touch" if meets else "apart"


def overlap(a, b) -> Overlap:
    """The intersection and union of two corner boxes (4,), each checked as :func:`iou` checks it."""
    a, b = as_boxes(a, "a").reshape(4), as_boxes(b, "b").reshape(4)
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    w, h = max(0.0, x2 - x1), max(0.0, y2 - y1)
    area_a, area_b = float(box_area(a)), float(box_area(b))
    inter = w * h
    corners = (float(x1), float(y1), float(x2), float(y2)) if inter > 0 else None
    return Overlap(tuple(float(v) for v in a), tuple(float(v) for v in b), corners, float(w), float(h), float(inter),
                   area_a, area_b, float(area_a + area_b - inter), iou(a, b))

