"""Input checks shared by the playground modules that feed arrays to ONNX Runtime.

The committed models take float32. A learner's array (or a test's) may be any
real dtype; this is the one place that turns it into float32 and refuses what
cannot be fed: non-real dtypes, NaN, infinities, and values float32 cannot hold.
"""

from __future__ import annotations

import numpy as np

REAL_KINDS = "biuf"  # numpy dtype kinds accepted: bool, signed int, unsigned int, float


def as_float32(array, name: str) -> np.ndarray:
    """Any real-valued array as C-contiguous float32, refusing NaN, infinity and float32 overflow.

    Parameters
    ----------
    array : array_like, any shape
        Bool, integer or float values.
    name : str
        What the caller calls the array; every error message starts with it.

    Returns
    -------
    numpy.ndarray, same shape, float32, C-contiguous
        ``array`` itself when it is already that (no copy), otherwise a converted copy.

    Raises
    ------
    ValueError
        If the dtype is not real (complex, strings, objects, dates…), or a value is NaN,
        ±inf, or beyond float32's range (±3.4e38), which would become inf.

    Examples
    --------
    >>> as_float32([[1, 2], [3, 4]], "x").dtype
    dtype('float32')
    """
    array = np.asarray(array)
    if array.dtype.kind not in REAL_KINDS:
        raise ValueError(f"{name} must hold real numbers, not dtype {array.dtype}")
    with np.errstate(over="ignore"):  # float64 beyond float32's range becomes inf, refused below
        out = np.asarray(array, dtype=np.float32, order="C")  # (ascontiguousarray would make 0-d 1-d)
    if not np.isfinite(out).all():
        raise ValueError(f"{name} has values that are not finite in float32: NaN, infinity, "
                         "or too large for float32 (beyond ±3.4e38)")
    return out
