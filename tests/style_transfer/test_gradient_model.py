"""The ``style_gradient`` graph: its costs are the course's on MobileNetV2's features, its gradient is ∂J/∂G.

The costs are recomputed in float64 from the feature model's weights by the
numpy interpreter of ``tests/references.py`` (not by ONNX Runtime); the gradient
is checked against central finite differences of that independent J (the
graph's backward is never used to check itself).
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper

from playground import runtime
from playground.manifest import model_path
from playground.style_transfer import CONTENT_LAYER, GRADIENT_MODEL, STYLE_LAYERS, samples
from playground.style_transfer.features import cover, fit, to_input
from playground.style_transfer.layers import FEATURE_MODEL, gram_input
from tests.references import loop_total_variation, run_onnx_in_numpy, style_costs_numpy

SIDE = 80  # small enough to run many times; 80 × 64 keeps the sides different
WEIGHTS = np.array([10.0, 4.0e3, 1.0e-3], np.float32)  # α, β, TV weight
LAMBDAS = np.array([1.0, 0.5, 2.0, 1.5, 3.0], np.float32)


def features(x: np.ndarray) -> dict[str, np.ndarray]:
    """The feature model's activations (n_C, n_H, n_W) for a (1, 3, H, W) input, float64 by the numpy interpreter."""
    names = list(STYLE_LAYERS) + [CONTENT_LAYER]
    return {k: v[0] for k, v in run_onnx_in_numpy(model_path(FEATURE_MODEL), {"image": x}, names).items()}


@pytest.fixture(scope="module")
def case() -> dict:
    """Cat + noise as G, the cat as content, gravel as style, at 80 × 64 (float32 inputs for the graph)."""
    content = fit(samples.sample_rgb("chelsea"), SIDE)
    style = cover(samples.sample_rgb("gravel"), (content.shape[1], content.shape[0]))
    rng = np.random.default_rng(0)
    x = np.clip(to_input(content) + rng.uniform(-0.2, 0.2, (1, 3) + content.shape[:2]), 0, 1).astype(np.float32)
    c, s = features(to_input(content)), features(to_input(style))
    grams = {n: np.einsum("kij,lij->kl", s[n].astype(np.float64), s[n]).astype(np.float32) for n in STYLE_LAYERS}
    return {"x": x, "content": c, "style": s, "grams": grams}


def feeds(case: dict, x: np.ndarray, weights=WEIGHTS, lambdas=LAMBDAS) -> dict[str, np.ndarray]:
    out = {"generated": x.astype(np.float32), "content_target": case["content"][CONTENT_LAYER][None].astype(np.float32)}
    out.update({gram_input(n): case["grams"][n].astype(np.float32) for n in STYLE_LAYERS})
    out.update({"loss_weights": np.asarray(weights, np.float32), "layer_weights": np.asarray(lambdas, np.float32)})
    return out


def reference_j(case: dict, x: np.ndarray, weights=WEIGHTS, lambdas=LAMBDAS) -> dict[str, float]:
    """J and its parts from the feature model's activations and numpy, all in float64."""
    g = features(np.asarray(x, np.float64))
    per_layer = style_costs_numpy(case["style"], g, STYLE_LAYERS)
    a_c, a_g = (np.asarray(v, np.float64) for v in (case["content"][CONTENT_LAYER], g[CONTENT_LAYER]))
    j_content = float(((a_c - a_g) ** 2).sum() / (4 * a_g.size))
    j_style = float(sum(float(w) * per_layer[n] for w, n in zip(lambdas, STYLE_LAYERS)))
    xd = x[0].astype(np.float64)
    j_tv = float((np.diff(xd, axis=1) ** 2).sum() + (np.diff(xd, axis=2) ** 2).sum())
    alpha, beta, tv = (float(w) for w in weights)  # python floats: float32 × float would stay float32 (NEP 50)
    j = alpha * j_content + beta * j_style + tv * j_tv
    return {"J": j, "J_content": j_content, "J_style": j_style, "J_tv": j_tv,
            "J_style_layers": np.array([per_layer[n] for n in STYLE_LAYERS])}


@pytest.mark.model_reference("style_gradient")
def test_costs_are_the_course_s_on_the_feature_model(case, provider):
    """J, J_content, J_style, each J_style^[l] and J_TV equal numpy's costs of mobilenet_v2's activations."""
    out = runtime.run(GRADIENT_MODEL, feeds(case, case["x"]), provider=provider)
    ref = reference_j(case, case["x"])
    for name in ("J", "J_content", "J_style", "J_tv"):
        assert float(out[name]) == pytest.approx(ref[name], rel=1e-4), name
    np.testing.assert_allclose(out["J_style_layers"], ref["J_style_layers"], rtol=1e-4)
    assert out["grad"].shape == case["x"].shape


def test_total_variation_output_matches_the_loops(case):
    """J_tv is Σ of squared neighbour differences over channels (loop reference)."""
    out = runtime.run(GRADIENT_MODEL, feeds(case, case["x"]), ["J_tv"], provider="cpu")
    assert float(out["J_tv"]) == pytest.approx(loop_total_variation(case["x"][0]), rel=1e-5)


