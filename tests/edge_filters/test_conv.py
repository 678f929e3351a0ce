"""playground.edge_filters: apply_kernel and conv2d against loop references, the course's example and the picker."""

from __future__ import annotations

import numpy as np
import pytest

from playground import edge_filters
from tests.references import loop_correlate_2d


def pair(value):
    return (value, value) if np.isscalar(value) else tuple(value)


# ---------------------------------------------------------------- apply_kernel and conv2d
@pytest.mark.parametrize("shape, f, padding, stride", [
    ((6, 6), 3, 0, 1),
    ((7, 5), 3, 1, 1),
    ((9, 11), 3, 1, 2),
    ((8, 8), 2, 0, 1),  # even kernel
    ((8, 10), 4, 2, 3),
    ((5, 5), 5, 0, 1),  # kernel as large as the image: one output
    ((4, 6), 1, 0, 2),  # 1×1 kernel
    ((3, 3), 5, 1, 1),  # kernel larger than the image but not the padded image
    ((13, 7), 3, (2, 0), (1, 3)),  # pairs
    ((10, 10), 7, 3, 4),
])
def test_apply_kernel_matches_loop_reference(shape, f, padding, stride, provider):
    """Any size, odd or even f, padding and stride: ONNX output equals the loop definition."""
    rng = np.random.default_rng(sum(shape) + f)
    image = rng.standard_normal(shape)
    kernel = rng.standard_normal((f, f))
    out = edge_filters.apply_kernel(image, kernel, padding, stride, provider=provider)
    expected = loop_correlate_2d(image, kernel, pair(padding), pair(stride))
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64, np.float32, np.float64, bool])
def test_apply_kernel_accepts_any_real_dtype_and_returns_float32(dtype):
    """Integer, boolean and float inputs give float32 results equal to the float64 reference."""
    rng = np.random.default_rng(3)
    image = (rng.integers(0, 2 if dtype is bool else 200, (9, 8))).astype(dtype)
    kernel = rng.integers(-3, 4, (3, 3)).astype(dtype if dtype is not np.uint8 else np.int16)
    out = edge_filters.apply_kernel(image, kernel, 1, 1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, loop_correlate_2d(image.astype(float), kernel.astype(float), (1, 1)), atol=1e-3)


def test_apply_kernel_on_photo_sized_values_keeps_float32_precision():
    """0–255 pixels with a Scharr kernel at 256²: relative error stays at float32 level."""
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (256, 256)).astype(np.float64)
    out = edge_filters.apply_kernel(image, edge_filters.SCHARR_X, 1, 1)
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(image, 1), (3, 3))
    expected = np.einsum("hwij,ij->hw", windows, edge_filters.SCHARR_X.astype(np.float64))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-3)


@pytest.mark.parametrize("n, c, h, w, k, f, padding, stride, with_bias", [
    (1, 1, 6, 6, 1, 3, 0, 1, False),
    (2, 3, 9, 7, 2, 3, 1, 1, True),
    (1, 3, 12, 12, 4, 5, 2, 2, True),
    (3, 2, 8, 5, 1, 2, (1, 0), (2, 1), False),
    (1, 4, 5, 5, 3, 1, 0, 3, True),
])
def test_conv2d_matches_loop_reference(n, c, h, w, k, f, padding, stride, with_bias, provider):
    """A volume (N, C, H, W) with K filters (K, C, f, f): each output map is Σ_c of per-channel loops + b."""
    rng = np.random.default_rng(n * 100 + c * 10 + k)
    x = rng.standard_normal((n, c, h, w))
    weights = rng.standard_normal((k, c, f, f))
    bias = rng.standard_normal(k) if with_bias else None
    out = edge_filters.conv2d(x, weights, bias, stride, padding, provider=provider)
    expected = np.stack([np.stack([
        sum(loop_correlate_2d(x[i, ch], weights[kk, ch], pair(padding), pair(stride)) for ch in range(c))
        + (bias[kk] if with_bias else 0.0) for kk in range(k)]) for i in range(n)])
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_inputs_are_not_modified():
    """The caller's arrays are left as they were."""
    image, kernel = np.arange(25.0).reshape(5, 5), np.eye(3)
    before = image.copy(), kernel.copy()
    edge_filters.apply_kernel(image, kernel, 1, 2)
    np.testing.assert_array_equal(image, before[0])
    np.testing.assert_array_equal(kernel, before[1])


