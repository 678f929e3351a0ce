"""The whole app through its entry point: navigation, home page, provider, hosting settings."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from playground import runtime
from playground.catalog import CONCEPTS, built_concepts
from tests.conftest import REPO_ROOT

TIMEOUT = 60


def app() -> AppTest:
    return AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)


def test_home_maps_every_concept_and_shows_the_provider_that_ran():
    """Home lists the seven concepts in course order and the provider its probe model actually ran on."""
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "CNN Playground"
    text = " ".join(m.value for m in at.markdown)
    positions = [text.find(c.title) for c in CONCEPTS if not c.built]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    expected = runtime.get_session("conv2d", "auto").providers[0]
    assert at.metric[0].value == expected


def test_cpu_choice_in_sidebar_runs_on_cpu():
    """Choosing CPU in the sidebar makes the home probe run on the CPU provider."""
    at = app().run()
    at.sidebar.selectbox(key="provider").select("cpu").run()
    assert at.metric[0].value == runtime.CPU


@pytest.mark.parametrize("slug", [c.slug for c in built_concepts()] or [pytest.param("none", marks=pytest.mark.skip(
    reason="no concept page is built yet"))])
def test_each_page_runs_without_error_through_navigation(slug):
    """Every built page runs from the entry point with its defaults: no exception, no error box."""
    at = app().run()
    at.switch_page(f"pages/{slug}.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_switching_pages_back_and_forth_keeps_every_page_working():
    """Every ordered pair of pages: visit one, the other, and back again, without an exception."""
    pages = [c.page_file for c in built_concepts()]
    at = app().run()
    for first in pages:
        for second in pages:
            if first != second:
                for page in (first, second, first):
                    at.switch_page(page).run()
                    assert not at.exception, (first, second, page, at.exception)


@pytest.mark.skipif(not {"edge_filters", "conv_arithmetic"} <= {c.slug for c in built_concepts()},
                    reason="needs both pages")
def test_a_key_left_by_one_page_is_not_read_by_another():
    """k is kernel text on the edge page and a filter count on the arithmetic page: after a custom
    kernel, the arithmetic page starts from its own default instead of crashing on the text."""
    at = app().run()
    at.switch_page("pages/edge_filters.py").run()
    at.selectbox(key="kern").set_value("custom").run()
    assert isinstance(at.session_state["k"], str)
    at.switch_page("pages/conv_arithmetic.py").run()
    assert not at.exception
    assert at.text_input(key="k__typed").value == "2"


JUNK_VALUES = ["abc", "-1", "999999999999999999999", "1e309", "nan", "", "0", "%00", "<script>", "1,2;3"]


@pytest.mark.parametrize("slug", [c.slug for c in built_concepts()])
@pytest.mark.parametrize("junk", JUNK_VALUES)
def test_junk_in_every_link_parameter_is_reported_not_crashed_on(slug, junk):
    """A link whose every parameter holds junk opens the page without an exception or a traceback."""
    page_file = f"pages/{slug}.py"
    at = app().run()
    at.switch_page(page_file).run()
    keys = list(at.query_params)
    assert keys, "the page writes its state into the link"
    fresh = app()
    fresh.query_params.update({key: junk for key in keys})
    fresh.run()
    fresh.switch_page(page_file).run()
    assert not fresh.exception, (junk, fresh.exception)
    if junk == "abc":  # not a number, not a choice: the page says it ignored the link's values
        assert any("not valid" in w.value for w in fresh.warning)


def test_serving_process_never_imports_torch():
    """Running every page leaves torch unimported (it is an export-only dependency)."""
    script = (
        "import sys; from streamlit.testing.v1 import AppTest\n"
        "from playground.catalog import built_concepts\n"
        f"at = AppTest.from_file('streamlit_app.py', default_timeout={TIMEOUT}).run()\n"
        "for c in built_concepts():\n"
        "    at.switch_page(c.page_file).run()\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=300, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_hosting_config_hides_tracebacks():
    """A hosted demo never shows a traceback: client.showErrorDetails is "none"."""
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["maxUploadSize"] == 10
