"""playground.edge_filters: typed kernels are read strictly and written back exactly."""

from __future__ import annotations

import numpy as np
import pytest

from playground import edge_filters


# ---------------------------------------------------------------- typed kernels
@pytest.mark.parametrize("text, expected", [
    ("1 0 -1\n2 0 -2\n1 0 -1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
    ("1,0,-1;2,0,-2;1,0,-1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),  # the link's compact form
    ("  1, 0 ,-1 \n\n 1 ,0, -1\n1 0 -1\n", [[1, 0, -1]] * 3),  # spaces, blank lines
    ("1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9", [[1 / 9] * 3] * 3),  # box blur as fractions
    ("\u22121 0 1\n\u22121 0 1\n\u22121 0 1", [[-1, 0, 1]] * 3),  # the page's typographic minus
    ("2.5e-1", [[0.25]]),  # 1×1
    ("1 2\n3 4", [[1, 2], [3, 4]]),  # even size
    ("+.5 -0. \n 1. 1e2", [[0.5, 0], [1, 100]]),
])
def test_parse_kernel_reads_good_text(text, expected):
    """Rows by line or ';', numbers by spaces or commas, decimals, exponents and fractions."""
    np.testing.assert_allclose(edge_filters.parse_kernel(text), expected, rtol=1e-7)
    assert edge_filters.parse_kernel(text).dtype == np.float32


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    (" \n ;\n", "empty"),
    ("1 0 -1\n2 0\n1 0 -1", "Row 2 has 2 numbers"),
    ("1 0\n2 0\n1 0", "Row 1 has 2 numbers.*3 rows"),
    ("1 0 -1\n2 x -2\n1 0 -1", "Row 2: 'x' is not a number"),
    ("1 0 -1\n2 0 -2\n1 0 nan", "Row 3: 'nan' is not a number"),
    ("inf", "Row 1: 'inf' is not a number"),
    ("1e400", "outside"),
    ("2e6", "outside"),
    ("1/0", "divides by zero"),
    ("1/2/3", "not a number"),
    ("1,,2\n3 4", "Row 1: an empty value"),
    ("__import__('os')", "not a number"),
    ("1_000", "not a number"),
    ("\n".join(["1 " * 10] * 10), "at most 9×9"),
    ("1" * 3000, "at most 2,000 characters; yours has 3,000"),
])
def test_parse_kernel_names_the_row_and_the_problem(text, message):
    """Bad text raises KernelTextError (a ValueError) whose message says which row and what is wrong."""
    with pytest.raises(edge_filters.KernelTextError, match=message):
        edge_filters.parse_kernel(text)


@pytest.mark.parametrize("kernel", [edge_filters.SOBEL_X, edge_filters.SCHARR_Y, np.array([[0.5]]),
                                    np.array([[1.25, -3], [1e-3, 7]]), np.full((3, 3), 1 / 9),
                                    np.array([[2 / 3, -1e-30], [-0.0, 999_999.94]])])
def test_format_kernel_round_trips_through_the_parser_exactly(kernel):
    """The link form of a kernel parses back to the very same float32 values (fractions like 1/9 included)."""
    np.testing.assert_array_equal(edge_filters.parse_kernel(edge_filters.format_kernel(kernel)), kernel.astype(np.float32))


def test_format_kernel_is_short():
    """Whole numbers are written without decimals, the link form of Sobel x is the one users type."""
    assert edge_filters.format_kernel(edge_filters.SOBEL_X) == "1,0,-1;2,0,-2;1,0,-1"
