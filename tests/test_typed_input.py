"""Typed input on every page: bad numbers and bad text get a message in words, never a stale result or markup.

The pages are walked through the catalog (home included), each in its default view,
each of its tabs, and a few views a control opens (``EXTRA_VIEWS``); every number
field (``ui.number_field``: a text box keyed ``<key>__typed``) and every text area
found there is typed into. One test id per page × view × widget × value.

Sampling, to keep the module near a minute on two shared cores: every number field
gets its out-of-range value (above the range, or below where there is no upper bound)
and ``SAMPLED`` more values, rotating through ``NUMBER_VALUES`` by the field's
position, so each page's fields together see every kind. ``TYPED_INPUT_ALL=1`` types
every value into every field. Every text area gets every ``TEXT_VALUES`` kind.
The reader itself (:mod:`pages._shared.typed`) is unit-tested on every value below.
"""

from __future__ import annotations

import base64
import math
import os
import random
import re
import zlib
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from streamlit.testing.v1 import AppTest

from pages._shared import format as fmt
from pages._shared import typed, ui
from playground.catalog import built_concepts
from tests.conftest import REPO_ROOT

TIMEOUT = 120
PAYLOAD = "**b** [l](http://x.example) $x^2$ <b>h</b>"
# What the payload would look like rendered or passed through unescaped: none may appear in any message.
MARKUP = ("**b**", "[l](http", "$x^2$", "<b>h</b>", "<b>")
LONG = 20_000  # characters
SAMPLED = 2  # values per number field besides its out-of-range one (all with TYPED_INPUT_ALL=1)
LIMITED_AREAS = {"k_text", "net"}  # text areas whose parser has a length limit: over it, the message states it
EVERY_VALUE = os.environ.get("TYPED_INPUT_ALL") == "1"

# Views a control opens that the default view and the tabs do not show: page slug -> session-state values.
EXTRA_VIEWS = {
    "edge_filters": ({"kern": "custom"},),
    "anchor_boxes": ({"mode": "placed"},),
    "non_max_suppression": ({"src": "random"}, {"src": "detector"}),
    "triplet_loss": ({"tmode": "pick"},),
}

# Value kinds typed into number fields; out-of-range ones are made from the field's own range.
NUMBER_VALUES = ("below", "above", "abc", "nan", "inf", "1e300", "99999999999999999999", "empty", "long",
                 "1e3", "3.7", "payload")
TEXT_VALUES = ("empty", "abc", "long", "payload")


def number_text(kind: str, lo, hi, whole: bool) -> str | None:
    """The text typed for ``kind`` into a field of range [lo, hi]; None when the kind does not apply."""
    step = 1 if whole else 0.5
    if kind == "below":
        return None if lo is None else typed.show_number(lo - step)
    if kind == "above":
        return None if hi is None else typed.show_number(hi + step)
    return {"abc": "abc", "empty": "", "long": "1" * LONG, "payload": PAYLOAD}.get(kind, kind)


def expected_value(text: str, lo, hi, whole: bool):
    """The value a valid text stands for (an independent reading with float/int), or None when it is not valid."""
    try:
        number = float(text)
    except ValueError:
        return None
    if not math.isfinite(number) or abs(number) > 1e18:
        return None
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        return None
    if whole:
        return int(number) if number.is_integer() else None
    return number


# ---------------------------------------------------------------- the reader, on its own
@pytest.mark.parametrize(("text", "whole", "value"), [
    ("6", True, 6), (" 7 ", True, 7), ("+5", True, 5), ("−5", True, -5), ("1e1", True, 10), ("1E1", True, 10),
    ("4.0", True, 4), ("0.35", False, 0.35), (".5", False, 0.5), ("5.", False, 5.0), ("-2.5e-1", False, -0.25),
])
def test_reader_takes_plain_decimal_numbers_exactly(text, whole, value):
    """A decimal number (sign, point, exponent; the page's own minus −) reads as itself: 1e1 is 10, not 1."""
    reading = typed.read_number(text, -100, 100, whole=whole, name="n")
    assert reading.ok and reading.value == value and type(reading.value) is (int if whole else float)


