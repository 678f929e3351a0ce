"""Warm script-run time of each page, through the entry point (AppTest), against the page's budget.

AppTest reruns the whole script, every section, and without the WebSocket: what a
control outside every section costs the server's script thread. A visitor's wait for a
control change (the 100 ms contract, ``budget_ms`` in the catalog) is measured by a real
client, ``bench/load.py``, and reported beside these rows by ``python -m bench``.
"""

from __future__ import annotations

import logging
import time

from streamlit.testing.v1 import AppTest

from bench.core import Row, median_ms
from playground.catalog import built_concepts
from playground.manifest import REPO_ROOT

HOME_BUDGET_MS = 100  # as every page: the contract of issue #9
# AppTest sets session state outside a script run, which Streamlit warns about on every page
# (a filter, because Streamlit resets its loggers' levels when AppTest loads the config).
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage())


def rows(repeat: int) -> list[Row]:
    """One row per page: median of ``repeat`` warm reruns with the default view."""
    out = []
    targets = [("home", "pages/home.py", HOME_BUDGET_MS)] + [
        (c.slug, c.page_file, c.budget_ms) for c in built_concepts()]
    for name, page_file, budget in targets:
        at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=120).run()
        if page_file != "pages/home.py":
            at.switch_page(page_file)
        start = time.perf_counter()
        at.run()
        cold_ms = (time.perf_counter() - start) * 1e3
        if at.exception:
            raise RuntimeError(f"page {name} raised: {at.exception}")
        warm = median_ms(at.run, repeat, warmup=1)
        out.append(Row(f"page {name} (warm rerun; first run {cold_ms:.0f} ms)", warm, budget_ms=budget))
    return out
