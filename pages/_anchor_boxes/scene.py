"""The scene (random from a seed, or placed by the learner), its grid, and where each object goes in y."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from pages._anchor_boxes import figures
from pages._anchor_boxes.widgets import bounded_number
from pages._shared import format as fmt
from pages._shared import ui
from playground.anchor_boxes import (
    CLASS_NAMES,
    COLLISION_POLICY,
    IMAGE_SIZE,
    PAGE_SEEDS,
    POOR_FIT_IOU,
    Scene,
    Target,
    build_target,
    detector_record,
    detector_spec,
    make_scene,
    parse_objects,
    render,
)
from playground.anchor_boxes.scenes import describe_objects

MODES = ("random", "placed")
MODE_NAMES = {"random": "random, from a seed", "placed": "placed by me"}
SIZES = tuple(str(v) for v in (96, 128, 160, 192))  # canvas sides: multiples of the detector's stride 16
MAX_OBJECTS = 10
DEFAULT_SEED, DEFAULT_OBJECTS = 3, 5
GRID_RANGE = (1, 16)
MAX_PLACED = 12  # objects a learner may place (parse_objects' limit)
KEYS = ("mode", "seed", "objects", "c0", "c1", "c2", "placed", "size", "S", "k", "obj")
DEFAULT_PLACED = (  # a tall and a wide object on one midpoint: the course's pedestrian and car
    "rectangle 40 52 12 36\nellipse 41 50 40 14\ntriangle 75 20 20 18")


@dataclass(frozen=True)
class SceneView:
    """What the scene controls chose."""

    scene: Scene
    mode: str
    seed: int | None
    n_objects: int
    size: int


@st.cache_data(max_entries=256, show_spinner=False)
def random_scene(seed: int, n_objects: int, size: int, classes: tuple[int, ...]) -> Scene:
    return make_scene(seed, n_objects, size, classes)


@st.cache_data(max_entries=128, show_spinner=False)
def placed_scene(text: str, size: int) -> Scene | str:
    """The learner's objects drawn, or what is wrong with the text (in words)."""
    try:
        return render(parse_objects(text, size, MAX_PLACED), size, 0)
    except ValueError as exc:
        return str(exc)


def controls() -> SceneView | None:
    """The scene's widgets; returns the scene they describe (None while the seed's field is not valid)."""
    cols = st.columns([1.2, 1, 1, 1])
    mode = cols[0].radio("objects", MODES, format_func=MODE_NAMES.get, key=ui.url_choice("mode", "random", MODES),
                         horizontal=True)
    size = int(cols[3].selectbox("canvas (pixels)", SIZES, key=ui.url_choice("size", str(IMAGE_SIZE), SIZES),
                                 help="The detector was trained on 96×96 scenes; objects keep their pixel sizes, "
                                      "so a bigger canvas holds more of them and gives a bigger grid."))
    if mode == "random":
        seed = ui.number_field(f"seed (0–{PAGE_SEEDS - 1:,})", 0, PAGE_SEEDS - 1, container=cols[1],
                               key=ui.url_int("seed", DEFAULT_SEED, 0, PAGE_SEEDS - 1))
        n = int(cols[2].slider("number of objects", 0, MAX_OBJECTS, key=ui.url_int("objects", DEFAULT_OBJECTS, 0,
                                                                                     MAX_OBJECTS)))
        boxes = st.columns(len(CLASS_NAMES) + 2)
        boxes[0].caption("classes drawn:")
        chosen = tuple(k for k, name in enumerate(CLASS_NAMES)
                       if boxes[k + 1].checkbox(name, key=ui.url_bool(f"c{k}", True)))
        if not chosen:
            st.info("No class is ticked, so every class is drawn.")
            chosen = tuple(range(len(CLASS_NAMES)))
        if ui.missing(seed):
            return None
        return SceneView(random_scene(seed, n, size, chosen), mode, seed, n, size)
    text = st.text_area("one object a line: class x y w h, in pixels (x, y: its midpoint; class: "
                        + ", ".join(CLASS_NAMES) + " or its first letter)",
                        key=ui.url_text("placed", DEFAULT_PLACED, 600, link_limit=ui.LINK_TEXT_LIMIT), height=110)
    cut = ui.link_note("placed")
    if cut:
        st.caption(cut)
    scene = placed_scene(text, size)
    if isinstance(scene, str):
        st.warning(f"Those objects cannot be drawn: {scene}. Showing the example objects instead.")
        scene = placed_scene(DEFAULT_PLACED, size)
    return SceneView(scene, mode, None, len(scene.boxes), size)


