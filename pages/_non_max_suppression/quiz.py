"""Check yourself: the IoU of two boxes, and which boxes survive greedy NMS.

The questions are drawn from a seed; the answers come from ``playground`` (``iou``, ``nms``).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._non_max_suppression import figures, state
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.anchor_boxes import iou
from playground.non_max_suppression import IOU_THRESHOLD, SCORE_THRESHOLD, nms, overlap

MAX_SEED = 9999
SIDE = 20  # quiz boxes live on a 20 × 20 grid: small whole numbers to multiply in one's head
SURVIVOR_BOXES = 5


def _next() -> None:
    st.session_state["qseed"] = ((st.session_state["qseed"] or 0) + 1) % (MAX_SEED + 1)  # None: not valid text
    st.session_state["qiou"] = None
    st.session_state["qpick"] = []


def iou_question(seed: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two overlapping whole-number boxes on the quiz grid."""
    rng = np.random.default_rng(seed)
    while True:
        corners = rng.integers(0, SIDE - 4, (2, 2))
        sizes = rng.integers(3, 10, (2, 2))
        a = tuple(int(v) for v in np.concatenate([corners[0], np.minimum(corners[0] + sizes[0], SIDE)]))
        b = tuple(int(v) for v in np.concatenate([corners[1], np.minimum(corners[1] + sizes[1], SIDE)]))
        if overlap(a, b).inter > 0:
            return a, b


def survivor_question(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Five whole-number boxes heaped on two spots, with scores of two decimals, some at or below 0.6."""
    rng = np.random.default_rng(10_000 + seed)
    spots = rng.integers(3, 10, (2, 2))
    owner = np.arange(SURVIVOR_BOXES) % 2
    corner = spots[owner] + rng.integers(-2, 3, (SURVIVOR_BOXES, 2))
    size = rng.integers(5, 9, (SURVIVOR_BOXES, 2))
    boxes = np.clip(np.concatenate([corner, corner + size], axis=1), 0, SIDE).astype(np.float64)
    scores = rng.choice(np.arange(45, 96) / 100, SURVIVOR_BOXES, replace=False)
    return boxes, scores


@st.fragment
def show() -> None:
    """Both exercises, rerun on their own."""
    st.header("Check yourself")
    seed = ui.number_field("question number", 0, MAX_SEED, key=ui.url_int("qseed", 1, 0, MAX_SEED))
    st.button("another question", key="quiz_next", on_click=_next)
    if ui.missing(seed):
        return
    left, right = st.columns(2)
    with left:
        st.subheader("The IoU of two boxes")
        a, b = iou_question(int(seed))
        st.markdown(f"A = ({', '.join(map(str, a))}) and B = ({', '.join(map(str, b))}), as (x1, y1, x2, y2). "
                    "What is their IoU? (two decimals are enough)")
        plot.chart(figures.boxes_figure(np.array([a, b], float), np.zeros(2), [figures.BOX_A, figures.BOX_B],
                                        ["solid"] * 2, [3, 3], [1, 1], ["A", "B"], SIDE, SIDE, height_px=300),
                   "quiz_iou_chart")
        guess = ui.number_field("your IoU", 0.0, 1.0, whole=False, optional=True,
                                key=ui.url_float("qiou", None, 0.0, 1.0))
        o = overlap(a, b)
        ui.check_answer(guess, round(o.iou, 3), key="quiz_iou", tolerance=0.006,
                        explanation=f"∩ = {fmt.num(o.inter_w)}·{fmt.num(o.inter_h)} = {fmt.num(o.inter)}, "
                                    f"∪ = {fmt.num(o.area_a)} + {fmt.num(o.area_b)} − {fmt.num(o.inter)} = "
                                    f"{fmt.num(o.union)}, IoU = {fmt.num(o.inter)}/{fmt.num(o.union)}.")
    with right:
        st.subheader("Which boxes survive?")
        boxes, scores = survivor_question(int(seed))
        st.markdown(f"The course's rule: discard p_c ≤ {fmt.num(SCORE_THRESHOLD)}, then greedily remove IoU ≥ "
                    f"{fmt.num(IOU_THRESHOLD)}. One class. Which boxes are kept?")
        labels = [figures.label_text(i, scores[i]) for i in range(len(scores))]
        plot.chart(figures.boxes_figure(boxes, scores, [figures.IN_PLAY] * len(scores), ["solid"] * len(scores),
                                        [2] * len(scores), [0.9] * len(scores), labels, SIDE, SIDE, height_px=300),
                   "quiz_nms_chart")
        overlaps = iou(boxes, boxes)
        st.table({"box": [f"#{i + 1}" for i in range(len(scores))], "p_c": [fmt.num(s, 2) for s in scores]}
                 | {f"IoU with #{j + 1}": [fmt.num(overlaps[i, j], 2) if i != j else "" for i in range(len(scores))]
                    for j in range(len(scores))})
        st.caption("Each box's p_c and its IoU with every other box.")
        picked = st.multiselect("kept boxes", [f"#{i + 1}" for i in range(len(scores))], key="qpick")
        if st.button("Check", key="quiz_nms_check"):
            kept = nms(boxes, scores)
            answer = sorted(f"#{i + 1}" for i in kept)
            order = ", ".join(f"#{i + 1}" for i in kept) or "none"
            if sorted(picked) == answer:
                st.success(f"Right: {order} (kept in that order).")
            else:
                st.error(f"Not quite: you picked {', '.join(sorted(picked)) or 'none'}; the rule keeps {order}. "
                         "Go box by box from the highest p_c: only kept boxes remove others.")
    state.sync()
