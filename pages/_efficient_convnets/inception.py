"""The cheap-networks page's first tab: the 1×1 convolution as a bottleneck, and the Inception module."""

from __future__ import annotations

import streamlit as st

from pages._efficient_convnets import figures, latex
from pages._efficient_convnets.state import FILTER_SIDES, MAX_CHANNELS, MAX_SIDE, sync_url
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground.conv_arithmetic import ShapeError
from playground.efficient_convnets import Design, InceptionSpec, inception_module, module_channels, one_by_one_bottleneck


@st.fragment
def bottleneck_section() -> None:
    st.header("A 1×1 convolution is a fully connected layer at every pixel")
    st.markdown(
        "A 1×1 filter looks at one pixel, but through all of its n_C channels: it is a weighted sum of the n_C "
        "numbers at that pixel, and n_C' filters make n_C' new numbers there. So a 1×1 convolution is a fully "
        "connected layer from n_C to n_C' applied at every pixel: it changes the number of channels and leaves "
        "n_H × n_W alone. Put before an expensive convolution to shrink the channels first, it is called a "
        "**bottleneck**.")
    c = st.columns(5)
    n = ui.number_field("input n (n × n × n_C)", 1, MAX_SIDE, key="bn_n", container=c[0])
    n_c = ui.number_field("input channels n_C", 1, MAX_CHANNELS, key="bn_c", container=c[1])
    f = int(c[2].select_slider("filter f × f", [str(f) for f in FILTER_SIDES], key="bn_f"))
    filters = ui.number_field("filters", 1, MAX_CHANNELS, key="bn_k", container=c[3])
    reduced = ui.number_field("bottleneck channels", 1, MAX_CHANNELS, key="bn_r", container=c[4])
    sync_url()
    if ui.missing(n, n_c, filters, reduced):
        return
    try:
        direct, bottleneck = one_by_one_bottleneck(n, n_c, f, filters, reduced)
    except ShapeError as exc:
        st.warning(f"These numbers do not make a layer: {exc}")
        return
    squeeze, conv = bottleneck.layers
    st.latex(r"\begin{array}{rl}"
             rf"\text{{direct }} {f}\times{f}: & {latex.conv_count(direct.layers[0])} \\"
             rf"1\times1 \text{{ to {reduced} channels}}: & {latex.conv_count(squeeze)} \\"
             rf"\text{{then }} {f}\times{f}: & {latex.conv_count(conv)} \\"
             rf"\text{{through the bottleneck}}: & {latex.count(squeeze.macs)} + {latex.count(conv.macs)} = "
             rf"{latex.count(bottleneck.macs)}"
             r"\end{array}")
    m = st.columns(3)
    m[0].metric("Multiplications, direct", fmt.compact(direct.macs), help=f"Exactly {direct.macs:,}.")
    m[1].metric("…through the bottleneck", fmt.compact(bottleneck.macs), help=f"Exactly {bottleneck.macs:,}.")
    m[2].metric("Fewer by", f"{direct.macs / bottleneck.macs:.1f}×")
    st.caption(f"Both give {fmt.exact(n)}×{fmt.exact(n)}×{filters}. Parameters: {direct.params:,} direct, "
               f"{bottleneck.params:,} with the bottleneck. Done within reason, the course notes, shrinking the channels "
               "this way does not seem to hurt performance.")


def spec_controls() -> tuple[InceptionSpec | None, bool]:
    """The module's numbers (None while a field is not valid) and the bottleneck toggle."""
    c = st.columns(2)
    n = ui.number_field("input n (n × n × n_C)", 1, MAX_SIDE, key="in_n", container=c[0])
    n_c = ui.number_field("input channels n_C", 1, MAX_CHANNELS, key="in_c", container=c[1])
    c = st.columns(6)
    labels = (("1×1 filters", "c1"), ("3×3: 1×1 first to", "r3"), ("3×3 filters", "c3"), ("5×5: 1×1 first to", "r5"),
              ("5×5 filters", "c5"), ("1×1 after the pool", "cp"))
    values = {key: ui.number_field(label, 1, MAX_CHANNELS, key=key, container=c[i])
              for i, (label, key) in enumerate(labels)}
    bottleneck = st.toggle("1×1 bottlenecks (GoogLeNet's module; off: the naive module)", key="in_b")
    if ui.missing(n, n_c, *values.values()):
        return None, bottleneck
    return InceptionSpec(n, n_c, values["c1"], values["r3"], values["c3"], values["r5"], values["c5"],
                         values["cp"]), bottleneck


def branch_rows(branches: tuple[Design, ...]) -> list[dict]:
    rows = []
    for branch in branches:
        steps = " → ".join(f"{layer.name} ({layer.input_shape[2]}→{layer.output_shape[2]})" for layer in branch.layers)
        h, w, c = branch.output_shape
        rows.append({"branch": branch.name, "layers": steps, "output": f"{h}×{w}×{c}", "parameters": branch.params,
                     "multiplications": branch.macs})
    return rows


@st.fragment
def inception_section() -> None:
    st.header("The Inception module: let the network pick the filter size")
    st.markdown(
        "Instead of choosing a 1×1, 3×3 or 5×5 convolution or a pooling layer, do them all on the same input, "
        "side by side, each with \"same\" padding so they keep n × n, and stack their outputs along the channels. "
        "The 3×3 and 5×5 convolutions on many channels would be expensive, so 1×1 bottlenecks shrink the channels "
        "first; the max-pool would pass all n_C channels through, so a 1×1 after it shrinks them. GoogLeNet stacks "
        "nine such modules and adds side branches that try to classify from the middle layers, which keeps those "
        "layers' features useful and regularises the network.")
    spec, bottleneck = spec_controls()
    sync_url()
    if spec is None:
        return
    try:
        branches, other = inception_module(spec, bottleneck), inception_module(spec, not bottleneck)
    except ShapeError as exc:
        st.warning(f"These numbers do not make a module: {exc}")
        return
    channels = [b.output_shape[2] for b in branches]
    total = module_channels(branches)
    st.latex(rf"{spec.n}\times{spec.n}\times({' + '.join(map(str, channels))}) = {spec.n}\times{spec.n}\times{total}")
    st.dataframe(branch_rows(branches), hide_index=True, column_config={
        c: st.column_config.NumberColumn(format="localized") for c in ("parameters", "multiplications")})
    macs, other_macs = sum(b.macs for b in branches), sum(b.macs for b in other)
    with_b, without_b = (macs, other_macs) if bottleneck else (other_macs, macs)
    st.markdown(f"The module does **{with_b:,}** multiplications with bottlenecks and **{without_b:,}** without "
                f"({without_b / with_b:.1f}× more). Without bottlenecks it outputs "
                f"{module_channels(other if bottleneck else branches)} channels, because the max-pool keeps all "
                f"{spec.n_c} of its input's.")
    plot.chart(figures.branch_costs(branches, other, bottleneck), "inception_costs")


def show() -> None:
    bottleneck_section()
    inception_section()
