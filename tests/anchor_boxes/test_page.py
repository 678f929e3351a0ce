"""The anchor-boxes page through the app's entry point: controls change what it shows, and the numbers are right."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from pages._anchor_boxes.output import latex_value
from playground.anchor_boxes import CLASS_NAMES, build_target, detect, detector_record, make_scene
from playground.anchor_boxes import sliding as sw
from tests.conftest import REPO_ROOT
from tests.references import reference_target

PAGE = "pages/anchor_boxes.py"


def open_page(**query) -> AppTest:
    """The page as a visitor arriving from a link with ``query`` sees it."""
    at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params.update({k: str(v) for k, v in query.items()})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def anchors_px(k: int) -> np.ndarray:
    return np.array(detector_record()["kmeans"]["k"][str(k)]["anchors"]) * 96


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return open_page()


def test_default_view_runs_and_writes_its_state_into_the_link(default_page):
    """No error; the link holds the scene, grid and window settings."""
    at = default_page
    assert not at.error
    for key, value in (("seed", "3"), ("objects", "5"), ("S", "6"), ("k", "5"), ("wn", "28")):
        assert at.query_params[key] == value


def test_sliding_windows_are_equal_both_ways_and_cost_what_the_arithmetic_says(default_page):
    """The difference line reports float32 rounding (< 1e-5) and the cost table the computed multiplications."""
    at = default_page
    text = next(m.value for m in at.markdown if "largest difference between the two runs" in m.value)
    diff = float(text.split("runs is **")[1].split("**")[0])
    assert diff < 1e-5 and "the same in every window" in text
    costs = next(d.value for d in at.dataframe if "multiplications" in d.value.columns and "way" in d.value.columns)
    assert list(costs["multiplications"]) == [f"{sw.crop_macs(28):,}", f"{sw.one_pass_macs(28):,}"]
    assert costs["way"][0].startswith("crop by crop: 64 runs")


def test_assignment_table_matches_the_reference_target():
    """Seed 3, 5 objects, S = 4, k = 2: every object's cell and slot is the reference's (counted from 1)."""
    at = open_page(S=4, k=2)
    scene = make_scene(3, 5)
    _, slots = reference_target(scene.boxes, scene.classes, 4, anchors_px(2) / 96, len(CLASS_NAMES))
    table = next(d.value for d in at.dataframe if "slot in y" in d.value.columns)
    for (row, col, anchor), cell, slot in zip(slots, table["cell (row, col)"], table["slot in y"]):
        assert cell == f"({row + 1}, {col + 1})"
        assert slot == (f"y[{row + 1}, {col + 1}, {anchor + 1}]" if anchor is not None else "none")


def test_a_collision_is_explained_with_its_numbers():
    """Two tall rectangles on one midpoint with one anchor: the page says which keeps the slot and that the other
    is dropped, with the IoUs that decided it."""
    placed = "rectangle 40 40 10 30\nrectangle 41 41 12 30"
    at = open_page(mode="placed", placed=placed, k=1, S=3)
    warning = next(w.value for w in at.warning if "both want anchor 1" in w.value)
    scene_boxes = np.array([[35, 25, 45, 55], [35, 26, 47, 56]]) / 96
    t = build_target(scene_boxes, [1, 1], 3, anchors_px(1) / 96, len(CLASS_NAMES))
    winner = next(a for a in t.assignments if a.status == "kept")
    loser = next(a for a in t.assignments if a.status != "kept")
    assert f"Object {winner.index + 1} fits it better" in warning and f"object {loser.index + 1} is left out of y" in warning
    assert f"{winner.ious[0]:.2f} against {loser.ious[0]:.2f}" in warning


def test_bad_placed_objects_are_reported_and_the_example_drawn():
    """Unreadable lines get a warning that names the line; the page still works."""
    at = open_page(mode="placed", placed="hexagon 1 2 3 4")
    assert any("line 1: the class must be one of" in w.value for w in at.warning)
    assert not at.error


def test_the_decoded_slot_is_the_detectors_most_confident_box(default_page):
    """'The most confident slot' shows p_c = σ(t_o) of the box with the highest score, as detect() computes it."""
    at = default_page
    raw = detect(make_scene(3, 5).image, "cpu")
    best = int(np.argmax(raw.scores))
    row, col, anchor = raw.cells[best]
    assert (at.text_input(key="row__typed").value, at.text_input(key="col__typed").value,
            at.text_input(key="anchor__typed").value) == (str(row + 1), str(col + 1), str(anchor + 1))
    decoding = next(x.value for x in at.latex if r"p_c = \sigma(t_o)" in x.value)
    assert rf"\sigma({latex_value(raw.raw[row, col, anchor, 0])}) = {latex_value(raw.objectness[best])}" in decoding


def test_nms_link_carries_the_scene():
    """The hand-on link names the detector, the seed and the number of objects exactly as the NMS page reads them."""
    at = open_page(seed=17, objects=4)
    assert any("(non_max_suppression?src=detector&seed=17&objects=4)" in m.value for m in at.markdown)


def test_shape_arithmetic_of_yolo_v2(default_page):
    """19×19×5×85 = 19×19×425 and 1,805 boxes; the detector on 608×608 gives a 38×38 grid, checked by ORT."""
    at = default_page
    latex = next(x.value for x in at.latex if r"19 \times 19 \times 5 \times (5 + 80)" in x.value)
    assert r"19 \times 19 \times 425" in latex and "1{,}805" in latex
    assert any("a **38×38** grid" in m.value for m in at.markdown)
    assert any("its output is 38×38×5×8, as computed" in c.value for c in at.caption)


@pytest.mark.parametrize("k", [1, 5, 9])
def test_anchor_explorer_reports_the_recorded_kmeans(k):
    """The mean best IoU for k and the elbow come from the export's record."""
    at = open_page(kx=k)
    record = detector_record()["kmeans"]["k"][str(k)]
    text = next(m.value for m in at.markdown if m.value.startswith(f"With k = {k} the training boxes"))
    assert f"**{record['mean_best_iou']:.1%}**" in text
    assert "61.0 %" in next(c.value for c in at.caption if "Redmon & Farhadi" in c.value)


