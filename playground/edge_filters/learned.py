"""Filters nobody typed: the first layer of the playground's trained networks.

The depth experiment (``python -m export depth_experiment``) trains small CNNs
on scikit-learn's 8×8 digits with backprop. Their first convolution reads the
grey image directly, so its 3×3 kernels can sit next to the hand-made edge
kernels of :mod:`playground.edge_filters.kernels`: same shape, values found
by gradient descent instead of by Sobel or Scharr.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import onnx
from onnx import numpy_helper

from playground.manifest import model_path

# The depth experiment's nets (export/depth_experiment.py), by depth, residual first: the page's choices.
NETWORKS = tuple(f"depth_{kind}_{depth}" for depth in (8, 20, 56) for kind in ("residual", "plain"))
DEFAULT_MODEL = "depth_residual_20"


@lru_cache(maxsize=8)
def _first_layer(name: str) -> tuple[np.ndarray, np.ndarray]:
    model = onnx.load(model_path(name))
    weights = {init.name: init for init in model.graph.initializer}
    image_input = model.graph.input[0].name
    conv = next((n for n in model.graph.node if n.op_type == "Conv" and n.input[0] == image_input), None)
    if conv is None:
        raise ValueError(f"{name}: no convolution reads the input {image_input!r} directly")
    w = numpy_helper.to_array(weights[conv.input[1]]).astype(np.float32)
    k = w.shape[0]
    b = numpy_helper.to_array(weights[conv.input[2]]).astype(np.float32) if len(conv.input) > 2 else np.zeros(k, np.float32)
    w.setflags(write=False)
    b.setflags(write=False)
    return w, b


def first_layer(name: str = DEFAULT_MODEL) -> tuple[np.ndarray, np.ndarray]:
    """Weights and bias of the convolution that reads a trained model's input image.

    Parameters
    ----------
    name : str
        A committed model from the manifest, e.g. ``"depth_residual_20"``.

    Returns
    -------
    w : numpy.ndarray
        (K, C, f, f) float32, read-only. For the depth models K = 16, C = 1, f = 3,
        with batch normalisation folded in by the export.
    b : numpy.ndarray
        (K,) float32, read-only.
    """
    return _first_layer(name)


def learned_kernels(name: str = DEFAULT_MODEL) -> np.ndarray:
    """The first layer's kernels for a one-channel (grey) input: (K, f, f) float32."""
    w, _ = first_layer(name)
    if w.shape[1] != 1:
        raise ValueError(f"{name}: the first layer reads {w.shape[1]} channels, not one grey channel")
    return w[:, 0]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """cos of the angle between two kernels seen as vectors: 1 same pattern, −1 same pattern with signs flipped."""
    a64, b64 = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    norm = np.linalg.norm(a64) * np.linalg.norm(b64)
    return 0.0 if norm == 0 else float(a64 @ b64 / norm)


def closest_kernel(kernel: np.ndarray, named: dict[str, np.ndarray]) -> tuple[str, float]:
    """The named kernel of the same shape whose pattern is closest to ``kernel``, by |cosine|.

    Returns
    -------
    (name, cosine)
        A negative cosine means the same edge with light and dark swapped.
    """
    scores = {name: cosine(kernel, k) for name, k in named.items() if np.shape(k) == np.shape(kernel)}
    if not scores:
        raise ValueError(f"no named kernel has the shape {np.shape(kernel)}")
    best = max(scores, key=lambda name: abs(scores[name]))
    return best, scores[best]
