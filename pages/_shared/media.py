"""Pictures to the browser: encoded once, at the size they are shown, as JPEG, and reused.

``st.image`` of a numpy array encodes a PNG, or a JPEG at quality 100 which it then
reopens and, when the picture is wider than its slot, resizes and encodes again.
Encoding here, at the displayed size and Streamlit's own resize quality, does it once;
:func:`reuse` keeps the encoded result for every visitor who asks for the same thing.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import streamlit as st
from PIL import Image

T = TypeVar("T")

JPEG_QUALITY = 90  # what st.image itself uses when it resizes a picture


def jpeg(rgb: np.ndarray, width: int | None = None) -> bytes:
    """An (H, W, 3) uint8 picture as JPEG bytes, scaled down (bilinear, as st.image does) to ``width`` pixels if wider."""
    image = Image.fromarray(np.ascontiguousarray(rgb, np.uint8))
    if width is not None and image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


MAX_KEPT = 64  # pictures (or small tuples of them) kept for reuse, 30–150 kB each: at most about 10 MB


def digest(*parts) -> str:
    """A content key for arrays and plain values: md5 of their bytes, shapes and dtypes (about 1 ms per 500 kB)."""
    h = hashlib.md5()
    for part in parts:
        if isinstance(part, np.ndarray):
            part = np.ascontiguousarray(part)
            h.update(f"{part.dtype}{part.shape}".encode())
            h.update(part.data)
        else:
            h.update(repr(part).encode())
        h.update(b"|")
    return h.hexdigest()


@st.cache_resource(max_entries=MAX_KEPT, show_spinner=False)
def _kept(key: str, _make: Callable[[], T]) -> T:
    return _make()


def reuse(key: str, make: Callable[[], T]) -> T:
    """``make()``, computed once per ``key`` and then shared by every visitor (read-only: bytes, str, tuples).

    ``key`` must name everything the result depends on, e.g. ``digest("response", image, kernel, p, s)``:
    the result is looked up by the key alone. The model calls stay outside ``make``, so "What ran"
    still lists every call; what is reused is the colouring and encoding of their results.
    """
    return _kept(key, make)
