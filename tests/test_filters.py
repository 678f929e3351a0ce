"""playground.filters: apply_kernel and conv2d against loop references, the kernels against their definitions."""

from __future__ import annotations

import numpy as np
import pytest

from playground import filters
from playground.edge_images import synthetic_rgb


def loop_correlate(image, kernel, padding=(0, 0), stride=(1, 1)):
    """Deep learning's convolution written from its definition: float64 loops over every output cell."""
    image = np.asarray(image, np.float64)
    kernel = np.asarray(kernel, np.float64)
    (ph, pw), (sh, sw) = padding, stride
    h, w = image.shape
    padded = np.zeros((h + 2 * ph, w + 2 * pw))
    padded[ph:ph + h, pw:pw + w] = image
    f = kernel.shape[0]
    out = np.empty(((padded.shape[0] - f) // sh + 1, (padded.shape[1] - f) // sw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            total = 0.0
            for u in range(f):
                for v in range(f):
                    total += padded[i * sh + u, j * sw + v] * kernel[u, v]
            out[i, j] = total
    return out


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
    out = filters.apply_kernel(image, kernel, padding, stride, provider=provider)
    expected = loop_correlate(image, kernel, pair(padding), pair(stride))
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64, np.float32, np.float64, bool])
def test_apply_kernel_accepts_any_real_dtype_and_returns_float32(dtype):
    """Integer, boolean and float inputs give float32 results equal to the float64 reference."""
    rng = np.random.default_rng(3)
    image = (rng.integers(0, 2 if dtype is bool else 200, (9, 8))).astype(dtype)
    kernel = rng.integers(-3, 4, (3, 3)).astype(dtype if dtype is not np.uint8 else np.int16)
    out = filters.apply_kernel(image, kernel, 1, 1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, loop_correlate(image.astype(float), kernel.astype(float), (1, 1)), atol=1e-3)


def test_apply_kernel_on_photo_sized_values_keeps_float32_precision():
    """0–255 pixels with a Scharr kernel at 256²: relative error stays at float32 level."""
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (256, 256)).astype(np.float64)
    out = filters.apply_kernel(image, filters.SCHARR_X, 1, 1)
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(image, 1), (3, 3))
    expected = np.einsum("hwij,ij->hw", windows, filters.SCHARR_X.astype(np.float64))
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
    out = filters.conv2d(x, weights, bias, stride, padding, provider=provider)
    expected = np.stack([np.stack([
        sum(loop_correlate(x[i, ch], weights[kk, ch], pair(padding), pair(stride)) for ch in range(c))
        + (bias[kk] if with_bias else 0.0) for kk in range(k)]) for i in range(n)])
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_inputs_are_not_modified():
    """The caller's arrays are left as they were."""
    image, kernel = np.arange(25.0).reshape(5, 5), np.eye(3)
    before = image.copy(), kernel.copy()
    filters.apply_kernel(image, kernel, 1, 2)
    np.testing.assert_array_equal(image, before[0])
    np.testing.assert_array_equal(kernel, before[1])


