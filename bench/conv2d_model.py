"""The conv2d model (kernel as an input) against numpy on the edge page's biggest job."""

from __future__ import annotations

import numpy as np

from bench.core import Case
from playground import runtime


def _numpy_conv(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Vectorised numpy reference: sliding windows and one einsum. x (1,C,H,W), w (K,C,f,f)."""
    f = w.shape[-1]
    windows = np.lib.stride_tricks.sliding_window_view(x, (f, f), axis=(2, 3))
    return np.einsum("nchwij,kcij->nkhw", windows, w, optimize=True)


def cases() -> list[Case]:
    rng = np.random.default_rng(0)
    x = rng.random((1, 3, 1024, 1024), dtype=np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    feeds = {"x": x, "w": w, "b": np.zeros(2, np.float32), "pads": np.zeros(4, np.int64),
             "strides": np.ones(2, np.int64)}
    out = 1022 * 1022 * 2
    return [Case("conv2d model: 1024² RGB, two 3×3 filters (Sobel x/y)",
                 run=lambda: runtime.run("conv2d", feeds, provider="cpu"),
                 reference=lambda: _numpy_conv(x, w), reference_name="numpy einsum",
                 flops=2.0 * out * 3 * 9)]
