"""The sliding-window arithmetic (the course's 16 → 2×2 and 28 → 8×8) against brute-force windows and hand counts."""

from __future__ import annotations

import numpy as np
import pytest

from playground.anchor_boxes import sliding as sw
from tests.references import slide, window_crops


def test_the_course_examples_by_hand():
    """14×14×3 → 10×10×16 → 5×5×16 → 400 → 400 → 4; converted, 16×16 gives 2×2×4 and 28×28 gives 8×8×4."""
    fc = [s.out for s in sw.layer_shapes(14, 14, True)]
    assert fc == [(10, 10, 16), (5, 5, 16), (1, 1, 400), (1, 1, 400), (1, 1, 4), (1, 1, 4)]
    on16 = [s.out for s in sw.layer_shapes(16, 16, False)]
    assert on16 == [(12, 12, 16), (6, 6, 16), (2, 2, 400), (2, 2, 400), (2, 2, 4), (2, 2, 4)]
    assert sw.layer_shapes(28, 28, False)[-1].out == (8, 8, 4)
    assert (sw.window_grid(16), sw.window_grid(28), sw.window_stride()) == (2, 8, 2)


def test_fc_and_conv_layers_have_the_same_weights():
    """FC 400 on 5·5·16 = 400 inputs: (400 + 1)·400 = 160,400 weights and biases, as many as a 5×5×16 conv with
    400 filters; FC 400 → 400 equals a 1×1 conv; every layer's count matches between the two versions."""
    fc, conv = sw.layer_shapes(14, 14, True), sw.layer_shapes(40, 40, False)
    assert [s.params for s in fc] == [s.params for s in conv]
    assert fc[2].params == (5 * 5 * 16 + 1) * 400 == 160_400
    assert fc[0].params == (5 * 5 * 3 + 1) * 16


@pytest.mark.parametrize("n", [14, 16, 17, 28, 40, 64])
def test_window_positions_match_a_brute_force_slide(n):
    """The converted model's output cells are the 14-pixel windows a 2-pixel stride visits (⌊(n − 14)/2⌋ + 1)."""
    windows = slide(n, 14, 0, 0, 2)
    assert sw.window_grid(n) == len(windows)
    np.testing.assert_array_equal(sw.window_origins(n), [w[0] for w in windows])


@pytest.mark.parametrize("n", [14, 16, 28, 40])
def test_multiplications_by_hand(n):
    """Per crop: 10·10·16·75 + 400·400 + 400·400 + 400·4; one pass: each conv's out_h·out_w·filters·f·f·n_C."""
    per_crop = 10 * 10 * 16 * 75 + 400 * 400 + 400 * 400 + 400 * 4
    g = (n - 14) // 2 + 1
    assert sw.crop_macs(n) == g * g * per_crop
    first = n - 4
    assert sw.one_pass_macs(n) == first * first * 16 * 75 + g * g * (400 * 400 + 400 * 400 + 400 * 4)
    if n > 14:
        assert sw.one_pass_macs(n) < sw.crop_macs(n)


def test_crops_are_the_windows():
    """crops(image)[i, j] is the 14×14 patch at (2i, 2j), as cut by an explicit loop."""
    image = np.random.default_rng(0).random((28, 28, 3)).astype(np.float32)
    windows = sw.crops(image)
    assert windows.shape == (8, 8, 3, 14, 14)
    for top, left, patch in window_crops(image):
        np.testing.assert_array_equal(windows[top // 2, left // 2], patch)


def test_the_fc_version_takes_only_crops():
    """Asking the FC network for a 16×16 input is refused in words."""
    with pytest.raises(ValueError, match="14×14×3 crops only"):
        sw.layer_shapes(16, 16, True)


@pytest.mark.parametrize("n", [16, 40, 48])
def test_window_images_are_reproducible(n):
    """The demo image is the same for the same seed and size, (n, n, 3) in 0–1, with some shapes."""
    a, b = sw.window_image(3, n), sw.window_image(3, n)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (n, n, 3) and a.max() > 0.5
    with pytest.raises(ValueError):
        sw.window_image(3, 70)
