"""Images for the edge filters: the committed sample photos and synthetic test patterns.

Samples are CC0 / public-domain photos copied from scikit-image by
``export/sample_images.py`` and loaded through :func:`playground.images.load_image`,
the same path as an upload. Synthetic patterns are drawn with numpy and need no
file. Turning responses into colours is the pages' job (``pages/_shared/colour.py``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

from playground.images import load_image, rgb_to_gray
from playground.manifest import artifact_path

SAMPLES: dict[str, tuple[str, str]] = {  # choice -> (manifest artifact, label)
    "chelsea": ("sample_chelsea", "Chelsea the cat (photo)"),
    "camera": ("sample_camera", "Cameraman (greyscale photo)"),
    "astronaut": ("sample_astronaut", "Astronaut Eileen Collins (photo)"),
    "coffee": ("sample_coffee", "Coffee cup (photo)"),
    "rocket": ("sample_rocket", "Rocket launch (photo)"),
    "brick": ("sample_brick", "Brick wall (greyscale texture)"),
}
SYNTHETIC: dict[str, str] = {  # choice -> label
    "disc": "Disc: edges in every direction",
    "diagonal": "Diagonal step: light above a 45° edge",
    "checkerboard": "Checkerboard",
}
SYNTHETIC_SIZE = 256  # pixels per side of the drawn patterns
DISPLAY_MAX_SIDE = 512  # pictures sent to the browser are at most this big


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@lru_cache(maxsize=len(SAMPLES))
def sample_rgb(name: str) -> np.ndarray:
    """A committed sample photo, (H, W, 3) float32 in [0, 1], read-only (shared by all visitors)."""
    artifact, _ = SAMPLES[name]
    return _read_only(load_image(artifact_path(artifact).read_bytes()).rgb)


@lru_cache(maxsize=len(SYNTHETIC))
def synthetic_rgb(name: str, size: int = SYNTHETIC_SIZE) -> np.ndarray:
    """A drawn pattern, (size, size, 3) float32 in [0, 1], read-only.

    disc: a light disc on a dark ground; diagonal: light above-left of the
    "/" diagonal; checkerboard: 8×8 squares.
    """
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    centre = (size - 1) / 2
    if name == "disc":
        gray = (np.hypot(rows - centre, cols - centre) < size * 0.35).astype(np.float32)
    elif name == "diagonal":
        gray = (rows + cols < size - 1).astype(np.float32)  # the line row + col = size − 1 runs "/"
    elif name == "checkerboard":
        square = size // 8
        gray = ((rows // square + cols // square) % 2).astype(np.float32)
    else:
        raise ValueError(f"unknown pattern {name!r}; known: {', '.join(SYNTHETIC)}")
    return _read_only(np.repeat(gray[..., None], 3, axis=2))


def to_pixels(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, W, 3) in [0, 1] -> (grey (H, W), channels (3, H, W)), both float32 in pixel units 0–255."""
    return rgb_to_gray(rgb) * 255, np.moveaxis(rgb, 2, 0) * 255


def shrink(values: np.ndarray, max_side: int = DISPLAY_MAX_SIDE) -> np.ndarray:
    """A map (H, W) scaled down by area averaging so its longer side is at most ``max_side``.

    Pictures are coloured after shrinking: the browser would scale them down
    anyway, and colouring a quarter of the pixels keeps a 1024² upload fast.
    Returns float32; unchanged (as float32) when already small enough.
    """
    values = np.asarray(values, np.float32)
    h, w = values.shape
    if max(h, w) <= max_side:
        return values
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(values, mode="F").resize(size, Image.Resampling.BOX))
