"""The style page's computations, remembered: the samples' results are shared, an upload's stay with its visitor.

Every figure on the page reads activations and Gram matrices of a few
images; a control change must not recompute them (the budget is 100 ms).
Results are kept by a key that names the image (``sample:chelsea`` or
``upload:<file id>``) and every setting that shaped it. Keys naming an upload
live in the visitor's own session, so one visitor's picture never reaches
another's page.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from PIL import Image

from playground.style_transfer import CONTENT_LAYER, LAYERS, STYLE_LAYERS, activations, costs, fast, grams, network_view
from playground.style_transfer.generation import Settings

ANALYSIS_SIDE = 256  # longer side at which sections 1, 2 and 4 compare images
MAX_SHARED = 64  # results kept for everyone (samples only)
MAX_PRIVATE = 16  # results kept per visitor (anything from an upload)
UPLOAD_PREFIX = "upload:"
JPEG_QUALITY = 90
PNG_LEVEL = 1  # zlib's fastest: the heat maps are small, and encoding is on the rerun's clock


class _Store:
    """A small LRU of computed results, safe for concurrent reruns."""

    def __init__(self, size: int):
        self.size, self._lock, self._items = size, threading.Lock(), OrderedDict()

    def get(self, key: tuple, compute: Callable[[], object]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: another visitor's rerun need not wait for this one
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


@st.cache_resource
def _shared() -> _Store:
    return _Store(MAX_SHARED)


def memo(key: tuple, compute: Callable[[], object]):
    """``compute()`` once per key; private to this visitor when the key names an upload."""
    if any(isinstance(part, str) and part.startswith(UPLOAD_PREFIX) for part in key):
        store = st.session_state.setdefault("_style_memo", _Store(MAX_PRIVATE))
    else:
        store = _shared()
    return store.get(key, compute)


@dataclass(frozen=True)
class Picked:
    """An image the visitor chose: its cache key, pixels (H, W, 3) in 0…1, and a label safe to show."""

    key: str
    rgb: np.ndarray
    label: str


@dataclass(frozen=True)
class Analysed:
    """One image as the network sees it: pixels, activations of every offered layer, style Gram matrices (float32)."""

    key: tuple  # what it was remembered under: names the image and every setting that shaped it
    rgb: np.ndarray
    acts: dict[str, np.ndarray]
    grams: dict[str, np.ndarray]


def analyse(key: tuple, rgb_of: Callable[[], np.ndarray], provider: str) -> Analysed:
    """Activations (one MobileNetV2 call) and Grams of the image ``rgb_of()`` names, remembered under ``key``."""
    def compute() -> Analysed:
        rgb = rgb_of()
        acts = activations(rgb, tuple(LAYERS), provider)
        return Analysed(key, rgb, acts, grams(acts, STYLE_LAYERS, np.float32))
    return memo(("analysed",) + key, compute)


def encoded(key: tuple, picture: Callable[[], np.ndarray], kind: str = "JPEG") -> bytes:
    """A picture ((H, W, 3) uint8, or float in 0…1) as JPEG or PNG bytes, encoded once per key.

    ``st.image`` re-encodes an array on every rerun (a few ms each); bytes pass straight through.
    """
    def encode() -> bytes:
        rgb = picture()
        if rgb.dtype != np.uint8:
            rgb = (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)
        buffer = io.BytesIO()
        options = {"quality": JPEG_QUALITY} if kind == "JPEG" else {"compress_level": PNG_LEVEL}
        Image.fromarray(rgb).save(buffer, format=kind, **options)
        return buffer.getvalue()
    return memo(("encoded", kind) + key, encode)


def pair(content: Picked, style: Picked, keep_colours: bool, provider: str,
         side: int = ANALYSIS_SIDE) -> tuple[Analysed, Analysed]:
    """Content and style at the analysis size, as the generation would see them."""
    settings = Settings(side=side, keep_colours=keep_colours)
    views = memo(("views", content.key, style.key, side, keep_colours),
                 lambda: network_view(content.rgb, style.rgb, settings))
    return (analyse(("content", content.key, side, keep_colours), lambda: views[0], provider),
            analyse(("style", content.key, style.key, side, keep_colours), lambda: views[1], provider))


@dataclass(frozen=True)
class Costs:
    """The course's costs of a generated image G against content C and style S."""

    content: float  # J_content
    layers: dict[str, float]  # J_style^[l]
    style: float  # Σ λ^[l] J_style^[l]

    def total(self, alpha: float, beta: float) -> float:
        return costs.total_cost(self.content, self.style, alpha, beta)


def costs_of(g: Analysed, content: Analysed, style: Analysed, weights: dict[str, float]) -> Costs:
    """J_content, J_style^[l] and the λ-weighted J_style of G; the unweighted costs are remembered per image trio."""
    def unweighted() -> tuple[float, dict[str, float]]:
        per_layer = {name: costs.gram_cost(style.grams[name], g.grams[name], *g.acts[name].shape[1:])
                     for name in STYLE_LAYERS}
        return costs.content_cost(content.acts[CONTENT_LAYER], g.acts[CONTENT_LAYER]), per_layer
    j_content, per_layer = memo(("costs", g.key, content.key, style.key), unweighted)
    return Costs(j_content, per_layer, costs.style_cost(per_layer, weights))


def fast_result(content: Picked, style: Picked, side: int, strength: float, keep_colours: bool,
                provider: str) -> np.ndarray:
    """The fast stylization (H, W, 3), remembered."""
    return memo(("fast", content.key, style.key, side, strength, keep_colours),
                lambda: fast.stylize(content.rgb, style.rgb, side, strength, keep_colours, provider))
