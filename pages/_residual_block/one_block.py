"""The residual-block page's first half: one block with every number, stepped through, and its check.

Widgets and drawing only: the block, its shapes and each cell's terms come from
``playground.residual_block``.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from pages._residual_block import charts
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground import residual_block as rb
from playground.manifest import ModelUnavailable

SHORTCUTS = ("identity", "projection")
MAX_CHANNELS, SIZES = 4, (3, 8)  # what fits on screen as annotated heatmaps
STEP_NAMES = {1: "1 · z[l+1]", 2: "2 · a[l+1]", 3: "3 · z[l+2]", 4: "4 · add the skip", 5: "5 · a[l+2]"}
KEYS = ("seed", "c", "n", "neg", "t", "skip", "s", "cout", "sc", "step", "ch", "row", "col", "guess")
DIGITS = 4  # significant digits of the values written in the formulas


@dataclass(frozen=True)
class Settings:
    """What the learner chose for the block."""

    seed: int
    c_in: int
    n: int
    negatives: bool
    scale: float  # factor on W[l+2] and b[l+2]
    skip: bool
    stride: int
    c_out: int


def controls() -> Settings:
    """The block's eight settings, each in the link (the seed None while its field is not valid)."""
    cols = st.columns(4)
    seed = ui.number_field("seed of a[l] and the weights", 0, 9999, key=ui.url_int("seed", 3, 0, 9999), container=cols[0])
    c_in = cols[1].slider("channels of a[l]", 1, MAX_CHANNELS, key=ui.url_int("c", 2, 1, MAX_CHANNELS))
    n = cols[2].slider("size n of a[l] (n × n)", *SIZES, key=ui.url_int("n", 5, *SIZES))
    negatives = cols[3].toggle("let a[l] have negatives", key=ui.url_bool("neg", False),
                               help="In a network a[l] is a ReLU output, so it is never negative.")
    cols = st.columns(4)
    scale = cols[0].slider("scale W[l+2] and b[l+2] by", 0.0, 1.0, step=0.05, key=ui.url_float("t", 1.0, 0.0, 1.0))
    skip = cols[1].toggle("skip connection on", key=ui.url_bool("skip", True))
    stride = cols[2].select_slider("stride s of the first conv", [1, 2, 3], key=ui.url_int("s", 1, 1, 3))
    c_out = cols[3].slider("channels of z[l+1], z[l+2]", 1, MAX_CHANNELS, key=ui.url_int("cout", 2, 1, MAX_CHANNELS))
    return Settings(seed, c_in, n, negatives, scale, skip, stride, c_out)


def choose_shortcut(settings: Settings, shapes: rb.BlockShapes) -> str:
    """Identity or projection; the projection is forced when a^[l] cannot be added as it is."""
    if shapes.identity_fits:
        return st.radio("shortcut", SHORTCUTS, horizontal=True, key=ui.url_choice("sc", "identity", SHORTCUTS),
                        format_func={"identity": "identity: + a[l]", "projection": "projection: + W_s a[l]"}.get)
    c, h, w = shapes.main
    st.info(f"z[l+2] is {c}×{h}×{w} but a[l] is {settings.c_in}×{settings.n}×{settings.n}: they cannot "
            "be added, so the shortcut must be a projection W_s a[l] (a 1×1 conv with the same stride).")
    return "projection"


def run_block(settings: Settings, ex: rb.BlockExample, shortcut: str) -> rb.BlockSteps:
    """Every intermediate of the block, from ONNX Runtime."""
    w2, b2 = ex.w2 * settings.scale, ex.b2 * settings.scale
    if shortcut == "identity":
        return rb.residual_block_steps(ex.a, ex.w1, ex.b1, w2, b2, skip=settings.skip, provider=ui.provider())
    return rb.projection_block_steps(ex.a, ex.w1, ex.b1, w2, b2, ex.ws, stride=settings.stride,
                                     skip=settings.skip, provider=ui.provider())


