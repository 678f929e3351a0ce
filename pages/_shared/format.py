"""Numbers as the pages write them: in text, in metrics and in LaTeX.

One home for every formatter, so a value reads the same on every page.
"""

from __future__ import annotations

import re

import numpy as np

MINUS = "\u2212"  # the typographic minus, for text (LaTeX gets "-")


def num(value: float, digits: int = 3) -> str:
    """A number as a learner reads it, with a typographic minus.

    Whole numbers, and anything of ``digits`` or more digits before the point,
    without decimals; others to ``digits`` significant digits; never
    e-notation above 1: ``30``, ``−4``, ``0.333``, ``1234``.
    """
    value = float(value)
    if value == 0:
        return "0"
    big = value.is_integer() or abs(value) >= 10 ** (digits - 1)
    text = f"{value:.0f}" if big else f"{value:.{digits}g}"
    return text.replace("-", MINUS)


def latex_num(value: float, digits: int = 3) -> str:
    """:func:`num` for LaTeX: an ASCII minus, and negative numbers in parentheses (they are multiplied or added)."""
    text = num(value, digits).replace(MINUS, "-")
    return f"({text})" if text.startswith("-") else text


def latex_plain(value: float, digits: int = 3) -> str:
    """:func:`num` for LaTeX where no parentheses are needed (a result after "=")."""
    return num(value, digits).replace(MINUS, "-")


def bmatrix(values: np.ndarray) -> str:
    """A 2-D array as a LaTeX bmatrix, each entry as :func:`num` writes it."""
    rows = [" & ".join(latex_plain(v) for v in row) for row in np.asarray(values)]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def exact(value: float) -> str:
    """Whole numbers in full with thousands separators (138,357,544), others to 4 significant digits."""
    value = float(value)
    return f"{int(value):,}" if value.is_integer() and abs(value) < 1e18 else f"{value:.4g}"


def compact(count: int) -> str:
    """A count short enough for a metric: 864, 2,814,230, 15.47 billion, 1.05e+21."""
    if count < 10**9:
        return f"{count:,}"
    if count < 10**12:
        return f"{count / 10**9:.2f} billion"
    if count < 10**15:
        return f"{count / 10**12:.2f} trillion"
    return f"{count:.2e}"


def percent(fraction: float) -> str:
    """A fraction 0…1 as a percentage with one decimal: 0.674 → 67.4%."""
    return f"{fraction:.1%}"


def ratio(value: float) -> str:
    """A ratio such as a gradient's growth: whole from 10 up (1,869), else two significant digits (1.9)."""
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def index_list(indices: np.ndarray, limit: int = 12) -> str:
    """0-based indices written 1-based as short text: "7", "3, 5, 7", the first ``limit`` then "…"."""
    shown = ", ".join(str(int(k) + 1) for k in indices[:limit])
    return shown + (f", … ({len(indices)} in all)" if len(indices) > limit else "")


# Markdown, LaTeX ($) and Streamlit's own directives (:red[…], :material/…:) read these ASCII
# punctuation marks; a backslash before each makes Markdown print it as it is.
_MARKUP = set("\\`*_{}[]()#+-.!|~<>$:&=\"'")
MAX_ECHO = 200  # characters of a visitor's text repeated back on a page
# GFM turns bare URLs and e-mail addresses into live links after the escapes are read (the Markdown renderer
# finds them in the plain text), so a backslash cannot stop it: an invisible word joiner (U+2060) inside
# "http://", "www." and before "@" does.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")


def escape(text: object, limit: int = MAX_ECHO) -> str:
    """A visitor's text (a file name, typed text, a link parameter) made safe to show inside Markdown.

    Every character that Markdown, LaTeX or Streamlit's directives could read is
    backslash-escaped, so ``**bold** [link](x) $x^2$`` is shown as typed, never
    rendered; a bare URL or e-mail address gets an invisible word joiner so it
    is not made a live link; control characters (newlines included) become
    spaces, and text longer than ``limit`` is cut with "…". Use it for every string a visitor
    controls that reaches st.markdown, st.error, st.warning, st.info,
    st.caption or a widget label.
    """
    text = str(text)
    cut = len(text) > limit
    text = "".join(" " if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in text[:limit])
    text = _AUTOLINK.sub(WORD_JOINER, text)
    return "".join("\\" + c if c in _MARKUP else c for c in text) + ("…" if cut else "")
