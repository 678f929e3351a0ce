"""The committed conv2d model against a loop-by-loop convolution written from the definition."""

from __future__ import annotations

import numpy as np
import pytest

from playground import runtime
from tests.references import loop_correlate

CASES = [  # (C, H, W, K, f, pads, strides)
    (1, 6, 6, 1, 3, (0, 0, 0, 0), (1, 1)),
    (3, 11, 8, 2, 3, (1, 1, 1, 1), (2, 2)),
    (2, 9, 13, 3, 5, (2, 0, 1, 3), (3, 1)),
    (1, 5, 5, 1, 5, (0, 0, 0, 0), (1, 1)),
    (1, 4, 4, 1, 1, (0, 0, 0, 0), (3, 3)),
    (2, 7, 7, 1, 2, (1, 0, 0, 1), (1, 2)),
]


@pytest.mark.model_reference("conv2d")
@pytest.mark.parametrize("c, h, w, k, f, pads, strides", CASES)
def test_conv2d_model_matches_loop_reference(c, h, w, k, f, pads, strides, provider):
    """ORT's output equals the loop reference for odd and even kernels, uneven padding and strides."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((c, h, w)).astype(np.float32)
    kernel = rng.standard_normal((k, c, f, f)).astype(np.float32)
    bias = rng.standard_normal(k).astype(np.float32)
    y = runtime.run("conv2d", {"x": x[None], "w": kernel, "b": bias, "pads": np.array(pads, np.int64),
                               "strides": np.array(strides, np.int64)}, provider=provider)["y"]
    np.testing.assert_allclose(y[0], loop_correlate(x, kernel, bias, pads, strides), rtol=1e-5, atol=1e-5)


def test_course_vertical_edge_example():
    """The course's 6×6 image (10s left, 0s right) with the vertical kernel gives 30s in the middle."""
    image = np.zeros((1, 1, 6, 6), np.float32)
    image[..., :3] = 10
    vertical = np.array([[1, 0, -1]] * 3, np.float32)[None, None]
    y = runtime.run("conv2d", {"x": image, "w": vertical, "b": np.zeros(1, np.float32),
                               "pads": np.zeros(4, np.int64), "strides": np.ones(2, np.int64)},
                    provider="cpu")["y"]
    np.testing.assert_array_equal(y[0, 0], [[0, 30, 30, 0]] * 4)
