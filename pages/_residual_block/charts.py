"""Figures for the residual-block page: the block diagram, annotated heatmaps and the experiment's charts.

Drawing only: every value comes from ``playground.residual_block``. Plotly and graphviz DOT, no widgets here;
the figures that change with every control are built as plain data (see :func:`pages._shared.plot.subplot_grid`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pages._shared import plot
from playground.residual_block.block import BlockSteps, CellTerms
from playground.residual_block.depth_record import ActivationStats, TrainingRun

STAGES = (  # (BlockSteps field, panel title, step at which it is computed)
    ("a", "a<sup>[l]</sup>", 0),
    ("z1", "z<sup>[l+1]</sup>", 1),
    ("a1", "a<sup>[l+1]</sup>", 2),
    ("z2", "z<sup>[l+2]</sup>", 3),
    ("shortcut", "shortcut", 4),
    ("a2", "a<sup>[l+2]</sup>", 5),
)
DEPTH_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")
PLAIN_DASH, RESIDUAL_DASH = "dash", "solid"
HIGHLIGHT = "#ffb000"


def _tile(volume: np.ndarray) -> np.ndarray:
    """Channels (C, H, W) stacked top to bottom with a blank row between them → (C·(H+1) − 1, W)."""
    c, h, w = volume.shape
    out = np.full((c * (h + 1) - 1, w), np.nan)
    for k in range(c):
        out[k * (h + 1):k * (h + 1) + h] = volume[k]
    return out


def block_heatmaps(steps: BlockSteps, shortcut_title: str, step: int, cell: tuple[int, int, int]) -> go.Figure:
    """One annotated heatmap per stage, channels stacked; stages after ``step`` left blank.

    Built as plain data on :func:`pages._shared.plot.subplot_grid`: it changes with every
    control of the block, and make_subplots took most of a rerun to lay it out.
    """
    cols = len(STAGES)
    layout = plot.subplot_grid(1, cols, [shortcut_title if f == "shortcut" else t for f, t, _ in STAGES],
                               horizontal_spacing=0.02)
    data, shapes = [], []
    c, i, j = cell
    for col, (field, _, at_step) in enumerate(STAGES, start=1):
        volume = getattr(steps, field)
        z = _tile(volume)
        axes = plot.cell_axes(1, col, cols)
        if at_step <= step:
            bound = max(float(np.nanmax(np.abs(z))), 1e-6)
            data.append({"type": "heatmap", "z": z, "zmin": -bound, "zmax": bound, "colorscale": "RdBu",
                         "reversescale": True, "showscale": False, "texttemplate": "%{z:.3~g}", "textfont": {"size": 11},
                         "hovertemplate": "value %{z:.4g}<extra></extra>", "xgap": 1, "ygap": 1, **axes})
        else:  # not computed yet at this step: grey cells with a question mark
            data.append({"type": "heatmap", "z": np.where(np.isnan(z), np.nan, 0.0),
                         "text": np.where(np.isnan(z), "", "?"), "colorscale": [[0, "#eceff4"], [1, "#eceff4"]],
                         "showscale": False, "texttemplate": "%{text}", "hoverinfo": "skip", "xgap": 1, "ygap": 1,
                         **axes})
        h = volume.shape[1]
        if field == "a" and steps.projection:  # W_s reads pixel (i·s, j·s) of every input channel
            cells = [(k, i * steps.stride, j * steps.stride) for k in range(volume.shape[0])]
        else:
            cells = [(c, i, j)]
        for ck, ci, cj in cells:
            top = ck * (h + 1) + ci
            shapes.append({"type": "rect", "x0": cj - 0.5, "x1": cj + 0.5, "y0": top - 0.5, "y1": top + 0.5,
                           "line": {"color": HIGHLIGHT, "width": 3}, "xref": axes["xaxis"], "yref": axes["yaxis"]})
    plot.each_axis(layout, "y", autorange="reversed", showticklabels=False, showgrid=False, zeroline=False)
    plot.each_axis(layout, "x", showticklabels=False, showgrid=False, zeroline=False)
    rows = max(_tile(steps.a).shape[0], _tile(steps.a2).shape[0])
    layout.update(shapes=shapes, height=60 + 30 * rows, margin={"l": 5, "r": 5, "t": 40, "b": 5})
    return go.Figure({"data": data, "layout": layout})


def block_diagram(steps: BlockSteps, scale: float, step: int, shortcut_label: str, terms: CellTerms,
                  a_value: float) -> str:
    """Graphviz DOT of the block, left to right, each tensor with its shape and the chosen cell's value.

    ``a_value`` is a^[l] at the cell, NaN where the cell has no single a^[l] value (a projection).
    """
    cell_values = {"a": a_value, "z1": terms.z1, "a1": terms.a1, "z2": terms.z2, "a2": terms.a2}
    def shape(v: np.ndarray) -> str:
        return "×".join(str(d) for d in v.shape)

    def node(name: str, field: str, label: str, at_step: int) -> str:
        known = at_step <= step and np.isfinite(cell_values[field])
        value = f"{cell_values[field]:.3g}" if known else ("?" if at_step > step else "–")
        fill = HIGHLIGHT if at_step == step else "#f0f2f6"
        return (f'{name} [shape=box, style="rounded,filled", fillcolor="{fill}", '
                f'label="{label}\\n{shape(getattr(steps, field))}\\ncell: {value}"];')

    stride = f", stride {steps.stride}" if steps.stride > 1 else ""
    skip_style = 'style=solid, color="#d62728", penwidth=2' if steps.skip else 'style=dashed, color="#aaaaaa"'
    skip_label = shortcut_label if steps.skip else "skip off"
    return "\n".join([
        "digraph block {", "rankdir=LR; bgcolor=transparent; node [fontname=Helvetica, fontsize=11];",
        "edge [fontname=Helvetica, fontsize=10];",
        node("a", "a", "a[l]", 0), node("z1", "z1", "z[l+1]", 1), node("a1", "a1", "a[l+1]", 2),
        node("z2", "z2", "z[l+2]", 3), node("a2", "a2", "a[l+2]", 5),
        f'plus [shape=circle, label="+", style=filled, fillcolor="{HIGHLIGHT if step == 4 else "#f0f2f6"}"];',
        f'a -> z1 [label="conv 3×3, p=1{stride}\\nW[l+1], b[l+1]"];',
        'z1 -> a1 [label="g = ReLU"];',
        f'a1 -> z2 [label="conv 3×3, p=1\\n{scale:g}·W[l+2], {scale:g}·b[l+2]"];',
        "z2 -> plus;",
        'plus -> a2 [label="g = ReLU"];',
        f'a -> plus [label="{skip_label}", {skip_style}, constraint=false];',
        "}",
    ])


def training_curves(runs: Sequence[TrainingRun], curve: str, hidden_depths: set[int]) -> go.Figure:
    """Training (left) and validation (right) error vs epoch; plain dashed, residual solid, a colour per depth."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("training error", "validation error"),
                        horizontal_spacing=0.08)
    depths = sorted({r.depth for r in runs})
    for run in runs:
        if run.depth in hidden_depths:
            continue
        colour = DEPTH_COLOURS[depths.index(run.depth) % len(DEPTH_COLOURS)]
        kind = "residual" if run.residual else "plain"
        for col, key in ((1, curve), (2, "val_error")):
            values = run.curves[key]
            fig.add_trace(go.Scatter(
                x=np.arange(1, len(values) + 1), y=100 * values, mode="lines+markers", marker={"size": 4},
                name=f"{kind}-{run.depth}", legendgroup=run.name, showlegend=col == 1,
                line={"color": colour, "dash": RESIDUAL_DASH if run.residual else PLAIN_DASH, "width": 2},
                hovertemplate=f"{kind}-{run.depth}, epoch %{{x}}: %{{y:.1f}}%<extra></extra>"), 1, col)
    fig.update_xaxes(title_text="epoch", dtick=1 if len(runs[0].curves[curve]) <= 20 else None)
    fig.update_yaxes(title_text="error (%)", range=[-2, 100], row=1, col=1)
    fig.update_yaxes(range=[-2, 100], row=1, col=2)
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend={"orientation": "h", "y": -0.2})
    return fig


