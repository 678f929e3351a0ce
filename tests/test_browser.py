"""The real app in a real browser: every page loads in headless Chromium without an error.

Starts ``streamlit run streamlit_app.py`` on a free loopback port, opens each
page, and saves a screenshot per page in tests/artifacts/screenshots/.
"""

from __future__ import annotations

import pytest

from playground.catalog import built_concepts
from tests.conftest import ARTIFACTS, streamlit_server, wait_for_script

pytestmark = pytest.mark.browser

SCREENSHOTS = ARTIFACTS / "screenshots"
PAGES = [("home", "")] + [(c.slug, c.slug) for c in built_concepts()]


@pytest.mark.parametrize("name, path", PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_without_error(app_url, browser, name, path):
    """The page renders its title, shows no exception or error box, and raises no JS error."""
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    js_errors: list[str] = []
    page.on("pageerror", lambda exc: js_errors.append(str(exc)))
    try:
        page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
        wait_for_script(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))  # the tall viewport holds the page
        assert page.locator('[data-testid="stException"]').count() == 0
        errors = page.locator('[data-testid="stAlertContentError"]')
        assert errors.count() == 0, errors.all_inner_texts()
        assert not js_errors
    finally:
        page.close()


@pytest.mark.skipif(not built_concepts(), reason="no concept page is built yet")
def test_deep_link_as_first_request_gets_the_apps_navigation(browser):
    """On a fresh server, a first visitor arriving by a page link still gets the app's sidebar.

    Streamlit treats a folder named pages/ as an old-style multipage app until the entry
    point first calls st.navigation; without pages/_ui.py's guard this visitor would see the
    page run on its own, with every file of pages/ (even _ui) listed in the sidebar.
    """
    slug = built_concepts()[0].slug
    with streamlit_server("streamlit_server_deeplink.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        try:
            page.goto(f"{url}/{slug}", wait_until="domcontentloaded")
            wait_for_script(page)
            sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
            assert "ONNX Runtime provider" in sidebar
            assert "_ui" not in sidebar and "Home" in sidebar
        finally:
            page.close()


@pytest.mark.skipif("edge_filters" not in {c.slug for c in built_concepts()}, reason="needs the edge page")
def test_one_visitors_upload_is_never_shown_to_another(app_url, browser, tmp_path):
    """Visitor A uploads a picture; visitor B, in another browser context on the same server and
    page, still sees no upload: uploads live in the visitor's own session."""
    from PIL import Image

    upload = tmp_path / "visitor_a_private.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(upload)
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1600}) for _ in range(2)]
    try:
        a, b = (ctx.new_page() for ctx in contexts)
        for page in (a, b):
            page.goto(f"{app_url}/edge_filters?img=upload", wait_until="domcontentloaded")
            wait_for_script(page)
        a.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        a.get_by_text("visitor_a_private.png").first.wait_for(timeout=60_000)
        wait_for_script(a)
        b.reload(wait_until="domcontentloaded")
        wait_for_script(b)
        assert a.get_by_text("No image uploaded yet").count() == 0
        assert b.get_by_text("No image uploaded yet").count() == 1
        assert b.get_by_text("visitor_a_private.png").count() == 0
    finally:
        for ctx in contexts:
            ctx.close()

