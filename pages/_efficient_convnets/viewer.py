"""The cheap-networks page's fifth tab: one real MobileNetV2 block, channel by channel, on a photo or an upload."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._efficient_convnets import figures
from pages._efficient_convnets.state import IMAGES, sync_url
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground import runtime
from playground.edge_filters import samples
from playground.efficient_convnets import block_view
from playground.images import ImageError, load_image

IMAGE_LABELS = {k: samples.SAMPLES[k][1] for k in IMAGES if k in samples.SAMPLES} | {"upload": "Your upload"}
UPLOAD_TYPES = sorted({"png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"})
DEFAULT_IMAGE = IMAGES[0]
MOSAIC = 16  # channels shown per step
STEP_TITLES = {"input": "block input", "expand": "after the 1×1 expansion (ReLU6)",
               "depthwise": "after the 3×3 depthwise (ReLU6)", "project": "after the 1×1 projection (linear)",
               "output": "block output"}


def select_upload() -> None:
    if st.session_state.get("ec_upload") is not None:
        st.session_state["img"] = "upload"


def picture(choice: str) -> tuple[np.ndarray, str, str]:
    """The chosen image (H, W, 3) in [0, 1], its name, and a cache key; a bad or missing upload falls back."""
    if choice in samples.SAMPLES:
        return samples.sample_rgb(choice), IMAGE_LABELS[choice], f"sample:{choice}"
    fallback = samples.sample_rgb(DEFAULT_IMAGE), IMAGE_LABELS[DEFAULT_IMAGE], f"sample:{DEFAULT_IMAGE}"
    upload = st.session_state.get("ec_upload")
    if upload is None:
        st.info("No image uploaded yet: showing the cat meanwhile.")
        return fallback
    cached = st.session_state.get("_ec_upload")
    if cached is None or cached[0] != upload.file_id:  # decode once per upload, not on every rerun
        try:
            cached = (upload.file_id, load_image(upload.getvalue()))
        except ImageError as exc:
            cached = (upload.file_id, exc)
        st.session_state["_ec_upload"] = cached
    if isinstance(cached[1], ImageError):
        st.error(f"{fmt.escape(upload.name)}: {fmt.escape(cached[1], limit=400)} Showing the cat instead.")
        return fallback
    for notice in cached[1].notices:
        st.info(notice)
    return cached[1].rgb, fmt.escape(upload.name), f"upload:{upload.file_id}"


@st.cache_resource(show_spinner=False, max_entries=8)
def activations(image_key: str, side: int, k: int, provider: str, _rgb: np.ndarray) -> block_view.BlockActivations:
    """Block k's steps on one image at one side (one model run); a few images' worth kept for all visitors.

    Upload keys carry the upload's own id, which no other visitor knows.
    """
    return block_view.block_activations(block_view.to_input(_rgb, side), k, provider)


def shape_text(shape: tuple[int, int, int]) -> str:
    return "×".join(map(str, shape))


def flow(acts: block_view.BlockActivations) -> str:
    """input → expansion → depthwise → projection (→ + input) with the shapes, as LaTeX."""
    def box(stage: str) -> str:
        shape = r"\times ".join(map(str, acts.shape(stage)))
        return rf"\underset{{\text{{{stage}}}}}{{{shape}}}"
    c_in, c_exp, c_out = acts.shape("input")[2], acts.shape("depthwise")[2], acts.shape("project")[2]
    parts = [box("input")]
    if "expand" in acts.maps:
        parts.append(rf"\xrightarrow{{1\times1,\ {c_in}\to{c_exp}}} {box('expand')}")
    parts.append(rf"\xrightarrow{{3\times3\ \text{{depthwise}},\ s={acts.stride}}} {box('depthwise')}")
    parts.append(rf"\xrightarrow{{1\times1,\ {c_exp}\to{c_out}}} {box('project')}")
    if acts.residual:
        parts.append(rf"\xrightarrow{{+\ \text{{input}}}} {box('output')}")
    return " ".join(parts)


def mosaics(acts: block_view.BlockActivations) -> None:
    stages = [s for s in acts.maps if s != "output" or acts.residual]  # without the add, output = projection
    cols = st.columns(len(stages))
    for col, stage in zip(cols, stages):
        maps = acts.maps[stage]
        signed = stage in ("project", "output", "input") and float(maps.min()) < 0
        shown = min(MOSAIC, maps.shape[0])
        col.image(figures.mosaic(maps, shown, signed), output_format="JPEG", width="stretch",
                  caption=f"{STEP_TITLES[stage]}: {shape_text(acts.shape(stage))}, channels 1–{shown} of {maps.shape[0]}",
                  alt=f"A grid of {shown} feature maps of the block {stage} step, "
                      + ("red positive, blue negative" if signed else "black 0 to white the largest value"))


@st.fragment
def channel_walk(acts: block_view.BlockActivations) -> None:
    """One expanded channel through the depthwise step, then one output channel of the projection.

    A fragment: picking a channel reruns only this part, not the model or the mosaics.
    """
    c_exp, c_out = acts.shape("depthwise")[2], acts.shape("project")[2]
    for key, hi in (("ch", c_exp), ("och", c_out)):
        st.session_state[key] = min(st.session_state[key], hi)  # keep the pick inside a smaller block
    st.markdown("**Depthwise: channel c of the output comes from channel c of the input alone, through its own 3×3 "
                "filter.**")
    c = st.columns(4)[0].number_input(f"channel c (1…{c_exp})", 1, c_exp, key="ch") - 1
    cols = st.columns([4, 3, 4])
    before = acts.maps["expand"][c] if "expand" in acts.maps else acts.maps["input"][c]
    cols[0].image(figures.channel_picture(before, False), width="stretch", output_format="JPEG",
                  caption=f"channel {c + 1} {'after the expansion' if 'expand' in acts.maps else 'of the input'}",
                  alt=f"Feature map of channel {c + 1} before the depthwise step, in grey")
    cols[1].latex(rf"W_{{{c + 1}}} = {fmt.bmatrix(acts.depthwise_filters[c].round(2))}")
    cols[1].caption(f"the depthwise filter of channel {c + 1}, stride {acts.stride}")
    cols[2].image(figures.channel_picture(acts.maps["depthwise"][c], False), width="stretch", output_format="JPEG",
                  caption=f"channel {c + 1} after the depthwise 3×3 and ReLU6",
                  alt=f"Feature map of channel {c + 1} after the depthwise step, in grey")
    st.markdown(f"**Projection: each output channel is a weighted sum of all {c_exp} depthwise channels (a 1×1 conv), "
                "with no ReLU.**")
    j = st.columns(4)[0].number_input(f"output channel (1…{c_out})", 1, c_out, key="och") - 1
    sync_url()
    plot.chart(figures.projection_weights(acts.projection_weights[j], j, c), "projection_weights")
    cols = st.columns(2)
    cols[0].image(figures.channel_picture(acts.maps["project"][j], True), width="stretch", output_format="JPEG",
                  caption=f"output channel {j + 1} of the projection: red > 0, blue < 0",
                  alt=f"Projection output channel {j + 1}, red positive and blue negative")
    if acts.residual:
        cols[1].image(figures.channel_picture(acts.maps["output"][j], True), width="stretch", output_format="JPEG",
                      caption=f"channel {j + 1} after adding the block's input (the residual)",
                      alt=f"Block output channel {j + 1} after the residual add, red positive and blue negative")
    st.caption(f"The orange bar is channel {c + 1}, picked above. Grey pictures: black 0 … white the map's largest "
               "value (at most 6, ReLU6's cap). Each picture is coloured on its own scale.")


def show() -> None:
    st.header("Inside a real block")
    st.markdown("The committed MobileNetV2's own activations for one bottleneck block: expansion, depthwise and "
                "projection, computed by ONNX Runtime on a photo or your upload.")
    c = st.columns([2, 3, 2, 1])
    choice = c[0].selectbox("Image", list(IMAGE_LABELS), format_func=IMAGE_LABELS.get, key="img")
    c[1].file_uploader("…or upload your own (PNG, JPEG, WebP, GIF, BMP, TIFF; up to 10 MB)", type=UPLOAD_TYPES,
                       key="ec_upload", on_change=select_upload)
    k = c[2].slider("block", 0, block_view.block_count() - 1, key="blk")
    side = int(c[3].selectbox("input side", [str(s) for s in block_view.SIDES], key="side"))
    rgb, name, image_key = picture(choice)
    with runtime.record_runs() as runs:
        acts = activations(image_key, side, k, ui.provider(), rgb)
    st.latex(flow(acts))
    st.caption(f"{name}, centre-cropped and resized to {side}×{side}. Block {k}"
               + (" has no expansion (t = 1), as in MobileNetV2's first block." if "expand" not in acts.maps else ".")
               + ("" if acts.residual else f" Its input and output differ in shape ({shape_text(acts.shape('input'))} "
                  f"against {shape_text(acts.shape('output'))}), so it adds no residual.")
               + ("" if runs else " (Computed earlier and kept: no model ran for this view.)"))
    mosaics(acts)
    channel_walk(acts)
    ui.show_runs(runs)
