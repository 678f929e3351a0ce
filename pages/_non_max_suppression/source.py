"""Which boxes the page suppresses, and the rule's settings: the controls every later section reads.

These controls are outside any fragment: changing them reruns the page, and
every section below follows. The boxes come from ``playground.non_max_suppression.boxsets``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from pages._non_max_suppression import detector_view
from pages._shared import format as fmt
from pages._shared import ui
from playground.anchor_boxes import PAGE_SEEDS
from playground.non_max_suppression import IOU_THRESHOLD, SCORE_THRESHOLD
from playground.non_max_suppression import boxsets as bs

SOURCES = {"hand": "hand-placed", "random": "random", "detector": "the detector's raw boxes"}
DEFAULT_PRESET = "course"
MAX_SEED = PAGE_SEEDS - 1  # the anchor-boxes page's scene seeds, which links here share
NEW_BOX_KEY, NEW_CLASS_KEY = "newscore", "newcls"  # the score and class a dragged box gets (not in the link)
MAX_TEXT = 6000  # characters of typed boxes kept in the link (MAX_BOXES short lines)


@dataclass(frozen=True)
class Settings:
    """The rule: thresholds, per class or not, a cap per class."""

    iou_threshold: float
    score_threshold: float
    per_class: bool
    max_per_class: int | None  # None: no cap

    def describe(self) -> str:
        cap = f", at most {self.max_per_class} per class" if self.max_per_class is not None else ""
        return (f"p_c > {fmt.num(self.score_threshold, 2)}, remove IoU ≥ {fmt.num(self.iou_threshold, 2)}, "
                + ("per class" if self.per_class else "class-agnostic") + cap)


def _load_preset() -> None:
    name = st.session_state.get("preset")
    if name in bs.PRESETS:
        preset = bs.PRESETS[name]
        st.session_state["boxes"] = preset.text
        st.session_state["iou"] = preset.iou_threshold or IOU_THRESHOLD
        st.session_state["score"] = SCORE_THRESHOLD


def load_exact_case() -> None:
    """Show the boundary case: hand-placed boxes at exactly IoU 0.5 and p_c 0.6, the course's thresholds."""
    st.session_state.update({"src": "hand", "preset": "exact", "pc": True, "cap": 0})
    _load_preset()


def add_box(box: tuple[int, int, int, int]) -> None:
    """Append a dragged box to the typed boxes, with the chosen score and class."""
    score, cls = st.session_state.get(NEW_BOX_KEY, 0.8), st.session_state.get(NEW_CLASS_KEY, 1)
    if cls is None:  # the class field's text is not valid (it says so under it): add no box with an old class
        return
    text = st.session_state.get("boxes", "").rstrip()
    line = f"{box[0]} {box[1]} {box[2]} {box[3]} {score:g} {cls}"
    st.session_state["boxes"] = f"{text}\n{line}" if text else line


def _hand() -> bs.BoxSet:
    """Typed boxes, a preset to start from, and what a dragged box will be."""
    st.selectbox("load an example", list(bs.PRESETS), index=None, key="preset", on_change=_load_preset,
                 format_func=lambda k: bs.PRESETS[k].title, placeholder="choose an example…")
    cols = st.columns([3, 1])
    text = cols[0].text_area("boxes, one per line: x1 y1 x2 y2 score [class]", key="boxes", height=150,
                             help=f"Corners are whole numbers 0–{bs.CANVAS} (y grows downwards); score 0–1; class "
                                  f"1–{bs.MAX_CLASSES}, 1 if left out. At most {bs.MAX_BOXES} boxes.")
    cut = ui.link_note("boxes")
    if cut:
        cols[0].caption(cut)
    with cols[1]:
        st.slider("score of a dragged box", 0.05, 1.0, 0.8, 0.05, key=NEW_BOX_KEY)
        ui.number_field("its class", 1, bs.MAX_CLASSES, value=1, key=NEW_CLASS_KEY)
        st.caption("Drag a rectangle on the step-through's chart to add a box.")
    parsed = bs.parse_boxes(text)
    for problem in parsed.problems[:5]:
        st.warning(f"Skipped {problem}.")  # the messages are ours; the line numbers are integers
    if len(parsed.problems) > 5:
        st.warning(f"… and {len(parsed.problems) - 5} more lines that could not be read.")
    if parsed.truncated:
        st.info(f"Only the first {bs.MAX_BOXES} boxes are used: more would make the step-through unreadable.")
    preset = next((p for p in bs.PRESETS.values() if p.text == text.strip()), None)
    if preset:
        st.caption(preset.note)
    return parsed.boxes