def cell_picker(shapes: rb.BlockShapes) -> tuple[int, tuple[int, int, int] | None]:
    """The step to show and the output cell (0-based channel, row, column; None while a field is not valid)."""
    out_c, out_h, out_w = shapes.main
    for key, hi in (("ch", out_c), ("row", out_h), ("col", out_w)):  # keep the cell inside a shrunken output
        ui.url_int(key, 1, 1, 8)
        if st.session_state[key] is not None:  # None: the field's text is not valid; it says so itself
            st.session_state[key] = min(st.session_state[key], hi)
    cols = st.columns([2, 1, 1, 1])
    step = cols[0].select_slider("step through the block", list(STEP_NAMES), format_func=STEP_NAMES.get,
                                 key=ui.url_int("step", 5, 1, 5))
    cell = (ui.number_field("cell: channel", 1, out_c, key="ch", container=cols[1]),
            ui.number_field("row", 1, out_h, key="row", container=cols[2]),
            ui.number_field("column", 1, out_w, key="col", container=cols[3]))
    return step, (None if None in cell else tuple(k - 1 for k in cell))


def formula(terms: rb.CellTerms, shortcut: str, settings: Settings, step: int) -> str:
    """The block's equations at the chosen cell, up to ``step``, with the values ONNX Runtime computed."""
    def v(x: float) -> str:
        return fmt.latex_num(x, DIGITS)

    t_ = "" if settings.scale == 1 else rf"{settings.scale:g}\,"  # the slider's factor on W[l+2], b[l+2]
    skip_term = {"identity": r"a^{[l]}", "projection": r"(W_s a^{[l]})"}[shortcut] if settings.skip else "0"
    lines = [
        rf"z^{{[l+1]}} = (W^{{[l+1]}} * a^{{[l]}}) + b^{{[l+1]}} = {v(terms.conv1)} + {v(terms.b1)} = {v(terms.z1)}",
        rf"a^{{[l+1]}} = g(z^{{[l+1]}}) = \max(0, {v(terms.z1)}) = {v(terms.a1)}",
        rf"z^{{[l+2]}} = ({t_}W^{{[l+2]}} * a^{{[l+1]}}) + {t_}b^{{[l+2]}} = {v(terms.conv2)} + "
        rf"{v(terms.b2)} = {v(terms.z2)}",
        rf"z^{{[l+2]}} + {skip_term} = {v(terms.z2)} + {v(terms.shortcut)} = {v(terms.pre)}",
        rf"a^{{[l+2]}} = g(z^{{[l+2]}} + {skip_term}) = {v(terms.a2)}",
    ]
    return r"\begin{array}{l}" + r"\\".join(lines[:step]) + r"\end{array}"


def identity_note(steps: rb.BlockSteps, shortcut: str, settings: Settings) -> None:
    """What W[l+2] = 0 does, in words, once the scale slider is at 0."""
    if settings.scale != 0:
        return
    if shortcut == "identity" and settings.skip:
        check = rb.identity_check(steps)
        if check.negatives:
            st.warning(f"W[l+2] = 0 and b[l+2] = 0: a[l+2] = g(a[l]), which is a[l] except at the {check.negatives} "
                       "cells where a[l] < 0: ReLU sets those to 0. The identity holds for a[l] ≥ 0, which every ReLU "
                       "output is.")
        else:
            st.success(f"W[l+2] = 0 and b[l+2] = 0: a[l+2] = g(0 + a[l]) = a[l]. Largest |a[l+2] − a[l]| = "
                       f"{check.max_difference:g}. The block is the identity, so adding it cannot make the network "
                       "worse.")
    elif not settings.skip:
        st.warning("Skip off and W[l+2] = 0: a[l+2] = g(b[l+2]) = 0 everywhere, a plain block that lost a[l] entirely.")


