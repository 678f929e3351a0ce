"""Widgets and drawing for the edge-filter page: kernel and image pickers, annotated grids, LaTeX.

Page-local: only ``pages/edge_filters.py`` uses them. No math here beyond
formatting; the numbers come from ``playground.filters``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from pages import _ui
from playground import edge_images as imgs
from playground import filters
from playground.arithmetic import conv_output_size, same_padding
from playground.edge_images import DIVERGING_SCALE
from playground.images import ImageError, load_image

MINUS = "\u2212"


def num(value: float) -> str:
    """A number as a learner reads it: whole from 100 up, else 3 significant digits; never e-notation above 1."""
    value = float(value)
    if value == 0:
        return "0"
    text = f"{value:.0f}" if value.is_integer() or abs(value) >= 100 else f"{value:.3g}"
    return text.replace("-", MINUS)


def latex_num(value: float) -> str:
    """:func:`num` for LaTeX: negative numbers in parentheses when multiplied."""
    text = num(value).replace(MINUS, "-")
    return f"({text})" if text.startswith("-") else text


def bmatrix(values: np.ndarray) -> str:
    """A 2-D array as a LaTeX bmatrix."""
    rows = [" & ".join(num(v).replace(MINUS, "-") for v in row) for row in np.asarray(values)]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def grid(values: np.ndarray, title: str, *, signed: bool, highlight: tuple[int, int, int] | None = None,
         padding: int = 0) -> go.Figure:
    """An annotated heatmap: every number written in its cell.

    signed: diverging scale centred at 0 (responses, kernels); else dark-to-light grey (pixels).
    highlight: (top, left, size) square drawn around a window. padding: that many
    outer rings are the zeros added around the image, framed by a dotted line.
    """
    values = np.asarray(values, np.float64)
    h, w = values.shape
    limit = max(float(np.abs(values).max(initial=0)), 1e-9)
    heat = {
        "type": "heatmap", "z": values, "text": [[num(v) for v in row] for row in values],
        "texttemplate": "%{text}", "textfont": {"size": 13 if max(h, w) <= 8 else 10},
        "colorscale": DIVERGING_SCALE if signed else [[0, "rgb(70,70,70)"], [1, "rgb(250,250,250)"]],
        "zmin": -limit if signed else min(0.0, values.min()), "zmax": limit if signed else max(values.max(), 1e-9),
        "showscale": False, "xgap": 2, "ygap": 2, "hovertemplate": "row %{y}, column %{x}: %{text}<extra></extra>",
    }
    shapes = []
    if padding:
        shapes.append({"type": "rect", "x0": padding - 0.5, "y0": padding - 0.5, "x1": w - padding - 0.5,
                       "y1": h - padding - 0.5, "line": {"color": "rgb(40,120,40)", "width": 2, "dash": "dot"}})
    if highlight is not None:
        top, left, size = highlight
        shapes.append({"type": "rect", "x0": left - 0.5, "y0": top - 0.5, "x1": left + size - 0.5,
                       "y1": top + size - 0.5, "line": {"color": "rgb(255,170,0)", "width": 4}})
    cell = 34 if max(h, w) <= 9 else 22
    layout = {
        "title": {"text": title, "font": {"size": 14}}, "height": cell * h + 90, "shapes": shapes,
        "margin": {"l": 30, "r": 10, "t": 60, "b": 10}, "plot_bgcolor": "white",
        "xaxis": {"range": [-0.5, w - 0.5], "tickvals": list(range(w)), "side": "top", "showgrid": False,
                  "zeroline": False},
        "yaxis": {"range": [h - 0.5, -0.5], "tickvals": list(range(h)), "scaleanchor": "x", "showgrid": False,
                  "zeroline": False},
    }
    return go.Figure({"data": [heat], "layout": layout})


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
IMAGE_LABELS = ({k: label for k, (_, label) in imgs.SAMPLES.items()} | imgs.SYNTHETIC
                | {"upload": "Your upload"})
DEFAULT_IMAGE = "chelsea"
DEFAULT_CUSTOM = "0 1 0\n1 -4 1\n0 1 0"  # the Laplacian: edges in every direction at once
MAX_PADDING = (filters.MAX_CUSTOM_SIZE - 1) // 2  # "same" padding (f − 1)/2 of the largest typed kernel
MAX_STRIDE = 4
# The picker's link bound: the last output index of the 6×6 example at its largest (a 1×1 kernel, most
# padding, s = 1); the picker itself is clamped to the current output.
MAX_PICK = conv_output_size(filters.COURSE_SIDE, 1, MAX_PADDING) - 1
UPLOAD_TYPES = sorted({"png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"})
CHANNELS = dict(zip(filters.VOLUME_CHANNELS, ("the kernel on R, G and B", "R only (zeros on G and B)",
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
    matches, so a new link or a return from another page (where ``_ui`` re-seeds
    ``k``) refills the box.
    """
    _ui.url_int("theta", 45, 0, 359)
    link = st.session_state[_ui.url_text("k", DEFAULT_CUSTOM.replace("\n", ";"), filters.MAX_KERNEL_TEXT)]
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
        return filters.angle_kernel(theta)
    if choice == "custom":
        text = st.text_area("One row per line; numbers separated by spaces or commas (1/9 works too)",
                            key="k_text", height=120, max_chars=filters.MAX_KERNEL_TEXT)
        try:
            kernel = filters.parse_kernel(text)
        except filters.KernelTextError as exc:  # the link keeps the last kernel that worked
            st.error(f"{exc} Until it is fixed, the page uses the course's vertical kernel.")
        else:
            st.session_state["k"] = st.session_state["_k_text_for"] = filters.format_kernel(kernel)
            return kernel
    return filters.KERNELS.get(choice, filters.VERTICAL)


