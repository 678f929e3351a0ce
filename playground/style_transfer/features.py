"""Pictures in, MobileNetV2 activations out: sizing images for the network and running it on ONNX Runtime.

Every image goes through :func:`fit` (longer side to a chosen size, both sides
multiples of ``SIDE_MULTIPLE`` so the stride-2 layers halve them evenly) and
:func:`to_input` ((1, 3, H, W) in 0…1), then :func:`activations` runs the
committed ``mobilenet_v2`` model once for all the layers asked for.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from playground import runtime
from playground.style_transfer.costs import gram_matrix
from playground.style_transfer.layers import CONTENT_LAYER, FEATURE_MODEL, SIDE_MULTIPLE, STYLE_LAYERS

MIN_SIDE = 2 * SIDE_MULTIPLE  # smallest side :func:`fit` makes: the deepest layer keeps at least 2×2 cells


def fitted_size(width: int, height: int, longer: int) -> tuple[int, int]:
    """(width, height) with the longer side ``longer``, aspect kept, both rounded to multiples of 16 (≥ 32)."""
    scale = longer / max(width, height)

    def side(n: int) -> int:
        return max(MIN_SIDE, int(round(n * scale / SIDE_MULTIPLE)) * SIDE_MULTIPLE)

    return side(width), side(height)


def resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(H, W, 3) float in 0…1 -> (size[1], size[0], 3) float32, area-averaged down or bicubic up (Pillow)."""
    rgb = np.asarray(rgb, np.float32)
    if (rgb.shape[1], rgb.shape[0]) == tuple(size):
        return rgb.copy()
    big = size[0] > rgb.shape[1] or size[1] > rgb.shape[0]
    method = Image.Resampling.BICUBIC if big else Image.Resampling.BOX
    channels = [np.asarray(Image.fromarray(rgb[..., c], mode="F").resize(size, method)) for c in range(3)]
    return np.clip(np.stack(channels, axis=-1), 0, 1).astype(np.float32)


def fit(rgb: np.ndarray, longer: int) -> np.ndarray:
    """An image resized for the network: longer side ``longer``, sides multiples of 16. (H, W, 3) float32."""
    return resize(rgb, fitted_size(rgb.shape[1], rgb.shape[0], longer))


def cover(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The image scaled to cover (width, height) and centre-cropped to it: how a style image meets the content's size."""
    h, w = rgb.shape[:2]
    scale = max(size[0] / w, size[1] / h)
    crop_w, crop_h = min(w, int(np.ceil(size[0] / scale))), min(h, int(np.ceil(size[1] / scale)))
    top, left = (h - crop_h) // 2, (w - crop_w) // 2
    return resize(rgb[top:top + crop_h, left:left + crop_w], size)


def to_input(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) in 0…1 -> (1, 3, H, W) float32, contiguous: the models' NCHW input."""
    return np.ascontiguousarray(np.asarray(rgb, np.float32).transpose(2, 0, 1)[None])


def to_picture(x: np.ndarray) -> np.ndarray:
    """(1, 3, H, W) -> (H, W, 3) float32 clipped to 0…1."""
    return np.clip(np.asarray(x, np.float32)[0].transpose(1, 2, 0), 0, 1)


def activations(rgb: np.ndarray, layers=STYLE_LAYERS + (CONTENT_LAYER,), provider: str = "auto") -> dict[str, np.ndarray]:
    """The named layers' activations for one image, each (n_C, n_H, n_W) float32, from one ONNX Runtime call.

    Parameters
    ----------
    rgb : numpy.ndarray, shape (H, W, 3)
        Pixels in 0…1, sides multiples of 16 (see :func:`fit`).
    """
    out = runtime.run(FEATURE_MODEL, {"image": to_input(rgb)}, list(dict.fromkeys(layers)), provider=provider)
    return {name: value[0] for name, value in out.items()}


def grams(acts: dict[str, np.ndarray], layers=STYLE_LAYERS, dtype=np.float64) -> dict[str, np.ndarray]:
    """Gram matrix of each layer, (n_C, n_C); float64 by default, float32 (about 4× faster) where speed matters."""
    if dtype == np.float64:
        return {name: gram_matrix(acts[name]) for name in layers}
    out = {}
    for name in layers:
        f = np.asarray(acts[name], dtype).reshape(acts[name].shape[0], -1)  # (n_C, n_H n_W)
        out[name] = f @ f.T
    return out
