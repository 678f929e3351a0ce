"""Figures for the non-max-suppression page: boxes on a canvas, the IoU calculator, decay curves, PR curves.

Drawing only: every number comes from ``playground.non_max_suppression``. Figures are built as plain dicts
(boxes are layout shapes) and wrapped in ``go.Figure`` once.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from pages._shared import format as fmt

KEPT, CHOSEN, REMOVED, IN_PLAY, BELOW, CAPPED = "#2ca02c", "#0b6e0b", "#d62728", "#1f77b4", "#9e9e9e", "#9467bd"
BOX_A, BOX_B, INTERSECTION = "#1f77b4", "#ff7f0e", "#2ca02c"
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")
DRAG_GRID = 5  # the invisible points that make a dragged rectangle a selection, every this many units
HEIGHT_PX = 430
# The page's charts use Streamlit's theme; plotly's default template would be copied into every figure and walked
# on every serialisation (a few ms each). An empty one keeps a figure of a few traces near a millisecond.
TEMPLATE = "none"


def image_uri(image: np.ndarray) -> str:
    """An (H, W, 3) float 0–1 picture as a JPEG data URI, for a layout image behind the boxes."""
    buffer = io.BytesIO()
    Image.fromarray((np.clip(image, 0, 1) * 255).round().astype(np.uint8)).save(buffer, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _layout(width: float, height: float, title: str = "", picture: str | None = None, drag: bool = False,
            height_px: int = HEIGHT_PX, grid_step: float | None = None) -> dict:
    """Axes in the boxes' units, y down as in an image, one unit as wide as high; gridlines every ``grid_step``."""
    step_x, step_y = (grid_step, grid_step) if grid_step else (width / 10, height / 10)
    grid = {"showgrid": True, "zeroline": False, "constrain": "domain",
            "gridcolor": "rgba(255,255,255,0.35)" if picture else "#e5e5e5"}
    layout = {
        "xaxis": {"range": [0, width], "dtick": step_x, "title": {"text": "x"}, **grid},
        "yaxis": {"range": [height, 0], "scaleanchor": "x", "scaleratio": 1, "dtick": step_y,
                  "title": {"text": "y (down)"}, **grid},
        "margin": {"l": 50, "r": 10, "t": 40 if title else 10, "b": 40}, "height": height_px, "showlegend": False,
        "plot_bgcolor": "#fafafa", "shapes": [], "annotations": [], "template": TEMPLATE,
        "dragmode": "select" if drag else False, "selectdirection": "any",
    }
    if title:
        layout["title"] = {"text": title, "x": 0.02, "font": {"size": 14}}
    if picture:
        layout["images"] = [{"source": picture, "xref": "x", "yref": "y", "x": 0, "y": 0, "sizex": width,
                             "sizey": height, "sizing": "stretch", "layer": "below"}]
    return layout


def _rect(box, colour: str, *, width: float = 2, dash: str = "solid", fill: str | None = None,
          opacity: float = 1.0) -> dict:
    x1, y1, x2, y2 = (float(v) for v in box)
    shape = {"type": "rect", "x0": x1, "y0": y1, "x1": x2, "y1": y2, "xref": "x", "yref": "y", "opacity": opacity,
             "line": {"color": colour, "width": width, "dash": dash}, "layer": "above"}
    if fill:
        shape["fillcolor"] = fill
    return shape


def _drag_points(width: float, height: float) -> dict:
    """Invisible points on a grid, so a rectangle dragged anywhere selects something and reaches the page."""
    gx, gy = np.meshgrid(np.arange(0, width + 1e-9, DRAG_GRID), np.arange(0, height + 1e-9, DRAG_GRID))
    return {"type": "scatter", "x": gx.ravel(), "y": gy.ravel(), "mode": "markers",
            "marker": {"size": 6, "opacity": 0}, "hoverinfo": "skip", "showlegend": False}


