"""The shape arithmetic, the anchor explorer and "check yourself"."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._anchor_boxes import figures
from pages._anchor_boxes.scene import SceneView
from pages._anchor_boxes.widgets import bounded_number
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.anchor_boxes import (
    CLASS_NAMES,
    IMAGE_SIZE,
    Target,
    assign,
    detector_record,
    detector_spec,
    elbow,
    output_shape,
    training_box_shapes,
)
from playground.anchor_boxes.shapes import forward_shapes, layers_from_record, yolo_output
from playground.conv_shape import ShapeError

ARITHMETIC_KEYS = ("aS", "aB", "aC", "inh", "inw")
EXPLORER_KEYS = ("kx",)
QUIZ_KEYS = ("qobj",)
MAX_SIDE = 1024  # input sides the arithmetic accepts
RUN_LIMIT = 640  # the detector is run to confirm the shape up to this side (a 40×40 grid)
YOLO_V2 = {"k5": 61.0, "hand9": 60.9, "k9": 67.2}  # Redmon & Farhadi 2017, Table 1: mean IoU (%) on VOC 2007


@st.cache_data(max_entries=64, show_spinner=False)
def model_output_shape(n_h: int, n_w: int, provider: str) -> tuple[int, ...]:
    """The committed detector's output shape for a blank input, run once per size (the model does not change)."""
    return output_shape(n_h, n_w, provider)


def arithmetic() -> None:
    """S×S×B×(5 + C) for any S, B, C, and the detector's grid for any input size."""
    st.header("Shape arithmetic")
    cols = st.columns(3)
    s = ui.number_field("S (grid)", 1, 100, key=ui.url_int("aS", 19, 1, 100), container=cols[0])
    b = ui.number_field("B (anchors)", 1, 20, key=ui.url_int("aB", 5, 1, 20), container=cols[1])
    c = ui.number_field("C (classes)", 0, 1000, key=ui.url_int("aC", 80, 0, 1000), container=cols[2])
    if not ui.missing(s, b, c):
        yolo_arithmetic(s, b, c)
    st.subheader("The detector trained here, for an input size you pick")
    spec, record = detector_spec(), detector_record()
    layers = layers_from_record(record["layers"])
    cols = st.columns(2)
    n_h = ui.number_field("n_H (pixels)", 1, MAX_SIDE, key=ui.url_int("inh", 608, 1, MAX_SIDE), container=cols[0])
    n_w = ui.number_field("n_W (pixels)", 1, MAX_SIDE, key=ui.url_int("inw", 608, 1, MAX_SIDE), container=cols[1])
    if ui.missing(n_h, n_w):
        return
    detector_shapes(n_h, n_w, layers, spec)


def yolo_arithmetic(s: int, b: int, c: int) -> None:
    """S×S×B×(5 + C), worked out."""
    out = yolo_output(s, b, c)
    st.latex(rf"{s} \times {s} \times {b} \times (5 + {c}) = {s} \times {s} \times {b} \times {out.per_anchor} "
             rf"= {s} \times {s} \times {fmt.exact(out.channels).replace(',', '{,}')}, \qquad "
             rf"{s} \cdot {s} \cdot {b} = {fmt.exact(out.boxes).replace(',', '{,}')} \text{{ boxes}}, \qquad "
             rf"{fmt.exact(out.numbers).replace(',', '{,}')} \text{{ numbers}}")
    st.caption("YOLOv2 on COCO: S = 19 for a 608×608 input, B = 5, C = 80. The last convolution has B·(5 + C) "
               "filters; the S×S×B·(5 + C) volume is read as S×S×B vectors of 5 + C.")


def detector_shapes(n_h: int, n_w: int, layers, spec) -> None:
    """The committed detector's layer shapes for an n_H × n_W input."""
    try:
        shapes = forward_shapes(n_h, n_w, layers)
    except ShapeError as exc:
        st.warning(f"This input is too small for the detector: {exc}.")
        return
    st.dataframe([{"layer": o.layer.name,
                   "what": (f"conv {o.layer.f}×{o.layer.f}, s = {o.layer.s}, p = {o.layer.p}, {o.layer.filters} filters"
                            if o.layer.kind == "conv" else f"max-pool {o.layer.f}×{o.layer.f}, s = {o.layer.s}"),
                   "output": f"{o.n_h}×{o.n_w}×{o.n_c}", "weights and biases": fmt.exact(o.params),
                   "multiplications": fmt.exact(o.macs)} for o in shapes], hide_index=True, key="det_layers")
    last = shapes[-1]
    per = 5 + len(CLASS_NAMES)
    st.markdown(
        f"A {n_h}×{n_w}×3 input gives a **{last.n_h}×{last.n_w}** grid: the output is {last.n_h}×{last.n_w}×"
        f"{last.n_c} = {last.n_h}×{last.n_w}×{spec.n_anchors}×{per}, that is "
        f"**{fmt.exact(last.n_h * last.n_w * spec.n_anchors)} boxes**"
        + f"; {fmt.exact(sum(o.macs for o in shapes))} multiplications in all.")
    if n_h <= RUN_LIMIT and n_w <= RUN_LIMIT and n_h >= spec.stride and n_w >= spec.stride:
        ran = model_output_shape(n_h, n_w, ui.provider())
        agrees = ran == (last.n_h, last.n_w, spec.n_anchors, per)
        st.caption(f"Checked by running the ONNX model once on a blank {n_h}×{n_w} image: its output is "
                   f"{'×'.join(map(str, ran))}" + (", as computed." if agrees else ", which differs from the arithmetic."))
    else:
        st.caption(f"The model is run to check the shape for sides of {spec.stride} to {RUN_LIMIT} pixels.")


