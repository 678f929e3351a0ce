"""Figures of the triplet-loss page: encodings, the embedding space, training curves, histograms, ROC.

Drawing only: every number comes from ``playground.triplet_loss``. Plotly, no Streamlit here.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from pages._shared import colour

ROLE_COLOURS = {"A": "#1f77b4", "P": "#2ca02c", "N": "#d62728"}  # anchor, positive, negative
SAME_COLOUR, DIFFERENT_COLOUR = "#2ca02c", "#d62728"
KIND_COLOURS = {"hard": "#d62728", "semi-hard": "#ff7f0e", "easy": "#9aa5b1"}
IDENTITY_COLOURS = qualitative.Plotly + qualitative.D3  # 20 distinct colours
SEEN_SYMBOL, UNSEEN_SYMBOL = "circle", "diamond"
HIST_BINS = 60
ROC_POINTS = 400  # points drawn of a ROC curve (it has one per distinct distance)
SMOOTH = 50  # steps in the moving average of the training curves
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def upscale(image: np.ndarray, factor: int = 3) -> np.ndarray:
    """A small uint8 picture (H, W) enlarged by pixel repetition, so each pixel stays visible."""
    return np.kron(image, np.ones((factor, factor), np.uint8))


def encodings_heatmap(rows: np.ndarray, names: list[str]) -> go.Figure:
    """Each encoding (d numbers) as one row of coloured cells: red > 0, blue < 0."""
    limit = float(np.max(np.abs(rows))) or 1.0
    components = list(range(1, rows.shape[1] + 1))  # counted from 1, as on every page
    fig = go.Figure(go.Heatmap(z=rows, x=components, y=names, zmin=-limit, zmax=limit, colorscale=colour.DIVERGING_SCALE,
                               xgap=1, ygap=2, colorbar={"thickness": 10},
                               hovertemplate="%{y}, component %{x}: %{z:.3f}<extra></extra>"))
    fig.update_xaxes(title="component k of the encoding", showgrid=False)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_layout(height=170, margin={"l": 10, "r": 10, "t": 10, "b": 40})
    return fig


def embedding_scatter(points: np.ndarray, labels: np.ndarray, names: dict[int, str], seen: dict[int, bool],
                      triplet: dict[str, int] | None, title: str) -> go.Figure:
    """PCA coordinates (N, 2 or 3) coloured by identity, seen identities as circles, unseen as diamonds.

    Each identity's character is written at the centre of its points. ``triplet`` maps
    "A", "P", "N" to row indices of ``points``; they are ringed and joined A–P (green)
    and A–N (red). A handful of traces in all: building a plotly figure costs per trace.
    """
    three = points.shape[1] == 3
    scatter = go.Scatter3d if three else go.Scatter
    axes = "xyz"[:points.shape[1]]
    order = list(dict.fromkeys(labels.tolist()))
    colour_of = {identity: IDENTITY_COLOURS[k % len(IDENTITY_COLOURS)] for k, identity in enumerate(order)}
    fig = go.Figure()
    for is_seen, symbol, group in ((True, SEEN_SYMBOL, "seen in training"), (False, UNSEEN_SYMBOL, "never seen")):
        rows = np.flatnonzero([seen[int(i)] == is_seen for i in labels])
        if not len(rows):
            continue
        fig.add_trace(scatter(**{a: points[rows, i] for i, a in enumerate(axes)}, mode="markers", name=group,
                              marker={"color": [colour_of[int(i)] for i in labels[rows]], "symbol": symbol,
                                      "size": 5 if three else 9, "line": {"width": 0.5, "color": "white"}},
                              text=[names[int(i)] for i in labels[rows]], hovertemplate="%{text}<extra></extra>"))
    centres = np.array([points[labels == identity].mean(axis=0) for identity in order])
    fig.add_trace(scatter(**{a: centres[:, i] for i, a in enumerate(axes)}, mode="text", showlegend=False,
                          text=[names[i].split(" ")[0] for i in order], hoverinfo="skip",
                          textfont={"size": 18, "color": [colour_of[i] for i in order]}))
    if triplet:
        for role, label in (("P", "A–P"), ("N", "A–N")):
            ends = points[[triplet["A"], triplet[role]]]
            fig.add_trace(scatter(**{a: ends[:, i] for i, a in enumerate(axes)}, mode="lines", name=label,
                                  line={"color": ROLE_COLOURS[role], "width": 4}, hoverinfo="skip"))
        rows = [triplet[r] for r in "APN"]
        fig.add_trace(scatter(**{a: points[rows, i] for i, a in enumerate(axes)}, mode="markers+text",
                              text=list("APN"), showlegend=False, textposition="top center", hoverinfo="skip",
                              textfont={"size": 16, "color": [ROLE_COLOURS[r] for r in "APN"]},
                              marker={"size": 10 if three else 18, "color": "rgba(0,0,0,0)",
                                      "line": {"width": 3, "color": [ROLE_COLOURS[r] for r in "APN"]}}))
    fig.update_layout(title=title, height=520, margin=MARGIN, legend={"font": {"size": 14}})
    if not three:
        fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


CURVE_POINTS = 500  # points drawn per training curve (one per step would be thousands)


def _smoothed(values: np.ndarray, window: int = SMOOTH) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of the moving average over ``window`` steps, thinned to at most CURVE_POINTS points."""
    window = max(1, min(window, len(values)))
    averaged = np.convolve(values, np.ones(window) / window, mode="valid")
    steps = np.arange(window, len(values) + 1)  # step at the end of each window, counted from 1
    keep = np.unique(np.geomspace(1, len(averaged), CURVE_POINTS).astype(int) - 1)  # log axis: dense early
    return steps[keep], averaged[keep]


