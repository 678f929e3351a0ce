"""Sizing images for MobileNetV2 and reading its activations."""

from __future__ import annotations

import numpy as np
import pytest

from playground.style_transfer import STYLE_LAYERS, activations, cover, fit, samples
from playground.style_transfer.features import fitted_size


@pytest.mark.parametrize("w, h, longer, expected", [(451, 300, 256, (256, 176)), (300, 451, 256, (176, 256)),
                                                    (512, 512, 128, (128, 128)), (1000, 20, 256, (256, 32))])
def test_fitted_sizes_are_multiples_of_16(w, h, longer, expected):
    """Longer side as asked, aspect kept to the nearest multiple of 16, never below 32."""
    assert fitted_size(w, h, longer) == expected


def test_cover_fills_the_size_from_the_centre():
    """A 100×50 image covering 40×40 keeps its middle 50×50, scaled to 40×40."""
    rgb = np.zeros((50, 100, 3), np.float32)
    rgb[:, 25:75] = 1.0  # the middle square is white, the sides black
    out = cover(rgb, (40, 40))
    assert out.shape == (40, 40, 3) and out.min() == pytest.approx(1.0)


def test_activations_have_each_layer_s_shape():
    """The cat (451 × 300) fits to 128 × 80 (300·128/451 = 85 → 80): stem 32 × 40 × 64, block 12 dw 576 × 5 × 8."""
    x = fit(samples.sample_rgb("chelsea"), 128)
    assert x.shape == (80, 128, 3)
    acts = activations(x, STYLE_LAYERS, "cpu")
    assert acts["stem"].shape == (32, 40, 64) and acts["block12_depthwise"].shape == (576, 5, 8)
