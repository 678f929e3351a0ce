"""Padding & stride: output sizes, parameters and multiplications, from one layer to a whole network.

The public API of the concept (page ``pages/conv_arithmetic.py``):

- :func:`conv_output_size`, :func:`same_padding`, :class:`Axis` (from
  :mod:`playground.conv_shape`, where every concept sizes its outputs);
- :func:`transposed_conv_output_size`, :func:`conv_params`, :func:`conv_macs`
  and the usage counts (:mod:`.formulas`);
- :func:`summarize`, the network calculator (:mod:`.network`);
- :func:`make_question`, the check-yourself quiz (:mod:`.quiz`);
- :mod:`.shape_probe`, one-node ONNX graphs that confirm the shapes on ONNX Runtime;
- :func:`warm`, which builds the default view's probe, for a server about to open.

Examples
--------
>>> from playground.conv_arithmetic import conv_output_size, summarize
>>> conv_output_size(39, 3)
37
>>> summarize((39, 39, 3), "conv f=3 c=10")[0]["output_shape"]
(37, 37, 10)
"""

from playground.conv_arithmetic import shape_probe
from playground.conv_arithmetic.formulas import (
    conv_macs,
    conv_params,
    dense_params,
    transposed_conv_output_size,
    transposed_overlap,
    usage_grid,
)
from playground.conv_arithmetic.network import GRAMMAR, PRESETS, RF_WHOLE, SpecError, summarize, totals
from playground.conv_arithmetic.quiz import make_question
from playground.conv_shape import Axis, NotAWholeNumber, ShapeError, conv_output_size, dilated_size, resolve_padding, same_padding

__all__ = [
    "Axis", "GRAMMAR", "NotAWholeNumber", "PRESETS", "RF_WHOLE", "ShapeError", "SpecError", "conv_macs",
    "conv_output_size", "conv_params", "dense_params", "dilated_size", "make_question", "resolve_padding",
    "same_padding", "shape_probe", "summarize", "totals", "transposed_conv_output_size", "transposed_overlap",
    "usage_grid", "warm",
]


def warm() -> None:
    """Build and run the default view's shape probe once (its ONNX graph and session are cached per process).

    A server calls this before its first visitor, who would otherwise wait for it.
    """
    shape_probe.conv(6, 6, 3, 2, 3, (0, 0, 0, 0), 1, 1, "auto")
