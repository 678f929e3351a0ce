"""Export ``residual_block`` and ``residual_block_projection``: one ResNet block, weights as inputs.

Usage: python -m export.residual_block

The residual-block page feeds its own small volume and weights (and scales
W^[l+2], b^[l+2] live), so nothing is baked in. Both graphs return every
intermediate, so the page shows ORT's numbers, not numpy's (NCHW, "same"
padding p = 1 for the 3×3 convs)::

    residual_block (shapes kept):
      a ─Conv(w1, b1)─▶ z1 ─Relu─▶ a1 ─Conv(w2, b2)─▶ z2 ─┐
      a ─────────────Mul(skip)──────────────▶ shortcut ───Add─Relu─▶ a2

    residual_block_projection (stride s and/or a change of channels):
      a ─Conv(w1, b1)─Slice(step s)─▶ z1 ─Relu─▶ a1 ─Conv(w2, b2)─▶ z2 ─┐
      a ─Conv(w_s, 1×1, no bias)─Slice(step s)─Mul(skip)─▶ shortcut ───Add─Relu─▶ a2

a2 = g(z2 + skip · shortcut) with g = ReLU: skip = 1 is the course's
a^[l+2] = g(z^[l+2] + a^[l]) (or + W_s a^[l]); skip = 0 is the plain block.
The projection has no bias, as the course writes it (W_s a^[l]) and as He et al.
define it. A stride s is applied by keeping every s-th row and column of the
stride-1 result (as in ``export/conv2d.py``), which is exactly a strided conv:
⌊(n + 2·1 − 3)/s⌋ + 1 = ⌊(n − 1)/s⌋ + 1 for the 3×3 and ⌊(n − 1)/s⌋ + 1 for the 1×1.
There are no trained weights; the numpy definition below is the source model.
"""

from __future__ import annotations

import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper

from export.common import OPSET, check_close, cpu_session, finalize, save_model
from export.conv2d import numpy_conv2d

PRODUCES = ("residual_block", "residual_block_projection")
SCRIPT = "export/residual_block.py"
SEED = 0
OUTPUTS = ("z1", "a1", "z2", "shortcut", "a2")  # z^[l+1], a^[l+1], z^[l+2], skip term, a^[l+2]


def _float(name: str, shape: list) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _model(name: str, nodes: list, inputs: list, outputs: list, consts: list) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, name, inputs=inputs, outputs=outputs, initializer=consts)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=f"cnn-playground {SCRIPT}")
    return finalize(model)


