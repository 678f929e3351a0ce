"""FLOPs are not time: the real MobileNetV2 timed node by node on ONNX Runtime, grouped by kind.

ONNX Runtime rewrites a graph before it runs it. On the CPU it fuses each
ReLU6 (Clip) into the convolution before it, folds each residual Add into the
projection convolution that feeds it, drops Identity nodes, and converts the
tensors to a blocked layout (NCHWc) with reorder nodes of its own. Its
profiler (:func:`playground.runtime.profile_graph`) then times the kernels it
really ran. Here every kernel is credited back to the nodes of the committed
graph it stands for:

- a Conv and the Clip right after it form one *unit*, timed as one kernel;
- every other node is its own unit;
- a kernel belongs to the unit whose node name or output name it carries
  (ORT's CPU kernels add ``_nchwc``);
- a unit no kernel belongs to was fused into another node or removed (time 0);
- a kernel that belongs to no unit was added by ORT (the layout reorders).

So every node of the model lands in exactly one kind, and the kinds' times add
up to the profiled kernels' total.

The model is timed with only its final output: the committed file also
exposes every block's activations for the pages, and asking ORT for all of
them costs a layout conversion each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from playground import runtime
from playground.efficient_convnets import costs, graph
from playground.onnx_format import IR_VERSION, OPSET

SIDE = 224  # MobileNetV2's ImageNet input size
RUNS, WARMUP = 10, 3  # profiled runs (median per kernel) and untimed runs before them
FINAL_OUTPUT = "style_vector"  # the network's own output; the other outputs exist for the pages' viewers
NCHWC_SUFFIX = "_nchwc"  # ORT's CPU names the kernels it converts to the blocked layout <name>_nchwc
ADDED = "added"  # the kind of kernels ORT added (no node of the model stands behind them)
SEED = 0  # random weights of the normal convolutions (only their speed is used)

LABELS = {
    "dense": "dense 3×3 conv (the first layer)",
    "depthwise": "depthwise 3×3 convs",
    "expansion": "pointwise 1×1 expansions",
    "projection": "pointwise 1×1 projections (linear)",
    "last": "last 1×1 conv (320 → 1280)",
    "head": "style head 1×1 (1280 → 100)",
    "relu6": "ReLU6 (Clip)",
    "add": "residual adds",
    "pool": "global average pooling",
    "reshape": "reshapes",
    "identity": "identities (output names)",
    ADDED: "layout reorders ORT added",
}


# ---------------------------------------------------------------- crediting kernels to nodes
def units(nodes: Sequence[onnx.NodeProto]) -> list[tuple[str, ...]]:
    """The graph's nodes (by name) in timing units: a Conv with the Clip that alone reads its output, or one node."""
    readers: dict[str, list[onnx.NodeProto]] = {}
    for node in nodes:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    taken, out = set(), []
    for node in nodes:
        if node.name in taken:
            continue
        unit = [node.name]
        after = readers.get(node.output[0], [])
        if node.op_type == "Conv" and len(after) == 1 and after[0].op_type == "Clip":
            unit.append(after[0].name)
        taken.update(unit)
        out.append(tuple(unit))
    return out


def credit(nodes: Sequence[onnx.NodeProto], timings: Iterable[runtime.NodeTiming]
           ) -> tuple[dict[str, float], list[runtime.NodeTiming]]:
    """Each node's time (µs; a unit's time goes to its first node), and the kernels no node stands behind.

    Raises
    ------
    ValueError
        If two units claim the same kernel name (the graph's names are ambiguous).
    """
    by_name = {node.name: node for node in nodes}
    owner: dict[str, tuple[str, ...]] = {}
    for unit in units(nodes):
        for name in unit:
            for label in (name, *by_name[name].output):
                if owner.setdefault(label, unit) != unit:
                    raise ValueError(f"two units are both called {label!r}")
    time_us = {node.name: 0.0 for node in nodes}
    added = []
    for timing in timings:
        unit = owner.get(timing.name) or owner.get(timing.name.removesuffix(NCHWC_SUFFIX))
        if unit is None:
            added.append(timing)
        else:
            time_us[unit[0]] += timing.median_us
    return time_us, added


# ---------------------------------------------------------------- the whole model, by kind
@dataclass(frozen=True)
class KindTiming:
    """One kind of node: how many, their multiplications, and their measured time."""

    kind: str
    label: str
    nodes: int
    without_kernel: int  # nodes with no kernel of their own (fused into another node or removed by ORT)
    macs: int
    time_ms: float

    @property
    def gflops(self) -> float | None:
        """Achieved GFLOP/s, counting a multiply-add as 2 operations; None without multiplications or time."""
        return 2 * self.macs / (self.time_ms * 1e6) if self.macs and self.time_ms > 0 else None


