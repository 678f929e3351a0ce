"""Verification, ROC AUC, one-shot recognition, the logistic unit and PCA against independent references."""

from __future__ import annotations

import numpy as np
import pytest

from playground.triplet_loss import (
    Pairs,
    abs_difference_features,
    accuracy_at,
    best_threshold,
    chi2_features,
    fit_logistic,
    fit_pca,
    nearest_enrolled,
    one_shot,
    pair_distances,
    roc_auc,
    roc_curve,
    squared_threshold,
    verification_pairs,
)
from tests.references import loop_accuracy, loop_one_shot, pairwise_auc, pca_by_covariance


def clusters(seed: int, identities: int, per: int, d: int, spread: float):
    """Encodings around one random centre per identity: (identities·per, d) and labels."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(identities), per)
    centres = rng.normal(size=(identities, d))
    return centres[labels] + spread * rng.normal(size=(len(labels), d)), labels


def test_auc_hand_worked():
    """Same pairs at 0.1 and 0.4, different pairs at 0.3 and 0.5: of the 4 comparisons 3 are won → AUC 0.75."""
    assert roc_auc([0.1, 0.4, 0.3, 0.5], [True, True, False, False]) == 0.75


def test_auc_ties_count_half():
    """A same pair and a different pair at the same distance: AUC 0.5."""
    assert roc_auc([0.3, 0.3], [True, False]) == 0.5


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("rounding", [None, 1])
def test_auc_matches_every_pairwise_comparison(seed, rounding):
    """On random distances (rounded to 1 decimal for many ties), AUC equals the all-pairs count to 1e-12."""
    rng = np.random.default_rng(seed)
    d = rng.random(120)
    if rounding is not None:
        d = np.round(d, rounding)
    same = rng.random(120) < 0.4
    assert roc_auc(d, same) == pytest.approx(pairwise_auc(d, same), abs=1e-12)


def test_auc_needs_both_kinds():
    """Only same pairs: no ROC can be drawn, a ValueError."""
    with pytest.raises(ValueError):
        roc_auc([0.1, 0.2], [True, True])


def test_roc_curve_area_is_the_auc():
    """The trapezoid area under the (FPR, TPR) points equals the Mann–Whitney AUC; the curve runs (0,0) to (1,1)."""
    rng = np.random.default_rng(3)
    d = np.round(rng.random(300), 2)
    same = rng.random(300) < 0.5
    roc = roc_curve(d, same)
    area = float(np.sum(np.diff(roc.fpr) * (roc.tpr[1:] + roc.tpr[:-1]) / 2))
    assert area == pytest.approx(roc.auc, abs=1e-12)
    assert (roc.fpr[0], roc.tpr[0], roc.fpr[-1], roc.tpr[-1]) == (0, 0, 1, 1)


@pytest.mark.parametrize("tau", [0.0, 0.25, 0.3, 0.45, 1.0])
def test_accuracy_uses_strictly_below(tau):
    """"same when d < τ", pair by pair; a pair exactly at τ is called different."""
    d = np.array([0.1, 0.25, 0.3, 0.4, 0.5, 0.3])
    same = np.array([True, True, False, True, False, False])
    assert accuracy_at(d, same, tau) == loop_accuracy(d, same, tau)


def test_best_threshold_beats_every_tried_threshold():
    """The chosen τ's accuracy is the best of every threshold tried by brute force."""
    rng = np.random.default_rng(4)
    d = rng.random(200)
    same = rng.random(200) > d  # nearer pairs are more often the same: overlapping classes
    tau, accuracy = best_threshold(d, same)
    assert accuracy == pytest.approx(loop_accuracy(d, same, tau), abs=1e-12)
    assert accuracy >= max(loop_accuracy(d, same, t) for t in np.r_[0, np.sort(d), 2.0])


