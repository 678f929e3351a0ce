"""What every export script shares: ONNX versions, checking, writing, the manifest.

Every script ends the same way: build or trace the model, run ``onnx.checker``,
compare ONNX Runtime's outputs with the source model's on fixed inputs, then
call :func:`save_model`, which writes the file and its manifest entry.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from playground import runtime
from playground.manifest import MANIFEST_PATH, MODELS_DIR, sha256_of
from playground.onnx_format import IR_VERSION, OPSET  # noqa: F401  (OPSET: the export scripts take it from here)

MANIFEST_FORMAT = 1


def finalize(model: onnx.ModelProto) -> onnx.ModelProto:
    """Pin the IR version, run the full checker and shape inference."""
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def io_signature(model: onnx.ModelProto) -> dict[str, list[dict]]:
    """Inputs and outputs as ``{"inputs": [{name, shape, dtype}], "outputs": [...]}``.

    Dimensions are ints, or strings for symbolic ones (e.g. ``"N"``).
    """
    def describe(value_info: onnx.ValueInfoProto) -> dict:
        tensor = value_info.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in tensor.shape.dim]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(tensor.elem_type).name
        return {"name": value_info.name, "shape": dims, "dtype": dtype}

    inits = {i.name for i in model.graph.initializer}
    return {
        "inputs": [describe(v) for v in model.graph.input if v.name not in inits],
        "outputs": [describe(v) for v in model.graph.output],
    }


def cpu_session(model: onnx.ModelProto) -> ort.InferenceSession:
    """An ORT CPU session straight from a ModelProto, for verification (made by ``playground.runtime``)."""
    return runtime.cpu_session(model.SerializeToString())


def max_abs_error(actual: np.ndarray, expected: np.ndarray) -> float:
    """Largest absolute difference; raises if shapes differ."""
    if actual.shape != expected.shape:
        raise AssertionError(f"shape {actual.shape} != reference shape {expected.shape}")
    return float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64)), initial=0.0))


def check_close(name: str, actual: np.ndarray, expected: np.ndarray, atol: float) -> float:
    """Fail the export when ORT and the source model disagree beyond ``atol``."""
    err = max_abs_error(actual, expected)
    if not err <= atol:
        raise AssertionError(f"{name}: ORT differs from the source model by {err:.3g} (> {atol:g})")
    return err


@contextmanager
def _locked_manifest() -> Iterator[dict]:
    """Read-modify-write the manifest under an exclusive lock (exports may run in parallel)."""
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    lock_path = MODELS_DIR / ".manifest.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = {"format": MANIFEST_FORMAT, "models": {}, "artifacts": {}}
        if MANIFEST_PATH.exists():
            manifest.update(json.loads(MANIFEST_PATH.read_text(encoding="utf-8")))
        yield manifest
        manifest["models"] = dict(sorted(manifest["models"].items()))
        manifest["artifacts"] = dict(sorted(manifest["artifacts"].items()))
        tmp = MANIFEST_PATH.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, MANIFEST_PATH)


def save_model(name: str, model: onnx.ModelProto, *, description: str, provenance: dict,
               verification: dict) -> Path:
    """Write ``onnx_models/<name>.onnx`` and its manifest entry.

    Parameters
    ----------
    provenance : dict
        At least ``command``, ``script``, ``data``, ``seed`` and ``weights``
        (where weights came from and under which licence).
    verification : dict
        What the export compared ORT against, and the error it measured.
    """
    for key in ("command", "script", "data", "seed", "weights"):
        if key not in provenance:
            raise ValueError(f"provenance of {name} lacks {key!r}")
    path = MODELS_DIR / f"{name}.onnx"
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    onnx.save_model(model, path)
    entry = {
        "file": path.name,
        "sha256": sha256_of(path),
        "bytes": path.stat().st_size,
        "opset": next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
        "ir_version": model.ir_version,
        **io_signature(model),
        "description": description,
        "provenance": provenance,
        "verification": verification,
    }
    with _locked_manifest() as manifest:
        manifest["models"][name] = entry
    print(f"wrote {path.relative_to(MODELS_DIR.parent)}  sha256 {entry['sha256'][:12]}…  {verification}")
    return path


def save_artifact(name: str, filename: str, data: bytes, *, export: str, description: str,
                  provenance: dict) -> Path:
    """Write a data file that a page reads (recorded curves, sample images) and list it."""
    path = MODELS_DIR / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    entry = {"file": filename, "sha256": sha256_of(path), "bytes": len(data), "export": export,
             "description": description, "provenance": provenance}
    with _locked_manifest() as manifest:
        manifest["artifacts"][name] = entry
    print(f"wrote {path.relative_to(MODELS_DIR.parent)}  sha256 {entry['sha256'][:12]}…")
    return path
