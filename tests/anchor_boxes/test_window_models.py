"""The two sliding-window classifiers: the FC one against numpy, the converted one against the FC one crop by crop."""

from __future__ import annotations

import numpy as np
import pytest

from playground import runtime
from playground.anchor_boxes import sliding as sw
from tests.references import onnx_initializers, window_crops, window_fc_forward


@pytest.fixture(scope="module")
def images():
    """Demo images of 16, 28 and 40 pixels."""
    return {n: sw.window_image(5, n) for n in (16, 28, 40)}


@pytest.mark.model_reference("window_classifier_fc")
def test_fc_classifier_matches_a_numpy_forward_pass(images):
    """conv 5×5 → ReLU → max-pool → FC 400 → FC 400 → FC 4 → softmax in numpy, from the committed weights."""
    crops = np.stack([patch for _, _, patch in window_crops(images[28])]).astype(np.float32)
    out = runtime.run(sw.FC_MODEL, {"crop": crops}, provider="cpu")["probs"]
    np.testing.assert_allclose(out, window_fc_forward(onnx_initializers(sw.FC_MODEL), crops), atol=1e-5)


@pytest.mark.model_reference("window_classifier_conv")
@pytest.mark.parametrize("n", [16, 28, 40])
def test_converted_classifier_equals_the_fc_one_crop_by_crop(images, n, provider):
    """Each output cell (i, j) of the one-pass model is the FC model's answer for the crop at (2i, 2j)."""
    image = images[n]
    one_pass = runtime.run(sw.CONV_MODEL, {"image": image.transpose(2, 0, 1)[None].copy()}, provider=provider)["probs"]
    g = (n - 14) // 2 + 1
    assert one_pass.shape == (1, 4, g, g)
    for top, left, patch in window_crops(image):
        fc = runtime.run(sw.FC_MODEL, {"crop": patch[None].astype(np.float32)}, provider=provider)["probs"][0]
        np.testing.assert_allclose(one_pass[0, :, top // 2, left // 2], fc, atol=1e-5)


def test_converted_weights_are_the_fc_weights_reshaped():
    """The 5×5 conv's 400 filters are FC 400's rows reshaped to (16, 5, 5); the 1×1 convs are the other FC layers."""
    fc, conv = onnx_initializers(sw.FC_MODEL), onnx_initializers(sw.CONV_MODEL)
    np.testing.assert_array_equal(conv["conv2.weight"], fc["fc1.weight"].reshape(400, 16, 5, 5))
    np.testing.assert_array_equal(conv["conv3.weight"][:, :, 0, 0], fc["fc2.weight"])
    np.testing.assert_array_equal(conv["conv4.weight"][:, :, 0, 0], fc["fc3.weight"])


def test_page_functions_agree_and_count_their_calls(images):
    """classify_crop_by_crop makes one call per window; both ways give the same probabilities."""
    crop_run, pass_run = sw.classify_crop_by_crop(images[28], "cpu"), sw.classify_one_pass(images[28], "cpu")
    assert crop_run.calls == 64 and pass_run.calls == 1
    np.testing.assert_allclose(crop_run.probs, pass_run.probs, atol=1e-5)


def test_the_classifier_finds_the_demo_shapes():
    """On demo images, the window nearest each shape's midpoint names its class (for ≥ 90 % of 60 shapes)."""
    right = total = 0
    for seed in range(12):
        n = 40
        objects = sw.window_objects(seed, n)
        probs = sw.classify_one_pass(sw.window_image(seed, n), "cpu").probs
        for obj in objects:
            i, j = int(round((obj.y - 7) / 2)), int(round((obj.x - 7) / 2))
            i, j = min(max(i, 0), probs.shape[0] - 1), min(max(j, 0), probs.shape[1] - 1)
            total += 1
            right += int(probs[i, j].argmax()) == obj.cls + 1
    assert total >= 60 and right / total >= 0.9
