"""The padding & stride page's other tabs: pooling and upsampling, the network calculator, the quiz.

Split from ``pages/conv_arithmetic.py`` to keep each file readable; the same
rules hold: widgets and drawing only, every number from ``playground``.
"""

from __future__ import annotations

import random

import streamlit as st

from pages import _arithmetic_views as views
from pages import _ui
from playground import arithmetic_network as network
from playground import runtime, shape_probe
from playground.arithmetic import (
    Axis, ShapeError, conv_macs, conv_params, transposed_conv_output_size, transposed_overlap,
)
from playground.arithmetic_quiz import make_question

MAX_SIDE, MAX_CHANNELS, MAX_F, MAX_P, MAX_S = 4096, 4096, 99, 99, 64  # the number inputs' ranges
PRESET_NAMES = tuple(network.PRESETS)


def show_probe(probe: shape_probe.Probe, expected: tuple[int, int, int]) -> None:
    """The formula's n_H × n_W × n_C beside ONNX Runtime's, with the verdict."""
    if probe.skipped:
        st.info(f"ONNX Runtime check {probe.skipped}.")
        return
    if probe.error:
        st.error(f"Disagreement: the formula gives {expected}, but ONNX Runtime's {probe.op} refused: {probe.error}")
        return
    got = probe.hwc
    same = got[:2] == expected[:2] and (probe.reduced or got[2] == expected[2])
    channels = "1 (run with one channel)" if probe.reduced else got[2]
    st.markdown(f"| | n_H | n_W | n_C |\n|---|---|---|---|\n| formula | {expected[0]} | {expected[1]} | {expected[2]} |\n"
                f"| ONNX Runtime `{probe.op}`, output (N, C, H, W) = {probe.shape} | {got[0]} | {got[1]} | {channels} |")
    if same:
        st.markdown(f":green[**✓ ONNX Runtime agrees.**] It ran a one-node `{probe.op}` graph with these settings.")
    else:
        st.error(f"Disagreement: the formula gives {expected}, ONNX Runtime produced {got}.")


def pool_tab() -> None:
    st.markdown("Pooling, global average pooling, 1×1 convolutions and transposed convolutions, each on one input "
                "volume, each checked against ONNX Runtime.")
    c1, c2, c3 = st.columns(3)
    h = c1.number_input("n_H", 1, MAX_SIDE, key="pl_h")
    w = c2.number_input("n_W", 1, MAX_SIDE, key="pl_w")
    n_c = c3.number_input("n_C", 1, MAX_CHANNELS, key="pl_c")
    with runtime.record_runs() as runs:
        pooling(h, w, n_c)
        global_pool(h, w, n_c)
        one_by_one(h, w, n_c)
        transposed(h, w, n_c)
    _ui.show_runs(runs)


def pooling(h: int, w: int, n_c: int) -> None:
    st.subheader("Max and average pooling")
    c1, c2, c3 = st.columns(3)
    kind = c1.segmented_control("Type", ("max", "avg"), key="pl_type", required=True)
    f = c2.number_input("f", 1, MAX_F, key="pl_f")
    s = c3.number_input("s", 1, MAX_S, key="pl_s")
    try:
        rows, cols = Axis.make(h, f, 0, s), Axis.make(w, f, 0, s)
    except ShapeError as err:
        st.error(f"This pooling cannot work: {err}.")
        return
    st.latex(views.size_latex(rows, cols))
    st.markdown(f"Output **{rows.out} × {cols.out} × {n_c}**: pooling works on each channel alone, so n_C stays "
                f"{n_c}. It has hyperparameters (f, s) but **0 parameters**: nothing to learn.")
    probe = shape_probe.pool(kind, h, w, n_c, f, (0, 0, 0, 0), s, _ui.provider())
    show_probe(probe, (rows.out, cols.out, n_c))


def global_pool(h: int, w: int, n_c: int) -> None:
    st.subheader("Global average pooling")
    st.markdown(f"One average per channel over the whole {h}×{w} map: **{h} × {w} × {n_c} → 1 × 1 × {n_c}**, "
                "0 parameters. It replaces flatten + fc at the end of many modern networks.")
    show_probe(shape_probe.global_average_pool(h, w, n_c, _ui.provider()), (1, 1, n_c))


def one_by_one(h: int, w: int, n_c: int) -> None:
    st.subheader("1×1 convolution")
    k = st.number_input("Filters", 1, MAX_CHANNELS, key="k1")
    params, macs = conv_params(1, n_c, k), conv_macs(h, w, 1, n_c, k)
    st.markdown(f"Each output number mixes the {n_c} channels at one position: **{h} × {w} × {n_c} → "
                f"{h} × {w} × {k}**. It changes n_C and leaves n_H, n_W alone: the Inception bottleneck.")
    st.latex(views.params_latex(1, n_c, k, params))
    st.latex(views.macs_latex(h, w, 1, n_c, k, macs))
    show_probe(shape_probe.conv(h, w, n_c, k, 1, (0, 0, 0, 0), 1, 1, _ui.provider()), (h, w, k))


