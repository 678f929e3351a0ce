"""Where a sliding window lands, and how many outputs it gives: the arithmetic every concept shares.

The course's notation: an n×n input, an f×f filter, padding p and stride s
give an output of ⌊(n + 2p − f)/s⌋ + 1 per spatial dimension. With dilation d
the filter's taps are d apart, so it spans f_eff = d·(f − 1) + 1 cells.

Height and width are independent, so everything here works on one dimension
(:class:`Axis`) and a 2-D picture is the product of two axes. Edge filters,
the padding & stride page, the residual block and the later concepts all size
their outputs here; the padding & stride concept
(:mod:`playground.conv_arithmetic`) re-exports these names as its public API.

Examples
--------
>>> conv_output_size(7, 3, s=2)
3
>>> conv_output_size(6, 3, p=1)
6
>>> same_padding(6, 4)
(1, 2)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np


class ShapeError(ValueError):
    """A size, padding or stride that cannot work, said in plain words."""


class NotAWholeNumber(ShapeError, TypeError):
    """A size that is not an integer (a float, a bool, a string); both a ValueError and a TypeError."""


def whole_number(name: str, value, lo: int) -> int:
    """``value`` as an int ≥ ``lo``, or a plain-words error naming ``name``."""
    if type(value) is not int and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise NotAWholeNumber(f"{name} must be a whole number, not {value!r}")
    value = int(value)
    if value < lo:
        raise ShapeError(f"{name} must be at least {lo}, not {value}")
    return value


def dilated_size(f: int, dilation: int = 1) -> int:
    """Cells spanned by an f-tap filter whose taps are ``dilation`` apart: d·(f − 1) + 1."""
    return dilation * (f - 1) + 1


def _output_size(n: int, f_eff: int, pad_total: int, s: int) -> int:
    """⌊(n + pad_total − f_eff)/s⌋ + 1 for validated ints; the one home of the formula."""
    padded = n + pad_total
    if f_eff > padded:
        raise ShapeError(f"the filter spans {f_eff} cells but the padded input has only {padded} "
                         f"(n = {n} plus {pad_total} of padding): there is no position where it fits")
    return (padded - f_eff) // s + 1


def conv_output_size(n: int, f: int, p: int = 0, s: int = 1, dilation: int = 1) -> int:
    """Output size of a convolution (or pooling) along one spatial dimension.

    Parameters
    ----------
    n : int
        Input size (n_H or n_W), at least 1.
    f : int
        Filter size, at least 1.
    p : int
        Padding added on each side, at least 0.
    s : int
        Stride, at least 1.
    dilation : int
        Spacing of the filter's taps, at least 1 (1 = an ordinary filter).

    Returns
    -------
    int
        ⌊(n + 2p − f_eff)/s⌋ + 1 with f_eff = dilation·(f − 1) + 1.

    Raises
    ------
    ShapeError (a ValueError)
        For n < 1, f < 1, p < 0, s < 1, dilation < 1, a non-integer, or a
        (dilated) filter larger than n + 2p.
    """
    n, f = whole_number("n", n, 1), whole_number("f", f, 1)
    p, s = whole_number("p", p, 0), whole_number("s (the stride)", s, 1)
    dilation = whole_number("dilation", dilation, 1)
    return _output_size(n, dilated_size(f, dilation), 2 * p, s)


def same_padding(n: int, f: int, s: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Padding (before, after) that makes a "same" convolution output ⌈n/s⌉ cells.

    The total is max((⌈n/s⌉ − 1)·s + f_eff − n, 0); when it is odd the extra
    cell goes after (bottom/right), as in TensorFlow/Keras, ONNX ``SAME_UPPER``
    and PyTorch. For s = 1 and odd f both sides get (f − 1)/2.

    Returns
    -------
    (int, int)
        Padding before (top/left) and after (bottom/right).
    """
    n, f = whole_number("n", n, 1), whole_number("f", f, 1)
    s, dilation = whole_number("s (the stride)", s, 1), whole_number("dilation", dilation, 1)
    total = max((-(-n // s) - 1) * s + dilated_size(f, dilation) - n, 0)  # -(-n // s) = ⌈n/s⌉, exact for any int
    return total // 2, total - total // 2


def resolve_padding(n: int, f: int, p, s: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Padding (before, after) for p given as a number, ``"valid"`` (0) or ``"same"``."""
    if isinstance(p, str):
        word = p.strip().lower()
        if word == "valid":
            return 0, 0
        if word == "same":
            return same_padding(n, f, s, dilation)
        if not word.isascii() or not word.isdigit():
            raise ShapeError(f"p must be a whole number, 'same' or 'valid', not {p!r}")
        p = int(word)
    p = whole_number("p", p, 0)
    return p, p


@dataclass(frozen=True)
class Axis:
    """One spatial dimension of a convolution: where each window of the filter lands.

    Indices are 0-based positions in the padded input: the real input occupies
    ``pad_before … pad_before + n − 1``.
    """

    n: int
    f: int
    s: int = 1
    dilation: int = 1
    pad_before: int = 0
    pad_after: int = 0

    def __post_init__(self):
        whole_number("n", self.n, 1), whole_number("f", self.f, 1), whole_number("s (the stride)", self.s, 1)
        whole_number("dilation", self.dilation, 1)
        whole_number("padding", self.pad_before, 0), whole_number("padding", self.pad_after, 0)
        _output_size(self.n, self.f_eff, self.pad_before + self.pad_after, self.s)

    @classmethod
    def make(cls, n: int, f: int, p=0, s: int = 1, dilation: int = 1) -> Axis:
        """An axis with p as a number, ``"valid"`` or ``"same"``."""
        before, after = resolve_padding(n, f, p, s, dilation)
        return cls(n, f, s, dilation, before, after)

    @property
    def f_eff(self) -> int:
        return dilated_size(self.f, self.dilation)

    @property
    def padded(self) -> int:
        return self.n + self.pad_before + self.pad_after

    @property
    def out(self) -> int:
        return _output_size(self.n, self.f_eff, self.pad_before + self.pad_after, self.s)

    @property
    def leftover(self) -> int:
        """Cells after the last window: (n + padding − f_eff) mod s; nonzero means the stride does not divide evenly."""
        return (self.padded - self.f_eff) % self.s

    def starts(self) -> np.ndarray:
        """Padded index of each window's first tap, shape (out,)."""
        return np.arange(self.out) * self.s

    def taps(self, i: int) -> np.ndarray:
        """Padded indices read by output cell ``i``, shape (f,): its receptive field along this axis."""
        if not 0 <= i < self.out:
            raise ShapeError(f"output index {i} is outside 0…{self.out - 1}")
        return i * self.s + self.dilation * np.arange(self.f)

    def usage(self) -> np.ndarray:
        """How many windows read each padded cell, shape (padded,)."""
        reads = self.starts()[:, None] + self.dilation * np.arange(self.f)[None, :]  # (out, f)
        return np.bincount(reads.ravel(), minlength=self.padded)

    def is_input(self) -> np.ndarray:
        """True where a padded cell is real input rather than padding, shape (padded,)."""
        mask = np.zeros(self.padded, dtype=bool)
        mask[self.pad_before:self.pad_before + self.n] = True
        return mask

    def unread_inputs(self) -> np.ndarray:
        """0-based input indices (not padding) that no window reads: information the layer never sees."""
        unread = (self.usage() == 0) & self.is_input()
        return np.flatnonzero(unread) - self.pad_before
