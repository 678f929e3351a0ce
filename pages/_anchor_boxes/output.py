"""The network's output: one slot's raw numbers decoded, p_c over every cell and anchor, every box before NMS."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._anchor_boxes import figures
from pages._anchor_boxes.scene import SceneView
from pages._anchor_boxes.widgets import bounded_number
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.anchor_boxes import CLASS_NAMES, IMAGE_SIZE, RawDetections, detect, detector_spec
from playground.catalog import CONCEPTS

PICKS = ("best", "mine")
PICK_NAMES = {"best": "the most confident slot", "mine": "a slot I choose"}
KEYS = ("pick", "row", "col", "anchor")
NMS_SLUG = "non_max_suppression"
MAX_GRID = 16  # cells per side the slot inputs accept from a link (a 256-pixel canvas)


def _slot(raw: RawDetections) -> tuple[int, int, int] | None:
    """The slot to decode (0-based row, column, anchor), or None while one of its fields is not valid."""
    s_h, s_w, b = raw.raw.shape[:3]
    cols = st.columns([1.6, 1, 1, 1])
    pick = cols[0].radio("show", PICKS, format_func=PICK_NAMES.get, key=ui.url_choice("pick", "best", PICKS),
                         horizontal=True)
    if pick == "best":
        best = int(np.argmax(raw.scores))
        row, col, anchor = (int(v) for v in raw.cells[best])
        for key, value in (("row", row), ("col", col), ("anchor", anchor)):  # the inputs follow the chosen slot
            st.session_state[key] = value + 1
    row = bounded_number(cols[1], f"row (1–{s_h})", 1, s_h, ui.url_int("row", 1, 1, MAX_GRID), disabled=pick == "best")
    col = bounded_number(cols[2], f"column (1–{s_w})", 1, s_w, ui.url_int("col", 1, 1, MAX_GRID),
                         disabled=pick == "best")
    anchor = bounded_number(cols[3], f"anchor (1–{b})", 1, b, ui.url_int("anchor", 1, 1, 9), disabled=pick == "best")
    if ui.missing(row, col, anchor):
        return None
    return row - 1, col - 1, anchor - 1


def latex_value(v: float) -> str:
    """A decoded number for LaTeX: 3 significant digits, more when it is within 0.001 of 1 (a probability that
    rounds to 1 is not 1), powers of ten below 0.001."""
    v = float(v)
    if v != 0 and abs(v) < 1e-3:
        exponent = int(np.floor(np.log10(abs(v))))
        return rf"{fmt.latex_plain(v / 10 ** exponent)} \times 10^{{{exponent}}}"
    if 0.999 < v < 1:
        gap = 1 - v
        return f"{v:.6f}".rstrip("0") if gap >= 5e-7 else rf"(1 - {latex_value(gap)})"
    return fmt.latex_plain(v)


def decoding_latex(raw: RawDetections, row: int, col: int, anchor: int, anchor_px: np.ndarray, stride: int,
                   size: int) -> str:
    """YOLOv2's decoding of one slot, in its own numbers."""
    t = raw.raw[row, col, anchor]
    d = raw.decoded[row, col, anchor]
    s_h, s_w = raw.grid
    p_w, p_h = anchor_px / stride
    r = latex_value
    x, y = (col + d[1]) / s_w * size, (row + d[2]) / s_h * size
    # One equation a line (each short enough for the page's width): a formula wider than its box becomes a
    # scroll region that the keyboard cannot reach (axe: scrollable-region-focusable).
    lines = [
        rf"p_c = \sigma(t_o) = \sigma({r(t[0])}) = {r(d[0])}",
        rf"b_x = \sigma(t_x) = \sigma({r(t[1])}) = {r(d[1])}, \quad b_y = \sigma(t_y) = \sigma({r(t[2])}) = {r(d[2])}",
        rf"b_h = p_h e^{{t_h}} = {r(p_h)} \cdot e^{{{r(t[3])}}} = {r(d[3])}, \quad "
        rf"b_w = p_w e^{{t_w}} = {r(p_w)} \cdot e^{{{r(t[4])}}} = {r(d[4])} \quad (\text{{cells}})",
        rf"\text{{midpoint}} = ((\text{{col}} + b_x) \cdot {stride}, (\text{{row}} + b_y) \cdot {stride})",
        rf"\phantom{{\text{{midpoint}}}} = (({col} + {r(d[1])}) \cdot {stride}, ({row} + {r(d[2])}) \cdot {stride}) "
        rf"= ({r(x)}, {r(y)})\ \text{{px}}",
        rf"w \times h = b_w \cdot {stride} \times b_h \cdot {stride} = {r(d[4] * stride)} \times {r(d[3] * stride)}"
        r"\ \text{px}",
        r"(c_1, \dots, c_C) = \operatorname{softmax}(" + ", ".join(r(v) for v in t[5:]) + ") = ("
        + ", ".join(r(v) for v in d[5:]) + ")",
    ] + [rf"p_c \cdot c_{k} = {r(d[0])} \cdot {r(c)} = {r(d[0] * c)}" for k, c in enumerate(d[5:], start=1)]
    return r"\begin{array}{l}" + r" \\ ".join(lines) + r"\end{array}"


