"""Beyond the course: the detector's precision–recall curves and AP per class on the held-out scenes, and
mAP@0.5 against the NMS threshold, hard NMS against Soft-NMS.

The detections are made once per server and provider, and each rule's sweep once per server
(``st.cache_resource``); every control here only picks among them.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from pages._non_max_suppression import figures, state
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground import runtime
from playground.non_max_suppression import IOU_THRESHOLD, MATCH_IOU, mean_average_precision
from playground.non_max_suppression import detector as dt
from playground.non_max_suppression.sweep import EVAL_SCORE_THRESHOLD

METHODS = {"all_points": "VOC all-point", "coco101": "COCO 101-point"}
RULES = {"hard": "hard NMS (the course)", "linear": "Soft-NMS, linear", "gaussian": "Soft-NMS, Gaussian",
         "none": "no suppression"}


@st.cache_resource(show_spinner=False, max_entries=4)
def _held_out(provider: str) -> tuple[dt.HeldOut, float, tuple[str, ...]]:
    """The detector on every held-out scene, once per server and provider: data, seconds, providers that ran."""
    start = time.perf_counter()
    with runtime.record_runs() as runs:
        data = dt.held_out(provider=provider)
    return data, time.perf_counter() - start, tuple(sorted({r.provider for r in runs}))


@st.cache_resource(show_spinner=False, max_entries=16)
def _sweep(provider: str, kind: str) -> dt.Sweep:
    data, _, _ = _held_out(provider)
    return dt.sweep(data, kind)


def _best(sweep: dt.Sweep, method: str) -> tuple[float, float]:
    curve = np.array([mean_average_precision(r[method]) for r in sweep.results])
    k = int(np.argmax(curve))
    return sweep.thresholds[k], float(curve[k])


@ui.fragment  # names a missing model file instead of a redacted error box
def show() -> None:
    """The evaluation; reruns alone when one of its controls changes."""
    st.header("Beyond the course: what NMS does to average precision")
    st.markdown(
        "A detector is scored by **average precision** (AP) per class: rank every detection of the class over all "
        "images by score; a detection is a hit when it overlaps a not-yet-matched object of its class by IoU ≥ 0.5, "
        "so a duplicate box is a false positive. Precision and recall after each detection trace the "
        "precision–recall curve; AP is the area under its interpolated form (the best precision at any higher "
        "recall), and mAP its mean over the classes. Two interpolations are in use, and they give **different "
        "numbers for the same boxes**: VOC's all-point AP (the exact area) and COCO's 101-point AP (the mean at "
        "recall 0, 0.01, …, 1). Both here are at IoU 0.5 (AP50); COCO's headline AP also averages IoU 0.50:0.05:0.95.")
    provider = ui.provider()
    with st.spinner(f"Running the detector on its {dt.EVAL_SCENES} held-out scenes (once per server)…"):
        data, seconds, ran_on = _held_out(provider)
        sweeps = {kind: _sweep(provider, kind) for kind in RULES}
    cols = st.columns(3)
    method = cols[0].radio("AP by", list(METHODS), format_func=METHODS.get, horizontal=True,
                           key=ui.url_choice("ap", "all_points", tuple(METHODS)))
    kind = cols[1].selectbox("suppression", list(RULES), format_func=RULES.get,
                             key=ui.url_choice("evkind", "hard", tuple(RULES)))
    options = sweeps[kind].thresholds
    key = ui.url_float("evt", IOU_THRESHOLD, 0.0, 10.0)
    if st.session_state[key] not in options:
        st.session_state[key] = min(options, key=lambda t: abs(t - st.session_state[key]))
    label = {"gaussian": "σ", "linear": "N_t", "hard": "NMS IoU threshold", "none": "(no threshold)"}[kind]
    t = cols[2].select_slider(label, options, key=key, disabled=kind == "none")
    results = sweeps[kind].results[options.index(t)]
    per_class = results[method]
    other = results["coco101" if method == "all_points" else "all_points"]
    left, right = st.columns([3, 2])
    with left:
        curves = [(f"{data.class_names[c]} (AP {fmt.num(r.ap, 3)})", r.recall, r.precision, figures.CLASS_COLOURS[c])
                  for c, r in per_class.items()]
        plot.chart(figures.pr_figure(curves, f"{RULES[kind]}{'' if kind == 'none' else f' at {label} = {t:g}'}"),
                   "eval_pr")
        st.caption("Thin: precision after each detection; thick: the interpolated curve whose area is all-point AP. "
                   f"Boxes scoring ≤ {EVAL_SCORE_THRESHOLD:g} are left out: AP needs the whole ranking, so the "
                   "course's 0.6 (a display threshold) would cut the curves short.")
    with right:
        st.metric(f"mAP@{MATCH_IOU:g}, {METHODS[method]}", fmt.num(mean_average_precision(per_class), 3))
        st.table([{"class": data.class_names[c], "objects": r.n_ground_truth, METHODS[method]: fmt.num(r.ap, 3),
                   METHODS["coco101" if method == "all_points" else "all_points"]: fmt.num(other[c].ap, 3)}
                  for c, r in per_class.items()])
        st.caption(f"The same boxes and matches, integrated two ways. {dt.EVAL_SCENES} held-out scenes, never "
                   f"trained on; detected once on this server in {seconds:.1f} s ({', '.join(ran_on)}).")
    hard, linear, gauss = sweeps["hard"], sweeps["linear"], sweeps["gaussian"]
    curve = {k: np.array([mean_average_precision(r[method]) for r in sweeps[k].results]) for k in RULES}
    plot.chart(figures.sweep_figure(np.array(hard.thresholds), [("hard NMS", curve["hard"], figures.REMOVED),
                                                               ("Soft-NMS linear (N_t)", curve["linear"], figures.IN_PLAY)],
                                    t if kind in ("hard", "linear") else IOU_THRESHOLD, "NMS IoU threshold (N_t for linear)"),
               "eval_sweep")
    best_t, best_map = _best(hard, method)
    at_course = curve["hard"][list(hard.thresholds).index(IOU_THRESHOLD)]
    best_s, best_gauss = _best(gauss, method)
    best_n, best_lin = _best(linear, method)
    st.markdown(
        f"**Hard NMS:** the best threshold here is **{best_t:g}** (mAP {fmt.num(best_map, 3)}); the course's 0.5 gives "
        f"{fmt.num(at_course, 3)}. Without suppression, mAP is {fmt.num(curve['none'][0], 3)}: the duplicates are false "
        f"positives. **Soft-NMS:** linear is best at N_t = {best_n:g} ({fmt.num(best_lin, 3)}), Gaussian at "
        f"σ = {best_s:g} ({fmt.num(best_gauss, 3)}; σ swept over {', '.join(f'{s:g}' for s in gauss.thresholds)}). "
        f"All by {METHODS[method]} AP at IoU {MATCH_IOU:g}.")
    state.sync()