@dataclass(frozen=True)
class ModelTiming:
    """The model's kernels credited to its nodes and grouped by kind."""

    kinds: tuple[KindTiming, ...]  # graph.KINDS order, then ORT's additions
    node_kind: dict[str, str]  # every node of the committed model -> its kind
    node_ms: dict[str, float]  # every node -> its credited time (0 when fused or removed)
    kernels_ms: float  # all kernels, summed: the kinds' total
    run_ms: float  # median whole run as ORT's profiler measured it (kernels plus the executor between them)
    runs: int
    side: int
    providers: tuple[str, ...]
    note: str | None

    @property
    def macs(self) -> int:
        return sum(k.macs for k in self.kinds)

    def kind(self, name: str) -> KindTiming:
        return next(k for k in self.kinds if k.kind == name)


@lru_cache(maxsize=2)
def network_bytes(name: str = graph.MODEL) -> bytes:
    """The committed model with only its final output kept: the same nodes and weights."""
    model = onnx.ModelProto()
    model.CopyFrom(graph.load(name))
    keep = [o for o in model.graph.output if o.name == FINAL_OUTPUT]
    del model.graph.output[:]
    model.graph.output.extend(keep)
    return model.SerializeToString()


def noise_image(side: int = SIDE) -> np.ndarray:
    """A seeded (1, 3, side, side) image in 0…1: the time of a convolution does not depend on what it sees."""
    return np.random.default_rng(SEED).random((1, 3, side, side), dtype=np.float32)


def time_model(provider: str = "auto", side: int = SIDE, runs: int = RUNS, warmup: int = WARMUP,
               name: str = graph.MODEL) -> ModelTiming:
    """Profile the model on ``provider`` and group every node's time and multiplications by kind."""
    profile = runtime.profile_graph(network_bytes(name), {"image": noise_image(side)}, runs, warmup, provider)
    onnx_nodes = list(graph.load(name).graph.node)
    time_us, added = credit(onnx_nodes, profile.nodes)
    layers = graph.nodes(side, name)
    node_kind = {n.name: n.kind for n in layers}
    kernel_names = {unit[0] for unit in units(onnx_nodes)}
    rows = []
    for kind in graph.KINDS:
        members = [n for n in layers if n.kind == kind]
        if members:
            rows.append(KindTiming(kind, LABELS[kind], len(members),
                                   sum(1 for n in members if n.name not in kernel_names or time_us[n.name] == 0),
                                   sum(n.macs for n in members), sum(time_us[n.name] for n in members) / 1e3))
    rows.append(KindTiming(ADDED, LABELS[ADDED], len(added), 0, 0, sum(t.median_us for t in added) / 1e3))
    return ModelTiming(tuple(rows), node_kind, {k: v / 1e3 for k, v in time_us.items()},
                       sum(r.time_ms for r in rows), profile.run_ms, profile.runs, side, profile.providers,
                       profile.note)


# ---------------------------------------------------------------- the same blocks as normal convolutions
@dataclass(frozen=True)
class SeparableTiming:
    """One block's depthwise + projection pair against a normal f×f conv of the same shape."""

    block: int
    n: int  # input side of the depthwise conv
    n_c: int  # its channels
    n_c_out: int  # the projection's channels
    f: int
    s: int
    depthwise_macs: int
    pointwise_macs: int
    normal_macs: int
    depthwise_us: float
    pointwise_us: float
    normal_us: float

    @property
    def separable_us(self) -> float:
        return self.depthwise_us + self.pointwise_us

    @property
    def ratio(self) -> Fraction:
        """Theoretical cost ratio 1/n_C' + 1/f²."""
        return costs.separable_ratio(self.f, self.n_c_out)

    @property
    def theory_speedup(self) -> float:
        return 1 / float(self.ratio)

    @property
    def measured_speedup(self) -> float:
        return self.normal_us / self.separable_us


@dataclass(frozen=True)
class SeparableComparison:
    rows: tuple[SeparableTiming, ...]
    runs: int
    side: int
    providers: tuple[str, ...]
    note: str | None


def _conv_node(name: str, x: str, w: str, b: str, out: str, f: int, s: int, pads, group: int) -> onnx.NodeProto:
    return helper.make_node("Conv", [x, w, b], [out], name=name, kernel_shape=[f, f], strides=[s, s],
                            pads=list(pads), group=group)


