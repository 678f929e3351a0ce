"""What makes a network cheap: 1×1 convolutions, Inception, depthwise-separable blocks and compound scaling.

The public API of the concept (page ``pages/efficient_convnets.py``):

- :func:`depthwise_separable_macs`, :func:`separable_ratio`, :func:`normal_conv`,
  :func:`bottleneck_block`, :func:`one_by_one_bottleneck`, :func:`inception_module`
  (:mod:`.costs`): what each design costs, sized and counted by
  :mod:`playground.conv_shape` and :mod:`playground.conv_arithmetic`;
- :func:`compound_scaling` and :func:`scaling_table` with the published
  EfficientNet-B0…B7 (:mod:`.scaling`);
- the committed MobileNetV2 read as layers, kinds and blocks (:mod:`.graph`);
- FLOPs against measured time on ONNX Runtime (:mod:`.timing`);
- one real block's activations (:mod:`.block_view`) and the quiz (:mod:`.quiz`).

Examples
--------
>>> from playground.efficient_convnets import depthwise_separable_macs, compound_scaling
>>> depthwise_separable_macs(6, 3, 3, 5)        # the course's example: 432 + 240 = 672 against 2,160
(432, 240)
>>> sorted(compound_scaling(2))
['depth', 'flops', 'resolution', 'width']
"""

from playground.efficient_convnets import block_view, graph, quiz, timing
from playground.efficient_convnets.costs import (
    COURSE_INCEPTION,
    Bottleneck,
    Design,
    InceptionSpec,
    Layer,
    bottleneck_block,
    depthwise_conv,
    depthwise_separable,
    depthwise_separable_macs,
    inception_module,
    maxpool_same,
    module_channels,
    normal_conv,
    one_by_one_bottleneck,
    pointwise_conv,
    separable_ratio,
)
from playground.efficient_convnets.scaling import (
    ALPHA,
    BASE_RESOLUTION,
    BETA,
    GAMMA,
    PUBLISHED,
    Published,
    ScalingRow,
    compound_scaling,
    scaling_table,
)

__all__ = [
    "ALPHA", "BASE_RESOLUTION", "BETA", "COURSE_INCEPTION", "GAMMA", "PUBLISHED", "Bottleneck", "Design",
    "InceptionSpec", "Layer", "Published", "ScalingRow", "block_view", "bottleneck_block", "compound_scaling",
    "depthwise_conv", "depthwise_separable", "depthwise_separable_macs", "graph", "inception_module",
    "maxpool_same", "module_channels", "normal_conv", "one_by_one_bottleneck", "pointwise_conv", "quiz",
    "scaling_table", "separable_ratio", "timing",
]
