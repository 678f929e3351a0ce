"""Putting figures on a page: one home for how every chart is shown, and for reusing built figures.

``st.plotly_chart`` validates a dict by building a plotly Figure from it (several ms for a
small heatmap, far more for subplots); a Figure it only copies and serialises (with orjson
when installed, several times faster than the standard json module). So builders return
Figures, and :func:`shared` keeps each built one for every visitor who asks for the same values.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

STATIC = {"displayModeBar": False}  # small teaching figures: no zoom/pan toolbar
ALT_CLASS = "chart-alt"  # a chart's text alternative: read by screen readers, not drawn (pages/_shared/ui.py's CSS)
MAX_ALT_ITEMS = 6  # panel titles, axes and legend entries named in a chart's text alternative, at most
KINDS = {"heatmap": "Heat map", "bar": "Bar chart", "histogram": "Histogram"}  # what a chart of one trace type is called
MAX_SHARED = 24  # built figures kept per builder, 50–150 kB each (measured): a few MB per builder


class SharedFigure(go.Figure):
    """A figure built once and shown on many reruns: its dict is made once and handed out each time.

    ``st.plotly_chart`` turns a Figure into a dict with ``to_dict()``, a deep copy of the
    whole figure on every rerun (the learned filters' 16 heatmaps: about 10 ms); this one
    returns the same dict every time. Read-only by contract: nobody changes the figure
    once it is built (plotly's to_json only drops trace uids, which it has none of).
    """

    def to_dict(self) -> dict:
        try:
            return self._shared_dict
        except AttributeError:
            self._shared_dict = super().to_dict()
            return self._shared_dict


def shared(builder):
    """Decorator: keep what ``builder`` returns for each value of its arguments, for every session.

    For figure builders: pure functions of their arguments that return a figure as a
    plain dict (validated here, once) or as a plotly Figure (validated again here: fine
    for a figure built a few times). The figure is shared, not copied, as a
    :class:`SharedFigure`; ``st.cache_data`` would hand each caller an unpickled copy,
    which costs about as much as building a small figure again.
    """
    @functools.wraps(builder)
    def build(*args, **kwargs) -> SharedFigure:
        return SharedFigure(builder(*args, **kwargs))

    return st.cache_resource(max_entries=MAX_SHARED, show_spinner=False)(build)


def _text(value) -> str:
    """A title's text, whether plotly holds it as a string, a {"text": ...} dict or a Title object."""
    text = value if value is None or isinstance(value, str) else (
        value.get("text") if isinstance(value, dict) else getattr(value, "text", None))
    return " ".join(re.sub(r"<[^>]+>", " ", text or "").split())  # plotly titles may hold <br>, <sub>


def describe(fig, limit: int = MAX_ALT_ITEMS) -> str:
    """A sentence saying what a figure shows: its title, its subplots' titles, its axes and its legend entries.

    The chart's text alternative when the page gives none (:func:`chart`'s ``alt``). Reads the
    figure's own words only, and copies no trace: a dict is read as it is, a shared figure
    through its shared dict, another Figure through its layout and its traces' names.
    """
    if isinstance(fig, dict | SharedFigure):
        data = fig if isinstance(fig, dict) else fig.to_dict()
        layout, traces = data.get("layout", {}), data.get("data", ())
    else:  # a Figure's to_dict() deep-copies every trace; its layout alone is small
        layout = fig.layout.to_plotly_json()
        traces = [{"type": t.type, "name": t.name, "showlegend": t.showlegend} for t in fig.data]
    parts = []
    if title := _text(layout.get("title")):
        parts.append(title)
    panels = [_text(a) for a in layout.get("annotations", ()) if isinstance(a, dict) and a.get("xref") == "paper"]
    if panels := [t for t in panels if t][:limit]:
        parts.append("panels: " + "; ".join(panels))
    axes = []
    for name in sorted(k for k in layout if re.fullmatch(r"[xy]axis\d*", k)):
        if (text := _text(layout[name].get("title"))) and text not in axes:
            axes.append(text)
    if axes := axes[:limit]:
        parts.append("axes: " + ", ".join(axes))
    names = []
    for trace in traces:
        if trace.get("showlegend") is not False and (name := _text(trace.get("name"))) and name not in names:
            names.append(name)
    if names := names[:limit]:
        parts.append("showing " + ", ".join(names))
    kinds = {KINDS.get(trace.get("type", "scatter"), "Chart") for trace in traces}
    return f"{kinds.pop() if len(kinds) == 1 else 'Chart'}: " + "; ".join(parts) + "." if parts else ""


def chart(fig, key: str, alt: str | None = None, **kwargs) -> None:
    """Show a plotly figure (a dict or a Figure) at the container's width, without the mode bar, with a text alternative.

    A screen reader gets ``alt`` (or, without it, :func:`describe`'s sentence) as a paragraph just after
    the chart, hidden from the eye (the page's text already explains the chart to a sighted reader);
    plotly's SVG alone reads as a jumble of tick labels.
    """
    st.plotly_chart(fig, key=key, width="stretch", config=STATIC, **kwargs)
    text = alt or describe(fig)
    if text:
        st.html(f'<p class="{ALT_CLASS}">{html.escape(text)}</p>')


def subplot_grid(rows: int, cols: int, titles: Sequence[str] = (), horizontal_spacing: float = 0.2,
                 vertical_spacing: float = 0.3) -> dict:
    """A layout dict of rows × cols axes, as ``plotly.subplots.make_subplots`` lays them out, without its cost.

    make_subplots builds and validates a Figure axis by axis (50–150 ms for a figure that
    reruns on every control change); this returns the same domains, anchors and titles
    as plain data. Put a trace on cell (row, col) with :func:`cell_axes`; the spacing is
    the fraction of the width (height) between two columns (rows), as in make_subplots.
    """
    width = (1 - horizontal_spacing * (cols - 1)) / cols
    height = (1 - vertical_spacing * (rows - 1)) / rows
    layout: dict = {"annotations": []}
    for r in range(rows):
        top = 1 - r * (height + vertical_spacing)
        for c in range(cols):
            n = r * cols + c + 1
            left = c * (width + horizontal_spacing)
            suffix = "" if n == 1 else str(n)
            layout[f"xaxis{suffix}"] = {"domain": [left, left + width], "anchor": f"y{suffix}"}
            layout[f"yaxis{suffix}"] = {"domain": [top - height, top], "anchor": f"x{suffix}"}
            if n <= len(titles):
                layout["annotations"].append({
                    "text": titles[n - 1], "x": left + width / 2, "y": top, "xref": "paper", "yref": "paper",
                    "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 16}})
    return layout


def cell_axes(row: int, col: int, cols: int) -> dict:
    """The ``xaxis``/``yaxis`` references of cell (row, col), 1-based, of a :func:`subplot_grid`."""
    n = (row - 1) * cols + col
    suffix = "" if n == 1 else str(n)
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


def each_axis(layout: dict, letter: str, **settings) -> None:
    """Apply ``settings`` to every x (``letter="x"``) or y axis of a :func:`subplot_grid` layout."""
    for name, axis in layout.items():
        if name.startswith(f"{letter}axis"):
            axis.update(settings)