def iou_figure(a, b, inter_box, drag: bool) -> go.Figure:
    """Boxes A and B, their union shaded, their intersection filled; drag to place a box."""
    layout = _layout(100, 100, drag=drag, height_px=400)
    layout["shapes"] = [_rect(a, BOX_A, width=3, fill="rgba(31,119,180,0.15)"),
                        _rect(b, BOX_B, width=3, fill="rgba(255,127,14,0.15)")]
    if inter_box is not None:
        layout["shapes"].append(_rect(inter_box, INTERSECTION, width=1, fill="rgba(44,160,44,0.55)"))
    labels = {"type": "scatter", "mode": "text", "x": [a[0] + 1, b[0] + 1], "y": [a[1] + 1, b[1] + 1],
              "text": ["<b>A</b>", "<b>B</b>"], "textposition": "bottom right",
              "textfont": {"color": [BOX_A, BOX_B], "size": 15}, "hoverinfo": "skip"}
    data = [labels] + ([_drag_points(100, 100)] if drag else [])
    return go.Figure({"data": data, "layout": layout})


def label_text(i: int, score: float, extra: str = "") -> str:
    """A box's label: its number (from 1) and score, e.g. "#3 0.72"."""
    return f"#{i + 1} {fmt.num(score, 2)}{extra}"


def _outline_traces(boxes: np.ndarray, colours, dashes, widths, opacities, labels=None,
                    label_colour: str | None = None) -> list[dict]:
    """Box outlines as one scatter trace per style, and their labels (top-left corners) as one text trace per style.

    Hundreds of layout shapes, or a trace per box, would each be validated by plotly: a few traces with numpy
    arrays keep a figure of 200 boxes at a few milliseconds.
    """
    groups: dict[tuple, list[int]] = {}
    for i in range(len(boxes)):
        groups.setdefault((colours[i], dashes[i], float(widths[i]), round(float(opacities[i]), 1)), []).append(i)
    traces = []
    for (colour, dash, width, opacity), members in sorted(groups.items(), key=lambda g: g[0][3]):  # faint first
        b = np.asarray(boxes, np.float64)[members]
        nan = np.full(len(b), np.nan)
        # each box: (x1,y1) → (x2,y1) → (x2,y2) → (x1,y2) → (x1,y1), then a gap
        xs = np.stack([b[:, 0], b[:, 2], b[:, 2], b[:, 0], b[:, 0], nan], axis=1).ravel()
        ys = np.stack([b[:, 1], b[:, 1], b[:, 3], b[:, 3], b[:, 1], nan], axis=1).ravel()
        trace = {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "opacity": opacity,
                 "line": {"color": colour, "dash": dash, "width": width}, "hoverinfo": "skip", "connectgaps": False}
        traces.append(trace)
        labelled = [i for i in members if labels is not None and labels[i]]
        if labelled:  # a text trace of its own: plotly left some labels out when they rode on the lines
            corners = np.asarray(boxes, np.float64)[labelled]
            traces.append({"type": "scatter", "mode": "text", "x": corners[:, 0], "y": corners[:, 1],
                           "text": np.array([labels[i] for i in labelled]), "textposition": "bottom right",
                           "textfont": {"color": label_colour or colour, "size": 11}, "hoverinfo": "skip"})
    return traces


def boxes_figure(boxes: np.ndarray, scores: np.ndarray, colours: Sequence[str], dashes: Sequence[str],
                 widths: Sequence[float], opacities: Sequence[float], labels: Sequence[str], width: float,
                 height: float, *, picture: str | None = None, truth: np.ndarray | None = None,
                 drag: bool = False, title: str = "", height_px: int = HEIGHT_PX,
                 grid_step: float | None = None) -> go.Figure:
    """Boxes in the given styles with a label at each top-left corner; ground truth as thin dotted outlines."""
    layout = _layout(width, height, title, picture, drag, height_px, grid_step)
    data = []
    if truth is not None and len(truth):
        data += _outline_traces(truth, ["#ffffff" if picture else "#555555"] * len(truth), ["dot"] * len(truth),
                                [1] * len(truth), [1.0] * len(truth))
    data += _outline_traces(boxes, colours, dashes, widths, opacities, labels,
                            label_colour="#ffffff" if picture else None)  # white reads on a dark scene
    if drag:
        data.append(_drag_points(width, height))
    return go.Figure({"data": data, "layout": layout})


