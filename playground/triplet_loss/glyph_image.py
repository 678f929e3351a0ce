"""One glyph picture as the embedding network sees it: ink white on black, centred, 32 × 32.

The training data (``export/triplet_glyphs.py``) and a visitor's upload go
through the same deterministic steps, so an upload is "cropped and resized like
the training data":

1. grey values in [0, 1], with the ink bright (a dark-on-light picture is inverted);
2. the ink's bounding box (Otsu's threshold) is cut out, the background set to 0
   and the ink stretched to 1;
3. its longer side is scaled to :data:`INK_SIDE` pixels (aspect kept) and it is
   centred on a :data:`WORK_SIDE` × :data:`WORK_SIDE` black canvas;
4. the canvas is shrunk by 2 with Lanczos to :data:`SIDE` × :data:`SIDE`.

The export adds its random distortions (affine, stroke width, blur, contrast)
between steps 3 and 4; nothing random happens here.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

SIDE = 32  # the network's input: (1, 32, 32)
WORK_SIDE = 64  # the canvas distortions are applied on, twice the input side
INK_SIDE = 44  # longer side of the ink box on the work canvas (22 px at 32 × 32), before random scaling
INK_MIN_PIXELS = 4  # fewer ink pixels than this on the picture: nothing to recognise
OTSU_BINS = 256


class GlyphError(ValueError):
    """A picture with no glyph to cut out; the message is meant for the learner."""


def otsu_threshold(gray: np.ndarray) -> float:
    """Otsu's threshold of grey values in [0, 1]: the cut that maximises the between-class variance.

    Parameters
    ----------
    gray : (H, W) float array in [0, 1]

    Returns
    -------
    float
        Pixels ``> threshold`` are one class, the rest the other; for a flat picture
        the single grey value itself (so no pixel is above it).
    """
    counts, edges = np.histogram(gray, bins=OTSU_BINS, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    weight_low = np.cumsum(counts)  # pixels at or below each bin
    weight_high = weight_low[-1] - weight_low
    sum_low = np.cumsum(counts * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_low = sum_low / weight_low
        mean_high = (sum_low[-1] - sum_low) / weight_high
        between = weight_low * weight_high * (mean_low - mean_high) ** 2
    between = np.nan_to_num(between, nan=-1.0)
    if between.max() <= 0:
        return float(gray.max())
    return float(edges[int(np.argmax(between)) + 1])


def ink_bright(gray: np.ndarray) -> np.ndarray:
    """The picture with the ink bright: inverted when most of it is light (ink is the smaller part).

    Parameters
    ----------
    gray : (H, W) float array in [0, 1]
    """
    return 1.0 - gray if float(np.median(gray)) > 0.5 else gray


def centre_ink(gray: np.ndarray, ink_side: int = INK_SIDE, work_side: int = WORK_SIDE) -> np.ndarray:
    """Cut out the ink of a bright-on-dark picture and centre it, scaled, on a black work canvas.

    Parameters
    ----------
    gray : (H, W) float array in [0, 1], ink bright
    ink_side : int
        Longer side of the ink box after scaling.
    work_side : int
        Side of the square canvas returned.

    Returns
    -------
    (work_side, work_side) float32 array in [0, 1]

    Raises
    ------
    GlyphError
        When the picture is flat or has almost no ink.
    """
    gray = np.asarray(gray, np.float32)
    if float(gray.max()) - float(gray.min()) < 1e-3:
        raise GlyphError("The picture is one flat colour: there is no glyph to cut out.")
    threshold = otsu_threshold(gray)
    ink = gray > threshold
    if ink.sum() < INK_MIN_PIXELS:
        raise GlyphError("Almost nothing in the picture stands out from its background: no glyph found.")
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    box = gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    background = float(np.median(gray[~ink])) if (~ink).any() else 0.0
    top = float(np.percentile(gray[ink], 95))
    box = np.clip((box - background) / max(top - background, 1e-3), 0.0, 1.0)  # background 0, ink 1
    h, w = box.shape
    scale = ink_side / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = Image.fromarray(box.astype(np.float32)).resize((new_w, new_h), Image.Resampling.LANCZOS)
    canvas = np.zeros((work_side, work_side), np.float32)
    top_row, left_col = (work_side - new_h) // 2, (work_side - new_w) // 2
    canvas[top_row:top_row + new_h, left_col:left_col + new_w] = np.asarray(resized)
    return np.clip(canvas, 0.0, 1.0)


def shrink(work: np.ndarray, side: int = SIDE) -> np.ndarray:
    """The work canvas (2·side, 2·side) in [0, 1] shrunk with Lanczos to (side, side) float32 in [0, 1]."""
    image = Image.fromarray(np.asarray(work, np.float32)).resize((side, side), Image.Resampling.LANCZOS)
    return np.clip(np.asarray(image, np.float32), 0.0, 1.0)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """[0, 1] floats as stored: uint8 0…255, rounded."""
    return np.round(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)


def glyph_from_picture(gray: np.ndarray) -> np.ndarray:
    """Any grey picture (H, W) in [0, 1] as the network's input picture: (32, 32) uint8, ink white on black.

    Steps 1 to 4 of the module docstring; raises :class:`GlyphError` when no glyph is found.
    """
    return to_uint8(shrink(centre_ink(ink_bright(np.asarray(gray, np.float32)))))


MAX_ROTATION = 45  # degrees either way for :func:`distort`
STROKE_STEPS = (-1, 0, 1, 2)  # thinner once, as drawn, thicker once or twice (3 × 3 min or max filters)
MAX_NOISE = 0.5  # standard deviation of the added noise, in units of full white


def distort(image: np.ndarray, rotation: float = 0.0, stroke: int = 0, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """A stored picture changed by hand: rotated, with thinner or thicker strokes, with noise.

    Parameters
    ----------
    image : (32, 32) uint8, ink white on black
    rotation : float
        Degrees counter-clockwise, within ±:data:`MAX_ROTATION`.
    stroke : int
        One of :data:`STROKE_STEPS`: −1 thins once, 1 and 2 thicken once or twice.
    noise : float
        Standard deviation of Gaussian noise added (seeded), 0 … :data:`MAX_NOISE`.

    Returns
    -------
    (32, 32) float32 in [0, 1]: a picture to pass through :func:`glyph_from_picture`, like an upload.
    """
    if not -MAX_ROTATION <= rotation <= MAX_ROTATION or stroke not in STROKE_STEPS or not 0 <= noise <= MAX_NOISE:
        raise ValueError(f"rotation within ±{MAX_ROTATION}, stroke in {STROKE_STEPS}, noise in [0, {MAX_NOISE}]")
    big = Image.fromarray(np.asarray(image, np.uint8)).resize((WORK_SIDE, WORK_SIDE), Image.Resampling.LANCZOS)
    big = big.rotate(rotation, resample=Image.Resampling.BICUBIC)
    for _ in range(abs(stroke)):
        big = big.filter(ImageFilter.MaxFilter(3) if stroke > 0 else ImageFilter.MinFilter(3))
    small = shrink(np.asarray(big, np.float32) / 255.0)
    if noise > 0:
        small = small + np.random.default_rng(seed).normal(0.0, noise, small.shape).astype(np.float32)
    return np.clip(small, 0.0, 1.0)