SCATTER_POINTS = 2500  # training boxes drawn in the explorer's scatter (all of them are counted)


def scatter_sample(n: int) -> np.ndarray:
    """A fixed choice of SCATTER_POINTS indices out of n, in order (the same for every visitor)."""
    if n <= SCATTER_POINTS:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, SCATTER_POINTS, replace=False))


def explorer() -> None:
    """k-means anchors for k = 1…9 on the training boxes, drawn, and mean best IoU against k."""
    st.header("Anchor explorer: k-means with distance 1 − IoU")
    record = detector_record()
    kmeans = record["kmeans"]["k"]
    ks = sorted(int(k) for k in kmeans)
    ious = [kmeans[str(k)]["mean_best_iou"] for k in ks]
    bend = elbow(ks, ious)
    k = int(st.slider("k (number of anchors)", ks[0], ks[-1], key=ui.url_int("kx", detector_spec().n_anchors,
                                                                             ks[0], ks[-1])))
    anchors_px = np.array(kmeans[str(k)]["anchors"]) * IMAGE_SIZE
    wh_px = training_box_shapes() * IMAGE_SIZE
    labels = assign(wh_px, anchors_px)
    shown = scatter_sample(len(wh_px))
    plot.chart(figures.anchors_figure(wh_px[shown], anchors_px, labels[shown]), "anchors_fig")
    st.caption(f"{fmt.exact(len(shown))} of the {fmt.exact(len(wh_px))} training boxes are drawn (a fixed random "
               "choice); the counts and the mean IoU use all of them.")
    left, right = st.columns([1.2, 1])
    with left:
        plot.chart(figures.elbow_figure(ks, ious, k, bend), "elbow_fig")
    right.dataframe([{"anchor": str(j + 1), "w (px)": fmt.num(w), "h (px)": fmt.num(h),
                      "boxes nearest": fmt.exact(int((labels == j).sum()))}
                     for j, (w, h) in enumerate(anchors_px)], hide_index=True, key="anchor_table")
    right.markdown(
        f"With k = {k} the training boxes' mean best IoU is **{fmt.percent(ious[k - 1])}** "
        f"({fmt.exact(len(wh_px))} boxes). Each extra anchor helps less: the curve bends most at **k = {bend}** "
        f"(the point farthest above the line from k = {ks[0]} to k = {ks[-1]}). The detector uses "
        f"k = {detector_spec().n_anchors}.")
    st.caption(
        f"For scale: YOLOv2 (Redmon & Farhadi 2017, Table 1) reported a mean IoU of {YOLO_V2['k5']} % on VOC 2007 "
        f"with k = 5 k-means anchors, against {YOLO_V2['hand9']} % for 9 hand-picked ones (and {YOLO_V2['k9']} % "
        "with k = 9). Their boxes are real objects, not these shapes, so the numbers are not comparable with the curve.")


def _cell_check(view: SceneView, target: Target, index: int) -> None:
    a = target.assignments[index]
    cols = st.columns(2)
    row = ui.number_field("row", 1, 16, optional=True, key="q_row", container=cols[0])
    col = ui.number_field("column", 1, 16, optional=True, key="q_col", container=cols[1])
    if st.button("Check", key="q_cell_check"):
        if row is None or col is None:
            st.warning("Type your prediction first.")
        elif (row, col) == (a.row + 1, a.col + 1):
            st.success(f"Right: cell ({a.row + 1}, {a.col + 1}).")
        else:
            st.error(f"Not quite: you said ({row}, {col}); the midpoint is in cell ({a.row + 1}, {a.col + 1}).")


def quiz(view: SceneView, target: Target, s: int, anchors: np.ndarray) -> None:
    """Which cell, which anchor, what is b_w, for an object of the scene shown above."""
    st.subheader("Check yourself")
    scene = view.scene
    if len(scene.boxes) == 0:
        st.info("Add objects to the scene to get a question.")
        return
    index = bounded_number(st, f"object (1–{len(scene.boxes)})", 1, len(scene.boxes), ui.url_int("qobj", 1, 1, 12))
    if ui.missing(index):
        return
    index -= 1
    a = target.assignments[index]
    x1, y1, x2, y2 = scene.boxes[index] * scene.size
    st.markdown(
        f"Object {index + 1} is a {CLASS_NAMES[int(scene.classes[index])]} from ({x1:.1f}, {y1:.1f}) to "
        f"({x2:.1f}, {y2:.1f}) px on the {scene.size}-pixel canvas, with the {s}×{s} grid and the "
        f"{len(anchors)} anchors of the assignment above (w × h in px: "
        + ", ".join(f"{j + 1}: {w:.1f}×{h:.1f}" for j, (w, h) in enumerate(anchors * scene.size)) + ").")
    st.markdown("**1. Which cell holds its midpoint?** (counting from 1, row first)")
    _cell_check(view, target, index)
    st.markdown("**2. Which anchor does it go to (before any collision)?**")
    guess = ui.number_field("anchor", 1, len(anchors), optional=True, key="q_anchor")
    ui.check_answer(guess, a.wanted + 1, "q_anchor", explanation="Its IoU with each anchor: "
                    + ", ".join(f"{j + 1}: {v:.2f}" for j, v in enumerate(a.ious)) + ".")
    st.markdown("**3. What is its b_w, in cell units?** (to 2 decimals)")
    guess = ui.number_field("b_w", 0.0, 100.0, whole=False, optional=True, key="q_bw")
    ui.check_answer(guess, round(a.values[3], 2), "q_bw", tolerance=0.011,
                    explanation=f"b_w = w·S = {x2 - x1:.1f} px / {scene.size} px · {s} = {fmt.num(a.values[3])}.")
