"""Export ``conv2d``: a 2-D convolution whose kernel, bias, padding and stride are inputs.

Usage: python -m export.conv2d

The edge-filter page runs every kernel a learner picks or types through this
one model, so nothing is baked in. Graph (NCHW, cross-correlation as in deep
learning)::

    x (N, C, H, W) ──Pad(zeros; pads = top, left, bottom, right)──▶
    Conv(W = w (K, C, f, f), B = b (K,), stride 1) ──Slice(step = strides)──▶ y (N, K, H', W')

Stride is applied by keeping every s-th row and column of the stride-1
result, which is exactly a strided convolution: H' = ⌊(H + top + bottom − f)/s⌋ + 1.
There are no trained weights; the numpy definition below is the source model.
"""

from __future__ import annotations

import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper

from export.common import OPSET, check_close, cpu_session, finalize, save_model

NAME = "conv2d"
PRODUCES = ("conv2d",)  # literal: `python -m export` reads it without importing the script
SEED = 0


def build() -> onnx.ModelProto:
    """The ONNX graph described in the module docstring."""
    i64 = TensorProto.INT64
    nodes = [
        # Pad wants [N_begin, C_begin, H_begin, W_begin, N_end, C_end, H_end, W_end].
        helper.make_node("Slice", ["pads", "zero1", "two1"], ["pads_begin"]),  # (top, left)
        helper.make_node("Slice", ["pads", "two1", "four1"], ["pads_end"]),  # (bottom, right)
        helper.make_node("Concat", ["zeros2", "pads_begin", "zeros2", "pads_end"], ["pads8"], axis=0),
        helper.make_node("Pad", ["x", "pads8"], ["x_padded"], mode="constant"),
        helper.make_node("Conv", ["x_padded", "w", "b"], ["y_dense"]),
        helper.make_node("Slice", ["y_dense", "zeros2", "ends", "axes_hw", "strides"], ["y"]),
    ]
    consts = [
        helper.make_tensor("zero1", i64, [1], [0]),
        helper.make_tensor("two1", i64, [1], [2]),
        helper.make_tensor("four1", i64, [1], [4]),
        helper.make_tensor("zeros2", i64, [2], [0, 0]),
        helper.make_tensor("ends", i64, [2], [np.iinfo(np.int64).max] * 2),
        helper.make_tensor("axes_hw", i64, [2], [2, 3]),
    ]
    graph = helper.make_graph(
        nodes, NAME,
        inputs=[
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "C", "H", "W"]),
            helper.make_tensor_value_info("w", TensorProto.FLOAT, ["K", "C", "f", "f"]),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, ["K"]),
            helper.make_tensor_value_info("pads", i64, [4]),
            helper.make_tensor_value_info("strides", i64, [2]),
        ],
        outputs=[helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", "K", "Ho", "Wo"])],
        initializer=consts,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="cnn-playground export/conv2d.py")
    return finalize(model)


def numpy_conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray, pads, strides) -> np.ndarray:
    """The source model: zero-pad, slide, multiply-add, in float64.

    x (N, C, H, W), w (K, C, f, f), b (K,), pads (top, left, bottom, right), strides (sh, sw)
    -> (N, K, H', W')
    """
    top, left, bottom, right = (int(p) for p in pads)
    sh, sw = (int(s) for s in strides)
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (top, bottom), (left, right)))
    f = w.shape[-1]
    windows = np.lib.stride_tricks.sliding_window_view(xp, (f, f), axis=(2, 3))[:, :, ::sh, ::sw]
    # windows (N, C, H', W', f, f) · w (K, C, f, f) -> (N, K, H', W')
    return np.einsum("nchwij,kcij->nkhw", windows, w.astype(np.float64)) + b[None, :, None, None]


CASES = [  # (N, C, H, W, K, f, pads, strides): shapes the pages use and awkward ones
    (1, 1, 6, 6, 1, 3, (0, 0, 0, 0), (1, 1)),
    (1, 3, 37, 53, 2, 3, (1, 1, 1, 1), (2, 2)),
    (2, 2, 16, 9, 3, 5, (2, 0, 1, 3), (3, 1)),
    (1, 1, 7, 7, 1, 7, (0, 0, 0, 0), (1, 1)),
    (1, 3, 128, 128, 4, 3, (1, 1, 1, 1), (1, 1)),
]


def verify(model: onnx.ModelProto) -> dict:
    """Compare ORT with the numpy source model on fixed random cases."""
    rng = np.random.default_rng(SEED)
    session = cpu_session(model)
    worst = 0.0
    for n, c, h, w_, k, f, pads, strides in CASES:
        x = rng.standard_normal((n, c, h, w_)).astype(np.float32)
        w = rng.standard_normal((k, c, f, f)).astype(np.float32)
        b = rng.standard_normal(k).astype(np.float32)
        (y,) = session.run(None, {"x": x, "w": w, "b": b, "pads": np.array(pads, np.int64),
                                  "strides": np.array(strides, np.int64)})
        worst = max(worst, check_close(NAME, y, numpy_conv2d(x, w, b, pads, strides), atol=1e-4))
    return {"reference": "numpy sliding-window einsum in float64 (export/conv2d.py)",
            "cases": len(CASES), "seed": SEED, "max_abs_error": worst}


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    model = build()
    save_model(
        NAME, model,
        description="2-D cross-correlation with kernel, bias, zero padding (top, left, bottom, right) "
                    "and stride (rows, cols) as inputs; used for every filter on the edge-filter page.",
        provenance={"command": "python -m export conv2d", "script": "export/conv2d.py",
                    "data": "none: a hand-built graph with no trained weights", "seed": SEED,
                    "weights": "none: the kernel is an input"},
        verification=verify(model),
    )


if __name__ == "__main__":
    main()
