"""Home: what the playground is, the concepts in course order, and where models run."""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._shared import ui
from playground import runtime
from playground.catalog import CONCEPTS
from playground.manifest import ModelUnavailable

st.title("CNN Playground")
st.markdown(
    "Convolutional neural networks, one idea at a time, with every number computed in front of you. "
    "Each page takes one concept from a CNN course, lets you change it, shows the formula with "
    "**your** numbers, and asks you to predict before it reveals. The address bar holds the settings "
    "of the view you are looking at: copy it to share them. A picture you uploaded is not in the link "
    "(it stays with you: the link opens with the page's own picture), and neither is a style-transfer "
    "run in progress. Rows, columns and cells are counted from 1 on every page."
)

st.header("The concepts, in the order the course meets them")
for week in sorted({c.week for c in CONCEPTS}):
    st.subheader(f"Week {week}")
    for concept in (c for c in CONCEPTS if c.week == week):
        if concept.built:
            st.page_link(concept.page_file, label=f"**{concept.title}**: {concept.summary}", icon=concept.icon)
            if concept.models:
                st.caption("Models: " + ", ".join(concept.models))
        else:
            st.markdown(f"{concept.icon} **{concept.title}** *(page not built yet)*: {concept.summary}")

st.header("Where the models run")
st.markdown(
    "Pages run their models with [ONNX Runtime](https://onnxruntime.ai). The models are exported by "
    "this project (`python -m export`) and listed with their checksums in `onnx_models/manifest.json`. "
    "Choose the execution provider in the sidebar."
)
try:
    with runtime.record_runs() as runs:
        probe = np.ones((1, 1, 6, 6), np.float32)
        runtime.run("conv2d", {"x": probe, "w": np.ones((1, 1, 3, 3), np.float32),
                               "b": np.zeros(1, np.float32), "pads": np.zeros(4, np.int64),
                               "strides": np.ones(2, np.int64)}, provider=ui.provider())
    st.metric("Provider in use", runs[-1].provider)
    offered = set(runtime.available_providers())
    usable = [name for name in (runtime.CUDA, runtime.CPU) if name in offered]  # the two the playground uses
    st.caption(f"The playground runs on CUDA where this onnxruntime offers it, else on the CPU. Offered here: "
               f"{', '.join(usable)}" + ("" if runtime.CUDA in offered else " (no CUDA provider in this build)"))
    ui.show_runs(runs)
except ModelUnavailable as exc:  # the message names the file and the command that rebuilds it
    st.error(f"The models could not be loaded: {exc}")
