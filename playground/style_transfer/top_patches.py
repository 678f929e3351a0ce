"""What the layers see (Zeiler & Fergus): the image patches that excite one unit most, and its receptive field.

A unit of a layer is one channel at one position. Its receptive field is the
square of input pixels that can change it: each conv f × f with stride s on
the way adds (f − 1) × (the product of the strides before it). The positions
come from :class:`playground.conv_shape.Axis` (which input cells a window
reads) applied layer by layer back to the pixels, with the model's own
kernels, strides and TF "SAME" paddings read from ``mobilenet_v2.onnx``. For a
channel, :func:`strongest` looks through every sample image for the positions
where it fires hardest (at most ``PER_IMAGE`` per image, apart from each other)
and returns the nine strongest with their pixel boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import onnx
from onnx import helper

from playground.conv_shape import Axis
from playground.manifest import model_path
from playground.style_transfer.features import activations, fit
from playground.style_transfer.layers import FEATURE_MODEL, LAYERS
from playground.style_transfer.samples import SAMPLES, sample_rgb

TOP = 9  # patches shown per unit, as in Zeiler & Fergus's figures
PER_IMAGE = 3  # at most this many patches from one image, so nine images are not one cat
IMAGE_SIDE = 512  # images are searched at their committed size (longer side 512)


@dataclass(frozen=True)
class ConvStep:
    """One conv on the way from the pixels to a layer: kernel f, stride s, padding before (top/left) and after."""

    f: int
    s: int
    pad_before: int
    pad_after: int


@lru_cache(maxsize=1)
def _graph_convs() -> dict[str, tuple[str, ConvStep | None]]:
    """tensor -> (the tensor it is computed from along the main path, its conv or None), from the model file."""
    model = onnx.load(model_path(FEATURE_MODEL))
    edges: dict[str, tuple[str, ConvStep | None]] = {}
    for node in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Conv":
            f, s = attrs["kernel_shape"][0], attrs.get("strides", [1, 1])[0]
            pads = attrs.get("pads", [0, 0, 0, 0])
            edges[node.output[0]] = (node.input[0], ConvStep(f, s, pads[0], pads[2]))
        elif node.input:  # Clip, Add (first input: the block's own path, wider than the skip), Identity, …
            edges[node.output[0]] = (node.input[0], None)
    return edges


def conv_chain(layer: str) -> list[ConvStep]:
    """The convs from the image to ``layer`` along its main path, input side first."""
    edges, chain, tensor = _graph_convs(), [], layer
    if layer not in edges:
        raise ValueError(f"{layer!r} is not a tensor of {FEATURE_MODEL}")
    while tensor in edges:
        tensor, conv = edges[tensor]
        if conv is not None:
            chain.append(conv)
    return chain[::-1]


def receptive_field(layer: str) -> tuple[int, int]:
    """(side in pixels, jump): a unit of ``layer`` sees side × side pixels; neighbouring units are jump pixels apart.

    side = 1 + Σ (f_l − 1) · s_1 ⋯ s_(l−1); jump = s_1 ⋯ s_L.
    """
    side, jump = 1, 1
    for conv in conv_chain(layer):
        side, jump = side + (conv.f - 1) * jump, jump * conv.s
    return side, jump


def pixel_spans(layer: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Along one axis of an image n pixels long: the first and last pixel each unit of ``layer`` depends on.

    Walks back conv by conv: output cell i of a conv reads its input cells
    ``Axis.starts()[i] … + f − 1``, minus ``pad_before``. Cells that fall in the
    padding are zeros that no pixel changes, so at each layer the span is cut to
    the real input: near the image's edges a span is shorter than
    :func:`receptive_field`. Returns (first, last), each (units along the axis,), inclusive.
    """
    axes, size = [], n
    for conv in conv_chain(layer):  # each conv's Axis, at its own input size
        axes.append(Axis(size, conv.f, conv.s, 1, conv.pad_before, conv.pad_after))
        size = axes[-1].out
    first = last = np.arange(size)
    for axis in reversed(axes):
        starts = axis.starts() - axis.pad_before  # (out,): input cell of each window's first tap
        first = np.maximum(starts[first], 0)
        last = np.minimum(starts[last] + axis.f_eff - 1, axis.n - 1)
    return first, last


def pixel_box(layer: str, row: int, col: int, height: int, width: int) -> tuple[int, int, int, int]:
    """The image pixels (top, left, bottom, right), inclusive, that unit (row, col) of ``layer`` depends on.

    ``height`` and ``width`` are the image's; see :func:`pixel_spans`.
    """
    (tops, bottoms), (lefts, rights) = pixel_spans(layer, height), pixel_spans(layer, width)
    return int(tops[row]), int(lefts[col]), int(bottoms[row]), int(rights[col])


@dataclass(frozen=True)
class Patch:
    """One of a unit's strongest activations."""

    image: str  # sample name
    row: int  # the unit's position in the layer's map, 0-based
    col: int
    value: float  # the activation there
    box: tuple[int, int, int, int]  # pixels it depends on (top, left, bottom, right), inclusive


