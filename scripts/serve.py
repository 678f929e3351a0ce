"""Start the playground warm: load what the pages need, then run ``streamlit run streamlit_app.py`` in this process.

Usage:
    python scripts/serve.py [streamlit run options, e.g. --server.port 8501]

Before the server listens it imports the heavy libraries the pages use (plotly, onnx,
pandas and pyarrow: about a second on 2 cores), starts an ONNX Runtime session for
every model of every built page, calls each concept's ``warm()`` (samples, records)
and runs every page once (:func:`visit_every_page`), so a fresh server's first
visitor does not pay for any of it. Then it freezes
what it loaded out of the garbage collector's way (``gc.freeze``): Streamlit runs a
full collection after every script run (``runner.postScriptGC``), and walking these
long-lived objects cost 50–150 ms per rerun on 2 cores (``.streamlit/config.toml`` also
turns that collection off).

Streamlit's collection after every script run is off (``.streamlit/config.toml``), but a
closed session's objects sit in reference cycles (its AppSession among them: only when it
is collected are its media files released), so a thread here runs a full collection every
``PLAYGROUND_GC_SECONDS`` (10 s): a few tens of ms every 10 s instead of after every rerun.

It also caps glibc's malloc arenas (``MALLOC_ARENA_MAX=2``, unless already set): every
script run is a new thread, and with one arena per thread the freed memory stayed
scattered, so RSS grew by about 100 MB in a hundred reruns of one visitor and never came back.
The variable is read when the process starts, so the script restarts itself with it once.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def warm() -> float:
    """Import, load and build what the first page runs would; return the seconds it took."""
    start = time.perf_counter()
    import onnx  # noqa: F401  (shape probes and the learned filters read ONNX files)
    import pandas  # noqa: F401  (st.dataframe)
    import plotly.graph_objects as go
    import pyarrow  # noqa: F401  (st.dataframe)
    from plotly.subplots import make_subplots

    from playground.catalog import built_concepts

    # Plotly imports each trace type's validators on first use.
    make_subplots(rows=1, cols=2).add_trace(go.Heatmap(z=[[0.0]]), 1, 1).add_trace(go.Scatter(y=[0]), 1, 2)
    go.Figure(go.Bar(y=[0]))
    for problem in load_models(built_concepts()):
        print(f"playground: {problem} (the pages that need it say so; the others work)", flush=True)
    visit_every_page()
    return time.perf_counter() - start


def load_models(concepts) -> list[str]:
    """Start every concept's model sessions and run its ``warm()``; what could not be loaded, in words.

    A missing or altered model file must not keep the server from starting: the
    pages that use it name the file and its rebuild command, the others work.
    """
    from playground import runtime
    from playground.manifest import ModelUnavailable

    problems = []
    for concept in concepts:
        package = importlib.import_module(f"playground.{concept.slug}")
        steps = [lambda m=model: runtime.get_session(m, "auto") for model in concept.models]
        for step in steps + ([package.warm] if hasattr(package, "warm") else []):
            try:
                step()
            except ModelUnavailable as exc:
                problems.append(f"{concept.title}: {exc}")
    return problems


def visit_every_page() -> None:
    """Run every page once with its default view, in this process, before the server exists.

    Through Streamlit's own test harness (AppTest), which runs the real scripts: their
    modules get imported, and what the pages keep for every visitor (built figures,
    encoded pictures: ``st.cache_resource``, which is process-wide) is ready for the
    views a first visitor sees. A page that fails here is logged, and fails again for
    its visitors, who see the page's own error message: the server starts regardless.
    """
    from streamlit.testing.v1 import AppTest

    from playground.catalog import built_concepts

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest warns about its mock runtime
    app = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=120)
    try:
        app.run()
        for concept in built_concepts():
            app.switch_page(concept.page_file).run()
    except Exception:  # noqa: BLE001 - warming is an optimisation; the page reports its own errors to visitors
        logging.getLogger("playground").exception("warming the pages failed")
    logging.getLogger("streamlit").setLevel(logging.NOTSET)
    # AppTest starts each run by forgetting whether the app navigates with st.navigation, and a
    # folder named pages/ then reads as an old-style multipage app. The app does use st.navigation
    # (pages/_shared/ui.py's _leave_pages_directory_mode makes sure of it in a cold process, once per
    # process, and it has already run here): say so before the server starts.
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


ARENAS = "2"  # malloc arenas: enough for the event loop and the script threads to allocate without waiting
GC_SECONDS_ENV = "PLAYGROUND_GC_SECONDS"  # seconds between two full garbage collections (default 10)


def _malloc_trim() -> Callable[[], object]:
    """glibc's malloc_trim(0), which hands the free pages inside malloc's heaps back to the system; a no-op elsewhere."""
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    return lambda: trim(0)


def collect_periodically(every_s: float) -> None:
    """Every ``every_s`` seconds, forever (a daemon thread's loop): a full garbage collection, then malloc_trim.

    The trim matters as much as the collection: freed numpy arrays leave holes in malloc's
    heaps that the process keeps (measured: RSS 25–50% above its start after 30 visitors
    left, within about 15% with the trim), and the trim costs a few ms.
    """
    trim = _malloc_trim()
    while True:
        time.sleep(every_s)
        gc.collect()
        trim()


def main(argv: list[str]) -> None:
    if "MALLOC_ARENA_MAX" not in os.environ:
        os.execve(sys.executable, [sys.executable, __file__, *argv], {**os.environ, "MALLOC_ARENA_MAX": ARENAS})
    os.chdir(REPO_ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    sys.path.insert(0, str(REPO_ROOT))
    seconds = warm()
    gc.collect()
    gc.freeze()  # everything loaded so far lives as long as the process: no collection needs to look at it
    every_s = float(os.environ.get(GC_SECONDS_ENV, "10"))
    threading.Thread(target=collect_periodically, args=(every_s,), name="playground-gc", daemon=True).start()
    print(f"playground: warmed in {seconds:.1f} s; {gc.get_freeze_count()} objects frozen; "
          f"full garbage collection every {every_s:g} s", flush=True)
    from streamlit.web import cli

    cli.main(["run", str(REPO_ROOT / "streamlit_app.py"), *argv], prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
