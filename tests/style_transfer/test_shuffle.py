"""Patch shuffling: the same patches in another order, reproducible by seed."""

from __future__ import annotations

import numpy as np
import pytest

from playground.style_transfer import shuffle_patches
from playground.style_transfer.shuffle import crop_to_multiple


def patches(rgb, p):
    h, w = rgb.shape[:2]
    return sorted(rgb[i:i + p, j:j + p].tobytes() for i in range(0, h, p) for j in range(0, w, p))


@pytest.mark.parametrize("h, w, p", [(32, 48, 16), (64, 64, 8), (16, 32, 16), (12, 12, 3)])
def test_shuffling_keeps_every_patch_and_moves_some(h, w, p):
    """The shuffled image holds exactly the original's p×p patches, not in the original order."""
    rgb = np.random.default_rng(0).random((h, w, 3)).astype(np.float32)
    out = shuffle_patches(rgb, p, seed=5)
    assert out.shape == rgb.shape and out.dtype == rgb.dtype
    assert patches(out, p) == patches(rgb, p)
    assert not np.array_equal(out, rgb)


def test_the_seed_fixes_the_order():
    """Same seed, same picture; another seed, another order."""
    rgb = np.random.default_rng(1).random((64, 64, 3))
    np.testing.assert_array_equal(shuffle_patches(rgb, 16, 3), shuffle_patches(rgb, 16, 3))
    assert not np.array_equal(shuffle_patches(rgb, 16, 3), shuffle_patches(rgb, 16, 4))


def test_a_grey_image_works_too():
    """(H, W) images shuffle like (H, W, 3) ones."""
    grey = np.arange(64.0).reshape(8, 8)
    out = shuffle_patches(grey, 4, 0)
    assert out.shape == (8, 8) and sorted(out.ravel()) == sorted(grey.ravel())


def test_sides_must_divide_into_patches():
    with pytest.raises(ValueError, match="divide"):
        shuffle_patches(np.zeros((30, 32, 3)), 16)


@pytest.mark.parametrize("h, w, p, expected", [(176, 256, 32, (160, 256)), (64, 48, 64, None), (100, 70, 16, (96, 64))])
def test_crop_to_multiple_keeps_the_centre(h, w, p, expected):
    """The largest multiple of p on each side, taken from the middle (too small: refused)."""
    rgb = np.random.default_rng(2).random((h, w, 3))
    if expected is None:
        with pytest.raises(ValueError):
            crop_to_multiple(rgb, p)
        return
    out = crop_to_multiple(rgb, p)
    top, left = (h - expected[0]) // 2, (w - expected[1]) // 2
    np.testing.assert_array_equal(out, rgb[top:top + expected[0], left:left + expected[1]])
