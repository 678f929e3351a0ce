"""Pictures for the anchor-boxes page: scenes with their grid and boxes, windows, anchors, heat maps.

Scenes are drawn with Pillow onto an enlarged copy of the image (sharp grid
lines, cheap to send as PNG); charts are plotly dicts. The numbers all come
from ``playground.anchor_boxes``.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CLASS_RGB = ((0, 210, 255), (255, 214, 0), (255, 90, 210))  # outline colour per class: ellipse, rectangle, triangle
GRID_RGB = (235, 235, 235)
HIGHLIGHT_RGB = (80, 255, 120)  # the chosen cell, window or slot
FONT = ImageFont.load_default(size=13)  # Pillow's bundled font: nothing fetched


def zoom_for(size: int, target: int = 420) -> int:
    """Whole-number enlargement that brings a size-pixel image near ``target`` pixels."""
    return max(1, round(target / size))


def _canvas(image: np.ndarray, zoom: int) -> Image.Image:
    """The image enlarged zoom times, each pixel a sharp square."""
    picture = Image.fromarray((np.clip(image, 0, 1) * 255).round().astype(np.uint8))
    return picture.resize((picture.width * zoom, picture.height * zoom), Image.Resampling.NEAREST).convert("RGBA")


def _grid(draw: ImageDraw.ImageDraw, rows: int, cols: int, width: int, height: int) -> None:
    for k in range(1, cols):
        x = round(k * width / cols)
        draw.line([(x, 0), (x, height)], fill=GRID_RGB + (150,), width=1)
    for k in range(1, rows):
        y = round(k * height / rows)
        draw.line([(0, y), (width, y)], fill=GRID_RGB + (150,), width=1)


def scene_picture(image: np.ndarray, boxes: np.ndarray, classes: np.ndarray, grid: tuple[int, int] | None = None,
                  labels: list[str] | None = None, cell: tuple[int, int] | None = None,
                  dashed: set[int] | None = None) -> np.ndarray:
    """The scene enlarged, with the S×S grid, each ground-truth box, its midpoint and its number.

    Parameters
    ----------
    image : (H, W, 3) floats in 0–1
    boxes : (M, 4) corners in 0–1 image units
    classes : (M,) int
    grid : (rows, cols), optional
        Draw an S_h × S_w grid.
    labels : list of str, optional
        Text beside each box (default: its number counted from 1).
    cell : (row, col), optional
        A cell to outline (counted from 0).
    dashed : set of int, optional
        Boxes to draw thin (e.g. objects left out of the target).

    Returns
    -------
    (H·z, W·z, 3) uint8
    """
    zoom = zoom_for(image.shape[1])
    canvas = _canvas(image, zoom)
    overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    width, height = canvas.size
    if grid is not None:
        _grid(draw, grid[0], grid[1], width, height)
        if cell is not None:
            r, c = cell
            x0, x1 = round(c * width / grid[1]), round((c + 1) * width / grid[1])
            y0, y1 = round(r * height / grid[0]), round((r + 1) * height / grid[0])
            draw.rectangle([x0, y0, x1, y1], outline=HIGHLIGHT_RGB + (255,), width=3)
    for i, (box, cls) in enumerate(zip(boxes, classes)):
        x1, y1, x2, y2 = box[0] * width, box[1] * height, box[2] * width, box[3] * height
        colour = CLASS_RGB[int(cls)] + (255,)
        draw.rectangle([x1, y1, x2, y2], outline=colour, width=1 if dashed and i in dashed else 2)
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        draw.ellipse([mx - 4, my - 4, mx + 4, my + 4], fill=colour, outline=(0, 0, 0, 255))
        text = labels[i] if labels else str(i + 1)
        draw.text((x1 + 3, y1 + 1), text, fill=colour, font=FONT, stroke_width=2, stroke_fill=(0, 0, 0, 255))
    return np.asarray(Image.alpha_composite(canvas, overlay).convert("RGB"))


def boxes_picture(image: np.ndarray, boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray,
                  grid: tuple[int, int], chosen: int | None = None) -> np.ndarray:
    """Every predicted box, its outline as opaque as its score p_c·c_i, the chosen slot's box in green."""
    zoom = zoom_for(image.shape[1])
    canvas = _canvas(image, zoom)
    overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    width, height = canvas.size
    _grid(draw, grid[0], grid[1], width, height)
    for k in np.argsort(scores, kind="stable"):  # the most confident drawn last, on top
        x1, y1, x2, y2 = boxes[k, 0] * width, boxes[k, 1] * height, boxes[k, 2] * width, boxes[k, 3] * height
        alpha = int(round(40 + 215 * float(scores[k]))) if scores[k] > 0.02 else 18
        draw.rectangle([x1, y1, x2, y2], outline=CLASS_RGB[int(classes[k])] + (alpha,), width=2 if scores[k] > 0.5 else 1)
    if chosen is not None:
        x1, y1, x2, y2 = (boxes[chosen] * [width, height, width, height]).tolist()
        draw.rectangle([x1, y1, x2, y2], outline=HIGHLIGHT_RGB + (255,), width=3)
    return np.asarray(Image.alpha_composite(canvas, overlay).convert("RGB"))