def picture(choice: str) -> tuple[np.ndarray, str]:
    """The chosen image as (H, W, 3) in [0, 1] and its name; a bad or missing upload falls back."""
    if choice in imgs.SAMPLES:
        return imgs.sample_rgb(choice), IMAGE_LABELS[choice]
    if choice in imgs.SYNTHETIC:
        return imgs.synthetic_rgb(choice), IMAGE_LABELS[choice]
    fallback = imgs.sample_rgb(DEFAULT_IMAGE), IMAGE_LABELS[DEFAULT_IMAGE]
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
        st.error(f"{upload.name}: {cached[1]} Showing the cat instead.")
        return fallback
    for notice in cached[1].notices:
        st.info(notice)
    return cached[1].rgb, upload.name


def show_map(rgb: np.ndarray, caption: str, shape: tuple[int, ...]) -> None:
    """A picture coloured from a shrunk map, with the map's true size in the caption when it differs."""
    if rgb.shape[:2] != tuple(shape[:2]):
        caption += f" (computed at {shape[1]}×{shape[0]}, shown at {rgb.shape[1]}×{rgb.shape[0]})"
    st.image(rgb, caption=caption, width="stretch", output_format="JPEG")


def size_latex(n_h: int, n_w: int, f: int, p: int, s: int) -> str:
    """⌊(n + 2p − f)/s⌋ + 1 for both sides with the learner's numbers."""
    def size(n: int) -> str:
        try:
            return str(conv_output_size(n, f, p, s))
        except ValueError:
            return r"\text{none: the kernel does not fit}"

    out_h, out_w = size(n_h), size(n_w)
    return (rf"n_H' = \left\lfloor \frac{{{n_h} + 2\cdot{p} - {f}}}{{{s}}} \right\rfloor + 1 = {out_h}"
            rf",\qquad n_W' = \left\lfloor \frac{{{n_w} + 2\cdot{p} - {f}}}{{{s}}} \right\rfloor + 1 = {out_w}")


def padding_caption(f: int, s: int) -> str:
    """What "valid" and "same" padding are for this f, and that "same" keeps the size only at s = 1."""
    before, after = same_padding(filters.COURSE_SIDE, f)  # for s = 1: f − 1 cells in all, whatever n
    if before != after:
        return f"f = {f}: p = 0 is \"valid\"; an even f has no symmetric \"same\" padding."
    same = f"p = (f − 1)/2 = {before} keeps the size (\"same\")"
    if s > 1:  # ⌊(n + 2p − f)/s⌋ + 1 with 2p = f − 1 is ⌈n/s⌉
        same += f" only for s = 1: with s = {s} it gives ⌈n/{s}⌉"
    return f"f = {f}: p = 0 is \"valid\"; {same}."


