"""playground.edge_filters: the named kernels against their definitions, steering, flipping, volumes, the quiz."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from playground import edge_filters
from playground.edge_filters.samples import synthetic_rgb
from tests.references import loop_correlate_2d


# ---------------------------------------------------------------- kernels
def test_named_kernels_are_the_textbook_ones():
    """Sobel and Scharr, written out from their definitions, and the course's vertical/horizontal kernels."""
    np.testing.assert_array_equal(edge_filters.VERTICAL, [[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    np.testing.assert_array_equal(edge_filters.HORIZONTAL, [[1, 1, 1], [0, 0, 0], [-1, -1, -1]])
    np.testing.assert_array_equal(edge_filters.SOBEL_X, [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    np.testing.assert_array_equal(edge_filters.SOBEL_Y, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
    np.testing.assert_array_equal(edge_filters.SCHARR_X, [[3, 0, -3], [10, 0, -10], [3, 0, -3]])
    np.testing.assert_array_equal(edge_filters.SCHARR_Y, [[3, 10, 3], [0, 0, 0], [-3, -10, -3]])


def test_kernel_constants_are_read_only():
    """No caller can change a shared kernel by accident."""
    with pytest.raises(ValueError):
        edge_filters.SOBEL_X[0, 0] = 5


@pytest.mark.parametrize("theta, expected", [(90, edge_filters.SOBEL_X), (0, edge_filters.SOBEL_Y),
                                             (270, -edge_filters.SOBEL_X), (180, -edge_filters.SOBEL_Y)])
def test_angle_kernel_at_right_angles_is_sobel(theta, expected):
    """θ = 90° (a vertical edge) is Sobel x, θ = 0° (horizontal) is Sobel y; opposite angles flip the sign."""
    np.testing.assert_allclose(edge_filters.angle_kernel(theta), expected, atol=1e-6)


def test_angle_kernel_at_45_degrees_finds_the_diagonal_edge():
    """On a "/" edge with light above, the 45° kernel responds most, 135° (along the edge) not at all."""
    image = synthetic_rgb("diagonal")[..., 0] * 255
    peak = {theta: edge_filters.apply_kernel(image, edge_filters.angle_kernel(theta)).max() for theta in range(0, 360, 15)}
    assert max(peak, key=peak.get) == 45
    along = edge_filters.apply_kernel(image, edge_filters.angle_kernel(135))
    np.testing.assert_allclose(along, 0, atol=1e-3)
    gx, gy = edge_filters.apply_kernels(image, np.stack([edge_filters.SOBEL_X, edge_filters.SOBEL_Y]))
    on_edge = edge_filters.gradient_magnitude(gx, gy) > 1
    np.testing.assert_allclose(edge_filters.edge_direction(gx, gy)[on_edge], 45, atol=1e-3)


def test_steered_kernel_at_the_edge_direction_gives_the_magnitude():
    """Steerability: the angle kernel at θ = edge_direction responds exactly √(Gx² + Gy²), and no θ more."""
    rng = np.random.default_rng(11)
    image = rng.random((8, 8))
    gx, gy = edge_filters.apply_kernels(image, np.stack([edge_filters.SOBEL_X, edge_filters.SOBEL_Y]))
    magnitude, direction = edge_filters.gradient_magnitude(gx, gy), edge_filters.edge_direction(gx, gy)
    for i, j in [(0, 0), (2, 3), (5, 5)]:
        patch = image[i:i + 3, j:j + 3]
        steered = np.sum(patch * edge_filters.angle_kernel(direction[i, j]))
        assert steered == pytest.approx(magnitude[i, j], rel=1e-5)
        others = [np.sum(patch * edge_filters.angle_kernel(t)) for t in range(0, 360, 5)]
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
    out_x, out_y = edge_filters.apply_kernels(image, np.stack([edge_filters.SOBEL_X, edge_filters.SOBEL_Y]))
    # the step sits between rows/columns 2 and 3: output index 1 and 2 straddle it
    cell = (2, 1) if light in ("left", "right") else (1, 2)
    assert out_x[cell] == pytest.approx(gx * h) and out_y[cell] == pytest.approx(gy * h)
    assert edge_filters.gradient_magnitude(out_x, out_y)[cell] == pytest.approx(4 * h)
    assert edge_filters.edge_direction(out_x, out_y)[cell] == pytest.approx(direction)


def test_flat_image_has_no_edges():
    """A constant image gives zero response for every zero-sum kernel (away from padding)."""
    image = np.full((10, 10), 7.0)
    for kernel in edge_filters.KERNELS.values():
        np.testing.assert_allclose(edge_filters.apply_kernel(image, kernel), 0, atol=1e-4)


# ---------------------------------------------------------------- flipping
def test_cross_correlation_of_an_impulse_is_the_kernel_rotated():
    """Deep learning's "convolution" of a single 1 gives the kernel rotated 180°."""
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    np.testing.assert_array_equal(edge_filters.apply_kernel(impulse, kernel), kernel[::-1, ::-1])


def test_true_convolution_of_an_impulse_reproduces_the_kernel():
    """Convolution proper (cross-correlation with the flipped kernel) of an impulse is the kernel itself."""
    impulse = np.zeros((9, 9))
    impulse[4, 4] = 1
    kernel = np.random.default_rng(2).standard_normal((5, 5))
    np.testing.assert_allclose(edge_filters.apply_kernel(impulse, edge_filters.flip_kernel(kernel)), kernel, atol=1e-6)


def test_flipping_an_edge_kernel_only_changes_its_sign():
    """The antisymmetric edge kernels rotated 180° are their own negatives."""
    for name in ("vertical", "horizontal", "sobel_x", "sobel_y", "scharr_x", "scharr_y"):
        np.testing.assert_array_equal(edge_filters.flip_kernel(edge_filters.KERNELS[name]), -edge_filters.KERNELS[name])


# ---------------------------------------------------------------- colour volumes
def test_red_only_filter_sees_only_the_red_channel():
    """An f×f×3 filter with the kernel on R and zeros elsewhere gives the R channel's map alone."""
    rng = np.random.default_rng(4)
    rgb = rng.random((3, 9, 9))
    volume = edge_filters.volume_filter(edge_filters.SOBEL_X, "r")
    assert volume.shape == (1, 3, 3, 3)
    np.testing.assert_array_equal(volume[0, 1:], 0)
    out = edge_filters.conv2d(rgb[None], volume)[0, 0]
    np.testing.assert_allclose(out, loop_correlate_2d(rgb[0], edge_filters.SOBEL_X), atol=1e-5)


def test_all_channel_filter_sums_the_channel_maps():
    """The same kernel on R, G and B gives ONE map: the sum of the three per-channel maps."""
    rng = np.random.default_rng(6)
    rgb = rng.random((3, 8, 10))
    out = edge_filters.conv2d(rgb[None], edge_filters.volume_filter(edge_filters.VERTICAL, "all"), padding=1)[0, 0]
    expected = sum(loop_correlate_2d(rgb[c], edge_filters.VERTICAL, (1, 1)) for c in range(3))
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_volume_filter_refuses_unknown_channel():
    """Only all, r, g and b are channel choices."""
    with pytest.raises(ValueError, match="channels"):
        edge_filters.volume_filter(edge_filters.VERTICAL, "alpha")


# ---------------------------------------------------------------- check yourself
def test_exercise_is_reproducible_from_its_seed():
    """The question in a shared link is the same question; another seed usually gives another one."""
    a, b = edge_filters.exercise(42), edge_filters.exercise(42)
    assert a.kernel_name == b.kernel_name
    np.testing.assert_array_equal(a.patch, b.patch)
    assert a.kernel_name in edge_filters.EXERCISE_KERNELS and a.patch.shape == (3, 3)
    others = {(edge_filters.exercise(s).kernel_name, edge_filters.exercise(s).patch.tobytes()) for s in range(20)}
    assert len(others) > 10


@pytest.mark.parametrize("kernel", [[[1, 0, -1]] * 3, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]], [[0.5, -0.25]],
                                    [[1, 1], [1, 1]], [[-1, 0], [0, -2]]])
def test_strongest_response_is_the_largest_over_every_black_and_white_patch(kernel):
    """Brute force: |Σ w x| over every patch of 0s and 255s (the extremes of a linear function on the box)."""
    k = np.array(kernel, np.float64)
    best = max(abs(float((np.array(bits, np.float64).reshape(k.shape) * 255 * k).sum()))
               for bits in itertools.product((0, 1), repeat=k.size))
    assert edge_filters.strongest_response(k) == pytest.approx(best)