def decay_figure(method: str, sigma: float, nt: float, hard_threshold: float, curve: np.ndarray,
                 points: np.ndarray) -> go.Figure:
    """f(IoU) of the chosen Soft-NMS decay against hard NMS's step, IoU 0…1."""
    x = np.linspace(0, 1, len(curve)).tolist()
    name = f"Gaussian, σ = {fmt.num(sigma, 2)}" if method == "gaussian" else f"linear, N_t = {fmt.num(nt, 2)}"
    data = [
        {"type": "scatter", "x": x, "y": curve.tolist(), "mode": "lines", "name": f"Soft-NMS {name}",
         "line": {"color": IN_PLAY, "width": 3}},
        {"type": "scatter", "x": [0, hard_threshold, hard_threshold, 1], "y": [1, 1, 0, 0], "mode": "lines",
         "name": f"hard NMS at {fmt.num(hard_threshold, 2)}", "line": {"color": REMOVED, "dash": "dash"}},
    ]
    if len(points):
        data.append({"type": "scatter", "x": points[:, 0].tolist(), "y": points[:, 1].tolist(), "mode": "markers",
                     "name": "these boxes", "marker": {"color": IN_PLAY, "size": 7, "symbol": "circle-open"}})
    layout = {"template": TEMPLATE, "xaxis": {"title": {"text": "IoU with the kept box"}, "range": [0, 1]},
              "yaxis": {"title": {"text": "score multiplied by"}, "range": [-0.02, 1.05]}, "height": 300,
              "margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "legend": {"x": 0.55, "y": 0.98}}
    return go.Figure({"data": data, "layout": layout})


def pr_figure(curves: Sequence[tuple[str, np.ndarray, np.ndarray, str]], title: str) -> go.Figure:
    """Precision against recall, one line per (name, recall, precision, colour), with the interpolated envelope."""
    data = []
    for name, recall, precision, colour in curves:
        r = np.concatenate([[0.0], recall])
        p = np.concatenate([[precision[0] if len(precision) else 0.0], precision])
        envelope = np.maximum.accumulate(p[::-1])[::-1]
        data.append({"type": "scatter", "x": r.tolist(), "y": p.tolist(), "mode": "lines", "name": name,
                     "line": {"color": colour, "width": 1}, "opacity": 0.6})
        data.append({"type": "scatter", "x": r.tolist(), "y": envelope.tolist(), "mode": "lines",
                     "name": f"{name} (interpolated)", "line": {"color": colour, "width": 3, "shape": "hv"},
                     "showlegend": False})
    layout = {"template": TEMPLATE, "xaxis": {"title": {"text": "recall"}, "range": [0, 1.02]},
              "yaxis": {"title": {"text": "precision"}, "range": [0, 1.05]}, "height": 340,
              "title": {"text": title, "x": 0.02, "font": {"size": 14}},
              "margin": {"l": 50, "r": 10, "t": 40, "b": 40}, "legend": {"x": 0.02, "y": 0.02}}
    return go.Figure({"data": data, "layout": layout})


def sweep_figure(thresholds: np.ndarray, curves: Sequence[tuple[str, np.ndarray, str]], chosen: float,
                 x_title: str) -> go.Figure:
    """mAP against the threshold, one line per rule, the best point of each marked, the page's threshold dashed."""
    data = []
    for name, values, colour in curves:
        best = int(np.argmax(values))
        data.append({"type": "scatter", "x": thresholds.tolist(), "y": values.tolist(), "mode": "lines+markers",
                     "name": name, "line": {"color": colour}})
        data.append({"type": "scatter", "x": [float(thresholds[best])], "y": [float(values[best])], "mode": "markers",
                     "marker": {"color": colour, "size": 14, "symbol": "star"}, "showlegend": False,
                     "hovertemplate": f"best {name}: %{{y:.3f}} at %{{x}}<extra></extra>"})
    layout = {"template": TEMPLATE, "xaxis": {"title": {"text": x_title}}, "yaxis": {"title": {"text": "mAP@0.5"}}, "height": 320,
              "shapes": [{"type": "line", "x0": chosen, "x1": chosen, "y0": 0, "y1": 1, "yref": "paper",
                          "line": {"color": "#555555", "dash": "dot"}}],
              "margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "legend": {"orientation": "h", "y": 1.12}}
    return go.Figure({"data": data, "layout": layout})
