"""Edge filters: the course's first picture of convolution, run through ONNX Runtime.

A 3×3 filter slides over an image; at each position the patch under it is
multiplied element-wise by the filter and summed. Deep learning calls this
"convolution", but it is cross-correlation: the kernel is not flipped. Every
filter here runs through the committed ``conv2d`` model, whose kernel is an
input, so any kernel works (see ``export/conv2d.py``).

Examples
--------
>>> import numpy as np
>>> from playground.edge_filters import VERTICAL, apply_kernel
>>> image = np.zeros((6, 6)); image[:, :3] = 10      # the course's 6×6 example
>>> apply_kernel(image, VERTICAL)                     # doctest: +SKIP
array([[ 0., 30., 30.,  0.], ...], dtype=float32)
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from playground import runtime
from playground.arrays import as_float32
from playground.conv_shape import Axis, ShapeError, conv_output_size

MODEL = "conv2d"  # committed model: x (N,C,H,W), w (K,C,f,f), b (K,), pads (4,), strides (2,) -> y


def _int_pair(value, name: str, low: int) -> tuple[int, int]:
    """An int or a pair of ints, each at least ``low``, as a pair."""
    items = (value, value) if np.ndim(value) == 0 else tuple(np.asarray(value).ravel())
    if len(items) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, not {value!r}")
    try:
        pair = tuple(operator.index(v) for v in items)
    except TypeError:
        raise ValueError(f"{name} must be whole numbers, not {value!r}") from None
    if min(pair) < low:
        raise ValueError(f"{name} must be at least {low}, not {value!r}")
    return pair


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, pads: tuple[int, int, int, int],
          strides: tuple[int, int], provider: str) -> np.ndarray:
    """Run the committed model; inputs already validated float32/int64."""
    feeds = {"x": x, "w": w, "b": b, "pads": np.array(pads, np.int64),
             "strides": np.array(strides, np.int64)}
    return runtime.run(MODEL, feeds, provider=provider)["y"]


def conv2d(x, w, b=None, stride=1, padding=0, *, provider: str = "auto") -> np.ndarray:
    """A convolutional layer's linear part: cross-correlate a volume with K filters, add biases.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        N images with C channels (any real dtype).
    w : array_like, shape (K, C, f, f)
        K filters, each spanning all C channels; f may be odd or even.
    b : array_like, shape (K,), optional
        One bias per filter; zeros when omitted.
    stride : int or (int, int)
        Step s ≥ 1 between positions (rows, columns).
    padding : int or (int, int)
        Zeros p ≥ 0 added on every side (top and bottom, left and right).
    provider : {"auto", "cuda", "cpu"}
        ONNX Runtime execution provider.

    Returns
    -------
    numpy.ndarray, shape (N, K, H', W'), float32
        H' = ⌊(H + 2p − f)/s⌋ + 1, and likewise W'.

    Raises
    ------
    ValueError
        Wrong number of dimensions, a non-square or empty filter, channel
        counts that differ, NaN or infinite values, negative padding, stride
        below 1, or a filter larger than the padded image.

    Notes
    -----
    ``y[n, k, i, j] = b[k] + Σ_c Σ_u Σ_v x_pad[n, c, i·s + u, j·s + v] · w[k, c, u, v]``
    (cross-correlation, as in deep learning). Computed in float32 by ONNX Runtime
    (the ``conv2d`` model), so results carry float32 rounding.
    """
    x = as_float32(x, "x")
    w = as_float32(w, "w")
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"x must be (N, C, H, W) and w (K, C, f, f); got x {x.shape}, w {w.shape}")
    if min(x.shape) < 1 or min(w.shape) < 1:
        raise ValueError(f"x {x.shape} and w {w.shape} must have no empty dimension")
    if w.shape[2] != w.shape[3]:
        raise ValueError(f"filters must be square f×f, got {w.shape[2]}×{w.shape[3]}")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"w has {w.shape[1]} channels but x has {x.shape[1]}: a filter spans every channel")
    k = w.shape[0]
    b = np.zeros(k, np.float32) if b is None else as_float32(b, "b")
    if b.shape != (k,):
        raise ValueError(f"b must have shape ({k},) for {k} filters, got {b.shape}")
    sh, sw = _int_pair(stride, "stride", 1)
    ph, pw = _int_pair(padding, "padding", 0)
    f = w.shape[2]
    try:  # the output-size formula's one home checks that the filter fits
        conv_output_size(x.shape[2], f, ph, sh), conv_output_size(x.shape[3], f, pw, sw)
    except ShapeError:
        raise ValueError(f"the {f}×{f} filter is larger than the padded image "
                         f"({x.shape[2] + 2 * ph}×{x.shape[3] + 2 * pw})") from None
    return _conv(x, w, b, (ph, pw, ph, pw), (sh, sw), provider)


def apply_kernel(image, kernel, padding=0, stride=1, *, provider: str = "auto") -> np.ndarray:
    """Slide one f×f kernel over a greyscale image (cross-correlation, zero padding).

    Parameters
    ----------
    image : array_like, shape (H, W)
        Any real dtype.
    kernel : array_like, shape (f, f)
    padding : int or (int, int)
        Zeros p ≥ 0 on every side.
    stride : int or (int, int)
        Step s ≥ 1.
    provider : {"auto", "cuda", "cpu"}

    Returns
    -------
    numpy.ndarray, shape (H', W'), float32
        ``out[i, j] = Σ_u Σ_v image_pad[i·s + u, j·s + v] · kernel[u, v]``,
        H' = ⌊(H + 2p − f)/s⌋ + 1.

    Examples
    --------
    >>> image = np.zeros((6, 6)); image[:, :3] = 10
    >>> apply_kernel(image, VERTICAL)[0]                 # doctest: +SKIP
    array([ 0., 30., 30.,  0.], dtype=float32)
    """
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W), got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (f, f), got shape {kernel.shape}")
    return conv2d(image[None, None], kernel[None, None], None, stride, padding, provider=provider)[0, 0]


def apply_kernels(image, kernels, padding=0, stride=1, *, provider: str = "auto") -> np.ndarray:
    """Several f×f kernels over one greyscale image in ONE model call.

    image (H, W), kernels (K, f, f) -> (K, H', W') float32.
    """
    kernels = np.asarray(kernels)
    if np.asarray(image).ndim != 2 or kernels.ndim != 3:
        raise ValueError("image must be (H, W) and kernels (K, f, f)")
    return conv2d(np.asarray(image)[None, None], kernels[:, None], None, stride, padding,
                  provider=provider)[0]


def output_shape(image_shape: tuple[int, int], f: int, padding: int = 0, stride: int = 1) -> tuple[int, int]:
    """(H', W') of :func:`apply_kernel` without running it.

    Raises
    ------
    ValueError
        When the f×f kernel is larger than the padded image (from
        :func:`playground.conv_shape.conv_output_size`, the formula's one home).
    """
    h, w = image_shape
    return conv_output_size(h, f, padding, stride), conv_output_size(w, f, padding, stride)


COURSE_SIDE = 6  # the course's example image is 6×6


def course_example(dark_to_light: bool = False) -> np.ndarray:
    """The course's 6×6 image: left half 10s, right half 0s (or mirrored), float32 (6, 6)."""
    image = np.zeros((COURSE_SIDE, COURSE_SIDE), np.float32)
    half = COURSE_SIDE // 2
    image[:, slice(half, None) if dark_to_light else slice(None, half)] = 10
    return image


@dataclass(frozen=True)
class Patch:
    """The window under the kernel for one output cell."""

    top: int  # row of the window's first cell in the padded image
    left: int
    values: np.ndarray  # (f, f) from the padded image
    products: np.ndarray  # (f, f) values ⊙ kernel


def patch_at(image: np.ndarray, kernel: np.ndarray, i: int, j: int, padding: int = 0, stride: int = 1) -> Patch:
    """The patch that output cell (i, j) sees, and its element-wise products with the kernel.

    image (H, W), kernel (f, f); (i, j) indexes the (H', W') output. Raises
    ShapeError (a ValueError) for a cell outside the output.
    """
    image = np.asarray(image, np.float64)
    f = kernel.shape[0]
    rows = Axis(image.shape[0], f, stride, pad_before=padding, pad_after=padding).taps(i)  # (f,) padded indices
    cols = Axis(image.shape[1], f, stride, pad_before=padding, pad_after=padding).taps(j)
    values = np.pad(image, padding)[np.ix_(rows, cols)]
    return Patch(int(rows[0]), int(cols[0]), values, values * np.asarray(kernel, np.float64))
