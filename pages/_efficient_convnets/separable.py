"""The cheap-networks page's second tab: normal against depthwise-separable convolution, and MobileNetV2's block."""

from __future__ import annotations

import streamlit as st

from pages._efficient_convnets import latex
from pages._efficient_convnets.state import MAX_CHANNELS, MAX_F, MAX_S, MAX_SIDE, MAX_T, sync_url
from pages._shared import format as fmt
from pages._shared import ui
from playground.conv_arithmetic import ShapeError
from playground.efficient_convnets import block_view, bottleneck_block, depthwise_separable, graph, normal_conv, separable_ratio


@st.fragment
def separable_section() -> None:
    st.header("Depthwise-separable convolution (MobileNet v1)")
    st.markdown(
        "A normal convolution does two jobs at once: it filters each position and mixes the channels. MobileNet "
        "splits them. The **depthwise** step has one f × f filter per input channel, and channel c of its output "
        "comes from channel c of the input alone. The **pointwise** step is a 1×1 convolution with n_C' filters "
        "that mixes the channels. Same output shape, far fewer multiplications.")
    c = st.columns(6)
    n = ui.number_field("input n (n × n × n_C)", 1, MAX_SIDE, key="ds_n", container=c[0])
    f = ui.number_field("filter f", 1, MAX_F, key="ds_f", container=c[1])
    n_c = ui.number_field("input channels n_C", 1, MAX_CHANNELS, key="ds_c", container=c[2])
    n_c_out = ui.number_field("filters n_C'", 1, MAX_CHANNELS, key="ds_k", container=c[3])
    p = ui.number_field("padding p", 0, MAX_F, key="ds_p", container=c[4])
    s = ui.number_field("stride s", 1, MAX_S, key="ds_s", container=c[5])
    sync_url()
    if ui.missing(n, f, n_c, n_c_out, p, s):
        return
    try:
        normal = normal_conv(n, f, n_c, n_c_out, p, s)
        depthwise, pointwise = depthwise_separable(n, f, n_c, n_c_out, p, s)
    except ShapeError as exc:
        st.warning(f"These numbers do not make a layer: {exc}")
        return
    out = normal.output_shape[0]
    separable = depthwise.macs + pointwise.macs
    st.latex(rf"n_{{out}} = \left\lfloor \frac{{n + 2p - f}}{{s}} \right\rfloor + 1 = \left\lfloor \frac{{{n} + 2\cdot{p} "
             rf"- {f}}}{{{s}}} \right\rfloor + 1 = {out}")
    st.latex(rf"\text{{normal: }} n_{{out}}^2 \cdot n_C' \cdot f^2 \cdot n_C = {latex.conv_count(normal)}")
    st.latex(rf"\text{{depthwise: }} n_{{out}}^2 \cdot n_C \cdot f^2 = {latex.depthwise_count(depthwise)},\qquad "
             rf"\text{{pointwise: }} n_{{out}}^2 \cdot n_C \cdot n_C' = {latex.product(out, out, n_c, n_c_out)} = "
             rf"{latex.count(pointwise.macs)}")
    ratio = separable_ratio(f, n_c_out)
    st.latex(rf"\frac{{{latex.count(depthwise.macs)} + {latex.count(pointwise.macs)}}}{{{latex.count(normal.macs)}}} = "
             rf"{float(separable / normal.macs):.4g} = \frac{{1}}{{n_C'}} + \frac{{1}}{{f^2}} = \frac{{1}}{{{n_c_out}}} + "
             rf"\frac{{1}}{{{f * f}}} = {latex.fraction(ratio)}")
    m = st.columns(3)
    m[0].metric("Normal conv", fmt.compact(normal.macs), help=f"{normal.params:,} parameters.")
    m[1].metric("Depthwise + pointwise", fmt.compact(separable),
                help=f"{depthwise.params + pointwise.params:,} parameters.")
    m[2].metric("Fewer by", f"{normal.macs / separable:.2f}×")
    st.caption("The ratio does not depend on n or n_C: for 3×3 filters and many output channels it approaches 1/9, "
               "so a depthwise-separable layer does 8 to 9 times fewer multiplications.")


