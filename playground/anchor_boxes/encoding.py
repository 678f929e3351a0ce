"""YOLO's target: which grid cell and which anchor an object goes to, and its box in cell units.

The image is split into an S×S grid. An object belongs to the cell that holds
its midpoint (x, y): column ⌊x·S⌋ and row ⌊y·S⌋, in normalised image units
0…1 (a midpoint at exactly 1.0 goes to the last cell). Within the cell the box
is written as (b_x, b_y, b_h, b_w): the midpoint's offset inside the cell,
0 ≤ b_x, b_y < 1, and the box's height and width in cell units, which may
exceed 1 for a box larger than a cell. With anchor boxes the object also goes
to the anchor whose shape (w, h) has the highest IoU with the object's shape
when both are centred together (ties to the lower index).

Examples
--------
>>> row, col, anchor, box = encode_box((0.1, 0.2, 0.5, 0.6), 3, [(0.3, 0.3), (0.4, 0.4)])
>>> row, col, anchor, [round(v, 3) for v in box]      # midpoint (0.3, 0.4): cell (1, 0), the 0.4×0.4 anchor
(1, 0, 1, [0.9, 0.2, 1.2, 1.2])
"""

from __future__ import annotations

import math

import numpy as np

from playground.anchor_boxes.boxes import as_boxes, centred_iou

BOX_FIELDS = ("b_x", "b_y", "b_h", "b_w")  # the course's order in a cell's vector, after p_c


def _grid(grid_size) -> int:
    if isinstance(grid_size, bool) or not isinstance(grid_size, (int, np.integer)) or grid_size < 1:
        raise ValueError(f"grid_size must be a whole number ≥ 1, not {grid_size!r}")
    return int(grid_size)


def _anchors(anchors) -> np.ndarray:
    array = np.asarray(anchors, np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or len(array) == 0:
        raise ValueError(f"anchors must be an array of (w, h) pairs, shape (B, 2), got {array.shape}")
    if not np.isfinite(array).all() or (array <= 0).any():
        raise ValueError("anchor widths and heights must be positive numbers")
    return array


def midpoint_cell(x: float, y: float, grid_size: int) -> tuple[int, int]:
    """(row, col) of the cell holding midpoint (x, y) in 0…1 image units: (⌊y·S⌋, ⌊x·S⌋), 1.0 in the last cell."""
    s = _grid(grid_size)
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        raise ValueError(f"the midpoint ({x:g}, {y:g}) is outside the image (0…1 on both axes)")
    return min(math.floor(y * s), s - 1), min(math.floor(x * s), s - 1)


def best_anchor(w: float, h: float, anchors) -> tuple[int, np.ndarray]:
    """Index of the anchor whose shape best fits (w, h) by centred IoU (ties to the lower index), and every IoU (B,)."""
    ious = centred_iou(np.array([w, h], np.float64), _anchors(anchors))
    return int(np.argmax(ious)), ious  # argmax returns the first of equal maxima


def encode_box(box, grid_size: int, anchors) -> tuple[int, int, int, tuple[float, float, float, float]]:
    """Where one object goes in YOLO's target tensor, and its box in the cell's units.

    Parameters
    ----------
    box : array_like, shape (4,)
        (x1, y1, x2, y2) in normalised image units (0…1), x to the right, y down.
    grid_size : int
        S: the image is split into S×S cells.
    anchors : array_like, shape (B, 2)
        Each anchor's (w, h) in image units (0…1).

    Returns
    -------
    (row, col, anchor_index, (b_x, b_y, b_h, b_w))
        row = ⌊y·S⌋ and col = ⌊x·S⌋ of the midpoint (x, y) (1.0 goes to the
        last cell); the anchor with the best centred IoU with the box's
        (w, h) (ties to the lower index); b_x = x·S − col and b_y = y·S − row,
        the midpoint's offset inside the cell; b_h = h·S and b_w = w·S, the
        box's height and width in cell units.

    Raises
    ------
    ValueError
        For a box whose corners are in the wrong order or whose midpoint is
        outside 0…1, a grid size below 1, or anchors that are not positive (w, h) pairs.
    """
    x1, y1, x2, y2 = as_boxes(box, "box").reshape(4)
    s = _grid(grid_size)
    x, y, w, h = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
    row, col = midpoint_cell(x, y, s)
    anchor, _ = best_anchor(w, h, anchors)
    return row, col, anchor, (float(x * s - col), float(y * s - row), float(h * s), float(w * s))


def decode_box(row: int, col: int, b_x: float, b_y: float, b_h: float, b_w: float,
               grid_size: int) -> tuple[float, float, float, float]:
    """The inverse of :func:`encode_box`'s box part: cell (row, col) and (b_x, b_y, b_h, b_w) → corners in 0…1."""
    s = _grid(grid_size)
    x, y, w, h = (col + b_x) / s, (row + b_y) / s, b_w / s, b_h / s
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2