def _random() -> bs.BoxSet | None:
    """Random boxes heaped around a few objects (None while a field is not valid)."""
    cols = st.columns(3)
    if st.session_state["objects"] is not None:  # None: the field's text is not valid; it says so itself
        st.session_state["objects"] = max(1, st.session_state["objects"])  # random boxes need an object to heap around
    seed = ui.number_field("seed", 0, MAX_SEED, key="seed", container=cols[0])
    n = ui.number_field(f"boxes (at most {bs.MAX_BOXES})", 0, bs.MAX_BOXES, key="n", container=cols[1],
                        help="A cap keeps the step-through readable and every change under 100 ms.")
    objects = ui.number_field("objects they are heaped around", 1, bs.MAX_OBJECTS, key="objects", container=cols[2])
    if ui.missing(seed, n, objects):
        return None
    return bs.random_boxes(int(seed), int(n), int(min(objects, bs.MAX_OBJECTS)))


def _settings() -> Settings | None:
    cols = st.columns(4)
    iou = cols[0].slider("IoU threshold: remove IoU ≥", 0.05, 1.0, step=0.05,
                         key=ui.url_float("iou", IOU_THRESHOLD, 0.05, 1.0))
    score = cols[1].slider("score threshold: keep p_c >", 0.0, 0.95, step=0.05,
                           key=ui.url_float("score", SCORE_THRESHOLD, 0.0, 0.95))
    per_class = cols[2].toggle("per class", key=ui.url_bool("pc", True),
                               help="The course runs NMS once per class: a box never removes a box of another class.")
    cap = ui.number_field("max boxes per class (0: no limit)", 0, bs.MAX_BOXES, container=cols[3],
                          key=ui.url_int("cap", 0, 0, bs.MAX_BOXES))
    if ui.missing(cap):
        return None
    return Settings(round(float(iou), 4), round(float(score), 4), bool(per_class), int(cap) or None)


def _seed_keys() -> None:
    ui.url_choice("src", "hand", tuple(SOURCES))
    ui.url_text("boxes", bs.PRESETS[DEFAULT_PRESET].text, MAX_TEXT, link_limit=ui.LINK_TEXT_LIMIT)
    ui.url_int("seed", 0, 0, MAX_SEED)
    ui.url_int("n", 60, 0, bs.MAX_BOXES)
    # 0 allowed: the anchor-boxes page may link an empty scene
    ui.url_int("objects", detector_view.DEFAULT_OBJECTS, 0, bs.MAX_OBJECTS)
    for key in ("boxes", "seed", "n", "objects"):
        st.session_state[key] = st.session_state[key]  # kept while another source is shown (an undrawn widget forgets)


def controls() -> tuple[bs.BoxSet, Settings] | tuple[None, None]:
    """The source of the boxes and the rule, each in the link; (None, None) while a number field is not valid."""
    st.header("Greedy NMS, step by step")
    st.markdown("The course's recipe: **discard every box with p_c ≤ 0.6; then, while boxes remain, keep the one "
                "with the largest p_c and discard every remaining box whose IoU with it is ≥ 0.5. Do it per "
                "class.** Choose the boxes and the rule; every section below uses them.")
    _seed_keys()
    source = st.radio("boxes", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="src")
    if source == "hand":
        boxes = _hand()
    elif source == "random":
        boxes = _random()
    else:
        boxes = detector_view.source()
    settings = _settings()
    if boxes is None or settings is None:
        return None, None
    if len(boxes) == 0:
        st.info("There are no boxes yet: type some, drag one, or choose an example.")
    return boxes, settings


def box_numbers(indices) -> str:
    """Box numbers as the page writes them (from 1): "#1, #4"."""
    indices = list(np.asarray(indices).reshape(-1))
    return ", ".join(f"#{int(i) + 1}" for i in indices) if indices else "none"
