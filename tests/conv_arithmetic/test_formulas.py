"""Convolution arithmetic against a brute-force reference that actually slides the window.

The reference (``tests/references.py``) never calls the formulas: it puts a window on a
list of padded cells, moves it by s until it falls off the end, and counts.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from playground.conv_arithmetic import (
    Axis,
    NotAWholeNumber,
    ShapeError,
    conv_output_size,
    resolve_padding,
    same_padding,
    transposed_conv_output_size,
    transposed_overlap,
    usage_grid,
)
from playground.conv_arithmetic.quiz import KINDS, make_question
from tests.references import slide

SWEEP = list(itertools.product(range(1, 13), range(1, 7), range(0, 4), range(1, 5), range(1, 4)))


# Beyond the sweep: 1×1 inputs and filters, a filter as big as the input, the course's 224 and AlexNet's 227.
EXTRA = [(1, 1, 0, 1, 1), (5, 5, 0, 1, 1), (1, 3, 1, 1, 1), (224, 3, 1, 1, 1), (227, 11, 0, 4, 1), (2, 2, 0, 5, 1)]


def test_output_size_counts_the_window_positions():
    """Over all 3,456 (n, f, p, s, d) of the sweep and a few big cases: ⌊(n + 2p − f_eff)/s⌋ + 1 equals the number
    of places a window fits when slid by s; where none fits, a ValueError saying so."""
    for n, f, p, s, d in SWEEP + EXTRA:
        windows = slide(n, f, p, p, s, d)
        if windows:
            assert conv_output_size(n, f, p, s, d) == len(windows), (n, f, p, s, d)
        else:
            with pytest.raises(ValueError, match="no position where it fits"):
                conv_output_size(n, f, p, s, d)


@pytest.mark.parametrize("kwargs, words", [
    (dict(n=0, f=1), "n must be at least 1"), (dict(n=5, f=0), "f must be at least 1"),
    (dict(n=5, f=3, p=-1), "p must be at least 0"), (dict(n=5, f=3, s=0), "stride"),
    (dict(n=5, f=3, s=-2), "stride"), (dict(n=5, f=3, dilation=0), "dilation"),
    (dict(n=4, f=3, p=0, dilation=2), "filter spans 5 cells"), (dict(n=2, f=5, p=1), "filter spans 5"),
])
def test_invalid_settings_raise_a_plain_value_error(kwargs, words):
    """Each impossible setting raises ValueError whose message says what is wrong."""
    with pytest.raises(ValueError, match=words):
        conv_output_size(**kwargs)


@pytest.mark.parametrize("bad", [3.0, 2.5, True, "3", None, np.float32(3)])
def test_non_integers_are_refused(bad):
    """Floats, bools, strings and None are refused (the error is both a ValueError and a TypeError)."""
    for position in range(5):
        args = [7, 3, 0, 1, 1]
        args[position] = bad
        with pytest.raises(ValueError):
            conv_output_size(*args)
        with pytest.raises(TypeError):
            conv_output_size(*args)
    assert issubclass(NotAWholeNumber, ValueError) and issubclass(NotAWholeNumber, TypeError)


def test_numpy_integers_are_accepted_and_give_plain_ints():
    """np.int64 arguments work and the result is a Python int."""
    out = conv_output_size(np.int64(32), np.int32(5), np.int64(1), np.int8(2))
    assert out == len(slide(32, 5, 1, 1, 2)) and type(out) is int


# ---------------------------------------------------------------- "same" padding
@pytest.mark.parametrize("n, f, s, d", list(itertools.product([1, 2, 5, 6, 7, 12, 31], [1, 2, 3, 4, 5, 7],
                                                              [1, 2, 3], [1, 2])))
def test_same_padding_gives_ceil_n_over_s_with_the_least_padding(n, f, s, d):
    """"same" padding gives ⌈n/s⌉ windows, with the extra cell (if any) after, and no smaller total would do."""
    before, after = same_padding(n, f, s, d)
    assert len(slide(n, f, before, after, s, d)) == math.ceil(n / s)
    assert after - before in (0, 1)
    total = before + after
    if total > 0:
        fewer = total - 1
        assert len(slide(n, f, fewer // 2, fewer - fewer // 2, s, d)) < math.ceil(n / s)


@pytest.mark.parametrize("f", [1, 3, 5, 7, 9, 11])
def test_same_padding_for_odd_f_and_stride_1_is_f_minus_1_over_2(f):
    """For odd f and s = 1, "same" is the course's p = (f − 1)/2 on both sides."""
    assert same_padding(20, f) == ((f - 1) // 2, (f - 1) // 2)


@pytest.mark.parametrize("f, expected", [(2, (0, 1)), (4, (1, 2)), (6, (2, 3))])
def test_same_padding_for_even_f_puts_the_extra_cell_after(f, expected):
    """An even filter needs f − 1 cells of padding, an odd number: the extra one goes at the bottom/right."""
    assert same_padding(10, f) == expected


@pytest.mark.parametrize("s", [1, 2])
def test_same_padding_is_exact_past_float_precision(s):
    """n = 2⁶⁰ + 1 (n/s is not exact in a float): a 3×3 filter still gets one cell a side, as for small odd n."""
    assert same_padding(2**60 + 1, 3, s) == same_padding(5, 3, s) == (1, 1)


@pytest.mark.parametrize("p, expected", [("valid", (0, 0)), ("VALID", (0, 0)), ("same", (1, 1)), (" Same ", (1, 1)),
                                         (2, (2, 2)), ("2", (2, 2))])
def test_resolve_padding_words_and_numbers(p, expected):
    """p may be a number, "valid" (0) or "same", in any case."""
    assert resolve_padding(8, 3, p) == expected


@pytest.mark.parametrize("p", ["full", "-1", "1.5", "２"])
def test_resolve_padding_refuses_other_words(p):
    """Anything else is a plain ValueError."""
    with pytest.raises(ValueError):
        resolve_padding(8, 3, p)


# ---------------------------------------------------------------- where the windows go
AXES = [(6, 3, 0, 1, 1), (7, 3, 0, 2, 1), (7, 3, 0, 3, 1), (9, 3, 0, 2, 2), (5, 4, "same", 1, 1),
        (8, 3, 1, 3, 1), (10, 2, 0, 3, 1), (4, 1, 2, 2, 1), (11, 5, "same", 2, 2)]


@pytest.mark.parametrize("rows_args", AXES)
@pytest.mark.parametrize("cols_args", [(6, 3, 0, 1, 1), (7, 3, 0, 3, 1)])
def test_usage_counts_match_a_2d_loop_over_every_window(rows_args, cols_args):
    """The usage grid equals counting, cell by cell, every 2-D window that reads it."""
    n_r, f, p_r, s_r, d_r = rows_args
    rows = Axis.make(*rows_args)
    cols = Axis.make(cols_args[0] + rows.f_eff, f, cols_args[2], cols_args[3], d_r)  # wide enough to fit
    expected = np.zeros((rows.padded, cols.padded), dtype=int)
    win_r = slide(rows.n, f, rows.pad_before, rows.pad_after, rows.s, d_r)
    win_c = slide(cols.n, f, cols.pad_before, cols.pad_after, cols.s, d_r)
    for taps_r in win_r:
        for taps_c in win_c:
            for r in taps_r:
                for c in taps_c:
                    expected[r, c] += 1
    np.testing.assert_array_equal(usage_grid(rows, cols), expected)
    assert (rows.out, cols.out) == (len(win_r), len(win_c))


@pytest.mark.parametrize("args", AXES)
def test_taps_and_unread_inputs_match_the_brute_force_windows(args):
    """Output i reads exactly the i-th window's cells; unread inputs are the real cells no window touches."""
    axis = Axis.make(*args)
    windows = slide(axis.n, axis.f, axis.pad_before, axis.pad_after, axis.s, axis.dilation)
    for i, taps in enumerate(windows):
        assert axis.taps(i).tolist() == taps
    read = {t for taps in windows for t in taps}
    unread = [k - axis.pad_before for k in range(axis.pad_before, axis.pad_before + axis.n) if k not in read]
    assert axis.unread_inputs().tolist() == unread
    assert axis.leftover == axis.padded - (windows[-1][-1] + 1)


def test_corners_are_read_once_and_the_centre_f_squared_times():
    """The course's picture: 6×6 input, 3×3 filter, no padding: corners used once, the centre 9 times."""
    axis = Axis.make(6, 3)
    grid = usage_grid(axis, axis)
    assert grid[0, 0] == grid[0, -1] == grid[-1, 0] == grid[-1, -1] == 1
    assert grid[2, 2] == grid[3, 3] == 9


def test_a_stride_that_does_not_divide_leaves_the_last_rows_unread():
    """7 cells, f = 3, s = 3: windows at 1–3 and 4–6; cell 7 (index 6) is never read."""
    axis = Axis.make(7, 3, 0, 3)
    assert axis.unread_inputs().tolist() == [6] and axis.leftover == 1


# ---------------------------------------------------------------- transposed convolution
TRANSPOSED = list(itertools.product(range(1, 9), range(1, 6), range(0, 3), range(1, 5)))


@pytest.mark.parametrize("n, f, p, s", TRANSPOSED[::5])
def test_transposed_output_is_the_input_a_convolution_would_shrink_back_to_n(n, f, p, s):
    """Every output size m a transposed conv gives (one per output_padding < s) is slid back to n by the conv."""
    for op in range(s):
        full = (n - 1) * s + f + op  # reference: the extent of the stamps, then crop p from each side
        if full - 2 * p < 1:
            with pytest.raises(ValueError):
                transposed_conv_output_size(n, f, p, s, op)
            continue
        m = transposed_conv_output_size(n, f, p, s, op)
        assert len(slide(m, f, p, p, s)) == n


@pytest.mark.parametrize("n, f, p, s", [(4, 2, 0, 2), (4, 3, 1, 2), (6, 3, 0, 2), (5, 4, 1, 2), (3, 3, 0, 3)])
def test_transposed_overlap_matches_scattering_each_input_cell(n, f, p, s):
    """Stamp counts equal a loop that adds each input cell's f taps into a long output, then crops p a side."""
    for op in range(s):
        length = (n - 1) * s + f + op
        stamps = [0] * length
        for i in range(n):
            for k in range(f):
                stamps[i * s + k] += 1
        expected = stamps[p:length - p]
        assert transposed_overlap(n, f, p, s, op).tolist() == expected


def test_transposed_uneven_stamps_when_f_is_not_a_multiple_of_s():
    """f = 3, s = 2 gives alternating 1, 2 counts (the checkerboard); f = 2, s = 2 gives all ones."""
    assert set(transposed_overlap(6, 3, 0, 2)[1:-1].tolist()) == {1, 2}
    assert set(transposed_overlap(6, 2, 0, 2).tolist()) == {1}


@pytest.mark.parametrize("kwargs, words", [
    (dict(n=4, f=2, s=2, output_padding=2), "output_padding must be smaller"),
    (dict(n=4, f=3, s=1, output_padding=1), "output_padding must be smaller"),
    (dict(n=1, f=1, p=1), "crops away"), (dict(n=0, f=2), "n must be"), (dict(n=3, f=2, s=0), "stride"),
    (dict(n=3, f=2, output_padding=-1), "output_padding must be at least 0"),
])
def test_transposed_invalid_settings(kwargs, words):
    """Out-of-range settings raise ValueError in plain words (ONNX Runtime refuses the same ones)."""
    with pytest.raises(ValueError, match=words):
        transposed_conv_output_size(**kwargs)


# ---------------------------------------------------------------- check yourself
@pytest.mark.parametrize("seed", range(0, 600, 3))
def test_quiz_answers_match_the_brute_force(seed):
    """Each generated question's answer is recomputed from its numbers with the sliding reference."""
    q = make_question(seed)
    v = q.numbers
    if q.kind in ("output", "pool"):
        expected = len(slide(v["n"], v["f"], v.get("p", 0), v.get("p", 0), v["s"]))
    elif q.kind == "same":
        expected = next(p for p in range(10) if len(slide(v["n"], v["f"], p, p, 1)) == v["n"])
    elif q.kind == "params":
        expected = np.zeros((v["k"], v["n_c"], v["f"], v["f"])).size + v["k"]  # weights + one bias per filter
    elif q.kind == "macs":
        pad = v["f"] // 2
        windows = len(slide(v["n"], v["f"], pad, pad, 1)) ** 2
        expected = windows * v["k"] * v["f"] * v["f"] * v["n_c"]
    else:
        expected = next(m for m in range(1, 200) if len(slide(m, v["f"], v["p"], v["p"], v["s"])) == v["n"])
    assert q.answer == expected
    assert q.kind == "params" or f"{v['n']}×{v['n']}" in q.text


def test_quiz_is_reproducible_and_covers_every_kind():
    """The same seed gives the same question; 200 seeds reach all question kinds."""
    assert make_question(17) == make_question(17)
    assert {make_question(seed).kind for seed in range(200)} == set(KINDS)


def test_shape_error_is_a_value_error():
    """Callers can catch the library's errors as ValueError."""
    assert issubclass(ShapeError, ValueError)
