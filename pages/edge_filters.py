"""Edge filters: a small filter slides over an image and finds edges; every filter runs through ONNX."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages import _edge_views as views
from pages import _ui
from playground import edge_images as imgs
from playground import filters, runtime


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
        same = (f"p = (f − 1)/2 = {(f - 1) // 2} keeps the size (\"same\")" if f % 2
                else "an even f has no symmetric \"same\" padding")
        st.caption(f"f = {f}: p = 0 is \"valid\"; {same}.")
    with right:
        flip = st.toggle("True convolution (flip)", key=_ui.url_bool("conv", False),
                         help="On: rotate the kernel 180° before sliding it, as mathematics does. Off: cross-correlation, "
                              "what deep learning calls convolution. See section 4.")
        applied = filters.flip_kernel(kernel) if flip else kernel
        views.chart(views.grid(applied, "Kernel applied" + (", rotated 180°" if flip else ""), signed=True),
                    "kernel_fig")
    return choice, kernel, applied, p, s, flip


def course_example(applied: np.ndarray, p: int, s: int) -> None:
    """The 6×6 example with every number, and the picker that writes one output cell out."""
    dark_left = st.toggle("Mirror it: dark on the left, light on the right", key=_ui.url_bool("dl", False))
    image = filters.course_example(dark_left)
    f = applied.shape[0]
    st.latex(views.size_latex(6, 6, f, p, s))
    try:
        out_h, out_w = filters.output_shape(image.shape, f, p, s)
    except ValueError:
        st.warning(f"The {f}×{f} kernel does not fit in the {6 + 2 * p}×{6 + 2 * p} padded image: "
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
    st.caption("Red > 0, blue < 0. With the vertical kernel, positive means light on the left and dark on the "
               "right (its 1s are on the left): mirror the image and the sign flips.")


def on_a_picture(applied: np.ndarray, p: int, s: int, flip: bool) -> None:
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
        views.show_signed(response, "Filter response")

    st.subheader("Both directions at once: gradient magnitude and direction")
    pair = st.radio("Gradient pair", ["sobel", "scharr"], horizontal=True, format_func=str.capitalize,
                    key=_ui.url_choice("grad", "sobel", ["sobel", "scharr"]))
    pair_kernels = np.stack([filters.KERNELS[f"{pair}_x"], filters.KERNELS[f"{pair}_y"]])
    if flip:
        pair_kernels = pair_kernels[:, ::-1, ::-1]
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

    # Learned first-layer filters of a trained model go here, next to the hand-made ones.

    st.header("3 · A colour image is a volume: n_H × n_W × 3")
    mode = st.radio("The f × f × 3 filter has", list(views.CHANNELS), horizontal=True,
                    format_func=views.CHANNELS.get, key=_ui.url_choice("rgbw", "all", list(views.CHANNELS)))
    volume = filters.volume_filter(applied, mode)  # (1, 3, f, f)
    volume_map = filters.conv2d(channels[None], volume, None, s, p, provider=provider)[0, 0]
    views.volume_section(channels, volume, volume_map, gray.shape)


st.title("Edge filters")
st.markdown(
    "The course's first picture of convolution: a small **filter** (or **kernel**) of f × f numbers slides "
    "over the image; at each position the patch under it is multiplied element by element with the "
    "filter and summed into one output number. The vertical-edge filter asks \"is it light on the left "
    "and dark on the right here?\". Pick a filter, padding p and stride s: every section uses them, and "
    "every output is computed by ONNX Runtime with the kernel as the model's input.")
link_notice = st.empty()  # filled at the end, once every widget has read its value from the link
with runtime.record_runs() as runs:
    with st.container(border=True):
        choice, kernel, applied, p, s, flip = controls()
    st.header("1 · The course's 6×6 example, one cell at a time")
    course_example(applied, p, s)
    st.header("2 · On a picture")
    on_a_picture(applied, p, s, flip)
    st.header("4 · Convolution or cross-correlation?")
    views.flip_section(kernel, flip)
    st.header("Check yourself")
    views.exercise_section(_ui.provider())
_ui.show_runs(runs)
with link_notice.container():
    _ui.url_notice()
_ui.sync_url(["kern", "p", "s", "conv", "dl", "pi", "pj", "img", "grad", "rgbw", "q"]
             + {"angle": ["theta"], "custom": ["k"]}.get(choice, []))
