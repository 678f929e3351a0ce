"""The course's costs of neural style transfer, in numpy: Gram matrix, style, content, total variation, J.

Activations are one layer's output for one image, shaped (n_C, n_H, n_W) as
ONNX gives it (the course writes n_H × n_W × n_C; only the order differs).
The normalisations are the course's:

- J_content(C, G) = Σ (a^(C) − a^(G))² / (4 n_H n_W n_C);
- G_kk' = Σ_i Σ_j a_ijk a_ijk' (the Gram matrix, unnormalised, (n_C, n_C));
- J_style^[l](S, G) = Σ (G^(S) − G^(G))² / (4 n_C² (n_H n_W)²);
- J_style = Σ_l λ^[l] J_style^[l];  J = α J_content + β J_style (+ a total-variation term).

Gatys et al. write the content cost ½ Σ (F − P)², without the 1/(4 n_H n_W n_C):
that only multiplies J_content by a constant, 2 n_H n_W n_C, for a fixed layer
and image size, which α absorbs (α_Gatys = α / (2 n_H n_W n_C)). Their style
cost is the course's.

Examples
--------
>>> a = np.arange(8, dtype=float).reshape(2, 2, 2)
>>> gram_matrix(a)
array([[ 14.,  38.],
       [ 38., 126.]])
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def _activations(a, name: str) -> np.ndarray:
    a = np.asarray(a, np.float64)
    if a.ndim != 3:
        raise ValueError(f"{name} must be one layer's activations (n_C, n_H, n_W), not shape {a.shape}")
    return a


def gram_matrix(a) -> np.ndarray:
    """The Gram matrix of one layer's activations: how strongly each pair of channels fires together.

    Parameters
    ----------
    a : array_like, shape (n_C, n_H, n_W)

    Returns
    -------
    numpy.ndarray, shape (n_C, n_C), float64
        G_kk' = Σ_i Σ_j a_ijk a_ijk' (unnormalised; symmetric).
    """
    a = _activations(a, "a")
    f = a.reshape(a.shape[0], -1)  # (n_C, n_H n_W): one row per channel, "unrolled"
    return f @ f.T


def gram_cost(gram_s, gram_g, n_h: int, n_w: int) -> float:
    """Σ(G_S − G_G)² / (4 n_C² (n_H n_W)²) from two (n_C, n_C) Gram matrices of an n_H × n_W layer."""
    gram_s, gram_g = np.asarray(gram_s, np.float64), np.asarray(gram_g, np.float64)
    if gram_s.shape != gram_g.shape or gram_s.ndim != 2 or gram_s.shape[0] != gram_s.shape[1]:
        raise ValueError(f"Gram matrices must both be (n_C, n_C), not {gram_s.shape} and {gram_g.shape}")
    n_c, m = gram_s.shape[0], n_h * n_w
    return float(((gram_s - gram_g) ** 2).sum() / (4.0 * n_c ** 2 * m ** 2))


def layer_style_cost(a_S, a_G) -> float:
    """The style cost of one layer: Σ(G^(S) − G^(G))² / (4 n_C² (n_H n_W)²).

    Parameters
    ----------
    a_S, a_G : array_like, shape (n_C, n_H, n_W)
        The layer's activations for the style image S and the generated image G
        (same shape: the images have the same size).

    Returns
    -------
    float
    """
    a_S, a_G = _activations(a_S, "a_S"), _activations(a_G, "a_G")
    if a_S.shape != a_G.shape:
        raise ValueError(f"a_S and a_G must have the same shape, not {a_S.shape} and {a_G.shape}")
    return gram_cost(gram_matrix(a_S), gram_matrix(a_G), a_G.shape[1], a_G.shape[2])


def content_cost(a_C, a_G) -> float:
    """The content cost: Σ(a^(C) − a^(G))² / (4 n_H n_W n_C).

    Parameters
    ----------
    a_C, a_G : array_like, shape (n_C, n_H, n_W)
        The content layer's activations for the content image C and the generated image G.

    Returns
    -------
    float
    """
    a_C, a_G = _activations(a_C, "a_C"), _activations(a_G, "a_G")
    if a_C.shape != a_G.shape:
        raise ValueError(f"a_C and a_G must have the same shape, not {a_C.shape} and {a_G.shape}")
    return float(((a_C - a_G) ** 2).sum() / (4.0 * a_G.size))


def style_cost(layer_costs: Mapping[str, float], layer_weights: Mapping[str, float]) -> float:
    """J_style = Σ_l λ^[l] J_style^[l] over the layers in ``layer_weights``."""
    return float(sum(layer_weights[name] * layer_costs[name] for name in layer_weights))


def total_variation(image) -> float:
    """Σ (x_{i+1,j} − x_{i,j})² + Σ (x_{i,j+1} − x_{i,j})² over every channel: how much neighbours differ.

    Parameters
    ----------
    image : array_like, shape (C, H, W) or (1, C, H, W)
    """
    x = np.asarray(image, np.float64)
    return float((np.diff(x, axis=-2) ** 2).sum() + (np.diff(x, axis=-1) ** 2).sum())


def total_cost(j_content: float, j_style: float, alpha: float, beta: float, j_tv: float = 0.0,
               tv_weight: float = 0.0) -> float:
    """J(G) = α J_content + β J_style (+ TV weight × J_TV)."""
    return float(alpha * j_content + beta * j_style + tv_weight * j_tv)
