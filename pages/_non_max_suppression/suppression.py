"""The boxes, the rule, and every section that follows from them, as one fragment.

A change of the boxes or the rule reruns this fragment only (not the IoU
calculator, the evaluation or the quiz); the step-through and Soft-NMS are
fragments inside it, so their own controls rerun only themselves.
"""

from __future__ import annotations

import streamlit as st

from pages._non_max_suppression import detector_view, operator_section, soft_section, source, state
from pages._non_max_suppression import steps_section as steps
from pages._shared import ui
from playground import runtime


@st.fragment
def show() -> None:
    """Boxes and rule, the step-through, the runtime's answer, Soft-NMS, and what ran for them."""
    with runtime.record_runs() as runs:
        boxes, settings = source.controls()
        if boxes is not None:  # None: a number field is not valid (it says so); nothing is drawn for an old value
            picture = detector_view.picture(boxes)
            trace = steps.trace_for(boxes, settings)
            steps.show(boxes, settings, picture)
            operator_section.show(boxes, settings, trace)
            soft_section.show(boxes, settings, trace, picture)
    ui.show_runs(runs)
    state.sync()
