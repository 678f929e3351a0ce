"""The residual-block page's second half: the recorded depth experiment and the trained nets.

Every sentence with a number is computed from ``depth_experiment.json`` through
``playground.residual_block.depth_record``; claims are made only when the record shows them.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._residual_block import charts
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.residual_block import depth_numpy
from playground.residual_block import depth_record as dx
from playground.residual_block.depth_numpy import RERUN_BLOCKS, RERUN_EPOCHS

KEYS = ("shown", "pred", "curve", "gdepth", "digit", "depth", "npseed", "nprun")  # URL state of this half
CURVES = {"train_error": "after each epoch (eval mode, whole training set)",
          "running_train_error": "during each epoch (running, as SGD saw it)"}
EXPLODES, VANISHES = 10.0, 1e-3  # first/last-conv gradient ratio called exploding; plain/residual called vanishing


def _reveal() -> None:
    st.session_state["shown"] = True


def _hide() -> None:
    st.session_state["shown"] = False
    st.session_state["pred"] = None


@st.cache_data(max_entries=64, show_spinner=False)
def _numpy_rerun(seed: int) -> tuple[np.ndarray, np.ndarray]:
    images, labels, _ = dx.held_out_digits()
    x = depth_numpy.features(images)
    return tuple(depth_numpy.train(RERUN_BLOCKS, r, x, labels, RERUN_EPOCHS, seed).train_error for r in (False, True))


@plot.shared
def _curves_figure(curve: str, hidden: tuple[int, ...]):
    return charts.training_curves(dx.training_runs(), curve, set(hidden))


@plot.shared
def _gradients_figure(depth: int):
    return charts.gradient_norms(dx.get_run(depth, False), dx.get_run(depth, True))


def revealed() -> bool:
    """Whether the deepest nets' curves are revealed (``shown`` in the link)."""
    return bool(st.session_state.get(ui.url_bool("shown", False)))


@ui.section("Check yourself: predict the deepest nets")
def predict_and_curves(record: dict, depths: list[int], shown_in_page: bool) -> None:
    """Predict-then-reveal for the deepest nets, the error curves, the measured headline.

    Revealing or hiding changes what the digit section says too (the test errors are
    shown once revealed), so then the whole page reruns instead of this section alone.
    """
    deepest, epochs = max(depths), record["training"]["epochs"]
    shown = revealed()
    if shown != shown_in_page:
        st.rerun()
    st.subheader(f"Check yourself: predict the {deepest}-layer nets")
    prediction = st.radio(f"After {epochs} epochs, which {deepest}-layer net has the lower training error?",
                          dx.VERDICTS, index=None, horizontal=True, key=ui.url_choice("pred", None, dx.VERDICTS),
                          disabled=shown)
    final = dx.compare(deepest)  # the question is about "train_error", whichever curve is drawn below
    answer = dx.lower_error(final.plain_train_error, final.residual_train_error)
    if not shown:
        st.button(f"Reveal the {deepest}-layer curves", key="reveal", on_click=_reveal, type="primary")
    elif prediction is None:
        st.info(f"No prediction made. The recorded answer: **{answer}**.")
    elif prediction == answer:
        st.success(f"Right: **{answer}**.")
    else:
        st.error(f"Not this time: you said {prediction}, the recorded answer is **{answer}**.")

    curve = st.radio("training error measured", list(CURVES), format_func=CURVES.get, horizontal=True,
                     key=ui.url_choice("curve", "train_error", list(CURVES)))
    plot.chart(_curves_figure(curve, () if shown else (deepest,)), "curves")
    if not shown:
        st.caption(f"The {deepest}-layer curves stay hidden until you predict and reveal.")
        return
    small, deep = dx.compare(min(depths), curve), final if curve == "train_error" else dx.compare(deepest, curve)
    degraded = (deep.plain_train_error > small.plain_train_error + dx.CLEAR_GAP
                and deep.plain_train_error > deep.residual_train_error + dx.CLEAR_GAP)
    st.markdown(
        f"**What was measured:** after {epochs} epochs the {deepest}-layer plain net's training error is "
        f"**{fmt.percent(deep.plain_train_error)}**, the residual net's **{fmt.percent(deep.residual_train_error)}** "
        f"(validation {fmt.percent(deep.plain_val_error)} vs {fmt.percent(deep.residual_val_error)}). At {min(depths)} "
        f"layers they are {fmt.percent(small.plain_train_error)} and {fmt.percent(small.residual_train_error)}. "
        + ("The deeper plain net is worse on its own *training* data, so this is not overfitting: it is harder to "
           "optimise (He et al. 2015, Fig. 1), and the skip connections remove the problem." if degraded
           else "In this run the deeper plain net is not clearly worse on its training data."))
    st.button("Hide and predict again", key="hide", on_click=_hide)
    rows = []
    for d in depths:
        row = {"layers": str(d)}
        for residual in (False, True):
            run, kind = dx.get_run(d, residual), "residual" if residual else "plain"
            row[f"{kind}: train error"] = fmt.percent(run.final(curve))
            row[f"{kind}: first epoch < 5%"] = str(dx.first_epoch_below(run.curves[curve], 0.05) or "never")
            row[f"{kind}: test error"] = fmt.percent(run.test_error)
        rows.append(row)
    st.dataframe(rows, hide_index=True, key="summary")


