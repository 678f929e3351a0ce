"""The detector's raw boxes as a source for the page, with the scene behind them.

The detector is the anchor-boxes concept's; its boxes come from ``playground.non_max_suppression.detector``.
A scene's detections are cached per scene and provider (the detector runs once for each), so moving a
threshold never reruns it.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from pages._non_max_suppression import figures
from pages._shared import format as fmt
from pages._shared import ui
from playground import runtime
from playground.anchor_boxes import PAGE_SEEDS
from playground.manifest import ModelUnavailable
from playground.non_max_suppression import boxsets as bs
from playground.non_max_suppression import detector as dt

DEFAULT_OBJECTS = 4  # objects in a scene (and random boxes' heaps) when the link names none


@st.cache_resource(max_entries=64, show_spinner=False)
def _scene(seed: int, objects: int, provider: str) -> tuple[bs.BoxSet, float, str]:
    """One scene's raw detections, once per scene and provider: boxes, milliseconds, the provider that ran."""
    start = time.perf_counter()
    with runtime.record_runs() as runs:
        boxes = dt.scene_boxes(seed, objects, provider=provider)
    return boxes, (time.perf_counter() - start) * 1e3, runs[0].provider if runs else "?"


@st.cache_data(max_entries=64, show_spinner=False)
def _uri(image: np.ndarray) -> str:
    return figures.image_uri(image)


def source() -> bs.BoxSet | None:
    """Seed and object count (the anchor-boxes page links here with both), then the detector's boxes.

    None while the seed's field is not valid (it says so under it).
    """
    if st.session_state["seed"] is not None:  # None: the field's text is not valid
        st.session_state["seed"] = min(st.session_state["seed"], PAGE_SEEDS - 1)
    if st.session_state["objects"] is None:  # shared with the random boxes' field; a slider needs a number
        st.session_state["objects"] = DEFAULT_OBJECTS
    cols = st.columns(2)
    seed = ui.number_field(f"scene seed (0–{PAGE_SEEDS - 1:,})", 0, PAGE_SEEDS - 1, key="seed", container=cols[0],
                           help="The same seed gives the same scene as on the anchor-boxes page; these seeds "
                                "were never used in training.")
    objects = cols[1].slider("objects in the scene", 0, bs.MAX_OBJECTS, key="objects")
    if ui.missing(seed):
        return None
    try:
        boxes, ms, provider = _scene(int(seed), int(objects), ui.provider())
    except ModelUnavailable as exc:  # names the file and the command that rebuilds it
        st.error(f"The detector could not be loaded: {exc}")
        return bs.parse_boxes("").boxes
    st.caption(f"All {len(boxes)} boxes the detector proposes (every cell × every anchor) before any suppression: "
               f"score p_c · max c_i, class argmax c_i, in pixels of the {fmt.num(boxes.width)}-pixel scene. The "
               f"detector ran once for this scene ({ms:.0f} ms on {provider}); the result is cached. Dotted white: "
               "the objects really there.")
    return boxes


def picture(boxes: bs.BoxSet) -> str | None:
    """The scene behind the boxes, as a JPEG data URI, or None for hand-placed and random boxes."""
    return None if boxes.image is None else _uri(boxes.image)

