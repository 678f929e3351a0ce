"""Padding & stride: the formulas of one layer beyond the output size.

The output size ⌊(n + 2p − f)/s⌋ + 1, "same" padding and the sliding window
(:class:`~playground.conv_shape.Axis`) live in :mod:`playground.conv_shape`,
because every concept sizes its outputs with them; this module adds what the
padding & stride page teaches on top: transposed convolutions, how often each
cell is read, and the parameter and multiplication counts.

Examples
--------
>>> transposed_conv_output_size(4, 2, s=2)
8
>>> conv_params(3, 3, 10)
280
"""

from __future__ import annotations

import numpy as np

from playground.conv_shape import Axis, ShapeError, whole_number


def transposed_conv_output_size(n: int, f: int, p: int = 0, s: int = 1, output_padding: int = 0) -> int:
    """Output size of a transposed convolution along one dimension (ONNX/PyTorch convention).

    Each input cell stamps the f×f filter onto the output, the stamps s apart;
    then p is cropped from each side and ``output_padding`` added at the end.

    Parameters
    ----------
    n, f : int
        Input size and filter size, at least 1.
    p : int
        Padding cropped from each side, at least 0.
    s : int
        Stride (the upsampling factor), at least 1.
    output_padding : int
        Extra cells at the end, 0 ≤ output_padding < s (ONNX Runtime and
        PyTorch refuse larger values).

    Returns
    -------
    int
        (n − 1)·s − 2p + f + output_padding.

    Raises
    ------
    ShapeError (a ValueError)
        For out-of-range arguments or a result smaller than 1.
    """
    n, f = whole_number("n", n, 1), whole_number("f", f, 1)
    p, s = whole_number("p", p, 0), whole_number("s (the stride)", s, 1)
    output_padding = whole_number("output_padding", output_padding, 0)
    if output_padding >= s:
        raise ShapeError(f"output_padding must be smaller than the stride ({s}), not {output_padding}: "
                         "it only chooses among output sizes that the same stride could have come from")
    out = (n - 1) * s - 2 * p + f + output_padding
    if out < 1:
        raise ShapeError(f"the padding p = {p} crops away the whole output "
                         f"((n − 1)·s + f + output_padding = {out + 2 * p} cells, minus 2p = {2 * p})")
    return out


def usage_grid(rows: Axis, cols: Axis) -> np.ndarray:
    """How many windows read each padded cell, shape (padded_H, padded_W).

    A window is a product of a row set and a column set, so the 2-D count is
    the outer product of the two 1-D counts.
    """
    return np.outer(rows.usage(), cols.usage())


def transposed_overlap(n: int, f: int, p: int = 0, s: int = 1, output_padding: int = 0) -> np.ndarray:
    """How many input cells' stamps land on each output cell of a transposed convolution, shape (out,).

    Uneven counts (f not a multiple of s) are what makes the checkerboard
    artefacts of upsampling layers.
    """
    out = transposed_conv_output_size(n, f, p, s, output_padding)
    stamps = (np.arange(n) * s)[:, None] + np.arange(f)[None, :]  # (n, f) uncropped output indices
    full = np.bincount(stamps.ravel(), minlength=(n - 1) * s + f + output_padding)
    return full[p:p + out]


def conv_params(f: int, n_c: int, filters: int) -> int:
    """Weights and biases of a conv layer: (f·f·n_C + 1)·filters."""
    return (f * f * n_c + 1) * filters


def conv_macs(out_h: int, out_w: int, f: int, n_c: int, filters: int) -> int:
    """Multiplications of a conv layer, bias excluded: out_h·out_w·filters · f·f·n_C."""
    return out_h * out_w * filters * f * f * n_c


def dense_params(inputs: int, units: int) -> int:
    """Weights and biases of a fully connected layer: (inputs + 1)·units."""
    return (inputs + 1) * units
