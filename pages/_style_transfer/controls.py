"""The style page's shared controls: the content and style images (samples or uploads) and the cost weights.

An upload goes through :func:`playground.images.load_image`, as on the edge
page: decoded once per file, a bad file gets a message in words and the
sample is used instead. The weights α, β and λ^[l] belong to the cost J, so
they sit with the costs (section 1) and the generation reads them from there.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pages._shared import format as fmt
from pages._shared import ui
from pages._style_transfer.compute import UPLOAD_PREFIX, Picked
from playground.images import ImageError, load_image
from playground.style_transfer import LAYERS, STYLE_LAYERS, samples

UPLOAD = "upload"
CHOICES = {**samples.SAMPLES, UPLOAD: "Your upload"}
DEFAULT_CONTENT, DEFAULT_STYLE = "chelsea", "immunohistochemistry"
UPLOAD_TYPES = sorted({"png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"})
ALPHAS = ("0", "1", "3", "10", "30", "100")  # α: the course's 10 in the middle
BETAS = ("0", "100", "300", "1000", "3000", "1e4", "3e4", "1e5", "3e5", "1e6")
LAMBDA_MAX = 5.0
LAMBDA_KEYS = tuple(f"l{k}" for k in range(1, len(STYLE_LAYERS) + 1))  # λ^[l] of STYLE_LAYERS, in order
KEYS = ("c", "s", "a", "b") + LAMBDA_KEYS


def link_state() -> None:
    """Seed this section's keys from the link (or their defaults): called before any section draws."""
    ui.url_choice("c", DEFAULT_CONTENT, list(CHOICES))
    ui.url_choice("s", DEFAULT_STYLE, list(CHOICES))
    ui.url_choice("a", "10", ALPHAS)
    ui.url_choice("b", "1e4", BETAS)
    for key in LAMBDA_KEYS:
        ui.url_float(key, 1.0, 0.0, LAMBDA_MAX)


def _select_upload(role: str) -> None:
    if st.session_state.get(f"{role}_up") is not None:
        st.session_state[role] = UPLOAD


def _uploaded(role: str, fallback: str) -> Picked:
    """The visitor's upload for ``role`` ("c" or "s"), or the fallback sample with a message."""
    default = Picked(f"sample:{fallback}", samples.sample_rgb(fallback), samples.SAMPLES[fallback])
    upload = st.session_state.get(f"{role}_up")
    if upload is None:
        st.info(f"No image uploaded yet: using {samples.SAMPLES[fallback]} meanwhile.")
        return default
    cached = st.session_state.get(f"_{role}_decoded")
    if cached is None or cached[0] != upload.file_id:  # decode once per upload, not on every rerun
        try:
            cached = (upload.file_id, load_image(upload.getvalue()))
        except ImageError as exc:
            cached = (upload.file_id, exc)
        st.session_state[f"_{role}_decoded"] = cached
    name = fmt.escape(upload.name)
    if isinstance(cached[1], ImageError):
        st.error(f"{name}: {fmt.escape(cached[1], limit=400)} Using {samples.SAMPLES[fallback]} instead.")
        return default
    for notice in cached[1].notices:
        st.info(notice)
    return Picked(f"{UPLOAD_PREFIX}{upload.file_id}", cached[1].rgb, name)


def _picture(role: str, title: str, default: str) -> Picked:
    choice = st.selectbox(title, list(CHOICES), format_func=CHOICES.get,
                          key=role)
    st.file_uploader("…or upload your own (PNG, JPEG, WebP, GIF, BMP, TIFF; up to 10 MB)", type=UPLOAD_TYPES,
                     key=f"{role}_up", on_change=_select_upload, args=(role,))
    if choice == UPLOAD:
        return _uploaded(role, default)
    return Picked(f"sample:{choice}", samples.sample_rgb(choice), samples.SAMPLES[choice])


def pick_images() -> tuple[Picked, Picked]:
    """Content C and style S, side by side."""
    left, right = st.columns(2, gap="large")
    with left:
        content = _picture("c", "Content image C", DEFAULT_CONTENT)
    with right:
        style = _picture("s", "Style image S", DEFAULT_STYLE)
    return content, style


def weights() -> tuple[float, float, dict[str, float]]:
    """α, β and λ^[l] from their controls (drawn by :func:`weight_controls`, seeded from the link)."""
    alpha, beta = float(st.session_state["a"]), float(st.session_state["b"])
    lambdas = {name: float(st.session_state[key]) for key, name in zip(LAMBDA_KEYS, STYLE_LAYERS)}
    return alpha, beta, lambdas


def weight_controls() -> None:
    """The sliders for α, β and each λ^[l]."""
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.select_slider("α, the weight of J_content", ALPHAS, key="a")
        st.select_slider("β, the weight of J_style", BETAS, key="b",
                         format_func=lambda v: f"{float(v):,.0f}")
    with right:
        cols = st.columns(len(STYLE_LAYERS))
        for col, key, name in zip(cols, LAMBDA_KEYS, STYLE_LAYERS):
            col.slider(f"λ {LAYERS[name].short}", 0.0, LAMBDA_MAX, step=0.1, key=key,
                       help=f"λ^[l] for {LAYERS[name].label}")


def sync_link_in_fragment(keys) -> None:
    """Write the link from inside a fragment, when only fragments rerun (a full run writes it once, at the end)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None and ctx.fragment_ids_this_run:
        ui.sync_url(keys)


def stack_uint8(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) in 0…1 -> uint8 for st.image."""
    return (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)
