"""Edge filters: the course's first picture of convolution, run through ONNX Runtime.

A 3×3 filter slides over an image; at each position the patch under it is
multiplied element-wise by the filter and summed. Deep learning calls this
"convolution", but it is cross-correlation: the kernel is not flipped. Every
filter here runs through the committed ``conv2d`` model, whose kernel is an
input, so any kernel works (see ``export/conv2d.py``).

Sign convention (the course's): the vertical kernel ``[[1, 0, -1]] * 3`` gives
a positive response where the image is light on the left and dark on the
right, and the horizontal kernel (its transpose) where it is light above and
dark below.

Examples
--------
>>> import numpy as np
>>> from playground import filters
>>> image = np.zeros((6, 6)); image[:, :3] = 10      # the course's 6×6 example
>>> filters.apply_kernel(image, filters.VERTICAL)     # doctest: +SKIP
array([[ 0., 30., 30.,  0.], ...], dtype=float32)
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

import numpy as np

from playground import runtime
from playground.arithmetic import Axis, ShapeError, conv_output_size
from playground.arrays import as_float32

MODEL = "conv2d"  # committed model: x (N,C,H,W), w (K,C,f,f), b (K,), pads (4,), strides (2,) -> y


def _constant(values) -> np.ndarray:
    """A read-only float32 kernel, so no caller can change a module constant by accident."""
    array = np.array(values, dtype=np.float32)
    array.setflags(write=False)
    return array


DERIVATIVE = _constant([1, 0, -1])  # central difference, light-to-dark positive (course sign)
SOBEL_SMOOTH = _constant([1, 2, 1])  # Sobel: the centre row counts twice
SCHARR_SMOOTH = _constant([3, 10, 3])  # Scharr: better rotational symmetry than Sobel

VERTICAL = _constant([[1, 0, -1]] * 3)  # course: finds vertical edges
HORIZONTAL = _constant(VERTICAL.T)  # course: finds horizontal edges
SOBEL_X = _constant(np.outer(SOBEL_SMOOTH, DERIVATIVE))  # [[1,0,-1],[2,0,-2],[1,0,-1]]
SOBEL_Y = _constant(np.outer(DERIVATIVE, SOBEL_SMOOTH))  # [[1,2,1],[0,0,0],[-1,-2,-1]]
SCHARR_X = _constant(np.outer(SCHARR_SMOOTH, DERIVATIVE))  # [[3,0,-3],[10,0,-10],[3,0,-3]]
SCHARR_Y = _constant(np.outer(DERIVATIVE, SCHARR_SMOOTH))

KERNELS: dict[str, np.ndarray] = {  # the page's named kernels, in the order it lists them
    "vertical": VERTICAL,
    "horizontal": HORIZONTAL,
    "sobel_x": SOBEL_X,
    "sobel_y": SOBEL_Y,
    "scharr_x": SCHARR_X,
    "scharr_y": SCHARR_Y,
}
MAX_CUSTOM_SIZE = 9  # largest f for a kernel typed on the page
MAX_CUSTOM_VALUE = 1e6  # |value| limit for typed kernels; keeps float32 sums finite
MAX_KERNEL_TEXT = 2000  # characters


# ---------------------------------------------------------------- the ONNX workhorse
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
        :func:`playground.arithmetic.conv_output_size`, the formula's one home).
    """
    h, w = image_shape
    return conv_output_size(h, f, padding, stride), conv_output_size(w, f, padding, stride)


# ---------------------------------------------------------------- kernels
def flip_kernel(kernel) -> np.ndarray:
    """The kernel rotated by 180°: true convolution is cross-correlation with this.

    (f, f) -> (f, f). For the antisymmetric edge kernels this only flips the sign.
    """
    return np.ascontiguousarray(np.asarray(kernel)[::-1, ::-1])


def angle_kernel(theta_deg: float, x_kernel=SOBEL_X, y_kernel=SOBEL_Y) -> np.ndarray:
    """A 3×3 kernel that finds edges running at angle θ, steered from Sobel x and y.

    Parameters
    ----------
    theta_deg : float
        Direction of the edge line, counter-clockwise from horizontal as on
        paper (y up): 0° a horizontal edge, 90° a vertical one, 45° an edge like
        "/". The response is positive where the light side is on the left as
        you walk along the edge in direction θ (at 90°, light on the left and
        dark on the right, as the course's vertical kernel).
    x_kernel, y_kernel : (f, f)
        The pair to steer (Sobel by default; Scharr works the same way).

    Returns
    -------
    numpy.ndarray, shape (f, f), float32
        ``sin θ · x_kernel + cos θ · y_kernel``.

    Notes
    -----
    Derivative filters are steerable (Freeman & Adelson, 1991): the
    derivative across any direction is a weighted sum of the x and y
    derivatives, so a pixel's response to this kernel is
    ``sin θ · Gx + cos θ · Gy``; it is largest, equal to the gradient
    magnitude √(Gx² + Gy²), at the θ that :func:`edge_direction` returns.
    """
    theta = np.deg2rad(theta_deg)
    return (np.sin(theta) * np.asarray(x_kernel, np.float64)
            + np.cos(theta) * np.asarray(y_kernel, np.float64)).astype(np.float32)


