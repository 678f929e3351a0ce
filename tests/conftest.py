"""Shared fixtures: the providers to test on, and where test artifacts go."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

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