@pytest.mark.parametrize("call, message", [
    (lambda: filters.apply_kernel(np.ones((2, 5, 5)), np.ones((3, 3))), "2-D"),
    (lambda: filters.apply_kernel(np.ones(5), np.ones((3, 3))), "2-D"),
    (lambda: filters.apply_kernel(np.ones((5, 5)), np.ones((3, 2))), "square"),
    (lambda: filters.apply_kernel(np.ones((5, 5)), np.ones(3)), "2-D"),
    (lambda: filters.apply_kernel(np.ones((5, 5)), np.ones((0, 0))), "empty"),
    (lambda: filters.apply_kernel(np.ones((0, 5)), np.ones((1, 1))), "empty"),
    (lambda: filters.apply_kernel(np.ones((4, 4)), np.ones((5, 5))), "larger than the padded image"),
    (lambda: filters.apply_kernel(np.ones((4, 9)), np.ones((7, 7)), padding=1), "larger than the padded image"),
    (lambda: filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), padding=-1), "padding"),
    (lambda: filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), stride=0), "stride"),
    (lambda: filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), stride=1.5), "stride"),
    (lambda: filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), stride=(1, 2, 3)), "stride"),
    (lambda: filters.apply_kernel(np.full((5, 5), np.nan), np.ones((3, 3))), "NaN"),
    (lambda: filters.apply_kernel(np.ones((5, 5)), np.full((3, 3), np.inf)), "NaN"),
    (lambda: filters.apply_kernel(np.full((5, 5), 1e300), np.ones((3, 3))), "too large"),
    (lambda: filters.apply_kernel(np.ones((5, 5), complex), np.ones((3, 3))), "real"),
    (lambda: filters.apply_kernel(np.array([["a"]]), np.ones((1, 1))), "real"),
    (lambda: filters.conv2d(np.ones((1, 3, 5, 5)), np.ones((2, 1, 3, 3))), "channels"),
    (lambda: filters.conv2d(np.ones((3, 5, 5)), np.ones((2, 3, 3, 3))), r"\(N, C, H, W\)"),
    (lambda: filters.conv2d(np.ones((1, 1, 5, 5)), np.ones((2, 1, 3, 3)), np.ones(3)), r"shape \(2,\)"),
    (lambda: filters.apply_kernel(np.ones((5, 5)), np.ones((3, 3)), provider="tpu"), "provider"),
])
def test_bad_input_raises_value_error_with_reason(call, message):
    """Impossible shapes, values and settings raise ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- the course's example
def test_course_vertical_edge_example():
    """Course: 6×6 (10s left, 0s right) ∗ vertical kernel = 4×4 with 30s in the two middle columns."""
    out = filters.apply_kernel(filters.course_example(), filters.VERTICAL)
    np.testing.assert_array_equal(out, [[0, 30, 30, 0]] * 4)


def test_course_mirrored_example_gives_minus_30():
    """Course, "more edge detection": dark-to-light gives −30, the same edge with the other sign."""
    out = filters.apply_kernel(filters.course_example(dark_to_light=True), filters.VERTICAL)
    np.testing.assert_array_equal(out, [[0, -30, -30, 0]] * 4)


def test_course_example_image_is_10s_then_0s():
    """The example image is exactly the course's: three columns of 10, three of 0."""
    np.testing.assert_array_equal(filters.course_example(), [[10, 10, 10, 0, 0, 0]] * 6)
    np.testing.assert_array_equal(filters.course_example(True), [[0, 0, 0, 10, 10, 10]] * 6)


@pytest.mark.parametrize("padding, stride", [(0, 1), (1, 1), (1, 2), (2, 3)])
def test_patch_products_sum_to_the_output_cell(padding, stride):
    """The picker's patch ⊙ kernel sums to the model's output at every cell, for any p and s."""
    rng = np.random.default_rng(7)
    image, kernel = rng.integers(0, 10, (6, 6)), rng.integers(-2, 3, (3, 3)).astype(float)
    out = filters.apply_kernel(image, kernel, padding, stride)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            patch = filters.patch_at(image, kernel, i, j, padding, stride)
            assert (patch.top, patch.left) == (i * stride, j * stride)
            assert patch.products.sum() == pytest.approx(out[i, j], abs=1e-4)


@pytest.mark.parametrize("i, j, padding, stride", [(4, 0, 0, 1), (0, 4, 0, 1), (-1, 0, 0, 1), (0, 3, 1, 2)])
def test_patch_outside_the_output_is_refused(i, j, padding, stride):
    """Asking for a cell beyond the ⌊(6 + 2p − 3)/s⌋ + 1 output raises instead of showing a cut-off patch."""
    with pytest.raises(ValueError, match="outside"):
        filters.patch_at(np.zeros((6, 6)), np.ones((3, 3)), i, j, padding, stride)


