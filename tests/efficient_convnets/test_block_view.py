"""One real block's steps: the shapes, and what the page says about them, checked in numpy against the file's weights."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import numpy_helper

from playground.edge_filters import samples
from playground.efficient_convnets import block_view, graph
from tests.references import grouped_correlate


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return block_view.to_input(samples.sample_rgb("chelsea"), 128)


def _bias(node_index: int) -> np.ndarray:
    node = next(n for n in graph.load().graph.node if n.name == graph.nodes()[node_index].name)
    init = next(i for i in graph.load().graph.initializer if i.name == node.input[2])
    return numpy_helper.to_array(init).astype(np.float64)


@pytest.mark.parametrize("k, shapes", [
    (0, {"input": (112, 112, 32), "depthwise": (112, 112, 32), "project": (112, 112, 16)}),
    (1, {"input": (112, 112, 16), "expand": (112, 112, 96), "depthwise": (56, 56, 96), "project": (56, 56, 24)}),
    (16, {"input": (7, 7, 160), "expand": (7, 7, 960), "depthwise": (7, 7, 960), "project": (7, 7, 320)}),
])
def test_shapes_at_224(k, shapes):
    """Block 0 has no expansion; block 1 expands 16 → 96 and halves the side; block 16 ends at 7×7×320."""
    acts = block_view.block_activations(block_view.to_input(samples.sample_rgb("coffee"), 224), k, "cpu")
    assert {s: acts.shape(s) for s in shapes} == shapes
    assert ("expand" in acts.maps) == (k != 0)


@pytest.mark.parametrize("k", [2, 5, 13])
def test_depthwise_channel_c_comes_from_expanded_channel_c_alone(image, k):
    """Each depthwise channel is its own 3×3 filter on the same expanded channel, plus bias, through ReLU6."""
    acts = block_view.block_activations(image, k, "cpu")
    block = graph.blocks()[k]
    node = graph.nodes()[block.depthwise]
    bias = _bias(block.depthwise)
    top, left, bottom, right = node.pads
    for c in (0, 7, acts.depthwise_filters.shape[0] - 1):
        ref = grouped_correlate(acts.maps["expand"][c:c + 1], acts.depthwise_filters[c:c + 1, None], bias[c:c + 1],
                                (node.stride, node.stride), (top, left, bottom, right), 1)[0]
        np.testing.assert_allclose(acts.maps["depthwise"][c], np.clip(ref, 0, 6), rtol=0, atol=1e-4)


@pytest.mark.parametrize("k", [3, 7])
def test_each_output_channel_is_a_weighted_sum_of_all_depthwise_channels(image, k):
    """Projection channel j = Σ_c w[j, c] · depthwise channel c + b[j]: a 1×1 conv, with no ReLU."""
    acts = block_view.block_activations(image, k, "cpu")
    bias = _bias(graph.blocks()[k].projection)
    ref = np.einsum("jc,chw->jhw", acts.projection_weights.astype(np.float64), acts.maps["depthwise"]) + bias[:, None, None]
    np.testing.assert_allclose(acts.maps["project"], ref, rtol=0, atol=1e-4)
    assert acts.maps["project"].min() < 0  # linear: negatives survive


def test_residual_blocks_add_their_input():
    """Block 4 (32 → 32, stride 1): output = projection + input; block 6 (stride 2) has no add."""
    x = block_view.to_input(samples.sample_rgb("astronaut"), 128)
    acts = block_view.block_activations(x, 4, "cpu")
    assert acts.residual
    np.testing.assert_allclose(acts.maps["output"], acts.maps["project"] + acts.maps["input"], rtol=0, atol=1e-5)
    assert not block_view.block_activations(x, 6, "cpu").residual


def test_to_input_centre_crops_and_resizes():
    """A 100×200 picture whose left and right quarters are red: the centre square is blue only, at side × side."""
    rgb = np.zeros((100, 200, 3), np.float32)
    rgb[:, :50, 0] = rgb[:, 150:, 0] = 1
    rgb[:, 50:150, 2] = 1
    x = block_view.to_input(rgb, 64)
    assert x.shape == (1, 3, 64, 64) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, 0], 0, atol=1e-6)
    np.testing.assert_allclose(x[0, 2], 1, atol=1e-6)


def test_stage_outputs_name_the_models_outputs():
    """Block 0 starts from the stem; block k from block k−1's output; there is no block 17."""
    assert block_view.stage_outputs(0) == {"input": "stem", "depthwise": "block0_depthwise",
                                           "project": "block0_project", "output": "block0_output"}
    assert block_view.stage_outputs(5)["input"] == "block4_output"
    with pytest.raises(ValueError, match="0…16"):
        block_view.stage_outputs(17)
