"""A rectangle dragged on a chart, as a box: what ``st.plotly_chart(..., on_select="rerun")`` returns, read.

With ``selection_mode="box"`` Streamlit hands back the chart's selection as
``{"selection": {"box": [{"x": [x0, x1], "y": [y0, y1], ...}], "points": [...], ...}}``
(the x and y ranges in data units, in the order they were dragged). No
Streamlit here: the page passes the event in, so this is tested on plain dicts.
"""

from __future__ import annotations

from collections.abc import Mapping


def box_from_selection(event, width: float, height: float) -> tuple[int, int, int, int] | None:
    """The last dragged rectangle as whole-unit corners (x1, y1, x2, y2) inside [0, width] × [0, height].

    Parameters
    ----------
    event : mapping or None
        The chart's state (``st.session_state[key]`` or the return value of
        ``st.plotly_chart``), or its ``"selection"`` part.
    width, height : float
        The canvas: corners are clipped to it.

    Returns
    -------
    tuple of int or None
        None when there is no box selection, it is malformed, or it has no
        width or height once rounded and clipped.
    """
    if not isinstance(event, Mapping):
        return None
    selection = event.get("selection", event)
    boxes = selection.get("box") if isinstance(selection, Mapping) else None
    if not boxes or not isinstance(boxes, list | tuple) or not isinstance(boxes[-1], Mapping):
        return None
    xs, ys = boxes[-1].get("x"), boxes[-1].get("y")
    try:
        x0, x1 = (float(v) for v in xs)
        y0, y1 = (float(v) for v in ys)
    except (TypeError, ValueError):
        return None
    corners = []
    for lo, hi, top in ((x0, x1, width), (y0, y1, height)):
        if not (abs(lo) < float("inf") and abs(hi) < float("inf")):
            return None
        a, b = sorted((min(max(round(lo), 0), top), min(max(round(hi), 0), top)))
        corners.append((int(a), int(b)))
    (ax1, ax2), (ay1, ay2) = corners
    if ax2 <= ax1 or ay2 <= ay1:
        return None
    return ax1, ay1, ax2, ay2
