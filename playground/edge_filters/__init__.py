"""Edge filters: a small kernel slides over an image and finds edges, on ONNX Runtime.

The public API of the concept (page ``pages/edge_filters.py``):

- :func:`apply_kernel`, :func:`apply_kernels` and :func:`conv2d`, on the
  committed ``conv2d`` model (:mod:`.conv`), with the course's 6×6 example and
  the patch under any output cell;
- the named kernels, steering, flipping and RGB volumes (:mod:`.kernels`);
- typed kernels and their link form (:mod:`.kernel_text`);
- sample photos and drawn patterns (:mod:`.samples`);
- the first-layer filters of the trained digit networks (:mod:`.learned`);
- :func:`warm`, which loads what the page reads, for a server about to open.

Examples
--------
>>> import numpy as np
>>> from playground.edge_filters import VERTICAL, apply_kernel
>>> image = np.zeros((6, 6)); image[:, :3] = 10
>>> apply_kernel(image, VERTICAL)[0]                 # doctest: +SKIP
array([ 0., 30., 30.,  0.], dtype=float32)
"""

from playground.edge_filters import learned, samples
from playground.edge_filters.conv import (
    COURSE_SIDE,
    MODEL,
    Patch,
    apply_kernel,
    apply_kernels,
    conv2d,
    course_example,
    output_shape,
    patch_at,
)
from playground.edge_filters.kernel_text import (
    MAX_CUSTOM_SIZE,
    MAX_CUSTOM_VALUE,
    MAX_KERNEL_TEXT,
    KernelTextError,
    format_kernel,
    parse_kernel,
)
from playground.edge_filters.kernels import (
    DERIVATIVE,
    EXERCISE_KERNELS,
    HORIZONTAL,
    KERNELS,
    SCHARR_SMOOTH,
    SCHARR_X,
    SCHARR_Y,
    SOBEL_SMOOTH,
    SOBEL_X,
    SOBEL_Y,
    VERTICAL,
    VOLUME_CHANNELS,
    Exercise,
    angle_kernel,
    edge_direction,
    exercise,
    flip_kernel,
    gradient_magnitude,
    strongest_response,
    volume_filter,
)

__all__ = [
    "COURSE_SIDE", "DERIVATIVE", "EXERCISE_KERNELS", "HORIZONTAL", "KERNELS", "MAX_CUSTOM_SIZE",
    "MAX_CUSTOM_VALUE", "MAX_KERNEL_TEXT", "MODEL", "SCHARR_SMOOTH", "SCHARR_X", "SCHARR_Y", "SOBEL_SMOOTH",
    "SOBEL_X", "SOBEL_Y", "VERTICAL", "VOLUME_CHANNELS", "Exercise", "KernelTextError", "Patch", "angle_kernel",
    "apply_kernel", "apply_kernels", "conv2d", "course_example", "edge_direction", "exercise", "flip_kernel",
    "format_kernel", "gradient_magnitude", "output_shape", "parse_kernel", "patch_at", "strongest_response",
    "volume_filter", "warm",
]


def warm() -> None:
    """Decode the sample photos, draw the patterns and read the learned filters (all cached per process).

    A server calls this before its first visitor, who would otherwise wait for it.
    """
    for name in samples.SAMPLES:
        samples.sample_rgb(name)
    for name in samples.SYNTHETIC:
        samples.synthetic_rgb(name)
    for name in learned.NETWORKS:
        learned.first_layer(name)
