"""Sliding windows as convolution: the FC → conv conversion, and crop by crop against one pass on the same image."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._anchor_boxes import figures
from pages._anchor_boxes.widgets import bounded_number
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.anchor_boxes import sliding as sw

KEYS = ("wn", "wseed", "wi", "wj")  # URL state of this section
DEFAULT_SIDE = 28  # the course's second example: 28×28×3 gives 8×8 windows


def _layer_rows(shapes) -> list[dict]:
    return [{"layer": s.layer.name, "output": "×".join(map(str, s.out)), "weights and biases": fmt.exact(s.params),
             "multiplications": fmt.exact(s.macs)} for s in shapes]


def conversion(n: int) -> None:
    """The two networks layer by layer, drawn and in numbers."""
    fc_shapes, conv_shapes = sw.layer_shapes(sw.CROP, sw.CROP, True), sw.layer_shapes(n, n, False)
    plot.chart(figures.conversion_figure(fc_shapes, conv_shapes, n), "w_conversion",
               alt=f"The FC model on one {sw.CROP}×{sw.CROP} window and the converted all-conv model on the "
                   f"{n}×{n} image, layer by layer, with each layer's output shape")
    fc1 = next(s for s in fc_shapes if s.layer.name == "fc1")
    conv_fc1 = next(s for s in conv_shapes if s.layer.name == "fc1 as conv")
    g = sw.window_grid(n)
    st.markdown(
        f"FC 400 on the 5×5×16 volume has {fmt.exact(fc1.params)} weights and biases; a 5×5 convolution with 400 "
        f"filters on the same volume has {fmt.exact(conv_fc1.params)} and outputs 1×1×400: the same "
        "numbers arranged as filters. The next FC layers become 1×1 convolutions. Nothing else changes, so the "
        f"converted network accepts any input: on {n}×{n}×3 its output is {g}×{g}×4, one answer per 14×14 window, "
        f"windows {sw.window_stride()} pixels apart (the max-pool's stride).")
    left, right = st.columns(2)
    left.caption("With FC layers, on one 14×14×3 crop")
    left.dataframe(_layer_rows(fc_shapes), hide_index=True, key="w_fc_table")
    right.caption(f"Converted, on the {n}×{n}×3 image")
    right.dataframe(_layer_rows(conv_shapes), hide_index=True, key="w_conv_table")


@st.cache_data(max_entries=256, show_spinner=False)
def window_image(seed: int, n: int) -> np.ndarray:
    return sw.window_image(seed, n)


@st.cache_data(max_entries=256, show_spinner=False)
def both_runs(seed: int, n: int, provider: str) -> tuple[sw.WindowRun, sw.WindowRun]:
    """Crop by crop and one pass on one image, run (and timed) once per image and provider on this server."""
    image = window_image(seed, n)
    return sw.classify_crop_by_crop(image, provider), sw.classify_one_pass(image, provider)


def compare(n: int, seed: int) -> None:
    """Both ways on the same image: the outputs, their difference, multiplications and time."""
    image = window_image(seed, n)
    crop_run, pass_run = both_runs(seed, n, ui.provider())
    g = crop_run.probs.shape[0]
    cols = st.columns([1, 1])
    i = bounded_number(cols[0], f"window row (1–{g})", 1, g, ui.url_int("wi", 1, 1, 64))
    j = bounded_number(cols[1], f"window column (1–{g})", 1, g, ui.url_int("wj", 1, 1, 64))
    if ui.missing(i, j):
        return
    i, j = i - 1, j - 1
    left, mid, right = st.columns([1.2, 1, 1])
    origins = sw.window_origins(n)
    left.image(figures.windows_picture(image, origins, sw.CROP, (i, j)),
               caption=f"{n}×{n} image; dots: the centres of the {g}×{g} windows; green: window ({i + 1}, {j + 1}), "
                       f"pixels {origins[i] + 1}–{origins[i] + sw.CROP} down, {origins[j] + 1}–{origins[j] + sw.CROP} across",
               alt=f"The {n}×{n} image with the {g}×{g} window centres dotted and window ({i + 1}, {j + 1}) outlined")
    with mid:
        plot.chart(figures.class_map(crop_run.probs, sw.WINDOW_CLASSES, "crop by crop (FC model)", (i, j)), "w_crops")
    with right:
        plot.chart(figures.class_map(pass_run.probs, sw.WINDOW_CLASSES, "one pass (converted model)", (i, j)), "w_pass")
    diff = float(np.abs(crop_run.probs.astype(np.float64) - pass_run.probs).max())
    same = bool((crop_run.probs.argmax(2) == pass_run.probs.argmax(2)).all())
    crop = sw.crops(image)[i, j]
    c1, c2 = st.columns([1, 3])
    c1.image(figures.crop_picture(crop), caption=f"window ({i + 1}, {j + 1}) as the FC model sees it",
             alt=f"The {sw.CROP}×{sw.CROP} crop of window ({i + 1}, {j + 1}), enlarged")
    c2.dataframe([{"class": name, "crop by crop": f"{crop_run.probs[i, j, k]:.6f}",
                   "one pass": f"{pass_run.probs[i, j, k]:.6f}"} for k, name in enumerate(sw.WINDOW_CLASSES)],
                 hide_index=True, key="w_probs")
    c2.markdown(f"Over all {g * g} windows × {len(sw.WINDOW_CLASSES)} classes the largest difference between the two "
                f"runs is **{diff:.2g}** (float32 rounding); the most likely class is "
                + ("the same in every window." if same else "different in some window."))
    macs_crops, macs_pass = sw.crop_macs(n), sw.one_pass_macs(n)
    st.dataframe([
        {"way": f"crop by crop: {crop_run.calls} runs of the FC model", "multiplications": fmt.exact(macs_crops),
         "time measured (ms)": f"{crop_run.seconds * 1e3:.1f}"},
        {"way": "one pass of the converted model", "multiplications": fmt.exact(macs_pass),
         "time measured (ms)": f"{pass_run.seconds * 1e3:.1f}"}], hide_index=True, key="w_costs")
    st.caption(
        f"One pass needs {fmt.ratio(macs_crops / macs_pass)}× fewer multiplications here: neighbouring windows overlap, "
        "and the convolution computes each shared part once instead of once per window. The times include "
        "cutting the crops and each call's overhead; they were measured on this server the first time this image "
        "was shown (then kept, so that picking another window does not run both again).")


def show() -> None:
    """The whole section (the page runs it as a fragment)."""
    st.header("Sliding windows as convolution")
    st.markdown(
        "A sliding-window detector crops a window, classifies it, moves the window and classifies again. "
        "The course's classifier reads a 14×14×3 crop and answers one of four classes (here: background, "
        "ellipse, rectangle, triangle). Done crop by crop, overlapping windows repeat most of the work.")
    cols = st.columns(2)
    sides = [str(v) for v in range(sw.WINDOW_SIZES[0], sw.WINDOW_SIZES[1] + 1, 2)]
    n = int(cols[0].select_slider("image side n (pixels)", sides, key=ui.url_choice("wn", str(DEFAULT_SIDE), sides)))
    seed = ui.number_field("image seed", 0, 999, key=ui.url_int("wseed", 0, 0, 999), container=cols[1])
    conversion(n)
    if not ui.missing(seed):
        compare(n, seed)
