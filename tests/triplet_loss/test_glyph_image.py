"""Cropping and resizing a picture like the training data: Otsu's threshold, the ink box, polarity, distortions."""

from __future__ import annotations

import numpy as np
import pytest

from playground.triplet_loss import GlyphError, glyph_from_picture, glyph_image
from tests.references import otsu_by_search


def block_picture(height: int, width: int, box: tuple[int, int, int, int], ink: float, paper: float) -> np.ndarray:
    """A flat picture with one rectangle (top, left, bottom, right) of another grey."""
    picture = np.full((height, width), paper, np.float32)
    top, left, bottom, right = box
    picture[top:bottom, left:right] = ink
    return picture


@pytest.mark.parametrize("seed", range(4))
def test_otsu_matches_an_exhaustive_search(seed):
    """On two-level pictures with noise, the threshold splits the pixels as the brute-force search's does."""
    rng = np.random.default_rng(seed)
    gray = np.clip(np.where(rng.random((40, 40)) < 0.3, 0.8, 0.2) + rng.normal(0, 0.05, (40, 40)), 0, 1)
    ours, reference = glyph_image.otsu_threshold(gray), otsu_by_search(gray)
    assert np.array_equal(gray > ours, gray >= reference)


def test_ink_box_is_scaled_to_44_and_centred():
    """A 10 × 20 white bar on black: longer side 20 → 44 px on the 64 canvas, centred (rows 27–37, cols 10–54)."""
    work = glyph_image.centre_ink(block_picture(50, 60, (5, 30, 15, 50), 1.0, 0.0))
    rows, cols = np.flatnonzero(work.max(axis=1) > 0.5), np.flatnonzero(work.max(axis=0) > 0.5)
    assert work.shape == (64, 64)
    assert cols[-1] - cols[0] + 1 == 44 and (cols[0], cols[-1]) == (10, 53)
    assert rows[-1] - rows[0] + 1 == 22 and (rows[0] + rows[-1]) / 2 == pytest.approx(31.5, abs=0.5)


@pytest.mark.parametrize("ink, paper", [(0.0, 1.0), (1.0, 0.0), (0.2, 0.9)])
def test_either_polarity_gives_white_ink_on_black(ink, paper):
    """Dark ink on light paper is inverted; light on dark kept: the result is the same bright glyph, 32 × 32 uint8."""
    glyph = glyph_from_picture(block_picture(100, 100, (20, 40, 80, 60), ink, paper))
    assert glyph.shape == (32, 32) and glyph.dtype == np.uint8
    assert glyph[16, 16] > 200 and glyph[0, 0] == 0 and glyph[16, 2] == 0


@pytest.mark.parametrize("picture", [np.full((30, 30), 0.4, np.float32), np.zeros((8, 8), np.float32)])
def test_flat_pictures_are_refused_in_words(picture):
    """A one-colour picture has no glyph: GlyphError with a message for the learner."""
    with pytest.raises(GlyphError, match="flat colour"):
        glyph_from_picture(picture)


def test_distort_rotates_thickens_and_refuses_out_of_range():
    """A 20-px vertical bar turned 45° spans about 20/√2 ≈ 14 columns; thickening adds ink; 60° is refused."""
    bar = np.zeros((32, 32), np.uint8)
    bar[6:26, 15:17] = 255
    columns = np.flatnonzero(glyph_image.distort(bar, rotation=45).max(axis=0) > 0.5)
    assert 12 <= columns[-1] - columns[0] + 1 <= 17
    assert np.flatnonzero(glyph_image.distort(bar).max(axis=0) > 0.5).size <= 3
    assert glyph_image.distort(bar, stroke=2).sum() > glyph_image.distort(bar).sum() * 1.5
    with pytest.raises(ValueError):
        glyph_image.distort(bar, rotation=60)


def test_noise_is_seeded():
    """The same seed gives the same noisy picture; another seed another one."""
    bar = np.zeros((32, 32), np.uint8)
    bar[6:26, 15:17] = 255
    a, b = glyph_image.distort(bar, noise=0.2, seed=1), glyph_image.distort(bar, noise=0.2, seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, glyph_image.distort(bar, noise=0.2, seed=2))
