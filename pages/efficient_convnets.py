"""Cheap networks: 1×1 convolutions, Inception, depthwise-separable blocks and compound scaling, measured on MobileNetV2."""

from __future__ import annotations

import streamlit as st

from pages._efficient_convnets import inception, measured, quiz_tab, scaling, separable, viewer
from pages._efficient_convnets.state import TABS, seed_url_state, sync_url
from pages._shared import ui
from playground.manifest import ModelUnavailable

st.title("Cheap networks")
st.markdown(
    "How do you get the same accuracy for fewer multiplications? Shrink the channels with 1×1 convolutions before "
    "the expensive ones (Inception), split a convolution into a depthwise and a pointwise step (MobileNet), and grow "
    "a small network in depth, width and resolution together (EfficientNet). Then measure: on a real MobileNetV2, "
    "fewer multiplications is not the same as less time.")
seed_url_state()
ui.url_choice("tab", TABS[0], TABS)
ui.url_notice()
tabs = st.tabs(TABS, key="tab", on_change="rerun")
for tab, draw in zip(tabs, (inception.show, separable.show, scaling.show, measured.show, viewer.show, quiz_tab.show)):
    if tab.open:
        with tab:
            try:
                draw()
            except ModelUnavailable as exc:  # the message names the file and the command that rebuilds it
                st.error(f"The MobileNetV2 model could not be loaded: {exc}")
sync_url()
