"""The committed models: where they are and whether they are the ones exported.

`onnx_models/manifest.json` lists every model the project exports: its file,
sha256, opset, IR version, inputs, outputs and provenance. Loading a model goes
through :func:`model_path`, which refuses a missing or altered file with a
message that names the file and the command that rebuilds it.

The models are read from ``onnx_models/`` beside the code, or from the folder
named by the ``PLAYGROUND_MODELS_DIR`` environment variable (read once, at
import): a host can keep them elsewhere, and the tests point it at a damaged
copy to see what each page says.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR_ENV = "PLAYGROUND_MODELS_DIR"  # another folder holding manifest.json and the models it lists
MODELS_DIR = Path(os.environ.get(MODELS_DIR_ENV) or REPO_ROOT / "onnx_models").resolve()
MANIFEST_PATH = MODELS_DIR / "manifest.json"


class ModelUnavailable(RuntimeError):
    """A model file is missing, altered, or not listed in the manifest."""


def _shown(path: Path) -> str:
    """A path as the messages write it: relative to the repository when it is inside it."""
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def rebuild_command(name: str) -> str:
    """The shell command that re-exports one model."""
    return f"pip install -r requirements-export.txt && python -m export {name}"


@lru_cache(maxsize=1)
def _manifest_cached(mtime_ns: int) -> dict:
    with MANIFEST_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


def load_manifest() -> dict:
    """The parsed manifest; re-read only when the file changes.

    Returns
    -------
    dict
        ``{"format": int, "models": {name: entry}, "artifacts": {name: entry}}``.
    """
    if not MANIFEST_PATH.exists():
        raise ModelUnavailable(
            f"{_shown(MANIFEST_PATH)} is missing. "
            "Rebuild every model with: pip install -r requirements-export.txt && python -m export"
        )
    return _manifest_cached(MANIFEST_PATH.stat().st_mtime_ns)


def model_entry(name: str) -> dict:
    """The manifest entry of one model (a copy, safe to modify)."""
    models = load_manifest().get("models", {})
    if name not in models:
        raise ModelUnavailable(
            f"Model '{name}' is not in onnx_models/manifest.json. Known: {', '.join(sorted(models))}. "
            f"Rebuild it with: {rebuild_command(name)}"
        )
    return json.loads(json.dumps(models[name]))


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_verified: dict[tuple[str, int, int], bool] = {}
_verified_lock = threading.Lock()


def _verify(name: str, entry: dict) -> Path:
    path = MODELS_DIR / entry["file"]
    rel = _shown(path)
    if not path.exists():
        raise ModelUnavailable(f"{rel} is missing. Rebuild it with: {rebuild_command(name)}")
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _verified_lock:
        if _verified.get(key):
            return path
    expected_bytes = entry.get("bytes")
    if expected_bytes is not None and stat.st_size < expected_bytes:
        raise ModelUnavailable(
            f"{rel} does not match the manifest: it has {stat.st_size:,} bytes of {expected_bytes:,}, so it was "
            f"cut short (an interrupted copy, download or export). Rebuild it with: {rebuild_command(name)}"
        )
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        raise ModelUnavailable(
            f"{rel} does not match the manifest (sha256 {actual[:12]}… ≠ {entry['sha256'][:12]}…): "
            f"it was altered or only partly exported. Rebuild it with: {rebuild_command(name)}"
        )
    with _verified_lock:
        _verified[key] = True
    return path


def model_path(name: str) -> Path:
    """Path of a committed model after checking it against its sha256.

    Raises
    ------
    ModelUnavailable
        When the model is unknown, missing or altered; the message names the
        file and the command that rebuilds it.
    """
    return _verify(name, model_entry(name))


def artifact_path(name: str) -> Path:
    """Path of a committed data artifact (e.g. recorded training curves), sha-checked."""
    artifacts = load_manifest().get("artifacts", {})
    if name not in artifacts:
        raise ModelUnavailable(
            f"Artifact '{name}' is not in onnx_models/manifest.json. "
            "Rebuild every model and artifact with: pip install -r requirements-export.txt && python -m export"
        )
    entry = artifacts[name]
    return _verify(entry.get("export", name), entry)
