"""Residual block: a[l+2] = g(z[l+2] + a[l]), one block with live numbers, then a real depth experiment."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages import _residual_charts as charts
from pages import _residual_experiment as experiment
from pages import _ui
from playground import residual, runtime
from playground.arithmetic import conv_output_size
from playground.manifest import ModelUnavailable

SHORTCUTS = ("identity", "projection")
MAX_CHANNELS, SIZES = 4, (3, 8)  # what fits on screen as annotated heatmaps
STEP_NAMES = {1: "1 · z[l+1]", 2: "2 · a[l+1]", 3: "3 · z[l+2]", 4: "4 · add the skip", 5: "5 · a[l+2]"}
BLOCK_KEYS = ("seed", "c", "n", "neg", "t", "skip", "s", "cout", "sc", "step", "ch", "row", "col", "guess")


def num(v: float) -> str:
    """A value for st.latex: 4 significant digits, negatives in parentheses."""
    text = f"{v:.4g}"
    return f"({text})" if v < 0 else text


st.title("Residual block")
st.markdown(
    "A residual block adds a **skip connection**: a^[l] jumps over two layers and is added to z^[l+2] "
    "*before* the last ReLU, so **a^[l+2] = g(z^[l+2] + a^[l])**. If W^[l+2] and b^[l+2] shrink to 0 the "
    "block just passes a^[l] through, so adding a block need not hurt. He et al. (2015), who introduced it, found "
    "that plain deep networks get *harder* to train as they get deeper, while residual ones gain accuracy from "
    "added depth. Below: one block with every number computed by an ONNX model, then a real experiment with plain "
    "and residual networks of growing depth, and what it measured.")

# ------------------------------------------------------------ one block, every number
st.header("One block, every number")
cols = st.columns(4)
seed = cols[0].number_input("seed of a[l] and the weights", 0, 9999, key=_ui.url_int("seed", 3, 0, 9999))
c_in = cols[1].slider("channels of a[l]", 1, MAX_CHANNELS, key=_ui.url_int("c", 2, 1, MAX_CHANNELS))
n = cols[2].slider("size n of a[l] (n × n)", *SIZES, key=_ui.url_int("n", 5, *SIZES))
negatives = cols[3].toggle("let a[l] have negatives", key=_ui.url_bool("neg", False),
                           help="In a network a[l] is a ReLU output, so it is never negative.")
cols = st.columns(4)
scale = cols[0].slider("scale W[l+2] and b[l+2] by", 0.0, 1.0, step=0.05, key=_ui.url_float("t", 1.0, 0.0, 1.0))
skip = cols[1].toggle("skip connection on", key=_ui.url_bool("skip", True))
stride = cols[2].select_slider("stride s of the first conv", [1, 2, 3], key=_ui.url_int("s", 1, 1, 3))
c_out = cols[3].slider("channels of z[l+1], z[l+2]", 1, MAX_CHANNELS, key=_ui.url_int("cout", 2, 1, MAX_CHANNELS))

shapes = residual.block_shapes(c_in, n, n, c_out, stride)
if shapes.identity_fits:
    shortcut = st.radio("shortcut", SHORTCUTS, horizontal=True, key=_ui.url_choice("sc", "identity", SHORTCUTS),
                        format_func={"identity": "identity: + a[l]", "projection": "projection: + W_s a[l]"}.get)
else:
    shortcut = "projection"
    st.info(f"z[l+2] is {shapes.main[0]}×{shapes.main[1]}×{shapes.main[2]} but a[l] is {c_in}×{n}×{n}: they cannot "
            "be added, so the shortcut must be a projection W_s a[l] (a 1×1 conv with the same stride).")

ex = residual.example_block(seed, c_in, n, c_out, negatives)
w2, b2 = ex.w2 * scale, ex.b2 * scale
with runtime.record_runs() as runs:
    try:
        if shortcut == "identity":
            steps = residual.residual_block_steps(ex.a, ex.w1, ex.b1, w2, b2, skip=skip, provider=_ui.provider())
        else:
            steps = residual.projection_block_steps(ex.a, ex.w1, ex.b1, w2, b2, ex.ws, stride=stride, skip=skip,
                                                    provider=_ui.provider())
    except ModelUnavailable as exc:
        st.error(f"The residual-block model could not be loaded: {exc}")
        st.stop()

out_c, out_h, out_w = shapes.main
for key, hi in (("ch", out_c), ("row", out_h), ("col", out_w)):  # keep the cell inside a shrunken output
    _ui.url_int(key, 1, 1, 8)
    st.session_state[key] = min(st.session_state[key], hi)
cols = st.columns([2, 1, 1, 1])
step = cols[0].select_slider("step through the block", list(STEP_NAMES), format_func=STEP_NAMES.get,
                             key=_ui.url_int("step", 5, 1, 5))
c = cols[1].number_input("cell: channel", 1, out_c, key="ch") - 1
i = cols[2].number_input("row", 1, out_h, key="row") - 1
j = cols[3].number_input("column", 1, out_w, key="col") - 1

shortcut_name = {"identity": "a<sup>[l]</sup>", "projection": "W<sub>s</sub> a<sup>[l]</sup>"}[shortcut]
shortcut_title = f"+ {shortcut_name}" if skip else "+ 0 (skip off)"
cell = {f: float(getattr(steps, f)[c, i, j]) for f in ("z1", "a1", "z2", "shortcut", "a2")}
cell["a"] = float(steps.a[c, i, j]) if shortcut == "identity" else float("nan")
st.graphviz_chart(charts.block_diagram(steps, scale, step, "identity: a[l]" if shortcut == "identity"
                                       else f"projection: W_s a[l] (1×1, stride {stride})", cell), width="stretch")
st.plotly_chart(charts.block_heatmaps(steps, shortcut_title, step, (c, i, j)), key="block_heatmaps",
                config={"displayModeBar": False})
st.caption(f"Every value as ONNX Runtime computed it. Channels are stacked top to bottom; the orange square is the "
           f"cell (channel {c + 1}, row {i + 1}, column {j + 1})"
           + (f", and in a[l] the pixel W_s reads for it (row {i * stride + 1}, column {j * stride + 1} of every "
              "channel)" if shortcut == "projection" else "")
           + ". Red is positive, blue negative; ? = not computed yet at this step.")

b1, conv1 = float(ex.b1[c]), cell["z1"] - float(ex.b1[c])
tb2 = float(b2[c])
t_ = "" if scale == 1 else rf"{scale:g}\,"  # the slider's factor on W[l+2], b[l+2]
skip_term = {"identity": r"a^{[l]}", "projection": r"(W_s a^{[l]})"}[shortcut] if skip else "0"
lines = [
    rf"z^{{[l+1]}} = (W^{{[l+1]}} * a^{{[l]}}) + b^{{[l+1]}} = {num(conv1)} + {num(b1)} = {num(cell['z1'])}",
    rf"a^{{[l+1]}} = g(z^{{[l+1]}}) = \max(0, {num(cell['z1'])}) = {num(cell['a1'])}",
    rf"z^{{[l+2]}} = ({t_}W^{{[l+2]}} * a^{{[l+1]}}) + {t_}b^{{[l+2]}} = {num(cell['z2'] - tb2)} + "
    rf"{num(tb2)} = {num(cell['z2'])}",
    rf"z^{{[l+2]}} + {skip_term} = {num(cell['z2'])} + {num(cell['shortcut'])} = {num(cell['z2'] + cell['shortcut'])}",
    rf"a^{{[l+2]}} = g(z^{{[l+2]}} + {skip_term}) = {num(cell['a2'])}",
]
st.latex(r"\begin{array}{l}" + r"\\".join(lines[:step]) + r"\end{array}")

if shortcut == "identity" and skip and scale == 0:
    clipped = int((steps.a < 0).sum())
    if clipped:
        st.warning(f"W[l+2] = 0 and b[l+2] = 0: a[l+2] = g(a[l]), which is a[l] except at the {clipped} cells where "
                   "a[l] < 0: ReLU sets those to 0. The identity holds for a[l] ≥ 0, which every ReLU output is.")
    else:
        diff = float(np.max(np.abs(steps.a2 - steps.a)))
        st.success(f"W[l+2] = 0 and b[l+2] = 0: a[l+2] = g(0 + a[l]) = a[l]. Largest |a[l+2] − a[l]| = {diff:g}. "
                   "The block is the identity, so adding it cannot make the network worse.")
elif not skip and scale == 0:
    st.warning("Skip off and W[l+2] = 0: a[l+2] = g(b[l+2]) = 0 everywhere, a plain block that lost a[l] entirely.")

with st.expander("Shape arithmetic: when the identity fits and when W_s is needed", expanded=not shapes.identity_fits):
    h1 = conv_output_size(n, residual.KERNEL, residual.PAD, stride)
    h_proj = conv_output_size(n, 1, 0, stride)
    p, f = residual.PAD, residual.KERNEL
    st.latex(rf"n^{{[l+1]}} = \left\lfloor \frac{{n + 2p - f}}{{s}} \right\rfloor + 1 = "
             rf"\left\lfloor \frac{{{n} + 2\cdot {p} - {f}}}{{{stride}}} \right\rfloor + 1 = {h1}, \qquad "
             rf"n^{{[l+2]}} = \left\lfloor \frac{{{h1} + 2\cdot {p} - {f}}}{{1}} \right\rfloor + 1 = {out_h}")
    st.latex(rf"W_s: 1\times 1,\ s = {stride}:\ \left\lfloor \frac{{{n} + 0 - 1}}{{{stride}}} \right\rfloor + 1 "
             rf"= {h_proj},\quad W_s \in \mathbb{{R}}^{{{c_out}\times{c_in}\times 1\times 1}}")
    st.markdown(f"a[l] is **{c_in}×{n}×{n}**, z[l+2] is **{out_c}×{out_h}×{out_w}**: "
                + ("the same, so a[l] can be added as it is (or through W_s if you choose)." if shapes.identity_fits
                   else f"different, so a[l] goes through W_s, which gives {c_out}×{h_proj}×{h_proj}."))

st.subheader("Check yourself: the identity")
expected = float(residual.identity_output(steps.shortcut)[c, i, j])  # the shortcut does not depend on W[l+2]
st.markdown(f"With **W[l+2] = 0 and b[l+2] = 0** (and the other settings as they are), what is a[l+2] at the "
            f"highlighted cell (channel {c + 1}, row {i + 1}, column {j + 1})? Work it out from a[l] "
            + ("and W_s " if shortcut == "projection" else "") + "before you move the scale slider.")
guess = st.number_input("your answer", value=None, step=1.0, key=_ui.url_float("guess", None, -1e6, 1e6))
_ui.check_answer(guess, expected, key="identity_quiz", tolerance=1e-3,
                 explanation="z[l+2] = 0, so a[l+2] = g(0 + shortcut) = max(0, shortcut).")

# ------------------------------------------------------------ the experiment
try:
    runs += experiment.show()
except ModelUnavailable as exc:  # the message names the file and the command that rebuilds it
    st.error(f"The recorded experiment could not be loaded: {exc}")

_ui.show_runs(runs)
_ui.url_notice()
_ui.sync_url(BLOCK_KEYS + experiment.KEYS)
