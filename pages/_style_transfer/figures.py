"""Figures for the style page, as plain plotly dicts: Gram heat maps, costs per layer, costs per iteration.

Drawing only; every number comes from ``playground.style_transfer`` through the page's sections.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pages._shared import colour
from pages._shared import format as fmt
from playground.style_transfer import LAYERS

GRAM_PX = 288  # Gram pictures are about this many pixels wide (entries ≥ 0, ReLU6 outputs: a sequential scale)
COST_COLOURS = {"J": "#333333", "J_content": "#1f77b4", "J_style": "#d62728", "J_tv": "#7f7f7f"}


def gram_picture(gram: np.ndarray, channels: int, high: float, side: int = GRAM_PX) -> np.ndarray:
    """The first ``channels`` × ``channels`` entries of a Gram matrix as a picture, (side', side', 3) uint8.

    Colour follows √G (a few channels dominate a Gram matrix; on a linear scale the rest would be one
    colour): 0 is dark purple and ``high`` yellow (Viridis). Each entry is a square of pixels, so the
    picture is a heat map drawn cheaply (a plotly heat map of 64 × 64 cells costs tens of ms per rerun).
    """
    cells = np.sqrt(np.clip(np.asarray(gram, np.float64)[:channels, :channels], 0, None))
    scale = max(1, side // max(channels, 1))
    return np.kron(colour.sequential_rgb(cells, np.sqrt(max(high, 0.0))), np.ones((scale, scale, 1), np.uint8))


def colour_bar(width: int = GRAM_PX, height: int = 12) -> np.ndarray:
    """The Gram pictures' legend: 0 on the left to the largest value on the right, (height, width, 3) uint8."""
    return colour.sequential_rgb(np.tile(np.linspace(0, 1, width), (height, 1)), 1.0)


def layer_costs(per_layer: dict[str, float], weights: dict[str, float]) -> dict:
    """J_style^[l] per layer (bars) and λ^[l] J_style^[l] (bars), on a log scale."""
    names = list(per_layer)
    x = [LAYERS[n].short for n in names]
    raw = [max(per_layer[n], 1e-30) for n in names]
    weighted = [max(weights[n] * per_layer[n], 1e-30) for n in names]
    return {"data": [{"type": "bar", "x": x, "y": raw, "name": "J_style^[l]", "marker": {"color": "#d62728"},
                      "hovertemplate": "%{x}: %{y:.3g}<extra>J_style^[l]</extra>"},
                     {"type": "bar", "x": x, "y": weighted, "name": "λ^[l] · J_style^[l]",
                      "marker": {"color": "#ff9896"},
                      "hovertemplate": "%{x}: %{y:.3g}<extra>λ · J_style^[l]</extra>"}],
            "layout": {"height": 260, "barmode": "group", "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
                       "yaxis": {"type": "log", "title": {"text": "cost"}}, "legend": {"orientation": "h", "y": 1.15}}}


def cost_curves(iterations: Sequence[int], series: dict[str, Sequence[float]], total: int) -> dict:
    """J, α·J_content, β·J_style and the TV term per iteration (log y), x up to the planned ``total``."""
    labels = {"J": "J", "J_content": "α · J_content", "J_style": "β · J_style", "J_tv": "TV weight · J_TV"}
    data = [{"type": "scatter", "mode": "lines", "x": list(iterations), "y": [max(v, 1e-30) for v in values],
             "name": labels[name], "line": {"color": COST_COLOURS[name], "width": 3 if name == "J" else 2},
             "hovertemplate": f"iteration %{{x}}: %{{y:.4g}}<extra>{labels[name]}</extra>"}
            for name, values in series.items()]
    return {"data": data, "layout": {"height": 300, "margin": {"l": 55, "r": 10, "t": 10, "b": 40},
                                     "xaxis": {"title": {"text": "iteration"}, "range": [0, max(total, 1)]},
                                     "yaxis": {"type": "log", "title": {"text": "cost (weighted)"}},
                                     "legend": {"orientation": "h", "y": 1.15}}}


def cost_table(rows: Sequence[tuple[str, float, float]], what: tuple[str, str]) -> list[dict]:
    """Rows (label, value 1, value 2) as table rows, numbers written by ``fmt``."""
    return [{"": label, what[0]: fmt.num(a, 3), what[1]: fmt.num(b, 3)} for label, a, b in rows]
