"""The step-through: at each step the box kept, the IoU of every box still in play with it, what goes and why.

The trace comes from ``playground.non_max_suppression.nms_trace``; this module draws it and writes it out.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._non_max_suppression import drag, figures, source, state
from pages._non_max_suppression.tables import markdown_table
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.non_max_suppression import Trace, nms_trace
from playground.non_max_suppression.boxsets import BoxSet

CHART_KEY = "steps_chart"
_LAST_DRAG = "_nms_steps_last_drag"
MAX_TABLE_ROWS = 25  # candidates listed at one step (the most confident); the rest are counted
LABEL_ALL = 25  # up to this many boxes every box is labelled; above, only those kept or decided at this step


def trace_for(boxes: BoxSet, settings: source.Settings) -> Trace:
    """The whole greedy run for these boxes and this rule."""
    return nms_trace(boxes.boxes, boxes.scores, boxes.classes, settings.iou_threshold, settings.score_threshold,
                     settings.per_class, settings.max_per_class)


def class_name(boxes: BoxSet, cls: int, per_class: bool) -> str:
    return boxes.class_names[cls] if per_class and cls < len(boxes.class_names) else "all boxes"


def styles(trace: Trace, step: int, classes: np.ndarray) -> tuple[list, list, list, list, list]:
    """Colour, dash, line width, opacity and a label suffix of each box after ``step`` steps (0: only the score rule).

    ``classes`` (N,): each box's class as the trace grouped them (all 0 when class-agnostic).
    """
    current = step - 1  # the step being shown, 0-based; −1 before the first
    last_of_class = {s.cls: k for k, s in enumerate(trace.steps)}  # the class's last step: the cap acts after it
    ious = {}
    if 0 <= current < len(trace.steps):
        s = trace.steps[current]
        ious = {int(i): float(o) for i, o in zip(s.candidates, s.ious)}
    colours, dashes, widths, opacities, extras = [], [], [], [], []
    for i in range(len(classes)):
        fate, at = trace.fate[i], int(trace.removed_at[i])
        style = (figures.IN_PLAY, "solid", 1.5, 0.9, "")
        if fate == "score":
            style = (figures.BELOW, "dot", 1, 0.45, " ✗ score")
        elif at >= 0 and at < current:
            style = (figures.KEPT, "solid", 2.5, 1.0, " ✓") if fate == "kept" else (figures.REMOVED, "dash", 1, 0.3, "")
        elif at == current and at >= 0:
            style = (figures.CHOSEN, "solid", 4, 1.0, " ✓ kept") if fate == "kept" else \
                (figures.REMOVED, "dash", 2.5, 1.0, f" IoU {fmt.num(ious.get(i, 0.0), 2)} ✗")
        elif fate == "cap" and current >= last_of_class.get(int(classes[i]), -1):
            style = (figures.CAPPED, "dash", 1.5, 0.8, " ✗ cap")
        if ious.get(i, 0.0) > 0 and at != current:  # still in play and overlapping: its IoU with the box just kept
            style = style[:4] + (style[4] + f" IoU {fmt.num(ious[i], 2)}",)
        colours.append(style[0])
        dashes.append(style[1])
        widths.append(style[2])
        opacities.append(style[3])
        extras.append(style[4])
    return colours, dashes, widths, opacities, extras


def _explain(boxes: BoxSet, trace: Trace, settings: source.Settings, step: int) -> None:
    """The step in words, and the table of the boxes it decided about."""
    below = np.flatnonzero(trace.fate == "score")
    if step == 0:
        st.markdown(f"**Start.** Discard every box with p_c ≤ {fmt.num(settings.score_threshold, 2)}: "
                    f"{source.box_numbers(below)} ({len(below)} of {len(boxes)}). "
                    f"{len(boxes) - len(below)} boxes stay in play.")
        return
    s = trace.steps[step - 1]
    name = class_name(boxes, s.cls, settings.per_class)
    removed = s.candidates[s.removed]
    if not len(s.candidates):
        st.markdown(f"**Step {step} of {len(trace.steps)}** ({name}): the highest p_c still in play is "
                    f"**#{s.kept + 1}** (p_c {fmt.num(boxes.scores[s.kept], 3)}): kept as a prediction. No other "
                    f"{'box of its class' if settings.per_class else 'box'} is still in play, so nothing is removed.")
        _done(boxes, trace, settings, step)
        return
    st.markdown(f"**Step {step} of {len(trace.steps)}** ({name}): the highest p_c still in play is "
                f"**#{s.kept + 1}** (p_c {fmt.num(boxes.scores[s.kept], 3)}): kept as a prediction. Its IoU with the "
                f"{len(s.candidates)} other {'boxes of its class' if settings.per_class else 'boxes'} still in play: "
                f"{len(removed)} have IoU ≥ {fmt.num(settings.iou_threshold, 2)} and are removed "
                f"({source.box_numbers(removed)}); {len(s.candidates) - len(removed)} stay for the next step.")
    t = fmt.num(settings.iou_threshold, 2)
    rows = [[f"#{int(i) + 1}", fmt.num(boxes.scores[i], 3), fmt.num(o, 3),
             f"**removed**: {fmt.num(o, 3)} ≥ {t}" if gone else f"stays: {fmt.num(o, 3)} < {t}"]
            for i, o, gone in zip(s.candidates[:MAX_TABLE_ROWS], s.ious, s.removed)]
    if rows:
        st.markdown(markdown_table(["box", "p_c", f"IoU with #{s.kept + 1}", "decision"], rows))
    if len(s.candidates) > MAX_TABLE_ROWS:
        st.caption(f"The first {MAX_TABLE_ROWS} of {len(s.candidates)} boxes in play, by p_c.")
    _done(boxes, trace, settings, step)


def _done(boxes: BoxSet, trace: Trace, settings: source.Settings, step: int) -> None:
    """At the last step: what the cap stopped, and what was kept."""
    if step == len(trace.steps):
        capped = np.flatnonzero(trace.fate == "cap")
        if len(capped):
            st.markdown(f"The cap of {settings.max_per_class} per class stopped the rest: {source.box_numbers(capped)}.")
        st.success(f"Done: kept {source.box_numbers(trace.kept)} (highest p_c first).")


def _apply_drag(boxes: BoxSet) -> None:
    """A rectangle dragged on the chart (hand-placed boxes only) is added as a box, and the page reruns."""
    if st.session_state.get("src") != "hand":
        return
    dragged = drag.box_from_selection(st.session_state.get(CHART_KEY), boxes.width, boxes.height)
    if dragged is None or dragged == st.session_state.get(_LAST_DRAG):
        return
    st.session_state[_LAST_DRAG] = dragged
    source.add_box(dragged)
    st.rerun(scope="app")


def figure(boxes: BoxSet, trace: Trace, step: int, picture: str | None, drag_on: bool, height_px: int = 520):
    """The boxes as they stand after ``step`` steps."""
    grouping = boxes.classes if trace.per_class else np.zeros(len(boxes), np.int64)
    colours, dashes, widths, opacities, extras = styles(trace, step, grouping)
    busy = len(boxes) > LABEL_ALL  # then only the boxes kept so far and those decided at this step are labelled
    decided = (trace.removed_at == step - 1) | ((trace.fate == "kept") & (trace.removed_at < step))
    if busy and step > 0:  # past the score rule, the boxes it discarded would only hide the rest
        opacities = [0.0 if f == "score" else o for f, o in zip(trace.fate, opacities)]
    labels = [figures.label_text(i, boxes.scores[i], extras[i]) if decided[i] or not busy else ""
              for i in range(len(boxes))]
    return figures.boxes_figure(boxes.boxes, boxes.scores, colours, dashes, widths, opacities, labels, boxes.width,
                                boxes.height, picture=picture, truth=boxes.truth_boxes if len(boxes.truth_boxes) else None,
                                drag=drag_on, height_px=height_px, grid_step=boxes.grid_step)


@st.fragment
def show(boxes: BoxSet, settings: source.Settings, picture: str | None) -> None:
    """The step slider, the chart at that step and the step in words; reruns alone when the slider moves."""
    _apply_drag(boxes)
    trace = trace_for(boxes, settings)
    last = len(trace.steps)
    ui.url_int("step", 1, 0, 10_000)
    st.session_state["step"] = min(st.session_state["step"], last)
    step = st.slider("step", 0, last, key="step", help="0: the score rule only; then one kept box per step.") \
        if last > 0 else 0
    left, right = st.columns([3, 2])
    with left:
        drag_on = st.session_state.get("src") == "hand"
        plot.chart(figure(boxes, trace, step, picture, drag_on), CHART_KEY,
                   **({"on_select": "rerun", "selection_mode": "box"} if drag_on else {}))
        st.caption("Dark green: kept at this step; green: kept before; red dashed: removed at this step (with its "
                   "IoU); blue: still in play, with its IoU with the box just kept; grey dotted: discarded by score; "
                   "purple: over the cap." + (" Dotted outlines: the objects really there." if len(boxes.truth_boxes)
                                              else ""))
    with right:
        _explain(boxes, trace, settings, step)
    state.sync()
