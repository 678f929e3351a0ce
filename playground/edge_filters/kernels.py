"""The edge filters' kernels: named constants built from separable parts, steering, flipping.

Sign convention (the course's): the vertical kernel ``[[1, 0, -1]] * 3`` gives
a positive response where the image is light on the left and dark on the
right, and the horizontal kernel (its transpose) where it is light above and
dark below. Sobel and Scharr are outer products of a smoothing vector and the
central difference, written out beside each constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


def strongest_response(kernel, pixel_max: float = 255.0) -> float:
    """The largest |response| ``kernel`` (any shape) can give on pixels in [0, pixel_max].

    ``pixel_max × max(Σ w⁺, Σ |w⁻|)``: every positive weight on ``pixel_max`` and every
    negative one on 0 (or the reverse). 765 for Sobel on 0–255 pixels.
    """
    w = np.asarray(kernel, np.float64)
    return float(pixel_max * max(w[w > 0].sum(), -w[w < 0].sum(), 0.0))


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
