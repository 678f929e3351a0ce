"""A dragged rectangle, as Streamlit reports a plotly box selection, read as a box on the canvas."""

from __future__ import annotations

import pytest

from pages._non_max_suppression.drag import box_from_selection


def event(x, y, **extra):
    """The shape st.plotly_chart(..., on_select="rerun", selection_mode="box") returns."""
    return {"selection": {"points": [], "point_indices": [], "box": [{"xref": "x", "yref": "y", "x": x, "y": y, **extra}],
                          "lasso": []}}


@pytest.mark.parametrize("x, y, expected", [
    ([10.2, 40.7], [20.4, 60.6], (10, 20, 41, 61)),  # rounded to whole units
    ([40.7, 10.2], [60.6, 20.4], (10, 20, 41, 61)),  # dragged right to left, bottom to top
    ([-5, 30], [90, 130], (0, 90, 30, 100)),  # clipped to the canvas
])
def test_a_box_selection_becomes_corners(x, y, expected):
    """The last box of the selection, rounded, ordered and clipped to 0…100."""
    assert box_from_selection(event(x, y), 100, 100) == expected


def test_the_selection_part_alone_is_read_too():
    """Given only the selection dict (no "selection" wrapper), the same box."""
    assert box_from_selection(event([1, 5], [2, 9])["selection"], 100, 100) == (1, 2, 5, 9)


def test_the_last_of_several_boxes_wins():
    """Shift-drag adds boxes to a selection; the newest is the one placed."""
    e = event([1, 5], [2, 9])
    e["selection"]["box"].append({"x": [50, 60], "y": [50, 70]})
    assert box_from_selection(e, 100, 100) == (50, 50, 60, 70)


@pytest.mark.parametrize("value", [
    None, {}, {"selection": {"box": []}}, {"selection": {"box": [{"x": [1], "y": [2, 3]}]}},
    {"selection": {"box": [{"x": ["a", "b"], "y": [2, 3]}]}}, {"selection": {"box": [{"x": [1, 1.2], "y": [2, 30]}]}},
    {"selection": {"box": [{"x": [float("nan"), 3], "y": [2, 30]}]}}, {"selection": {"box": "nonsense"}},
    {"selection": {"points": [{"x": 1, "y": 2}], "box": [], "lasso": []}}, "text",
])
def test_no_usable_box_gives_none(value):
    """No selection, a malformed one, or a rectangle that rounds to no width: None, never an exception."""
    assert box_from_selection(value, 100, 100) is None