def windows_picture(image: np.ndarray, origins: np.ndarray, crop: int, chosen: tuple[int, int]) -> np.ndarray:
    """The sliding-window image with the first window's neighbours faint and the chosen window outlined."""
    zoom = zoom_for(image.shape[1], 360)
    canvas = _canvas(image, zoom)
    overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for r in origins:  # a dot at every window's centre
        for c in origins:
            x, y = (c + crop / 2) * zoom, (r + crop / 2) * zoom
            draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=GRID_RGB + (200,))
    i, j = chosen
    r, c = origins[i], origins[j]
    draw.rectangle([c * zoom, r * zoom, (c + crop) * zoom - 1, (r + crop) * zoom - 1], outline=HIGHLIGHT_RGB + (255,),
                   width=3)
    return np.asarray(Image.alpha_composite(canvas, overlay).convert("RGB"))


def crop_picture(crop_chw: np.ndarray) -> np.ndarray:
    """One (3, 14, 14) crop, enlarged."""
    return np.asarray(_canvas(crop_chw.transpose(1, 2, 0), 10).convert("RGB"))


def _discrete_scale(colours: list[str]) -> list[list]:
    """A plotly colour scale giving integer k of 0 … K − 1 (with zmin −0.5, zmax K − 0.5) the colour colours[k]."""
    k = len(colours)
    return [pair for i, c in enumerate(colours) for pair in ([i / k, c], [(i + 1) / k, c])]


def class_map(probs: np.ndarray, names: tuple[str, ...], title: str, chosen: tuple[int, int]) -> dict:
    """A G×G heat map of each window's most likely class, with its letter and probability on hover."""
    g = probs.shape[0]
    best = probs.argmax(axis=2)
    text = [[names[best[i, j]][0].upper() if best[i, j] else "·" for j in range(g)] for i in range(g)]
    hover = [[f"window ({i + 1}, {j + 1}): " + ", ".join(f"{n} {probs[i, j, k]:.3f}" for k, n in enumerate(names))
              for j in range(g)] for i in range(g)]
    colours = ["#2a2a2a"] + [f"rgb{rgb}" for rgb in CLASS_RGB]
    heat = {"type": "heatmap", "z": best.tolist(), "zmin": -0.5, "zmax": len(names) - 0.5, "showscale": False,
            "colorscale": _discrete_scale(colours), "text": text, "texttemplate": "%{text}",
            "textfont": {"color": "black"}, "hovertext": hover, "hoverinfo": "text",
            "x": list(range(1, g + 1)), "y": list(range(1, g + 1)), "xgap": 1, "ygap": 1}
    i, j = chosen
    box = {"type": "rect", "x0": j + 0.5, "x1": j + 1.5, "y0": i + 0.5, "y1": i + 1.5,
           "line": {"color": "rgb" + str(HIGHLIGHT_RGB), "width": 3}}
    tick = 1 if g <= 10 else (2 if g <= 20 else 4)
    return {"data": [heat], "layout": {
        "title": {"text": title, "font": {"size": 14}}, "height": 340, "margin": {"l": 30, "r": 10, "t": 60, "b": 10},
        "yaxis": {"range": [g + 0.5, 0.5], "scaleanchor": "x", "dtick": tick},
        "xaxis": {"range": [0.5, g + 0.5], "dtick": tick, "side": "top"}, "shapes": [box]}}