def anchors_for(k: int, size: int) -> np.ndarray:
    """k-means anchors (k, 2) from the export, in image units of a size-pixel canvas (they keep their pixel size)."""
    return np.array(detector_record()["kmeans"]["k"][str(k)]["anchors"]) * IMAGE_SIZE / size


def _assignment_rows(target: Target, scene: Scene, s: int) -> list[dict]:
    rows = []
    for a in target.assignments:
        x1, y1, x2, y2 = scene.boxes[a.index] * scene.size
        row = {"object": str(a.index + 1), "class": CLASS_NAMES[int(scene.classes[a.index])],
               "midpoint (px)": f"({(x1 + x2) / 2:.1f}, {(y1 + y2) / 2:.1f})",
               "cell (row, col)": f"({a.row + 1}, {a.col + 1})"}
        row[f"IoU with anchors 1–{len(a.ious)}"] = ", ".join(f"{v:.2f}" for v in a.ious)
        row["best anchor"] = str(a.wanted + 1)
        row["slot in y"] = f"y[{a.row + 1}, {a.col + 1}, {a.anchor + 1}]" if a.anchor is not None else "none"
        row["b_x, b_y, b_h, b_w"] = ", ".join(fmt.num(v) for v in a.values)
        notes = {"kept": "", "moved": f"moved: object {a.rival + 1 if a.rival is not None else '?'} kept anchor "
                 f"{a.wanted + 1}", "dropped": "dropped: every anchor of its cell is taken"}[a.status]
        if a.poor_fit:
            notes = "; ".join(filter(None, [notes, f"no anchor fits well (best IoU < {POOR_FIT_IOU:g})"]))
        row["note"] = notes
        rows.append(row)
    return rows


def _collisions(target: Target) -> list[str]:
    """One sentence per object that did not get its best anchor, with the numbers that decided it."""
    out = []
    for a in target.assignments:
        if a.status == "kept":
            continue
        winner = target.assignments[a.rival]
        head = (f"Objects {winner.index + 1} and {a.index + 1} both want anchor {a.wanted + 1} of cell "
                f"({a.row + 1}, {a.col + 1}). Object {winner.index + 1} fits it better (IoU "
                f"{winner.ious[a.wanted]:.2f} against {a.ious[a.wanted]:.2f}) and keeps it; ")
        if a.status == "moved":
            out.append(head + f"object {a.index + 1} moves to anchor {a.anchor + 1}, its best one still free "
                              f"(IoU {a.ious[a.anchor]:.2f}).")
        else:
            out.append(head + f"every anchor of that cell is taken, so object {a.index + 1} is left out of y: the "
                              "detector is never taught to find it.")
    return out


