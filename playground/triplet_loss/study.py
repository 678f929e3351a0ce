"""What the page shows about one encoder on the glyph evaluation set, computed once and shared.

Everything here is a pure function of the committed data and an encoder's
encodings, so the page computes it once per process (the numbers the model
card records come from the same functions on the same pictures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.triplet_loss import verification as vf
from playground.triplet_loss.losses import ALPHA, KINDS, kind_index, squared_distance, triplet_kind

ENCODERS = ("trained", "untrained", "pixels")  # the network after training, before any update, raw pixels
PICK_TRIES = 200  # anchor–positive pairs tried before giving up on finding a triplet of the asked kind


@dataclass(frozen=True)
class PairStudy:
    """Verification pairs of one set of identities and their squared distances."""

    pairs: vf.Pairs
    distances: np.ndarray  # (P,) ‖f(x_i) − f(x_j)‖²
    roc: vf.Roc

    @property
    def same_distances(self) -> np.ndarray:
        return self.distances[self.pairs.same]

    @property
    def different_distances(self) -> np.ndarray:
        return self.distances[~self.pairs.same]


def pair_study(encodings, labels) -> PairStudy:
    """Pairs of :func:`~playground.triplet_loss.verification.verification_pairs`, their distances and ROC."""
    pairs = vf.verification_pairs(labels)
    d = vf.pair_distances(encodings, pairs)
    return PairStudy(pairs, d, vf.roc_curve(d, pairs.same))


@dataclass(frozen=True)
class LogisticStudy:
    """The logistic unit fitted on the seen identities' pairs, scored on the held-out pairs."""

    features: str  # "|f(x_i) − f(x_j)|" or "χ²"
    unit: vf.LogisticUnit
    probabilities: np.ndarray  # (P,) on the held-out pairs
    auc: float
    accuracy: float  # "same" when the probability is above 0.5


@dataclass(frozen=True)
class EncoderStudy:
    """One encoder on the held-out identities and on the seen sample."""

    name: str
    encodings: np.ndarray  # (N, d) of the whole evaluation set, held-out pictures first
    held: PairStudy
    seen: PairStudy
    tau: float  # on the squared distance: the most accurate τ on the seen identities' pairs
    logistic: tuple[LogisticStudy, ...]


LOGISTIC_FEATURES = ("|f(x_i) − f(x_j)|", "χ²")


def encoder_study(name: str, encodings, labels, seen, logistic: bool = False) -> EncoderStudy:
    """Pairs, distances, ROC, the τ chosen on the seen identities, and (if asked) both logistic units.

    Parameters
    ----------
    encodings : (N, d) of the evaluation set
    labels : (N,) identities
    seen : (N,) bool, True for pictures of training identities
    logistic : bool
        Also fit the logistic units (on the seen pairs) and score them on the
        held-out pairs; meant for short encodings (a few hundred features at most).
    """
    e, labels, seen = np.asarray(encodings, np.float64), np.asarray(labels), np.asarray(seen, bool)
    held_idx, seen_idx = np.flatnonzero(~seen), np.flatnonzero(seen)
    held = pair_study(e[held_idx], labels[held_idx])
    seen_pairs = pair_study(e[seen_idx], labels[seen_idx])
    tau, _ = vf.best_threshold(seen_pairs.distances, seen_pairs.pairs.same)
    units = tuple(_fit_on_seen(f, e, held_idx, seen_idx, held, seen_pairs) for f in LOGISTIC_FEATURES) \
        if logistic else ()
    return EncoderStudy(name, e, held, seen_pairs, tau, units)


def _fit_on_seen(features: str, e, held_idx, seen_idx, held: PairStudy, seen: PairStudy) -> LogisticStudy:
    """Fit on the seen identities' pairs (their own encodings), score on the held-out pairs."""
    make = vf.abs_difference_features if features.startswith("|") else vf.chi2_features
    unit = vf.fit_logistic(make(e[seen_idx], seen.pairs), seen.pairs.same)
    p = unit.probability(make(e[held_idx], held.pairs))
    return LogisticStudy(features, unit, p, vf.roc_auc(-p, held.pairs.same),
                         float(np.mean((p > 0.5) == held.pairs.same)))


