"""Style transfer: style as Gram matrices of MobileNetV2 features, the course's costs, and real optimisation."""

from __future__ import annotations

import streamlit as st

from pages._shared import ui
from pages._style_transfer import controls, fast_section, generate, gram, layers_see, quiz, shuffle_section
from playground import runtime
from playground.manifest import ModelUnavailable

SECTIONS = (controls, gram, shuffle_section, generate, fast_section, layers_see, quiz)
KEYS = (controls.KEYS + gram.KEYS + shuffle_section.KEYS + generate.KEYS + fast_section.KEYS + layers_see.KEYS
        + quiz.KEYS)

st.title("Style transfer")
st.markdown(
    "Neural style transfer paints a content image C in the style of an image S: it looks for a generated image G "
    "whose **content** (deep activations) matches C and whose **style** (which channels fire together: Gram "
    "matrices) matches S, by minimising **J(G) = α J_content(C, G) + β J_style(S, G)** over G's pixels. The "
    "features come from a real pretrained network, MobileNetV2 (Magenta's style predictor), run by ONNX Runtime; "
    "so does the gradient ∂J/∂G that the optimisation follows.")
link_notice = st.empty()  # filled at the end, once every widget has read its value from the link
provider = ui.provider()
for section in SECTIONS:  # every key of the link is read before any section draws or rewrites the link
    section.link_state()
with runtime.record_runs() as runs:
    try:
        content, style = controls.pick_images()
        keep = bool(st.session_state["keep"])  # section 3's colour choice decides how the network sees C and S
        st.header("1 · Style is a Gram matrix")
        gram.show(content, style, keep, provider)
        st.header("2 · Why Gram matrices are style: shuffle the patches")
        shuffle_section.show(content, style, keep, provider, KEYS)
        st.header("3 · Generate G: optimise its pixels")
        generate.show(content, style, provider, KEYS)
        st.header("4 · Fast stylization: one forward pass")
        fast_section.show(content, style, keep, provider, KEYS)
        st.header("5 · What the layers see")
        layers_see.show(provider, KEYS)
        st.header("Check yourself")
        quiz.show(content, style, keep, provider, KEYS)
    except ModelUnavailable as exc:  # the message names the file and the command that rebuilds it
        st.error(str(exc))
ui.show_runs(runs)
with link_notice.container():
    ui.url_notice()
ui.sync_url(KEYS)
