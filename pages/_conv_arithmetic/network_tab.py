"""The padding & stride page's third tab: a whole network typed as text, summarised layer by layer."""

from __future__ import annotations

import streamlit as st

from pages._conv_arithmetic import views
from pages._conv_arithmetic.state import PRESET_NAMES
from pages._shared import format as fmt
from pages._shared import plot
from playground.conv_arithmetic import ShapeError, network


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
            st.error(f"The network cannot be computed: {fmt.escape(err, limit=400)}")  # it quotes the typed line
            return
        total = network.totals(rows)
        m = st.columns(3)
        m[0].metric("Parameters", fmt.compact(total["params"]), help=f"Exactly {total['params']:,}.")
        m[1].metric("Multiplications", fmt.compact(total["macs"]), help=f"Exactly {total['macs']:,}.")
        m[2].metric("Activations (all layers)", fmt.compact(total["activations"]),
                    help=f"Exactly {total['activations']:,} numbers output by the layers for one image "
                    "(input excluded); 4 bytes each in float32.")
        if preset.name.startswith("Inception"):
            inception_comparison()
        plot.chart(views.network_figure(shape, rows), "net_fig")
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