def slot_latex(target: Target, scene: Scene, index: int, s: int) -> str:
    """The worked encoding of one object: cell, b_x … b_w with the learner's numbers, and its slot vector."""
    a = target.assignments[index]
    x1, y1, x2, y2 = scene.boxes[index]
    x, y, w, h = (x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1
    n = lambda v: fmt.latex_plain(v)  # noqa: E731
    lines = [
        rf"x = {n(x)},\ y = {n(y)},\ w = {n(w)},\ h = {n(h)} \quad (\text{{image units}})",
        rf"\text{{col}} = \lfloor x \cdot S \rfloor = \lfloor {n(x)} \cdot {s} \rfloor = {a.col}, \quad "
        rf"\text{{row}} = \lfloor y \cdot S \rfloor = \lfloor {n(y)} \cdot {s} \rfloor = {a.row} "
        rf"\quad (\text{{cell }} ({a.row + 1}, {a.col + 1}) \text{{ counting from 1}})",
        rf"b_x = x S - \text{{col}} = {n(a.values[0])}, \quad b_y = y S - \text{{row}} = {n(a.values[1])}",
        rf"b_h = h S = {n(a.values[2])}, \quad b_w = w S = {n(a.values[3])}",
    ]
    if a.anchor is not None:
        vector = ["1"] + [n(v) for v in a.values] + [
            "1" if k == int(scene.classes[index]) else "0" for k in range(len(CLASS_NAMES))]
        lines.append(rf"y[{a.row + 1}, {a.col + 1}, {a.anchor + 1}] = (p_c, b_x, b_y, b_h, b_w, "
                     + ", ".join(f"c_{k + 1}" for k in range(len(CLASS_NAMES))) + r") = ("
                     + ", ".join(vector) + ")")
    return r"\begin{array}{l}" + r" \\ ".join(lines) + r"\end{array}"


def grid_and_assignment(view: SceneView) -> tuple[Target, int, np.ndarray]:
    """The grid over the scene, each object's cell and anchor, the collision policy at work."""
    scene = view.scene
    st.subheader("The grid, and where each object goes in y")
    spec = detector_spec()
    cols = st.columns(2)
    s = int(cols[0].slider("grid S (S×S cells)", *GRID_RANGE, key=ui.url_int("S", scene.size // spec.stride,
                                                                             *GRID_RANGE)))
    k = int(cols[1].slider("anchors B (k-means on the training boxes)", 1, 9,
                           key=ui.url_int("k", spec.n_anchors, 1, 9),
                           help=f"The detector uses the k = {spec.n_anchors} anchors; the explorer below shows all."))
    anchors = anchors_for(k, scene.size)
    target = build_target(scene.boxes, scene.classes, s, anchors, len(CLASS_NAMES))
    dropped = {a.index for a in target.assignments if a.status == "dropped"}
    left, right = st.columns([1, 1])
    left.image(figures.scene_picture(scene.image, scene.boxes, scene.classes, (s, s), dashed=dropped),
               caption=f"{scene.size}×{scene.size} px, {len(scene.boxes)} objects, a {s}×{s} grid; dots: midpoints",
               alt=f"The scene: {len(scene.boxes)} drawn shapes in their labelled boxes, over a {s}×{s} grid")
    with right:
        if view.mode == "random":
            st.caption("These objects as text (paste them under 'placed by me' to move them):")
            st.code(describe_objects(scene.objects) or "(no objects)", language=None)
        st.markdown(
            f"Each object belongs to the cell that holds its midpoint, and to the anchor whose shape (w, h) has the "
            f"highest IoU with its own when both are centred together. y has {s}×{s}×{k}×(5 + {len(CLASS_NAMES)}) "
            f"= {fmt.exact(s * s * k * (5 + len(CLASS_NAMES)))} numbers; b_x, b_y are the midpoint's place inside "
            "its cell (0 to 1), b_h, b_w the box's size in cell units (more than 1 for a box bigger than a cell).")
        st.markdown(f"**Policy when two objects want one slot:** {COLLISION_POLICY}")
    if len(scene.boxes) == 0:
        st.info("No objects: every slot of y has p_c = 0.")
        return target, s, anchors
    st.dataframe(_assignment_rows(target, scene, s), hide_index=True, key="assign_table")
    collisions = _collisions(target)
    for sentence in collisions:
        st.warning(sentence)
    if not collisions:
        st.caption(f"No two objects want the same slot at S = {s}, B = {k}. A coarser grid or fewer anchors "
                   "(S = 2, B = 1) makes them collide.")
    poor = [a for a in target.assignments if a.poor_fit]
    if poor:
        st.info("No anchor fits " + ", ".join(f"object {a.index + 1} (best IoU {a.ious.max():.2f})" for a in poor)
                + f" well: below {POOR_FIT_IOU:g}. The network must stretch that anchor a lot (e^(t_w), e^(t_h) far "
                  "from 1), which it learns less well.")
    pick = bounded_number(st, f"work out object (1–{len(scene.boxes)})", 1, len(scene.boxes),
                          ui.url_int("obj", 1, 1, MAX_PLACED))
    if not ui.missing(pick):
        st.latex(slot_latex(target, scene, pick - 1, s))
    return target, s, anchors
