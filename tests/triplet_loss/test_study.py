"""Drawing triplets of a kind, the per-encoder study, and the raw-pixel baseline."""

from __future__ import annotations

import numpy as np
import pytest

from playground.triplet_loss import pixel_encodings
from playground.triplet_loss import study as ts
from tests.references import loop_accuracy, pairwise_auc


def clusters(seed: int, identities: int = 12, per: int = 5, d: int = 8, spread: float = 0.6):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(identities), per)
    e = rng.normal(size=(identities, d))[labels] + spread * rng.normal(size=(len(labels), d))
    return e / np.linalg.norm(e, axis=1, keepdims=True), labels


@pytest.mark.parametrize("kind", ["hard", "semi-hard", "easy"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_drawn_triplet_is_of_the_asked_kind(kind, seed):
    """The triplet drawn for a kind is a valid triplet whose margin, recomputed here, puts it in that kind."""
    e, labels = clusters(seed)
    t = ts.pick_triplet(e, labels, kind, 0.2, seed)
    assert t is not None
    assert labels[t.anchor] == labels[t.positive] and t.anchor != t.positive and labels[t.negative] != labels[t.anchor]
    m = np.sum((e[t.anchor] - e[t.negative]) ** 2) - np.sum((e[t.anchor] - e[t.positive]) ** 2)
    assert {"hard": m <= 0, "semi-hard": 0 < m <= 0.2, "easy": m > 0.2}[kind]


def test_draw_is_reproducible_and_limited_to_the_pool():
    """The same seed draws the same triplet; ``among`` keeps every picture inside the given rows."""
    e, labels = clusters(4)
    pool = np.arange(20, 60)
    first = ts.pick_triplet(e, labels, "semi-hard", 0.2, 9, among=pool)
    assert first == ts.pick_triplet(e, labels, "semi-hard", 0.2, 9, among=pool)
    assert {first.anchor, first.positive, first.negative} <= set(pool.tolist())


def test_impossible_kind_gives_none():
    """With every identity far from the others, no hard triplet exists: None, not a wrong one."""
    labels = np.repeat(np.arange(3), 3)
    e = np.eye(3)[labels] * 10.0
    assert ts.pick_triplet(e, labels, "hard", 0.2, 0) is None


def test_encoder_study_matches_the_references():
    """Held-out AUC and accuracy at the τ chosen on the seen pairs equal the pairwise and loop references."""
    e, labels = clusters(5, identities=16, per=4)
    seen = labels >= 10
    result = ts.encoder_study("test", e, labels, seen, logistic=True)
    held = result.held
    assert held.roc.auc == pytest.approx(pairwise_auc(held.distances, held.pairs.same), abs=1e-12)
    best = max(loop_accuracy(result.seen.distances, result.seen.pairs.same, t)
               for t in np.r_[0, np.sort(result.seen.distances), 5])
    assert loop_accuracy(result.seen.distances, result.seen.pairs.same, result.tau) == pytest.approx(best)
    assert [u.features for u in result.logistic] == list(ts.LOGISTIC_FEATURES)
    assert all(0 <= u.auc <= 1 and len(u.probabilities) == len(held.pairs) for u in result.logistic)


def test_pixel_encodings_are_unit_rows():
    """Pictures flattened to unit length; a black picture stays zero instead of dividing by zero."""
    images = np.zeros((3, 4, 4), np.uint8)
    images[0, 0, 0], images[1] = 3, 7
    e = pixel_encodings(images)
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), [1, 1, 0])
    assert e[0, 0] == 1.0 and e.shape == (3, 16)