@pytest.mark.parametrize("right", [True, False])
def test_check_yourself_b_w(right):
    """b_w of object 1 (seed 3, S = 6): a right guess is praised, a wrong one corrected with the answer."""
    at = open_page()
    scene = make_scene(3, 5)
    expected = round(float(scene.boxes[0, 2] - scene.boxes[0, 0]) * 6, 2)
    at.text_input(key="q_bw__typed").input(str(expected if right else expected + 1)).run()
    at.button(key="q_bw_check").click().run()
    if right:
        assert any(f"Right: {expected:.4g}" in s.value for s in at.success)
    else:
        assert any(f"the answer is {expected:.4g}" in e.value for e in at.error)


def test_check_yourself_cell():
    """The cell question: the midpoint's cell, counted from 1."""
    at = open_page(qobj=2)
    scene = make_scene(3, 5)
    x, y = (scene.boxes[1, :2] + scene.boxes[1, 2:]) / 2
    row, col = int(y * 6) + 1, int(x * 6) + 1
    at.text_input(key="q_row__typed").input(str(row)).run()
    at.text_input(key="q_col__typed").input(str(col)).run()
    at.button(key="q_cell_check").click().run()
    assert any(f"Right: cell ({row}, {col})" in s.value for s in at.success)


@pytest.mark.parametrize("query", [
    {"mode": "placed"}, {"objects": 0}, {"size": 192, "objects": 10, "S": 16, "k": 9}, {"wn": 48, "wi": 40, "wj": 40},
    {"pick": "mine", "row": 16, "col": 16, "anchor": 9}, {"inh": 1, "inw": 1}, {"c0": 0, "c1": 0, "c2": 0},
    {"wn": 16, "obj": 12, "qobj": 12},
])
def test_links_render_without_error(query):
    """Shared links with unusual but valid settings render with no exception and no error box."""
    at = open_page(**query)
    assert not at.error