@dataclass(frozen=True)
class GlyphStudy:
    """The three encoders on the glyph evaluation set: the trained network, the untrained one, raw pixels."""

    encoders: dict  # name in ENCODERS → EncoderStudy (do not modify: shared by every visitor)

    def __getitem__(self, name: str) -> EncoderStudy:
        return self.encoders[name]


def glyph_study(trained, untrained, pixels, labels, seen) -> GlyphStudy:
    """:func:`encoder_study` of each encoder; the logistic units for the trained network only."""
    return GlyphStudy({"trained": encoder_study("trained", trained, labels, seen, logistic=True),
                       "untrained": encoder_study("untrained", untrained, labels, seen),
                       "pixels": encoder_study("pixels", pixels, labels, seen)})


@dataclass(frozen=True)
class DigitsStudy:
    """The few-identities embedding: τ chosen on its training pictures, pairs of the seen and unseen digits."""

    tau: float
    seen: PairStudy  # other pictures of the digits it trained on
    unseen: PairStudy  # the digits 7, 8, 9
    seen_quality: vf.Quality
    unseen_quality: vf.Quality


def digits_study(train, train_labels, seen, seen_labels, unseen, unseen_labels) -> DigitsStudy:
    """Encodings of the three digit sets in, verification and one-shot figures out."""
    train_pairs = pair_study(train, train_labels)
    tau, _ = vf.best_threshold(train_pairs.distances, train_pairs.pairs.same)
    return DigitsStudy(tau, pair_study(seen, seen_labels), pair_study(unseen, unseen_labels),
                       vf.quality(seen, seen_labels, tau), vf.quality(unseen, unseen_labels, tau))


# ---------------------------------------------------------------- a triplet of a given kind
@dataclass(frozen=True)
class Triplet:
    """Indices of an anchor, a positive and a negative, and their squared distances."""

    anchor: int
    positive: int
    negative: int
    d_ap: float
    d_an: float

    def kind(self, alpha: float = ALPHA) -> str:
        return triplet_kind(self.d_ap, self.d_an, alpha)


def make_triplet(encodings, anchor: int, positive: int, negative: int) -> Triplet:
    """The triplet of three pictures of an evaluation set, with d(A, P) and d(A, N)."""
    e = np.asarray(encodings, np.float64)
    return Triplet(anchor, positive, negative, float(squared_distance(e[anchor], e[positive])),
                   float(squared_distance(e[anchor], e[negative])))


def pick_triplet(encodings, labels, kind: str, alpha: float, seed: int, among=None) -> Triplet | None:
    """A random triplet of the asked kind ("easy", "semi-hard" or "hard" at margin α), or None if none is found.

    An anchor and a positive are drawn (seeded); the negative is drawn among the
    pictures of other identities that make the triplet that kind. ``among``
    (indices) limits the draw to part of the set, e.g. the held-out identities.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    e, labels = np.asarray(encodings, np.float64), np.asarray(labels)
    pool = np.arange(len(labels)) if among is None else np.asarray(among)
    rng = np.random.default_rng(seed)
    for _ in range(PICK_TRIES):
        anchor = int(rng.choice(pool))
        positives = pool[(labels[pool] == labels[anchor]) & (pool != anchor)]
        negatives = pool[labels[pool] != labels[anchor]]
        if not len(positives) or not len(negatives):
            continue
        positive = int(rng.choice(positives))
        d_ap = float(squared_distance(e[anchor], e[positive]))
        d_an = np.sum((e[negatives] - e[anchor]) ** 2, axis=1)
        fits = negatives[kind_index(d_ap, d_an, alpha) == KINDS.index(kind)]
        if len(fits):
            return make_triplet(e, anchor, positive, int(rng.choice(fits)))
    return None
