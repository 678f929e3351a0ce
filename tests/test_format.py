"""How the pages write numbers: one formatter per kind of number, checked on hand-written cases."""

from __future__ import annotations

import numpy as np
import pytest

from pages._shared import format as fmt


@pytest.mark.parametrize("value, digits, text", [
    (30.0, 3, "30"), (-4.0, 3, "\u22124"), (1 / 3, 3, "0.333"), (1234.4, 3, "1234"), (0.0, 3, "0"),
    (-0.5, 3, "\u22120.5"), (123.456, 4, "123.5"), (12345.6, 4, "12346"), (2.5e-5, 3, "2.5e\u221205"),
])
def test_num_writes_whole_numbers_plainly_and_others_to_significant_digits(value, digits, text):
    """Whole numbers and big ones without decimals, small ones to `digits` significant digits, typographic minus."""
    assert fmt.num(value, digits) == text


def test_latex_num_puts_negative_numbers_in_parentheses():
    """−3 is written (-3) in a formula, 3 stays 3, and the result form has no parentheses."""
    assert (fmt.latex_num(-3), fmt.latex_num(3), fmt.latex_plain(-3)) == ("(-3)", "3", "-3")


def test_bmatrix_writes_rows_and_columns():
    """A 2×2 array becomes a LaTeX bmatrix, row by row."""
    assert fmt.bmatrix(np.array([[1, -2], [0.5, 4]])) == r"\begin{bmatrix}1 & -2 \\ 0.5 & 4\end{bmatrix}"


@pytest.mark.parametrize("count, text", [
    (864, "864"), (2_814_230, "2,814,230"), (15_470_000_000, "15.47 billion"), (3 * 10**12, "3.00 trillion"),
    (10**21, "1.00e+21"),
])
def test_compact_counts(count, text):
    """Counts in full below a billion, then in billions, trillions, and e-notation past 10¹⁵."""
    assert fmt.compact(count) == text


def test_exact_keeps_every_digit_of_a_whole_number():
    """VGG-16's 138,357,544 parameters are never rounded; a fraction gets 4 significant digits."""
    assert (fmt.exact(138_357_544), fmt.exact(2 / 3)) == ("138,357,544", "0.6667")


def test_index_list_counts_from_one_and_stops_at_the_limit():
    """0-based 0, 2, 4 read "1, 3, 5"; a long list ends with how many there are."""
    assert fmt.index_list(np.array([0, 2, 4])) == "1, 3, 5"
    assert fmt.index_list(np.arange(20), limit=3) == "1, 2, 3, … (20 in all)"


def test_percent_and_ratio():
    """0.674 is 67.4%; a gradient ratio of 1869.2 is 1,869 and of 1.94 is 1.9."""
    assert (fmt.percent(0.674), fmt.ratio(1869.2), fmt.ratio(1.94)) == ("67.4%", "1,869", "1.9")


@pytest.mark.parametrize("raw", [
    "**bold** [link](http:__evil.example) `code` $x^2$.png", "<script>alert(1)</script>", ":red[x] :material/home:",
    "# heading\n- item", "a_b*c~d|e", "\\(x\\)",
])
def test_escape_leaves_no_markup_character_unescaped(raw):
    """Every Markdown/LaTeX/directive character of visitor text gets a backslash; newlines become spaces."""
    out = fmt.escape(raw)
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert out[i + 1] in fmt._MARKUP, out
            i += 2
            continue
        assert out[i] not in fmt._MARKUP and out[i] not in "\n\r", (out, i)
        i += 1


def test_escape_keeps_ordinary_text_and_cuts_long_text():
    """Letters, digits, spaces and accents pass unchanged; 500 characters are cut to the limit with "…"."""
    assert fmt.escape("Chelsea 2 café") == "Chelsea 2 café"
    assert fmt.escape("x" * 500) == "x" * fmt.MAX_ECHO + "…"


@pytest.mark.parametrize("raw, joined", [
    ("[link](http://evil.example)", "http\u2060:"), ("HTTPS://x.org", "HTTPS\u2060:"),
    ("see www.evil.example", "www\u2060."), ("me@evil.example", "me\u2060@"),
])
def test_escape_breaks_bare_links_with_an_invisible_joiner(raw, joined):
    """GFM links bare URLs and e-mail addresses even when every mark is backslash-escaped: a word joiner (U+2060)
    goes inside "http://", "www." and before "@"; without the joiners and backslashes the text is as typed."""
    out = fmt.escape(raw)
    assert joined in out.replace("\\", "")
    assert out.replace("\u2060", "").replace("\\", "") == raw
