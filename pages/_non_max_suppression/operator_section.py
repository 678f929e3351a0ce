"""The runtime's answer: the same boxes through ONNX's NonMaxSuppression, beside the step-by-step result.

Runs the committed ``nms_postprocess`` model twice through ``playground.runtime`` on the visitor's
provider: with the thresholds moved to follow the course (``onnx_nms``), and as given (the raw operator).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._non_max_suppression import source
from pages._non_max_suppression.tables import markdown_table
from pages._shared import format as fmt
from pages._shared import ui
from playground.manifest import ModelUnavailable
from playground.non_max_suppression import Trace, run_operator
from playground.non_max_suppression import runtime_nms as rn
from playground.non_max_suppression.boxsets import BoxSet

MAX_ROWS = 40  # operator rows listed


def _verdict(kept: np.ndarray, reference: np.ndarray) -> str:
    extra, missing = sorted(set(kept.tolist()) - set(reference.tolist())), sorted(set(reference.tolist()) - set(kept.tolist()))
    if not extra and not missing:
        return "the same boxes as the step-through"
    parts = []
    if extra:
        parts.append(f"also keeps {source.box_numbers(extra)}")
    if missing:
        parts.append(f"drops {source.box_numbers(missing)}")
    return "differs: it " + " and ".join(parts)


def _float32(value: np.float32) -> str:
    return f"{float(value):.9g}"


def show(boxes: BoxSet, settings: source.Settings, trace: Trace) -> None:
    """Three answers side by side, what the operator was given, and how the raw operator differs."""
    st.header("The runtime's answer: ONNX's NonMaxSuppression")
    st.markdown("Deployed detectors do this step inside the model. `nms_postprocess` is a small ONNX graph built "
                "around the `NonMaxSuppression` operator; here it runs on ONNX Runtime on the same boxes.")
    classes = boxes.classes if settings.per_class else None
    try:
        course = run_operator(boxes.boxes, boxes.scores, classes, settings.iou_threshold, settings.score_threshold,
                              settings.max_per_class, course_rule=True, provider=ui.provider())
        raw = run_operator(boxes.boxes, boxes.scores, classes, settings.iou_threshold, settings.score_threshold,
                           settings.max_per_class, course_rule=False, provider=ui.provider())
        bare = rn.run_without_cap(boxes.boxes, boxes.scores, provider=ui.provider())
    except ModelUnavailable as exc:  # names the file and the command that rebuilds it
        st.error(f"The post-processing model could not be loaded: {exc}")
        return
    cols = st.columns(3)
    cols[0].metric("step by step (numpy)", f"{len(trace.kept)} kept")
    cols[0].markdown(f"{source.box_numbers(trace.kept)}")
    cols[1].metric("ONNX Runtime, thresholds moved", f"{len(course.kept)} kept")
    cols[1].markdown(f"{source.box_numbers(course.kept)}: {_verdict(course.kept, trace.kept)}.")
    cols[2].metric("the raw operator", f"{len(raw.kept)} kept")
    cols[2].markdown(f"{source.box_numbers(raw.kept)}: {_verdict(raw.kept, trace.kept)}.")
    st.markdown(markdown_table(
        ["given to the operator", "thresholds moved", "raw"],
        [["`iou_threshold` (float32)", _float32(course.iou_threshold), _float32(raw.iou_threshold)],
         ["`score_threshold` (float32)", _float32(course.score_threshold), _float32(raw.score_threshold)],
         ["`max_output_boxes_per_class`", str(course.max_per_class), str(raw.max_per_class)]]))
    st.markdown(
        f"How the raw operator differs from the course, and what the library's `onnx_nms` does about it:\n"
        f"- It removes a box only when its IoU is **strictly greater** than `iou_threshold`; the course removes "
        f"IoU ≥ {fmt.num(settings.iou_threshold, 2)}. So a box at exactly the threshold survives the raw operator. "
        f"`onnx_nms` passes the next float32 below the threshold instead ({_float32(course.iou_threshold)}): "
        f"ONNX Runtime computes IoU in float32, and for a float32 IoU, IoU > that ⇔ IoU ≥ the threshold.\n"
        f"- It keeps scores **strictly above** `score_threshold`, as the course does (p_c ≤ 0.6 is discarded); "
        f"the threshold goes in as the largest float32 not above it.\n"
        f"- It wants boxes as **[y1, x1, y2, x2]**; the graph swaps the course's (x1, y1, x2, y2) itself.\n"
        f"- Leave out `max_output_boxes_per_class` and it means **0**: the bare operator, given only these boxes "
        f"and scores, returned **{len(bare)} rows**. The model always passes the cap (the box count when there is "
        f"no limit).\n"
        f"- It works **per class** on a (classes × boxes) score matrix: the graph puts each box's score in its own "
        f"class's row and −∞ elsewhere, so a box competes only in its class; equal scores go to the lower index.")
    if np.array_equal(np.sort(raw.kept), np.sort(trace.kept)):
        st.button("Show a case where the raw operator differs (IoU exactly 0.5)", key="load_exact",
                  on_click=source.load_exact_case)
    with st.expander(f"The operator's own answer: {len(raw.selected)} rows (batch, class, box), class by class"):
        names = list(boxes.class_names)
        st.markdown(markdown_table(
            ["batch", "class row", "box index", "box", "p_c"],
            [[str(int(b)), f"{int(c)} ({names[int(raw.class_labels[c])] if settings.per_class else 'all'})", str(int(i)),
              f"#{int(i) + 1}", fmt.num(boxes.scores[int(i)], 3)] for b, c, i in raw.selected[:MAX_ROWS]]))
        if len(raw.selected) > MAX_ROWS:
            st.caption(f"The first {MAX_ROWS} of {len(raw.selected)} rows.")
        st.caption("The operator counts boxes and classes from 0; the page writes boxes from 1 (#1 is index 0).")
