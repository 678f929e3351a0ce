"""A link is a visitor's text too: Markdown, LaTeX and HTML in every link parameter of every page is shown
escaped (or not at all), never rendered, and never raises.

The pages are walked from the catalog (and home). A page's parameters are the ones it writes into its own
link, in its default view and in each of its tabs. Each view is opened twice: with the payload in every
parameter, then with the payload only in the parameters that kept it (free text) and the view's own values
in the others, so text that a choice makes the page read is read.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from playground.catalog import built_concepts
from tests.conftest import REPO_ROOT

TIMEOUT = 120
PAYLOAD = "**bold** [link](http://evil.example) `code` $x^2$ <b>h</b> :red[red] \\frac{1}{0}"
# The payload as Markdown would render it: bold, a live link, code, a formula, HTML, a Streamlit colour
# directive. An escaped payload contains none of these (a backslash breaks each one).
RAW_MARKS = ("**bold**", "[link](", "`code`", "$x^2$", "<b>h</b>", "http://evil", ":red[")
PLAIN_TYPES = {"text", "code"}  # elements that show their text as typed, never as markup
TYPED_TYPES = {"text_area", "text_input"}  # their value is shown as typed; only label, help and placeholder render


def page_file(slug: str) -> str:
    return "pages/home.py" if slug == "home" else f"pages/{slug}.py"


def open_page(slug: str, params: dict[str, str]) -> AppTest:
    """The page alone, opened from a link; home through the entry point (its links need the navigation)."""
    at = AppTest.from_file(str(REPO_ROOT / ("streamlit_app.py" if slug == "home" else page_file(slug))),
                           default_timeout=TIMEOUT)
    at.query_params.update(params)
    return at.run()


def unescaped_markup(at: AppTest) -> list[str]:
    """Every element whose markup-rendered fields (its whole protobuf, bar st.text and st.code) hold the payload
    unescaped: Markdown bodies, alerts, captions, LaTeX, labels, help, options, chart specs. A text box's own
    value is the visitor's text shown as typed."""
    found = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", "") in PLAIN_TYPES:
            continue
        kind = getattr(node, "type", "")
        dumped = " ".join([proto.label, proto.help, proto.placeholder]) if kind in TYPED_TYPES else str(proto)
        found += [f"{node.type}: {mark}" for mark in RAW_MARKS if mark in dumped]
    return found


def views(slug: str) -> list[dict[str, str]]:
    """The link of the default view and of each other tab (the tab is named by the link key holding its label)."""
    at = open_page(slug, {})
    assert not at.exception, (slug, at.exception)
    default = dict(at.query_params)
    labels = [node.label for node in at._tree if getattr(node, "type", "") == "tab"]
    tab_keys = [k for k, v in default.items() if v in labels]
    found = [default]
    for label in labels if tab_keys else ():
        if label != default[tab_keys[0]]:
            tab = open_page(slug, {tab_keys[0]: label})
            assert not tab.exception, (slug, label, tab.exception)
            found.append(dict(tab.query_params))
    return found


def check(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [e.message for e in at.exception])
    marks = unescaped_markup(at)
    assert not marks, (where, marks)


@pytest.mark.parametrize("slug", ["home"] + [c.slug for c in built_concepts()])
def test_markup_in_every_link_parameter_is_never_rendered(slug):
    """Every parameter of every view holds Markdown/LaTeX/HTML: no exception, and no element shows it as markup
    (the bad-link warning quotes it escaped); then the free-text parameters alone hold it."""
    for link in views(slug):
        tab = f"{slug} {link.get('tab', '')}".strip()
        at = open_page(slug, {key: PAYLOAD for key in link})
        check(at, f"{tab}: every parameter")
        kept = [k for k, v in at.query_params.items() if v == PAYLOAD and k in link]
        if kept:
            at = open_page(slug, link | {key: PAYLOAD for key in kept})
            check(at, f"{tab}: free text {kept}")


def test_the_walk_meets_link_parameters():
    """The walk has something to walk: the first built page writes parameters into its link."""
    first = built_concepts()[0].slug
    assert any(views(first)), first
