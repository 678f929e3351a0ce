"""Non-max suppression: IoU, greedy NMS step by step, the runtime's NonMaxSuppression, Soft-NMS and AP."""

from __future__ import annotations

import streamlit as st

from pages._non_max_suppression import evaluation_section, iou_section, quiz, state, suppression
from pages._shared import ui

st.title("Non-max suppression")
st.markdown(
    "A detector like YOLO proposes a box in every grid cell and for every anchor, so one object is usually found "
    "several times. **Non-max suppression** keeps the most confident box and drops the ones that overlap it too "
    "much, measured by **intersection over union** (IoU). Below: IoU with your own boxes, the greedy rule one step "
    "at a time, the same rule computed by ONNX Runtime's operator, Soft-NMS, and what the choice does to a "
    "detector's average precision.")
link_notice = st.empty()  # filled at the end, once every widget has read its value from the link
iou_section.show()  # each section is a fragment: a control reruns only its own section
suppression.show()
evaluation_section.show()
quiz.show()
with link_notice:
    ui.url_notice()
state.sync()
