"""Loading refuses missing or altered model files with a message that says how to rebuild them."""

from __future__ import annotations

import shutil

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


def test_unknown_model_lists_known_ones(models_copy):
    """Asking for a model the manifest does not list names the ones it does."""
    with pytest.raises(ModelUnavailable, match="not in onnx_models/manifest.json. Known: .*conv2d"):
        manifest.model_path("no_such_model")


def test_missing_manifest_says_how_to_rebuild(models_copy):
    """Without a manifest, the message gives the full rebuild command."""
    (models_copy / "manifest.json").unlink()
    with pytest.raises(ModelUnavailable, match="python -m export"):
        manifest.model_path("conv2d")
