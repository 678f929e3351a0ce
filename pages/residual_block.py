"""Residual block: a[l+2] = g(z[l+2] + a[l]), one block with live numbers, then a real depth experiment."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages import _residual_charts as charts
from pages import _ui
from playground import depth_experiment as dx
from playground import depth_numpy, residual, runtime
from playground.manifest import ModelUnavailable

SHORTCUTS = ("identity", "projection")
MAX_CHANNELS, SIZES = 4, (3, 8)  # what fits on screen as annotated heatmaps
STEP_NAMES = {1: "1 · z[l+1]", 2: "2 · a[l+1]", 3: "3 · z[l+2]", 4: "4 · add the skip", 5: "5 · a[l+2]"}
CURVES = {"train_error": "after each epoch (eval mode, whole training set)",
          "running_train_error": "during each epoch (running, as SGD saw it)"}
NUMPY_BLOCKS, NUMPY_EPOCHS = 9, 8  # the numpy re-run: 20 layers, as the tests run it


def num(v: float) -> str:
    """A value for st.latex: 4 significant digits, negatives in parentheses."""
    text = f"{v:.4g}"
    return f"({text})" if v < 0 else text


@st.cache_data(max_entries=64, show_spinner=False)
def numpy_rerun(seed: int) -> tuple[np.ndarray, np.ndarray]:
    images, labels, _ = dx.held_out_digits()
    x = images.reshape(len(images), -1) / dx.PIXEL_SCALE
    return tuple(depth_numpy.train(NUMPY_BLOCKS, r, x, labels, NUMPY_EPOCHS, seed).train_error for r in (False, True))


def reveal() -> None:
    st.session_state["shown"] = True


def hide() -> None:
    st.session_state["shown"] = False
    st.session_state["pred"] = None


st.title("Residual block")
st.markdown(
    "A residual block adds a **skip connection**: a^[l] jumps over two layers and is added to z^[l+2] "
    "*before* the last ReLU, so **a^[l+2] = g(z^[l+2] + a^[l])**. If W^[l+2] and b^[l+2] shrink to 0 the "
    "block just passes a^[l] through, so adding a block need not hurt. Plain deep networks get *harder* "
    "to train as they get deeper; residual ones keep improving. Below: one block with every number "
    "computed by an ONNX model, then a real experiment with networks of 8 to 56 layers.")

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
            zeroed = residual.residual_block_steps(ex.a, ex.w1, ex.b1, 0 * w2, 0 * b2, skip=skip,
                                                   provider=_ui.provider())
        else:
            steps = residual.projection_block_steps(ex.a, ex.w1, ex.b1, w2, b2, ex.ws, stride=stride, skip=skip,
                                                    provider=_ui.provider())
            zeroed = residual.projection_block_steps(ex.a, ex.w1, ex.b1, 0 * w2, 0 * b2, ex.ws, stride=stride,
                                                     skip=skip, provider=_ui.provider())
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
    h1 = residual.conv_output_size(n, residual.KERNEL, residual.PAD, stride)
    h_proj = residual.conv_output_size(n, 1, 0, stride)
    st.latex(rf"n^{{[l+1]}} = \left\lfloor \frac{{n + 2p - f}}{{s}} \right\rfloor + 1 = "
             rf"\left\lfloor \frac{{{n} + 2\cdot 1 - 3}}{{{stride}}} \right\rfloor + 1 = {h1}, \qquad "
             rf"n^{{[l+2]}} = \left\lfloor \frac{{{h1} + 2 - 3}}{{1}} \right\rfloor + 1 = {out_h}")
    st.latex(rf"W_s: 1\times 1,\ s = {stride}:\ \left\lfloor \frac{{{n} + 0 - 1}}{{{stride}}} \right\rfloor + 1 "
             rf"= {h_proj},\quad W_s \in \mathbb{{R}}^{{{c_out}\times{c_in}\times 1\times 1}}")
    st.markdown(f"a[l] is **{c_in}×{n}×{n}**, z[l+2] is **{out_c}×{out_h}×{out_w}**: "
                + ("the same, so a[l] can be added as it is (or through W_s if you choose)." if shapes.identity_fits
                   else f"different, so a[l] goes through W_s, which gives {c_out}×{h_proj}×{h_proj}."))

st.subheader("Check yourself: the identity")
expected = float(zeroed.a2[c, i, j])
st.markdown(f"With **W[l+2] = 0 and b[l+2] = 0** (and the other settings as they are), what is a[l+2] at the "
            f"highlighted cell (channel {c + 1}, row {i + 1}, column {j + 1})? Work it out from a[l] "
            + ("and W_s " if shortcut == "projection" else "") + "before you move the scale slider.")
guess = st.number_input("your answer", value=None, step=1.0, key=_ui.url_float("guess", None, -1e6, 1e6))
_ui.check_answer(guess, expected, key="identity_quiz", tolerance=1e-3,
                 explanation="z[l+2] = 0, so a[l+2] = g(0 + shortcut) = max(0, shortcut).")

# ------------------------------------------------------------ the experiment
st.header("Why it matters: plain vs residual networks, 8 to 56 layers")
try:
    record, runs_recorded = dx.load_record(), dx.training_runs()
except ModelUnavailable as exc:
    st.error(f"The recorded experiment could not be loaded: {exc}")
    st.stop()
depths, epochs = dx.depths(), record["training"]["epochs"]
deepest = max(depths)
st.markdown(
    f"Six networks were trained on scikit-learn's 8×8 digits ({record['data']['split_sizes']['train']} training "
    f"images): a stem conv, then blocks of conv-BN-ReLU-conv-BN, 16 channels, global average pooling and a "
    f"classifier; {', '.join(map(str, depths))} layers with weights. Each plain net and its residual twin start "
    f"from the **same weights**: the only difference is the skip. SGD, lr {record['training']['lr']}, momentum "
    f"{record['training']['momentum']}, batch {record['training']['batch']}, {epochs} epochs, seed {record['seed']}.")

st.subheader(f"Check yourself: predict the {deepest}-layer nets")
shown = st.session_state.get(_ui.url_bool("shown", False))
prediction = st.radio(f"After {epochs} epochs, which {deepest}-layer net has the lower training error?",
                      dx.VERDICTS, index=None, horizontal=True, key=_ui.url_choice("pred", None, dx.VERDICTS),
                      disabled=bool(shown))
final = dx.compare(deepest)
answer = dx.lower_error(final.plain_train_error, final.residual_train_error)
if not shown:
    st.button(f"Reveal the {deepest}-layer curves", key="reveal", on_click=reveal, type="primary")
elif prediction is None:
    st.info(f"No prediction made. The answer: **{answer}**.")
elif prediction == answer:
    st.success(f"Right: **{answer}**.")
else:
    st.error(f"Not this time: you said {prediction}, the recorded answer is **{answer}**.")

curve = st.radio("training error measured", list(CURVES), format_func=CURVES.get, horizontal=True,
                 key=_ui.url_choice("curve", "train_error", list(CURVES)))
st.plotly_chart(charts.training_curves(runs_recorded, curve, set() if shown else {deepest}), key="curves",
                config={"displayModeBar": False})
if shown:
    smallest = dx.compare(min(depths), curve)
    final = dx.compare(deepest, curve)
    st.markdown(
        f"**What was measured:** after {epochs} epochs the {deepest}-layer plain net's training error is "
        f"**{final.plain_train_error:.1%}**, the residual net's **{final.residual_train_error:.1%}** (validation "
        f"{final.plain_val_error:.1%} vs {final.residual_val_error:.1%}). At {min(depths)} layers they are "
        f"{smallest.plain_train_error:.1%} and {smallest.residual_train_error:.1%}. "
        + ("The deeper plain net is worse on its own *training* data, so this is not overfitting: it is harder to "
           "optimise (He et al. 2015, Fig. 1), and the skip connections remove the problem."
           if final.plain_train_error > smallest.plain_train_error + 0.05
           and final.plain_train_error > final.residual_train_error + 0.05
           else "In this run the deeper plain net is not clearly worse on its training data."))
    st.button("Hide and predict again", key="hide", on_click=hide)
    st.dataframe([{"layers": str(d), "plain: train error": f"{dx.compare(d, curve).plain_train_error:.1%}",
                   "residual: train error": f"{dx.compare(d, curve).residual_train_error:.1%}",
                   "plain: first epoch < 5%": str(dx.first_epoch_below(dx.get_run(d, False).curves[curve], 0.05)
                                                  or "never"),
                   "residual: first epoch < 5%": str(dx.first_epoch_below(dx.get_run(d, True).curves[curve], 0.05)
                                                     or "never"),
                   "plain: test error": f"{dx.get_run(d, False).test_error:.1%}",
                   "residual: test error": f"{dx.get_run(d, True).test_error:.1%}"} for d in depths],
                 hide_index=True, key="summary")
else:
    st.caption(f"The {deepest}-layer curves stay hidden until you predict and reveal.")

st.subheader("Gradients at initialisation: exploding and vanishing")
depth_names = [str(d) for d in depths]
grad_depth = int(st.segmented_control("layers", depth_names, key=_ui.url_choice("gdepth", str(deepest), depth_names),
                                      required=True))
plain_run, res_run = dx.get_run(grad_depth, False), dx.get_run(grad_depth, True)
st.plotly_chart(charts.gradient_norms(plain_run, res_run), key="grads", config={"displayModeBar": False})
ratio_p, ratio_r = dx.gradient_ratio(plain_run.grad_norms_init), dx.gradient_ratio(res_run.grad_norms_init)
times = lambda r: f"{r:,.0f}" if r >= 10 else f"{r:.2g}"  # noqa: E731
no_bn_first, no_bn_res = plain_run.grad_norms_init_no_bn[0], res_run.grad_norms_init_no_bn[0]
vanishes = no_bn_first < 1e-3 * no_bn_res
st.markdown(
    f"With BN, the {grad_depth}-layer plain net's first conv gets **{times(ratio_p)}×** the gradient of its last "
    f"conv (the residual net: {times(ratio_r)}×): " + ("the gradient grows towards the input, i.e. it explodes. "
                                                if ratio_p > 10 else "no large growth at this depth. ")
    + "Without BN, at PyTorch's default initialisation, the plain net's first-layer gradient is "
    + (f"{no_bn_first:.2g}" if no_bn_first > 0 else "exactly 0 (it underflowed in float32)")
    + f" against {no_bn_res:.2g} for the residual net"
    + (": the vanishing gradient. " if vanishes else ": no vanishing at this depth. ")
    + "The skip adds an identity path, ∂a[l+2]/∂a[l] = g′·(∂z[l+2]/∂a[l] + I), so the gradient reaches early layers either way.")

st.subheader("Run the trained nets on a digit")
images, labels, indices = dx.held_out_digits()
cols = st.columns([1, 1, 3])
digit = cols[0].number_input(f"test digit (1–{len(labels)})", 1, len(labels),
                             key=_ui.url_int("digit", 1, 1, len(labels))) - 1
depth = int(cols[1].radio("layers", depth_names, key=_ui.url_choice("depth", str(deepest), depth_names)))
with runtime.record_runs() as digit_runs:
    plain_pred = dx.predict(images[digit:digit + 1], depth, False, provider=_ui.provider())
    res_pred = dx.predict(images[digit:digit + 1], depth, True, provider=_ui.provider())
runs += digit_runs
with cols[0]:
    st.image(np.kron(images[digit], np.ones((16, 16))) / 16.0, clamp=True, width=128,
             caption=f"label {labels[digit]} (load_digits index {indices[digit]})")
with cols[1]:
    for kind, pred in (("plain", plain_pred), ("residual", res_pred)):
        st.metric(f"{kind}-{depth} says", int(pred.labels[0]), f"{pred.probabilities[0].max():.0%} sure",
                  delta_color="off", delta_arrow="off")
with cols[2]:
    st.plotly_chart(charts.probabilities(plain_pred.probabilities[0], res_pred.probabilities[0], depth), key="probs",
                    config={"displayModeBar": False})
st.plotly_chart(charts.activation_profile(dx.activation_stats(plain_pred.activations[0]),
                                          dx.activation_stats(res_pred.activations[0])),
                key="acts", config={"displayModeBar": False})
test_errors = (f"On all {len(labels)} test digits the plain-{depth} net's error is {dx.get_run(depth, False).test_error:.1%}, "
               f"the residual-{depth} net's {dx.get_run(depth, True).test_error:.1%}. ") if shown else ""
st.caption(test_errors + "Statistics of each block's output a[k] for this digit, over its 16 channels × 8 × 8 positions. "
           "In the residual net a[k] = g(z + a[k−1]) accumulates, so its scale can grow with depth.")

with st.expander(f"Re-run a small version here: numpy, no torch, {depth_numpy.depth(NUMPY_BLOCKS)} layers"):
    st.markdown(f"Fully connected layers, no BN, PyTorch's default initialisation, the {len(labels)} test digits as "
                f"training data, {NUMPY_EPOCHS} epochs (`playground/depth_numpy.py`, backprop written out; the tests "
                "run exactly this).")
    np_seed = st.number_input("seed", 0, 999, key=_ui.url_int("npseed", 0, 0, 999))
    if st.toggle("run it", key=_ui.url_bool("nprun", False)):
        plain_err, res_err = numpy_rerun(np_seed)
        st.plotly_chart(charts.numpy_rerun(plain_err, res_err, depth_numpy.depth(NUMPY_BLOCKS)), key="numpy_rerun",
                        config={"displayModeBar": False})
        st.markdown(f"Final training error: plain **{plain_err[-1]:.1%}**, residual **{res_err[-1]:.1%}**.")

with st.expander("About the experiment: data, seeds, hyper-parameters, what was tuned"):
    st.markdown(f"**Data:** {record['data']['source']}. Split: {record['data']['split']}; sizes "
                f"{record['data']['split_sizes']}.\n\n**Layers counted:** {record['architecture']['depth']}.\n\n"
                f"**Initialisation:** {record['architecture']['init']}.\n\n**Schedule:** "
                f"{record['training']['schedule']}. **Tuned once:** {record['training']['tuning']['change']}; "
                f"why: {record['training']['tuning']['reason']}\n\n**Measures:** "
                + "; ".join(f"`{k}`: {v}" for k, v in record["measures"].items())
                + f"\n\n**Rebuild:** `{record['command']}` ({record['total_seconds']:.0f} s on a shared machine, "
                f"{record['versions']['torch_threads']} CPU threads, torch {record['versions']['torch']}).")

_ui.show_runs(runs)
_ui.url_notice()
_ui.sync_url([k for k in ("seed", "c", "n", "neg", "t", "skip", "s", "cout", "sc", "step", "ch", "row", "col", "guess",
                          "shown", "pred", "curve", "gdepth", "digit", "depth", "npseed", "nprun")
              if st.session_state.get(k) is not None])
