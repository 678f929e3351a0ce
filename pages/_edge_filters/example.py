"""The edge-filter page's worked parts: the course's 6×6 example, flip or not, and check yourself."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._edge_filters import figures, latex
from pages._edge_filters.controls import KERNEL_LABELS, MAX_PICK
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground import edge_filters


@ui.section("1 · The course's 6×6 example")
def course_example(applied: np.ndarray, p: int, s: int, signs: tuple[str, str] | None) -> None:
    """The 6×6 example with every number, and the picker that writes one output cell out."""
    dark_left = st.toggle("Mirror it: dark on the left, light on the right", key=ui.url_bool("dl", False))
    image = edge_filters.course_example(dark_left)
    f = applied.shape[0]
    n = edge_filters.COURSE_SIDE
    st.latex(latex.size_latex(n, n, f, p, s))
    try:
        out_h, out_w = edge_filters.output_shape(image.shape, f, p, s)
    except ValueError:
        st.warning(f"The {f}×{f} kernel does not fit in the {n + 2 * p}×{n + 2 * p} padded image: "
                   "add padding or choose a smaller kernel.")
        return
    out = edge_filters.apply_kernel(image, applied, p, s, provider=ui.provider())
    pickers = st.columns(4)
    for col, key, hi, label in ((pickers[0], "pi", out_h, "Output row i"),
                                (pickers[1], "pj", out_w, "Output column j")):  # counted from 1, as on every page
        ui.url_int(key, 1 if key == "pi" else 2, 1, MAX_PICK)
        st.session_state[key] = min(st.session_state[key], hi)  # the output may have shrunk
        col.number_input(label, 1, hi, step=1, key=key)
    i, j = st.session_state["pi"] - 1, st.session_state["pj"] - 1  # 0-based indices into the arrays
    patch = edge_filters.patch_at(image, applied, i, j, p, s)
    a, b, c = st.columns([4, 3, 3])
    with a:
        plot.chart(figures.grid(np.pad(image, p), "Input, padded" if p else "Input 6×6", signed=False,
                               highlight=(patch.top, patch.left, f), padding=p), "ex_input")
    with b:
        plot.chart(figures.grid(applied, "Kernel", signed=True), "ex_kernel")
    with c:
        plot.chart(figures.grid(out, f"Output {out_h}×{out_w}", signed=True, highlight=(i, j, 1)), "ex_output")
    st.latex(latex.patch_latex(patch, applied, out[i, j], i + 1, j + 1))
    meaning = (f" With this kernel red means {signs[0]}, blue {signs[1]}: mirror the image and the sign flips."
               if signs else "")
    st.caption(f"Red > 0, blue < 0.{meaning}")


def flip_section(kernel: np.ndarray, flip: bool) -> None:
    """Why deep learning's "convolution" is cross-correlation, with the learner's kernel."""
    st.markdown(
        "In mathematics and signal processing, **convolution** flips the kernel before sliding it; "
        "what the course (and every deep-learning library) calls convolution does not flip: it is "
        "**cross-correlation**.")
    st.latex(r"\text{cross-correlation: } (I \star K)[i,j] = \sum_{u,v} I[i+u,\, j+v]\, K[u,v] \\[6pt]"
             r"\text{convolution: } (I * K)[i,j] = \sum_{u,v} I[i-u,\, j-v]\, K[u,v]")
    st.latex(rf"K = {fmt.bmatrix(kernel)} \qquad \text{{rotated }}180^\circ = {fmt.bmatrix(edge_filters.flip_kernel(kernel))}")
    st.markdown(
        "True convolution is cross-correlation with the kernel rotated by 180°. A CNN **learns** its "
        "kernels by backprop, so flipping changes nothing it can learn: it would simply learn the rotated "
        "values. Skipping the flip is one step less and the code is simpler. The flip buys convolution "
        "properties such as associativity, (A ∗ B) ∗ C = A ∗ (B ∗ C), that matter in signal processing but "
        "that a CNN does not use. For the edge kernels the flip only changes the sign: light-to-dark and "
        "dark-to-light swap colours. "
        + ("**The toggle at the top is on: the 6×6 example, the filter response and the colour volume now use "
           "true convolution.** The gradient pair, the learned filters and Check yourself stay cross-correlation, "
           "as in a CNN." if flip
           else "Turn on the toggle at the top to run the chosen filter with true convolution in the 6×6 example, "
                "the filter response and the colour volume."))


def new_question() -> None:
    st.session_state["q"] = int(np.random.default_rng().integers(1, 10**6))
    st.session_state["q_guess"] = None


@ui.section("Check yourself")
def exercise_section(provider: str) -> None:
    """Predict one output value of a patch under a kernel, then check (question seed in the link)."""
    ui.url_int("q", 1, 0, 10**6)
    ex = edge_filters.exercise(st.session_state["q"])
    st.markdown(f"The **{KERNEL_LABELS[ex.kernel_name].split(' (')[0].lower()}** kernel sits on this patch. "
                "What number does it write into the output?")
    st.latex(rf"\text{{patch}} = {fmt.bmatrix(ex.patch)} \qquad K = {fmt.bmatrix(ex.kernel)}")
    answer = float(edge_filters.apply_kernel(ex.patch, ex.kernel, provider=provider)[0, 0])
    guess_col, buttons = st.columns([2, 3])
    guess = guess_col.number_input("Your prediction", value=None, step=1.0, key="q_guess")
    products = " + ".join(f"{fmt.num(v)}·{fmt.num(k)}" for v, k in zip(ex.patch.ravel(), ex.kernel.ravel()))
    with buttons:
        ui.check_answer(guess, answer, key="q", tolerance=1e-6,
                         explanation=f"Σ patch ⊙ K = {products} = {fmt.num(answer)}.")
        st.button("New question", key="q_new", on_click=new_question)
