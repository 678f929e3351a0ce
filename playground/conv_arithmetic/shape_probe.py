"""Shape probes: one-op ONNX graphs run on ONNX Runtime to confirm what the formulas say.

Each probe builds a graph with a single Conv, MaxPool, AveragePool,
GlobalAveragePool or ConvTranspose node from the learner's parameters, feeds
it zeros (only the shape matters), and reports the output shape ORT produced.
The graphs are built on the fly, never committed; the kernel is a graph input
so the graph stays a few hundred bytes whatever the layer's size.

Layouts: ONNX is (N, C, H, W); the course writes n_H × n_W × n_C.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from onnx import TensorProto, helper

from playground import runtime
from playground.conv_arithmetic.formulas import transposed_conv_output_size
from playground.conv_shape import Axis, ShapeError
from playground.onnx_format import IR_VERSION, OPSET

MAX_ELEMENTS = 2_000_000  # floats in the input, kernel and output of one probe (8 MB)
MAX_MACS = 20_000_000  # multiplications of one probe: well under a millisecond or two on 2 cores


@dataclass(frozen=True)
class Probe:
    """What ONNX Runtime said about one layer."""

    op: str  # the ONNX operator, e.g. "Conv"
    shape: tuple[int, ...] | None  # ORT's output shape (N, C, H, W); None if it did not run
    reduced: bool = False  # ran with 1 input channel and 1 filter, because the full layer is too big
    skipped: str | None = None  # why it did not run
    error: str | None = None  # ORT refused the layer: its own message

    @property
    def hwc(self) -> tuple[int, int, int] | None:
        """ORT's shape in the course's order n_H × n_W × n_C."""
        return None if self.shape is None else (self.shape[2], self.shape[3], self.shape[1])


@lru_cache(maxsize=256)
def graph_bytes(op: str, x_shape: tuple[int, ...], w_shape: tuple[int, ...] | None,
                attrs: tuple[tuple[str, object], ...]) -> bytes:
    """A serialized one-node model: input ``x`` (and kernel ``w`` if ``w_shape``), output ``y``."""
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))]
    if w_shape is not None:
        inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, list(w_shape)))
    node = helper.make_node(op, [i.name for i in inputs], ["y"], **dict(attrs))
    graph = helper.make_graph([node], f"{op.lower()}_probe", inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None] * 4)])  # rank 4, sizes left to ORT
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="cnn-playground shape probe")
    model.ir_version = IR_VERSION
    return model.SerializeToString()


def _run(op: str, x_shape, w_shape, attrs: dict, provider: str) -> tuple[int, ...] | str:
    """ORT's output shape, or its error message."""
    model = graph_bytes(op, tuple(x_shape), None if w_shape is None else tuple(w_shape),
                        tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in attrs.items())))
    feeds = {"x": np.zeros(x_shape, np.float32)}
    if w_shape is not None:
        feeds["w"] = np.zeros(w_shape, np.float32)
    try:
        out = runtime.run_graph(model, feeds, label=f"{op} shape probe", provider=provider)
    except Exception as exc:  # ORT raises its own exception types; the message is what we show
        return str(exc).split("Status Message:")[-1].strip()[:300]
    return tuple(int(d) for d in out["y"].shape)


def _probe(op: str, x_shape, w_shape, attrs: dict, provider: str, out_elements: int, macs: int,
           reduce=None) -> Probe:
    """Run the probe if it is small enough; else with 1 channel and 1 filter (``reduce``); else skip."""
    def size(x, w, out, m):
        return int(np.prod(x)) + (int(np.prod(w)) if w else 0) + out, m

    elements, cost = size(x_shape, w_shape, out_elements, macs)
    reduced = False
    if (elements > MAX_ELEMENTS or cost > MAX_MACS) and reduce is not None:
        x_shape, w_shape, out_elements, macs = reduce
        elements, cost = size(x_shape, w_shape, out_elements, macs)
        reduced = True
    if elements > MAX_ELEMENTS or cost > MAX_MACS:
        return Probe(op, None, reduced, skipped=(
            f"not run: even with one channel it needs {elements:,} floats and {cost:,} multiplications, "
            f"over this page's limits ({MAX_ELEMENTS:,} and {MAX_MACS:,}) for a check that runs on every change"))
    result = _run(op, x_shape, w_shape, attrs, provider)
    if isinstance(result, str):
        return Probe(op, None, reduced, error=result)
    return Probe(op, result, reduced)


