"""Which MobileNetV2 outputs stand for style and for content, and what each one sees of the image.

The feature extractor is the float MobileNetV2 recovered from Magenta's style
predictor (``onnx_models/mobilenet_v2.onnx``, see ``export/mobilenet_v2.py``).
Its ReLU6 outputs are the activations a^[l]. Five of them, from the stem to
block 12, carry the style (Gram matrices); one deeper one carries the content.
These are the layers ``../shared/FACTS.md`` found to give a clearly stylised
image (ReLU6 outputs 0, 3, 8, 15 and 25 for style, 20 for content, counted in
graph order). The gradient graph (``export/style_gradient.py``) is built for
exactly these layers, so changing them means re-exporting it.
"""

from __future__ import annotations

from dataclasses import dataclass

STYLE_LAYERS = ("stem", "block1_depthwise", "block4_expand", "block7_depthwise", "block12_depthwise")
CONTENT_LAYER = "block10_expand"
DEEPEST = "block12_depthwise"  # the gradient graph keeps only the ops up to here
FEATURE_MODEL = "mobilenet_v2"
GRADIENT_MODEL = "style_gradient"
SIDE_MULTIPLE = 16  # four stride-2 convs up to DEEPEST: sides that are multiples of 16 halve evenly
CONTENT_STRIDE = 16  # CONTENT_LAYER is 1/16 of the image's side


@dataclass(frozen=True)
class LayerInfo:
    """One activation the page offers: its name, a plain label, and its size at a given input."""

    name: str
    short: str  # for axis labels and slider titles
    label: str
    channels: int
    stride: int  # input pixels per feature-map cell


LAYERS: dict[str, LayerInfo] = {info.name: info for info in (
    LayerInfo("stem", "stem", "stem: the first 3×3 conv (32 channels)", 32, 2),
    LayerInfo("block1_depthwise", "block 1 dw", "block 1, depthwise 3×3 (96 channels)", 96, 4),
    LayerInfo("block4_expand", "block 4 exp", "block 4, 1×1 expansion (192 channels)", 192, 8),
    LayerInfo("block7_depthwise", "block 7 dw", "block 7, depthwise 3×3 (384 channels)", 384, 16),
    LayerInfo("block10_expand", "block 10 exp", "block 10, 1×1 expansion (384 channels)", 384, 16),
    LayerInfo("block12_depthwise", "block 12 dw", "block 12, depthwise 3×3 (576 channels)", 576, 16),
)}


def gram_input(layer: str) -> str:
    """Name of the gradient graph's input that holds the style image's Gram matrix of ``layer``."""
    return f"gram_target_{layer}"
