"""Pictures and formula text for the padding & stride page (no widgets, no math of its own).

Figures are built as plain dicts (about 8× quicker than graph objects);
:func:`pages._shared.plot.shared` validates each one once, as a plotly Figure, and keeps
it for every visitor who asks for the same settings (``st.plotly_chart`` would validate
a dict again on every rerun).
"""

from __future__ import annotations

import numpy as np

from pages._shared import plot
from playground.conv_shape import Axis

MAX_DRAWN_SIDE = 40  # padded cells per side above which the grid is not drawn (cells get too small)
MAX_TEXT_SIDE = 20  # cells per side above which counts are not written in the cells

# Cell colours of the window picture: padding, input, input nobody reads, window on input, window on padding
_CELL_COLOURS = ["#d1d5db", "#eef2ff", "#fca5a5", "#f59e0b", "#fcd34d"]
PAD, INPUT, UNREAD, WINDOW_INPUT, WINDOW_PAD = range(5)


def _discrete_scale(colours: list[str]) -> list[list]:
    """A colorscale mapping integers 0…len−1 to flat colours."""
    n = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    return scale


def _labels(axis: Axis) -> list[int]:
    """1-based input index of each padded cell: padding before is ≤ 0, padding after is > n."""
    return list(range(1 - axis.pad_before, axis.n + axis.pad_after + 1))


def _grid_layout(title: str, height: int, x_title: str = "input column", y_title: str = "input row",
                 side: int = 0) -> dict:
    """Square cells, row 1 at the top, a tick on every cell when there are at most 12 a side."""
    tick = {"dtick": 1} if side <= 12 else {}
    return {"title": {"text": title, "font": {"size": 14}}, "height": height,
            "margin": {"l": 50, "r": 10, "t": 40, "b": 40},
            "xaxis": {"title": {"text": x_title}, "constrain": "domain", "showgrid": False, "zeroline": False, **tick},
            "yaxis": {"title": {"text": y_title}, "autorange": "reversed", "scaleanchor": "x",
                      "constrain": "domain", "showgrid": False, "zeroline": False, **tick},
            "plot_bgcolor": "white"}


def drawable(rows: Axis, cols: Axis) -> bool:
    """Whether the padded grid is small enough to draw cell by cell."""
    return max(rows.padded, cols.padded) <= MAX_DRAWN_SIDE


@plot.shared
def window_figure(rows: Axis, cols: Axis, i: int, j: int) -> dict:
    """The padded input with the taps read by output cell (i, j) (0-based) highlighted."""
    in_r, in_c = rows.is_input(), cols.is_input()
    read_r, read_c = rows.usage() > 0, cols.usage() > 0
    is_input = np.outer(in_r, in_c)
    cells = np.where(is_input, INPUT, PAD)
    cells[is_input & ~np.outer(read_r, read_c)] = UNREAD
    tap_r, tap_c = rows.taps(i), cols.taps(j)
    window = np.zeros_like(is_input)
    window[np.ix_(tap_r, tap_c)] = True
    cells[window] = np.where(is_input[window], WINDOW_INPUT, WINDOW_PAD)
    x, y = _labels(cols), _labels(rows)
    kind = np.array(["padding", "input", "input, never read", "window (input)", "window (padding)"])
    heat = {"type": "heatmap", "x": x, "y": y, "z": cells.tolist(), "zmin": -0.5, "zmax": 4.5,
            "colorscale": _discrete_scale(_CELL_COLOURS), "showscale": False, "xgap": 1, "ygap": 1,
            "customdata": kind[cells].tolist(),
            "hovertemplate": "row %{y}, column %{x}: %{customdata}<extra></extra>"}
    r0, c0 = y[tap_r[0]], x[tap_c[0]]
    frame = {"type": "rect", "x0": c0 - 0.5, "x1": c0 + cols.f_eff - 0.5, "y0": r0 - 0.5,
             "y1": r0 + rows.f_eff - 0.5, "line": {"color": "#b45309", "width": 3}}
    border = {"type": "rect", "x0": 0.5, "x1": cols.n + 0.5, "y0": 0.5, "y1": rows.n + 0.5,
              "line": {"color": "#1e3a8a", "width": 2}}
    layout = _grid_layout(f"Padded input {rows.padded}×{cols.padded}: window of output ({i + 1}, {j + 1})",
                          height=min(520, 160 + 24 * rows.padded), side=max(rows.padded, cols.padded))
    layout["shapes"] = [border, frame]
    return {"data": [heat], "layout": layout}