@st.fragment
def block_section() -> None:
    st.header("MobileNetV2's bottleneck block")
    st.markdown(
        "MobileNet v2 wraps the depthwise step in a block: a 1×1 **expansion** grows the channels by a factor t "
        "(6 in the paper), the depthwise 3×3 filters that larger volume, and a 1×1 **projection** shrinks it back "
        "down, with no ReLU after it (it is linear). Where the input and output have the same shape, the input is "
        "added to the output: a residual connection, as on the residual-block page. The block's input and output "
        "stay small, while the work happens in the expanded space.")
    c = st.columns(5)
    n = ui.number_field("input n", 1, MAX_SIDE, key="mb_n", container=c[0])
    c_in = ui.number_field("input channels", 1, MAX_CHANNELS, key="mb_c", container=c[1])
    t = ui.number_field("expansion t", 1, MAX_T, key="mb_t", container=c[2])
    c_out = ui.number_field("output channels", 1, MAX_CHANNELS, key="mb_o", container=c[3])
    s = ui.number_field("stride s", 1, 2, key="mb_s", container=c[4])
    sync_url()
    if ui.missing(n, c_in, t, c_out, s):
        return
    block = bottleneck_block(n, c_in, t, c_out, s)
    rows = [{"step": layer.name, "input": "×".join(map(str, layer.input_shape)),
             "output": "×".join(map(str, layer.output_shape)), "parameters": layer.params,
             "multiplications": layer.macs} for layer in block.layers]
    st.dataframe(rows, hide_index=True, column_config={
        c: st.column_config.NumberColumn(format="localized") for c in ("parameters", "multiplications")})
    lines = []
    for layer in block.layers:
        formula = latex.depthwise_count(layer) if layer.kind == "depthwise" else latex.conv_count(layer)
        lines.append(rf"\text{{{layer.name}}}: {formula}")
    st.latex(r"\begin{array}{l}" + r"\\".join(lines) + rf"\\ \text{{total}}: {latex.count(block.macs)}\end{{array}}")
    normal = normal_conv(n, 3, c_in, c_out, "same", s)
    st.markdown(f"A normal 3×3 convolution from {c_in} to {c_out} channels would do **{normal.macs:,}** "
                f"multiplications ({normal.params:,} parameters); the block does **{block.macs:,}** "
                f"({block.params:,} parameters) while filtering {t * c_in} channels. "
                + ("Input and output have the same shape, so the block adds its input (residual)." if block.residual else
                   "Input and output differ in shape, so there is no residual add."))


def real_blocks_section() -> None:
    st.header("The 17 blocks of the real MobileNetV2")
    specs = block_view.block_specs()
    rows, total = [], 0
    for spec in specs:
        block = bottleneck_block(spec.n, spec.c_in, spec.t, spec.c_out, spec.s)
        total += block.macs
        rows.append({"block": spec.index, "input": f"{spec.n}×{spec.n}×{spec.c_in}", "t": spec.t,
                     "output": "×".join(map(str, block.output_shape)), "s": spec.s,
                     "residual": "yes" if spec.residual else "no", "multiplications": block.macs})
    st.dataframe(rows, hide_index=True, height=35 * (len(rows) + 1) + 3, column_config={
        "multiplications": st.column_config.NumberColumn(format="localized")})
    graph_macs = sum(graph.nodes()[i].macs for b in graph.blocks() for i in b.conv_indices())
    st.caption(f"Each row's shapes are read from the committed model's graph at 224×224 and costed by the calculator "
               f"above: {total:,} multiplications for the 17 blocks. Counted straight from the graph's weight shapes: "
               f"{graph_macs:,}.")


def show() -> None:
    separable_section()
    block_section()
    real_blocks_section()