def shape_arithmetic(settings: Settings, shapes: rb.BlockShapes) -> None:
    """Why the identity fits or W_s is needed, with the output-size formula in the learner's numbers."""
    n, s, p, f = settings.n, settings.stride, rb.PAD, rb.KERNEL
    (out_c, out_h, out_w), h1, h_proj = shapes.main, shapes.first[1], shapes.projection[1]
    with st.expander("Shape arithmetic: when the identity fits and when W_s is needed", expanded=not shapes.identity_fits):
        st.latex(rf"n^{{[l+1]}} = \left\lfloor \frac{{n + 2p - f}}{{s}} \right\rfloor + 1 = "
                 rf"\left\lfloor \frac{{{n} + 2\cdot {p} - {f}}}{{{s}}} \right\rfloor + 1 = {h1}, \qquad "
                 rf"n^{{[l+2]}} = \left\lfloor \frac{{{h1} + 2\cdot {p} - {f}}}{{1}} \right\rfloor + 1 = {out_h}")
        st.latex(rf"W_s: 1\times 1,\ s = {s}:\ \left\lfloor \frac{{{n} + 0 - 1}}{{{s}}} \right\rfloor + 1 "
                 rf"= {h_proj},\quad W_s \in \mathbb{{R}}^{{{settings.c_out}\times{settings.c_in}\times 1\times 1}}")
        st.markdown(f"a[l] is **{settings.c_in}×{n}×{n}**, z[l+2] is **{out_c}×{out_h}×{out_w}**: "
                    + ("the same, so a[l] can be added as it is (or through W_s if you choose)." if shapes.identity_fits
                       else f"different, so a[l] goes through W_s, which gives {settings.c_out}×{h_proj}×{h_proj}."))


def identity_quiz(steps: rb.BlockSteps, shortcut: str, cell: tuple[int, int, int]) -> None:
    """Predict a^[l+2] at the cell with W[l+2] = 0, then check."""
    c, i, j = cell
    st.subheader("Check yourself: the identity")
    expected = float(rb.identity_output(steps.shortcut)[c, i, j])  # the shortcut does not depend on W[l+2]
    st.markdown(f"With **W[l+2] = 0 and b[l+2] = 0** (and the other settings as they are), what is a[l+2] at the "
                f"highlighted cell (channel {c + 1}, row {i + 1}, column {j + 1})? Work it out from a[l] "
                + ("and W_s " if shortcut == "projection" else "") + "before you move the scale slider.")
    guess = ui.number_field("your answer", -1e6, 1e6, whole=False, optional=True,
                            key=ui.url_float("guess", None, -1e6, 1e6))
    ui.check_answer(guess, expected, key="identity_quiz", tolerance=1e-3,
                    explanation="z[l+2] = 0, so a[l+2] = g(0 + shortcut) = max(0, shortcut).")


def show() -> None:
    """The whole first half of the page."""
    st.header("One block, every number")
    block()


@ui.section("One block, every number")
def block() -> None:
    """The block's controls, its every value from ONNX Runtime, the step-through and its check: rerun alone."""
    settings = controls()
    if ui.missing(settings.seed):
        return
    shapes = rb.block_shapes(settings.c_in, settings.n, settings.n, settings.c_out, settings.stride)
    shortcut = choose_shortcut(settings, shapes)
    ex = rb.example_block(settings.seed, settings.c_in, settings.n, settings.c_out, settings.negatives)
    try:
        steps = run_block(settings, ex, shortcut)
    except ModelUnavailable as exc:
        st.error(f"The residual-block model could not be loaded: {exc}")
        return
    step, cell = cell_picker(shapes)
    if ui.missing(cell):
        return
    c, i, j = cell
    terms = rb.cell_terms(steps, ex.b1, ex.b2 * settings.scale, cell)
    label = ("identity: a[l]" if shortcut == "identity" else f"projection: W_s a[l] (1×1, stride {settings.stride})")
    a_value = float(steps.a[c, i, j]) if shortcut == "identity" else float("nan")
    st.graphviz_chart(charts.block_diagram(steps, settings.scale, step, label, terms, a_value), width="stretch")
    shortcut_name = {"identity": "a<sup>[l]</sup>", "projection": "W<sub>s</sub> a<sup>[l]</sup>"}[shortcut]
    plot.chart(charts.block_heatmaps(steps, f"+ {shortcut_name}" if settings.skip else "+ 0 (skip off)", step, cell),
               "block_heatmaps")
    st.caption(f"Every value as ONNX Runtime computed it. Channels are stacked top to bottom; the orange square is the "
               f"cell (channel {c + 1}, row {i + 1}, column {j + 1})"
               + (f", and in a[l] the pixel W_s reads for it (row {i * settings.stride + 1}, column "
                  f"{j * settings.stride + 1} of every channel)" if shortcut == "projection" else "")
               + ". Red is positive, blue negative; ? = not computed yet at this step.")
    st.latex(formula(terms, shortcut, settings, step))
    identity_note(steps, shortcut, settings)
    shape_arithmetic(settings, shapes)
    identity_quiz(steps, shortcut, cell)
