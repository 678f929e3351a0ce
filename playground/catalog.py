"""The concepts of the playground, in the order the course meets them.

One list serves the app's navigation, the home page's map, the README and the
browser test, so a page that exists is listed once and only once. A concept's
slug names everything of it: ``playground/<slug>/``, ``pages/<slug>.py``,
``pages/_<slug>/``, ``tests/<slug>/`` and ``bench/<slug>.py``; a concept
imports shared modules and earlier concepts in this list, never a later one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    """One concept of the course and the page that makes it touchable."""

    slug: str  # url path and file stem: pages/<slug>.py
    title: str
    icon: str  # Streamlit material icon, bundled with Streamlit (no emoji font needed)
    week: int  # week of the course's CNN module where the idea is taught
    summary: str
    built: bool  # False: planned, no page yet
    # Server time of a control change with one visitor, on 2 CPU cores (issue #9): from the change to the
    # finished rerun as a real client sees it (python -m bench.load; python -m bench reports it against this).
    budget_ms: float = 100
    models: tuple[str, ...] = ()  # committed models the page loads (names in onnx_models/manifest.json)

    @property
    def page_file(self) -> str:
        return f"pages/{self.slug}.py"


DEPTH_NETS = tuple(f"depth_{kind}_{depth}" for depth in (8, 20, 56) for kind in ("plain", "residual"))

CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "edge_filters", "Edge filters", ":material/gradient:", 1,
        "A 3×3 filter sliding over an image finds vertical or horizontal edges; "
        "Sobel and Scharr weight the centre row more.",
        built=True, models=("conv2d",) + DEPTH_NETS,  # the depth nets' first layers, read from their files
    ),
    Concept(
        "conv_arithmetic", "Padding & stride", ":material/calculate:", 1,
        "How n, f, p and s give the output size ⌊(n+2p−f)/s⌋+1, and how shapes, "
        "parameters and multiplications add up through a network.",
        built=True,
    ),
    Concept(
        "residual_block", "Residual block", ":material/alt_route:", 2,
        "a[l+2] = g(z[l+2] + a[l]): the skip connection that lets very deep "
        "networks keep training.",
        built=True, models=("residual_block", "residual_block_projection") + DEPTH_NETS,
    ),
    Concept(
        "efficient_convnets", "Cheap networks", ":material/speed:", 2,
        "1×1 convolutions, Inception, MobileNet's depthwise-separable blocks and EfficientNet's compound "
        "scaling: the same accuracy for fewer multiplications, and why fewer multiplications is not less time.",
        built=True, budget_ms=100, models=("mobilenet_v2",),
    ),
    Concept(
        "anchor_boxes", "Anchor boxes", ":material/anchor:", 3,
        "Sliding windows as one convolution, then YOLO's grid: several box shapes per cell, so one cell can "
        "detect overlapping objects; a detector trained here on drawn shapes.",
        built=True, models=("anchor_detector", "window_classifier_fc", "window_classifier_conv"),
    ),
    Concept(
        "non_max_suppression", "Non-max suppression", ":material/filter_center_focus:", 3,
        "Keep the most confident box and drop every box whose IoU with it is ≥ 0.5, class by class; the same "
        "rule from ONNX's NonMaxSuppression operator, Soft-NMS, and what the threshold does to a detector's mAP.",
        built=True, models=("nms_postprocess", "anchor_detector"),  # every control reruns one fragment: see bench
    ),
    Concept(
        "triplet_loss", "Triplet loss", ":material/group:", 4,
        "Learn an encoding where an anchor is closer to a positive than to a negative by a margin α; then "
        "recognise identities never seen in training from one picture each.",
        built=True, models=("triplet_glyphs", "triplet_digits"),
    ),
    Concept(
        "style_transfer", "Style transfer", ":material/palette:", 4,
        "Style as Gram matrices of feature maps: which channels fire together; real neural style transfer by "
        "optimising the pixels, against a one-pass feed-forward network.",
        built=True, budget_ms=100, models=("mobilenet_v2", "style_gradient", "style_transform"),
    ),
)


def built_concepts() -> list[Concept]:
    """The concepts whose page exists, in course order."""
    return [c for c in CONCEPTS if c.built]
