"""The committed MobileNetV2 as a list of layers: every node's kind, shape, parameters and multiplications.

Read from ``onnx_models/mobilenet_v2.onnx`` itself: each Conv's weight shape
(M, C/group, f, f), stride, pads and group, with the spatial sizes carried
through the graph from the input side by :class:`playground.conv_shape.Axis`
and the counts from :func:`~playground.conv_arithmetic.conv_macs` and
:func:`~playground.conv_arithmetic.conv_params`. A node's *kind* is read from
the graph's structure, not from its name:

- ``dense``: a convolution larger than 1×1 over all input channels (the first layer);
- ``depthwise``: group = channels in = channels out;
- ``expansion``: a 1×1 whose output (after its ReLU6) feeds a depthwise conv;
- ``projection``: a 1×1 fed by a depthwise conv (after its ReLU6);
- ``last``: any other 1×1 before the pooling (MobileNetV2's 320 → 1280);
- ``head``: a 1×1 on the pooled 1×1 map (the style predictor's 1280 → 100);
- ``relu6`` (Clip), ``add`` (the residual adds), ``pool``, ``reshape``, ``identity``.

Shapes here are ONNX's (C, H, W), batch left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import onnx
from onnx import numpy_helper

from playground.conv_arithmetic import Axis, conv_macs, conv_params
from playground.manifest import model_path

MODEL = "mobilenet_v2"
KINDS = ("dense", "depthwise", "expansion", "projection", "last", "head", "relu6", "add", "pool", "reshape",
         "identity")
CONV_KINDS = KINDS[:6]
_ELEMENTWISE = {"Clip": "relu6", "Add": "add", "Identity": "identity"}  # shape in = shape out


@dataclass(frozen=True)
class Node:
    """One node of the graph with its kind, shapes and costs."""

    name: str
    op_type: str
    kind: str  # one of KINDS
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    input_shape: tuple[int, int, int]  # (C, H, W) of its first input
    output_shape: tuple[int, ...]  # (C, H, W), or what a Reshape makes
    f: int = 0  # filter side (Conv)
    stride: int = 1
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)  # top, left, bottom, right (Conv)
    group: int = 1
    params: int = 0  # weights and biases (Conv)
    macs: int = 0  # multiplications (Conv; the other nodes have none)


@lru_cache(maxsize=2)
def load(name: str = MODEL) -> onnx.ModelProto:
    """The committed model, sha-checked against the manifest; shared, so do not modify it."""
    return onnx.load(str(model_path(name)))


@lru_cache(maxsize=2)
def initializers(name: str = MODEL) -> dict[str, np.ndarray]:
    """Every initializer (weights, biases, Clip bounds, Reshape targets) as a read-only array."""
    arrays = {}
    for init in load(name).graph.initializer:
        array = numpy_helper.to_array(init)
        array.setflags(write=False)
        arrays[init.name] = array
    return arrays


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _reshaped(shape: tuple[int, ...], target: np.ndarray) -> tuple[int, ...]:
    """ONNX Reshape of a (1, *shape) tensor: 0 copies a dimension, −1 takes what is left; batch dropped."""
    full = (1,) + shape
    dims = [full[i] if d == 0 else int(d) for i, d in enumerate(target)]
    if -1 in dims:
        known = int(np.prod([d for d in dims if d != -1]))
        dims[dims.index(-1)] = int(np.prod(full)) // known
    return tuple(dims[1:])


def _conv(node: onnx.NodeProto, shape: tuple[int, int, int], weights: dict[str, np.ndarray]) -> dict:
    """Output shape, parameters and multiplications of a Conv, from its weights and attributes."""
    attrs = _attrs(node)
    if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError(f"{node.name}: auto_pad is not read here; explicit pads only")
    m, c_per_group, kh, kw = weights[node.input[1]].shape
    (sh, sw), (dh, dw) = attrs.get("strides", [1, 1]), attrs.get("dilations", [1, 1])
    top, left, bottom, right = attrs.get("pads", [0, 0, 0, 0])
    if kh != kw or sh != sw or (dh, dw) != (1, 1):
        raise NotImplementedError(f"{node.name}: only square, undilated filters with equal strides")
    c, h, w = shape
    group = attrs.get("group", 1)
    assert c == c_per_group * group, node.name
    out_h, out_w = Axis(h, kh, sh, 1, top, bottom).out, Axis(w, kw, sw, 1, left, right).out
    has_bias = len(node.input) > 2 and node.input[2] != ""
    return {"output_shape": (m, out_h, out_w), "f": kh, "stride": sh, "pads": (top, left, bottom, right),
            "group": group, "params": conv_params(kh, c_per_group, m) - (0 if has_bias else m),
            "macs": conv_macs(out_h, out_w, kh, c_per_group, m)}


@lru_cache(maxsize=8)
def nodes(side: int = 224, name: str = MODEL) -> tuple[Node, ...]:
    """Every node of the model, in graph order, for an input of 3 × side × side.

    Raises
    ------
    NotImplementedError
        For an operator this walk does not know (the model holds Conv, Clip,
        Add, GlobalAveragePool, Reshape and Identity).
    """
    graph = load(name).graph
    weights = initializers(name)
    shapes: dict[str, tuple[int, ...]] = {graph.input[0].name: (3, side, side)}
    built = []
    for node in graph.node:
        shape = shapes[node.input[0]]
        extra: dict = {}
        if node.op_type == "Conv":
            extra = _conv(node, shape, weights)
            out = extra.pop("output_shape")
        elif node.op_type in _ELEMENTWISE:
            out = shape
        elif node.op_type == "GlobalAveragePool":
            out = (shape[0], 1, 1)
        elif node.op_type == "Reshape":
            out = _reshaped(shape, weights[node.input[1]])
        else:
            raise NotImplementedError(f"{node.name}: {node.op_type} is not read here")
        shapes[node.output[0]] = out
        built.append(dict(name=node.name, op_type=node.op_type, inputs=tuple(node.input),
                          outputs=tuple(node.output), input_shape=shape, output_shape=out, **extra))
    return tuple(Node(kind=k, **n) for n, k in zip(built, _kinds(built), strict=True))


def _kinds(built: list[dict]) -> list[str]:
    """Each node's kind from the graph's structure (see the module docstring)."""
    producer = {out: i for i, n in enumerate(built) for out in n["outputs"]}
    consumers: dict[str, list[int]] = {}
    for i, n in enumerate(built):
        for name in n["inputs"]:
            consumers.setdefault(name, []).append(i)

    def depthwise(i: int) -> bool:
        n = built[i]
        return n["op_type"] == "Conv" and n["group"] > 1 and n["group"] == n["input_shape"][0] == n["output_shape"][0]

    def through_relu(i: int, forward: bool) -> list[int]:
        """The nodes after (or before) node i, looking through a Clip."""
        if forward:
            near = consumers.get(built[i]["outputs"][0], [])
        else:
            near = [producer[built[i]["inputs"][0]]] if built[i]["inputs"][0] in producer else []
        far = []
        for j in near:
            far += through_relu(j, forward) if built[j]["op_type"] == "Clip" else [j]
        return far

    kinds = []
    for i, n in enumerate(built):
        if n["op_type"] != "Conv":
            kinds.append(_ELEMENTWISE.get(n["op_type"]) or {"GlobalAveragePool": "pool", "Reshape": "reshape"}[
                n["op_type"]])
        elif depthwise(i):
            kinds.append("depthwise")
        elif n["f"] > 1:
            kinds.append("dense")
        elif any(depthwise(j) for j in through_relu(i, forward=True)):
            kinds.append("expansion")
        elif any(depthwise(j) for j in through_relu(i, forward=False)):
            kinds.append("projection")
        else:
            kinds.append("head" if n["output_shape"][1:] == (1, 1) else "last")
    return kinds


@dataclass(frozen=True)
class Block:
    """One bottleneck block as the graph holds it: indices into :func:`nodes`."""

    index: int  # 0…16
    expansion: int | None  # None for a block without expansion (t = 1)
    depthwise: int
    projection: int
    add: int | None  # the residual add, where the block has one

    def conv_indices(self) -> tuple[int, ...]:
        return tuple(i for i in (self.expansion, self.depthwise, self.projection) if i is not None)


@lru_cache(maxsize=8)
def blocks(side: int = 224, name: str = MODEL) -> tuple[Block, ...]:
    """The bottleneck blocks in order, each found from its depthwise conv."""
    all_nodes = nodes(side, name)
    producer = {out: i for i, n in enumerate(all_nodes) for out in n.outputs}

    def before(i: int) -> int | None:  # the node feeding node i, looking through a Clip
        j = producer.get(all_nodes[i].inputs[0])
        if j is not None and all_nodes[j].op_type == "Clip":
            j = producer.get(all_nodes[j].inputs[0])
        return j

    found = []
    projections = {before(i): i for i, n in enumerate(all_nodes) if n.kind == "projection"}
    adds = {}  # projection -> the residual add after it: the add's latest projection input (the other is the skip)
    for a, n in enumerate(all_nodes):
        fed_by = [i for i in map(producer.get, n.inputs) if i is not None and all_nodes[i].kind == "projection"]
        if n.kind == "add" and fed_by:
            adds[max(fed_by)] = a
    for i, n in enumerate(all_nodes):
        if n.kind == "depthwise":
            j = before(i)
            expansion = j if j is not None and all_nodes[j].kind == "expansion" else None
            projection = projections[i]
            found.append(Block(len(found), expansion, i, projection, adds.get(projection)))
    return tuple(found)
