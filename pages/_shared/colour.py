"""Colour for pictures of numbers: signed responses, magnitudes, directions and single channels.

Every function turns a numpy array into an (H, W, 3) uint8 picture for the
browser; the numbers themselves come from ``playground``. A diverging scale
centred at 0 for signed responses, grey for magnitudes, hue for edge direction.
"""

from __future__ import annotations

import numpy as np
from plotly.colors import diverging, hex_to_rgb, sequential, unlabel_rgb


def _lut(colors: list[str], n: int = 256) -> np.ndarray:
    """(n, 3) uint8 table interpolated linearly between plotly colour stops."""
    stops = np.array([unlabel_rgb(c) for c in colors], np.float64)
    positions = np.linspace(0, 1, len(stops))
    t = np.linspace(0, 1, n)
    return np.stack([np.interp(t, positions, stops[:, i]) for i in range(3)], axis=1).round().astype(np.uint8)


DIVERGING_SCALE = "RdBu_r"  # plotly name of the same scale, for heatmaps: blue < 0 < red
_DIVERGING = _lut(diverging.RdBu[::-1])


SIGNED_PERCENTILE = 99.5  # colour range of signed maps: a few extreme pixels would wash out the rest
NEAR_ZERO_FRACTION = 0.02  # the range never shrinks below this share of the strongest response possible


def signed_limit(values: np.ndarray, strongest: float = 0.0) -> float:
    """The symmetric colour range ±L for a signed map.

    L is the 99.5th percentile of |value| (its largest |value| when that
    percentile is 0, and 1 for an all-zero map), but at least
    ``NEAR_ZERO_FRACTION × strongest``, where ``strongest`` is the largest |value|
    the map could hold (e.g. 255 × Σ|w| for a filter on 0–255 pixels). So a map
    of tiny values (a uniform −0.02) stays near white instead of being stretched
    to full colour, the look of a strong edge.
    """
    magnitude = np.abs(values)
    limit = float(np.percentile(magnitude, SIGNED_PERCENTILE)) if magnitude.size else 0.0
    if limit <= 0:
        limit = float(magnitude.max(initial=0.0))
    limit = max(limit, NEAR_ZERO_FRACTION * float(strongest))
    return limit if limit > 0 else 1.0


def diverging_rgb(values: np.ndarray, limit: float | None = None) -> np.ndarray:
    """Signed map (H, W) -> (H, W, 3) uint8: blue for −limit, white for 0, red for +limit."""
    limit = signed_limit(values) if limit is None else limit
    index = np.clip((values / limit + 1) * 127.5, 0, 255).astype(np.uint8)
    return _DIVERGING[index]


def gray_rgb(values: np.ndarray, high: float | None = None) -> np.ndarray:
    """Non-negative map (H, W) -> (H, W, 3) uint8, black at 0 and white at ``high`` (default its max)."""
    high = float(values.max(initial=0.0)) if high is None else high
    gray = np.clip(values * (255 / high if high > 0 else 0), 0, 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def _hsv_to_rgb(h: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Hue h in [0, 1), full saturation, value v in [0, 1] -> (..., 3) float32 in [0, 1]."""
    k = np.mod(np.array([5, 3, 1], np.float32) + h[..., None].astype(np.float32) * 6, 6)
    return v[..., None].astype(np.float32) * (1 - np.clip(np.minimum(k, 4 - k), 0, 1))


def direction_rgb(direction_deg: np.ndarray, magnitude: np.ndarray) -> np.ndarray:
    """Edge direction as hue, edge strength as brightness: (H, W) each -> (H, W, 3) uint8.

    Brightness is the magnitude over its 99th percentile (clipped), so a few
    very strong edges do not leave the rest black.
    """
    high = float(np.percentile(magnitude, 99)) if magnitude.size else 0.0
    high = high if high > 0 else (float(magnitude.max(initial=0.0)) or 1.0)
    rgb = _hsv_to_rgb(direction_deg / 360.0, np.clip(magnitude / high, 0, 1))
    return (rgb * 255).round().astype(np.uint8)


def direction_wheel(size: int = 96) -> np.ndarray:
    """Legend for :func:`direction_rgb`: a colour wheel, hue = angle counter-clockwise from →, (size, size, 3) uint8."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    centre = (size - 1) / 2
    angle = np.mod(np.degrees(np.arctan2(centre - rows, cols - centre)), 360)  # y up, as on paper
    inside = np.hypot(rows - centre, cols - centre) <= size / 2 - 1
    rgb = (_hsv_to_rgb(angle / 360.0, inside.astype(np.float64)) * 255).round().astype(np.uint8)
    rgb[~inside] = 255
    return rgb


def channel_rgb(channel: np.ndarray, index: int) -> np.ndarray:
    """One colour channel (H, W) in 0–255 shown in its own colour: (H, W, 3) uint8."""
    rgb = np.zeros(channel.shape + (3,), np.uint8)
    rgb[..., index] = np.clip(channel, 0, 255).astype(np.uint8)
    return rgb


_SEQUENTIAL = _lut(["rgb({}, {}, {})".format(*hex_to_rgb(c)) for c in sequential.Viridis])
SEQUENTIAL_SCALE = "Viridis"  # plotly name of the same scale: dark purple (0) to yellow (high)


def sequential_rgb(values: np.ndarray, high: float | None = None) -> np.ndarray:
    """Non-negative map (H, W) -> (H, W, 3) uint8 on Viridis: dark purple at 0, yellow at ``high`` (default its max)."""
    high = float(np.max(values, initial=0.0)) if high is None else high
    index = np.clip(np.asarray(values, np.float64) * (255 / high if high > 0 else 0), 0, 255).astype(np.uint8)
    return _SEQUENTIAL[index]
