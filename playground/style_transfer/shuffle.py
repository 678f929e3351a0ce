"""Why Gram matrices are style: cut an image into square patches and shuffle them.

A Gram matrix sums channel products over every position, so it forgets where
things are. Shuffling patches keeps what is inside each patch (textures,
colours, strokes) and destroys the layout. The style cost between an image and
its shuffled copy stays small, the content cost jumps. It is not exactly zero:
the borders between patches are new, and a deep unit's receptive field spans
several patches.
"""

from __future__ import annotations

import numpy as np


def shuffle_patches(rgb: np.ndarray, patch: int, seed: int = 0) -> np.ndarray:
    """The image with its patch × patch squares in a random order.

    Parameters
    ----------
    rgb : numpy.ndarray, shape (H, W, C)
        H and W must be multiples of ``patch``.
    patch : int
        Side of the squares in pixels.
    seed : int
        Seed of the permutation; seed 0 and up give different orders (never the identity, when
        there are at least two patches).

    Returns
    -------
    numpy.ndarray, shape (H, W, C), same dtype
    """
    h, w = rgb.shape[:2]
    if patch < 1 or h % patch or w % patch:
        raise ValueError(f"the image ({w}×{h}) must divide into {patch}×{patch} patches")
    rows, cols = h // patch, w // patch
    tiles = rgb.reshape(rows, patch, cols, patch, -1).swapaxes(1, 2).reshape(rows * cols, patch, patch, -1)
    order = np.random.default_rng(seed).permutation(rows * cols)
    while rows * cols > 1 and np.array_equal(order, np.arange(rows * cols)):  # a shuffle must move something
        order = np.roll(order, 1)
    out = tiles[order].reshape(rows, cols, patch, patch, -1).swapaxes(1, 2).reshape(h, w, -1)
    return out.reshape(rgb.shape)


def crop_to_multiple(rgb: np.ndarray, patch: int) -> np.ndarray:
    """The centre of an (H, W, …) image whose sides are the largest multiples of ``patch`` that fit."""
    h, w = rgb.shape[:2]
    ch, cw = h // patch * patch, w // patch * patch
    if ch == 0 or cw == 0:
        raise ValueError(f"the image ({w}×{h}) is smaller than one {patch}×{patch} patch")
    top, left = (h - ch) // 2, (w - cw) // 2
    return rgb[top:top + ch, left:left + cw]
