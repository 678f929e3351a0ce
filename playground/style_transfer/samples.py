"""The images the style page offers: committed photos and textures (CC0 / public domain, from scikit-image).

Read through the manifest (``export/sample_images.py`` wrote them) and decoded
by :func:`playground.images.load_image`, the same path as an upload.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from playground.images import load_image
from playground.manifest import artifact_path

PHOTOS: dict[str, str] = {  # choice -> label (manifest artifact: sample_<choice>)
    "chelsea": "Chelsea the cat (photo)",
    "astronaut": "Astronaut Eileen Collins (photo)",
    "coffee": "Coffee cup (photo)",
    "rocket": "Rocket launch (photo)",
    "camera": "Cameraman (greyscale photo)",
}
TEXTURES: dict[str, str] = {
    "immunohistochemistry": "Stained tissue, immunohistochemistry (texture)",
    "hubble_deep_field": "Hubble eXtreme Deep Field (texture)",
    "brick": "Brick wall (greyscale texture)",
    "gravel": "Gravel (greyscale texture)",
}
SAMPLES = PHOTOS | TEXTURES


@lru_cache(maxsize=len(SAMPLES))
def sample_rgb(name: str) -> np.ndarray:
    """A committed sample, (H, W, 3) float32 in [0, 1], read-only (shared by all visitors)."""
    if name not in SAMPLES:
        raise ValueError(f"unknown sample {name!r}; known: {', '.join(SAMPLES)}")
    rgb = load_image(artifact_path(f"sample_{name}").read_bytes()).rgb
    rgb.setflags(write=False)
    return rgb