def gradient_magnitude(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """√(Gx² + Gy²), elementwise; same shape as the inputs."""
    return np.hypot(gx, gy)


def edge_direction(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """The edge's direction θ in degrees [0, 360), in :func:`angle_kernel`'s convention.

    ``θ = atan2(Gx, Gy)``: the angle whose steered kernel responds most strongly,
    i.e. the edge line's direction with the light side on the left.
    """
    return np.mod(np.degrees(np.arctan2(gx, gy)), 360.0)


VOLUME_CHANNELS = ("all", "r", "g", "b")  # the kernel on every channel, or on one only


def volume_filter(kernel, channels: str = "all") -> np.ndarray:
    """One f×f×3 filter for an RGB volume, as conv2d's weights.

    Parameters
    ----------
    kernel : (f, f)
    channels : {"all", "r", "g", "b"}
        "all" puts the kernel on every channel; "r" puts it on R and zeros on G
        and B, so the filter looks only at the red channel; likewise "g", "b".

    Returns
    -------
    numpy.ndarray, shape (1, 3, f, f), float32
        K = 1 filter: convolving an (N, 3, H, W) volume with it gives ONE map.
    """
    kernel = np.asarray(kernel, np.float32)
    if channels not in VOLUME_CHANNELS:
        raise ValueError(f"channels must be one of {VOLUME_CHANNELS}, not {channels!r}")
    mask = np.ones(3, np.float32) if channels == "all" else (np.arange(3) == "rgb".index(channels)).astype(np.float32)
    return (mask[:, None, None] * kernel)[None]


# ---------------------------------------------------------------- typed kernels
class KernelTextError(ValueError):
    """A typed kernel that cannot be used; the message names the row and the problem."""


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SEPARATOR = re.compile(r"\s*,\s*|\s+")


def _parse_number(token: str, row: int) -> float:
    """A decimal number or a fraction a/b (e.g. 1/9); never eval."""
    parts = token.split("/")
    if len(parts) > 2 or not all(_NUMBER.fullmatch(p) for p in parts):
        raise KernelTextError(f"Row {row}: '{token[:20]}' is not a number (use e.g. 2, -0.5, 1e-3 or 1/9).")
    value = float(parts[0])
    if len(parts) == 2:
        if float(parts[1]) == 0:
            raise KernelTextError(f"Row {row}: '{token[:20]}' divides by zero.")
        value /= float(parts[1])
    if not np.isfinite(value) or abs(value) > MAX_CUSTOM_VALUE:
        raise KernelTextError(f"Row {row}: '{token[:20]}' is outside ±{MAX_CUSTOM_VALUE:,.0f}.")
    return value


def parse_kernel(text: str, max_size: int = MAX_CUSTOM_SIZE) -> np.ndarray:
    """Read a square kernel typed as text: one row per line (or rows separated by ';').

    Numbers are separated by spaces or commas; fractions like ``1/9`` and the
    minus sign "−" are accepted. Nothing is evaluated.

    Parameters
    ----------
    text : str
        E.g. ``"1 0 -1\\n2 0 -2\\n1 0 -1"`` or ``"1,0,-1;2,0,-2;1,0,-1"``.
    max_size : int
        Largest f allowed.

    Returns
    -------
    numpy.ndarray, shape (f, f), float32

    Raises
    ------
    KernelTextError
        Naming the row and what is wrong with it.
    """
    if len(text) > MAX_KERNEL_TEXT:
        raise KernelTextError(f"The kernel text is {len(text)} characters; the limit is {MAX_KERNEL_TEXT}.")
    text = text.replace("\u2212", "-")  # the page shows kernels with a typographic minus
    lines = [line.strip() for line in re.split(r"[;\n]", text)]
    lines = [line for line in lines if line]
    if not lines:
        raise KernelTextError("The kernel is empty: type one row of numbers per line, e.g. 1 0 -1.")
    if len(lines) > max_size:
        raise KernelTextError(f"The kernel has {len(lines)} rows; at most {max_size}×{max_size} is allowed.")
    rows = []
    for r, line in enumerate(lines, start=1):
        tokens = _SEPARATOR.split(line)
        if "" in tokens:
            raise KernelTextError(f"Row {r}: an empty value (two commas in a row, or a comma at an end).")
        rows.append([_parse_number(t, r) for t in tokens])
    size = len(rows)
    for r, row in enumerate(rows, start=1):
        if len(row) != size:
            raise KernelTextError(
                f"Row {r} has {len(row)} number{'s' * (len(row) != 1)}, but the kernel must be square: "
                f"{size} rows need {size} numbers each.")
    return np.array(rows, dtype=np.float32)


def _shortest(value: np.float32) -> str:
    """The shortest decimal that reads back as the same float32 (e.g. 0.11111111 for 1/9)."""
    if value == 0 or 1e-4 <= abs(value) < 1e16:
        return np.format_float_positional(value, trim="-")
    return np.format_float_scientific(value, trim="-")


def format_kernel(kernel) -> str:
    """The compact link form of a kernel, e.g. ``1,0,-1;2,0,-2;1,0,-1``.

    :func:`parse_kernel` reads it back to exactly the same float32 kernel, so a
    link reproduces every output bit for bit (a typed 1/9 becomes 0.11111111).
    """
    return ";".join(",".join(_shortest(v) for v in row) for row in np.asarray(kernel, np.float32))


# ---------------------------------------------------------------- the course's example and the picker
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


# ---------------------------------------------------------------- check yourself
EXERCISE_KERNELS = ("vertical", "horizontal", "sobel_x", "sobel_y")


@dataclass(frozen=True)
class Exercise:
    """Predict one output value: a 3×3 patch under a named kernel."""

    patch: np.ndarray  # (3, 3) small whole numbers
    kernel_name: str
    kernel: np.ndarray  # (3, 3)


def exercise(seed: int) -> Exercise:
    """A reproducible question from its seed (the seed lives in the page's link)."""
    rng = np.random.default_rng(seed)
    name = EXERCISE_KERNELS[int(rng.integers(len(EXERCISE_KERNELS)))]
    patch = rng.integers(0, 10, size=(3, 3)).astype(np.float32)
    return Exercise(patch, name, KERNELS[name])