def _peaks(a: np.ndarray, inside: np.ndarray, count: int, apart: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every channel of a (C, h, w), the ``count`` largest values at least ``apart`` cells apart (greedy).

    Only positions where ``inside`` (h, w) is True count. Returns (values, rows, cols), each (C, count).
    """
    a = np.where(inside[None], np.asarray(a, np.float32), -np.inf)
    c, h, w = a.shape
    flat_view = a.reshape(c, -1)
    values, rows, cols = (np.empty((c, count), t) for t in (np.float32, np.int64, np.int64))
    for k in range(count):
        flat = flat_view.argmax(axis=1)  # (C,)
        values[:, k] = flat_view[np.arange(c), flat]
        rows[:, k], cols[:, k] = np.divmod(flat, w)
        for ch, (r, q) in enumerate(zip(rows[:, k], cols[:, k])):  # blank a square around each pick
            a[ch, max(r - apart + 1, 0):r + apart, max(q - apart + 1, 0):q + apart] = -np.inf
    return values, rows, cols


def whole_field(layer: str, height: int, width: int) -> np.ndarray:
    """(h, w) bool: the units of ``layer`` whose receptive field lies wholly inside the image.

    Units at the edges read padding, and their strongest responses are often
    about the edge itself, so the search leaves them out.
    """
    side, _ = receptive_field(layer)
    (tops, bottoms), (lefts, rights) = pixel_spans(layer, height), pixel_spans(layer, width)
    return ((bottoms - tops + 1) == side)[:, None] & ((rights - lefts + 1) == side)[None, :]


@lru_cache(maxsize=2)
def _index(provider: str = "auto") -> dict[str, tuple]:
    """Every layer's strongest units over all samples, one MobileNetV2 run per image.

    layer -> (values, images, rows, cols), each (C, TOP), plus "shapes": ((name, (H, W)), ...).
    """
    names, shapes = list(SAMPLES), []
    per: dict[str, list] = {layer: [] for layer in LAYERS}
    for name in names:
        rgb = fit(sample_rgb(name), IMAGE_SIDE)
        h, w = rgb.shape[:2]
        shapes.append((name, (h, w)))
        acts = activations(rgb, tuple(LAYERS), provider)
        for layer, a in acts.items():
            side, jump = receptive_field(layer)
            apart = max(1, side // (2 * jump))  # peaks half a receptive field apart: different patches, mostly
            per[layer].append(_peaks(a, whole_field(layer, h, w), PER_IMAGE, apart))
    out: dict[str, tuple] = {"shapes": tuple(shapes)}
    for layer, found in per.items():
        values = np.concatenate([p[0] for p in found], axis=1)  # (C, images × PER_IMAGE)
        images = np.repeat(np.arange(len(names)), PER_IMAGE)[None].repeat(values.shape[0], axis=0)
        rows, cols = np.concatenate([p[1] for p in found], axis=1), np.concatenate([p[2] for p in found], axis=1)
        # strongest first; ties (ReLU6 saturates at 6) go to each image's first peak before anyone's second
        rank = np.tile(np.arange(PER_IMAGE), len(names))[None].repeat(values.shape[0], axis=0)
        best = np.lexsort((rank, -values), axis=1)[:, :TOP]
        out[layer] = tuple(np.take_along_axis(v, best, 1) for v in (values, images, rows, cols))
    return out


def top_values(layer: str, provider: str = "auto") -> np.ndarray:
    """(C,) the largest activation of each channel of ``layer`` over the samples (receptive field inside the image)."""
    return _index(provider)[layer][0][:, 0].copy()


def most_active(layer: str, count: int, provider: str = "auto") -> list[int]:
    """The ``count`` channels of ``layer`` with the highest top activation over the samples, strongest first."""
    values = _index(provider)[layer][0]
    return [int(c) for c in np.argsort(-values[:, 0], kind="stable")[:count]]


def strongest(layer: str, channel: int, provider: str = "auto") -> list[Patch]:
    """The ``TOP`` (nine) positions, over every sample image, where ``channel`` of ``layer`` fires hardest.

    Parameters
    ----------
    layer : str
        One of :data:`playground.style_transfer.layers.LAYERS`.
    channel : int
        0-based channel index.

    Returns
    -------
    list of Patch, strongest first
    """
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; known: {', '.join(LAYERS)}")
    if not 0 <= channel < LAYERS[layer].channels:
        raise ValueError(f"{layer} has channels 0…{LAYERS[layer].channels - 1}, not {channel}")
    index = _index(provider)
    values, images, rows, cols = index[layer]
    shapes = index["shapes"]
    out = []
    for v, i, r, c in zip(values[channel], images[channel], rows[channel], cols[channel]):
        name, (h, w) = shapes[int(i)]
        out.append(Patch(name, int(r), int(c), float(v), pixel_box(layer, int(r), int(c), h, w)))
    return out


def crop(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The pixels of ``box`` (top, left, bottom, right, inclusive) from an (H, W, 3) image."""
    top, left, bottom, right = box
    return np.asarray(rgb[top:bottom + 1, left:right + 1])