def test_pairs_are_balanced_and_labelled_right():
    """Every same-identity pair once (i < j), as many distinct different pairs, and ``same`` says which."""
    labels = np.repeat(np.arange(6), 4)
    pairs = verification_pairs(labels)
    assert int(pairs.same.sum()) == 6 * (4 * 3 // 2) == int((~pairs.same).sum())
    assert np.array_equal(labels[pairs.first] == labels[pairs.second], pairs.same)
    assert (pairs.first < pairs.second).all()
    assert len(set(zip(pairs.first.tolist(), pairs.second.tolist()))) == len(pairs)


def test_pair_distances_are_squared():
    """Encodings (0,0) and (3,4) of identities 0 and 1: the only different pair is 25 apart."""
    pairs = verification_pairs([0, 0, 1])
    d = pair_distances(np.array([[0.0, 0.0], [0.0, 1.0], [3.0, 4.0]]), pairs)
    assert d[pairs.same].tolist() == [1.0] and d[~pairs.same][0] in (25.0, 18.0)


def test_course_threshold_on_the_squared_scale():
    """‖·‖ < 0.7 is ‖·‖² < 0.49."""
    assert squared_threshold(0.7) == pytest.approx(0.49)


@pytest.mark.parametrize("enrol", [0, 3])
@pytest.mark.parametrize("spread", [0.3, 1.0, 3.0])
def test_all_way_one_shot_matches_loops(enrol, spread):
    """All-way one-shot accuracy equals the loop reference (enrol the k-th picture, nearest enrolled wins)."""
    e, labels = clusters(7, 12, 5, 6, spread)
    result = one_shot(e, labels, enrol)
    assert result.accuracy == pytest.approx(loop_one_shot(e, labels, enrol), abs=1e-12)
    assert result.queries == 12 * 4 and result.ways == 12


def test_one_shot_hand_worked():
    """Identities 0 at (0) and (1), 1 at (10) and (4): enrol the first of each; 1 is nearer 0 (right),
    4 is nearer 0 than 10 (wrong): accuracy 1/2."""
    result = one_shot(np.array([[0.0], [1.0], [10.0], [4.0]]), np.array([0, 0, 1, 1]))
    assert result.accuracy == 0.5 and result.predicted.tolist() == [0, 0]


def test_n_way_is_never_harder_than_all_way():
    """Choosing among fewer candidates can only help: N-way ≥ all-way, and N = every identity is all-way."""
    e, labels = clusters(8, 30, 4, 4, 1.5)
    all_way = one_shot(e, labels).accuracy
    assert one_shot(e, labels, ways=5).accuracy >= all_way
    assert one_shot(e, labels, ways=30).accuracy == all_way


def test_one_shot_refuses_impossible_settings():
    """Enrolling picture 5 of identities with 4 pictures, or 1-way, raises ValueError."""
    e, labels = clusters(9, 5, 4, 3, 1.0)
    with pytest.raises(ValueError):
        one_shot(e, labels, enrol=4)
    with pytest.raises(ValueError):
        one_shot(e, labels, ways=1)


def test_nearest_enrolled_is_sorted_by_squared_distance():
    """Gallery 0, 3, −1, 2 on a line and query 1.8: nearest rows 3 (0.04), 0 (3.24)... in that order."""
    matches = nearest_enrolled([1.8], [[0.0], [3.0], [-1.0], [2.0]], 3)
    assert [m.index for m in matches] == [3, 1, 0]
    np.testing.assert_allclose([m.distance for m in matches], [0.04, 1.44, 3.24])


def test_abs_difference_and_chi2_features():
    """|f_i − f_j| per component; χ² on the positive and negative parts, 0/0 counted as 0 (worked by hand)."""
    e = np.array([[0.6, -0.8], [0.0, 1.0]])
    pairs = Pairs(np.array([0]), np.array([1]), np.array([False]))
    np.testing.assert_allclose(abs_difference_features(e, pairs), [[0.6, 1.8]])
    # positive parts (0.6, 0) and (0, 1); negative parts (0, 0.8) and (0, 0)
    # terms: 0.36/0.6 = 0.6, 1/1 = 1, 0/0 → 0, 0.64/0.8 = 0.8
    np.testing.assert_allclose(chi2_features(e, pairs), [[0.6, 1.0, 0.0, 0.8]])


def test_logistic_fit_zeroes_the_objectives_gradient():
    """At the fitted weights the gradient of mean log-loss + ½λ‖w‖², written out here, is below 1e-8."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(400, 3))
    y = (x @ [1.5, -2.0, 0.5] + 0.3 + rng.normal(size=400)) > 0
    unit = fit_logistic(x, y, l2=1e-3)
    p = 1 / (1 + np.exp(-(x @ unit.weights + unit.bias)))
    grad_w = x.T @ (p - y) / len(y) + 1e-3 * unit.weights
    grad_b = np.mean(p - y)
    assert np.max(np.abs(grad_w)) < 1e-8 and abs(grad_b) < 1e-8
    assert np.mean((unit.probability(x) > 0.5) == y) > 0.8


@pytest.mark.parametrize("k", [1, 2, 3])
def test_pca_matches_the_covariance_eigenvectors(k):
    """PCA directions equal the covariance's top eigenvectors up to sign; explained fractions match."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=(200, 5)) * [5, 3, 2, 1, 0.5]
    pca = fit_pca(x, k)
    directions, variances = pca_by_covariance(x, k)
    np.testing.assert_allclose(np.abs(np.sum(pca.components * directions, axis=1)), 1, atol=1e-9)
    total = np.trace(np.cov(x.T, bias=True))
    np.testing.assert_allclose(pca.explained, variances / total, atol=1e-9)
    projected = pca.project(x)
    assert projected.shape == (200, k)
    np.testing.assert_allclose(projected.mean(axis=0), 0, atol=1e-9)
