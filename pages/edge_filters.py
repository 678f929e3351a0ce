"""Edge filters: a small filter slides over an image and finds edges; every filter runs through ONNX."""

from __future__ import annotations

import streamlit as st

from pages._edge_filters.controls import controls, sign_words
from pages._edge_filters.example import course_example, exercise_section, flip_section
from pages._edge_filters.picture import on_a_picture
from pages._shared import ui
from playground.manifest import ModelUnavailable

st.title("Edge filters")
st.markdown(
    "The course's first picture of convolution: a small **filter** (or **kernel**) of f × f numbers slides "
    "over the image; at each position the patch under it is multiplied element by element with the "
    "filter and summed into one output number. The vertical-edge filter asks \"is it light on the left "
    "and dark on the right here?\". Pick a filter, padding p and stride s: sections 1 to 3 use them (the "
    "learned filters keep the p = 1, s = 1 they were trained with), and every output is computed by ONNX "
    "Runtime with the kernel as the model's input.")
link_notice = st.empty()  # filled at the end, once every widget has read its value from the link
with ui.page():  # sections 1, 2's parts and Check yourself rerun alone when their own controls change
    with st.container(border=True):
        choice, kernel, applied, p, s, flip = controls()
    signs = sign_words(choice, flip)  # what red and blue mean for the applied kernel, if it can be said
    st.header("1 · The course's 6×6 example, one cell at a time")
    course_example(applied, p, s, signs)
    st.header("2 · On a picture")
    try:
        on_a_picture(applied, p, s, flip, signs)
    except ModelUnavailable as exc:  # conv2d missing or altered: say which file; section 4 and the check still run
        ui.model_unavailable(exc)
    st.header("4 · Convolution or cross-correlation?")
    flip_section(kernel, flip)
    st.header("Check yourself")
    exercise_section(ui.provider())
with link_notice.container():
    ui.url_notice()
ui.sync_url(["kern", "p", "s", "conv", "dl", "pi", "pj", "img", "grad", "lf", "rgbw", "q"]
            + {"angle": ["theta"], "custom": ["k"]}.get(choice, []))  # θ and k only in use: shorter links
