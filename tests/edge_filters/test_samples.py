"""The edge page's images: committed samples with their licences, and drawn patterns."""

from __future__ import annotations

import numpy as np
import pytest

from playground.edge_filters import samples as imgs
from playground.manifest import load_manifest


@pytest.mark.parametrize("name", list(imgs.SAMPLES))
def test_sample_loads_small_and_licence_permits_copying(name):
    """Each sample is listed with sha256 and a CC0 / public-domain licence, and loads as RGB ≤ 512 px."""
    artifact, _ = imgs.SAMPLES[name]
    entry = load_manifest()["artifacts"][artifact]
    licence = entry["provenance"]["licence"].lower()
    assert "cc0" in licence or "public domain" in licence
    assert "skimage.data" in entry["provenance"]["source"]
    rgb = imgs.sample_rgb(name)
    assert rgb.ndim == 3 and rgb.shape[2] == 3 and max(rgb.shape[:2]) <= 512 and rgb.dtype == np.float32
    assert 0 <= rgb.min() and rgb.max() <= 1 and rgb.std() > 0.05  # a real picture, not blank
    assert not rgb.flags.writeable  # shared by every visitor


@pytest.mark.parametrize("name", list(imgs.SYNTHETIC))
def test_patterns_are_two_tone(name):
    """Drawn patterns are black-and-white squares of the documented size, both tones present."""
    rgb = imgs.synthetic_rgb(name)
    assert rgb.shape == (imgs.SYNTHETIC_SIZE, imgs.SYNTHETIC_SIZE, 3)
    assert set(np.unique(rgb)) == {0.0, 1.0}


def test_diagonal_pattern_is_light_above_the_slash():
    """Top-left corner light, bottom-right dark: a "/" edge with its light side up."""
    gray = imgs.synthetic_rgb("diagonal")[..., 0]
    assert gray[0, 0] == 1 and gray[-1, -1] == 0 and gray[0, -1] == 0 and gray[-1, 0] == 0


def test_unknown_pattern_is_refused():
    """A name outside the list raises instead of drawing something else."""
    with pytest.raises(ValueError, match="unknown pattern"):
        imgs.synthetic_rgb("spiral")


def test_to_pixels_gives_grey_and_channels_in_0_255():
    """Pure red becomes grey 0.299·255 and a (3, H, W) volume with 255 only in R."""
    rgb = np.zeros((2, 3, 3), np.float32)
    rgb[..., 0] = 1
    gray, channels = imgs.to_pixels(rgb)
    np.testing.assert_allclose(gray, 0.299 * 255, rtol=1e-5)
    assert channels.shape == (3, 2, 3)
    np.testing.assert_array_equal(channels[0], 255)
    np.testing.assert_array_equal(channels[1:], 0)


@pytest.mark.parametrize("shape, factor", [((1024, 1024), 2), ((1024, 700), 2), ((2048, 1536), 4), ((300, 451), 1)])
def test_shrink_is_the_block_mean(shape, factor):
    """Shrinking to ≤ 512 px by a whole factor gives each factor × factor block's mean; small maps pass through.

    The data have a non-zero mean and a ramp, so a shrink returning zeros, a constant or a subsample fails.
    """
    rng = np.random.default_rng(0)
    h, w = shape
    values = (100 + 50 * rng.standard_normal(shape) + np.linspace(0, 80, w)).astype(np.float32)
    small = imgs.shrink(values)
    blocks = values.astype(np.float64).reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))
    assert small.shape == blocks.shape and max(small.shape) == min(512, max(shape))
    np.testing.assert_allclose(small, blocks, rtol=1e-5, atol=1e-3)