def conversion_figure(fc_shapes, conv_shapes, n: int) -> dict:
    """The FC classifier on 14×14 and the converted one on n×n, each layer a block sized by its volume."""
    shapes, notes = [], []
    rows = (("with FC layers: one 14×14×3 crop", [(14, 14, 3)] + [s.out for s in fc_shapes], fc_shapes, 1.0),
            (f"converted to convolutions: the {n}×{n}×3 image at once", [(n, n, 3)] + [s.out for s in conv_shapes],
             conv_shapes, -0.35))
    biggest = max(n, 14)
    for label, volumes, layer_shapes, y in rows:
        notes.append({"x": -0.45, "y": y + 0.5, "text": f"<b>{label}</b>", "showarrow": False, "xanchor": "left",
                      "font": {"size": 13}})
        for k, (h, w, c) in enumerate(volumes):
            side = 0.06 + 0.26 * h / biggest  # block height ∝ spatial size
            depth = 0.06 + 0.08 * np.log10(max(c, 1))  # block width grows with the channels, on a log scale
            x = k * 1.0
            kinds = [s.layer.kind for s in layer_shapes[:k]]  # the layers up to this block
            flat = "fc" in kinds  # after an FC layer the volume is a flat vector of units
            shapes.append({"type": "rect", "x0": x - depth, "x1": x + depth, "y0": y - side, "y1": y + side,
                           "line": {"color": "#555"}, "fillcolor": "#f6c85f" if flat else "#6f9fd8", "opacity": 0.85})
            name = "input" if k == 0 else layer_shapes[k - 1].layer.name
            text = f"{h}×{w}×{c}" if not flat else f"{c} units"
            notes.append({"x": x, "y": y - 0.42, "text": f"{name}<br>{text}", "showarrow": False,
                          "font": {"size": 11}})
    count = len(rows[0][1])
    return {"data": [{"type": "scatter", "x": [-0.5, count - 0.5], "y": [-0.9, 1.6], "mode": "markers",
                      "marker": {"opacity": 0}, "hoverinfo": "skip"}],
            "layout": {"shapes": shapes, "annotations": notes, "height": 380, "showlegend": False,
                       "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
                       "xaxis": {"visible": False, "range": [-0.5, count - 0.5], "fixedrange": True},
                       "yaxis": {"visible": False, "range": [-0.9, 1.6], "fixedrange": True}}}


def objectness_heatmaps(p_c: np.ndarray, chosen: tuple[int, int, int]) -> dict:
    """p_c of every cell, one small heat map per anchor, side by side; the chosen slot outlined."""
    s_h, s_w, b = p_c.shape
    data, shapes, annotations, layout = [], [], [], {}
    gap = 0.04
    width = (1 - gap * (b - 1)) / b
    for a in range(b):
        axis = "" if a == 0 else str(a + 1)
        data.append({"type": "heatmap", "z": p_c[:, :, a].round(3).tolist(), "zmin": 0, "zmax": 1,
                     "colorscale": "Viridis", "showscale": a == b - 1, "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                     "x": list(range(1, s_w + 1)), "y": list(range(1, s_h + 1)), "xgap": 1, "ygap": 1,
                     "hovertemplate": f"anchor {a + 1}, cell (%{{y}}, %{{x}}): p_c = %{{z}}<extra></extra>",
                     "colorbar": {"title": {"text": "p_c"}, "len": 0.9}})
        layout[f"xaxis{axis}"] = {"domain": [a * (width + gap), a * (width + gap) + width], "side": "top",
                                  "dtick": 1 if s_w <= 12 else 4, "constrain": "domain"}
        layout[f"xaxis{axis}"]["range"] = [0.5, s_w + 0.5]
        layout[f"yaxis{axis}"] = {"range": [s_h + 0.5, 0.5], "anchor": f"x{axis}", "dtick": 1 if s_h <= 12 else 4,
                                  "scaleanchor": f"x{axis}", "showticklabels": a == 0, "constrain": "domain"}
        annotations.append({"text": f"anchor {a + 1}", "x": a * (width + gap) + width / 2, "y": -0.08,
                            "xref": "paper", "yref": "paper", "showarrow": False})
    row, col, anchor = chosen
    axis = "" if anchor == 0 else str(anchor + 1)
    shapes.append({"type": "rect", "xref": f"x{axis}", "yref": f"y{axis}", "x0": col + 0.5, "x1": col + 1.5,
                   "y0": row + 0.5, "y1": row + 1.5, "line": {"color": "rgb" + str(HIGHLIGHT_RGB), "width": 3}})
    layout.update({"height": 260, "margin": {"l": 30, "r": 10, "t": 30, "b": 30}, "shapes": shapes,
                   "annotations": annotations})
    return {"data": data, "layout": layout}


