"""The triplet loss, the distances and the mining counts against loops and hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest

from playground.triplet_loss import (
    ALPHA,
    hinge,
    margin,
    mining_counts,
    squared_distance,
    triplet_kind,
    triplet_loss,
    triplet_losses,
    valid_triplets,
)
from tests.references import loop_mining_counts, loop_triplet_loss


def unit_rows(rng: np.random.Generator, m: int, d: int) -> np.ndarray:
    x = rng.normal(size=(m, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_hand_worked_triplet():
    """A = (0, 0), P = (0.6, 0), N = (0, 0.5): d(A,P) = 0.36, d(A,N) = 0.25, L = 0.36 − 0.25 + 0.2 = 0.31."""
    assert triplet_loss([0, 0], [0.6, 0], [0, 0.5]) == pytest.approx(0.31, abs=1e-12)


def test_easy_triplet_costs_nothing():
    """d(A,P) = 0.09, d(A,N) = 1: 0.09 − 1 + 0.2 < 0, so L = 0 exactly."""
    assert triplet_loss([0, 0], [0.3, 0], [1, 0]) == 0.0


def test_batch_is_the_sum_of_its_triplets():
    """Two triplets with losses 0.31 and 0 (worked above) cost 0.31 together: summed, not averaged."""
    a = [[0, 0], [0, 0]]
    p = [[0.6, 0], [0.3, 0]]
    n = [[0, 0.5], [1, 0]]
    assert triplet_loss(a, p, n) == pytest.approx(0.31, abs=1e-12)
    np.testing.assert_allclose(triplet_losses(a, p, n), [0.31, 0.0], atol=1e-12)


@pytest.mark.parametrize("m, d", [(1, 2), (7, 3), (50, 64), (200, 128)])
@pytest.mark.parametrize("alpha", [0.0, 0.2, 0.5, 1.5])
def test_loss_matches_explicit_loops(m, d, alpha):
    """On random unit vectors (and with α from 0 to 1.5) the loss equals the loop reference to 1e-10."""
    rng = np.random.default_rng(m * d)
    a, p, n = (unit_rows(rng, m, d) for _ in range(3))
    assert triplet_loss(a, p, n, alpha) == pytest.approx(loop_triplet_loss(a, p, n, alpha), abs=1e-10)


def test_single_vectors_and_default_margin():
    """(d,) arrays are one triplet; the default α is FaceNet's 0.2 and the result is a plain float."""
    rng = np.random.default_rng(1)
    a, p, n = rng.normal(size=(3, 16))
    value = triplet_loss(a, p, n)
    assert isinstance(value, float)
    assert value == pytest.approx(loop_triplet_loss(a, p, n, 0.2), abs=1e-12)
    assert ALPHA == 0.2


def test_empty_batch_costs_zero():
    """A batch of no triplets, shape (0, d), sums to 0.0."""
    empty = np.zeros((0, 8))
    assert triplet_loss(empty, empty, empty) == 0.0


def test_zero_encoding_satisfies_nothing_with_a_margin():
    """f = 0 for every picture: d(A,P) = d(A,N) = 0 and each triplet costs exactly α, so the margin forbids it."""
    zeros = np.zeros((5, 4))
    assert triplet_loss(zeros, zeros, zeros, 0.2) == pytest.approx(5 * 0.2)
    assert triplet_loss(zeros, zeros, zeros, 0.0) == 0.0


def test_distances_are_squared():
    """‖(0,0) − (3,4)‖² = 25, not 5; row by row for batches."""
    assert float(squared_distance([0, 0], [3, 4])) == 25.0
    np.testing.assert_array_equal(squared_distance([[0, 0], [1, 1]], [[3, 4], [1, 2]]), [25.0, 1.0])


