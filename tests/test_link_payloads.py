"""A link is a visitor's text too: Markdown, LaTeX and HTML in every link parameter of every page is shown
escaped (or not at all), never rendered, and never raises.

The pages are walked from the catalog (and home). A page's parameters are the ones it writes into its own
link: in its default view, and in each view that a choice (a tab, a kernel, a scene mode: any ``ui.url_choice``
key) opens with more parameters. The page is opened once with the payload in every parameter it ever wrote,
then once per view with the payload only in that view's free-text parameters (``ui.url_text`` keys) and the
view's own values elsewhere, so the page parses the text it would read there.
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


def numeric(options: list[str]) -> bool:
    """Options that are all numbers (sizes, weights): trying each would cost time and reveal no text."""
    try:
        [float(o) for o in options]
    except ValueError:
        return False
    return True


@pytest.fixture
def seeded(monkeypatch) -> tuple[dict[str, list[str]], set[str]]:
    """The link's choice keys (with their options) and free-text keys, as the pages seed them through
    pages._shared.ui (every page's link state goes through it)."""
    from pages._shared import ui

    choices: dict[str, list[str]] = {}
    texts: set[str] = set()
    url_choice, url_text = ui.url_choice, ui.url_text

    def choice(key, default, options):
        choices[key] = [str(o) for o in options]
        return url_choice(key, default, options)

    def text(key, default, max_len=2000):
        texts.add(key)
        return url_text(key, default, max_len)

    monkeypatch.setattr(ui, "url_choice", choice)
    monkeypatch.setattr(ui, "url_text", text)
    return choices, texts


def reads_free_text(slug: str) -> bool:
    """Whether the page's own code (its file and its helper folder) seeds a free-text link parameter."""
    sources = [REPO_ROOT / page_file(slug), *(REPO_ROOT / "pages" / f"_{slug}").glob("*.py")]
    return any("ui.url_text(" in path.read_text(encoding="utf-8") for path in sources if path.exists())


def views(slug: str, choices: dict[str, list[str]]) -> list[dict[str, str]]:
    """The default view's link, then the link after each choice (a tab, a kernel, a scene mode...) that brings new
    parameters into it: the views in which the page reads more of its link. Choices are tried by warm reruns,
    on pages that have free text to reach."""
    at = open_page(slug, {})
    assert not at.exception, (slug, at.exception)
    default = dict(at.query_params)
    found, known = [default], set(default)
    explore = reads_free_text(slug)
    for key in [k for k in list(choices) if explore and k in default and not numeric(choices[k])]:
        start = at.session_state[key]
        for option in choices[key]:
            if option != str(start):
                at.session_state[key] = option
                at.run()
                assert not at.exception, (slug, key, option, at.exception)
                if set(at.query_params) - known:
                    found.append(dict(at.query_params))
                    known |= set(at.query_params)
        at.session_state[key] = start
        at.run()
    return found


def check(at: AppTest, where: str) -> None:
    assert not at.exception, (where, [e.message for e in at.exception])
    marks = unescaped_markup(at)
    assert not marks, (where, marks)


@pytest.mark.parametrize("slug", ["home"] + [c.slug for c in built_concepts()])
def test_markup_in_every_link_parameter_is_never_rendered(seeded, slug):
    """Every parameter of every view holds Markdown/LaTeX/HTML: no exception, and no element shows it as markup
    (the bad-link warning quotes it escaped); then, view by view, the free-text parameters alone hold it, so the
    page parses it (a custom kernel, a network, placed objects) and any message quoting it is escaped too."""
    choices, texts = seeded
    links = views(slug, choices)
    every = {key for link in links for key in link}
    check(open_page(slug, {key: PAYLOAD for key in every}), f"{slug}: every parameter")
    if reads_free_text(slug):  # the walk is not empty: some view writes one of the page's free-text parameters
        assert texts & every, (slug, sorted(texts), links)
    for link in links:
        free = sorted(texts & set(link))
        if free:
            check(open_page(slug, link | {key: PAYLOAD for key in free}), f"{slug} {link}: free text {free}")


def test_free_text_link_parameters_are_seeded_by_page_code_only():
    """ui.url_text is called from the pages' own code only (not the entry point or another shared module), so
    choosing the pages to explore by their own code misses none; and some page has one."""
    shared = [REPO_ROOT / "streamlit_app.py", *(p for p in (REPO_ROOT / "pages" / "_shared").glob("*.py")
                                                if p.name != "ui.py")]
    assert not [path.name for path in shared if "url_text(" in path.read_text(encoding="utf-8")]
    assert any(reads_free_text(c.slug) for c in built_concepts())
