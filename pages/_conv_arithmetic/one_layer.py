"""The padding & stride page's first tab: one conv layer, its formulas, ONNX Runtime's check, the sliding window."""

from __future__ import annotations

import streamlit as st

from pages._conv_arithmetic import views
from pages._conv_arithmetic.state import MAX_CHANNELS, MAX_D, MAX_F, MAX_P, MAX_S, MAX_SIDE, PAD_MODES
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.conv_arithmetic import Axis, ShapeError, conv_macs, conv_params, same_padding, shape_probe, usage_grid


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


def conv_controls() -> tuple[int, ...]:
    # One st.columns row per row of fields: the page's order (and so Tab's) then runs across each row, as the
    # fields are laid out, not down the left column and then the right one.
    c1, c2 = st.columns(2)
    h = ui.number_field("n_H: input height", 1, MAX_SIDE, key="h", container=c1)
    w = ui.number_field("n_W: input width", 1, MAX_SIDE, key="w", container=c2)
    c1, c2 = st.columns(2)
    f = ui.number_field("f: filter size", 1, MAX_F, key="f", container=c1)
    s = ui.number_field("s: stride", 0, MAX_S, key="s", help="0 is allowed so you can see why it cannot work.", container=c2)
    mode = st.segmented_control("Padding", PAD_MODES, key="pm", required=True,
                                help="A number p pads p cells on every side; valid means p = 0; "
                                     "same pads so that the output is ⌈n/s⌉ (n itself for s = 1).")
    c1, c2 = st.columns(2)
    p = ui.number_field("p: padding per side", 0, MAX_P, key="p", disabled=mode != "number", container=c1)
    d = ui.number_field("d: dilation", 1, MAX_D, key="d", container=c2,
                        help="Gaps between the filter's taps; 1 is an ordinary filter.")
    c1, c2 = st.columns(2)
    n_c = ui.number_field("n_C: input channels", 1, MAX_CHANNELS, key="nc", container=c1)
    k = ui.number_field("filters (output channels)", 1, MAX_CHANNELS, key="k", container=c2)
    return h, w, f, (p if mode == "number" else mode), s, d, n_c, k


def same_split(axis: Axis, before: str, after: str) -> str:
    """The padding "same" chose on one axis, with the numbers: ⌈n/s⌉ windows need this many cells."""
    total, f_eff = axis.pad_before + axis.pad_after, axis.f_eff
    return (f"⌈{axis.n}/{axis.s}⌉ = {axis.out} windows need max(({axis.out} − 1)·{axis.s} + {f_eff} − {axis.n}, 0) "
            f"= {total} cell(s) of padding, so {axis.pad_before} {before} and {axis.pad_after} {after}")


def same_explainer(rows: Axis, cols: Axis, same: bool) -> str:
    """Why "same" is p = (f − 1)/2 at stride 1, what an even f does, and the padding "same" chose with a stride."""
    f_eff, s = rows.f_eff, rows.s
    f_sym = "f" if rows.dilation == 1 else "f_eff"
    if s > 1:
        text = (f"**\"same\" with stride {s}** means an output of ⌈n/s⌉, not n: the total padding is "
                f"max((⌈n/s⌉ − 1)·s + {f_sym} − n, 0), and when it is odd the extra cell goes at the bottom/right "
                "(TensorFlow/Keras, ONNX `SAME_UPPER`, PyTorch).")
        if not same:
            return text + " Choose *same* to see it worked out for these numbers."
        return (text + f" Rows: {same_split(rows, 'at the top', 'at the bottom')}. "
                f"Columns: {same_split(cols, 'on the left', 'on the right')}.")
    named = f"f = {rows.f}" if rows.dilation == 1 else f"f_eff = {f_eff}"
    if f_eff % 2:
        return (f"**\"same\" with {named}**: p = (f − 1)/2 = ({f_eff} − 1)/2 = {(f_eff - 1) // 2} on every side, so "
                "n + 2p − f + 1 = n. An odd filter has a centre cell and pads both sides equally, "
                "one reason filters are usually odd.")
    before, after = same_padding(rows.n, rows.f, 1, rows.dilation)  # at stride 1 the split does not depend on n
    return (f"**\"same\" with {named}**: (f − 1)/2 = {(f_eff - 1) / 2:g} is not a whole number. The total "
            f"padding f − 1 = {f_eff - 1} is split {before} before and {after} after: the extra row goes at the "
            "bottom and the extra column at the right (TensorFlow/Keras, ONNX `SAME_UPPER`, PyTorch). "
            "Odd filters avoid this asymmetry, and have a centre cell.")


