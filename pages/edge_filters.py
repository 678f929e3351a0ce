"""Edge filters: a small filter slides over an image and finds edges; every filter runs through ONNX."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from pages import _edge_views as views
from pages import _ui
from playground import depth_experiment as dx
from playground import edge_images as imgs
from playground import filters, learned_filters, runtime
from playground.manifest import ModelUnavailable

LEARNED_SIDE = 256  # the picture is shrunk to this before the 16 learned filters run on it


def controls() -> tuple[str, np.ndarray, np.ndarray, int, int, bool]:
    """Filter, padding, stride and flip: (choice, kernel, kernel as applied, p, s, flip)."""
    left, middle, right = st.columns([5, 3, 3], gap="large")
    with left:
        choice = st.selectbox("Filter", list(views.KERNEL_LABELS), format_func=views.KERNEL_LABELS.get,
                              key=_ui.url_choice("kern", "vertical", list(views.KERNEL_LABELS)))
        kernel = views.chosen_kernel(choice)
    f = kernel.shape[0]
    with middle:
        p = st.slider("Padding p (zeros around the image)", 0, views.MAX_PADDING,
                      key=_ui.url_int("p", 0, 0, views.MAX_PADDING))
        s = st.slider("Stride s", 1, views.MAX_STRIDE, key=_ui.url_int("s", 1, 1, views.MAX_STRIDE))
        st.caption(views.padding_caption(f, s))
    with right:
        flip = st.toggle("True convolution (flip)", key=_ui.url_bool("conv", False),
                         help="On: rotate the kernel 180° before sliding it, as mathematics does. Off: cross-correlation, "
                              "what deep learning calls convolution. See section 4.")
        applied = filters.flip_kernel(kernel) if flip else kernel
        views.chart(views.grid(applied, "Kernel applied" + (", rotated 180°" if flip else ""), signed=True),
                    "kernel_fig")
    return choice, kernel, applied, p, s, flip


def course_example(applied: np.ndarray, p: int, s: int, signs: tuple[str, str] | None) -> None:
    """The 6×6 example with every number, and the picker that writes one output cell out."""
    dark_left = st.toggle("Mirror it: dark on the left, light on the right", key=_ui.url_bool("dl", False))
    image = filters.course_example(dark_left)
    f = applied.shape[0]
    n = filters.COURSE_SIDE
    st.latex(views.size_latex(n, n, f, p, s))
    try:
        out_h, out_w = filters.output_shape(image.shape, f, p, s)
    except ValueError:
        st.warning(f"The {f}×{f} kernel does not fit in the {n + 2 * p}×{n + 2 * p} padded image: "
                   "add padding or choose a smaller kernel.")
        return
    out = filters.apply_kernel(image, applied, p, s, provider=_ui.provider())
    pickers = st.columns(4)
    for col, key, hi, label in ((pickers[0], "pi", out_h - 1, "Output row i"),
                                (pickers[1], "pj", out_w - 1, "Output column j")):
        _ui.url_int(key, 0 if key == "pi" else 1, 0, views.MAX_PICK)
        st.session_state[key] = min(st.session_state[key], hi)  # the output may have shrunk
        col.number_input(label, 0, hi, step=1, key=key)
    i, j = st.session_state["pi"], st.session_state["pj"]
    patch = filters.patch_at(image, applied, i, j, p, s)
    a, b, c = st.columns([4, 3, 3])
    with a:
        views.chart(views.grid(np.pad(image, p), "Input, padded" if p else "Input 6×6", signed=False,
                               highlight=(patch.top, patch.left, f), padding=p), "ex_input")
    with b:
        views.chart(views.grid(applied, "Kernel", signed=True), "ex_kernel")
    with c:
        views.chart(views.grid(out, f"Output {out_h}×{out_w}", signed=True, highlight=(i, j, 1)), "ex_output")
    st.latex(views.patch_latex(patch, applied, out[i, j], i, j))
    meaning = (f" With this kernel red means {signs[0]}, blue {signs[1]}: mirror the image and the sign flips."
               if signs else "")
    st.caption(f"Red > 0, blue < 0.{meaning}")


def on_a_picture(applied: np.ndarray, p: int, s: int, flip: bool, signs: tuple[str, str] | None) -> None:
    """The filter, the gradient pair and the colour volume on a photo, a pattern or an upload."""
    pick, upload = st.columns([2, 3])
    choice = pick.selectbox("Image", list(views.IMAGE_LABELS), format_func=views.IMAGE_LABELS.get,
                            key=_ui.url_choice("img", views.DEFAULT_IMAGE, list(views.IMAGE_LABELS)))
    upload.file_uploader("…or upload your own (PNG, JPEG, WebP, GIF, BMP, TIFF; up to 10 MB)",
                         type=views.UPLOAD_TYPES, key="upload", on_change=views.select_upload)
    rgb, name = views.picture(choice)
    gray, channels = imgs.to_pixels(rgb)  # (H, W) and (3, H, W), pixel values 0–255
    f = applied.shape[0]
    st.latex(views.size_latex(*gray.shape, f, p, s))
    try:
        filters.output_shape(gray.shape, f, p, s)
    except ValueError:
        st.warning("The kernel is larger than this padded image: add padding, or choose a bigger image or a smaller kernel.")
        return
    provider = _ui.provider()
    response = filters.apply_kernel(gray, applied, p, s, provider=provider)
    shown, mapped = st.columns(2)
    with shown:
        views.show_map(imgs.gray_rgb(imgs.shrink(gray), 255), f"{name}, in grey (0 black … 255 white)", gray.shape)
    with mapped:
        views.show_signed(response, "Filter response", signs)

    st.subheader("Both directions at once: gradient magnitude and direction")
    pair = st.radio("Gradient pair", ["sobel", "scharr"], horizontal=True, format_func=str.capitalize,
                    key=_ui.url_choice("grad", "sobel", ["sobel", "scharr"]))
    if flip:
        st.caption("The gradient pair is never flipped: θ and its colours are defined with cross-correlation.")
    pair_kernels = np.stack([filters.KERNELS[f"{pair}_x"], filters.KERNELS[f"{pair}_y"]])
    gx, gy = filters.apply_kernels(gray, pair_kernels, p, s, provider=provider)  # one call, K = 2
    magnitude = filters.gradient_magnitude(gx, gy)
    st.latex(views.gradient_latex(pair, gx, gy, magnitude))
    small_mag = imgs.shrink(magnitude)  # pictures are coloured at browser size
    small_dir = filters.edge_direction(imgs.shrink(gx), imgs.shrink(gy))
    mag_col, dir_col = st.columns(2)
    with mag_col:
        views.show_map(imgs.gray_rgb(small_mag, float(magnitude.max())),
                       f"Magnitude √(Gx² + Gy²): black 0 … white {views.num(magnitude.max())}", magnitude.shape)
    with dir_col:
        views.show_map(imgs.direction_rgb(small_dir, small_mag),
                       "Direction θ = atan2(Gx, Gy) as colour, strength as brightness", magnitude.shape)
        views.direction_legend()

    learned_section(gray, provider)

    st.header("3 · A colour image is a volume: n_H × n_W × 3")
    mode = st.radio("The f × f × 3 filter has", list(views.CHANNELS), horizontal=True,
                    format_func=views.CHANNELS.get, key=_ui.url_choice("rgbw", "all", list(views.CHANNELS)))
    volume = filters.volume_filter(applied, mode)  # (1, 3, f, f)
    volume_map = filters.conv2d(channels[None], volume, None, s, p, provider=provider)[0, 0]
    views.volume_section(channels, volume, volume_map, gray.shape, signs)


def learned_grid(kernels: np.ndarray, titles: list[str]) -> go.Figure:
    """K small heatmaps (f × f) on one diverging scale, two rows."""
    cols = (len(kernels) + 1) // 2
    fig = make_subplots(rows=2, cols=cols, subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=0.12)
    limit = float(np.abs(kernels).max())
    for i, k in enumerate(kernels):
        fig.add_trace(go.Heatmap(z=k, zmin=-limit, zmax=limit, colorscale=imgs.DIVERGING_SCALE, showscale=False,
                                 hovertemplate="row %{y}, column %{x}: %{z:.3f}<extra></extra>"),
                      row=i // cols + 1, col=i % cols + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed", scaleanchor="x")
    fig.update_annotations(font_size=11)
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def learned_section(gray: np.ndarray, provider: str) -> None:
    """The first-layer filters of a trained network, next to the hand-made ones, run on the picture."""
    st.subheader("Filters nobody typed: learned by backprop")
    st.markdown(
        "In a CNN the filter values are **parameters**: backprop learns them. These are the 3×3 filters of "
        "the first layer of a network from the residual-block page, trained on scikit-learn's 8×8 "
        "handwritten digits (batch-norm folded in). Each is compared with the closest hand-made kernel "
        "above by the cosine of the angle between them (1: same pattern, −1: same edge with light and dark "
        "swapped, near 0: nothing alike).")
    names = [dx.model_name(d, r) for d in dx.depths() for r in (True, False)]
    name = st.selectbox("Trained network", names, format_func=lambda n: n.replace("depth_", "").replace("_", ", ") +
                        " layers", key=_ui.url_choice("lf", learned_filters.DEFAULT_MODEL, names))
    try:
        w, b = learned_filters.first_layer(name)  # (16, 1, 3, 3), (16,)
        kernels = learned_filters.learned_kernels(name)  # (16, 3, 3): the grey input's one channel
    except ModelUnavailable as exc:
        st.error(str(exc))
        return
    matches = [learned_filters.closest_kernel(k, filters.KERNELS) for k in kernels]
    titles = [f"#{i} ≈ {m} {c:+.2f}" for i, (m, c) in enumerate(matches)]
    views.chart(learned_grid(kernels, titles), "learned_fig")
    best = int(np.argmax([abs(c) for _, c in matches]))
    st.caption(f"Most edge-like: filter #{best}, cosine {matches[best][1]:+.2f} with "
               f"{views.KERNEL_LABELS[matches[best][0]].split(' (')[0]}. Colours: red > 0, blue < 0.")
    x = imgs.shrink(gray, LEARNED_SIDE) / 255.0  # 0…1, as the network saw its digits
    a1 = np.maximum(filters.conv2d(x[None, None], w, b, 1, 1, provider=provider)[0], 0)  # (16, H, W), one call
    st.image([imgs.gray_rgb(a, float(a.max())) for a in a1], caption=[f"#{i}" for i in range(len(a1))],
             width=110, output_format="JPEG")
    st.caption(f"The first layer's 16 feature maps a = ReLU(W ∗ x + b) on the picture (shrunk to "
               f"{x.shape[1]}×{x.shape[0]}, pixels scaled to 0…1, p = 1; black 0 … white the map's largest value), "
               "from one ONNX Runtime call with K = 16.")


st.title("Edge filters")
st.markdown(
    "The course's first picture of convolution: a small **filter** (or **kernel**) of f × f numbers slides "
    "over the image; at each position the patch under it is multiplied element by element with the "
    "filter and summed into one output number. The vertical-edge filter asks \"is it light on the left "
    "and dark on the right here?\". Pick a filter, padding p and stride s: sections 1 to 3 use them (the "
    "learned filters keep the p = 1, s = 1 they were trained with), and every output is computed by ONNX "
    "Runtime with the kernel as the model's input.")
link_notice = st.empty()  # filled at the end, once every widget has read its value from the link
with runtime.record_runs() as runs:
    with st.container(border=True):
        choice, kernel, applied, p, s, flip = controls()
    signs = views.sign_words(choice, flip)  # what red and blue mean for the applied kernel, if it can be said
    st.header("1 · The course's 6×6 example, one cell at a time")
    course_example(applied, p, s, signs)
    st.header("2 · On a picture")
    on_a_picture(applied, p, s, flip, signs)
    st.header("4 · Convolution or cross-correlation?")
    views.flip_section(kernel, flip)
    st.header("Check yourself")
    views.exercise_section(_ui.provider())
_ui.show_runs(runs)
with link_notice.container():
    _ui.url_notice()
_ui.sync_url(["kern", "p", "s", "conv", "dl", "pi", "pj", "img", "grad", "lf", "rgbw", "q"]
             + {"angle": ["theta"], "custom": ["k"]}.get(choice, []))  # θ and k only in use: shorter links
