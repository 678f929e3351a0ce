"""Shared fixtures: the providers to test on, where test artifacts go, and the browser tests' server and Chromium."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.first_visit import CHROMIUM, CHROMIUM_ARGS, wait_for_render
from playground import runtime

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"

# Providers a model test runs on: always the CPU, and CUDA where onnxruntime offers it.
PROVIDERS = [
    pytest.param("cpu", id="cpu"),
    pytest.param("cuda", id="cuda", marks=pytest.mark.skipif(
        runtime.CUDA not in runtime.available_providers(),
        reason="this onnxruntime offers no CUDAExecutionProvider")),
]

_latencies: dict[str, float] = {}
_latency_lock = threading.Lock()


@pytest.fixture(params=PROVIDERS)
def provider(request) -> str:
    """Each model test runs once per available provider."""
    return request.param


@pytest.fixture
def record_latency(request):
    """Record a latency (ms) under the test's id; written to tests/artifacts/latency.json."""
    def record(ms: float) -> None:
        with _latency_lock:
            _latencies[request.node.nodeid] = round(ms, 4)
    return record


def pytest_sessionfinish(session, exitstatus):
    if _latencies:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "latency.json").write_text(json.dumps(_latencies, indent=1, sort_keys=True))


# The browser tests (tests/test_browser*.py): one server and one Chromium per module.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(log_name: str = "streamlit_server.log"):
    """Start the app as it is hosted (``scripts/serve.py``: warm, then ``streamlit run``) on a free loopback port."""
    port = _free_port()
    log = ARTIFACTS / log_name
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "scripts/serve.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=REPO_ROOT, stdout=log_file, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start; see {log}:\n{log.read_text()[-2000:]}")
                time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


@pytest.fixture(scope="module")
def app_url():
    """A streamlit server of this checkout, shared by the page tests."""
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install it with `apt-get install -y chromium` "
                    "(scripts/test.sh does this), or set PLAYGROUND_CHROMIUM.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def wait_for_script(page, timeout_s: float = 60) -> None:
    """Wait until Streamlit has rendered the page and finished running its script, and the network is quiet."""
    wait_for_render(page, timeout_s)
    page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
    page.wait_for_timeout(300)  # let images and formulas paint before the screenshot