def new_question() -> None:
    st.session_state["q"] = int(np.random.default_rng().integers(1, 10**6))
    st.session_state["q_guess"] = None


def select_upload() -> None:
    if st.session_state.get("upload") is not None:
        st.session_state["img"] = "upload"


def chart(fig: go.Figure, key: str) -> None:
    """A small static figure: no mode bar."""
    st.plotly_chart(fig, key=key, width="stretch", config={"displayModeBar": False})


def patch_latex(patch: filters.Patch, kernel: np.ndarray, value: float, i: int, j: int) -> str:
    """patch ⊙ kernel = products, then the sum written out (f ≤ 3) and the model's output."""
    lhs = rf"\text{{patch}}_{{{i},{j}}} \odot K = {bmatrix(patch.values)} \odot {bmatrix(kernel)} = {bmatrix(patch.products)}"
    terms = ""
    if kernel.shape[0] <= 3:
        terms = " + ".join(f"{latex_num(v)}\\cdot{latex_num(k)}" for v, k in zip(patch.values.ravel(), np.ravel(kernel)))
        terms = f"= {terms} "
    return lhs + r"\\[4pt]" + rf"\text{{output}}_{{{i},{j}}} = \textstyle\sum {terms}= {num(value).replace(MINUS, '-')}"


def show_signed(values: np.ndarray, what: str, signs: tuple[str, str] | None) -> None:
    """A signed map on the diverging scale, with what the colours mean (``signs``: words for > 0 and < 0) and its range."""
    shown = imgs.shrink(values)
    limit, largest = imgs.signed_limit(shown), float(np.abs(values).max(initial=0))
    clipped = f" (the strongest, up to {num(largest)}, are clipped)" if largest > limit else ""
    red, blue = (f" ({signs[0]})", f" ({signs[1]})") if signs else ("", "")
    show_map(imgs.diverging_rgb(shown, limit),
             f"{what}: red > 0{red}, white 0, blue < 0{blue}; full colour at ±{num(limit)}{clipped}", values.shape)


def gradient_latex(pair: str, gx: np.ndarray, gy: np.ndarray, magnitude: np.ndarray) -> str:
    """The magnitude and direction formulas with the numbers of the strongest edge pixel."""
    r, c = np.unravel_index(int(np.argmax(magnitude)), magnitude.shape)
    a, b = float(gx[r, c]), float(gy[r, c])
    theta = float(filters.edge_direction(np.float64(a), np.float64(b)))
    name = pair.capitalize()
    return (rf"\text{{strongest edge: row {r}, column {c}, where {name} gives }} G_x = {num(a).replace(MINUS, '-')},"
            rf"\ G_y = {num(b).replace(MINUS, '-')}\\[4pt]"
            rf"\sqrt{{G_x^2 + G_y^2}} = \sqrt{{{latex_num(a)}^2 + {latex_num(b)}^2}} = {num(magnitude[r, c]).replace(MINUS, '-')},"
            rf"\qquad \theta = \operatorname{{atan2}}(G_x, G_y) = {theta:.0f}^\circ")


def direction_legend() -> None:
    """The colour wheel and what θ means."""
    wheel, words = st.columns([1, 4])
    wheel.image(imgs.direction_wheel(), width=80)
    words.caption("Colour = the direction θ an edge runs, counter-clockwise from →, with the light side on "
                  "its left: the θ whose angle kernel responds most. Red (0°): horizontal, light above; "
                  "yellow-green (90°): vertical, light on the left; cyan (180°): horizontal, light below; "
                  "violet (270°): vertical, light on the right. Black: no edge.")