@pytest.mark.model_reference("style_gradient")
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gradient_matches_central_differences_of_the_reference_cost(case, seed):
    """grad · v equals (J(x + h v) − J(x − h v)) / 2h along random directions, J computed independently."""
    rng = np.random.default_rng(seed)
    v = rng.normal(size=case["x"].shape)
    v /= np.linalg.norm(v)
    grad = runtime.run(GRADIENT_MODEL, feeds(case, case["x"]), ["grad"], provider="cpu")["grad"].astype(np.float64)
    h = 1e-5  # |h v| per pixel ≈ 1e-7: no ReLU6 kink crossed (at 1e-3 some are), and float64 leaves 9 digits
    plus, minus = (reference_j(case, case["x"] + sign * h * v)["J"] for sign in (1, -1))
    numeric = (plus - minus) / (2 * h)
    assert float((grad * v).sum()) == pytest.approx(numeric, rel=1e-4)


@pytest.mark.parametrize("term, weights", [("content", [1.0, 0.0, 0.0]), ("style", [0.0, 1.0, 0.0]),
                                           ("tv", [0.0, 0.0, 1.0])])
def test_each_term_s_gradient_matches_central_differences(case, term, weights):
    """Each of α J_content, β J_style, J_TV alone: its gradient along a random direction matches differences."""
    rng = np.random.default_rng(7)
    v = rng.normal(size=case["x"].shape)
    v /= np.linalg.norm(v)
    w = np.array(weights, np.float32)
    grad = runtime.run(GRADIENT_MODEL, feeds(case, case["x"], w), ["grad"], provider="cpu")["grad"].astype(np.float64)
    h = 1e-5
    plus, minus = (reference_j(case, case["x"] + sign * h * v, w)["J"] for sign in (1, -1))
    assert float((grad * v).sum()) == pytest.approx((plus - minus) / (2 * h), rel=1e-4, abs=1e-9)


def test_tv_gradient_is_exact():
    """J_TV is quadratic, so its gradient is 2 (2x_ij − neighbours) summed over the existing neighbours; here by hand."""
    x = np.zeros((1, 3, 32, 48), np.float32)
    x[0, 1, 5, 7] = 1.0  # one lit pixel: its 4 neighbours' differences are each 1
    case = {"content": {CONTENT_LAYER: np.zeros((384, 2, 3), np.float32)},
            "grams": {n: np.zeros((c, c), np.float32) for n, c in zip(STYLE_LAYERS, (32, 96, 192, 384, 576))}}
    out = runtime.run(GRADIENT_MODEL, feeds(case, x, [0.0, 0.0, 1.0]), provider="cpu")
    assert float(out["J_tv"]) == pytest.approx(4.0)
    expected = np.zeros_like(x)
    expected[0, 1, 5, 7] = 8.0  # ∂/∂x of 4 (x − 0)² terms: 2·4·1
    for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        expected[0, 1, 5 + di, 7 + dj] = -2.0
    np.testing.assert_allclose(out["grad"], expected, atol=1e-6)


def test_zero_weights_give_zero_cost_and_gradient(case):
    """α = β = TV weight = 0: J = 0 and ∂J/∂G = 0 everywhere."""
    out = runtime.run(GRADIENT_MODEL, feeds(case, case["x"], [0.0, 0.0, 0.0]), provider="cpu")
    assert float(out["J"]) == 0.0
    assert not np.any(out["grad"])


def test_graph_stops_at_the_deepest_style_layer_and_folds_the_crops():
    """38 forward convs (up to block 12), 34 backward convs, 4 ConvTranspose with pads (0, 0, 1, 1), no Slice after them."""
    model = onnx.load(model_path(GRADIENT_MODEL))
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("Conv") == 72 and ops.count("ConvTranspose") == 4 and ops.count("Clip") == 26
    consumers = {i: n.op_type for n in model.graph.node for i in n.input}
    for node in model.graph.node:
        if node.op_type == "ConvTranspose":
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            assert list(attrs["pads"]) == [0, 0, 1, 1] and consumers.get(node.output[0]) != "Slice"


@pytest.mark.parametrize("h, w", [(32, 32), (48, 80), (128, 96)])
def test_any_sides_that_are_multiples_of_16_work(h, w):
    """The gradient has G's shape for several sizes (the content target is 1/16 of each side)."""
    x = np.full((1, 3, h, w), 0.5, np.float32)
    case = {"content": {CONTENT_LAYER: np.zeros((384, h // 16, w // 16), np.float32)},
            "grams": {n: np.zeros((c, c), np.float32) for n, c in zip(STYLE_LAYERS, (32, 96, 192, 384, 576))}}
    out = runtime.run(GRADIENT_MODEL, feeds(case, x), ["grad", "J"], provider="cpu")
    assert out["grad"].shape == x.shape and np.isfinite(out["J"])