@pytest.mark.parametrize("call, message", [
    (lambda: edge_filters.apply_kernel(np.ones((2, 5, 5)), np.ones((3, 3))), "2-D"),
    (lambda: edge_filters.apply_kernel(np.ones(5), np.ones((3, 3))), "2-D"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5)), np.ones((3, 2))), "square"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5)), np.ones(3)), "2-D"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5)), np.ones((0, 0))), "empty"),
    (lambda: edge_filters.apply_kernel(np.ones((0, 5)), np.ones((1, 1))), "empty"),
    (lambda: edge_filters.apply_kernel(np.ones((4, 4)), np.ones((5, 5))), "larger than the padded image"),
    (lambda: edge_filters.apply_kernel(np.ones((4, 9)), np.ones((7, 7)), padding=1), "larger than the padded image"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), padding=-1), "padding"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), stride=0), "stride"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), stride=1.5), "stride"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), stride=(1, 2, 3)), "stride"),
    (lambda: edge_filters.apply_kernel(np.full((5, 5), np.nan), np.ones((3, 3))), "NaN"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5)), np.full((3, 3), np.inf)), "NaN"),
    (lambda: edge_filters.apply_kernel(np.full((5, 5), 1e300), np.ones((3, 3))), "too large"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5), complex), np.ones((3, 3))), "real"),
    (lambda: edge_filters.apply_kernel(np.array([["a"]]), np.ones((1, 1))), "real"),
    (lambda: edge_filters.conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 1, 3, 3))), "channels"),
    (lambda: edge_filters.conv2d(np.ones((3, 5, 5)), np.ones((2, 3, 3, 3))), r"\(N, C, H, W\)"),
    (lambda: edge_filters.conv2d(np.ones((1, 1, 5, 5)), np.ones((2, 1, 3, 3)), np.ones(3)), r"shape \(2,\)"),
    (lambda: edge_filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), provider="tpu"), "provider"),
])
def test_bad_input_raises_value_error_with_reason(call, message):
    """Impossible shapes, values and settings raise ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- the course's example
def test_course_vertical_edge_example():
    """Course: 6×6 (10s left, 0s right) ∗ vertical kernel = 4×4 with 30s in the two middle columns."""
    out = edge_filters.apply_kernel(edge_filters.course_example(), edge_filters.VERTICAL)
    np.testing.assert_array_equal(out, [[0, 30, 30, 0]] * 4)


def test_course_mirrored_example_gives_minus_30():
    """Course, "more edge detection": dark-to-light gives −30, the same edge with the other sign."""
    out = edge_filters.apply_kernel(edge_filters.course_example(dark_to_light=True), edge_filters.VERTICAL)
    np.testing.assert_array_equal(out, [[0, -30, -30, 0]] * 4)


def test_course_example_image_is_10s_then_0s():
    """The example image is exactly the course's: three columns of 10, three of 0."""
    np.testing.assert_array_equal(edge_filters.course_example(), [[10, 10, 10, 0, 0, 0]] * 6)
    np.testing.assert_array_equal(edge_filters.course_example(True), [[0, 0, 0, 10, 10, 10]] * 6)


@pytest.mark.parametrize("padding, stride", [(0, 1), (1, 1), (1, 2), (2, 3)])
def test_patch_products_sum_to_the_output_cell(padding, stride):
    """The picker's patch ⊙ kernel sums to the model's output at every cell, for any p and s."""
    rng = np.random.default_rng(7)
    image, kernel = rng.integers(0, 10, (6, 6)), rng.integers(-2, 3, (3, 3)).astype(float)
    out = edge_filters.apply_kernel(image, kernel, padding, stride)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            patch = edge_filters.patch_at(image, kernel, i, j, padding, stride)
            assert (patch.top, patch.left) == (i * stride, j * stride)
            assert patch.products.sum() == pytest.approx(out[i, j], abs=1e-4)


@pytest.mark.parametrize("i, j, padding, stride", [(4, 0, 0, 1), (0, 4, 0, 1), (-1, 0, 0, 1), (0, 3, 1, 2)])
def test_patch_outside_the_output_is_refused(i, j, padding, stride):
    """Asking for a cell beyond the ⌊(6 + 2p − 3)/s⌋ + 1 output raises instead of showing a cut-off patch."""
    with pytest.raises(ValueError, match="outside"):
        edge_filters.patch_at(np.zeros((6, 6)), np.ones((3, 3)), i, j, padding, stride)


@pytest.mark.parametrize("n, f, p, s", [(6, 3, 0, 1), (6, 3, 1, 1), (7, 3, 0, 2), (5, 4, 2, 3), (4, 5, 0, 1)])
def test_output_shape_matches_what_the_model_returns(n, f, p, s):
    """⌊(n + 2p − f)/s⌋ + 1 (computed by hand here) is the shape the model returns; a kernel that does
    not fit raises, in output_shape and in apply_kernel alike."""
    expected = (n + 2 * p - f) // s + 1
    if expected < 1:
        for call in (lambda: edge_filters.output_shape((n, n + 1), f, p, s),
                     lambda: edge_filters.apply_kernel(np.zeros((n, n + 1)), np.ones((f, f)), p, s)):
            with pytest.raises(ValueError):
                call()
        return
    assert edge_filters.output_shape((n, n + 1), f, p, s)[0] == expected
    assert edge_filters.apply_kernel(np.zeros((n, n + 1)), np.ones((f, f)), p, s).shape[0] == expected
