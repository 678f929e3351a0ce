"""Learned first-layer filters: they are the trained networks' real first layer, compared honestly."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from streamlit.testing.v1 import AppTest

from playground import depth_experiment as dx
from playground import filters, learned_filters, runtime
from playground.manifest import model_path
from tests.conftest import REPO_ROOT

MODELS = [dx.model_name(d, r) for d in (8, 20, 56) for r in (False, True)]


def same_conv_relu(images: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """ReLU of a 3×3, p = 1 cross-correlation by explicit shifts. images (N, 8, 8), w (K, 3, 3) -> (N, K, 8, 8)."""
    n, h, wd = images.shape
    padded = np.pad(images.astype(np.float64), ((0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, w.shape[0], h, wd))
    for di in range(3):
        for dj in range(3):
            out += w[None, :, di, dj, None, None] * padded[:, None, di:di + h, dj:dj + wd]
    return np.maximum(out + b[None, :, None, None], 0)


@pytest.mark.parametrize("name", MODELS)
def test_first_layer_is_what_the_network_computes_first(name):
    """ReLU(conv(x, W, b)) with the extracted W, b equals the network's own first activation a[0] (ORT)."""
    images, _, _ = dx.held_out_digits()
    batch = images[:20]
    w, b = learned_filters.first_layer(name)
    assert w.shape == (16, 1, 3, 3) and b.shape == (16,)
    a0 = runtime.run(name, {"x": dx.to_input(batch)}, provider="cpu")["activations"][:, 0]
    expected = same_conv_relu(batch / dx.PIXEL_SCALE, w[:, 0].astype(np.float64), b.astype(np.float64))
    np.testing.assert_allclose(a0, expected, rtol=1e-4, atol=1e-5)


def test_learned_kernels_are_the_onnx_initializer():
    """The kernels are the stem convolution's weights stored in the ONNX file, unchanged."""
    model = onnx.load(model_path("depth_residual_20"))
    stem = next(numpy_helper.to_array(i) for i in model.graph.initializer if i.name == "stem.weight")
    np.testing.assert_array_equal(learned_filters.learned_kernels("depth_residual_20"), stem[:, 0])


@pytest.mark.parametrize("kernel, name, cos", [
    (2 * filters.SOBEL_X, "sobel_x", 1.0),
    (-filters.VERTICAL, "vertical", -1.0),
    (filters.HORIZONTAL + 0.01, "horizontal", None),
])
def test_closest_kernel_picks_the_largest_absolute_cosine(kernel, name, cos):
    """A scaled Sobel x is Sobel x (cos 1); a negated vertical kernel is the vertical edge with signs swapped."""
    found, value = learned_filters.closest_kernel(kernel, filters.KERNELS)
    assert found == name
    if cos is not None:
        assert value == pytest.approx(cos, abs=1e-12)


def test_page_names_the_most_edge_like_learned_filter():
    """The edge page's caption names the filter and cosine an independent computation finds."""
    model = onnx.load(model_path(learned_filters.DEFAULT_MODEL))
    stem = next(numpy_helper.to_array(i) for i in model.graph.initializer if i.name == "stem.weight")[:, 0]
    best = (0.0, -1, "")
    for i, k in enumerate(stem.astype(np.float64)):
        for name, ref in filters.KERNELS.items():
            c = float(np.sum(k * ref) / np.sqrt(np.sum(k * k) * np.sum(ref * ref)))
            if abs(c) > abs(best[0]):
                best = (c, i, name)
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "edge_filters.py"), default_timeout=60).run()
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Most edge-like"))
    assert f"filter #{best[1]}, cosine {best[0]:+.2f}" in caption
