"""Residual block: a[l+2] = g(z[l+2] + a[l]), one block with live numbers, then a real depth experiment."""

from __future__ import annotations

import streamlit as st

from pages._residual_block import experiment, one_block
from pages._shared import ui
from playground.manifest import ModelUnavailable

st.title("Residual block")
st.markdown(
    "A residual block adds a **skip connection**: a^[l] jumps over two layers and is added to z^[l+2] "
    "*before* the last ReLU, so **a^[l+2] = g(z^[l+2] + a^[l])**. If W^[l+2] and b^[l+2] shrink to 0 the "
    "block just passes a^[l] through, so adding a block need not hurt. He et al. (2015), who introduced it, found "
    "that plain deep networks get *harder* to train as they get deeper, while residual ones gain accuracy from "
    "added depth. Below: one block with every number computed by an ONNX model, then a real experiment with plain "
    "and residual networks of growing depth, and what it measured.")
with ui.page():  # the block and most parts of the experiment rerun alone when their own controls change
    one_block.show()
    try:
        experiment.show()
    except ModelUnavailable as exc:  # the message names the file and the command that rebuilds it
        st.error(f"The recorded experiment could not be loaded: {exc}")
ui.url_notice()
ui.sync_url(one_block.KEYS + experiment.KEYS)