def anchors_figure(wh_px: np.ndarray, anchors_px: np.ndarray, labels: np.ndarray) -> dict:
    """Training boxes' (w, h) coloured by their anchor, and the anchors as rectangles on one centre."""
    palette = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
    data = [{"type": "scattergl", "x": wh_px[labels == k, 0].round(1).tolist(), "y": wh_px[labels == k, 1].round(1).tolist(),
             "mode": "markers", "marker": {"size": 3, "color": palette[k % 9], "opacity": 0.45},
             "name": f"nearest to anchor {k + 1}", "showlegend": False, "xaxis": "x", "yaxis": "y",
             "hovertemplate": "w %{x} px, h %{y} px<extra></extra>"} for k in range(len(anchors_px))]
    data.append({"type": "scatter", "x": anchors_px[:, 0].round(1).tolist(), "y": anchors_px[:, 1].round(1).tolist(),
                 "mode": "markers+text", "text": [str(k + 1) for k in range(len(anchors_px))],
                 "textposition": "top center", "marker": {"size": 12, "color": "black", "symbol": "x"},
                 "name": "anchors", "showlegend": False, "hovertemplate": "anchor: w %{x} px, h %{y} px<extra></extra>"})
    half = float(max(wh_px.max(), anchors_px.max())) / 2 + 2
    shapes = [{"type": "rect", "xref": "x2", "yref": "y2", "x0": -w / 2, "x1": w / 2, "y0": -h / 2, "y1": h / 2,
               "line": {"color": palette[k % 9], "width": 2}} for k, (w, h) in enumerate(anchors_px)]
    data.append({"type": "scatter", "x": [-half, half], "y": [-half, half], "xaxis": "x2", "yaxis": "y2",
                 "mode": "markers", "marker": {"opacity": 0}, "hoverinfo": "skip", "showlegend": False})
    return {"data": data, "layout": {
        "height": 380, "margin": {"l": 50, "r": 10, "t": 30, "b": 45}, "shapes": shapes,
        "xaxis": {"domain": [0, 0.55], "title": {"text": "box width w (px)"}},
        "yaxis": {"title": {"text": "box height h (px)"}},
        "xaxis2": {"domain": [0.62, 1], "range": [-half, half], "title": {"text": "the anchors on one centre (px)"}},
        "yaxis2": {"anchor": "x2", "range": [half, -half], "scaleanchor": "x2"}}}


def elbow_figure(ks: list[int], ious: list[float], chosen: int, elbow_k: int) -> dict:
    """Mean best IoU against k, the elbow and the chosen k marked."""
    return {"data": [
        {"type": "scatter", "x": ks, "y": [round(v, 4) for v in ious], "mode": "lines+markers", "name": "k-means",
         "hovertemplate": "k = %{x}: mean best IoU %{y}<extra></extra>"},
        {"type": "scatter", "x": [elbow_k], "y": [ious[ks.index(elbow_k)]], "mode": "markers+text",
         "text": ["elbow"], "textposition": "bottom right", "marker": {"size": 14, "symbol": "circle-open"},
         "name": "elbow", "hoverinfo": "skip"},
        {"type": "scatter", "x": [chosen], "y": [ious[ks.index(chosen)]], "mode": "markers", "name": f"k = {chosen}",
         "marker": {"size": 10, "color": "#d62728"}, "hoverinfo": "skip"}],
        "layout": {"height": 300, "margin": {"l": 50, "r": 10, "t": 20, "b": 45}, "showlegend": False,
                   "xaxis": {"title": {"text": "k (anchors)"}, "dtick": 1},
                   "yaxis": {"title": {"text": "mean best IoU"}, "tickformat": ".0%"}}}