@pytest.mark.parametrize(("text", "why"), [
    ("-5", "out of range"), ("65", "out of range"), ("1e3", "(= 1,000), which is out of range"),
    ("99999999999999999999", "out of range"), ("1e300", "out of range"), ("1" * LONG, "out of range"),
    ("1e999999999", "out of range"), ("3.7", "not a whole number"), ("abc", "not a number"),
    ("1_000", "not a number"), ("0x10", "not a number"), ("1,5", "not a number"), ("٣", "not a number"),
    ("nan", "not a finite number"), ("-inf", "not a finite number"), ("Infinity", "not a finite number"),
    ("", "the field is empty"), ("   ", "the field is empty"), (PAYLOAD, "not a number"),
])
def test_reader_says_in_words_what_is_wrong(text, why):
    """Each bad text is refused with the rule (a whole number from 1 to 64) and the reason, never a value."""
    reading = typed.read_number(text, 1, 64, whole=True, name="n_H")
    assert reading.value is None and not reading.ok
    assert reading.problem.startswith("n\\_H must be a whole number from 1 to 64; ") and why in reading.problem


def test_reader_echoes_the_text_escaped_and_cut():
    """The typed text is repeated Markdown-escaped, cut to 40 characters with its length: no markup survives."""
    problem = typed.read_number(PAYLOAD, 1, 64, name="n").problem
    assert not any(m in problem for m in MARKUP) and "(42 characters)" in problem
    long = typed.read_number("x" * LONG, 1, 64, name="n").problem
    assert len(long) < 200 and f"({LONG:,} characters)" in long


def test_reader_optional_empty_is_no_answer_yet():
    """An empty optional field (an answer not typed yet) reads as None without a problem; text still gets checked."""
    assert typed.read_number("", 0, None, optional=True) == typed.Reading(None)
    assert "not a number" in typed.read_number("x", 0, None, optional=True).problem


@pytest.mark.parametrize(("lo", "hi", "whole", "rule"), [
    (0, 1, False, "a number from 0 to 1"), (-3, None, True, "a whole number of at least −3"),
    (None, 10, True, "a whole number of at most 10"), (None, None, False, "a number;"),
    (1, 4096, True, "a whole number from 1 to 4,096"),
])
def test_reader_states_the_range_as_the_field_has_it(lo, hi, whole, rule):
    """The rule in the message names both bounds, one, or none, with thousands separators and the minus −."""
    assert rule in typed.read_number("abc", lo, hi, whole=whole, name="x").problem


@pytest.mark.parametrize("value", [6, 0, -4, 0.35, 1e-7, 123456.5, None])
def test_show_number_round_trips_through_the_reader(value):
    """What a field shows for a value reads back as that value (so a link's value refills the box exactly)."""
    whole = isinstance(value, int)
    assert typed.read_number(typed.show_number(value), None, None, whole=whole, optional=True).value == value


# ---------------------------------------------------------------- every page
@dataclass(frozen=True)
class Case:
    slug: str
    view: tuple[tuple[str, str], ...]  # session-state values that open the view
    key: str  # the number field's key, or the text area's
    kind: str
    area: bool = False

    @property
    def id(self) -> str:
        view = ",".join(f"{k}={v}" for k, v in self.view) or "default"
        return f"{self.slug}-{view}-{self.key}-{self.kind}"


_apps: dict[str, AppTest] = {}
_defaults: dict[str, dict] = {}


def page_app(slug: str) -> AppTest:
    """One app per page, through the entry point, kept warm across the page's cases."""
    if slug not in _apps:
        at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
        if slug != "home":
            at.switch_page(f"pages/{slug}.py").run()
        assert not at.exception, at.exception
        _apps[slug] = at
        _defaults[slug] = {}
    return _apps[slug]


def views_of(slug: str) -> list[tuple[tuple[str, str], ...]]:
    """The default view, one view per tab (its label in ``tab``), and the page's extra views."""
    at = page_app(slug)
    views = [()]
    if at.tabs and "tab" in at.session_state:
        views += [(("tab", t.label),) for t in at.tabs][1:]
    views += [tuple(v.items()) for v in EXTRA_VIEWS.get(slug, ())]
    return views


def other_valid(lo, hi, shown: str) -> str:
    """A valid value other than the one shown, from the field's range."""
    candidates = [v for v in (lo, hi) if v is not None] + ([lo + 1] if lo is not None else [])
    return next(t for t in map(typed.show_number, candidates) if t != shown)


_current: dict[str, tuple] = {}  # the view each page's app shows now


def open_view(at: AppTest, slug: str, view: tuple[tuple[str, str], ...]) -> None:
    """Set the view's keys (every other view key back to its default) and run, unless it is open already."""
    if _current.get(slug) == view:
        return
    _current[slug] = view
    defaults = _defaults[slug]
    wanted = dict(view)
    for key in set(wanted) | set(defaults):
        if key not in defaults:
            defaults[key] = at.session_state[key]
        at.session_state[key] = wanted.get(key, defaults[key])
    at.run()
    assert not at.exception, at.exception


