"""Learned first-layer filters: they are the trained networks' real first layer, compared honestly."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from streamlit.testing.v1 import AppTest

from playground import edge_filters, runtime
from playground.edge_filters import learned
from playground.manifest import load_manifest, model_path
from tests.conftest import REPO_ROOT
from tests.references import batch_correlate, held_out_digits, relu

MODELS = sorted(learned.NETWORKS)


@pytest.mark.parametrize("name", MODELS)
def test_first_layer_is_what_the_network_computes_first(name):
    """ReLU(conv(x, W, b)) with the extracted W, b equals the network's own first activation a[0] (ORT)."""
    images, _ = held_out_digits()
    x = (images[:20] / 16.0)[:, None]  # (20, 1, 8, 8): pixels 0…16 scaled to 0…1, as the nets were trained
    w, b = learned.first_layer(name)
    assert w.shape == (16, 1, 3, 3) and b.shape == (16,)
    a0 = runtime.run(name, {"x": x.astype(np.float32)}, provider="cpu")["activations"][:, 0]
    expected = relu(batch_correlate(x, w, b, pad=1))
    np.testing.assert_allclose(a0, expected, rtol=1e-4, atol=1e-5)


def test_the_page_offers_every_trained_network():
    """learned.NETWORKS is exactly the depth experiment's nets in the manifest."""
    depth_nets = {name for name in load_manifest()["models"] if name.startswith("depth_")}
    assert set(learned.NETWORKS) == depth_nets and len(learned.NETWORKS) == len(depth_nets)


def test_learned_kernels_are_the_onnx_initializer():
    """The kernels are the stem convolution's weights stored in the ONNX file, unchanged."""
    model = onnx.load(model_path("depth_residual_20"))
    stem = next(numpy_helper.to_array(i) for i in model.graph.initializer if i.name == "stem.weight")
    np.testing.assert_array_equal(learned.learned_kernels("depth_residual_20"), stem[:, 0])


@pytest.mark.parametrize("kernel, name, cos", [
    (2 * edge_filters.SOBEL_X, "sobel_x", 1.0),
    (-edge_filters.VERTICAL, "vertical", -1.0),
    (edge_filters.HORIZONTAL + 0.01, "horizontal", None),
])
def test_closest_kernel_picks_the_largest_absolute_cosine(kernel, name, cos):
    """A scaled Sobel x is Sobel x (cos 1); a negated vertical kernel is the vertical edge with signs swapped."""
    found, value = learned.closest_kernel(kernel, edge_filters.KERNELS)
    assert found == name
    if cos is not None:
        assert value == pytest.approx(cos, abs=1e-12)


def test_page_names_the_most_edge_like_learned_filter():
    """The edge page's caption names the filter and cosine an independent computation finds."""
    model = onnx.load(model_path(learned.DEFAULT_MODEL))
    stem = next(numpy_helper.to_array(i) for i in model.graph.initializer if i.name == "stem.weight")[:, 0]
    best = (0.0, -1, "")
    for i, k in enumerate(stem.astype(np.float64)):
        for name, ref in edge_filters.KERNELS.items():
            c = float(np.sum(k * ref) / np.sqrt(np.sum(k * k) * np.sum(ref * ref)))
            if abs(c) > abs(best[0]):
                best = (c, i, name)
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "edge_filters.py"), default_timeout=60).run()
    assert not at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Most edge-like"))
    assert f"filter #{best[1]}, cosine {best[0]:+.2f}" in caption
