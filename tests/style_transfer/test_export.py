"""The gradient graph's export (needs torch): the explicit backward is autograd's, the crop fold is exact."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.export
torch = pytest.importorskip("torch")
pytest.importorskip("onnxscript")

import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402

from export import style_gradient as sg  # noqa: E402
from playground import runtime  # noqa: E402
from playground.manifest import model_path  # noqa: E402
from playground.style_transfer import CONTENT_LAYER, STYLE_LAYERS  # noqa: E402


@pytest.fixture(scope="module")
def layers():
    return sg.read_layers(model_path("mobilenet_v2"))


def test_layers_up_to_block_12(layers):
    """71 nodes up to block 12's depthwise ReLU6: 38 convs (4 with stride 2: the stem, blocks 1, 3, 6), 26 ReLU6, 7 adds."""
    assert len(layers) == 71
    assert sum(lay.op == "conv" for lay in layers) == 38 and sum(lay.op == "relu6" for lay in layers) == 26
    assert sum(lay.op == "conv" and lay.stride == 2 for lay in layers) == 4
    assert layers[-1].output == "block12_depthwise"


@pytest.mark.parametrize("h, w", [(32, 48), (64, 32)])
def test_explicit_backward_is_autograd_s(layers, h, w):
    """Float64, random targets and weights: J and ∂J/∂G of GatysStep equal torch autograd through Features."""
    gen = torch.Generator().manual_seed(0)
    features, step = sg.Features(layers, torch.float64), sg.GatysStep(layers, torch.float64)
    x = torch.rand((1, 3, h, w), generator=gen, dtype=torch.float64)
    with torch.no_grad():
        target = features(torch.rand((1, 3, h, w), generator=gen, dtype=torch.float64))
        style = features(torch.rand((1, 3, h, w), generator=gen, dtype=torch.float64))
    grams = [sg.gram(style[n]) for n in STYLE_LAYERS]
    weights, lambdas = torch.tensor([3.0, 500.0, 0.01], dtype=torch.float64), torch.rand(5, generator=gen,
                                                                                        dtype=torch.float64)
    xg = x.clone().requires_grad_(True)
    j = sg.total_cost(features, xg, target[CONTENT_LAYER], grams, weights, lambdas)
    (auto,) = torch.autograd.grad(j[0], xg)
    with torch.no_grad():
        ours = step(x, target[CONTENT_LAYER], *grams, weights, lambdas)
    assert float(ours[0]) == pytest.approx(float(j[0].detach()), rel=1e-12)
    assert sg.relative(ours[5], auto) < 1e-10


def test_fold_crops_turns_slices_into_pads():
    """ConvTranspose → Slice[:-1] on H → Slice[:-1] on W becomes one ConvTranspose with pads (0, 0, 1, 1), same output."""
    w = np.random.default_rng(0).normal(size=(2, 3, 3, 3)).astype(np.float32)
    nodes = [helper.make_node("ConvTranspose", ["x", "w"], ["full"], strides=[2, 2], pads=[0, 0, 0, 0]),
             helper.make_node("Slice", ["full", "zero", "minus_one", "axis2", "one"], ["cut"]),
             helper.make_node("Slice", ["cut", "zero", "minus_one", "axis3", "one"], ["y"])]
    inits = [onnx.numpy_helper.from_array(v, n) for n, v in (
        ("w", w), ("zero", np.array([0], np.int64)), ("minus_one", np.array([-1], np.int64)),
        ("axis2", np.array([2], np.int64)), ("axis3", np.array([3], np.int64)), ("one", np.array([1], np.int64)))]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 10
    x = np.random.default_rng(1).normal(size=(1, 2, 4, 5)).astype(np.float32)
    (before,) = runtime.cpu_session(model.SerializeToString()).run(None, {"x": x})
    assert sg.fold_crops(model) == 1
    assert [n.op_type for n in model.graph.node] == ["ConvTranspose"]
    (after,) = runtime.cpu_session(model.SerializeToString()).run(None, {"x": x})
    assert before.shape == (1, 3, 8, 10)
    np.testing.assert_array_equal(after, before)
