"""Pictures for the cheap-networks page: plotly figures as plain dicts, and activation maps as RGB arrays.

No widgets and no math of their own: every number drawn comes from
``playground.efficient_convnets``; colours from :mod:`pages._shared.colour`.
"""

from __future__ import annotations

import numpy as np

from pages._shared import colour
from playground.efficient_convnets import Design, ScalingRow
from playground.efficient_convnets.timing import ModelTiming, SeparableComparison

BLUE, ORANGE, GREY = "#2563eb", "#f59e0b", "#9ca3af"
MIN_TILE = 56  # pixels per side of one channel in a mosaic (small maps are enlarged, nearest neighbour)
GAP = 2  # pixels between mosaic tiles


def _layout(title: str, height: int = 320, **extra) -> dict:
    return {"title": {"text": title, "font": {"size": 14}}, "height": height,
            "margin": {"l": 60, "r": 10, "t": 40, "b": 50}, "legend": {"orientation": "h", "y": -0.2},
            "plot_bgcolor": "white", **extra}


def branch_costs(branches: tuple[Design, ...], other: tuple[Design, ...], bottleneck: bool) -> dict:
    """Multiplications per Inception branch, with and without the 1×1 bottlenecks."""
    with_b, without_b = (branches, other) if bottleneck else (other, branches)
    names = [b.name for b in with_b]
    return {"data": [
        {"type": "bar", "name": "with bottlenecks", "x": names, "y": [b.macs for b in with_b], "marker": {"color": BLUE}},
        {"type": "bar", "name": "without (naive module)", "x": names, "y": [b.macs for b in without_b],
         "marker": {"color": ORANGE}}],
        "layout": _layout("Multiplications per branch", barmode="group",
                          yaxis={"title": {"text": "multiplications"}, "gridcolor": "#e5e7eb"})}


def scaling_sides(rows: list[ScalingRow], base: int) -> dict:
    """Input side asked for by γ^φ·224 against the published B0–B7 input sizes."""
    phis = [r.phi for r in rows]
    return {"data": [
        {"type": "scatter", "mode": "lines+markers", "name": f"γ^φ·{base}", "x": phis, "y": [r.side for r in rows],
         "line": {"color": BLUE}},
        {"type": "scatter", "mode": "lines+markers", "name": "published B0–B7", "x": phis,
         "y": [r.published.resolution for r in rows], "line": {"color": ORANGE},
         "text": [r.published.name for r in rows]}],
        "layout": _layout("Input side: formula against the released models",
                          xaxis={"title": {"text": "φ (B-number)"}, "dtick": 1},
                          yaxis={"title": {"text": "pixels"}, "gridcolor": "#e5e7eb"})}


def kind_shares(timing: ModelTiming, kinds: list[str]) -> dict:
    """Share of the multiplications against share of the measured time, per kind of node."""
    rows = [timing.kind(k) for k in kinds]
    labels = [r.label for r in rows]
    total_macs, total_ms = timing.macs, timing.kernels_ms
    return {"data": [
        {"type": "bar", "orientation": "h", "name": "share of the multiplications", "y": labels,
         "x": [100 * r.macs / total_macs for r in rows], "marker": {"color": BLUE}},
        {"type": "bar", "orientation": "h", "name": "share of the measured time", "y": labels,
         "x": [100 * r.time_ms / total_ms for r in rows], "marker": {"color": ORANGE}}],
        "layout": _layout("Where the multiplications are, and where the time goes", 360, barmode="group",
                          xaxis={"title": {"text": "% of the model"}, "gridcolor": "#e5e7eb"},
                          yaxis={"autorange": "reversed"}, margin={"l": 240, "r": 10, "t": 40, "b": 50})}


def kind_speeds(timing: ModelTiming, kinds: list[str]) -> dict:
    """Achieved GFLOP/s per kind of convolution."""
    rows = [timing.kind(k) for k in kinds if timing.kind(k).gflops]
    return {"data": [{"type": "bar", "orientation": "h", "y": [r.label for r in rows], "x": [r.gflops for r in rows],
                      "marker": {"color": [ORANGE if r.kind == "depthwise" else BLUE for r in rows]},
                      "text": [f"{r.gflops:.0f}" for r in rows], "textposition": "outside"}],
            "layout": _layout("Achieved GFLOP/s (2 × multiply-adds ÷ time)", 300,
                              xaxis={"title": {"text": "GFLOP/s"}, "gridcolor": "#e5e7eb",
                                     "range": [0, 1.15 * max((r.gflops for r in rows), default=1)]},
                              yaxis={"autorange": "reversed"}, margin={"l": 240, "r": 30, "t": 40, "b": 50})}


def speedups(comparison: SeparableComparison) -> dict:
    """Per block: the speed-up 1/(1/n_C' + 1/f²) promises, and the one measured."""
    blocks = [f"block {r.block}" for r in comparison.rows]
    return {"data": [
        {"type": "bar", "name": "in multiplications: 1 / (1/n_C' + 1/f²)", "x": blocks,
         "y": [r.theory_speedup for r in comparison.rows], "marker": {"color": BLUE}},
        {"type": "bar", "name": "measured: normal time ÷ (depthwise + pointwise time)", "x": blocks,
         "y": [r.measured_speedup for r in comparison.rows], "marker": {"color": ORANGE}}],
        "layout": _layout("How much faster than a normal 3×3 conv of the same shape", 340, barmode="group",
                          yaxis={"title": {"text": "× faster"}, "gridcolor": "#e5e7eb"})}


def projection_weights(weights: np.ndarray, j: int, chosen: int) -> dict:
    """The 1×1 weights that make output channel j (1-based in the labels) from the depthwise channels."""
    channels = list(range(1, len(weights) + 1))
    colours = [ORANGE if c - 1 == chosen else (BLUE if w >= 0 else GREY) for c, w in zip(channels, weights)]
    return {"data": [{"type": "bar", "x": channels, "y": weights.tolist(), "marker": {"color": colours}}],
            "layout": _layout(f"Projection weights of output channel {j + 1}: one per depthwise channel", 260,
                              xaxis={"title": {"text": "depthwise channel"}},
                              yaxis={"title": {"text": "weight"}, "gridcolor": "#e5e7eb"})}


def enlarge(rgb: np.ndarray, min_side: int = MIN_TILE) -> np.ndarray:
    """An (H, W, 3) picture repeated pixel by pixel until its shorter side is at least ``min_side``."""
    factor = max(1, -(-min_side // min(rgb.shape[:2])))
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1)


def channel_picture(values: np.ndarray, signed: bool) -> np.ndarray:
    """One channel (H, W) as an RGB picture: grey for ReLU6 outputs (0 black), diverging for signed ones."""
    rgb = colour.diverging_rgb(values) if signed else colour.gray_rgb(values)
    return enlarge(rgb)


def mosaic(maps: np.ndarray, count: int, signed: bool, columns: int = 4) -> np.ndarray:
    """The first ``count`` channels of (C, H, W) maps, each coloured on its own scale, tiled ``columns`` wide."""
    tiles = [channel_picture(m, signed) for m in maps[:count]]
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    canvas = np.full((rows * (h + GAP) - GAP, columns * (w + GAP) - GAP, 3), 255, np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        canvas[r * (h + GAP):r * (h + GAP) + h, c * (w + GAP):c * (w + GAP) + w] = tile
    return canvas
