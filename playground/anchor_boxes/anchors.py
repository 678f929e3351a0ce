"""Choosing anchor shapes from the data: k-means on (w, h) with distance 1 − IoU (YOLOv2).

Euclidean k-means on box sizes lets big boxes dominate; with d = 1 − IoU of
the two shapes centred together, a cluster's quality does not depend on the
boxes' scale. Each step gives every box to the anchor it overlaps most, then
moves each anchor to the mean (w, h) of its boxes, until nothing changes.

Examples
--------
>>> wh = [(0.1, 0.1), (0.12, 0.1), (0.5, 0.3), (0.52, 0.3)]
>>> kmeans_anchors(wh, 2).round(2)
array([[0.11, 0.1 ],
       [0.51, 0.3 ]])
"""

from __future__ import annotations

import numpy as np

from playground.anchor_boxes.boxes import centred_iou

MAX_ITERATIONS = 300  # Lloyd steps; the small sets here settle in a few dozen


def _shapes(wh) -> np.ndarray:
    array = np.asarray(wh, np.float64)
    if array.ndim != 2 or array.shape[1] != 2 or len(array) == 0:
        raise ValueError(f"wh must be (w, h) pairs, shape (N, 2) with N ≥ 1, got {array.shape}")
    if not np.isfinite(array).all() or (array <= 0).any():
        raise ValueError("box widths and heights must be positive numbers")
    return array


def _initial(wh: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding with d = 1 − IoU: each next anchor is drawn with probability ∝ d² to the nearest chosen one."""
    centres = [wh[rng.integers(len(wh))]]
    for _ in range(1, k):
        d = 1 - centred_iou(wh, np.array(centres)).max(axis=1)  # (N,) distance to the nearest anchor so far
        weights = d ** 2
        if weights.sum() <= 0:  # every box already sits on an anchor: take any box not yet chosen
            weights = np.ones(len(wh))
        centres.append(wh[rng.choice(len(wh), p=weights / weights.sum())])
    return np.array(centres)


def assign(wh, anchors) -> np.ndarray:
    """Index of the anchor each (w, h) overlaps most (centred IoU; ties to the lower index), shape (N,)."""
    return np.argmax(centred_iou(_shapes(wh), _shapes(anchors)), axis=1)


def mean_best_iou(wh, anchors) -> float:
    """Mean over boxes of the best centred IoU with any anchor: the quality YOLOv2 reports (61.0 % for k = 5 on VOC)."""
    return float(centred_iou(_shapes(wh), _shapes(anchors)).max(axis=1).mean())


def kmeans_anchors(wh, k: int, seed: int = 0) -> np.ndarray:
    """k anchor shapes by k-means on box shapes with distance 1 − IoU.

    Parameters
    ----------
    wh : array_like, shape (N, 2)
        The training boxes' (w, h), any positive units.
    k : int
        Number of anchors, 1 ≤ k ≤ the number of distinct shapes.
    seed : int
        Seeds the k-means++ start: the same data and seed give the same anchors.

    Returns
    -------
    numpy.ndarray, shape (k, 2)
        The anchors' (w, h), sorted by area (smallest first). Once the steps
        settle (at most ``MAX_ITERATIONS``), each anchor is the mean (w, h) of
        the boxes whose best-IoU anchor it is, so another step would not move it.

    Raises
    ------
    ValueError
        For shapes that are not positive pairs, or k outside 1 … distinct shapes.
    """
    shapes = _shapes(wh)
    distinct = len(np.unique(shapes, axis=0))
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= distinct:
        raise ValueError(f"k must be a whole number from 1 to {distinct} (the distinct box shapes), not {k!r}")
    rng = np.random.default_rng(seed)
    centres = _initial(shapes, int(k), rng)
    labels = None
    for _ in range(MAX_ITERATIONS):
        new = np.argmax(centred_iou(shapes, centres), axis=1)
        for j in range(len(centres)):
            if not (new == j).any():  # an empty cluster takes the box that fits its current anchor worst
                worst = int(np.argmin(centred_iou(shapes, centres).max(axis=1)))
                new[worst] = j
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        centres = np.array([shapes[labels == j].mean(axis=0) for j in range(len(centres))])
    return centres[np.argsort(centres[:, 0] * centres[:, 1], kind="stable")]


def elbow(ks, values) -> int:
    """The elbow of a rising curve such as mean best IoU against k: the k farthest above the chord.

    Both axes are scaled to 0…1, then the point with the largest distance
    above the straight line from the first point to the last is the elbow
    (the "knee" where adding anchors stops paying much).

    Parameters
    ----------
    ks : array_like of int, shape (K,)
        Increasing numbers of anchors, K ≥ 3.
    values : array_like, shape (K,)
        The quality for each k.

    Returns
    -------
    int
        One of ``ks`` (the first when several tie).
    """
    k, v = np.asarray(ks, np.float64), np.asarray(values, np.float64)
    if k.ndim != 1 or k.shape != v.shape or len(k) < 3 or not (np.diff(k) > 0).all():
        raise ValueError("ks must increase and match values, with at least three points")
    x = (k - k[0]) / (k[-1] - k[0])
    span = v[-1] - v[0]
    y = (v - v[0]) / span if span != 0 else np.zeros_like(v)
    return int(ks[int(np.argmax(np.round(y - x, 12)))])  # height above the chord y = x; rounding: ties go first