def build_identity() -> onnx.ModelProto:
    """``residual_block``: a (N, C, H, W) → every intermediate, all (N, C, H, W)."""
    nodes = [
        helper.make_node("Conv", ["a", "w1", "b1"], ["z1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["z1"], ["a1"]),
        helper.make_node("Conv", ["a1", "w2", "b2"], ["z2"], pads=[1, 1, 1, 1]),
        helper.make_node("Mul", ["a", "skip"], ["shortcut"]),
        helper.make_node("Add", ["z2", "shortcut"], ["z2_plus_skip"]),
        helper.make_node("Relu", ["z2_plus_skip"], ["a2"]),
    ]
    nchw = ["N", "C", "H", "W"]
    inputs = [_float("a", nchw), _float("w1", ["C", "C", 3, 3]), _float("b1", ["C"]),
              _float("w2", ["C", "C", 3, 3]), _float("b2", ["C"]), _float("skip", [1])]
    return _model("residual_block", nodes, inputs, [_float(o, nchw) for o in OUTPUTS], [])


def build_projection() -> onnx.ModelProto:
    """``residual_block_projection``: a (N, C_in, H, W) → outputs (N, C_out, H', W')."""
    i64 = TensorProto.INT64
    nodes = [
        helper.make_node("Concat", ["stride", "stride"], ["steps"], axis=0),
        helper.make_node("Conv", ["a", "w1", "b1"], ["z1_dense"], pads=[1, 1, 1, 1]),
        helper.make_node("Slice", ["z1_dense", "zeros2", "ends", "axes_hw", "steps"], ["z1"]),
        helper.make_node("Relu", ["z1"], ["a1"]),
        helper.make_node("Conv", ["a1", "w2", "b2"], ["z2"], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["a", "ws"], ["proj_dense"]),
        helper.make_node("Slice", ["proj_dense", "zeros2", "ends", "axes_hw", "steps"], ["proj"]),
        helper.make_node("Mul", ["proj", "skip"], ["shortcut"]),
        helper.make_node("Add", ["z2", "shortcut"], ["z2_plus_skip"]),
        helper.make_node("Relu", ["z2_plus_skip"], ["a2"]),
    ]
    consts = [
        helper.make_tensor("zeros2", i64, [2], [0, 0]),
        helper.make_tensor("ends", i64, [2], [np.iinfo(np.int64).max] * 2),
        helper.make_tensor("axes_hw", i64, [2], [2, 3]),
    ]
    inputs = [_float("a", ["N", "C_in", "H", "W"]), _float("w1", ["C_out", "C_in", 3, 3]), _float("b1", ["C_out"]),
              _float("w2", ["C_out", "C_out", 3, 3]), _float("b2", ["C_out"]),
              _float("ws", ["C_out", "C_in", 1, 1]), helper.make_tensor_value_info("stride", i64, [1]),
              _float("skip", [1])]
    outputs = [_float(o, ["N", "C_out", "Ho", "Wo"]) for o in OUTPUTS]
    return _model("residual_block_projection", nodes, inputs, outputs, consts)


# ---------------------------------------------------------------- the source model, in numpy
def numpy_block(a, w1, b1, w2, b2, ws=None, stride: int = 1, skip: float = 1.0) -> dict[str, np.ndarray]:
    """Every intermediate of the block in float64; ``ws`` None means the identity shortcut."""
    same, strides = (1, 1, 1, 1), (stride, stride)  # p = 1 on every side for the 3×3 convs
    z1 = numpy_conv2d(a, w1, b1, same, strides)
    a1 = np.maximum(z1, 0)
    z2 = numpy_conv2d(a1, w2, b2, same, (1, 1))
    shortcut = skip * (a.astype(np.float64) if ws is None
                       else numpy_conv2d(a, ws, np.zeros(len(ws)), (0, 0, 0, 0), strides))  # W_s has no bias
    return {"z1": z1, "a1": a1, "z2": z2, "shortcut": shortcut, "a2": np.maximum(z2 + shortcut, 0)}


IDENTITY_CASES = [(1, 2, 5, 5, 1.0), (2, 3, 7, 4, 1.0), (1, 1, 1, 1, 1.0), (1, 4, 16, 16, 0.0)]  # N, C, H, W, skip
# N, C_in, C_out, H, W, s
PROJECTION_CASES = [(1, 2, 4, 6, 6, 2), (2, 3, 3, 7, 5, 2), (1, 1, 2, 5, 5, 1), (1, 2, 2, 9, 9, 3)]


def verify(identity: onnx.ModelProto, projection: onnx.ModelProto) -> tuple[dict, dict]:
    """ORT against the numpy source model on fixed random cases, every output."""
    rng = np.random.default_rng(SEED)

    def randn(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    def worst_error(session, feeds, expected) -> float:
        got = dict(zip(OUTPUTS, session.run(list(OUTPUTS), feeds)))
        return max(check_close(name, got[name], expected[name], atol=1e-4) for name in OUTPUTS)

    session = cpu_session(identity)
    worst_id = 0.0
    for n, c, h, w, skip in IDENTITY_CASES:
        feeds = {"a": randn(n, c, h, w), "w1": randn(c, c, 3, 3), "b1": randn(c), "w2": randn(c, c, 3, 3),
                 "b2": randn(c), "skip": np.array([skip], np.float32)}
        expected = numpy_block(feeds["a"], feeds["w1"], feeds["b1"], feeds["w2"], feeds["b2"], skip=skip)
        worst_id = max(worst_id, worst_error(session, feeds, expected))
    session = cpu_session(projection)
    worst_proj = 0.0
    for n, c_in, c_out, h, w, s in PROJECTION_CASES:
        feeds = {"a": randn(n, c_in, h, w), "w1": randn(c_out, c_in, 3, 3), "b1": randn(c_out),
                 "w2": randn(c_out, c_out, 3, 3), "b2": randn(c_out), "ws": randn(c_out, c_in, 1, 1),
                 "stride": np.array([s], np.int64), "skip": np.array([1.0], np.float32)}
        expected = numpy_block(feeds["a"], feeds["w1"], feeds["b1"], feeds["w2"], feeds["b2"], feeds["ws"], s)
        worst_proj = max(worst_proj, worst_error(session, feeds, expected))
    reference = f"numpy sliding-window einsum block in float64 ({SCRIPT})"
    return ({"reference": reference, "cases": len(IDENTITY_CASES), "seed": SEED, "max_abs_error": worst_id},
            {"reference": reference, "cases": len(PROJECTION_CASES), "seed": SEED, "max_abs_error": worst_proj})


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    identity, projection = build_identity(), build_projection()
    check_identity, check_projection = verify(identity, projection)
    provenance = {"command": "python -m export residual_block", "script": SCRIPT,
                  "data": "none: a hand-built graph with no trained weights", "seed": SEED,
                  "weights": "none: every weight is an input"}
    save_model("residual_block", identity,
               description="One residual block with the identity shortcut, weights as inputs: "
                           "z1 = conv(a, w1) + b1, a1 = ReLU(z1), z2 = conv(a1, w2) + b2, shortcut = skip·a, "
                           "a2 = ReLU(z2 + shortcut); 3×3 convs, stride 1, padding 1.",
               provenance=provenance, verification=check_identity)
    save_model("residual_block_projection", projection,
               description="One residual block whose shape changes: the first 3×3 conv has stride s and C_out "
                           "channels, the shortcut is W_s·a (1×1 conv, stride s, no bias) times skip.",
               provenance=provenance, verification=check_projection)


if __name__ == "__main__":
    main()
