"""Inside a real MobileNetV2 block: its activations after expansion, depthwise and projection, from the model itself.

The committed ``mobilenet_v2`` names every block's steps as outputs
(``block{k}_expand``, ``_depthwise``, ``_project``, ``_output``; block 0 has no
expansion), so one ONNX Runtime call gives them all. The weights that link
the steps (each channel's depthwise filter, the projection's 1×1 weights) are
read from the same file. Arrays are ONNX's (C, H, W).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from playground import runtime
from playground.efficient_convnets import graph

STAGES = ("input", "expand", "depthwise", "project", "output")
SIDES = (128, 160, 192, 224, 256)  # input sides the viewer offers; 224 is ImageNet's, 256 the style model's own


def block_count(side: int = 224) -> int:
    return len(graph.blocks(side))


def stage_outputs(k: int) -> dict[str, str]:
    """The model's output name for each step of block k (no ``expand`` for a block without expansion)."""
    if not 0 <= k < block_count():
        raise ValueError(f"block must be 0…{block_count() - 1}, not {k}")
    names = {"input": "stem" if k == 0 else f"block{k - 1}_output"}
    if graph.blocks()[k].expansion is not None:
        names["expand"] = f"block{k}_expand"
    names |= {"depthwise": f"block{k}_depthwise", "project": f"block{k}_project", "output": f"block{k}_output"}
    return names


def to_input(rgb: np.ndarray, side: int) -> np.ndarray:
    """A picture (H, W, 3) in 0…1, centre-cropped to a square and resized to side × side: (1, 3, side, side) float32."""
    h, w = rgb.shape[:2]
    edge = min(h, w)
    top, left = (h - edge) // 2, (w - edge) // 2
    square = np.ascontiguousarray(rgb[top:top + edge, left:left + edge], np.float32)
    channels = [np.asarray(Image.fromarray(square[..., i], mode="F").resize((side, side), Image.Resampling.BILINEAR))
                for i in range(3)]
    return np.clip(np.stack(channels)[None], 0, 1).astype(np.float32)


@dataclass(frozen=True)
class BlockActivations:
    """One block's steps on one image."""

    index: int
    maps: dict[str, np.ndarray]  # stage -> (C, H, W) float32, read-only
    depthwise_filters: np.ndarray  # (C_expanded, f, f): channel c's own filter
    projection_weights: np.ndarray  # (C_out, C_expanded): output channel j = Σ_c w[j, c] · depthwise channel c
    stride: int
    residual: bool  # the block adds its input to the projection

    def shape(self, stage: str) -> tuple[int, int, int]:
        """The course's n_H × n_W × n_C of a step."""
        c, h, w = self.maps[stage].shape
        return h, w, c


def block_activations(x: np.ndarray, k: int, provider: str = "auto") -> BlockActivations:
    """Run the model once on ``x`` (1, 3, H, W) and keep block k's steps.

    Parameters
    ----------
    x : numpy.ndarray
        (1, 3, H, W) float32 pixels in 0…1 (:func:`to_input`).
    k : int
        Block 0…16.
    provider : {"auto", "cuda", "cpu"}
    """
    names = stage_outputs(k)
    out = runtime.run(graph.MODEL, {"image": x}, output_names=list(names.values()), provider=provider)
    maps = {}
    for stage, name in names.items():
        array = out[name][0]
        array.setflags(write=False)
        maps[stage] = array
    block, layers = graph.blocks()[k], graph.nodes()
    onnx_nodes = {n.name: n for n in graph.load().graph.node}
    weights = graph.initializers()
    depthwise, projection = layers[block.depthwise], layers[block.projection]
    dw_w = weights[onnx_nodes[depthwise.name].input[1]][:, 0]  # (C, 1, f, f) -> (C, f, f)
    pw_w = weights[onnx_nodes[projection.name].input[1]][:, :, 0, 0]  # (C_out, C, 1, 1) -> (C_out, C)
    return BlockActivations(k, maps, dw_w, pw_w, depthwise.stride, block.add is not None)


@dataclass(frozen=True)
class BlockSpec:
    """One block as the table in the MobileNetV2 paper writes it."""

    index: int
    n: int  # input side
    c_in: int
    t: int  # expansion factor
    c_out: int
    s: int
    residual: bool


def block_specs(side: int = 224) -> tuple[BlockSpec, ...]:
    """Every block's input side, channels, expansion factor t, output channels and stride, read from the graph."""
    layers = graph.nodes(side)
    specs = []
    for block in graph.blocks(side):
        depthwise, projection = layers[block.depthwise], layers[block.projection]
        c_in = layers[block.expansion].input_shape[0] if block.expansion is not None else depthwise.input_shape[0]
        specs.append(BlockSpec(block.index, depthwise.input_shape[1], c_in, depthwise.input_shape[0] // c_in,
                               projection.output_shape[0], depthwise.stride, block.add is not None))
    return tuple(specs)
