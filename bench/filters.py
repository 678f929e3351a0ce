"""The edge page's library calls on its biggest job, a 1024² RGB upload, against vectorised numpy.

``bench/conv2d_model.py`` times the raw model; these rows time what the page
calls (validation, dtype conversion and the model together).
"""

from __future__ import annotations

import numpy as np

from bench.core import Case
from playground import filters

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
    sobel = np.stack([filters.SOBEL_X, filters.SOBEL_Y])  # (2, 3, 3)
    volume = filters.volume_filter(filters.SOBEL_X, "all")  # (1, 3, 3, 3)
    out = SIDE * SIDE  # padding 1 keeps the size
    return [
        Case("filters.apply_kernel: 1024² grey, Sobel x, p=1",
             run=lambda: filters.apply_kernel(gray, filters.SOBEL_X, 1, provider="cpu"),
             reference=lambda: _numpy_correlate(gray[None], filters.SOBEL_X[None, None], 1),
             reference_name="numpy tensordot", flops=2.0 * out * 9),
        Case("filters.apply_kernels: 1024² grey, Sobel x+y in one call",
             run=lambda: filters.apply_kernels(gray, sobel, 1, provider="cpu"),
             reference=lambda: _numpy_correlate(gray[None], sobel[:, None], 1),
             reference_name="numpy tensordot", flops=2.0 * out * 9 * 2),
        Case("filters.conv2d: 1024² RGB volume, 3×3×3 filter",
             run=lambda: filters.conv2d(rgb[None], volume, None, 1, 1, provider="cpu"),
             reference=lambda: _numpy_correlate(rgb, volume, 1),
             reference_name="numpy tensordot", flops=2.0 * out * 27),
    ]
