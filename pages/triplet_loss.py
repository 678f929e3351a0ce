"""Triplet loss: an embedding trained here that recognises identities it never saw, from one picture."""

from __future__ import annotations

import streamlit as st

from pages._shared import ui
from pages._triplet_loss import about, identities, mining, own_image, quiz, state, triplet, verify
from playground.manifest import ModelUnavailable

KEYS = triplet.KEYS + mining.KEYS + verify.KEYS + identities.KEYS + own_image.KEYS + quiz.KEYS  # the page's URL state

st.title("Triplet loss")
st.markdown(
    "A network f turns a picture into an **encoding**, here 64 numbers of length 1. Train it so that two pictures "
    "of one identity get close encodings and pictures of different identities far-apart ones: for an anchor A, a "
    "positive P (same identity) and a negative N (another identity), with d(A, P) = ‖f(A) − f(P)‖² and "
    "d(A, N) = ‖f(A) − f(N)‖², the **triplet loss** L = max(d(A, P) − d(A, N) + α, 0) asks for d(A, P) + α ≤ d(A, N). "
    "Without the margin α, f = 0 would satisfy it. After training, one picture per person is enough to recognise "
    "them (**one-shot**), even people the network never saw.\n\n"
    "No face set with identity labels can be had offline, so the identities here are **Chinese characters**: "
    "each of 2,200 glyphs is one identity, and each rendering in a random typeface with random distortions is one "
    "\"photo\" of it. The network trained here on 2,000 of them; the other 200 it never saw.")
link_notice = st.empty()  # filled at the end, once every widget has read its value from the link
try:
    data = state.shared(ui.provider())
except ModelUnavailable as exc:  # the message names the file and the command that rebuilds it
    st.error(f"The triplet-loss models or data could not be loaded: {exc}")
    st.stop()
for section in (triplet, mining, verify, identities, own_image, quiz):
    section.link(data)  # every URL key seeded before any section writes the link (fragments rerun alone)
triplet.show(list(KEYS))
mining.show(list(KEYS))
verify.show(list(KEYS))
identities.show(list(KEYS))
own_image.show(list(KEYS))
quiz.show(list(KEYS))
about.show()
try:
    digit_runs = list(state.shared_digits(ui.provider()).runs)
except ModelUnavailable:  # section 5 has said which file is missing and how to rebuild it
    digit_runs = []
ui.show_runs(list(data.runs) + digit_runs, "What ran (once per server, for every visitor)")
st.caption("The evaluation pictures were encoded by ONNX Runtime once when the first visitor opened this page; "
           "the controls above only look the results up. Your own picture is encoded on each change (section 6).")
with link_notice.container():
    ui.url_notice()
ui.sync_url(KEYS)
