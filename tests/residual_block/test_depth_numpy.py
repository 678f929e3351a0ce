"""A small re-run of the depth experiment in numpy (no torch): the direction of the effect.

Margins were checked on seeds 0–9 while writing these tests (20-layer nets,
8 epochs on the 300 committed digits): plain/residual stem-gradient ratio at
most 1.7e-7, plain stem/head ratio at most 4.2e-6, residual max/min spread
at most 12.2; final training error of the plain net at least 0.896 (chance is
0.9), of the residual net at most 0.257, of a 2-layer plain net at most 0.077.
The thresholds below leave a wide margin around those.
"""

from __future__ import annotations

import numpy as np
import pytest

from playground.residual_block import depth_numpy as dn
from playground.residual_block import depth_record as dx

SEEDS = range(5)
BLOCKS, EPOCHS = dn.RERUN_BLOCKS, dn.RERUN_EPOCHS  # what the page re-runs: the margins above are for these


@pytest.fixture(scope="module")
def digits():
    """The 300 committed digits as (N, 64) features in [0, 1] and labels."""
    images, labels, _ = dx.held_out_digits()
    return dn.features(images), labels


def test_features_put_pixel_r_c_at_column_8r_plus_c_scaled_to_one():
    """Each digit becomes one row of 64 values: pixel (r, c) / 16 at column 8r + c."""
    images = np.zeros((2, 8, 8), np.uint8)
    images[0, 2, 5] = 16
    images[1, 7, 0] = 4
    x = dn.features(images)
    assert x.shape == (2, 64)
    expected = np.zeros((2, 64))
    expected[0, 8 * 2 + 5], expected[1, 8 * 7 + 0] = 1.0, 0.25
    np.testing.assert_array_equal(x, expected)


@pytest.mark.parametrize("residual", [False, True])
def test_backprop_matches_finite_differences(digits, residual):
    """Every layer's hand-written ∂L/∂W and ∂L/∂b equal central differences of the loss."""
    x, labels = digits[0][:16], digits[1][:16]
    params = dn.init_params(2, x.shape[1], seed=0)
    _, grads = dn.gradients(params, x, labels, residual)
    rng = np.random.default_rng(0)
    eps = 1e-6
    for k, (w, b) in enumerate(params):
        for which, value in (("w", w), ("b", b)):
            idx = tuple(rng.integers(0, s) for s in value.shape)
            plus, minus = value.copy(), value.copy()
            plus[idx] += eps
            minus[idx] -= eps

            def loss_with(v, k=k, w=w, b=b, which=which):
                changed = list(params)
                changed[k] = (v, b) if which == "w" else (w, v)
                return dn.error_and_loss(changed, x, labels, residual)[1]

            numeric = (loss_with(plus) - loss_with(minus)) / (2 * eps)
            analytic = grads[k][0 if which == "w" else 1][idx]
            assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-9), (k, which)


@pytest.mark.parametrize("seed", SEEDS)
def test_plain_gradients_vanish_towards_the_input_residual_ones_do_not(digits, seed):
    """At initialisation the 20-layer plain net's first-layer gradient is ~1e-7 of the residual net's."""
    x, labels = digits
    plain = dn.grad_norms_at_init(BLOCKS, False, x, labels, seed)
    res = dn.grad_norms_at_init(BLOCKS, True, x, labels, seed)
    assert len(plain) == len(res) == dx.depth_of(BLOCKS) == 20
    assert plain[0] / res[0] < 1e-5  # same weights, only the skip differs
    assert plain[0] / plain[-1] < 1e-4  # vanishing along the plain net
    assert res.max() / res.min() < 50  # the residual net's layers all get a usable gradient


@pytest.mark.parametrize("seed", SEEDS)
def test_deep_residual_trains_where_deep_plain_does_not(digits, seed):
    """Same seed, data and budget: the 20-layer residual net's training error ends far below the plain net's."""
    x, labels = digits
    plain = dn.train(BLOCKS, False, x, labels, EPOCHS, seed)
    res = dn.train(BLOCKS, True, x, labels, EPOCHS, seed)
    assert plain.train_error[-1] >= 0.85  # stuck near chance (0.9)
    assert res.train_error[-1] <= 0.4
    assert plain.train_error[-1] - res.train_error[-1] >= 0.5


@pytest.mark.parametrize("seed", SEEDS)
def test_a_shallow_plain_net_trains_fine(digits, seed):
    """Control: with no blocks (2 layers) the plain net learns, so what fails above is depth, not the data."""
    x, labels = digits
    assert dn.train(0, False, x, labels, EPOCHS, seed).train_error[-1] <= 0.15


def test_zero_blocks_residual_and_plain_are_the_same_net(digits):
    """Without blocks there is no skip: plain and residual give identical gradients."""
    x, labels = digits
    np.testing.assert_array_equal(dn.grad_norms_at_init(0, False, x, labels, 3),
                                  dn.grad_norms_at_init(0, True, x, labels, 3))