@plot.shared
def output_figure(out_h: int, out_w: int, i: int, j: int) -> dict:
    """The output grid with cell (i, j) (0-based) highlighted."""
    z = np.zeros((out_h, out_w), dtype=int)
    z[i, j] = 1
    heat = {"type": "heatmap", "x": list(range(1, out_w + 1)), "y": list(range(1, out_h + 1)),
            "z": z.tolist(), "zmin": 0, "zmax": 1, "colorscale": [[0, "#eef2ff"], [1, "#f59e0b"]],
            "showscale": False, "xgap": 1, "ygap": 1,
            "hovertemplate": "output row %{y}, column %{x}<extra></extra>"}
    layout = _grid_layout(f"Output {out_h}×{out_w}", height=min(520, 160 + 24 * max(out_h, 4)),
                          x_title="output column", y_title="output row", side=max(out_h, out_w))
    return {"data": [heat], "layout": layout}


@plot.shared
def usage_figure(rows: Axis, cols: Axis, counts: np.ndarray) -> dict:
    """``counts`` (padded_H, padded_W), the usage grid of ``rows`` × ``cols``: padding in grey, unread input in red."""
    is_input = np.outer(rows.is_input(), cols.is_input())
    x, y = _labels(cols), _labels(rows)
    show_text = max(rows.padded, cols.padded) <= MAX_TEXT_SIDE
    on_input = np.where(is_input, counts, np.nan)
    on_pad = np.where(is_input, np.nan, counts)
    unread = np.where(is_input & (counts == 0), 0.0, np.nan)

    def heat(z, scale, name, **extra):
        trace = {"type": "heatmap", "x": x, "y": y, "z": np.where(np.isnan(z), None, z).tolist(),
                 "colorscale": scale, "showscale": False, "xgap": 1, "ygap": 1, "name": name,
                 "hovertemplate": f"row %{{y}}, column %{{x}} ({name}): read %{{z}} times<extra></extra>"}
        if show_text:
            trace.update(texttemplate="%{z}", textfont={"size": 11})
        trace.update(extra)
        return trace

    top = int(counts.max()) + 1  # the busiest cell dark, but not black
    data = [heat(on_input, [[0, "#eff6ff"], [1, "#1d4ed8"]], "input", zmin=0, zmax=top),
            heat(on_pad, [[0, "#f3f4f6"], [1, "#9ca3af"]], "padding", zmin=0, zmax=top)]
    if not np.isnan(unread).all():
        data.append(heat(unread, [[0, "#fca5a5"], [1, "#fca5a5"]], "input, never read", zmin=0, zmax=1,
                         hovertemplate="row %{y}, column %{x}: never read<extra></extra>"))
    layout = _grid_layout("How many windows read each cell", height=min(520, 160 + 24 * rows.padded),
                          side=max(rows.padded, cols.padded))
    return {"data": data, "layout": layout}


@plot.shared
def overlap_figure(counts_h: np.ndarray, counts_w: np.ndarray, shown: int = 16) -> dict:
    """Transposed convolution: how many input cells' stamps land on each output cell (top-left corner)."""
    counts = np.outer(counts_h[:shown], counts_w[:shown])
    heat = {"type": "heatmap", "z": counts.tolist(), "x": list(range(1, counts.shape[1] + 1)),
            "y": list(range(1, counts.shape[0] + 1)), "colorscale": "Oranges", "showscale": False,
            "zmin": 0, "zmax": max(int(counts.max()), 1) * 1.5,
            "xgap": 1, "ygap": 1, "texttemplate": "%{z}", "textfont": {"size": 10},
            "hovertemplate": "output row %{y}, column %{x}: %{z} stamps<extra></extra>"}
    title = f"Stamps per output cell (top-left {counts.shape[0]}×{counts.shape[1]})"
    return {"data": [heat], "layout": _grid_layout(title, 420, "output column", "output row",
                                                             side=max(counts.shape))}