@pytest.mark.parametrize("shapes", [((3,), (4,), (3,)), ((2, 3), (3, 3), (2, 3)), ((2, 2, 2),) * 3])
def test_mismatched_or_wrong_shapes_are_refused(shapes):
    """Encodings of different shapes, or of more than two dimensions, raise ValueError."""
    a, p, n = (np.zeros(s) for s in shapes)
    with pytest.raises(ValueError):
        triplet_loss(a, p, n)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_values_are_refused(bad):
    """NaN or infinity in an encoding, or as α, raises ValueError instead of returning nonsense."""
    with pytest.raises(ValueError):
        triplet_loss([0, bad], [0, 0], [0, 1])
    with pytest.raises(ValueError):
        triplet_loss([0, 0], [0, 0], [0, 1], alpha=bad)


@pytest.mark.parametrize("d_ap, d_an, kind", [
    (0.5, 0.5, "hard"),        # m = 0: hard (m ≤ 0)
    (0.5, 0.3, "hard"),        # m = −0.2
    (0.5, 0.6, "semi-hard"),   # m = 0.1
    (0.25, 0.5, "semi-hard"),  # m = 0.25 = α exactly: semi-hard includes m = α
    (0.1, 0.9, "easy"),        # m = 0.8 > α
])
def test_kind_follows_the_margin(d_ap, d_an, kind):
    """hard m ≤ 0, semi-hard 0 < m ≤ α, easy m > α, at α = 0.25 (exact in binary)."""
    assert triplet_kind(d_ap, d_an, 0.25) == kind
    assert margin(d_ap, d_an) == d_an - d_ap


def test_hinge_is_the_loss_of_the_distances():
    """hinge(0.36, 0.25, 0.2) = 0.31 and hinge(0.09, 1, 0.2) = 0: the same numbers as the encodings give."""
    np.testing.assert_allclose(hinge([0.36, 0.09], [0.25, 1.0], 0.2), [0.31, 0.0], atol=1e-12)


@pytest.mark.parametrize("p, k", [(2, 2), (3, 4), (5, 3), (8, 4)])
@pytest.mark.parametrize("alpha", [0.0, 0.2, 0.7])
def test_mining_counts_match_a_triple_loop(p, k, alpha):
    """Counts of hard, semi-hard and easy triplets equal the brute-force triple loop's."""
    rng = np.random.default_rng(p * 10 + k)
    labels = np.repeat(np.arange(p), k)
    centres = unit_rows(rng, p, 8)
    encodings = centres[labels] + 0.4 * rng.normal(size=(p * k, 8))
    counts = mining_counts(encodings, labels, alpha)
    assert (counts.hard, counts.semi_hard, counts.easy) == loop_mining_counts(encodings, labels, alpha)
    assert counts.total == p * k * (k - 1) * (p - 1) * k


def test_mining_counts_hand_worked():
    """1-D encodings 0, 0.1 (identity 0) and 0.5 (identity 1), α = 0.2.

    Anchor 0, positive 0.1: d_ap = 0.01, d_an = 0.25, m = 0.24 > α: easy.
    Anchor 0.1, positive 0: d_ap = 0.01, d_an = 0.16, m = 0.15: semi-hard.
    Identity 1 has one picture: no positive. So 0 hard, 1 semi-hard, 1 easy.
    """
    counts = mining_counts([[0.0], [0.1], [0.5]], [0, 0, 1], 0.2)
    assert (counts.hard, counts.semi_hard, counts.easy) == (0, 1, 1)


def test_valid_triplets_are_those_counted():
    """valid_triplets lists each (a, p, n) once: a ≠ p of one identity, n of another, as many as the counts."""
    labels = np.array([0, 0, 1, 1, 1, 2])
    a, p, n = valid_triplets(labels)
    expected = {(i, j, q) for i in range(6) for j in range(6) for q in range(6)
                if i != j and labels[i] == labels[j] and labels[q] != labels[i]}
    assert set(zip(a.tolist(), p.tolist(), n.tolist())) == expected and len(a) == len(expected)
