"""What a visitor typed into a number field, read exactly, checked against the field's range.

Pure (no Streamlit), so every case is unit-tested: the page's number fields are text
boxes (:func:`pages._shared.ui.number_field`) whose text is read here, so that the
value a result is drawn for is always the one the field shows. Streamlit's own
number input refuses an out-of-range number in the browser only (the server keeps the
old value, and the page its old result), and reads ``1e3`` as 1 and ``3.7`` as 3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pages._shared import format as fmt

# A plain decimal number: optional sign, digits with an optional point, an optional exponent.
# Python's own float() also takes "1_000", "infinity" and non-ASCII digits; a field takes none of them.
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")  # ASCII digits only
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-"})  # the pages write − (U+2212); a pasted one reads as -
_NAMED = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
MAX_ECHO = 40  # characters of the typed text repeated in the message
MAX_MAGNITUDE = Decimal(10) ** 18  # no field takes more; keeps int() of 1e999999999 from running away


@dataclass(frozen=True)
class Reading:
    """A field's text, read: ``value`` when it is valid (or None for an empty optional field), else ``problem``.

    ``problem`` is a whole sentence for the learner, its typed text already escaped
    for Markdown (:func:`pages._shared.format.escape`).
    """

    value: int | float | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _bounds(lo: float | None, hi: float | None, whole: bool) -> str:
    """"a whole number from 1 to 4,096", "a number from 0 to 1", "a number of at least 0"."""
    kind = "a whole number" if whole else "a number"
    if lo is not None and hi is not None:
        return f"{kind} from {fmt.exact(lo)} to {fmt.exact(hi)}".replace("-", fmt.MINUS)
    if lo is not None:
        return f"{kind} of at least {fmt.exact(lo)}".replace("-", fmt.MINUS)
    if hi is not None:
        return f"{kind} of at most {fmt.exact(hi)}".replace("-", fmt.MINUS)
    return kind


def _echo(text: str) -> str:
    """The typed text as the message repeats it: escaped, cut, with its length when cut."""
    shown = fmt.escape(text, limit=MAX_ECHO)
    return f"“{shown}” ({len(text):,} characters)" if len(text) > MAX_ECHO else f"“{shown}”"


def read_number(text: str | None, lo: float | None, hi: float | None, *, whole: bool = True,
                name: str = "This field", optional: bool = False) -> Reading:
    """Read a typed number exactly and check it is within ``[lo, hi]`` (and whole, when ``whole``).

    Parameters
    ----------
    text : str or None
        What the field holds. Surrounding spaces are ignored; ``−5`` reads as ``-5``;
        ``1e3`` is 1000 (a whole number), ``3.7`` is not a whole number.
    lo, hi : float or None
        The inclusive range (None: no bound on that side).
    whole : bool
        The field takes whole numbers only; the value is then an ``int``.
    name : str
        The field as the message names it (the page's own label, escaped here).
    optional : bool
        An empty field is valid and reads as None (an answer not typed yet).

    Returns
    -------
    Reading
        The value (``int`` when ``whole``, else ``float``), or the problem in words,
        e.g. "n_H must be a whole number from 1 to 64; you typed “−5”."
    """
    need = f"{fmt.escape(name)} must be {_bounds(lo, hi, whole)}"
    raw = "" if text is None else str(text)
    typed = raw.strip().translate(_MINUSES)
    if not typed:
        return Reading(None) if optional else Reading(None, f"{need}; the field is empty.")
    if typed.lower() in _NAMED:
        return Reading(None, f"{need}; you typed {_echo(raw)}, which is not a finite number.")
    if not _NUMBER.fullmatch(typed):
        return Reading(None, f"{need}; you typed {_echo(raw)}, which is not a number.")
    try:
        number = Decimal(typed)  # exact: 99999999999999999999 stays itself, 1e300 too
    except InvalidOperation:  # pragma: no cover - the pattern above admits only what Decimal reads
        return Reading(None, f"{need}; you typed {_echo(raw)}, which is not a number.")
    if ((lo is not None and number < Decimal(str(lo))) or (hi is not None and number > Decimal(str(hi)))
            or number.copy_abs() > MAX_MAGNITUDE):  # copy_abs: no rounding, no overflow
        spelled = f" (= {fmt.exact(float(number))})" if "e" in typed.lower() and number.copy_abs() < 10**15 else ""
        return Reading(None, f"{need}; you typed {_echo(raw)}{spelled}, which is out of range.")
    if whole:
        if number != number.to_integral_value():
            return Reading(None, f"{need}; you typed {_echo(raw)}, which is not a whole number.")
        return Reading(int(number))
    return Reading(float(number))


def show_number(value: int | float | None) -> str:
    """A value as a field shows it: ``6``, ``0.35``, ``""`` for None (the inverse of :func:`read_number`)."""
    if value is None:
        return ""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return f"{float(value):.10g}"
