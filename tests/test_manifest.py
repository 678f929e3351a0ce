"""Loading refuses missing or altered model files with a message that says how to rebuild them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from playground import manifest
from playground.manifest import ModelUnavailable


@pytest.fixture
def models_copy(tmp_path, monkeypatch):
    """A private copy of onnx_models/ that a test may damage."""
    copy = tmp_path / "onnx_models"
    shutil.copytree(manifest.MODELS_DIR, copy)
    monkeypatch.setattr(manifest, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(manifest, "MODELS_DIR", copy)
    monkeypatch.setattr(manifest, "MANIFEST_PATH", copy / "manifest.json")
    manifest._verified.clear()
    yield copy
    manifest._verified.clear()


def test_intact_model_loads(models_copy):
    """An untouched copy passes the checksum."""
    assert manifest.model_path("conv2d") == models_copy / "conv2d.onnx"


def test_missing_model_names_file_and_command(models_copy):
    """A deleted file is reported by name with the export command."""
    (models_copy / "conv2d.onnx").unlink()
    with pytest.raises(ModelUnavailable, match=r"onnx_models/conv2d\.onnx is missing.*python -m export conv2d"):
        manifest.model_path("conv2d")


def test_altered_model_is_refused(models_copy):
    """One flipped byte changes the sha256 and the file is refused, naming the rebuild command."""
    path = models_copy / "conv2d.onnx"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelUnavailable, match=r"conv2d\.onnx does not match the manifest.*python -m export conv2d"):
        manifest.model_path("conv2d")


def test_truncated_model_says_it_was_cut_short(models_copy):
    """A file cut to half its size is refused before hashing, with both sizes: 610 bytes listed, 305 on disk."""
    path = models_copy / "conv2d.onnx"
    data = path.read_bytes()
    assert len(data) == 610  # the manifest's "bytes" for conv2d
    path.write_bytes(data[:305])
    with pytest.raises(ModelUnavailable, match=r"conv2d\.onnx does not match the manifest: it has 305 bytes of 610, "
                                               r"so it was cut short .*python -m export conv2d"):
        manifest.model_path("conv2d")


def test_models_dir_comes_from_the_environment(tmp_path):
    """PLAYGROUND_MODELS_DIR names another folder; a missing model there is reported with that folder's path."""
    code = ("from playground import manifest\n"
            "try:\n    manifest.model_path('conv2d')\nexcept manifest.ModelUnavailable as exc:\n    print(exc)\n")
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 1, "models": {"conv2d": {
        "file": "conv2d.onnx", "sha256": "0" * 64}}, "artifacts": {}}))
    out = subprocess.run([sys.executable, "-c", code], cwd=manifest.REPO_ROOT, capture_output=True, text=True,
                         env=os.environ | {manifest.MODELS_DIR_ENV: str(tmp_path)}, timeout=60, check=True)
    assert out.stdout.startswith(f"{tmp_path / 'conv2d.onnx'} is missing. Rebuild it with: ")


def test_unknown_model_lists_known_ones(models_copy):
    """Asking for a model the manifest does not list names the ones it does."""
    with pytest.raises(ModelUnavailable, match="not in onnx_models/manifest.json. Known: .*conv2d"):
        manifest.model_path("no_such_model")


def test_missing_manifest_says_how_to_rebuild(models_copy):
    """Without a manifest, the message gives the full rebuild command."""
    (models_copy / "manifest.json").unlink()
    with pytest.raises(ModelUnavailable, match="python -m export"):
        manifest.model_path("conv2d")