def stride_notes(rows: Axis, cols: Axis) -> None:
    """Say which input rows/columns no window reads (a stride that does not divide evenly, or dilation gaps)."""
    for name, axis in (("rows", rows), ("columns", cols)):
        unread = axis.unread_inputs()
        f_name = "f" if axis.dilation == 1 else "f_eff"
        if len(unread) == 0:
            if axis.leftover:
                st.caption(f"{name.capitalize()}: n + padding − {f_name} = {axis.padded - axis.f_eff} is not a "
                           f"multiple of s = {axis.s}, so the last {axis.leftover} cell(s) are never read, "
                           "but they are padding: no input is lost.")
            continue
        why = (f"Because n + padding − {f_name} = {axis.padded - axis.f_eff} is not a multiple of s = {axis.s}, the "
               f"last window stops {axis.leftover} cell(s) short of the end" if axis.leftover else
               f"The filter's taps are {axis.dilation} apart and the stride is {axis.s}, so some cells fall between "
               "the taps of every window")
        st.warning(f"Input {name} never read: **{fmt.index_list(unread)}** (of 1…{axis.n}). "
                   f"{why}: whatever is there cannot affect the output.")


@ui.section("The sliding window")
def window_step(rows: Axis, cols: Axis) -> None:
    """Step the window over the output cells; the receptive field and the usage counts."""
    st.subheader("Step through the sliding window")
    positions = rows.out * cols.out
    st.session_state["pos"] = min(st.session_state["pos"], positions)
    if positions > 1:
        st.slider("Output cell, in reading order", 1, positions, key="pos")
    i, j = divmod(st.session_state["pos"] - 1, cols.out)
    tap_r, tap_c = rows.taps(i) - rows.pad_before, cols.taps(j) - cols.pad_before
    st.markdown(f"Output cell **(row {i + 1}, column {j + 1})** is computed from input rows "
                f"**{fmt.index_list(tap_r)}** and columns **{fmt.index_list(tap_c)}**: its receptive field "
                "(numbers ≤ 0 or past the input's edge are padding).")
    if not views.drawable(rows, cols):
        st.info(f"The padded input is {rows.padded}×{cols.padded}: too many cells to draw legibly "
                f"(the picture is drawn up to {views.MAX_DRAWN_SIDE} per side).")
        return
    c1, c2 = st.columns([3, 2])
    with c1:
        plot.chart(views.window_figure(rows, cols, i, j), "window_fig")
    with c2:
        plot.chart(views.output_figure(rows.out, cols.out, i, j), "output_fig")
    counts = usage_grid(rows, cols)  # (padded_H, padded_W)
    plot.chart(views.usage_figure(rows, cols, counts), "usage_fig")
    usage = counts[rows.pad_before:rows.pad_before + rows.n, cols.pad_before:cols.pad_before + cols.n]
    st.caption(f"Here the top-left input cell is read by {usage[0, 0]} window(s) and the busiest input cell by "
               f"{usage.max()}: without padding, edge pixels count for less than central ones (with s = 1 a corner is "
               "read once, a central cell f·f times). Padding is grey; red cells are input that no window reads.")


def conv_tab() -> None:
    left, right = st.columns([1, 2], gap="large")
    with left:
        h, w, f, pad, s, d, n_c, k = conv_controls()
    with right:
        if ui.missing(h, w, f, pad, s, d, n_c, k):
            return
        try:
            rows, cols = Axis.make(h, f, pad, s, d), Axis.make(w, f, pad, s, d)
        except ShapeError as err:
            hint = (" A stride of 0 would leave the window in place forever." if s == 0 else
                    " Use a smaller filter, or pad more: \"same\" padding always fits.")
            st.error(f"This layer cannot work: {err}.{hint}")
            return
        params, macs = conv_params(f, n_c, k), conv_macs(rows.out, cols.out, f, n_c, k)
        m1, m2, m3 = st.columns(3)
        m1.metric("Output n_H × n_W × n_C", f"{rows.out} × {cols.out} × {k}")
        m2.metric("Parameters", fmt.compact(params), help=f"Exactly {params:,}.")
        m3.metric("Multiplications", fmt.compact(macs), help=f"Exactly {macs:,}.")
        if d > 1:
            st.latex(views.dilation_latex(rows))
        st.latex(views.size_latex(rows, cols))
        st.latex(views.params_latex(f, n_c, k, params))
        st.latex(views.macs_latex(rows.out, cols.out, f, n_c, k, macs))
        st.markdown(same_explainer(rows, cols, pad == "same"))
        stride_notes(rows, cols)
        with ui.listed("One conv layer: the shape check"):
            pads = (rows.pad_before, cols.pad_before, rows.pad_after, cols.pad_after)
            probe = shape_probe.conv(h, w, n_c, k, f, pads, s, d, ui.provider())
        show_probe(probe, (rows.out, cols.out, k))
    window_step(rows, cols)