@pytest.mark.parametrize("n, f, p, s", [(6, 3, 0, 1), (6, 3, 1, 1), (7, 3, 0, 2), (5, 4, 2, 3), (4, 5, 0, 1)])
def test_output_shape_matches_what_the_model_returns(n, f, p, s):
    """⌊(n + 2p − f)/s⌋ + 1 (computed by hand here) is the shape the model returns; a kernel that does
    not fit raises, in output_shape and in apply_kernel alike."""
    expected = (n + 2 * p - f) // s + 1
    if expected < 1:
        for call in (lambda: filters.output_shape((n, n + 1), f, p, s),
                     lambda: filters.apply_kernel(np.zeros((n, n + 1)), np.ones((f, f)), p, s)):
            with pytest.raises(ValueError):
                call()
        return
    assert filters.output_shape((n, n + 1), f, p, s)[0] == expected
    assert filters.apply_kernel(np.zeros((n, n + 1)), np.ones((f, f)), p, s).shape[0] == expected


# ---------------------------------------------------------------- kernels
def test_named_kernels_are_the_textbook_ones():
    """Sobel and Scharr, written out from their definitions, and the course's vertical/horizontal kernels."""
    np.testing.assert_array_equal(filters.VERTICAL, [[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    np.testing.assert_array_equal(filters.HORIZONTAL, [[1, 1, 1], [0, 0, 0], [-1, -1, -1]])
    np.testing.assert_array_equal(filters.SOBEL_X, [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    np.testing.assert_array_equal(filters.SOBEL_Y, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
    np.testing.assert_array_equal(filters.SCHARR_X, [[3, 0, -3], [10, 0, -10], [3, 0, -3]])
    np.testing.assert_array_equal(filters.SCHARR_Y, [[3, 10, 3], [0, 0, 0], [-3, -10, -3]])


def test_kernel_constants_are_read_only():
    """No caller can change a shared kernel by accident."""
    with pytest.raises(ValueError):
        filters.SOBEL_X[0, 0] = 5


@pytest.mark.parametrize("theta, expected", [(90, filters.SOBEL_X), (0, filters.SOBEL_Y),
                                             (270, -filters.SOBEL_X), (180, -filters.SOBEL_Y)])
def test_angle_kernel_at_right_angles_is_sobel(theta, expected):
    """θ = 90° (a vertical edge) is Sobel x, θ = 0° (horizontal) is Sobel y; opposite angles flip the sign."""
    np.testing.assert_allclose(filters.angle_kernel(theta), expected, atol=1e-6)


def test_angle_kernel_at_45_degrees_finds_the_diagonal_edge():
    """On a "/" edge with light above, the 45° kernel responds most, 135° (along the edge) not at all."""
    image = synthetic_rgb("diagonal")[..., 0] * 255
    peak = {theta: filters.apply_kernel(image, filters.angle_kernel(theta)).max() for theta in range(0, 360, 15)}
    assert max(peak, key=peak.get) == 45
    along = filters.apply_kernel(image, filters.angle_kernel(135))
    np.testing.assert_allclose(along, 0, atol=1e-3)
    gx, gy = filters.apply_kernels(image, np.stack([filters.SOBEL_X, filters.SOBEL_Y]))
    on_edge = filters.gradient_magnitude(gx, gy) > 1
    np.testing.assert_allclose(filters.edge_direction(gx, gy)[on_edge], 45, atol=1e-3)


def test_steered_kernel_at_the_edge_direction_gives_the_magnitude():
    """Steerability: the angle kernel at θ = edge_direction responds exactly √(Gx² + Gy²), and no θ more."""
    rng = np.random.default_rng(11)
    image = rng.random((8, 8))
    gx, gy = filters.apply_kernels(image, np.stack([filters.SOBEL_X, filters.SOBEL_Y]))
    magnitude, direction = filters.gradient_magnitude(gx, gy), filters.edge_direction(gx, gy)
    for i, j in [(0, 0), (2, 3), (5, 5)]:
        patch = image[i:i + 3, j:j + 3]
        steered = np.sum(patch * filters.angle_kernel(direction[i, j]))
        assert steered == pytest.approx(magnitude[i, j], rel=1e-5)
        others = [np.sum(patch * filters.angle_kernel(t)) for t in range(0, 360, 5)]
        assert max(others) <= magnitude[i, j] * (1 + 1e-5)


@pytest.mark.parametrize("light, gx, gy, direction", [
    ("left", 4, 0, 90),     # vertical edge, light on the left: Sobel x = (1 + 2 + 1)·h
    ("right", -4, 0, 270),
    ("top", 0, 4, 0),       # horizontal edge, light above
    ("bottom", 0, -4, 180),
])
def test_gradient_of_a_step_edge(light, gx, gy, direction):
    """A step of height h: Sobel gives ±4h across it, magnitude 4h, and the edge direction of the convention."""
    h = 10.0
    image = np.zeros((6, 6))
    sides = {"left": (slice(None), slice(0, 3)), "right": (slice(None), slice(3, None)),
             "top": (slice(0, 3), slice(None)), "bottom": (slice(3, None), slice(None))}
    image[sides[light]] = h
    out_x, out_y = filters.apply_kernels(image, np.stack([filters.SOBEL_X, filters.SOBEL_Y]))
    # the step sits between rows/columns 2 and 3: output index 1 and 2 straddle it
    cell = (2, 1) if light in ("left", "right") else (1, 2)
    assert out_x[cell] == pytest.approx(gx * h) and out_y[cell] == pytest.approx(gy * h)
    assert filters.gradient_magnitude(out_x, out_y)[cell] == pytest.approx(4 * h)
    assert filters.edge_direction(out_x, out_y)[cell] == pytest.approx(direction)


def test_flat_image_has_no_edges():
    """A constant image gives zero response for every zero-sum kernel (away from padding)."""
    image = np.full((10, 10), 7.0)
    for kernel in filters.KERNELS.values():
        np.testing.assert_allclose(filters.apply_kernel(image, kernel), 0, atol=1e-4)


# ---------------------------------------------------------------- flipping
def test_cross_correlation_of_an_impulse_is_the_kernel_rotated():
    """Deep learning's "convolution" of a single 1 gives the kernel rotated 180°."""
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    np.testing.assert_array_equal(filters.apply_kernel(impulse, kernel), kernel[::-1, ::-1])


def test_true_convolution_of_an_impulse_reproduces_the_kernel():
    """Convolution proper (cross-correlation with the flipped kernel) of an impulse is the kernel itself."""
    impulse = np.zeros((9, 9))
    impulse[4, 4] = 1
    kernel = np.random.default_rng(2).standard_normal((5, 5))
    np.testing.assert_allclose(filters.apply_kernel(impulse, filters.flip_kernel(kernel)), kernel, atol=1e-6)


def test_flipping_an_edge_kernel_only_changes_its_sign():
    """The antisymmetric edge kernels rotated 180° are their own negatives."""
    for name in ("vertical", "horizontal", "sobel_x", "sobel_y", "scharr_x", "scharr_y"):
        np.testing.assert_array_equal(filters.flip_kernel(filters.KERNELS[name]), -filters.KERNELS[name])


# ---------------------------------------------------------------- colour volumes
def test_red_only_filter_sees_only_the_red_channel():
    """An f×f×3 filter with the kernel on R and zeros elsewhere gives the R channel's map alone."""
    rng = np.random.default_rng(4)
    rgb = rng.random((3, 9, 9))
    volume = filters.volume_filter(filters.SOBEL_X, "r")
    assert volume.shape == (1, 3, 3, 3)
    np.testing.assert_array_equal(volume[0, 1:], 0)
    out = filters.conv2d(rgb[None], volume)[0, 0]
    np.testing.assert_allclose(out, loop_correlate(rgb[0], filters.SOBEL_X), atol=1e-5)


def test_all_channel_filter_sums_the_channel_maps():
    """The same kernel on R, G and B gives ONE map: the sum of the three per-channel maps."""
    rng = np.random.default_rng(6)
    rgb = rng.random((3, 8, 10))
    out = filters.conv2d(rgb[None], filters.volume_filter(filters.VERTICAL, "all"), padding=1)[0, 0]
    expected = sum(loop_correlate(rgb[c], filters.VERTICAL, (1, 1)) for c in range(3))
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_volume_filter_refuses_unknown_channel():
    """Only all, r, g and b are channel choices."""
    with pytest.raises(ValueError, match="channels"):
        filters.volume_filter(filters.VERTICAL, "alpha")


# ---------------------------------------------------------------- check yourself
def test_exercise_is_reproducible_from_its_seed():
    """The question in a shared link is the same question; another seed usually gives another one."""
    a, b = filters.exercise(42), filters.exercise(42)
    assert a.kernel_name == b.kernel_name
    np.testing.assert_array_equal(a.patch, b.patch)
    assert a.kernel_name in filters.EXERCISE_KERNELS and a.patch.shape == (3, 3)
    others = {(filters.exercise(s).kernel_name, filters.exercise(s).patch.tobytes()) for s in range(20)}
    assert len(others) > 10


# ---------------------------------------------------------------- typed kernels
@pytest.mark.parametrize("text, expected", [
    ("1 0 -1\n2 0 -2\n1 0 -1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
    ("1,0,-1;2,0,-2;1,0,-1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),  # the link's compact form
    ("  1, 0 ,-1 \n\n 1 ,0, -1\n1 0 -1\n", [[1, 0, -1]] * 3),  # spaces, blank lines
    ("1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9", [[1 / 9] * 3] * 3),  # box blur as fractions
    ("\u22121 0 1\n\u22121 0 1\n\u22121 0 1", [[-1, 0, 1]] * 3),  # the page's typographic minus
    ("2.5e-1", [[0.25]]),  # 1×1
    ("1 2\n3 4", [[1, 2], [3, 4]]),  # even size
    ("+.5 -0. \n 1. 1e2", [[0.5, 0], [1, 100]]),
])
def test_parse_kernel_reads_good_text(text, expected):
    """Rows by line or ';', numbers by spaces or commas, decimals, exponents and fractions."""
    np.testing.assert_allclose(filters.parse_kernel(text), expected, rtol=1e-7)
    assert filters.parse_kernel(text).dtype == np.float32


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    (" \n ;\n", "empty"),
    ("1 0 -1\n2 0\n1 0 -1", "Row 2 has 2 numbers"),
    ("1 0\n2 0\n1 0", "Row 1 has 2 numbers.*3 rows"),
    ("1 0 -1\n2 x -2\n1 0 -1", "Row 2: 'x' is not a number"),
    ("1 0 -1\n2 0 -2\n1 0 nan", "Row 3: 'nan' is not a number"),
    ("inf", "Row 1: 'inf' is not a number"),
    ("1e400", "outside"),
    ("2e6", "outside"),
    ("1/0", "divides by zero"),
    ("1/2/3", "not a number"),
    ("1,,2\n3 4", "Row 1: an empty value"),
    ("__import__('os')", "not a number"),
    ("1_000", "not a number"),
    ("\n".join(["1 " * 10] * 10), "at most 9×9"),
    ("1" * 3000, "limit"),
])
def test_parse_kernel_names_the_row_and_the_problem(text, message):
    """Bad text raises KernelTextError (a ValueError) whose message says which row and what is wrong."""
    with pytest.raises(filters.KernelTextError, match=message):
        filters.parse_kernel(text)


@pytest.mark.parametrize("kernel", [filters.SOBEL_X, filters.SCHARR_Y, np.array([[0.5]]),
                                    np.array([[1.25, -3], [1e-3, 7]]), np.full((3, 3), 1 / 9),
                                    np.array([[2 / 3, -1e-30], [-0.0, 999_999.94]])])
def test_format_kernel_round_trips_through_the_parser_exactly(kernel):
    """The link form of a kernel parses back to the very same float32 values (fractions like 1/9 included)."""
    np.testing.assert_array_equal(filters.parse_kernel(filters.format_kernel(kernel)), kernel.astype(np.float32))


def test_format_kernel_is_short():
    """Whole numbers are written without decimals, the link form of Sobel x is the one users type."""
    assert filters.format_kernel(filters.SOBEL_X) == "1,0,-1;2,0,-2;1,0,-1"
