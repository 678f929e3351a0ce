"""Shape arithmetic of a YOLO output, and of the detector trained here for any input size.

A YOLO head predicts, for each of S×S cells and each of B anchors, a vector
(p_c, b_x, b_y, b_h, b_w, c_1 … c_C) of 5 + C numbers: an output of
S × S × B × (5 + C), stored by a convolution as S × S × B·(5 + C) channels
(19 × 19 × 5 × 85 = 19 × 19 × 425 for YOLOv2 on COCO's 80 classes) and
S²·B boxes (1,805) before any suppression. The grid S itself follows from the
input size through every layer's ⌊(n + 2p − f)/s⌋ + 1 (:mod:`playground.conv_shape`).

Examples
--------
>>> yolo_output(19, 5, 80)
YoloOutput(s=19, b=5, c=80, per_anchor=85, channels=425, boxes=1805, numbers=153425)
"""

from __future__ import annotations

from dataclasses import dataclass

from playground.conv_arithmetic import conv_macs, conv_params
from playground.conv_shape import conv_output_size, whole_number


@dataclass(frozen=True)
class YoloOutput:
    """The sizes of one YOLO output."""

    s: int  # grid side
    b: int  # anchors per cell
    c: int  # classes
    per_anchor: int  # 5 + C: p_c, b_x, b_y, b_h, b_w, c_1 … c_C
    channels: int  # B·(5 + C): what the last convolution outputs per cell
    boxes: int  # S²·B predicted boxes
    numbers: int  # S²·B·(5 + C)


def yolo_output(s: int, b: int, c: int) -> YoloOutput:
    """Sizes of an S×S×B×(5 + C) output.

    Raises
    ------
    ShapeError (a ValueError)
        When S or B is below 1, C below 0, or one is not a whole number.
    """
    s, b, c = whole_number("S", s, 1), whole_number("B", b, 1), whole_number("C", c, 0)
    return YoloOutput(s, b, c, 5 + c, b * (5 + c), s * s * b, s * s * b * (5 + c))


@dataclass(frozen=True)
class DetectorLayer:
    """One layer of the detector: "conv" (f×f, stride s, padding p, filters) or "pool" (f×f max, stride s)."""

    name: str
    kind: str
    f: int
    s: int
    p: int = 0
    filters: int = 0


@dataclass(frozen=True)
class LayerOutput:
    """A layer's output n_H × n_W × n_C, its weights and biases and its multiplications."""

    layer: DetectorLayer
    n_h: int
    n_w: int
    n_c: int
    params: int
    macs: int


def layers_from_record(entries) -> tuple[DetectorLayer, ...]:
    """The detector's layers from the export record's ``layers`` list of dicts."""
    return tuple(DetectorLayer(e["name"], e["kind"], int(e["f"]), int(e["s"]), int(e.get("p", 0)),
                               int(e.get("filters", 0))) for e in entries)


def forward_shapes(n_h: int, n_w: int, layers, n_c: int = 3) -> list[LayerOutput]:
    """Every layer's output size for an n_H × n_W × n_C input, with its parameters and multiplications.

    Raises
    ------
    ShapeError (a ValueError)
        When the input is too small for some layer (the message says which sizes fail).
    """
    h, w, c = whole_number("n_H", n_h, 1), whole_number("n_W", n_w, 1), n_c
    out = []
    for layer in layers:
        h, w = conv_output_size(h, layer.f, layer.p, layer.s), conv_output_size(w, layer.f, layer.p, layer.s)
        if layer.kind == "conv":
            params, macs = conv_params(layer.f, c, layer.filters), conv_macs(h, w, layer.f, c, layer.filters)
            c = layer.filters
        else:
            params, macs = 0, 0  # max-pooling compares; it has no weights and no multiplications
        out.append(LayerOutput(layer, h, w, c, params, macs))
    return out
