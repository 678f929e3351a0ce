"""Sliding windows done as convolution (OverFeat): the course's 14×14×3 classifier, crop by crop or in one pass.

The classifier, with fully connected layers (``window_classifier_fc``)::

    14×14×3 ─conv 5×5, 16─▶ 10×10×16 ─max-pool 2×2, s 2─▶ 5×5×16 ─FC 400─▶ FC 400 ─▶ softmax 4

and the same weights with every FC layer turned into a convolution
(``window_classifier_conv``): FC 400 on the 5×5×16 volume is a 5×5 conv
with 400 filters (its output is 1×1×400), and the next FC layers are 1×1
convs. The converted network accepts any input size. On a 16×16×3 image it
gives a 2×2×4 output, on 28×28×3 an 8×8×4 one: each output cell is the
classifier's answer for one 14×14 window, the windows 2 pixels apart (the
max-pool's stride), computed in one pass that shares the work of
overlapping windows.

Every size, parameter and multiplication count comes from
:mod:`playground.conv_shape` and :mod:`playground.conv_arithmetic`.

Examples
--------
>>> window_grid(16), window_grid(28)
(2, 8)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from playground import runtime
from playground.anchor_boxes.scenes import CLASS_NAMES, SceneObject, random_colour, render
from playground.conv_arithmetic import conv_macs, conv_params, dense_params
from playground.conv_shape import conv_output_size

CROP = 14  # the classifier's input is CROP × CROP × 3
WINDOW_CLASSES = ("background",) + CLASS_NAMES  # 4 outputs, like the course's pedestrian, car, motorcycle, background
FC_MODEL = "window_classifier_fc"  # manifest names
CONV_MODEL = "window_classifier_conv"
OBJECT_SCALE_PX = (7.0, 11.0)  # √(w·h) of the objects the classifier was trained to recognise
WINDOW_SIZES = (16, 48)  # the page's image sizes, 16 … 48 pixels (at most 18 × 18 = 324 crops in the loop)


@dataclass(frozen=True)
class Layer:
    """One layer of the classifier: kind "conv", "pool", "fc" or "softmax", f×f window, stride, outputs."""

    name: str
    kind: str
    f: int = 1
    s: int = 1
    units: int = 0  # filters of a conv, units of an FC layer, classes of the softmax


FC_LAYERS = (Layer("conv1", "conv", 5, 1, 16), Layer("pool1", "pool", 2, 2),
             Layer("fc1", "fc", units=400), Layer("fc2", "fc", units=400), Layer("fc3", "fc", units=4),
             Layer("softmax", "softmax", units=4))
CONV_LAYERS = (Layer("conv1", "conv", 5, 1, 16), Layer("pool1", "pool", 2, 2),
               Layer("fc1 as conv", "conv", 5, 1, 400), Layer("fc2 as conv", "conv", 1, 1, 400),
               Layer("fc3 as conv", "conv", 1, 1, 4), Layer("softmax", "softmax", units=4))


@dataclass(frozen=True)
class LayerShape:
    """A layer's output (h, w, c), its weights and biases, and its multiplications (bias excluded)."""

    layer: Layer
    out: tuple[int, int, int]
    params: int
    macs: int


def layer_shapes(n_h: int, n_w: int, fully_connected: bool) -> list[LayerShape]:
    """Shapes, parameters and multiplications of the FC classifier (on 14×14 only) or the converted one (any size).

    Parameters
    ----------
    n_h, n_w : int
        Input height and width (14 for the FC version, which cannot take anything else).
    fully_connected : bool
        The FC version (flattens after the pool) or the all-convolutional one.

    Returns
    -------
    list of LayerShape, input to output
    """
    if fully_connected and (n_h, n_w) != (CROP, CROP):
        raise ValueError(f"the fully connected classifier takes {CROP}×{CROP}×3 crops only, not {n_h}×{n_w}")
    h, w, c = n_h, n_w, 3
    out = []
    for layer in (FC_LAYERS if fully_connected else CONV_LAYERS):
        if layer.kind == "conv":
            h, w = conv_output_size(h, layer.f, 0, layer.s), conv_output_size(w, layer.f, 0, layer.s)
            params, macs = conv_params(layer.f, c, layer.units), conv_macs(h, w, layer.f, c, layer.units)
            c = layer.units
        elif layer.kind == "pool":
            h, w = conv_output_size(h, layer.f, 0, layer.s), conv_output_size(w, layer.f, 0, layer.s)
            params, macs = 0, 0  # a max-pool compares, it does not multiply
        elif layer.kind == "fc":
            inputs = h * w * c
            params, macs = dense_params(inputs, layer.units), inputs * layer.units
            h, w, c = 1, 1, layer.units
        else:
            params, macs = 0, 0
        out.append(LayerShape(layer, (h, w, c), params, macs))
    return out


