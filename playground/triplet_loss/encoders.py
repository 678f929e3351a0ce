"""The encoders the page compares: the trained networks on ONNX Runtime, and raw pixels as the baseline."""

from __future__ import annotations

import numpy as np

from playground import runtime

GLYPH_MODEL = "triplet_glyphs"  # 32×32 glyphs → 64 numbers, trained on 2,000 identities
DIGITS_MODEL = "triplet_digits"  # 8×8 digits → 32 numbers, trained on 7 identities (the digits 0–6)
PIXEL_MAX = 255.0  # glyph pictures are stored as uint8
DIGIT_MAX = 16.0  # scikit-learn's digits hold 0…16


def glyph_input(images: np.ndarray) -> np.ndarray:
    """uint8 pictures (N, 32, 32) → the network's input (N, 1, 32, 32) float32 in [0, 1]."""
    return (np.asarray(images, np.float32) / PIXEL_MAX)[:, None]


def digit_input(images: np.ndarray) -> np.ndarray:
    """Digits (N, 8, 8) with values 0…16 → the network's input (N, 1, 8, 8) float32 in [0, 1]."""
    return (np.asarray(images, np.float32) / DIGIT_MAX)[:, None]


def encode_glyphs(images: np.ndarray, provider: str = "auto") -> np.ndarray:
    """Encodings f(x) (N, 64) float32, unit length, of uint8 glyph pictures (N, 32, 32)."""
    return runtime.run(GLYPH_MODEL, {"x": glyph_input(images)}, provider=provider)["encoding"]


def encode_digits(images: np.ndarray, provider: str = "auto") -> np.ndarray:
    """Encodings f(x) (N, 32) float32, unit length, of digits (N, 8, 8) with values 0…16."""
    return runtime.run(DIGITS_MODEL, {"x": digit_input(images)}, provider=provider)["encoding"]


def pixel_encodings(images: np.ndarray) -> np.ndarray:
    """The baseline "encoding" of raw pixels: each picture flattened and scaled to unit length, (N, H·W) float64.

    On unit vectors the squared distance is 2 − 2·cos, as for the networks' encodings;
    an all-black picture stays the zero vector.
    """
    flat = np.asarray(images, np.float64).reshape(len(images), -1)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return np.divide(flat, norms, out=np.zeros_like(flat), where=norms > 0)
