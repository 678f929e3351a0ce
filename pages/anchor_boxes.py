"""Anchor boxes: sliding windows as convolution, YOLO's grid, anchors, the target y and a detector trained here."""

from __future__ import annotations

import dataclasses
import time

import streamlit as st

from pages._anchor_boxes import output, scene, sections, widgets, windows
from pages._shared import ui
from playground import runtime
from playground.manifest import ModelUnavailable

ALL_KEYS = windows.KEYS + scene.KEYS + output.KEYS + sections.QUIZ_KEYS + sections.ARITHMETIC_KEYS + \
    sections.EXPLORER_KEYS


def section(name: str, body, notes: bool = False) -> None:
    """Run one section with its own "what ran" and its server time, then write every key of the page into the link.

    A provider note (e.g. "no CUDA provider") is said once, by the section that passes ``notes``. A control
    inside a section reruns only that section (a fragment); the time it took is kept in
    ``st.session_state[widgets.SECTION_MS][name]`` for the benchmark.
    """
    start = time.perf_counter()
    with runtime.record_runs() as runs:
        try:
            body()
        except ModelUnavailable as exc:  # the message names the file and the command that rebuilds it
            st.error(f"A model or record this section needs could not be loaded: {exc}")
    ui.show_runs(runs if notes else [dataclasses.replace(r, note=None) for r in runs], "What ran in this section")
    widgets.sync_url(ALL_KEYS)
    elapsed_ms = (time.perf_counter() - start) * 1e3
    st.session_state.setdefault(widgets.SECTION_MS, {})[name] = elapsed_ms
    st.caption(f"This section took {elapsed_ms:.0f} ms on the server.")


@st.fragment
def windows_section() -> None:
    section("windows", windows.show, notes=True)


@st.fragment
def detector_section() -> None:
    def body() -> None:
        st.header("YOLO: a grid, anchors, and the target y")
        st.markdown(
            "YOLO splits the image into an S×S grid and runs the network once. Each cell predicts, for each of its "
            "B **anchor boxes** (box shapes chosen in advance), a vector (p_c, b_x, b_y, b_h, b_w, c_1 … c_C). "
            "With several anchors one cell can report overlapping objects of different shapes, such as a tall "
            "one and a wide one whose midpoints share a cell. The scenes below are drawn by numpy; the detector "
            "was trained on scenes from the same generator (other seeds: the page's seeds were never trained on).")
        view = scene.controls()
        if view is None:  # a field is not valid: it says so, and nothing is drawn for an old value
            return
        target, s, anchors = scene.grid_and_assignment(view)
        output.show(view)
        sections.quiz(view, target, s, anchors)
    section("detector", body)


@st.fragment
def arithmetic_section() -> None:
    section("arithmetic", sections.arithmetic)


@st.fragment
def explorer_section() -> None:
    section("explorer", sections.explorer)


st.title("Anchor boxes")
notice = st.empty()
st.markdown(
    "Object detection in the course's steps: a classifier slid over the image, the same thing done in one pass "
    "as a convolution, then YOLO's grid with **anchor boxes**, so that one cell can hold more than one object. "
    "Every number below is computed here, by ONNX models exported and trained by this project.")
windows_section()
detector_section()
arithmetic_section()
explorer_section()
with notice:
    ui.url_notice()
widgets.sync_url(ALL_KEYS)
