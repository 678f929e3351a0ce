"""playground.arrays.as_float32: what it accepts, what it refuses, and the messages it gives."""

from __future__ import annotations

import re

import numpy as np
import pytest

from playground.arrays import as_float32

SMALL_INTS = [[0, 1, 2], [3, 4, 5]]  # exact in every dtype below, so the float32 values are known


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int8, np.int16, np.int32, np.int64, np.uint64,
                                   np.float16, np.float32, np.float64])
def test_real_dtypes_become_float32_with_the_same_values(dtype):
    """Bool, integer and float inputs give a float32 array equal, element by element, to the input."""
    x = np.array(SMALL_INTS).astype(dtype)
    out = as_float32(x, "x")
    assert out.dtype == np.float32 and out.shape == x.shape and out.flags.c_contiguous
    assert out.tolist() == [[float(v) for v in row] for row in x.tolist()]


@pytest.mark.parametrize("x", [np.asfortranarray(np.ones((3, 4))), np.ones((4, 6), np.float32)[:, ::2],
                               np.ones((3, 4, 5), np.float32).transpose(2, 0, 1)])
def test_non_contiguous_input_comes_back_c_contiguous(x):
    """Fortran-ordered, strided and transposed views come back C-contiguous with the same values."""
    out = as_float32(x, "x")
    assert out.flags.c_contiguous
    np.testing.assert_array_equal(out, x)


def test_lists_and_scalars_are_accepted():
    """Nested lists and Python scalars are arrays too."""
    assert as_float32([[1, 2.5]], "x").tolist() == [[1.0, 2.5]]
    assert as_float32(3, "x").shape == ()


def test_largest_float32_is_kept():
    """A float64 at float32's largest finite value is not refused (only what lies beyond it is)."""
    big = float(np.finfo(np.float32).max)
    assert as_float32(np.array([big, -big]), "x").tolist() == [big, -big]


@pytest.mark.parametrize("x", [np.zeros(2, complex), np.array(["1", "2"]), np.array([1, None], object),
                               np.array(["2024-01-01"], "datetime64[D]"), np.array([1], "timedelta64[s]")])
def test_non_real_dtypes_are_refused_naming_the_array(x):
    """Complex, strings, objects and dates raise a ValueError that names the array and its dtype."""
    with pytest.raises(ValueError, match=rf"^kernel must hold real numbers, not dtype {re.escape(str(x.dtype))}$"):
        as_float32(x, "kernel")


@pytest.mark.parametrize("x", [np.array([1.0, np.nan]), np.array([np.inf]), np.array([-np.inf]),
                               np.array([1e39]), np.array([-3.5e38]), np.array([np.nan], np.float32)])
def test_values_not_finite_in_float32_are_refused(x):
    """NaN, ±inf and float64 values beyond float32's range raise a ValueError naming the array."""
    with pytest.raises(ValueError, match=r"^w1 has values that are not finite in float32: NaN, infinity, "
                                         r"or too large for float32"):
        as_float32(x, "w1")


def test_already_float32_contiguous_is_not_copied():
    """A C-contiguous float32 array is returned as is (no copy on the pages' hot path)."""
    x = np.ones((2, 3), np.float32)
    assert as_float32(x, "x") is x
