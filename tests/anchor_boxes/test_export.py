"""The torch code of the anchor-boxes exports, at small scale (needs the export dependencies)."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.export
torch = pytest.importorskip("torch")

from export import anchor_detector as ad  # noqa: E402
from export import window_classifier as wc  # noqa: E402
from playground.anchor_boxes import CLASS_NAMES, SceneObject, build_target, detector_record, render  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return ad.draw_training_set(48)


def test_folding_bn_keeps_the_function(data):
    """The exported (BN-folded) detector computes what the trained one computes in eval mode."""
    torch.manual_seed(0)
    model = ad.Detector()
    x = torch.from_numpy(data["images"][:16]).permute(0, 3, 1, 2).float() / 255
    model.train()
    for _ in range(3):  # BN statistics away from their initial values
        model(x)
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(ad.folded(model)(x), model(x), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("transpose, h_flip, v_flip", [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1), (0, 1, 1)])
def test_a_symmetry_moves_each_box_with_its_pixels(transpose, h_flip, v_flip):
    """After a mirror or transpose, every moved box still frames the pixels of its (single, unoccluded) object."""
    objects = [SceneObject(2, 30.5, 20.25, 24, 14, (1.0, 1.0, 1.0), 1, 0.3), SceneObject(1, 70, 66, 10, 30)]
    scenes = [render([o], 96, seed=1) for o in objects]
    images = np.stack([np.round(s.image * 255).astype(np.uint8) for s in scenes])
    boxes = np.stack([np.vstack([s.boxes, np.zeros((1, 4))]) for s in scenes]).astype(np.float32)  # a padding row
    moved, moved_boxes = ad.symmetry(images, boxes, bool(transpose), bool(h_flip), bool(v_flip))
    blank = np.round(render([], 96, seed=1).image * 255).astype(np.uint8)
    for image, b in zip(moved, moved_boxes):
        np.testing.assert_array_equal(b[1], 0)  # padding stays zero
        background = blank.transpose(1, 0, 2) if transpose else blank
        background = background[:, ::-1] if h_flip else background
        background = background[::-1] if v_flip else background
        rows, cols = np.nonzero(np.abs(image.astype(int) - background).max(axis=2) > 12)
        x1, y1, x2, y2 = b[0] * 96
        assert x1 - 1 <= cols.min() <= x1 + 1 and x2 - 2 <= cols.max() <= x2
        assert y1 - 1 <= rows.min() <= y1 + 1 and y2 - 2 <= rows.max() <= y2


def test_an_augmented_batch_has_the_targets_of_its_boxes(data):
    """The batch's y is build_target of the moved boxes; pixels stay in 0–1 and keep their channels' values."""
    anchors = np.array(detector_record()["kmeans"]["k"]["5"]["anchors"])
    idx = np.arange(8)
    x, y, boxes = ad.augmented_batch(data, idx, ad.symmetric_targets(data, anchors), np.random.default_rng(3))
    assert x.shape == (8, 3, 96, 96) and 0 <= float(x.min()) and float(x.max()) <= 1
    np.testing.assert_allclose(np.sort(x.numpy().ravel()), np.sort(data["images"][idx].ravel() / 255), atol=1e-6)
    for i in idx:
        real = data["classes"][i] >= 0
        expected = build_target(boxes[i].numpy()[real].astype(np.float64), data["classes"][i][real], 6, anchors,
                                len(CLASS_NAMES)).y
        np.testing.assert_allclose(y[i].numpy(), expected, atol=1e-6)


def test_layer_list_is_the_network(data):
    """The record's layer list (what the page's arithmetic uses) has the network's convs, strides and pools."""
    model = ad.Detector(bn=False)
    convs = [m for m in list(model.features) + [model.head] if isinstance(m, torch.nn.Conv2d)]
    listed = [layer for layer in ad.layer_list() if layer["kind"] == "conv"]
    assert [(c.kernel_size[0], c.stride[0], c.padding[0], c.out_channels) for c in convs] == [
        (layer["f"], layer["s"], layer["p"], layer["filters"]) for layer in listed]
    assert sum(isinstance(m, torch.nn.MaxPool2d) for m in model.features) == sum(
        layer["kind"] == "pool" for layer in ad.layer_list())
    assert detector_record()["layers"] == ad.layer_list()


def test_a_few_steps_reduce_the_loss(data):
    """Two epochs on 48 scenes lower the summed loss (the pieces fit together and learn)."""
    torch.manual_seed(0)
    anchors = np.array(detector_record()["kmeans"]["k"]["5"]["anchors"])
    result = ad.train(ad.Detector(), data, anchors, 2, None)
    first, last = (sum(e[k] for k in ("objectness", "xy", "wh", "class")) for e in (result["curve"][0], result["curve"][-1]))
    assert last < first


def test_the_converted_window_classifier_equals_the_fc_one_in_torch():
    """WindowConv built from a WindowFC gives the FC model's answer for every 14×14 window of a 28×28 image."""
    torch.manual_seed(0)
    fc = wc.WindowFC().eval()
    conv = wc.WindowConv(fc).eval()
    image = torch.rand(1, 3, 28, 28)
    with torch.no_grad():
        one_pass = conv(image)[0]  # (4, 8, 8)
        for i in range(8):
            for j in range(8):
                crop = image[:, :, 2 * i:2 * i + 14, 2 * j:2 * j + 14]
                torch.testing.assert_close(one_pass[:, i, j], fc(crop)[0], rtol=1e-5, atol=1e-6)


def test_crops_are_labelled_by_what_sits_at_their_centre():
    """Drawn crops: 14×14×3 in 0–1; background about 40 %, the rest spread over the three shapes."""
    x, labels = wc.draw_crops(400, 0)
    assert x.shape == (400, 3, 14, 14) and 0 <= x.min() and x.max() <= 1
    share = np.bincount(labels, minlength=4) / 400
    assert abs(share[0] - wc.BACKGROUND_SHARE) < 0.08 and (share[1:] > 0.12).all()