def gradient_norms(plain: TrainingRun, residual: TrainingRun) -> go.Figure:
    """‖∂L/∂W‖ per layer at initialisation, log scale: with BN (left) and without (right)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08, subplot_titles=(
        "with BN (the nets trained above)", "without BN, PyTorch default init (not trained)"))
    for run in (plain, residual):
        kind = "residual" if run.residual else "plain"
        for col, norms in ((1, run.grad_norms_init), (2, run.grad_norms_init_no_bn)):
            shown = np.where(norms > 0, norms, np.nan)  # exact zeros (underflow) cannot sit on a log axis
            fig.add_trace(go.Scatter(
                x=np.arange(1, len(norms) + 1), y=shown, mode="lines+markers", marker={"size": 4},
                name=f"{kind}-{run.depth}", legendgroup=kind, showlegend=col == 1, customdata=run.layers,
                line={"color": DEPTH_COLOURS[3 if run.residual else 1],
                      "dash": RESIDUAL_DASH if run.residual else PLAIN_DASH},
                hovertemplate=f"{kind}: layer %{{x}} (%{{customdata}}) ‖∂L/∂W‖ = %{{y:.3g}}<extra></extra>"), 1, col)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_yaxes(title_text="‖∂L/∂W‖ at initialisation", row=1, col=1)
    fig.update_xaxes(title_text="layer (1 = first conv, input side)")
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend={"orientation": "h", "y": -0.25})
    return fig


def probabilities(plain: np.ndarray, residual: np.ndarray, depth: int) -> go.Figure:
    """Class probabilities (10,) of the plain and the residual net for one digit."""
    data = [{"type": "bar", "x": list(range(10)), "y": 100 * probs, "name": f"{kind}-{depth}", "marker": {"color": colour},
             "hovertemplate": f"{kind}: digit %{{x}} %{{y:.1f}}%<extra></extra>"}
            for probs, kind, colour in ((plain, "plain", DEPTH_COLOURS[1]), (residual, "residual", DEPTH_COLOURS[3]))]
    return go.Figure({"data": data, "layout": {
        "barmode": "group", "height": 260, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "xaxis": {"title": {"text": "digit"}, "dtick": 1},
        "yaxis": {"title": {"text": "probability (%)"}, "range": [0, 100]},
        "title": {"text": "what each net says", "font": {"size": 13}}}})


def activation_profile(plain: ActivationStats, residual: ActivationStats) -> go.Figure:
    """Mean and standard deviation of a[k] through depth for one digit."""
    layout = plot.subplot_grid(1, 2, ("mean of a[k]", "std of a[k]"), horizontal_spacing=0.1)
    data = []
    for stats, kind, colour, dash in ((plain, "plain", DEPTH_COLOURS[1], PLAIN_DASH),
                                      (residual, "residual", DEPTH_COLOURS[3], RESIDUAL_DASH)):
        for col, values in ((1, stats.mean), (2, stats.std)):
            data.append({"type": "scatter", "x": np.arange(len(values)), "y": values, "mode": "lines+markers",
                         "marker": {"size": 4}, "name": kind, "legendgroup": kind, "showlegend": col == 1,
                         "line": {"color": colour, "dash": dash},
                         "hovertemplate": f"{kind}: a[%{{x}}] %{{y:.3g}}<extra></extra>", **plot.cell_axes(1, col, 2)})
    plot.each_axis(layout, "x", title={"text": "block k (0 = after the stem)"})
    layout.update(height=280, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"orientation": "h", "y": -0.3})
    return go.Figure({"data": data, "layout": layout})


def numpy_rerun(plain: np.ndarray, residual: np.ndarray, depth: int) -> go.Figure:
    """Training error per epoch of the numpy re-run."""
    data = [{"type": "scatter", "x": np.arange(1, len(values) + 1), "y": 100 * values, "name": f"{kind}-{depth}",
             "mode": "lines+markers", "line": {"color": colour, "dash": dash}}
            for values, kind, colour, dash in ((plain, "plain", DEPTH_COLOURS[1], PLAIN_DASH),
                                               (residual, "residual", DEPTH_COLOURS[3], RESIDUAL_DASH))]
    return go.Figure({"data": data, "layout": {
        "height": 260, "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "xaxis": {"title": {"text": "epoch"}, "dtick": 1},
        "yaxis": {"title": {"text": "training error (%)"}, "range": [-2, 100]}}})