def _window_side(n: int, f: int, before: int, after: int, s: int, dilation: int = 1) -> int:
    """The formula's output side, to size the probe.

    For a layer the formula refuses (ORT should too), the padded length, which bounds any output.
    """
    try:
        return Axis(n, f, s, dilation, before, after).out
    except ShapeError:
        return n + before + after


def _transposed_side(n: int, f: int, p: int, s: int, output_padding: int) -> int:
    """The formula's output side; for settings it refuses, the uncropped stamps plus output_padding, a bound."""
    try:
        return transposed_conv_output_size(n, f, p, s, output_padding)
    except ShapeError:
        return transposed_conv_output_size(n, f, 0, s) + output_padding


def conv(h: int, w: int, c: int, k: int, f: int, pads: tuple[int, int, int, int], s: int = 1,
         dilation: int = 1, provider: str = "auto") -> Probe:
    """ONNX ``Conv`` on a (1, c, h, w) input with k filters of f×f.

    Parameters
    ----------
    pads : (top, left, bottom, right)
        Explicit padding, so an even "same" filter can pad one more cell at the end.
    """
    top, left, bottom, right = pads
    out_h, out_w = _window_side(h, f, top, bottom, s, dilation), _window_side(w, f, left, right, s, dilation)
    attrs = {"kernel_shape": [f, f], "pads": list(pads), "strides": [s, s], "dilations": [dilation, dilation]}
    return _probe("Conv", (1, c, h, w), (k, c, f, f), attrs, provider, out_h * out_w * k,
                  out_h * out_w * k * f * f * c,
                  reduce=((1, 1, h, w), (1, 1, f, f), out_h * out_w, out_h * out_w * f * f))


def pool(kind: str, h: int, w: int, c: int, f: int, pads: tuple[int, int, int, int], s: int,
         provider: str = "auto") -> Probe:
    """ONNX ``MaxPool`` (kind "max") or ``AveragePool`` (kind "avg") on a (1, c, h, w) input; pads as for :func:`conv`."""
    op = {"max": "MaxPool", "avg": "AveragePool"}[kind]
    top, left, bottom, right = pads
    out_h, out_w = _window_side(h, f, top, bottom, s), _window_side(w, f, left, right, s)
    attrs = {"kernel_shape": [f, f], "pads": list(pads), "strides": [s, s]}
    return _probe(op, (1, c, h, w), None, attrs, provider, out_h * out_w * c, out_h * out_w * c * f * f,
                  reduce=((1, 1, h, w), None, out_h * out_w, out_h * out_w * f * f))


def global_average_pool(h: int, w: int, c: int, provider: str = "auto") -> Probe:
    """ONNX ``GlobalAveragePool`` on a (1, c, h, w) input: one mean per channel."""
    return _probe("GlobalAveragePool", (1, c, h, w), None, {}, provider, c, h * w * c,
                  reduce=((1, 1, h, w), None, 1, h * w))


def conv_transpose(h: int, w: int, c: int, k: int, f: int, p: int, s: int, output_padding: int = 0,
                   provider: str = "auto") -> Probe:
    """ONNX ``ConvTranspose`` on a (1, c, h, w) input with k filters of f×f (kernel shape (c, k, f, f))."""
    attrs = {"kernel_shape": [f, f], "pads": [p] * 4, "strides": [s, s],
             "output_padding": [output_padding, output_padding]}
    out = _transposed_side(h, f, p, s, output_padding) * _transposed_side(w, f, p, s, output_padding)
    return _probe("ConvTranspose", (1, c, h, w), (c, k, f, f), attrs, provider, out * k,
                  h * w * c * f * f * k, reduce=((1, 1, h, w), (1, 1, f, f), out, h * w * f * f))
