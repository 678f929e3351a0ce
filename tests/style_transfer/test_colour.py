"""Keeping the content's colours: YIQ luminance and chroma, and matching the style's brightness."""

from __future__ import annotations

import numpy as np
import pytest

from playground.style_transfer import colour


def test_yiq_round_trip_and_the_luminance_weights():
    """RGB → YIQ → RGB is the identity; Y is 0.299 R + 0.587 G + 0.114 B; grey has no chroma."""
    rgb = np.random.default_rng(0).random((5, 7, 3)).astype(np.float32)
    np.testing.assert_allclose(colour.from_yiq(colour.to_yiq(rgb)), rgb, atol=1e-5)
    np.testing.assert_allclose(colour.luminance(rgb), rgb @ [0.299, 0.587, 0.114], atol=1e-6)
    grey = colour.to_yiq(np.full((2, 2, 3), 0.4))
    np.testing.assert_allclose(grey[..., 1:], 0, atol=1e-6)


def test_match_luminance_takes_the_content_s_mean_and_spread():
    """After matching, the style's luminance has the content's mean and standard deviation."""
    rng = np.random.default_rng(1)
    style, content = rng.random((20, 20)) * 0.3, 0.5 + 0.1 * rng.standard_normal((20, 20))
    matched = colour.match_luminance(style, np.clip(content, 0, 1))
    assert matched.mean() == pytest.approx(np.clip(content, 0, 1).mean(), abs=1e-3)
    assert matched.std() == pytest.approx(np.clip(content, 0, 1).std(), abs=1e-3)


def test_with_colours_of_puts_back_the_content_s_chroma():
    """The new luminance, the content's I and Q."""
    rng = np.random.default_rng(2)
    content = 0.2 + 0.6 * rng.random((6, 6, 3))
    y = 0.3 + 0.4 * rng.random((6, 6))
    out = colour.to_yiq(colour.with_colours_of(y, content))
    np.testing.assert_allclose(out[..., 0], y, atol=1e-5)
    np.testing.assert_allclose(out[..., 1:], colour.to_yiq(content)[..., 1:], atol=1e-5)