@lru_cache(maxsize=2)
def separable_graph(side: int = SIDE, name: str = graph.MODEL) -> tuple[bytes, tuple[tuple[str, tuple[int, ...]], ...]]:
    """Every block's depthwise conv (real weights, with its ReLU6) and projection (real weights), and beside
    each pair a normal f×f conv from the same input to the same channels (seeded random weights).

    Returns
    -------
    (bytes, tuple of (input name, (1, C, H, W)))
    """
    weights, layers = graph.initializers(name), graph.nodes(side, name)
    onnx_nodes = {n.name: n for n in graph.load(name).graph.node}
    rng = np.random.default_rng(SEED)
    nodes, inits, inputs, outputs = [], [], [], []
    for block in graph.blocks(side, name):
        k, dw, pw = block.index, layers[block.depthwise], layers[block.projection]
        x = f"x{k}"
        inputs.append((x, (1, *dw.input_shape)))
        dw_w, dw_b = onnx_nodes[dw.name].input[1:3]
        pw_w, pw_b = onnx_nodes[pw.name].input[1:3]
        for init in (dw_w, dw_b, pw_w, pw_b):
            inits.append(numpy_helper.from_array(np.asarray(weights[init]), f"{init}"))
        clip_lo, clip_hi = f"relu6_lo{k}", f"relu6_hi{k}"
        inits += [numpy_helper.from_array(np.float32(0.0), clip_lo), numpy_helper.from_array(np.float32(6.0), clip_hi)]
        nodes.append(_conv_node(f"depthwise{k}", x, dw_w, dw_b, f"depthwise{k}_z", dw.f, dw.stride, dw.pads, dw.group))
        nodes.append(helper.make_node("Clip", [f"depthwise{k}_z", clip_lo, clip_hi], [f"depthwise{k}_a"],
                                      name=f"depthwise{k}_relu6"))
        nodes.append(_conv_node(f"pointwise{k}", f"depthwise{k}_a", pw_w, pw_b, f"pointwise{k}_out", 1, 1,
                                (0, 0, 0, 0), 1))
        n_c_out, n_c = pw.output_shape[0], dw.input_shape[0]
        normal_w = (rng.standard_normal((n_c_out, n_c, dw.f, dw.f)) / np.sqrt(n_c * dw.f ** 2)).astype(np.float32)
        inits += [numpy_helper.from_array(normal_w, f"normal{k}_w"),
                  numpy_helper.from_array(np.zeros(n_c_out, np.float32), f"normal{k}_b")]
        nodes.append(_conv_node(f"normal{k}", x, f"normal{k}_w", f"normal{k}_b", f"normal{k}_out", dw.f, dw.stride,
                                dw.pads, 1))
        outputs += [f"pointwise{k}_out", f"normal{k}_out"]
    model = helper.make_model(
        helper.make_graph(nodes, "separable_vs_normal",
                          [helper.make_tensor_value_info(x, TensorProto.FLOAT, list(shape)) for x, shape in inputs],
                          [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs], inits),
        opset_imports=[helper.make_opsetid("", OPSET)], producer_name="cnn-playground efficient_convnets")
    model.ir_version = IR_VERSION
    return model.SerializeToString(), tuple(inputs)


def time_separable(provider: str = "auto", side: int = SIDE, runs: int = RUNS, warmup: int = WARMUP,
                   name: str = graph.MODEL) -> SeparableComparison:
    """Profile :func:`separable_graph`: each block's depthwise and pointwise kernels against its normal conv."""
    model_bytes, inputs = separable_graph(side, name)
    rng = np.random.default_rng(SEED)
    feeds = {x: rng.random(shape, dtype=np.float32) for x, shape in inputs}
    profile = runtime.profile_graph(model_bytes, feeds, runs, warmup, provider)
    time_us, _ = credit(list(onnx.load_from_string(model_bytes).graph.node), profile.nodes)
    layers = graph.nodes(side, name)
    rows = []
    for block in graph.blocks(side, name):
        k, dw, pw = block.index, layers[block.depthwise], layers[block.projection]
        n, n_c, n_c_out = dw.input_shape[1], dw.input_shape[0], pw.output_shape[0]
        depthwise, pointwise = costs.depthwise_separable(n, dw.f, n_c, n_c_out, "same", dw.stride)
        normal = costs.normal_conv(n, dw.f, n_c, n_c_out, "same", dw.stride)
        rows.append(SeparableTiming(k, n, n_c, n_c_out, dw.f, dw.stride, depthwise.macs, pointwise.macs, normal.macs,
                                    time_us[f"depthwise{k}"], time_us[f"pointwise{k}"], time_us[f"normal{k}"]))
    return SeparableComparison(tuple(rows), profile.runs, side, profile.providers, profile.note)