def fields(at: AppTest) -> list[str]:
    """The number fields' keys in the current view, in page order (a disabled one cannot be typed into)."""
    return [w.key[:-len(ui.FIELD_SUFFIX)] for w in at.text_input
            if w.key and w.key.endswith(ui.FIELD_SUFFIX) and not w.proto.disabled]


def cases() -> list[Case]:
    """Every page × view × widget × value to type (number fields sampled as the module docstring says)."""
    out = []
    for slug in ["home"] + [c.slug for c in built_concepts()]:
        page_cases, turn = [], 0
        for view in views_of(slug):
            at = page_app(slug)
            open_view(at, slug, view)
            spec = at.session_state[ui.FIELDS_KEY] if ui.FIELDS_KEY in at.session_state else {}
            for key in fields(at):
                lo, hi, whole, optional = spec[key][2]
                kinds = [k for k in NUMBER_VALUES if number_text(k, lo, hi, whole) is not None
                         and not (optional and k == "empty")]  # an empty answer field is "not answered yet"
                first = next(k for k in ("above", "below", "abc") if k in kinds)  # out of range, where it can be
                rest = [k for k in kinds if k != first]
                chosen = rest if EVERY_VALUE else [rest[(turn + j) % len(rest)] for j in range(SAMPLED)]
                turn += SAMPLED
                page_cases.append((view, key, rest, [first, *chosen]))
            for area in at.text_area:
                out += [Case(slug, view, area.key, kind, area=True) for kind in TEXT_VALUES]
        for kind in NUMBER_VALUES:  # a kind no field of the page got yet goes to the first field that takes it
            if page_cases and not any(kind in c[3] for c in page_cases):
                target = next((c for c in page_cases if kind in c[2]), None)
                if target:
                    target[3].append(kind)
        out += [Case(slug, view, key, kind) for view, key, _, kinds in page_cases for kind in dict.fromkeys(kinds)]
    return out


CASES = cases()


# Timings change from run to run: "12 ms", and the latency column of "What ran" (rows "| `model` | provider | 1.25 |").
_TIMING = re.compile(r"[0-9][0-9,.]* ms\b|(?<=\| )[0-9.]+(?= \|$)", re.M)


def snapshot(at: AppTest) -> list[tuple[str, str]]:
    """What the page shows besides messages and the typed boxes: each element's type, and its text where it has
    one (timings blanked)."""
    skip = {"error", "warning", "info", "success", "exception", "text_input", "text_area"}
    shown = []

    def walk(node) -> None:
        kind = getattr(node, "type", "")
        if kind not in skip:
            value = getattr(node, "value", "") if kind in {"markdown", "latex", "caption", "metric", "code"} else ""
            shown.append((kind, _TIMING.sub("#", str(value))))
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return shown


def messages(at: AppTest) -> list[str]:
    return [m.value for m in [*at.error, *at.warning, *at.info]]


def assert_no_markup(at: AppTest) -> None:
    """No message, markdown, caption or formula holds the payload's markup unescaped."""
    texts = messages(at) + [m.value for m in [*at.markdown, *at.caption, *at.latex, *at.success]]
    bad = [t[:120] for t in texts if any(m in t for m in MARKUP)]
    assert not bad, bad


