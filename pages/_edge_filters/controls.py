"""The edge-filter page's controls: the filter and its settings, the picture, and what they are called.

Widgets and the state behind them; the kernels and images come from ``playground.edge_filters``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._edge_filters import figures
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground import edge_filters
from playground.conv_shape import conv_output_size, same_padding
from playground.edge_filters import samples
from playground.images import ImageError, load_image

KERNEL_LABELS = {
    "vertical": "Vertical edges (the course's kernel)",
    "horizontal": "Horizontal edges (its transpose)",
    "sobel_x": "Sobel x (vertical edges, centre row × 2)",
    "sobel_y": "Sobel y (horizontal edges)",
    "scharr_x": "Scharr x (vertical edges, 3-10-3)",
    "scharr_y": "Scharr y (horizontal edges)",
    "angle": "Edges at any angle θ (steered Sobel)",
    "custom": "Your own kernel (type it)",
}
IMAGE_LABELS = ({k: label for k, (_, label) in samples.SAMPLES.items()} | samples.SYNTHETIC
                | {"upload": "Your upload"})
DEFAULT_IMAGE = "chelsea"
DEFAULT_CUSTOM = "0 1 0\n1 -4 1\n0 1 0"  # the Laplacian: edges in every direction at once
MAX_PADDING = (edge_filters.MAX_CUSTOM_SIZE - 1) // 2  # "same" padding (f − 1)/2 of the largest typed kernel
MAX_STRIDE = 4
# The picker's link bound: the last output index of the 6×6 example at its largest (a 1×1 kernel, most
# padding, s = 1); the picker itself is clamped to the current output.
MAX_PICK = conv_output_size(edge_filters.COURSE_SIDE, 1, MAX_PADDING) - 1
UPLOAD_TYPES = sorted({"png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"})
CHANNELS = dict(zip(edge_filters.VOLUME_CHANNELS, ("the kernel on R, G and B", "R only (zeros on G and B)",
                                              "G only", "B only"), strict=True))


_LIGHT_LEFT = ("light on the left", "light on the right")  # what red and blue mean: (> 0, < 0)
_LIGHT_ABOVE = ("light above", "light below")
SIGN_WORDS = {  # for the kernels as defined (cross-correlation); typed kernels have no general meaning
    "vertical": _LIGHT_LEFT, "sobel_x": _LIGHT_LEFT, "scharr_x": _LIGHT_LEFT,
    "horizontal": _LIGHT_ABOVE, "sobel_y": _LIGHT_ABOVE, "scharr_y": _LIGHT_ABOVE,
    "angle": ("light on your left walking along θ", "light on your right walking along θ"),
}


def sign_words(choice: str, flip: bool) -> tuple[str, str] | None:
    """What a positive and a negative response mean for the chosen kernel, or None if nothing general can be said.

    These kernels are antisymmetric, so the 180° flip only negates them: flipped, the meanings swap.
    """
    words = SIGN_WORDS.get(choice)
    return words[::-1] if words and flip else words


def keep_kernel_state() -> None:
    """θ and the typed kernel: seeded from the link, and kept while another filter is chosen.

    ``k`` (URL) holds the kernel in its compact link form, ``k_text`` (the text
    box) what the learner typed; ``_k_text_for`` remembers which ``k`` the box
    matches, so a new link or a return from another page (where ``pages._shared.ui`` re-seeds
    ``k``) refills the box.
    """
    ui.url_int("theta", 45, 0, 359)
    link = st.session_state[ui.url_text("k", DEFAULT_CUSTOM.replace("\n", ";"), edge_filters.MAX_KERNEL_TEXT)]
    if "k_text" not in st.session_state or st.session_state.get("_k_text_for") != link:
        st.session_state["k_text"] = link.replace(";", "\n")
        st.session_state["_k_text_for"] = link
    for key in ("theta", "k_text"):
        st.session_state[key] = st.session_state[key]  # a widget not drawn this run would lose its value


def chosen_kernel(choice: str) -> np.ndarray:
    """The kernel the learner picked, with its own controls; a bad typed kernel falls back to vertical."""
    keep_kernel_state()
    if choice == "angle":
        theta = st.slider("Edge direction θ (degrees, counter-clockwise from →)", 0, 359, key="theta")
        st.latex(rf"K_\theta = \sin\theta\,\text{{Sobel}}_x + \cos\theta\,\text{{Sobel}}_y"
                 rf"= \sin {theta}^\circ\, \text{{Sobel}}_x + \cos {theta}^\circ\, \text{{Sobel}}_y")
        return edge_filters.angle_kernel(theta)
    if choice == "custom":
        text = st.text_area("One row per line; numbers separated by spaces or commas (1/9 works too)",
                            key="k_text", height=120, max_chars=edge_filters.MAX_KERNEL_TEXT)
        try:
            kernel = edge_filters.parse_kernel(text)
        except edge_filters.KernelTextError as exc:  # the link keeps the last kernel that worked
            st.error(f"{fmt.escape(exc, limit=300)} Until it is fixed, the page uses the course's vertical kernel.")
        else:
            st.session_state["k"] = st.session_state["_k_text_for"] = edge_filters.format_kernel(kernel)
            return kernel
    return edge_filters.KERNELS.get(choice, edge_filters.VERTICAL)


def picture(choice: str) -> tuple[np.ndarray, str]:
    """The chosen image as (H, W, 3) in [0, 1] and its name; a bad or missing upload falls back."""
    if choice in samples.SAMPLES:
        return samples.sample_rgb(choice), IMAGE_LABELS[choice]
    if choice in samples.SYNTHETIC:
        return samples.synthetic_rgb(choice), IMAGE_LABELS[choice]
    fallback = samples.sample_rgb(DEFAULT_IMAGE), IMAGE_LABELS[DEFAULT_IMAGE]
    upload = st.session_state.get("upload")
    if upload is None:
        st.info("No image uploaded yet: showing the cat meanwhile.")
        return fallback
    cached = st.session_state.get("_edges_upload")
    if cached is None or cached[0] != upload.file_id:  # decode once per upload, not on every rerun
        try:
            cached = (upload.file_id, load_image(upload.getvalue()))
        except ImageError as exc:
            cached = (upload.file_id, exc)
        st.session_state["_edges_upload"] = cached
    if isinstance(cached[1], ImageError):
        st.error(f"{fmt.escape(upload.name)}: {fmt.escape(cached[1], limit=400)} Showing the cat instead.")
        return fallback
    for notice in cached[1].notices:
        st.info(notice)
    return cached[1].rgb, fmt.escape(upload.name)  # shown in a caption, which is Markdown


def padding_caption(f: int, s: int) -> str:
    """What "valid" and "same" padding are for this f, and that "same" keeps the size only at s = 1."""
    before, after = same_padding(edge_filters.COURSE_SIDE, f)  # for s = 1: f − 1 cells in all, whatever n
    if before != after:
        return f"f = {f}: p = 0 is \"valid\"; an even f has no symmetric \"same\" padding."
    same = f"p = (f − 1)/2 = {before} keeps the size (\"same\")"
    if s > 1:  # ⌊(n + 2p − f)/s⌋ + 1 with 2p = f − 1 is ⌈n/s⌉
        same += f" only for s = 1: with s = {s} it gives ⌈n/{s}⌉"
    return f"f = {f}: p = 0 is \"valid\"; {same}."


def select_upload() -> None:
    if st.session_state.get("upload") is not None:
        st.session_state["img"] = "upload"


def controls() -> tuple[str, np.ndarray, np.ndarray, int, int, bool]:
    """Filter, padding, stride and flip: (choice, kernel, kernel as applied, p, s, flip)."""
    left, middle, right = st.columns([5, 3, 3], gap="large")
    with left:
        choice = st.selectbox("Filter", list(KERNEL_LABELS), format_func=KERNEL_LABELS.get,
                              key=ui.url_choice("kern", "vertical", list(KERNEL_LABELS)))
        kernel = chosen_kernel(choice)
    f = kernel.shape[0]
    with middle:
        p = st.slider("Padding p (zeros around the image)", 0, MAX_PADDING,
                      key=ui.url_int("p", 0, 0, MAX_PADDING))
        s = st.slider("Stride s", 1, MAX_STRIDE, key=ui.url_int("s", 1, 1, MAX_STRIDE))
        st.caption(padding_caption(f, s))
    with right:
        flip = st.toggle("True convolution (flip)", key=ui.url_bool("conv", False),
                         help="On: rotate the kernel 180° before sliding it, as mathematics does. Off: cross-correlation, "
                              "what deep learning calls convolution. See section 4.")
        applied = edge_filters.flip_kernel(kernel) if flip else kernel
        plot.chart(figures.grid(applied, "Kernel applied" + (", rotated 180°" if flip else ""), signed=True),
                    "kernel_fig")
    return choice, kernel, applied, p, s, flip
