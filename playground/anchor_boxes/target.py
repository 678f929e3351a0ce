"""The target tensor y a YOLO detector learns: S×S cells × B anchors × (p_c, b_x, b_y, b_h, b_w, c_1…c_C).

Each object goes to the cell holding its midpoint and to the anchor whose
shape fits it best (:func:`~playground.anchor_boxes.encode_box`); its slot gets
p_c = 1, its box in cell units and a one-hot class. Every other slot has
p_c = 0 and the rest of its numbers are "don't care" (written as 0 here).

**When two objects want the same slot** (same cell, same best anchor) a target
builder has to choose, and the classic bug is to let the last object written
silently overwrite the first. The policy here, stated once
(:data:`COLLISION_POLICY`) and applied cell by cell: the pairs (object, anchor)
of a cell are taken from the best IoU down (ties: the lower object index, then
the lower anchor), and a pair is used when its object has no slot yet and its
slot is still free. So the object that fits the contested anchor better keeps
it; the other moves to its best anchor still free in that cell; an object
whose cell has no free anchor left is dropped from the target (the detector
is never taught to find it).

Objects whose best IoU with any anchor is below :data:`POOR_FIT_IOU` are
flagged: no anchor shape fits them well.

Examples
--------
>>> t = build_target([[0.1, 0.1, 0.3, 0.5], [0.12, 0.1, 0.28, 0.5]], [0, 1], 3, [(0.2, 0.4), (0.4, 0.2)], 2)
>>> [(a.index, a.wanted, a.anchor, a.status) for a in t.assignments]   # both want anchor 0 of cell (0, 0)
[(0, 0, 0, 'kept'), (1, 0, 1, 'moved')]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.anchor_boxes.boxes import as_boxes
from playground.anchor_boxes.encoding import _anchors, _grid, best_anchor, midpoint_cell

POOR_FIT_IOU = 0.5  # an object whose best anchor IoU is below this is flagged: no anchor shape fits it well
FIELDS = ("p_c", "b_x", "b_y", "b_h", "b_w")  # a slot's first five numbers, then c_1 … c_C
COLLISION_POLICY = (
    "When two objects want the same cell and anchor, the one whose shape fits that anchor better (higher IoU; "
    "ties to the object listed first) keeps it; the other moves to its best anchor still free in that cell, "
    "and is dropped from the target only when every anchor of the cell is taken.")
STATUSES = ("kept", "moved", "dropped")  # best anchor; another anchor of the cell; no slot at all


@dataclass(frozen=True)
class Assignment:
    """Where one ground-truth object went in y, and why."""

    index: int  # the object's index in the input
    row: int  # its midpoint cell, counted from 0
    col: int
    wanted: int  # the anchor with the best IoU (ties to the lower index)
    anchor: int | None  # the anchor whose slot it got; None when dropped
    ious: np.ndarray  # (B,) IoU of the object's shape with each anchor's, centred together
    values: tuple[float, float, float, float]  # (b_x, b_y, b_h, b_w) in cell units
    status: str  # one of STATUSES
    rival: int | None  # the object that took its wanted slot, when it did not keep it

    @property
    def poor_fit(self) -> bool:
        """No anchor fits: the best IoU is below POOR_FIT_IOU."""
        return float(self.ious.max()) < POOR_FIT_IOU


@dataclass(frozen=True)
class Target:
    """y and the story of how each object got into it."""

    y: np.ndarray  # (S, S, B, 5 + C): p_c, b_x, b_y, b_h, b_w, c_1 … c_C per slot
    assignments: tuple[Assignment, ...]  # one per object, in the input's order

    def holder(self, row: int, col: int, anchor: int) -> int | None:
        """Index of the object in slot (row, col, anchor), or None when the slot is empty."""
        for a in self.assignments:
            if (a.row, a.col, a.anchor) == (row, col, anchor):
                return a.index
        return None


def build_target(boxes, classes, grid_size: int, anchors, n_classes: int) -> Target:
    """YOLO's target tensor for one image, with the collision policy of :data:`COLLISION_POLICY`.

    Parameters
    ----------
    boxes : array_like, shape (M, 4)
        Ground-truth corners (x1, y1, x2, y2) in 0…1 image units.
    classes : array_like of int, shape (M,)
        Each object's class, 0 … n_classes − 1.
    grid_size : int
        S.
    anchors : array_like, shape (B, 2)
        Anchor shapes (w, h) in image units.
    n_classes : int
        C.

    Returns
    -------
    Target
        ``y`` of shape (S, S, B, 5 + C) and one :class:`Assignment` per object.
    """
    s, anchors = _grid(grid_size), _anchors(anchors)
    b = as_boxes(boxes, "boxes").reshape(-1, 4)
    c = np.asarray(classes, np.int64).reshape(-1)
    if len(c) != len(b):
        raise ValueError(f"there are {len(b)} boxes but {len(c)} classes")
    if len(c) and (c.min() < 0 or c.max() >= n_classes):
        raise ValueError(f"classes must be 0 … {n_classes - 1}")
    y = np.zeros((s, s, len(anchors), 5 + n_classes), np.float64)
    cells, wanted, ious, values = [], [], [], []
    for x1, y1, x2, y2 in b:
        x, y_mid, w, h = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
        row, col = midpoint_cell(x, y_mid, s)
        best, fits = best_anchor(w, h, anchors)
        cells.append((row, col))
        wanted.append(best)
        ious.append(fits)
        values.append((float(x * s - col), float(y_mid * s - row), float(h * s), float(w * s)))
    slot_of: dict[int, int] = {}
    taken: dict[tuple[int, int, int], int] = {}
    for cell in sorted(set(cells)):
        members = [i for i, c_ in enumerate(cells) if c_ == cell]
        pairs = sorted((-ious[i][a], i, a) for i in members for a in range(len(anchors)))
        for _, i, a in pairs:
            if i not in slot_of and (*cell, a) not in taken:
                slot_of[i], taken[(*cell, a)] = a, i
    out = []
    for i, ((row, col), best) in enumerate(zip(cells, wanted)):
        anchor = slot_of.get(i)
        status = "dropped" if anchor is None else ("kept" if anchor == best else "moved")
        rival = None if status == "kept" else taken[(row, col, best)]
        out.append(Assignment(i, row, col, best, anchor, ious[i], values[i], status, rival))
        if anchor is not None:
            y[row, col, anchor, 0] = 1.0
            y[row, col, anchor, 1:5] = values[i]
            y[row, col, anchor, 5 + c[i]] = 1.0
    return Target(y, tuple(out))
