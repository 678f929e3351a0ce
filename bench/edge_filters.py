"""Edge filters on their biggest job, a 1024² RGB upload: the raw conv2d model and the library calls, against numpy.

The first row times the committed model alone (kernel as an input); the others
time what the page calls (validation, dtype conversion and the model together).
"""

from __future__ import annotations

import numpy as np

from bench.core import Case
from playground import edge_filters, runtime

SIDE = 1024


def _numpy_correlate(x: np.ndarray, w: np.ndarray, padding: int) -> np.ndarray:
    """Vectorised reference: zero-pad, sliding windows, one tensordot. x (C, H, W), w (K, C, f, f) -> (K, H', W')."""
    f = w.shape[-1]
    padded = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (f, f), axis=(1, 2))  # (C, H', W', f, f)
    return np.tensordot(w, windows, axes=([1, 2, 3], [0, 3, 4]))


def cases() -> list[Case]:
    rng = np.random.default_rng(0)
    rgb = (rng.random((3, SIDE, SIDE)) * 255).astype(np.float32)  # (C, H, W) pixel values
    gray = rgb.mean(axis=0)
    sobel = np.stack([edge_filters.SOBEL_X, edge_filters.SOBEL_Y])  # (2, 3, 3)
    volume = edge_filters.volume_filter(edge_filters.SOBEL_X, "all")  # (1, 3, 3, 3)
    out = SIDE * SIDE  # padding 1 keeps the size
    x, w = rgb[None] / 255, np.random.default_rng(1).standard_normal((2, 3, 3, 3)).astype(np.float32)
    feeds = {"x": x, "w": w, "b": np.zeros(2, np.float32), "pads": np.zeros(4, np.int64),
             "strides": np.ones(2, np.int64)}
    return [
        Case("conv2d model: 1024² RGB, two 3×3 filters (Sobel x/y)",
             run=lambda: runtime.run(edge_filters.MODEL, feeds, provider="cpu"),
             reference=lambda: _numpy_correlate(x[0], w, 0), reference_name="numpy tensordot",
             flops=2.0 * (SIDE - 2) ** 2 * 2 * 3 * 9),
        Case("edge_filters.apply_kernel: 1024² grey, Sobel x, p=1",
             run=lambda: edge_filters.apply_kernel(gray, edge_filters.SOBEL_X, 1, provider="cpu"),
             reference=lambda: _numpy_correlate(gray[None], edge_filters.SOBEL_X[None, None], 1),
             reference_name="numpy tensordot", flops=2.0 * out * 9),
        Case("edge_filters.apply_kernels: 1024² grey, Sobel x+y in one call",
             run=lambda: edge_filters.apply_kernels(gray, sobel, 1, provider="cpu"),
             reference=lambda: _numpy_correlate(gray[None], sobel[:, None], 1),
             reference_name="numpy tensordot", flops=2.0 * out * 9 * 2),
        Case("edge_filters.conv2d: 1024² RGB volume, 3×3×3 filter",
             run=lambda: edge_filters.conv2d(rgb[None], volume, None, 1, 1, provider="cpu"),
             reference=lambda: _numpy_correlate(rgb, volume, 1),
             reference_name="numpy tensordot", flops=2.0 * out * 27),
    ]