def _growth(ratio_plain: float, ratio_residual: float) -> str:
    """What the first/last-conv gradient ratios show, with the EXPLODES threshold applied to both nets."""
    ratios = {"plain": ratio_plain, "residual": ratio_residual}
    exploding = [kind for kind, r in ratios.items() if r > EXPLODES]
    if len(exploding) == 2:
        big, small = sorted(ratios, key=ratios.get, reverse=True)
        return (f"in both nets the gradient grows more than {EXPLODES:g}× towards the input, it explodes; the {big} "
                f"net's growth is {fmt.ratio(ratios[big] / ratios[small])} times the {small} net's. ")
    if exploding:
        other = "residual" if exploding[0] == "plain" else "plain"
        return (f"the {exploding[0]} net's gradient grows more than {EXPLODES:g}× towards the input, it explodes; "
                f"the {other} net's does not. ")
    return f"neither net's gradient grows more than {EXPLODES:g}× towards the input at this depth. "


@ui.section("Gradients at initialisation")
def gradients(depths: list[int]) -> None:
    """Gradient norm per layer at initialisation, with and without BN, and what it shows."""
    st.subheader("Gradients at initialisation: exploding and vanishing")
    names = [str(d) for d in depths]
    depth = int(st.segmented_control("layers", names, key=ui.url_choice("gdepth", names[-1], names), required=True))
    plain, res = dx.get_run(depth, False), dx.get_run(depth, True)
    plot.chart(_gradients_figure(depth), "grads")
    ratio_p, ratio_r = dx.gradient_ratio(plain.grad_norms_init), dx.gradient_ratio(res.grad_norms_init)
    first_p, first_r = plain.grad_norms_init_no_bn[0], res.grad_norms_init_no_bn[0]
    st.markdown(
        f"With BN, the {depth}-layer plain net's first conv gets **{fmt.ratio(ratio_p)}×** the gradient of its last "
        f"conv (the residual net: **{fmt.ratio(ratio_r)}×**): " + _growth(ratio_p, ratio_r)
        + "Without BN, at PyTorch's default initialisation, the plain net's first-layer gradient is "
        + (f"{first_p:.2g}" if first_p > 0 else "exactly 0 (it underflowed in float32)")
        + f" against {first_r:.2g} for the residual net"
        + (": the vanishing gradient. " if first_p < VANISHES * first_r else ": no vanishing at this depth. ")
        + "The skip adds an identity path, ∂a[l+2]/∂a[l] = g′·(∂z[l+2]/∂a[l] + I), so the gradient reaches the "
          "early layers either way.")


