"""Keeping the content's colours: style transfer on luminance only (Gatys et al. 2016, "Preserving colour").

The picture is split into luminance Y and two colour channels (I, Q of YIQ,
the NTSC transform). Only Y is stylised: the style image's luminance is first
matched to the content's mean and spread (so a dark painting does not darken
the photo), the optimisation runs on Y, and the content's own I and Q are put
back. Colours come from the photo; strokes and texture from the style.
"""

from __future__ import annotations

import numpy as np

# RGB -> YIQ (rows Y, I, Q), the NTSC weights; Y is the luminance.
RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114],
                       [0.596, -0.274, -0.322],
                       [0.211, -0.523, 0.312]])
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ)


def to_yiq(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) RGB in 0…1 -> (H, W, 3) Y, I, Q (float32)."""
    return (np.asarray(rgb, np.float64) @ RGB_TO_YIQ.T).astype(np.float32)


def from_yiq(yiq: np.ndarray) -> np.ndarray:
    """(H, W, 3) Y, I, Q -> (H, W, 3) RGB clipped to 0…1 (float32)."""
    return np.clip(np.asarray(yiq, np.float64) @ YIQ_TO_RGB.T, 0, 1).astype(np.float32)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) -> (H, W) Y = 0.299 R + 0.587 G + 0.114 B, float32."""
    return to_yiq(rgb)[..., 0]


def match_luminance(style_y: np.ndarray, content_y: np.ndarray) -> np.ndarray:
    """The style's luminance shifted and scaled to the content's mean and standard deviation, clipped to 0…1."""
    s, c = np.asarray(style_y, np.float64), np.asarray(content_y, np.float64)
    spread = s.std()
    scaled = (s - s.mean()) * (c.std() / spread if spread > 0 else 0.0) + c.mean()
    return np.clip(scaled, 0, 1).astype(np.float32)


def grey_rgb(y: np.ndarray) -> np.ndarray:
    """(H, W) -> (H, W, 3): luminance on all three channels, what the network sees in luminance mode."""
    return np.repeat(np.asarray(y, np.float32)[..., None], 3, axis=2)


def with_colours_of(y: np.ndarray, content_rgb: np.ndarray) -> np.ndarray:
    """A luminance (H, W) with the content's I and Q: (H, W, 3) RGB in 0…1."""
    yiq = to_yiq(content_rgb)
    yiq[..., 0] = y
    return from_yiq(yiq)
