"""Soft-NMS against hard NMS on the same boxes: decayed scores instead of removals.

Scores come from ``playground.non_max_suppression.soft``; this module draws and writes them.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._non_max_suppression import figures, source, state
from pages._non_max_suppression.tables import markdown_table
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.non_max_suppression import Trace, soft_nms_steps
from playground.non_max_suppression import soft as sn
from playground.non_max_suppression.boxsets import BoxSet

METHODS = {"gaussian": "Gaussian: × exp(−IoU²/σ)", "linear": "linear: × (1 − IoU) once IoU ≥ N_t"}
FINAL = (0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5)  # choices of the score at or below which a decayed box is dropped
MAX_ROWS = 12  # boxes in the before/after table, the most confident first
HARD_FATES = {"score": "p_c too low", "iou": "removed (IoU)", "cap": "over the cap"}  # a kept box shows its score
OPACITY_STEPS, OPACITY = (0.2, 0.5), (0.35, 0.65, 1.0)  # a decayed score below 0.2, to 0.5, above: fainter to bolder


def class_steps(boxes: BoxSet, classes: np.ndarray, method: str, sigma: float, nt: float,
                final: float) -> list[tuple[np.ndarray, list]]:
    """Soft-NMS of each class, once: (the class's box indices, its SoftSteps)."""
    out = []
    for cls in np.unique(classes):
        members = np.flatnonzero(classes == cls)
        out.append((members, soft_nms_steps(boxes.boxes[members], boxes.scores[members], method, sigma, nt, final)))
    return out


def _worked(per_class: list, method: str, sigma: float, nt: float) -> str | None:
    """The first decay of the first class, in the learner's numbers (the box most overlapped by the first kept one)."""
    for members, steps in per_class:
        if steps and len(steps[0].candidates):
            s = steps[0]
            k = int(np.argmax(s.ious))
            i, o, before, after = int(members[s.candidates[k]]), float(s.ious[k]), float(s.before[k]), float(s.after[k])
            n = fmt.latex_plain
            factor = (rf"\exp\left(-\frac{{{n(o, 3)}^2}}{{{n(sigma, 3)}}}\right)" if method == "gaussian" else
                      (rf"(1 - {n(o, 3)})" if o >= nt else r"1"))
            return (rf"\text{{box }}\#{i + 1}:\ s \leftarrow s \cdot f(\text{{IoU}}) = {n(before, 3)} \cdot {factor} "
                    rf"= {n(after, 3)}\qquad(\text{{IoU with }}\#{int(members[s.kept]) + 1} = {n(o, 3)})")
    return None


@st.fragment
def show(boxes: BoxSet, settings: source.Settings, trace: Trace, picture: str | None) -> None:
    """Soft-NMS's controls and its scores beside hard NMS's; reruns alone when its controls change."""
    st.header("Beyond the course: Soft-NMS")
    st.markdown("Hard NMS sets the score of every box with IoU ≥ the threshold to 0. **Soft-NMS** (Bodla et al., "
                "2017) multiplies it by a decay instead and carries on, so a box next to a kept one (two people "
                "standing close) can still be kept, with a lower score. The paper reports +1.7 mAP on VOC 2007 and "
                "+1.1 to +1.3 on COCO over hard NMS, with no retraining.")
    cols = st.columns(4)
    method = cols[0].radio("decay", list(METHODS), format_func=METHODS.get, key=ui.url_choice("soft", "gaussian", tuple(METHODS)))
    sigma = cols[1].slider("σ (Gaussian)", 0.05, 2.0, step=0.05, key=ui.url_float("sigma", sn.SIGMA, 0.05, 2.0),
                           disabled=method != "gaussian", help="The paper's σ = 0.5. OpenVINO writes exp(−0.5·IoU²/σ).")
    nt = cols[2].slider("N_t (linear)", 0.05, 0.95, step=0.05, key=ui.url_float("nt", sn.LINEAR_THRESHOLD, 0.05, 0.95),
                        disabled=method != "linear")
    if st.session_state[ui.url_float("sfinal", sn.FINAL_THRESHOLD, 0.0, 1.0)] not in FINAL:
        st.session_state["sfinal"] = sn.FINAL_THRESHOLD  # a link value between the choices
    final = cols[3].select_slider("drop a box once its score is ≤", FINAL, key="sfinal",
                                  help="The paper's code drops boxes below 0.001.")
    classes = boxes.classes if settings.per_class else np.zeros(len(boxes), np.int64)
    per_class = class_steps(boxes, classes, method, sigma, nt, final)
    soft = np.zeros(len(boxes))  # each box's decayed score when kept; 0 if dropped
    for members, steps in per_class:
        soft[[members[st_.kept] for st_ in steps]] = [st_.score for st_ in steps]
    kept = np.flatnonzero(soft > 0)
    hard = np.zeros(len(boxes))
    hard[trace.kept] = boxes.scores[trace.kept]
    shown = int((soft > settings.score_threshold).sum())
    metrics = st.columns(3)
    metrics[0].metric("hard NMS keeps", len(trace.kept))
    metrics[1].metric(f"Soft-NMS keeps (score > {fmt.num(final, 3)})", len(kept))
    metrics[2].metric(f"… of which score > {fmt.num(settings.score_threshold, 2)}", shown)
    worked = _worked(per_class, method, sigma, nt)
    if worked:
        st.latex(worked)
    left, right = st.columns([3, 2])
    with left:
        colours = [figures.KEPT if hard[i] > 0 else (figures.IN_PLAY if soft[i] > 0 else figures.BELOW)
                   for i in range(len(boxes))]
        labelled = soft > (settings.score_threshold if len(boxes) > 25 else 0)  # many boxes: label those shown
        labels = [f"#{i + 1} {fmt.num(boxes.scores[i], 2)}→{fmt.num(soft[i], 2)}" if labelled[i] else ""
                  for i in range(len(boxes))]
        opacities = [OPACITY[int(np.searchsorted(OPACITY_STEPS, soft[i]))] if soft[i] > 0 else 0.2
                     for i in range(len(boxes))]
        widths = [3 if hard[i] > 0 else 1.5 for i in range(len(boxes))]
        dashes = ["solid" if soft[i] > 0 else "dot" for i in range(len(boxes))]
        plot.chart(figures.boxes_figure(boxes.boxes, boxes.scores, colours, dashes, widths, opacities, labels,
                                        boxes.width, boxes.height, picture=picture, grid_step=boxes.grid_step),
                   "soft_boxes")
        st.caption("Each label: the box's score before → after Soft-NMS. Green: kept by hard NMS too. Blue: kept by "
                   "Soft-NMS only, fainter the lower its decayed score. Grey dotted: dropped by both."
                   + (f" With this many boxes only those scoring above {fmt.num(settings.score_threshold, 2)} after the "
                      "decay are labelled." if len(boxes) > 25 else ""))
    with right:
        curve = sn.decay(np.linspace(0, 1, 101), method, sigma, nt)
        first = next((np.stack([steps[0].ious, sn.decay(steps[0].ious, method, sigma, nt)], axis=1)
                      for _, steps in per_class if steps and len(steps[0].candidates)), None)  # (IoU, factor) at step 1
        plot.chart(figures.decay_figure(method, sigma, nt, settings.iou_threshold, curve,
                                        first if first is not None else np.zeros((0, 2))), "soft_decay")
    order = np.argsort(-boxes.scores, kind="stable")[:MAX_ROWS]
    if len(order):
        st.markdown(markdown_table(
            ["box", "p_c before", "hard NMS", "Soft-NMS"],
            [[f"#{i + 1}", fmt.num(boxes.scores[i], 3), HARD_FATES.get(trace.fate[i], fmt.num(boxes.scores[i], 3)),
              fmt.num(soft[i], 3) if soft[i] > 0 else "dropped"] for i in order]))
        if len(boxes) > MAX_ROWS:
            st.caption(f"The {MAX_ROWS} most confident of {len(boxes)} boxes.")
    state.sync()
