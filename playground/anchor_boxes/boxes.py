"""Boxes as corners, and how much two of them overlap: intersection over union.

A box is (x1, y1, x2, y2): its top-left and bottom-right corners, x to the
right and y down, with x1 ≤ x2 and y1 ≤ y2. IoU = area(A ∩ B) / area(A ∪ B):
1 for the same box, 0 for boxes that do not overlap, and 0 too for boxes that
only touch at an edge or a corner (their intersection has no area).

Anchor boxes and non-max suppression both measure overlap with :func:`iou`;
this module is its one home.

Examples
--------
>>> iou([0, 0, 2, 2], [1, 0, 3, 2])     # half of each box overlaps: 2 / (4 + 4 − 2)
0.3333333333333333
>>> iou([0, 0, 1, 1], [1, 1, 2, 2])     # touching at a corner
0.0
"""

from __future__ import annotations

import numpy as np


def as_boxes(boxes, name: str = "boxes") -> np.ndarray:
    """Boxes as a float64 array (..., 4) of corners, checked.

    Raises
    ------
    ValueError
        If the last axis is not 4, a value is not finite, or a box has
        x2 < x1 or y2 < y1 (corners in the wrong order).
    """
    array = np.asarray(boxes, dtype=np.float64)
    if array.ndim == 0 or array.shape[-1] != 4:
        raise ValueError(f"{name} must be corners (x1, y1, x2, y2) along the last axis, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} has values that are not finite numbers")
    if (array[..., 2] < array[..., 0]).any() or (array[..., 3] < array[..., 1]).any():
        raise ValueError(f"{name} must have x1 ≤ x2 and y1 ≤ y2 (top-left corner first, then bottom-right)")
    return array


def box_area(boxes) -> np.ndarray:
    """(x2 − x1)·(y2 − y1) of boxes (..., 4) → (...)."""
    b = as_boxes(boxes)
    return (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])


def _iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every pair, a (N, 4) and b (M, 4) checked float64 → (N, M)."""
    w = np.clip(np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    h = np.clip(np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = w * h  # (N, M); 0 where the boxes only touch
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def iou(a, b):
    """Intersection over union of boxes given as corners (x1, y1, x2, y2).

    Parameters
    ----------
    a, b : array_like, shape (4,) or (N, 4) and (M, 4)
        Boxes with x1 ≤ x2 and y1 ≤ y2, in any units (pixels or 0–1).

    Returns
    -------
    float or numpy.ndarray
        A float for two single boxes; (N, M) for two arrays of boxes; (M,) or
        (N,) when one side is a single box. Boxes that only touch at an edge
        or a corner, and boxes of zero area, have IoU 0.

    Raises
    ------
    ValueError
        For a wrong shape, a value that is not finite, or corners in the wrong order.

    Examples
    --------
    >>> iou([0, 0, 2, 2], [0, 0, 2, 1])     # one box is half of the other
    0.5
    >>> iou([[0, 0, 2, 2]], [[0, 0, 2, 2], [2, 0, 4, 2]])
    array([[1., 0.]])
    """
    a, b = as_boxes(a, "a"), as_boxes(b, "b")
    if a.ndim > 2 or b.ndim > 2:
        raise ValueError(f"boxes must be (4,) or (N, 4), got {a.shape} and {b.shape}")
    matrix = _iou_matrix(a.reshape(-1, 4), b.reshape(-1, 4))
    if a.ndim == 1 and b.ndim == 1:
        return float(matrix[0, 0])
    if a.ndim == 1:
        return matrix[0]
    if b.ndim == 1:
        return matrix[:, 0]
    return matrix


def centred_iou(wh_a, wh_b) -> np.ndarray:
    """IoU of box shapes (w, h) placed on the same centre: min(w)·min(h) / (w_a h_a + w_b h_b − min(w)·min(h)).

    This is how anchors are compared with objects: only the shape matters, not
    where the box is. wh_a (N, 2) or (2,), wh_b (M, 2) or (2,) → (N, M), with
    the same squeezing as :func:`iou`.
    """
    a, b = np.asarray(wh_a, np.float64), np.asarray(wh_b, np.float64)
    if a.shape[-1:] != (2,) or b.shape[-1:] != (2,) or a.ndim > 2 or b.ndim > 2:
        raise ValueError(f"box shapes must be (w, h) pairs, (2,) or (N, 2); got {a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()) or (a < 0).any() or (b < 0).any():
        raise ValueError("box widths and heights must be finite and not negative")

    def corners(wh):
        return np.concatenate([-wh / 2, wh / 2], axis=-1)

    matrix = _iou_matrix(corners(a.reshape(-1, 2)), corners(b.reshape(-1, 2)))
    if a.ndim == 1 and b.ndim == 1:
        return matrix[0, 0]
    if a.ndim == 1:
        return matrix[0]
    return matrix[:, 0] if b.ndim == 1 else matrix