def nms_link(view: SceneView) -> None:
    """The link that hands this scene's boxes to the non-max suppression page."""
    built = next(c.built for c in CONCEPTS if c.slug == NMS_SLUG)
    if view.mode != "random":
        st.caption("The non-max suppression page takes scenes by seed: choose 'random, from a seed' to hand a scene on.")
        return
    link = f"{NMS_SLUG}?src=detector&seed={view.seed}&objects={view.n_objects}"
    note = "" if built else " (that page is not built yet)"
    extra = f" It draws the {IMAGE_SIZE}-pixel scene of this seed." if view.size != IMAGE_SIZE else ""
    st.markdown(f"[Suppress these boxes on the non-max suppression page →]({link}){note}.{extra}")


def show(view: SceneView) -> RawDetections:
    """The detector on the scene: a slot decoded, the p_c heat map, every box before suppression."""
    scene = view.scene
    spec = detector_spec()
    st.subheader("The network's output")
    raw = detect(scene.image, ui.provider())
    s_h, s_w, b, per = raw.raw.shape
    st.markdown(
        f"The detector trained here outputs **{s_h}×{s_w}×{b}×{per}** numbers for this {scene.size}×{scene.size} "
        f"image: {s_h}×{s_w} cells, {b} anchors, and per anchor 5 + {len(CLASS_NAMES)} = {per} numbers "
        f"(t_o, t_x, t_y, t_h, t_w and {len(CLASS_NAMES)} class scores). Decoded, they are "
        f"{fmt.exact(len(raw.boxes))} boxes, before any suppression.")
    slot = _slot(raw)
    if slot is None:
        return raw
    row, col, anchor = slot
    index = (row * s_w + col) * b + anchor  # slots are listed row by row, then column, then anchor
    st.latex(decoding_latex(raw, row, col, anchor, spec.anchors_px[anchor], spec.stride, scene.size))
    best = int(raw.classes[index])
    st.caption(f"Slot ({row + 1}, {col + 1}, anchor {anchor + 1}): its best class is {CLASS_NAMES[best]}, score "
               f"p_c·c = {raw.scores[index]:.3f}.")
    plot.chart(figures.objectness_heatmaps(raw.decoded[..., 0], (row, col, anchor)), "pc_heat")
    left, right = st.columns([1, 1])
    left.image(figures.boxes_picture(scene.image, raw.boxes, raw.scores, raw.classes, (s_h, s_w), index),
               caption=f"All {fmt.exact(len(raw.boxes))} boxes, each as opaque as its score p_c·c_i; green: the slot "
                       "above", alt="The scene with every predicted box drawn, fainter the lower its score")
    order = np.argsort(-raw.scores, kind="stable")[:8]
    right.dataframe([{"slot (row, col, anchor)": f"({r + 1}, {c + 1}, {a + 1})", "class": CLASS_NAMES[int(raw.classes[k])],
                      "p_c": f"{raw.objectness[k]:.3f}", "score p_c·c": f"{raw.scores[k]:.3f}"}
                     for k, (r, c, a) in ((k, raw.cells[k]) for k in order)], hide_index=True, key="top_boxes")
    high = int((raw.scores > 0.5).sum())
    right.markdown(f"{high} of the {fmt.exact(len(raw.boxes))} boxes score above 0.5, for {len(scene.boxes)} objects"
                   + (": neighbouring cells and anchors see the same object twice. " if high > len(scene.boxes) else ". ")
                   + "Non-max suppression keeps the best box of each object and drops the ones that overlap it.")
    with right:
        nms_link(view)
    return raw