def training_curves(loss: np.ndarray, active: np.ndarray, kinds: np.ndarray, alpha: float) -> go.Figure:
    """Loss and fraction of active triplets per step, and the batch's hard / semi-hard / easy fractions."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08, subplot_titles=(
        f"loss and fraction of active triplets (moving average of {SMOOTH} steps)",
        f"all triplets of each batch by kind (α = {alpha:g})"))
    for values, name, line in ((loss, "loss (mean over mined triplets)", {"color": "#1f77b4"}),
                               (active, "fraction of mined triplets with loss > 0", {"color": "#ff7f0e", "dash": "dot"})):
        x, y = _smoothed(values)
        fig.add_trace(go.Scatter(x=x, y=y, name=name, line=line), 1, 1)
    for k, kind in enumerate(("hard", "semi-hard", "easy")):
        x, y = _smoothed(kinds[:, k])
        fig.add_trace(go.Scatter(x=x, y=y, name=f"{kind} (share of all)", stackgroup="kinds",
                                 line={"color": KIND_COLOURS[kind], "width": 0.5}), 1, 2)
    fig.update_xaxes(title="training step", type="log")
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    fig.update_layout(height=360, margin=MARGIN, legend={"orientation": "h", "y": -0.25})
    return fig


def distance_histograms(same: np.ndarray, different: np.ndarray, tau: float, squared: bool,
                        title: str, height: int = 330) -> go.Figure:
    """Histograms of same-identity and different-identity pair distances, with the threshold as a line.

    ``same``, ``different`` and ``tau`` are squared distances; with ``squared`` False
    all three are drawn on the non-squared scale (square roots). The counts are
    binned here, so the browser gets 2 × HIST_BINS bars, not every pair.
    """
    scale = (lambda v: v) if squared else np.sqrt
    s, d, line_at = scale(same), scale(different), float(scale(np.float64(tau)))
    top = max(float(s.max(initial=0)), float(d.max(initial=0)), line_at) * 1.02 or 1.0
    edges = np.linspace(0.0, top, HIST_BINS + 1)
    centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    fig = go.Figure()
    for values, name, colour_ in ((s, "same identity", SAME_COLOUR), (d, "different identities", DIFFERENT_COLOUR)):
        counts, _ = np.histogram(values, bins=edges)
        fig.add_trace(go.Bar(x=centres, y=counts, width=width, name=f"{name} ({len(values):,} pairs)", opacity=0.6,
                             marker={"color": colour_, "line": {"width": 0}},
                             hovertemplate="%{y} pairs near %{x:.3f}<extra></extra>"))
    fig.add_vline(x=line_at, line={"color": "black", "dash": "dash"},
                  annotation_text=("τ" if squared else "√τ") + f" = {line_at:.3g}")
    axis = "squared distance ‖f(x_i) − f(x_j)‖²" if squared else "distance ‖f(x_i) − f(x_j)‖ (not squared)"
    fig.update_layout(barmode="overlay", bargap=0, title=title, height=height, margin=MARGIN, xaxis_title=axis,
                      yaxis_title="pairs", legend={"orientation": "h", "y": -0.3})
    return fig


def roc_figure(curves: list[tuple[str, np.ndarray, np.ndarray, float]], point: tuple[float, float] | None) -> go.Figure:
    """ROC curves (name, fpr, tpr, auc) and the operating point (fpr, tpr) at the chosen τ."""
    fig = go.Figure()
    for k, (name, fpr, tpr, auc) in enumerate(curves):
        keep = np.unique(np.linspace(0, len(fpr) - 1, ROC_POINTS).round().astype(int))
        fig.add_trace(go.Scatter(x=fpr[keep], y=tpr[keep], name=f"{name} (AUC {auc:.4f})", mode="lines",
                                 line={"color": IDENTITY_COLOURS[k], "width": 3 if k == 0 else 1.5}))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance (AUC 0.5)",
                             line={"color": "#aaaaaa", "dash": "dot"}))
    if point is not None:
        fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="at τ",
                                 marker={"size": 12, "color": "black", "symbol": "x"}))
    fig.update_layout(title="ROC: every τ at once", height=380, margin=MARGIN,
                      xaxis_title="different pairs called same (false positive rate)",
                      yaxis_title="same pairs called same (true positive rate)", legend={"y": 0.02, "x": 0.35})
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.01])
    return fig