def volume_section(channels: np.ndarray, volume: np.ndarray, volume_map: np.ndarray, shape: tuple[int, int],
                   signs: tuple[str, str] | None) -> None:
    """The three channels, the f×f×3 filter slice by slice, and the one map they give."""
    h, w = shape
    f = volume.shape[-1]
    out_h, out_w = volume_map.shape
    st.markdown(f"A colour image is {h} × {w} × 3 (n_C = 3 channels). The filter has as many channels as the "
                f"image, f × f × n_C = {f} × {f} × 3, and gives **one** number per position: the sum over all "
                f"{f * f * 3} products. So ({h} × {w} × 3) ∗ ({f} × {f} × 3) → {out_h} × {out_w} × 1; more "
                "filters would stack more output channels.")
    cols = st.columns(4)
    for index, (col, letter) in enumerate(zip(cols, "RGB")):
        with col:
            show_map(imgs.channel_rgb(imgs.shrink(channels[index]), index), f"{letter} channel", channels[index].shape)
            st.latex(rf"W_{letter} = {bmatrix(volume[0, index])}" if f <= 5 else rf"W_{letter}: {f}\times{f}")
    with cols[3]:
        show_signed(volume_map, "One map, Σ over R, G, B", signs)
    st.caption("On a greyscale photo R = G = B, so \"R only\" gives a third of \"all\". On a colour photo, a "
               "filter on R only finds edges in redness alone.")


def flip_section(kernel: np.ndarray, flip: bool) -> None:
    """Why deep learning's "convolution" is cross-correlation, with the learner's kernel."""
    st.markdown(
        "In mathematics and signal processing, **convolution** flips the kernel before sliding it; "
        "what the course (and every deep-learning library) calls convolution does not flip: it is "
        "**cross-correlation**.")
    st.latex(r"\text{cross-correlation: } (I \star K)[i,j] = \sum_{u,v} I[i+u,\, j+v]\, K[u,v] \\[6pt]"
             r"\text{convolution: } (I * K)[i,j] = \sum_{u,v} I[i-u,\, j-v]\, K[u,v]")
    st.latex(rf"K = {bmatrix(kernel)} \qquad \text{{rotated }}180^\circ = {bmatrix(filters.flip_kernel(kernel))}")
    st.markdown(
        "True convolution is cross-correlation with the kernel rotated by 180°. A CNN **learns** its "
        "kernels by backprop, so flipping changes nothing it can learn: it would simply learn the rotated "
        "values. Skipping the flip is one step less and the code is simpler. The flip buys convolution "
        "properties such as associativity, (A ∗ B) ∗ C = A ∗ (B ∗ C), that matter in signal processing but "
        "that a CNN does not use. For the edge kernels the flip only changes the sign: light-to-dark and "
        "dark-to-light swap colours. "
        + ("**The toggle at the top is on: the 6×6 example, the filter response and the colour volume now use "
           "true convolution.** The gradient pair, the learned filters and Check yourself stay cross-correlation, "
           "as in a CNN." if flip
           else "Turn on the toggle at the top to run the chosen filter with true convolution in the 6×6 example, "
                "the filter response and the colour volume."))


def exercise_section(provider: str) -> None:
    """Predict one output value of a patch under a kernel, then check (question seed in the link)."""
    _ui.url_int("q", 1, 0, 10**6)
    ex = filters.exercise(st.session_state["q"])
    st.markdown(f"The **{KERNEL_LABELS[ex.kernel_name].split(' (')[0].lower()}** kernel sits on this patch. "
                "What number does it write into the output?")
    st.latex(rf"\text{{patch}} = {bmatrix(ex.patch)} \qquad K = {bmatrix(ex.kernel)}")
    answer = float(filters.apply_kernel(ex.patch, ex.kernel, provider=provider)[0, 0])
    guess_col, buttons = st.columns([2, 3])
    guess = guess_col.number_input("Your prediction", value=None, step=1.0, key="q_guess")
    products = " + ".join(f"{num(v)}·{num(k)}" for v, k in zip(ex.patch.ravel(), ex.kernel.ravel()))
    with buttons:
        _ui.check_answer(guess, answer, key="q", tolerance=1e-6,
                         explanation=f"Σ patch ⊙ K = {products} = {num(answer)}.")
        st.button("New question", key="q_new", on_click=new_question)
