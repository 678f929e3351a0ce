"""Kernels typed by a learner: a strict reader (never eval) and the compact link form.

:func:`parse_kernel` reads ``1 0 -1`` rows, commas, ``;`` between rows, fractions
such as ``1/9`` and the typographic minus; :func:`format_kernel` writes the
shortest text that reads back to the same float32 kernel, so a link reproduces
every output bit for bit.
"""

from __future__ import annotations

import re

import numpy as np

MAX_CUSTOM_SIZE = 9  # largest f for a kernel typed on the page
MAX_CUSTOM_VALUE = 1e6  # |value| limit for typed kernels; keeps float32 sums finite
MAX_KERNEL_TEXT = 2000  # characters


class KernelTextError(ValueError):
    """A typed kernel that cannot be used; the message names the row and the problem."""


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SEPARATOR = re.compile(r"\s*,\s*|\s+")


def _parse_number(token: str, row: int) -> float:
    """A decimal number or a fraction a/b (e.g. 1/9); never eval."""
    parts = token.split("/")
    if len(parts) > 2 or not all(_NUMBER.fullmatch(p) for p in parts):
        raise KernelTextError(f"Row {row}: '{token[:20]}' is not a number (use e.g. 2, -0.5, 1e-3 or 1/9).")
    value = float(parts[0])
    if len(parts) == 2:
        if float(parts[1]) == 0:
            raise KernelTextError(f"Row {row}: '{token[:20]}' divides by zero.")
        value /= float(parts[1])
    if not np.isfinite(value) or abs(value) > MAX_CUSTOM_VALUE:
        raise KernelTextError(f"Row {row}: '{token[:20]}' is outside ±{MAX_CUSTOM_VALUE:,.0f}.")
    return value


def parse_kernel(text: str, max_size: int = MAX_CUSTOM_SIZE) -> np.ndarray:
    """Read a square kernel typed as text: one row per line (or rows separated by ';').

    Numbers are separated by spaces or commas; fractions like ``1/9`` and the
    minus sign "−" are accepted. Nothing is evaluated.

    Parameters
    ----------
    text : str
        E.g. ``"1 0 -1\\n2 0 -2\\n1 0 -1"`` or ``"1,0,-1;2,0,-2;1,0,-1"``.
    max_size : int
        Largest f allowed.

    Returns
    -------
    numpy.ndarray, shape (f, f), float32

    Raises
    ------
    KernelTextError
        Naming the row and what is wrong with it.
    """
    if len(text) > MAX_KERNEL_TEXT:
        raise KernelTextError(f"A kernel's text can be at most {MAX_KERNEL_TEXT:,} characters; yours has {len(text):,}.")
    text = text.replace("\u2212", "-")  # the page shows kernels with a typographic minus
    lines = [line.strip() for line in re.split(r"[;\n]", text)]
    lines = [line for line in lines if line]
    if not lines:
        raise KernelTextError("The kernel is empty: type one row of numbers per line, e.g. 1 0 -1.")
    if len(lines) > max_size:
        raise KernelTextError(f"The kernel has {len(lines)} rows; at most {max_size}×{max_size} is allowed.")
    rows = []
    for r, line in enumerate(lines, start=1):
        tokens = _SEPARATOR.split(line)
        if "" in tokens:
            raise KernelTextError(f"Row {r}: an empty value (two commas in a row, or a comma at an end).")
        rows.append([_parse_number(t, r) for t in tokens])
    size = len(rows)
    for r, row in enumerate(rows, start=1):
        if len(row) != size:
            raise KernelTextError(
                f"Row {r} has {len(row)} number{'s' * (len(row) != 1)}, but the kernel must be square: "
                f"{size} rows need {size} numbers each.")
    return np.array(rows, dtype=np.float32)


def _shortest(value: np.float32) -> str:
    """The shortest decimal that reads back as the same float32 (e.g. 0.11111111 for 1/9)."""
    if value == 0 or 1e-4 <= abs(value) < 1e16:
        return np.format_float_positional(value, trim="-")
    return np.format_float_scientific(value, trim="-")


def format_kernel(kernel) -> str:
    """The compact link form of a kernel, e.g. ``1,0,-1;2,0,-2;1,0,-1``.

    :func:`parse_kernel` reads it back to exactly the same float32 kernel, so a
    link reproduces every output bit for bit (a typed 1/9 becomes 0.11111111).
    """
    return ";".join(",".join(_shortest(v) for v in row) for row in np.asarray(kernel, np.float32))
