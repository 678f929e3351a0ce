"""The IoU calculator: two boxes placed by sliders or by dragging, their intersection and union drawn and written out.

IoU comes from ``playground.anchor_boxes.iou`` (through ``overlap``); this module only draws and writes.
"""

from __future__ import annotations

import streamlit as st

from pages._non_max_suppression import drag, figures, state
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.non_max_suppression import IOU_THRESHOLD, Overlap, overlap

SIDE = 100  # the calculator's canvas, whole units
DEFAULTS = {"a": (10, 20, 50, 40), "b": (35, 35, 50, 45)}  # (x, y, w, h) of A and B
CASES = {  # the cases that trip learners: (button, A, B) with boxes as (x, y, w, h)
    "overlap": ("overlap", (10, 20, 50, 40), (35, 35, 50, 45)),
    "edge": ("edges touch", (10, 20, 40, 40), (50, 30, 30, 40)),
    "corner": ("corners touch", (10, 10, 40, 40), (50, 50, 30, 30)),
    "inside": ("one inside", (10, 10, 80, 80), (30, 30, 20, 20)),
    "same": ("same box", (20, 20, 40, 40), (20, 20, 40, 40)),
    "half": ("top half", (20, 20, 40, 40), (20, 20, 40, 20)),
    "apart": ("apart", (5, 5, 30, 30), (60, 60, 30, 30)),
}
_LAST_DRAG = "_nms_iou_last_drag"
CHART_KEY = "iou_chart"


def _set(box: str, xywh: tuple[int, int, int, int]) -> None:
    for field, value in zip("xywh", xywh, strict=True):
        st.session_state[f"{box}{field}"] = int(value)


def _load_case(name: str) -> None:
    _, a, b = CASES[name]
    _set("a", a)
    _set("b", b)


def _seed_keys() -> None:
    for box in "ab":
        for field, default in zip("xywh", DEFAULTS[box], strict=True):
            ui.url_int(f"{box}{field}", default, 0, SIDE)
    ui.url_choice("drag", "b", ("a", "b"))


def _apply_drag() -> None:
    """A rectangle dragged on the chart since the last run becomes the chosen box."""
    dragged = drag.box_from_selection(st.session_state.get(CHART_KEY), SIDE, SIDE)
    if dragged is None or dragged == st.session_state.get(_LAST_DRAG):
        return
    st.session_state[_LAST_DRAG] = dragged
    x1, y1, x2, y2 = dragged
    _set(st.session_state["drag"], (x1, y1, x2 - x1, y2 - y1))


def _box_sliders(box: str, label: str) -> tuple[int, int, int, int]:
    """x, y, w, h of one box; w and h limited so the box stays on the canvas. Returns corners."""
    cols = st.columns(4)
    x = cols[0].slider(f"{label}: x₁", 0, SIDE - 1, key=f"{box}x")
    y = cols[1].slider(f"{label}: y₁", 0, SIDE - 1, key=f"{box}y")
    for field, start in (("w", x), ("h", y)):
        st.session_state[f"{box}{field}"] = min(st.session_state[f"{box}{field}"], SIDE - start)
    w = cols[2].slider(f"{label}: width", 0, SIDE - x, key=f"{box}w")
    h = cols[3].slider(f"{label}: height", 0, SIDE - y, key=f"{box}h")
    return x, y, x + w, y + h


def _working(o: Overlap) -> str:
    """The arithmetic of IoU in the learner's numbers, as LaTeX."""
    (ax1, ay1, ax2, ay2), (bx1, by1, bx2, by2) = o.a, o.b
    n = fmt.latex_plain
    return (r"\begin{array}{l}"
            rf"w_\cap = \max(0,\ \min({n(ax2)}, {n(bx2)}) - \max({n(ax1)}, {n(bx1)})) = {n(o.inter_w)}\\"
            rf"h_\cap = \max(0,\ \min({n(ay2)}, {n(by2)}) - \max({n(ay1)}, {n(by1)})) = {n(o.inter_h)}\\"
            rf"\text{{area}}(A \cap B) = {n(o.inter_w)} \cdot {n(o.inter_h)} = {n(o.inter)}\\"
            rf"\text{{area}}(A \cup B) = {n(o.area_a)} + {n(o.area_b)} - {n(o.inter)} = {n(o.union)}\\"
            rf"\text{{IoU}} = \frac{{{n(o.inter)}}}{{{n(o.union)}}} = {n(o.iou, 4)}"
            r"\end{array}")


def _lesson(o: Overlap) -> str:
    """What this arrangement teaches, in words."""
    if o.kind == "touch":
        corner = o.inter_w == 0 and o.inter_h == 0
        return (f"They touch at {'a corner' if corner else 'an edge'}: the intersection has "
                f"{'no width and no height' if corner else 'width or height 0'}, so its area is 0 and IoU = 0. "
                "Touching is not overlapping.")
    if o.kind == "inside":
        small, big = sorted((o.area_a, o.area_b))
        return (f"One box lies inside the other: the intersection is the small box and the union is the big one, so IoU = "
                f"{fmt.num(small)} / {fmt.num(big)} = {fmt.num(o.iou, 3)}, not 1. {_verdict(o.iou)}")
    if o.kind == "same":
        return "The same box twice: intersection = union, IoU = 1."
    if o.kind == "apart":
        return "No overlap at all: IoU = 0."
    return f"IoU {fmt.num(o.iou, 3)}. {_verdict(o.iou)}"


def _verdict(value: float) -> str:
    """What the course's NMS would do with two boxes of this IoU."""
    return ("At the course's threshold, IoU ≥ 0.5, NMS would " +
            ("remove the less confident of the two." if value >= IOU_THRESHOLD else "keep both."))


@st.fragment
def show() -> None:
    """The calculator, rerun on its own when one of its controls changes."""
    st.header("Intersection over union")
    st.markdown("IoU = area(A ∩ B) / area(A ∪ B): how much two boxes overlap, from 0 (no shared area) to 1 (the same "
                "box). Move the sliders, **drag a rectangle on the chart**, or load a case that trips learners.")
    _seed_keys()
    _apply_drag()
    cols = st.columns(len(CASES))
    for col, (name, (title, _, _)) in zip(cols, CASES.items(), strict=True):
        col.button(title, key=f"iou_case_{name}", on_click=_load_case, args=(name,), width="stretch")
    a = _box_sliders("a", "A")
    b = _box_sliders("b", "B")
    o = overlap(a, b)
    left, right = st.columns(2)
    with left:
        plot.chart(figures.iou_figure(o.a, o.b, o.inter_box, drag=True), CHART_KEY, on_select="rerun",
                   selection_mode="box")
        st.radio("a dragged rectangle becomes", ("a", "b"), key="drag", horizontal=True,
                 format_func={"a": "box A", "b": "box B"}.get)
    with right:
        st.metric("IoU", fmt.num(o.iou, 4))
        st.latex(_working(o))
        st.markdown(_lesson(o))
        st.caption("Green: the intersection. Blue and orange together: the union. Corners are whole units on a "
                   "100 × 100 canvas; y grows downwards, as in an image.")
    state.sync()
