"""The residual block on ONNX Runtime against a loop-by-loop reference written from the definition (tests/references.py)."""

from __future__ import annotations

import numpy as np
import pytest

from playground import residual_block as residual
from playground import runtime
from playground.conv_arithmetic import conv_output_size
from tests.references import reference_block

RTOL, ATOL = 1e-5, 1e-4  # float32 ORT vs float64 loops, values of order 10


def random_block(seed, c, h, w, c_out=None):
    rng = np.random.default_rng(seed)
    c_out = c if c_out is None else c_out
    return (rng.standard_normal((c, h, w)), rng.standard_normal((c_out, c, 3, 3)), rng.standard_normal(c_out),
            rng.standard_normal((c_out, c_out, 3, 3)), rng.standard_normal(c_out),
            rng.standard_normal((c_out, c, 1, 1)))


@pytest.mark.model_reference("residual_block")
@pytest.mark.parametrize("c, h, w", [(1, 1, 1), (2, 5, 5), (3, 7, 4), (4, 2, 9), (8, 12, 12)])
@pytest.mark.parametrize("skip", [True, False])
def test_block_steps_match_loop_reference(c, h, w, skip, provider):
    """Every intermediate z1, a1, z2, shortcut, a2 equals the loop reference, skip on and off."""
    a, w1, b1, w2, b2, _ = random_block(c * 100 + h, c, h, w)
    steps = residual.residual_block_steps(a, w1, b1, w2, b2, skip=skip, provider=provider)
    expected = reference_block(a, w1, b1, w2, b2, skip=skip)
    for name in ("z1", "a1", "z2", "shortcut", "a2"):
        got = getattr(steps, name)
        assert got.dtype == np.float32 and got.shape == (c, h, w)
        np.testing.assert_allclose(got, expected[name], rtol=RTOL, atol=ATOL, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64, np.int32, np.uint8])
