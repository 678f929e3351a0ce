"""The padding & stride page's second tab: pooling, global average pooling, 1×1 and transposed convolutions."""

from __future__ import annotations

import streamlit as st

from pages._conv_arithmetic import views
from pages._conv_arithmetic.one_layer import show_probe
from pages._conv_arithmetic.state import MAX_CHANNELS, MAX_F, MAX_P, MAX_S, MAX_SIDE
from pages._shared import plot, ui
from playground.conv_arithmetic import (
    Axis,
    ShapeError,
    conv_macs,
    conv_params,
    shape_probe,
    transposed_conv_output_size,
    transposed_overlap,
)


def pool_tab() -> None:
    st.markdown("Pooling, global average pooling, 1×1 convolutions and transposed convolutions, each on one input "
                "volume, each checked against ONNX Runtime.")
    c1, c2, c3 = st.columns(3)
    h = ui.number_field("n_H", 1, MAX_SIDE, key="pl_h", container=c1)
    w = ui.number_field("n_W", 1, MAX_SIDE, key="pl_w", container=c2)
    n_c = ui.number_field("n_C", 1, MAX_CHANNELS, key="pl_c", container=c3)
    if ui.missing(h, w, n_c):
        return
    pooling(h, w, n_c)
    with ui.listed("Global average pooling"):
        global_pool(h, w, n_c)
    one_by_one(h, w, n_c)
    transposed(h, w, n_c)


@ui.section("Max and average pooling")
def pooling(h: int, w: int, n_c: int) -> None:
    st.subheader("Max and average pooling")
    c1, c2, c3 = st.columns(3)
    kind = c1.segmented_control("Type", ("max", "avg"), key="pl_type", required=True)
    f = ui.number_field("f", 1, MAX_F, key="pl_f", container=c2)
    s = ui.number_field("s", 1, MAX_S, key="pl_s", container=c3)
    if ui.missing(f, s):
        return
    try:
        rows, cols = Axis.make(h, f, 0, s), Axis.make(w, f, 0, s)
    except ShapeError as err:
        st.error(f"This pooling cannot work: {err}.")
        return
    st.latex(views.size_latex(rows, cols))
    st.markdown(f"Output **{rows.out} × {cols.out} × {n_c}**: pooling works on each channel alone, so n_C stays "
                f"{n_c}. It has hyperparameters (f, s) but **0 parameters**: nothing to learn.")
    probe = shape_probe.pool(kind, h, w, n_c, f, (0, 0, 0, 0), s, ui.provider())
    show_probe(probe, (rows.out, cols.out, n_c))


def global_pool(h: int, w: int, n_c: int) -> None:
    st.subheader("Global average pooling")
    st.markdown(f"One average per channel over the whole {h}×{w} map: **{h} × {w} × {n_c} → 1 × 1 × {n_c}**, "
                "0 parameters. It replaces flatten + fc at the end of many modern networks.")
    show_probe(shape_probe.global_average_pool(h, w, n_c, ui.provider()), (1, 1, n_c))


@ui.section("1×1 convolution")
def one_by_one(h: int, w: int, n_c: int) -> None:
    st.subheader("1×1 convolution")
    k = ui.number_field("Filters", 1, MAX_CHANNELS, key="k1")
    if ui.missing(k):
        return
    params, macs = conv_params(1, n_c, k), conv_macs(h, w, 1, n_c, k)
    st.markdown(f"Each output number mixes the {n_c} channels at one position: **{h} × {w} × {n_c} → "
                f"{h} × {w} × {k}**. It changes n_C and leaves n_H, n_W alone: the Inception bottleneck.")
    st.latex(views.params_latex(1, n_c, k, params))
    st.latex(views.macs_latex(h, w, 1, n_c, k, macs))
    show_probe(shape_probe.conv(h, w, n_c, k, 1, (0, 0, 0, 0), 1, 1, ui.provider()), (h, w, k))


@ui.section("Transposed convolution")
def transposed(h: int, w: int, n_c: int) -> None:
    st.subheader("Transposed convolution (upsampling, as in U-Net)")
    c = st.columns(5)
    f = ui.number_field("f", 1, MAX_F, key="tc_f", container=c[0])
    s = ui.number_field("s", 1, MAX_S, key="tc_s", container=c[1])
    p = ui.number_field("p", 0, MAX_P, key="tc_p", container=c[2])
    op = ui.number_field("output padding", 0, MAX_S - 1, key="tc_op", container=c[3])
    k = ui.number_field("filters", 1, MAX_CHANNELS, key="tc_k", container=c[4])
    if ui.missing(f, s, p, op, k):
        return
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
    show_probe(shape_probe.conv_transpose(h, w, n_c, k, f, p, s, op, ui.provider()), (out_h, out_w, k))
    counts_h, counts_w = transposed_overlap(h, f, p, s, op), transposed_overlap(w, f, p, s, op)
    plot.chart(views.overlap_figure(counts_h, counts_w), "overlap_fig")
    even = "the same number of" if counts_h.min() == counts_h.max() and counts_w.min() == counts_w.max() else "uneven"
    st.caption(f"Top-left corner of the output: cells receive {even} stamps. When f is not a multiple of s "
               "the counts alternate, which is where the checkerboard artefacts of upsampling come from.")