@ui.section("Run the trained nets on a digit")
def digit(record: dict, depths: list[int], shown: bool) -> None:
    """A test digit through the plain and the residual net of one depth: prediction and activations."""
    st.subheader("Run the trained nets on a digit")
    images, labels, indices = dx.held_out_digits()
    # The deepest nets are the prediction's answer: they join the choice once the curves are revealed.
    names = [str(d) for d in (depths if shown else depths[:-1])]
    cols = st.columns([1, 1, 3])
    index = ui.number_field(f"test digit (1–{len(labels)})", 1, len(labels), container=cols[0],
                            key=ui.url_int("digit", 1, 1, len(labels)))
    depth = int(cols[1].radio("layers", names, key=ui.url_choice("depth", names[-1], names)))
    if not shown:
        cols[1].caption(f"The {max(depths)}-layer nets join once you predict and reveal above.")
    if ui.missing(index):
        return
    index -= 1
    plain = dx.predict(images[index:index + 1], depth, False, provider=ui.provider())
    res = dx.predict(images[index:index + 1], depth, True, provider=ui.provider())
    with cols[0]:
        st.image(np.kron(images[index], np.ones((16, 16))) / dx.PIXEL_SCALE, clamp=True, width=128,
                 caption=f"label {labels[index]} (load_digits index {indices[index]})",
                 alt=f"The 8×8 handwritten test digit, a {labels[index]}, enlarged")
    with cols[1]:
        for kind, pred in (("plain", plain), ("residual", res)):
            st.metric(f"{kind}-{depth} says", int(pred.labels[0]), f"{pred.probabilities[0].max():.0%} sure",
                      delta_color="off", delta_arrow="off")
    with cols[2]:
        plot.chart(charts.probabilities(plain.probabilities[0], res.probabilities[0], depth), "probs")
    plot.chart(charts.activation_profile(dx.activation_stats(plain.activations[0]),
                                         dx.activation_stats(res.activations[0])), "acts")
    test_errors = (f"On all {len(labels)} test digits the plain-{depth} net's error is "
                   f"{fmt.percent(dx.get_run(depth, False).test_error)}, the residual-{depth} net's "
                   f"{fmt.percent(dx.get_run(depth, True).test_error)}. ") if shown else ""
    c = record["architecture"]["channels"]
    st.caption(test_errors + f"Statistics of each block's output a[k] for this digit, over its {c} channels × "
               f"{images.shape[1]} × {images.shape[2]} positions. In the residual net a[k] = g(z + a[k−1]) "
               "accumulates, so its scale can grow with depth.")


@ui.section("Re-run a small version here")
def numpy_rerun() -> None:
    """The torch-free small version of the experiment, run on request."""
    layers = dx.depth_of(RERUN_BLOCKS)
    with st.expander(f"Re-run a small version here: numpy, no torch, {layers} layers"):
        st.markdown("Fully connected layers, no BN, PyTorch's default initialisation, the committed test digits as "
                    f"training data, {RERUN_EPOCHS} epochs (`playground/residual_block/depth_numpy.py`, backprop written "
                    "out; the tests run exactly this).")
        seed = ui.number_field("seed", 0, 999, key=ui.url_int("npseed", 0, 0, 999))
        if st.toggle("run it", key=ui.url_bool("nprun", False)) and not ui.missing(seed):
            with st.spinner(f"Training a plain and a residual {layers}-layer net in numpy (a second or two)…"):
                plain_err, res_err = _numpy_rerun(seed)
            plot.chart(charts.numpy_rerun(plain_err, res_err, layers), "numpy_rerun")
            st.markdown(f"Final training error: plain **{fmt.percent(plain_err[-1])}**, residual "
                        f"**{fmt.percent(res_err[-1])}**.")


def about(record: dict) -> None:
    """The model card: data, split, layers counted, init, schedule, what was tuned, how to rebuild."""
    with st.expander("About the experiment: data, seeds, hyper-parameters, what was tuned"):
        training, data = record["training"], record["data"]
        st.markdown(
            f"**Data:** {data['source']}. Split: {data['split']}; sizes {data['split_sizes']}.\n\n"
            f"**Layers counted:** {record['architecture']['depth']}.\n\n"
            f"**Initialisation:** {record['architecture']['init']}.\n\n"
            f"**Schedule:** {training['schedule']}. **Tuned once:** {training['tuning']['change']}; why: "
            f"{training['tuning']['reason']}\n\n**Measures:** "
            + "; ".join(f"`{k}`: {v}" for k, v in record["measures"].items())
            + f"\n\n**Rebuild:** `{record['command']}` ({record['total_seconds']:.0f} s on a shared machine, "
            f"{record['versions']['torch_threads']} CPU threads, torch {record['versions']['torch']}).")


def show() -> None:
    """The whole second half of the page."""
    record, depths = dx.load_record(), dx.depths()
    runs = dx.training_runs()
    st.header(f"Why it matters: plain vs residual networks, {min(depths)} to {max(depths)} layers")
    training = record["training"]
    st.markdown(
        f"The export script trained {len(runs)} networks on scikit-learn's 8×8 digits "
        f"({record['data']['split_sizes']['train']} training images): a stem conv, then blocks of conv-BN-ReLU-conv-BN, "
        f"{record['architecture']['channels']} channels, global average pooling and a classifier; "
        f"{', '.join(map(str, depths))} layers with weights. "
        "Each plain net and its residual twin start from the **same weights**: the only difference is the skip. "
        f"SGD, lr {training['lr']}, momentum {training['momentum']}, batch {training['batch']}, "
        f"{training['epochs']} epochs, seed {record['seed']}.")
    shown = revealed()
    predict_and_curves(record, depths, shown)
    gradients(depths)
    digit(record, depths, shown)
    numpy_rerun()
    about(record)
