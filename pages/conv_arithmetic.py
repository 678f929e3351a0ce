"""Padding & stride: output sizes, parameters and multiplications, from one layer to a whole network."""

from __future__ import annotations

import streamlit as st

from pages._conv_arithmetic.network_tab import network_tab
from pages._conv_arithmetic.one_layer import conv_tab
from pages._conv_arithmetic.other_layers import pool_tab
from pages._conv_arithmetic.quiz_tab import quiz_tab
from pages._conv_arithmetic.state import TAB_KEYS, TABS, seed_url_state
from pages._shared import ui

st.title("Padding & stride")
st.markdown(
    "An **n × n** input, an **f × f** filter, padding **p** and stride **s** give an output of "
    "**⌊(n + 2p − f)/s⌋ + 1** per side. Change the numbers and watch the window slide; see why \"valid\" and "
    "\"same\" exist and why f is usually odd; then add up shapes, parameters and multiplications through a network. "
    "Each shape is also checked by running the same layer on ONNX Runtime, whenever the layer is small enough to "
    "run at once.")
seed_url_state()
ui.url_choice("tab", TABS[0], TABS)
ui.url_notice()
with ui.page():  # the sliding window, each layer of the second tab and the quiz rerun alone
    tabs = st.tabs(TABS, key="tab", on_change="rerun")
    for tab, draw in zip(tabs, (conv_tab, pool_tab, network_tab, quiz_tab)):
        if tab.open:
            with tab:
                draw()
ui.sync_url(["tab"] + TAB_KEYS[TABS.index(st.session_state["tab"])])
