"""The edge-filter page's pictures: the filter on a photo, the gradient pair, learned filters, the RGB volume."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._edge_filters import figures, latex
from pages._edge_filters.controls import (
    CHANNELS,
    DEFAULT_IMAGE,
    IMAGE_LABELS,
    KERNEL_LABELS,
    UPLOAD_TYPES,
    picture,
    select_upload,
)
from pages._shared import colour, media, plot, ui
from pages._shared import format as fmt
from playground import edge_filters
from playground.edge_filters import learned, samples
from playground.manifest import ModelUnavailable

LEARNED_SIDE = 256  # the picture is shrunk to this before the 16 learned filters run on it
FEATURE_MAP_WIDTH = 110  # pixels each of the 16 feature maps is shown at


def show_map(picture: tuple[bytes, tuple[int, ...]], caption: str, shape: tuple[int, ...], alt: str) -> None:
    """An encoded picture (JPEG bytes, shown (H, W)) of a map, with the map's true size in the caption when it differs.

    ``alt`` says what the picture shows, for a screen reader (the caption says how to read it).
    """
    data, shown = picture
    if tuple(shown[:2]) != tuple(shape[:2]):
        caption += f" (computed at {shape[1]}×{shape[0]}, shown at {shown[1]}×{shown[0]})"
    st.image(data, caption=caption, width="stretch", alt=alt)


def encoded(rgb: np.ndarray) -> tuple[bytes, tuple[int, ...]]:
    """(H, W, 3) uint8 → (JPEG bytes, (H, W)), what :func:`show_map` shows."""
    return media.jpeg(rgb), rgb.shape[:2]


def _signed_picture(values: np.ndarray, strongest: float) -> tuple[tuple[bytes, tuple[int, ...]], float, float]:
    shown = samples.shrink(values)
    limit = colour.signed_limit(shown, strongest)
    return encoded(colour.diverging_rgb(shown, limit)), limit, float(np.abs(values).max(initial=0))


def show_signed(values: np.ndarray, what: str, signs: tuple[str, str] | None, kernel: np.ndarray) -> None:
    """A signed map on the diverging scale, with what the colours mean (``signs``: words for > 0 and < 0) and its range.

    The range is at least a small share of the strongest response ``kernel`` can give on 0–255 pixels, so
    near-zero responses look near zero.
    """
    strongest = edge_filters.strongest_response(kernel)
    picture, limit, largest = media.reuse(media.digest("signed", values, strongest),
                                          lambda: _signed_picture(values, strongest))
    clipped = f" (the strongest, up to {fmt.num(largest)}, are clipped)" if largest > limit else ""
    red, blue = (f" ({signs[0]})", f" ({signs[1]})") if signs else ("", "")
    show_map(picture, f"{what}: red > 0{red}, white 0, blue < 0{blue}; full colour at ±{fmt.num(limit)}{clipped}",
             values.shape, alt=f"{what} as a colour map of the picture: red where it is positive, blue where negative")


@st.cache_resource(show_spinner=False)
def _wheel() -> bytes:
    return media.jpeg(colour.direction_wheel())


def direction_legend() -> None:
    """The colour wheel and what θ means."""
    wheel, words = st.columns([1, 4])
    wheel.image(_wheel(), width=80, alt="Colour wheel: the colour that marks each edge direction θ")
    words.caption("Colour = the direction θ an edge runs, counter-clockwise from →, with the light side on "
                  "its left: the θ whose angle kernel responds most. Red (0°): horizontal, light above; "
                  "yellow-green (90°): vertical, light on the left; cyan (180°): horizontal, light below; "
                  "violet (270°): vertical, light on the right. Black: no edge.")


def on_a_picture(applied: np.ndarray, p: int, s: int, flip: bool, signs: tuple[str, str] | None) -> None:
    """The filter, the gradient pair and the colour volume on a photo, a pattern or an upload."""
    pick, upload = st.columns([2, 3])
    choice = pick.selectbox("Image", list(IMAGE_LABELS), format_func=IMAGE_LABELS.get,
                            key=ui.url_choice("img", DEFAULT_IMAGE, list(IMAGE_LABELS)))
    upload.file_uploader("…or upload your own (PNG, JPEG, WebP, GIF, BMP, TIFF; up to 10 MB)",
                         type=UPLOAD_TYPES, key="upload", on_change=select_upload)
    rgb, name = picture(choice)
    gray, channels = samples.to_pixels(rgb)  # (H, W) and (3, H, W), pixel values 0–255
    image_key = media.digest(gray)  # names the picture in the keys of what is drawn from it
    f = applied.shape[0]
    st.latex(latex.size_latex(*gray.shape, f, p, s))
    try:
        edge_filters.output_shape(gray.shape, f, p, s)
    except ValueError:
        st.warning("The kernel is larger than this padded image: add padding, or choose a bigger image or a smaller kernel.")
        return
    provider = ui.provider()
    with ui.listed("2 · The filter on the picture"):
        response = edge_filters.apply_kernel(gray, applied, p, s, provider=provider)
    shown, mapped = st.columns(2)
    with shown:
        show_map(media.reuse(media.digest("grey", image_key), lambda: encoded(colour.gray_rgb(samples.shrink(gray), 255))),
                 f"{name}, in grey (0 black … 255 white)", gray.shape, alt="The chosen picture in grey")
    with mapped:
        show_signed(response, "Filter response", signs, applied)
    gradient_section(gray, p, s, flip, provider)
    learned_section(gray, image_key, provider)
    st.header("3 · A colour image is a volume: n_H × n_W × 3")
    volume_section(applied, p, s, channels, image_key, signs, provider)


@ui.section("2 · Gradient magnitude and direction")
def gradient_section(gray: np.ndarray, p: int, s: int, flip: bool, provider: str) -> None:
    """Sobel or Scharr in both directions at once: the magnitude and direction of the edges."""
    st.subheader("Both directions at once: gradient magnitude and direction")
    pair = st.radio("Gradient pair", ["sobel", "scharr"], horizontal=True, format_func=str.capitalize,
                    key=ui.url_choice("grad", "sobel", ["sobel", "scharr"]))
    if flip:
        st.caption("The gradient pair is never flipped: θ and its colours are defined with cross-correlation.")
    pair_kernels = np.stack([edge_filters.KERNELS[f"{pair}_x"], edge_filters.KERNELS[f"{pair}_y"]])
    gx, gy = edge_filters.apply_kernels(gray, pair_kernels, p, s, provider=provider)  # one call, K = 2
    magnitude = edge_filters.gradient_magnitude(gx, gy)
    st.latex(latex.gradient_latex(pair, gx, gy, magnitude))
    mag_picture, dir_picture = media.reuse(media.digest("gradient", gx, gy), lambda: _gradient_pictures(gx, gy, magnitude))
    mag_col, dir_col = st.columns(2)
    with mag_col:
        show_map(mag_picture, f"Magnitude √(Gx² + Gy²): black 0 … white {fmt.num(magnitude.max())}", magnitude.shape,
                 alt="Gradient magnitude of the picture: bright where its edges are strong, black where it is flat")
    with dir_col:
        show_map(dir_picture, "Direction θ = atan2(Gx, Gy) as colour, strength as brightness", magnitude.shape,
                 alt="Edge direction of the picture: each edge coloured by the way it runs, brighter where stronger")
        direction_legend()


def _gradient_pictures(gx: np.ndarray, gy: np.ndarray, magnitude: np.ndarray) -> tuple:
    """The magnitude in grey and the direction as hue, coloured at browser size."""
    small_mag = samples.shrink(magnitude)
    small_dir = edge_filters.edge_direction(samples.shrink(gx), samples.shrink(gy))
    return (encoded(colour.gray_rgb(small_mag, float(magnitude.max()))),
            encoded(colour.direction_rgb(small_dir, small_mag)))


@st.cache_resource(max_entries=len(learned.NETWORKS), show_spinner=False)
def _matches(name: str) -> list[tuple[str, float]]:
    """The closest hand-made kernel of each learned one (read-only: shared by every visitor)."""
    return [learned.closest_kernel(k, edge_filters.KERNELS) for k in learned.learned_kernels(name)]


@ui.section("2 · Filters learned by backprop")
def learned_section(gray: np.ndarray, image_key: str, provider: str) -> None:
    """The first-layer filters of a trained network, next to the hand-made ones, run on the picture."""
    st.subheader("Filters nobody typed: learned by backprop")
    st.markdown(
        "In a CNN the filter values are **parameters**: backprop learns them. These are the 3×3 filters of "
        "the first layer of a network from the residual-block page, trained on scikit-learn's 8×8 "
        "handwritten digits (batch-norm folded in). Each is compared with the closest hand-made kernel "
        "above by the cosine of the angle between them (1: same pattern, −1: same edge with light and dark "
        "swapped, near 0: nothing alike).")
    names = list(learned.NETWORKS)
    name = st.selectbox("Trained network", names, format_func=lambda n: n.replace("depth_", "").replace("_", ", ") +
                        " layers", key=ui.url_choice("lf", learned.DEFAULT_MODEL, names))
    try:
        w, b = learned.first_layer(name)  # (16, 1, 3, 3), (16,)
        matches = _matches(name)
    except ModelUnavailable as exc:
        st.error(str(exc))
        return
    titles = [f"#{i} ≈ {m} {c:+.2f}" for i, (m, c) in enumerate(matches)]
    plot.chart(figures.learned_grid(learned.learned_kernels(name), titles), "learned_fig")
    best = int(np.argmax([abs(c) for _, c in matches]))
    st.caption(f"Most edge-like: filter #{best}, cosine {matches[best][1]:+.2f} with "
               f"{KERNEL_LABELS[matches[best][0]].split(' (')[0]}. Colours: red > 0, blue < 0.")
    x = samples.shrink(gray, LEARNED_SIDE) / 255.0  # 0…1, as the network saw its digits
    a1 = np.maximum(edge_filters.conv2d(x[None, None], w, b, 1, 1, provider=provider)[0], 0)  # (16, H, W), one call
    # The maps depend only on the picture, the network and where it ran: keyed by those, not by 16 maps' bytes.
    maps = media.reuse(media.digest("learned", image_key, name, provider),
                       lambda: [media.jpeg(colour.gray_rgb(a, float(a.max())), FEATURE_MAP_WIDTH) for a in a1])
    st.image(maps, caption=[f"#{i}" for i in range(len(a1))], width=FEATURE_MAP_WIDTH,
             alt=[f"Feature map #{i} of the learned layer on the picture, bright where filter #{i} responds"
                  for i in range(len(a1))])
    st.caption(f"The first layer's 16 feature maps a = ReLU(W ∗ x + b) on the picture (shrunk to "
               f"{x.shape[1]}×{x.shape[0]}, pixels scaled to 0…1, p = 1; black 0 … white the map's largest value), "
               "from one ONNX Runtime call with K = 16.")


@ui.section("3 · A colour image is a volume")
def volume_section(applied: np.ndarray, p: int, s: int, channels: np.ndarray, image_key: str,
                   signs: tuple[str, str] | None, provider: str) -> None:
    """The three channels, the f×f×3 filter slice by slice, and the one map they give."""
    mode = st.radio("The f × f × 3 filter has", list(CHANNELS), horizontal=True,
                    format_func=CHANNELS.get, key=ui.url_choice("rgbw", "all", list(CHANNELS)))
    volume = edge_filters.volume_filter(applied, mode)  # (1, 3, f, f)
    volume_map = edge_filters.conv2d(channels[None], volume, None, s, p, provider=provider)[0, 0]
    h, w = channels.shape[1:]
    f = volume.shape[-1]
    out_h, out_w = volume_map.shape
    st.markdown(f"A colour image is {h} × {w} × 3 (n_C = 3 channels). The filter has as many channels as the "
                f"image, f × f × n_C = {f} × {f} × 3, and gives **one** number per position: the sum over all "
                f"{f * f * 3} products. So ({h} × {w} × 3) ∗ ({f} × {f} × 3) → {out_h} × {out_w} × 1; more "
                "filters would stack more output channels.")
    cols = st.columns(4)
    for index, (col, letter) in enumerate(zip(cols, "RGB")):
        with col:
            picture = media.reuse(media.digest("channel", image_key, index),
                                  lambda index=index: encoded(colour.channel_rgb(samples.shrink(channels[index]), index)))
            show_map(picture, f"{letter} channel", channels[index].shape,
                     alt=f"The picture's {('red', 'green', 'blue')[index]} channel")
            st.latex(rf"W_{letter} = {fmt.bmatrix(volume[0, index])}" if f <= 5 else rf"W_{letter}: {f}\times{f}")
    with cols[3]:
        show_signed(volume_map, "One map, Σ over R, G, B", signs, volume)
    st.caption("On a greyscale photo R = G = B, so \"R only\" gives a third of \"all\". On a colour photo, a "
               "filter on R only finds edges in redness alone.")
