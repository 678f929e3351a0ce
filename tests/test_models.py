"""Contract of every committed model: it is the file the manifest lists, and it keeps its promises."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import onnx
import pytest

from export.common import io_signature
from playground import runtime
from playground.manifest import MODELS_DIR, load_manifest, model_path, sha256_of

MANIFEST = load_manifest()
MODEL_NAMES = sorted(MANIFEST["models"])
TESTS_DIR = Path(__file__).parent


def test_manifest_lists_every_committed_onnx_file():
    """No .onnx file in onnx_models/ is left out of the manifest, and none listed is absent."""
    on_disk = {p.name for p in MODELS_DIR.glob("*.onnx")}
    listed = {entry["file"] for entry in MANIFEST["models"].values()}
    assert on_disk == listed


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_file_matches_manifest(name):
    """sha256, opset and IR version are those recorded, and onnx.checker passes."""
    entry = MANIFEST["models"][name]
    path = model_path(name)
    assert sha256_of(path) == entry["sha256"]
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    assert model.ir_version == entry["ir_version"] <= 10  # loadable by onnxruntime 1.31 and older GPU builds
    assert {o.domain or "ai.onnx": o.version for o in model.opset_import}["ai.onnx"] == entry["opset"]
    for key in ("command", "script", "data", "seed", "weights"):
        assert key in entry["provenance"], f"provenance lacks {key}"


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_loads_and_io_matches_manifest(name, provider, record_latency):
    """The model loads on each provider; its session's inputs and outputs are the manifest's."""
    entry = MANIFEST["models"][name]
    assert io_signature(onnx.load(model_path(name))) == {"inputs": entry["inputs"], "outputs": entry["outputs"]}
    loaded = runtime.get_session(name, provider)
    session_inputs = [(i.name, i.type) for i in loaded.session.get_inputs()]
    dtype_names = {"float32": "tensor(float)", "int64": "tensor(int64)", "uint8": "tensor(uint8)"}
    assert session_inputs == [(i["name"], dtype_names[i["dtype"]]) for i in entry["inputs"]]
    assert [o.name for o in loaded.session.get_outputs()] == [o["name"] for o in entry["outputs"]]
    if provider == "cuda":
        assert loaded.providers[0] == runtime.CUDA
    record_latency(_time_one_run(name, entry, provider))


def _time_one_run(name: str, entry: dict, provider: str) -> float:
    """Median latency (ms) on small inputs built from the manifest's shapes (symbolic dims -> 4)."""
    feeds = {}
    for spec in entry["inputs"]:
        # symbolic sizes: 4, but image sides H, W get 64 so that strided networks still have pixels left
        shape = [d if isinstance(d, int) else (64 if d in ("H", "W") else 4) for d in spec["shape"]]
        if spec["dtype"] == "int64":  # pads/strides-like inputs: small valid values
            feeds[spec["name"]] = np.ones(shape, np.int64)
        else:
            feeds[spec["name"]] = np.zeros(shape, spec["dtype"])
    times = []
    for _ in range(5):
        start = time.perf_counter()
        runtime.run(name, feeds, provider=provider)
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def _names_with_reference_tests() -> set[str]:
    pattern = re.compile(r"""@pytest\.mark\.model_reference\(\s*["']([\w-]+)["']\s*\)""")
    found: set[str] = set()
    for path in TESTS_DIR.rglob("test_*.py"):
        found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_model_has_a_reference_test():
    """Each committed model is compared with an independent reference somewhere in tests/."""
    missing = set(MODEL_NAMES) - _names_with_reference_tests()
    assert not missing, f"no @pytest.mark.model_reference test for: {sorted(missing)}"