@plot.shared
def network_figure(input_shape: tuple[int, int, int], rows: list[dict]) -> dict:
    """Per layer: activation size and parameters (bars, log scale) above n_H, n_W, n_C (lines)."""
    names = ["input"] + [f"{k + 1}. {r['kind']}" for k, r in enumerate(rows)]
    shapes = [input_shape] + [r["output_shape"] for r in rows]
    act = [input_shape[0] * input_shape[1] * input_shape[2]] + [r["activation_size"] for r in rows]
    params = [0] + [r["params"] for r in rows]
    bar = {"type": "bar", "x": names, "xaxis": "x", "yaxis": "y"}
    line = {"type": "scatter", "mode": "lines+markers", "x": names, "xaxis": "x", "yaxis": "y2"}
    data = [
        dict(bar, y=act, name="activation size n_H·n_W·n_C", marker={"color": "#2563eb"}),
        dict(bar, y=[p or None for p in params], name="parameters", marker={"color": "#f59e0b"}),
        dict(line, y=[s[0] for s in shapes], name="n_H", line={"color": "#059669"}),
        dict(line, y=[s[1] for s in shapes], name="n_W", line={"color": "#059669", "dash": "dot"}),
        dict(line, y=[s[2] for s in shapes], name="n_C", line={"color": "#7c3aed"}),
    ]
    layout = {"height": 520, "barmode": "group", "margin": {"l": 60, "r": 10, "t": 30, "b": 80},
              "legend": {"orientation": "h", "y": 1.08},
              "xaxis": {"anchor": "y2", "tickangle": -45},
              "yaxis": {"domain": [0.45, 1.0], "type": "log", "dtick": 1, "tickformat": "~s",
                        "title": {"text": "count (log scale)"}},
              "yaxis2": {"domain": [0.0, 0.35], "type": "log", "dtick": 1, "tickformat": "~s",
                         "title": {"text": "n_H, n_W, n_C"}}}
    return {"data": data, "layout": layout}


# ---------------------------------------------------------------- formulas with the learner's numbers
def _floor_frac(num: int, s: int) -> str:
    if num % s == 0 or s == 1:
        return f"{num // s}"
    return rf"\left\lfloor \tfrac{{{num}}}{{{s}}} \right\rfloor"


def size_latex(rows: Axis, cols: Axis) -> str:
    """n^[l] = ⌊(n + 2p − f)/s⌋ + 1, then n_H and n_W with the learner's numbers (KaTeX ``aligned``)."""
    f_sym = "f" if rows.dilation == 1 else r"f_{\text{eff}}"
    symmetric = rows.pad_before == rows.pad_after and cols.pad_before == cols.pad_after
    general = "2p" if symmetric else r"p_{\text{before}} + p_{\text{after}}"
    lines = [rf"n^{{[l]}} &= \left\lfloor \frac{{n^{{[l-1]}} + {general} - {f_sym}}}{{s}} \right\rfloor + 1"]
    for symbol, axis in (("H", rows), ("W", cols)):
        pad = (rf"2\cdot {axis.pad_before}" if symmetric else f"{axis.pad_before} + {axis.pad_after}")
        num = axis.padded - axis.f_eff
        lines.append(rf"n_{symbol}^{{[l]}} &= \left\lfloor \frac{{{axis.n} + {pad} - {axis.f_eff}}}{{{axis.s}}} "
                     rf"\right\rfloor + 1 = {_floor_frac(num, axis.s)} + 1 = {axis.out}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def dilation_latex(axis: Axis) -> str:
    """f_eff = d·(f − 1) + 1 with numbers."""
    return (rf"f_{{\text{{eff}}}} = d\,(f - 1) + 1 = {axis.dilation}\cdot({axis.f} - 1) + 1 = {axis.f_eff}")


def params_latex(f: int, n_c: int, k: int, params: int) -> str:
    return rf"\text{{parameters}} = (f \cdot f \cdot n_C + 1)\cdot k = ({f}\cdot {f}\cdot {n_c} + 1)\cdot {k} = {params:,}"


def macs_latex(out_h: int, out_w: int, f: int, n_c: int, k: int, macs: int) -> str:
    return (rf"\text{{multiplications}} = n_H^{{[l]}} n_W^{{[l]}} k \cdot f f n_C = "
            rf"{out_h}\cdot {out_w}\cdot {k}\cdot({f}\cdot {f}\cdot {n_c}) = {macs:,}")
