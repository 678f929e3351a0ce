"""Figures for the edge-filter page: annotated grids of numbers and the learned filters (plotly, no widgets).

Each builder is :func:`pages._shared.plot.shared`: a figure is built once per value of its
arguments and then reused by every visitor (the learned filters' subplots take over 100 ms to build).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pages._shared import colour, plot
from pages._shared import format as fmt


@plot.shared
def grid(values: np.ndarray, title: str, *, signed: bool, highlight: tuple[int, int, int] | None = None,
         padding: int = 0) -> dict:
    """An annotated heatmap: every number written in its cell.

    signed: diverging scale centred at 0 (responses, kernels); else dark-to-light grey (pixels).
    highlight: (top, left, size) square drawn around a window. padding: that many
    outer rings are the zeros added around the image, framed by a dotted line.
    """
    values = np.asarray(values, np.float64)
    h, w = values.shape
    limit = max(float(np.abs(values).max(initial=0)), 1e-9)
    heat = {
        "type": "heatmap", "z": values, "text": [[fmt.num(v) for v in row] for row in values],
        "texttemplate": "%{text}", "textfont": {"size": 13 if max(h, w) <= 8 else 10},
        "colorscale": colour.DIVERGING_SCALE if signed else [[0, "rgb(70,70,70)"], [1, "rgb(250,250,250)"]],
        "zmin": -limit if signed else min(0.0, values.min()), "zmax": limit if signed else max(values.max(), 1e-9),
        "showscale": False, "xgap": 2, "ygap": 2,
        # Rows and columns count from 1, as on every page: the ticks and the hover say so, the data stays 0-based.
        "customdata": [[[r + 1, c + 1] for c in range(w)] for r in range(h)],
        "hovertemplate": "row %{customdata[0]}, column %{customdata[1]}: %{text}<extra></extra>",
    }
    shapes = []
    if padding:
        shapes.append({"type": "rect", "x0": padding - 0.5, "y0": padding - 0.5, "x1": w - padding - 0.5,
                       "y1": h - padding - 0.5, "line": {"color": "rgb(40,120,40)", "width": 2, "dash": "dot"}})
    if highlight is not None:
        top, left, size = highlight
        shapes.append({"type": "rect", "x0": left - 0.5, "y0": top - 0.5, "x1": left + size - 0.5,
                       "y1": top + size - 0.5, "line": {"color": "rgb(255,170,0)", "width": 4}})
    cell = 34 if max(h, w) <= 9 else 22
    layout = {
        "title": {"text": title, "font": {"size": 14}}, "height": cell * h + 90, "shapes": shapes,
        "margin": {"l": 30, "r": 10, "t": 60, "b": 10}, "plot_bgcolor": "white",
        "xaxis": {"range": [-0.5, w - 0.5], "tickvals": list(range(w)), "ticktext": [str(c + 1) for c in range(w)],
                  "side": "top", "showgrid": False,
                  "zeroline": False},
        "yaxis": {"range": [h - 0.5, -0.5], "tickvals": list(range(h)), "ticktext": [str(r + 1) for r in range(h)],
                  "scaleanchor": "x", "showgrid": False,
                  "zeroline": False},
    }
    return {"data": [heat], "layout": layout}


@plot.shared
def learned_grid(kernels: np.ndarray, titles: list[str]) -> go.Figure:
    """K small heatmaps (f × f) on one diverging scale, two rows."""
    cols = (len(kernels) + 1) // 2
    fig = make_subplots(rows=2, cols=cols, subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=0.12)
    limit = float(np.abs(kernels).max())
    for i, k in enumerate(kernels):
        fig.add_trace(go.Heatmap(z=k, zmin=-limit, zmax=limit, colorscale=colour.DIVERGING_SCALE, showscale=False,
                                 customdata=[[[r + 1, c + 1] for c in range(k.shape[1])] for r in range(k.shape[0])],
                                 hovertemplate="row %{customdata[0]}, column %{customdata[1]}: %{z:.3f}<extra></extra>"),
                      row=i // cols + 1, col=i % cols + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False, autorange="reversed", scaleanchor="x")
    fig.update_annotations(font_size=11)
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
