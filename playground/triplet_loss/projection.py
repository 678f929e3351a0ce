"""Principal component analysis, to draw d-dimensional encodings on a 2-D or 3-D chart."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pca:
    """The mean and the first principal directions of a set of encodings."""

    mean: np.ndarray  # (d,)
    components: np.ndarray  # (k, d) orthonormal rows, largest variance first
    explained: np.ndarray  # (k,) fraction of the total variance along each direction

    def project(self, encodings) -> np.ndarray:
        """(N, d) encodings → (N, k) coordinates along the principal directions."""
        return (np.asarray(encodings, np.float64) - self.mean) @ self.components.T


def fit_pca(encodings, k: int = 2) -> Pca:
    """The k directions of largest variance of (N, d) encodings, by SVD of the centred data.

    Each direction's sign is fixed so that its largest-magnitude entry is
    positive, so the same data always gives the same picture (an SVD may flip
    any direction).
    """
    x = np.asarray(encodings, np.float64)
    if x.ndim != 2 or not 1 <= k <= min(x.shape):
        raise ValueError(f"need (N, d) encodings with k ≤ min(N, d); got shape {x.shape} and k = {k}")
    mean = x.mean(axis=0)
    _, singular, vt = np.linalg.svd(x - mean, full_matrices=False)
    components = vt[:k]
    signs = np.sign(components[np.arange(k), np.argmax(np.abs(components), axis=1)])
    components = components * signs[:, None]
    variance = singular ** 2
    total = variance.sum()
    explained = variance[:k] / total if total > 0 else np.zeros(k)
    return Pca(mean, components, explained)