def transposed(h: int, w: int, n_c: int) -> None:
    st.subheader("Transposed convolution (upsampling, as in U-Net)")
    c = st.columns(5)
    f = c[0].number_input("f", 1, MAX_F, key="tc_f")
    s = c[1].number_input("s", 1, MAX_S, key="tc_s")
    p = c[2].number_input("p", 0, MAX_P, key="tc_p")
    op = c[3].number_input("output padding", 0, MAX_S - 1, key="tc_op")
    k = c[4].number_input("filters", 1, MAX_CHANNELS, key="tc_k")
    try:
        out_h, out_w = (transposed_conv_output_size(n, f, p, s, op) for n in (h, w))
    except ShapeError as err:
        st.error(f"This transposed convolution cannot work: {err}.")
        return
    st.latex(rf"n_H^{{[l]}} = (n_H^{{[l-1]}} - 1)\,s - 2p + f + \text{{output\_padding}} = "
             rf"({h} - 1)\cdot {s} - 2\cdot {p} + {f} + {op} = {out_h}")
    st.markdown(f"Each input number stamps a {f}×{f} filter onto the output, the stamps {s} apart: **{h} × {w} × "
                f"{n_c} → {out_h} × {out_w} × {k}**, with ({f}·{f}·{n_c} + 1)·{k} = {conv_params(f, n_c, k):,} "
                "parameters.")
    show_probe(shape_probe.conv_transpose(h, w, n_c, k, f, p, s, op, _ui.provider()), (out_h, out_w, k))
    counts_h, counts_w = transposed_overlap(h, f, p, s, op), transposed_overlap(w, f, p, s, op)
    st.plotly_chart(views.overlap_figure(counts_h, counts_w), key="overlap_fig", config={"displayModeBar": False})
    even = "the same number of" if counts_h.min() == counts_h.max() and counts_w.min() == counts_w.max() else "uneven"
    st.caption(f"Top-left corner of the output: cells receive {even} stamps. When f is not a multiple of s "
               "the counts alternate, which is where the checkerboard artefacts of upsampling come from.")


def load_preset() -> None:
    preset = network.PRESETS[st.session_state["net_preset"]]
    st.session_state["net"] = preset.spec
    st.session_state["net_h"], st.session_state["net_w"], st.session_state["net_c"] = preset.input_shape


def network_tab() -> None:
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.selectbox("Start from", PRESET_NAMES, key="net_preset", on_change=load_preset)
        c = st.columns(3)
        shape = tuple(c[n].number_input(label, 1, network.MAX_INPUT, key=key)
                      for n, (label, key) in enumerate((("n_H", "net_h"), ("n_W", "net_w"), ("n_C", "net_c"))))
        text = st.text_area("Layers, one a line", key="net", height=300, max_chars=network.MAX_CHARS)
        with st.expander("How to write a network"):
            st.code(network.GRAMMAR, language=None)
    with right:
        preset = network.PRESETS[st.session_state["net_preset"]]
        st.caption(preset.note if (text, shape) == (preset.spec, preset.input_shape) else
                   f"Edited from {preset.name}.")
        try:
            rows = network.summarize(shape, text)
        except ShapeError as err:
            st.error(f"The network cannot be computed: {err}")
            return
        total = network.totals(rows)
        m = st.columns(3)
        m[0].metric("Parameters", views.compact(total["params"]), help=f"Exactly {total['params']:,}.")
        m[1].metric("Multiplications", views.compact(total["macs"]), help=f"Exactly {total['macs']:,}.")
        m[2].metric("Activations (all layers)", views.compact(total["activations"]),
                    help=f"Exactly {total['activations']:,} numbers output by the layers for one image "
                    "(input excluded); 4 bytes each in float32.")
        if preset.name.startswith("Inception"):
            inception_comparison()
        st.plotly_chart(views.network_figure(shape, rows), key="net_fig", config={"displayModeBar": False})
    st.dataframe(table(shape, rows), hide_index=True, height=min(36 * (len(rows) + 2), 900), column_config={
        c: st.column_config.NumberColumn(format="localized")
        for c in ("activation size", "parameters", "multiplications")})
    st.caption("Receptive field: the side of the input patch one output number depends on, growing by "
               "(f − 1)·(product of earlier strides) at each conv or pooling layer; not tracked (—) from a "
               "transposed convolution on.")


def table(shape: tuple[int, int, int], rows: list[dict]) -> list[dict]:
    """The Keras-summary-like rows, with the input first."""
    def rf(r):
        return "—" if r["rf"] is None else "whole input" if r["rf"] == network.RF_WHOLE else f"{r['rf']}×{r['rf']}"
    first = {"line": "", "layer": "input", "output shape": "×".join(map(str, shape)),
             "activation size": shape[0] * shape[1] * shape[2], "parameters": 0, "multiplications": 0,
             "receptive field": "1×1"}
    return [first] + [{"line": str(r["line"]), "layer": r["layer"], "output shape": "×".join(map(str, r["output_shape"])),
                       "activation size": r["activation_size"], "parameters": r["params"],
                       "multiplications": r["macs"], "receptive field": rf(r)} for r in rows]


def inception_comparison() -> None:
    direct, bottleneck = (network.totals(network.summarize(p.input_shape, p.spec))
                          for p in network.PRESETS.values() if p.name.startswith("Inception"))
    st.markdown(f"**Direct vs bottleneck** on 28×28×192: {direct['macs']:,} against {bottleneck['macs']:,} "
                f"multiplications ({direct['macs'] / bottleneck['macs']:.1f}× fewer), {direct['params']:,} "
                f"against {bottleneck['params']:,} parameters.")


def new_question() -> None:
    st.session_state["q"] = random.randrange(1_000_000)
    st.session_state["q_ans"] = None


def quiz_tab() -> None:
    question = make_question(st.session_state["q"])
    st.markdown(f"**Question {question.seed}.** {question.text}")
    guess = st.number_input("Your answer", min_value=0, value=None, step=1, key="q_ans")
    _ui.check_answer(guess, question.answer, key="q", explanation=question.explanation)
    st.button("New question", key="q_new", on_click=new_question)
    st.caption("The question number is in the link: share it to ask someone the same question.")