def window_grid(n: int) -> int:
    """Windows along one side of an n-pixel image: the converted classifier's output size."""
    return layer_shapes(n, n, fully_connected=False)[-1].out[0]


def window_stride() -> int:
    """Pixels between neighbouring windows: the product of the layers' strides (the max-pool's 2)."""
    return int(np.prod([layer.s for layer in CONV_LAYERS]))


def window_origins(n: int) -> np.ndarray:
    """Top (or left) pixel of each window along one side, (window_grid(n),)."""
    return np.arange(window_grid(n)) * window_stride()


def crop_macs(n: int) -> int:
    """Multiplications of classifying every window of an n×n image one crop at a time."""
    per_crop = sum(s.macs for s in layer_shapes(CROP, CROP, fully_connected=True))
    return window_grid(n) ** 2 * per_crop


def one_pass_macs(n: int) -> int:
    """Multiplications of the converted classifier on the whole n×n image at once."""
    return sum(s.macs for s in layer_shapes(n, n, fully_connected=False))


def crops(image: np.ndarray) -> np.ndarray:
    """Every 14×14 window of an (n, n, 3) image, (G, G, 3, 14, 14) float32, window (i, j) at (2i, 2j)."""
    n = image.shape[0]
    origins = window_origins(n)
    chw = np.asarray(image, np.float32).transpose(2, 0, 1)
    return np.stack([np.stack([chw[:, r:r + CROP, c:c + CROP] for c in origins]) for r in origins])


@dataclass(frozen=True)
class WindowRun:
    """Class probabilities of every window, (G, G, 4), and the wall time it took."""

    probs: np.ndarray
    seconds: float
    calls: int  # ONNX Runtime calls made


def _check(image) -> np.ndarray:
    array = np.asarray(image, np.float32)
    if array.ndim != 3 or array.shape[2] != 3 or array.shape[0] != array.shape[1] or array.shape[0] < CROP:
        raise ValueError(f"the image must be square (n, n, 3) with n ≥ {CROP}, got {array.shape}")
    return array


def classify_crop_by_crop(image, provider: str = "auto") -> WindowRun:
    """The sliding window done literally: cut each 14×14 crop, run the FC classifier on it, one call per crop."""
    array = _check(image)
    start = time.perf_counter()
    windows = crops(array)  # (G, G, 3, 14, 14)
    g = windows.shape[0]
    probs = np.empty((g, g, len(WINDOW_CLASSES)), np.float32)
    for i in range(g):
        for j in range(g):
            probs[i, j] = runtime.run(FC_MODEL, {"crop": windows[i, j][None]}, provider=provider)["probs"][0]
    return WindowRun(probs, time.perf_counter() - start, g * g)


def classify_one_pass(image, provider: str = "auto") -> WindowRun:
    """The converted classifier on the whole image in one call: every window's answer at once."""
    array = _check(image)
    start = time.perf_counter()
    out = runtime.run(CONV_MODEL, {"image": array.transpose(2, 0, 1)[None].copy()}, provider=provider)["probs"]
    return WindowRun(out[0].transpose(1, 2, 0), time.perf_counter() - start, 1)  # (4, G, G) → (G, G, 4)


def window_objects(seed: int, n: int, count: int | None = None) -> list[SceneObject]:
    """Small objects (7–11 px) for an n×n sliding-window image, apart from each other, drawn from ``seed``."""
    rng = np.random.default_rng([19, seed, n])
    count = max(1, round(n * n / 260)) if count is None else count
    objects: list[SceneObject] = []
    for _ in range(count):
        for _ in range(200):
            scale = np.exp(rng.uniform(*np.log(OBJECT_SCALE_PX)))
            aspect = np.exp(rng.uniform(np.log(0.6), np.log(1 / 0.6)))
            w, h = scale * np.sqrt(aspect), scale / np.sqrt(aspect)
            x, y = rng.uniform(w / 2 + 1, n - w / 2 - 1), rng.uniform(h / 2 + 1, n - h / 2 - 1)
            if all(abs(x - o.x) > (w + o.w) / 2 + 2 or abs(y - o.y) > (h + o.h) / 2 + 2 for o in objects):
                break
        cls = int(rng.integers(len(CLASS_NAMES)))
        objects.append(SceneObject(cls, float(x), float(y), float(w), float(h), random_colour(rng), int(rng.integers(4)),
                                   float(rng.uniform(0.2, 0.8))))
    return objects


def window_image(seed: int, n: int) -> np.ndarray:
    """The sliding-window demo image: small shapes on an n×n canvas, (n, n, 3) float32 in 0–1."""
    if not WINDOW_SIZES[0] <= n <= WINDOW_SIZES[1]:
        raise ValueError(f"the image side must be {WINDOW_SIZES[0]} … {WINDOW_SIZES[1]} pixels, not {n}")
    return render(window_objects(seed, n), n, seed).image
