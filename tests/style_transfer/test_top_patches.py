"""What the layers see: receptive fields against brute force, and the strongest patches against the activations."""

from __future__ import annotations

import numpy as np
import pytest

from playground import runtime
from playground.style_transfer import LAYERS, samples, top_patches
from playground.style_transfer.features import fit, to_input
from tests.references import receptive_field as reference_receptive_field

SIDE = 64


def unit_activations(x: np.ndarray, layer: str) -> np.ndarray:
    return runtime.run("mobilenet_v2", {"image": to_input(x)}, [layer], provider="cpu")[layer][0]


@pytest.mark.parametrize("layer", list(LAYERS))
def test_receptive_field_matches_the_index_set_reference(layer):
    """Side = 1 + Σ (f − 1)·(strides before): the same as mapping index sets down through the convs."""
    chain = top_patches.conv_chain(layer)
    side, jump = top_patches.receptive_field(layer)
    assert side == reference_receptive_field([(c.f, c.s, 1, c.pad_before) for c in chain])
    assert jump == LAYERS[layer].stride


def test_receptive_fields_of_mobilenet_v2():
    """The stem sees 3 px; block 1's depthwise 3 + 2·2 + 2·2 = 11 (stem, block 0 dw, block 1 dw at stride 2)."""
    assert top_patches.receptive_field("stem") == (3, 2)
    assert top_patches.receptive_field("block1_depthwise") == (11, 4)


@pytest.mark.parametrize("layer, row, col", [("stem", 10, 7), ("block1_depthwise", 6, 9), ("block4_expand", 3, 4)])
def test_pixel_box_is_exactly_the_pixels_that_change_the_unit(layer, row, col):
    """Changing a pixel inside the box (its corners) changes the unit; the pixels just outside change nothing."""
    rng = np.random.default_rng(0)
    x = rng.random((SIDE, SIDE, 3)).astype(np.float32)
    base = unit_activations(x, layer)[:, row, col]
    top, left, bottom, right = top_patches.pixel_box(layer, row, col, SIDE, SIDE)

    def changed(i, j):
        y = x.copy()
        y[i, j] = 1.0 - y[i, j]
        return not np.array_equal(unit_activations(y, layer)[:, row, col], base)
    assert all(changed(i, j) for i, j in ((top, left), (top, right), (bottom, left), (bottom, right)))
    outside = [(top - 1, left), (bottom + 1, right), (top, left - 1), (bottom, right + 1)]
    assert not any(changed(i, j) for i, j in outside if 0 <= i < SIDE and 0 <= j < SIDE)


def test_pixel_box_is_cut_at_the_image_edge():
    """Unit (0, 0) of block 1's depthwise starts at pixel 0 and reads less than its 11-pixel field."""
    top, left, bottom, right = top_patches.pixel_box("block1_depthwise", 0, 0, SIDE, SIDE)
    assert (top, left) == (0, 0) and bottom - top + 1 < 11


def test_strongest_patches_are_real_activations_in_order():
    """Each reported value is the unit's activation there; they come strongest first; the first is the image's max."""
    layer, channel = "block4_expand", top_patches.most_active("block4_expand", 1, "cpu")[0]
    found = top_patches.strongest(layer, channel, "cpu")
    assert len(found) == top_patches.TOP
    assert [p.value for p in found] == sorted((p.value for p in found), reverse=True)
    first = found[0]
    rgb = fit(samples.sample_rgb(first.image), top_patches.IMAGE_SIDE)
    a = unit_activations(rgb, layer)[channel]
    assert a[first.row, first.col] == pytest.approx(first.value, rel=1e-5)
    inside = top_patches.whole_field(layer, *rgb.shape[:2])
    assert a[inside].max() == pytest.approx(first.value, rel=1e-5)
    for p in found:
        top, left, bottom, right = p.box
        assert bottom - top + 1 == right - left + 1 == top_patches.receptive_field(layer)[0]


def test_at_most_per_image_patches_come_from_one_image():
    """No image gives more than PER_IMAGE of a unit's nine patches."""
    for layer in ("stem", "block12_depthwise"):
        found = top_patches.strongest(layer, top_patches.most_active(layer, 1, "cpu")[0], "cpu")
        names = [p.image for p in found]
        assert max(names.count(n) for n in names) <= top_patches.PER_IMAGE


def test_unknown_layers_and_channels_are_refused():
    with pytest.raises(ValueError):
        top_patches.strongest("block99", 0)
    with pytest.raises(ValueError):
        top_patches.strongest("stem", 32)
