"""A first visit: each page's first complete render in headless Chromium, on a fresh server.

Usage:
    python -m bench.first_visit            # every page, a fresh server each
    python -m bench.first_visit --repeat 3 # best of 3 fresh servers per page

The server is started as it is hosted (``scripts/serve.py``, which warms it before it
listens); the browser context is new, so its cache is empty. The time runs from the
navigation to the page being drawn: the script finished, no skeleton left (Streamlit
shows one while an element's code loads), every plotly chart has its SVG and every
image has loaded. It is split into the server's part (the WebSocket's first run, from
the rerun request to its ``script_finished``) and the browser's (everything else:
loading and running the frontend's JavaScript, plotly's among it, and drawing).
The budget (issue #9) is 2 s. Also used by tests/test_browser.py for its helpers.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench import appserver
from bench.core import Row
from playground.catalog import built_concepts
from playground.manifest import REPO_ROOT

CHROMIUM = os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium")
# Flags for a root, offline, GPU-less machine: no sandbox, no background calls to Google.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BUDGET_MS = 2000  # issue #9: a first complete render on a fresh server
PAGES = [("home", "")] + [(c.slug, c.slug) for c in built_concepts()]


def wait_for_render(page, timeout_s: float = 60) -> None:
    """Wait until the page is drawn: its script finished, no skeleton left, every chart has its SVG, images loaded."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_s * 1000)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=timeout_s * 1000)
    # Widgets and charts load their code lazily and show skeletons until then (seconds on 2 cores).
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')",
                           timeout=timeout_s * 1000)
    # Plotly draws after its bundle loads: wait until every chart has its SVG.
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(chart => chart.querySelector('.main-svg'))", timeout=timeout_s * 1000)
    page.wait_for_function("() => [...document.images].every(img => img.complete)", timeout=timeout_s * 1000)


def first_visit(browser, path: str, log: Path) -> tuple[float, float]:
    """(total, server) seconds of one page's first complete render on a fresh server."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    marks: dict[str, float] = {}

    def on_socket(ws) -> None:
        def sent(payload) -> None:
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script":
                marks.setdefault("rerun", time.perf_counter())

        def received(payload) -> None:
            msg = ForwardMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                marks.setdefault("finished", time.perf_counter())

        ws.on("framesent", sent)
        ws.on("framereceived", received)

    with appserver.streamlit(log) as server:
        context = browser.new_context(viewport={"width": 1400, "height": 2200})
        try:
            page = context.new_page()
            page.on("websocket", on_socket)
            start = time.perf_counter()
            page.goto(f"{server.url}/{path}", wait_until="domcontentloaded")
            wait_for_render(page)
            total = time.perf_counter() - start
        finally:
            context.close()
    return total, marks.get("finished", float("nan")) - marks.get("rerun", float("nan"))


def rows(repeat: int = 1) -> list[Row]:
    """One row per page: the best of ``repeat`` first visits, each on a fresh server, against the 2 s budget."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for name, path in PAGES:
                runs = [first_visit(browser, path, REPO_ROOT / "bench" / "results" / f"first-{name}.log")
                        for _ in range(repeat)]
                total, server = min(runs)
                out.append(Row(f"first visit {name} in Chromium (server {server * 1e3:.0f} ms of it)", total * 1e3,
                               budget_ms=BUDGET_MS))
        finally:
            browser.close()
    return out


def main() -> None:
    from bench.core import format_rows

    parser = argparse.ArgumentParser(prog="python -m bench.first_visit", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="fresh servers per page (the best is reported)")
    args = parser.parse_args()
    print(f"# load average {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M')}")
    print(format_rows(rows(args.repeat)))


if __name__ == "__main__":
    main()