def test_every_page_is_walked():
    """The walk reaches every built page (home has no typed input) and finds typed input on at least one."""
    slugs = {c.slug for c in CASES}
    assert slugs <= {c.slug for c in built_concepts()} and len(slugs) >= min(3, len(built_concepts()))
    assert all(c.slug in _apps for c in built_concepts()) and "home" in _apps


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_typed_input_gets_words_not_a_stale_result(case):
    """A bad value gets a message in words naming the field, never a traceback or rendered markup, and no
    result is drawn for the field's old value: its key holds None and the page's results change."""
    at = page_app(case.slug)
    open_view(at, case.slug, case.view)
    if case.area:
        box = at.text_area(key=case.key)
        before, shown = box.value, snapshot(at)
        box.input({"empty": "", "abc": "abc", "long": "x" * LONG, "payload": PAYLOAD}[case.kind]).run()
        try:
            assert not at.exception, at.exception
            assert messages(at), "no message in words for this text"
            if case.kind == "long" and case.key in LIMITED_AREAS:  # the limit is stated as a limit
                assert any("at most" in m for m in messages(at)), messages(at)
            assert_no_markup(at)
            long_params = [k for k, v in at.query_params.items() if len(quote(str(v), safe="")) > ui.LINK_TEXT_LIMIT]
            assert not long_params, f"link parameters over {ui.LINK_TEXT_LIMIT} characters: {long_params}"
            if case.key in at.session_state["_ui_url_keys"] and case.key not in at.query_params and case.kind != "empty":
                assert any("too long for a link" in c.value for c in at.caption)  # the page says what was left out
        finally:
            at.text_area(key=case.key).input(before).run()
        assert not at.exception and at.text_area(key=case.key).value == before
        return
    lo, hi, whole, optional = at.session_state[ui.FIELDS_KEY][case.key][2]
    box = at.text_input(key=ui.field_key(case.key))
    before, label, shown = box.value, box.label, snapshot(at)
    text = number_text(case.kind, lo, hi, whole)
    box.input(text).run()
    try:
        assert not at.exception, at.exception
        assert_no_markup(at)
        value = expected_value(text, lo, hi, whole)
        named = [m for m in at.error if m.value.startswith(fmt.escape(label) + " must be")]
        if value is not None or (optional and text == ""):  # a valid text (1e3 = 1000, 3.7 in a number field)
            assert not named and at.session_state[case.key] == value
            return
        assert named, f"no message names the field: {messages(at)}"
        assert at.session_state[case.key] is None  # nothing can read the old value
        if not optional and snapshot(at) == shown:  # the results look as before: do they depend on the field here?
            at.text_input(key=ui.field_key(case.key)).input(other_valid(lo, hi, before)).run()
            assert snapshot(at) == shown, "the page still shows the results of the old value"
    finally:
        at.text_input(key=ui.field_key(case.key)).input(before).run()
    assert not at.exception and not at.error and at.text_input(key=ui.field_key(case.key)).value == before


# ---------------------------------------------------------------- long text in the link (issue #15, item 7)
@pytest.mark.parametrize("text", ["conv f=3 c=16", "conv f=3 s=1 p=same c=64\n" * 300, "é ü ∑ " * 2000])
def test_pack_text_keeps_links_short_and_reads_back(text):
    """A text is written into the link as it is when short, else compressed within the limit, and reads back."""
    packed = ui.pack_text(text, ui.LINK_TEXT_LIMIT)
    assert packed is not None and len(quote(packed, safe="")) <= ui.LINK_TEXT_LIMIT
    assert (packed == text) == (len(quote(text, safe="")) <= ui.LINK_TEXT_LIMIT)
    assert (text if packed == text else ui.unpack_text(packed, 20_000)) == text


def test_pack_text_leaves_out_what_cannot_fit():
    """Text that stays over the limit even compressed (here: random digits) is left out (None)."""
    rng = random.Random(15)
    text = "\n".join(f"conv f={rng.randrange(1, 99)} c={rng.randrange(1, 9999)}" for _ in range(800))
    assert ui.pack_text(text, ui.LINK_TEXT_LIMIT) is None


@pytest.mark.parametrize("raw", ["z~!!!", "z~" + "A" * 10, "z~" + base64.urlsafe_b64encode(zlib.compress(b"x" * 10**6)).decode()])
def test_unpack_text_refuses_damaged_or_oversized_values(raw):
    """A damaged value, or one that would unpack past the text limit (a zip bomb), is refused, not inflated."""
    with pytest.raises(ValueError):
        ui.unpack_text(raw, 20_000)


def network_app(**params) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "pages" / "conv_arithmetic.py"), default_timeout=TIMEOUT)
    at.query_params.update({"tab": "Whole network", **params})
    return at.run()


@pytest.mark.skipif("conv_arithmetic" not in {c.slug for c in built_concepts()}, reason="needs Padding & stride")
def test_a_300_line_network_gives_a_short_link_that_reproduces_it():
    """300 layers (about 9,000 characters) go into the link compressed, under 2,000 characters, and the link
    opens the same network."""
    net = "conv f=3 s=1 p=same c=16\n" * 300
    at = network_app()
    at.text_area(key="net").input(net).run()
    assert not at.exception and len(quote(at.query_params["net"], safe="")) <= ui.LINK_TEXT_LIMIT
    again = network_app(**dict(at.query_params))
    assert not again.exception and not again.warning and again.text_area(key="net").value == net


@pytest.mark.skipif("conv_arithmetic" not in {c.slug for c in built_concepts()}, reason="needs Padding & stride")
def test_a_network_too_long_for_a_link_is_left_out_and_the_page_says_so():
    """A network that stays over the limit compressed is left out of the link, with a sentence saying so."""
    rng = random.Random(7)
    net = "\n".join(f"conv f={rng.choice((1, 3, 5))} c={rng.randrange(1, 9999)}" for _ in range(800))
    at = network_app()
    at.text_area(key="net").input(net).run()
    assert not at.exception and "net" not in at.query_params
    assert any("too long for a link" in c.value for c in at.caption)