def test_residual_block_accepts_any_real_dtype_and_returns_float32(dtype):
    """The public function takes any real dtype and returns float32 equal to the reference."""
    rng = np.random.default_rng(3)
    weight_dtype = np.int8 if np.issubdtype(dtype, np.unsignedinteger) else dtype  # weights need signs
    a = rng.integers(0, 5, (2, 6, 5)).astype(dtype)
    w1 = rng.integers(-2, 3, (2, 2, 3, 3)).astype(weight_dtype)
    w2 = rng.integers(-2, 3, (2, 2, 3, 3)).astype(weight_dtype)
    b1, b2 = np.array([1, 0], dtype), np.array([0, 2], dtype)
    out = residual.residual_block(a, w1, b1, w2, b2)
    assert out.dtype == np.float32 and out.shape == a.shape
    np.testing.assert_allclose(out, reference_block(a, w1, b1, w2, b2)["a2"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("seed", range(4))
def test_zero_second_layer_gives_the_identity_for_nonnegative_input(seed):
    """W^[l+2] = 0 and b^[l+2] = 0 with a^[l] ≥ 0: a^[l+2] equals a^[l] exactly, whatever W^[l+1]."""
    a, w1, b1, w2, b2, _ = random_block(seed, 3, 6, 6)
    a = np.abs(a).astype(np.float32)
    out = residual.residual_block(a, w1, b1, np.zeros_like(w2), np.zeros_like(b2))
    np.testing.assert_array_equal(out, a)


def test_zero_second_layer_clips_negative_input():
    """With a^[l] < 0 somewhere the 'identity' is g(a^[l]): negatives become 0 (why it needs a^[l] ≥ 0)."""
    a, w1, b1, w2, b2, _ = random_block(7, 2, 5, 5)
    a = a.astype(np.float32)
    assert (a < 0).any()
    out = residual.residual_block(a, w1, b1, np.zeros_like(w2), np.zeros_like(b2))
    np.testing.assert_array_equal(out, np.maximum(a, 0))


def test_skip_off_is_the_plain_block():
    """With the skip off and W^[l+2] = 0, the block outputs g(b^[l+2]) everywhere: a^[l] is lost."""
    a, w1, b1, w2, _, _ = random_block(11, 2, 4, 4)
    b2 = np.array([0.5, -0.5])
    steps = residual.residual_block_steps(a, w1, b1, np.zeros_like(w2), b2, skip=False)
    np.testing.assert_array_equal(steps.a2, np.broadcast_to(np.maximum(b2, 0)[:, None, None], a.shape))
    np.testing.assert_array_equal(steps.shortcut, 0)


@pytest.mark.parametrize("projection", [False, True])
@pytest.mark.parametrize("skip", [True, False])
@pytest.mark.parametrize("seed", range(3))
def test_identity_output_is_the_block_run_with_a_zero_second_layer(projection, skip, seed):
    """max(0, shortcut) of a block equals ORT's a^[l+2] for the same block with W^[l+2] = b^[l+2] = 0.

    Identity and projection (stride 2, 3 → 4 channels), skip on and off, with negatives in a^[l].
    """
    a, w1, b1, w2, b2, ws = random_block(seed, 3, 7, 7, 4 if projection else None)
    if projection:
        steps = residual.projection_block_steps(a, w1, b1, w2, b2, ws, stride=2, skip=skip)
        zeroed = residual.projection_block_steps(a, w1, b1, 0 * w2, 0 * b2, ws, stride=2, skip=skip)
    else:
        steps = residual.residual_block_steps(a, w1, b1, w2, b2, skip=skip)
        zeroed = residual.residual_block_steps(a, w1, b1, 0 * w2, 0 * b2, skip=skip)
    assert (steps.shortcut < 0).any() or not skip  # the ReLU has something to clip
    out = residual.identity_output(steps.shortcut)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, zeroed.a2)


@pytest.mark.model_reference("residual_block_projection")
@pytest.mark.parametrize("c_in, c_out, h, w, stride", [
    (2, 4, 6, 6, 2), (3, 3, 7, 5, 2), (1, 2, 5, 5, 1), (2, 2, 9, 9, 3), (4, 8, 8, 8, 4), (2, 1, 1, 1, 2)])
def test_projection_block_matches_loop_reference(c_in, c_out, h, w, stride, provider):
    """The shape-changing block (stride s, C_in → C_out, shortcut W_s a^[l]) equals the loop reference."""
    a, w1, b1, w2, b2, ws = random_block(c_in * 10 + stride, c_in, h, w, c_out)
    steps = residual.projection_block_steps(a, w1, b1, w2, b2, ws, stride=stride, provider=provider)
    expected = reference_block(a, w1, b1, w2, b2, ws, stride)
    shapes = residual.block_shapes(c_in, h, w, c_out, stride)
    for name in ("z1", "a1", "z2", "shortcut", "a2"):
        got = getattr(steps, name)
        assert got.shape == shapes.main == expected[name].shape, name
        np.testing.assert_allclose(got, expected[name], rtol=RTOL, atol=ATOL, err_msg=name)
    out = residual.residual_block_projection(a, w1, b1, w2, b2, ws, stride=stride, provider=provider)
    np.testing.assert_array_equal(out, steps.a2)


def test_projection_with_identity_ws_equals_identity_block():
    """W_s = I (1×1) at stride 1 with C_out = C_in is the identity shortcut: both models agree."""
    a, w1, b1, w2, b2, _ = random_block(5, 3, 6, 6)
    ws = np.eye(3)[:, :, None, None]
    proj = residual.residual_block_projection(a, w1, b1, w2, b2, ws, stride=1)
    np.testing.assert_allclose(proj, residual.residual_block(a, w1, b1, w2, b2), rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("n, stride", [(1, 1), (5, 1), (5, 2), (6, 2), (7, 3), (8, 4), (64, 2), (9, 4)])
def test_block_shapes_follow_the_output_size_formula(n, stride):
    """Main path and 1×1 projection give the same size ⌊(n − 1)/s⌋ + 1; identity fits only when nothing changes."""
    brute = len(range(0, n, stride))  # rows the strided 3×3 with p = 1 visits
    shapes = residual.block_shapes(2, n, n, 4, stride)
    assert shapes.main == (4, brute, brute)
    assert conv_output_size(n, 1, 0, stride) == brute  # the 1×1 shortcut
    assert not shapes.identity_fits
    assert residual.block_shapes(2, n, n, 2, 1).identity_fits


@pytest.mark.parametrize("args, message", [
    (dict(a=np.zeros((2, 5))), "a must have 3 dimensions"),
    (dict(a=np.zeros((0, 5, 5))), "a is empty"),
    (dict(a=np.full((2, 5, 5), np.nan)), "not finite"),
    (dict(a=np.full((2, 5, 5), 1e300)), "not finite"),
    (dict(a=np.zeros((2, 5, 5), complex)), "real numbers"),
    (dict(a=np.array([[["x"]]])), "real numbers"),
    (dict(w1=np.zeros((2, 2, 5, 5))), "w1 must have shape (2, 2, 3, 3)"),
    (dict(w2=np.zeros((3, 2, 3, 3))), "w2 must have shape (2, 2, 3, 3)"),
    (dict(b1=np.zeros(3)), "b1 must have shape (2,)"),
    (dict(b2=np.zeros((2, 1))), "b2 must have 1 dimensions"),
    (dict(w1=np.full((2, 2, 3, 3), np.inf)), "not finite"),
])
def test_bad_arguments_raise_value_error(args, message):
    """Wrong shapes, non-real or non-finite values raise a ValueError that says what is wrong."""
    values = dict(a=np.zeros((2, 5, 5)), w1=np.zeros((2, 2, 3, 3)), b1=np.zeros(2),
                  w2=np.zeros((2, 2, 3, 3)), b2=np.zeros(2))
    values.update(args)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        residual.residual_block(values["a"], values["w1"], values["b1"], values["w2"], values["b2"])


@pytest.mark.parametrize("stride", [0, 5, 1.5, True, "2"])
def test_projection_refuses_bad_stride(stride):
    """Strides outside 1…MAX_STRIDE, or not integers, raise a ValueError."""
    a, w1, b1, w2, b2, ws = random_block(0, 2, 5, 5, 3)
    with pytest.raises(ValueError, match="stride"):
        residual.projection_block_steps(a, w1, b1, w2, b2, ws, stride=stride)


def test_projection_refuses_ws_of_wrong_shape():
    """W_s must be (C_out, C_in, 1, 1)."""
    a, w1, b1, w2, b2, ws = random_block(0, 2, 5, 5, 3)
    with pytest.raises(ValueError, match="ws must have shape"):
        residual.projection_block_steps(a, w1, b1, w2, b2, ws[:, :, :1, :1].repeat(3, axis=2), stride=2)


def test_block_run_is_recorded_for_what_ran():
    """Each block call shows up in runtime.record_runs with the model's name."""
    ex = residual.example_block(0)
    with runtime.record_runs() as runs:
        residual.residual_block_steps(ex.a, ex.w1, ex.b1, ex.w2, ex.b2, provider="cpu")
    assert [r.model for r in runs] == [residual.IDENTITY_MODEL]


@pytest.mark.parametrize("negatives", [False, True])
def test_example_block_is_seeded_integers(negatives):
    """The page's example volume is reproducible from its seed and non-negative unless asked."""
    first, again = residual.example_block(4, 2, 5, negatives=negatives), residual.example_block(4, 2, 5,
                                                                                                 negatives=negatives)
    np.testing.assert_array_equal(first.a, again.a)
    assert np.all(first.a == np.round(first.a)) and first.a.shape == (2, 5, 5)
    assert (first.a.min() < 0) == negatives


@pytest.mark.parametrize("c_in, c_out, n, stride, projection, skip", [
    (2, 2, 5, 1, False, True), (3, 3, 6, 1, False, False), (2, 4, 7, 2, True, True), (3, 1, 9, 3, True, True)])
def test_export_source_model_matches_loop_reference(c_in, c_out, n, stride, projection, skip):
    """The numpy block the export checks ORT against (built on export.conv2d's conv) equals the loop reference."""
    from export.residual_block import numpy_block

    a, w1, b1, w2, b2, ws = random_block(n + stride, c_in, n, n, c_out)
    got = numpy_block(a[None], w1, b1, w2, b2, ws if projection else None, stride, float(skip))
    expected = reference_block(a, w1, b1, w2, b2, ws if projection else None, stride, skip)
    for name in ("z1", "a1", "z2", "shortcut", "a2"):
        np.testing.assert_allclose(got[name][0], expected[name], rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("c_in, n, c_out, stride", [(2, 5, 4, 1), (2, 5, 4, 2), (3, 7, 2, 3), (1, 8, 1, 4)])
def test_block_shapes_are_the_shapes_of_the_reference_block(c_in, n, c_out, stride):
    """first, main and projection are the shapes of z1, z2 and W_s a in the loop reference."""
    a, w1, b1, w2, b2, ws = random_block(n, c_in, n, n, c_out)
    ref = reference_block(a, w1, b1, w2, b2, ws, stride)
    shapes = residual.block_shapes(c_in, n, n, c_out, stride)
    assert (shapes.first, shapes.main, shapes.projection) == (ref["z1"].shape, ref["z2"].shape, ref["shortcut"].shape)


@pytest.mark.parametrize("projection", [False, True])
def test_cell_terms_add_up_to_the_reference_values(projection):
    """conv + b = z at every step, and z2 + shortcut is what the last ReLU sees, at every cell."""
    a, w1, b1, w2, b2, ws = random_block(21, 2, 5, 5, 3 if projection else None)
    if projection:
        steps = residual.projection_block_steps(a, w1, b1, w2, b2, ws, stride=2, provider="cpu")
        ref = reference_block(a, w1, b1, w2, b2, ws, 2)
    else:
        steps = residual.residual_block_steps(a, w1, b1, w2, b2, provider="cpu")
        ref = reference_block(a, w1, b1, w2, b2)
    for cell in np.ndindex(*steps.a2.shape):
        t = residual.cell_terms(steps, b1, b2, cell)
        assert t.conv1 + b1[cell[0]] == pytest.approx(ref["z1"][cell], rel=RTOL, abs=ATOL)
        assert t.conv2 + b2[cell[0]] == pytest.approx(ref["z2"][cell], rel=RTOL, abs=ATOL)
        assert t.pre == pytest.approx(ref["z2"][cell] + ref["shortcut"][cell], rel=RTOL, abs=ATOL)
        assert (t.a1, t.a2) == pytest.approx((ref["a1"][cell], ref["a2"][cell]), rel=RTOL, abs=ATOL)


@pytest.mark.parametrize("negatives", [False, True])
def test_identity_check_counts_the_cells_relu_clips(negatives):
    """With W[l+2] = 0, b[l+2] = 0: a[l+2] differs from a[l] exactly where a[l] < 0, by |a[l]| there."""
    ex = residual.example_block(8, 3, 6, negatives=negatives)
    steps = residual.residual_block_steps(ex.a, ex.w1, ex.b1, 0 * ex.w2, 0 * ex.b2, provider="cpu")
    check = residual.identity_check(steps)
    assert check.negatives == sum(1 for v in ex.a.ravel() if v < 0)
    assert check.max_difference == pytest.approx(max([-v for v in ex.a.ravel() if v < 0], default=0.0))
    if negatives:
        assert check.negatives > 0


def test_identity_check_refuses_a_projection_block():
    """The comparison a[l+2] = a[l] only makes sense for the identity shortcut."""
    a, w1, b1, w2, b2, ws = random_block(2, 2, 5, 5, 3)
    steps = residual.projection_block_steps(a, w1, b1, w2, b2, ws, stride=2, provider="cpu")
    with pytest.raises(ValueError, match="identity shortcut"):
        residual.identity_check(steps)
