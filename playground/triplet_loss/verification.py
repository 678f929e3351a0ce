"""Face verification and one-shot recognition on encodings, and the logistic alternative.

Verification: "are these two pictures the same identity?" is answered *same*
when the squared distance d = ‖f(x_i) − f(x_j)‖² is below a threshold τ
(:func:`accuracy_at`). Every τ here applies to the **squared** distance; the
course's assignment compares the non-squared ‖·‖ with 0.7, which is τ = 0.49
on this scale (:func:`squared_threshold`).

One-shot recognition: enrol one picture per identity, then name every other
picture by its nearest enrolled encoding (:func:`one_shot`).

Verification as classification (DeepFace, Taigman et al. 2014): a logistic
unit on |f(x_i) − f(x_j)| or on the χ² terms (:func:`fit_logistic`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PAIR_SEED = 0  # which different-identity pairs are drawn (as many as there are same-identity pairs)
ONE_SHOT_SEED = 0  # which other identities make up each query's N-way candidate set
WAYS = 20  # the N of N-way one-shot recognition reported alongside all-way
LOGISTIC_L2 = 1e-3  # ridge on the weights (not the bias) so perfectly separable pairs still give finite weights
LOGISTIC_ITERATIONS = 50  # Newton steps at most; the fit stops when a step changes the weights by < 1e-10


# ---------------------------------------------------------------- pairs and distances
@dataclass(frozen=True)
class Pairs:
    """Pairs of pictures (indices into one set of encodings) and whether each pair is one identity."""

    first: np.ndarray  # (P,) int
    second: np.ndarray  # (P,) int
    same: np.ndarray  # (P,) bool

    def __len__(self) -> int:
        return len(self.same)


def verification_pairs(labels, seed: int = PAIR_SEED) -> Pairs:
    """Every same-identity pair (i < j), and as many different-identity pairs drawn at random.

    Parameters
    ----------
    labels : (N,) identity labels
    seed : int
        Seeds the draw of different-identity pairs (without repeats).

    Returns
    -------
    Pairs
        The same-identity pairs first, then the different ones: a balanced set, so
        the plain accuracy on it is the mean of the two classes' accuracies.
    """
    labels = np.asarray(labels)
    i, j = np.triu_indices(len(labels), k=1)
    same = labels[i] == labels[j]
    different = np.flatnonzero(~same)
    n = min(int(same.sum()), len(different))
    chosen = np.sort(np.random.default_rng(seed).choice(different, size=n, replace=False))
    first = np.concatenate([i[same], i[chosen]])
    second = np.concatenate([j[same], j[chosen]])
    return Pairs(first, second, np.concatenate([np.ones(int(same.sum()), bool), np.zeros(n, bool)]))


def pair_distances(encodings, pairs: Pairs) -> np.ndarray:
    """Squared distance ‖f(x_i) − f(x_j)‖² of every pair: (P,) float64."""
    e = np.asarray(encodings, np.float64)
    return np.sum((e[pairs.first] - e[pairs.second]) ** 2, axis=1)


def squared_threshold(distance_threshold: float) -> float:
    """A threshold on the non-squared distance ‖·‖ as the same threshold on ‖·‖²: 0.7 → 0.49."""
    return float(distance_threshold) ** 2


# ---------------------------------------------------------------- ROC, AUC, accuracy
@dataclass(frozen=True)
class Roc:
    """The ROC curve of "same when d < τ" as τ sweeps over every distance."""

    thresholds: np.ndarray  # (T,) increasing; at thresholds[k] the pairs with d < thresholds[k] are called same
    tpr: np.ndarray  # (T,) same-identity pairs called same
    fpr: np.ndarray  # (T,) different-identity pairs called same
    auc: float


def roc_auc(distances, same) -> float:
    """Area under the ROC curve: P(a same pair's distance < a different pair's), ties counted half.

    Parameters
    ----------
    distances : (P,) smaller means "more alike"
    same : (P,) bool, at least one of each
    """
    d, same = np.asarray(distances, np.float64), np.asarray(same, bool)
    if same.all() or not same.any():
        raise ValueError("the ROC needs same-identity and different-identity pairs")
    ranks = _average_ranks(d)  # 1 = smallest distance
    n_same, n_diff = int(same.sum()), int((~same).sum())
    # Mann–Whitney: pairs (different, same) in which the different one is farther, ties half.
    u = float(ranks[~same].sum()) - n_diff * (n_diff + 1) / 2
    return u / (n_same * n_diff)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of ``values``, tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    mean_rank = (starts + ends + 1) / 2  # ranks start..end-1 (0-based) → mean of start+1..end
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def roc_curve(distances, same) -> Roc:
    """TPR and FPR of "same when d < τ" at τ = 0, between every two distinct distances, and above the largest."""
    d, same = np.asarray(distances, np.float64), np.asarray(same, bool)
    values = np.unique(d)
    thresholds = np.concatenate([[min(0.0, values[0])], (values[:-1] + values[1:]) / 2, [values[-1] + 1.0]])
    d_same, d_diff = np.sort(d[same]), np.sort(d[~same])
    tpr = np.searchsorted(d_same, thresholds, side="left") / len(d_same)
    fpr = np.searchsorted(d_diff, thresholds, side="left") / len(d_diff)
    return Roc(thresholds, tpr, fpr, roc_auc(d, same))


@dataclass(frozen=True)
class Confusion:
    """Verification at one τ: counts of the four outcomes."""

    true_same: int  # same identity, d < τ
    false_different: int  # same identity, d ≥ τ
    false_same: int  # different identities, d < τ
    true_different: int  # different identities, d ≥ τ

    @property
    def accuracy(self) -> float:
        total = self.true_same + self.false_different + self.false_same + self.true_different
        return (self.true_same + self.true_different) / total


def confusion_at(distances, same, tau: float) -> Confusion:
    """The four counts of "same when d < τ"."""
    d, same = np.asarray(distances, np.float64), np.asarray(same, bool)
    called_same = d < tau
    return Confusion(int(np.count_nonzero(same & called_same)), int(np.count_nonzero(same & ~called_same)),
                     int(np.count_nonzero(~same & called_same)), int(np.count_nonzero(~same & ~called_same)))


def accuracy_at(distances, same, tau: float) -> float:
    """Fraction of pairs judged right by "same when d < τ" (d squared, as everywhere here)."""
    return confusion_at(distances, same, tau).accuracy


def best_threshold(distances, same) -> tuple[float, float]:
    """The τ with the highest accuracy on these pairs, and that accuracy.

    τ is taken halfway between two neighbouring distances (the smallest such τ
    when several tie), so the rule does not hinge on a single pair's exact value.
    """
    roc = roc_curve(distances, same)
    same = np.asarray(same, bool)
    n_same, n_diff = int(same.sum()), int((~same).sum())
    correct = roc.tpr * n_same + (1 - roc.fpr) * n_diff
    k = int(np.argmax(correct))
    return float(roc.thresholds[k]), float(correct[k] / (n_same + n_diff))


# ---------------------------------------------------------------- one-shot recognition
@dataclass(frozen=True)
class OneShot:
    """One-shot recognition: one enrolled picture per identity, every other picture named by the nearest."""

    accuracy: float
    queries: int
    ways: int  # candidates per query: all enrolled identities, or N
    enrolled: np.ndarray  # (identities,) index of each identity's enrolled picture
    identities: np.ndarray  # (identities,) the labels, in the order of ``enrolled``
    predicted: np.ndarray  # (queries,) label named for each query
    query_index: np.ndarray  # (queries,) picture index of each query


def enrolment(labels, enrol: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Identities (sorted) and the index of each one's ``enrol``-th picture (0-based, in set order)."""
    labels = np.asarray(labels)
    identities = np.unique(labels)
    enrolled = []
    for identity in identities:
        members = np.flatnonzero(labels == identity)
        if enrol >= len(members):
            raise ValueError(f"identity {identity} has {len(members)} pictures; cannot enrol picture {enrol + 1}")
        enrolled.append(members[enrol])
    return identities, np.array(enrolled, int)


def _squared_distances_to(queries: np.ndarray, gallery: np.ndarray) -> np.ndarray:
    """‖q − g‖² for every query row and gallery row, (Q, G), as ‖q‖² + ‖g‖² − 2 q·g (one matrix product).

    In float64 the rounding is ~1e-15 of the norms, far below any gap between
    two encodings; raw-pixel "encodings" of 1,024 numbers stay fast this way.
    """
    cross = queries @ gallery.T
    d = np.sum(queries ** 2, axis=1)[:, None] + np.sum(gallery ** 2, axis=1)[None, :] - 2 * cross
    return np.maximum(d, 0.0)


def one_shot(encodings, labels, enrol: int = 0, ways: int | None = None, seed: int = ONE_SHOT_SEED) -> OneShot:
    """Enrol picture ``enrol`` of every identity; name each other picture by its nearest enrolled encoding.

    Parameters
    ----------
    encodings : (N, d)
    labels : (N,)
    enrol : int
        Which picture of each identity (0-based, in set order) is enrolled.
    ways : int or None
        None: choose among every enrolled identity. N: among the true identity and
        N − 1 others drawn at random per query (``seed``), as in N-way one-shot tests.
    seed : int

    Returns
    -------
    OneShot
        Ties go to the identity that comes first in sorted order.
    """
    e, labels = np.asarray(encodings, np.float64), np.asarray(labels)
    identities, enrolled = enrolment(labels, enrol)
    if ways is not None and not 2 <= ways <= len(identities):
        raise ValueError(f"ways must be between 2 and {len(identities)}, not {ways}")
    queries = np.setdiff1d(np.arange(len(labels)), enrolled)
    d = _squared_distances_to(e[queries], e[enrolled])  # (queries, identities)
    truth = np.searchsorted(identities, labels[queries])  # column of each query's own identity
    if ways is not None:
        rng = np.random.default_rng(seed)
        allowed = np.zeros_like(d, bool)
        for q, own in enumerate(truth):
            others = np.delete(np.arange(len(identities)), own)
            allowed[q, rng.choice(others, size=ways - 1, replace=False)] = True
            allowed[q, own] = True
        d = np.where(allowed, d, np.inf)
    predicted = identities[np.argmin(d, axis=1)]
    accuracy = float(np.mean(predicted == labels[queries]))
    return OneShot(accuracy, len(queries), ways or len(identities), enrolled, identities, predicted, queries)


# ---------------------------------------------------------------- verification as classification
def abs_difference_features(encodings, pairs: Pairs) -> np.ndarray:
    """DeepFace's features of a pair: |f(x_i)_k − f(x_j)_k| for each of the d components → (P, d)."""
    e = np.asarray(encodings, np.float64)
    return np.abs(e[pairs.first] - e[pairs.second])


def chi2_features(encodings, pairs: Pairs) -> np.ndarray:
    """χ² terms (f_k(x_i) − f_k(x_j))² / (f_k(x_i) + f_k(x_j)) of a pair → (P, 2d).

    χ² needs non-negative components (DeepFace's come after a ReLU); these
    encodings are signed, so each component is split into its positive and
    negative parts, max(f, 0) and max(−f, 0): 2d non-negative numbers that
    hold the same information. A term whose two parts are both 0 is 0.
    """
    e = np.asarray(encodings, np.float64)
    parts = np.concatenate([np.maximum(e, 0), np.maximum(-e, 0)], axis=1)  # (N, 2d) ≥ 0
    a, b = parts[pairs.first], parts[pairs.second]
    total = a + b
    return np.divide((a - b) ** 2, total, out=np.zeros_like(total), where=total > 0)


@dataclass(frozen=True)
class LogisticUnit:
    """ŷ = σ(Σₖ wₖ·xₖ + b): the probability that a pair with features x is one identity."""

    weights: np.ndarray  # (k,)
    bias: float

    def logit(self, features) -> np.ndarray:
        return np.asarray(features, np.float64) @ self.weights + self.bias

    def probability(self, features) -> np.ndarray:
        """(P,) in (0, 1)."""
        return 1.0 / (1.0 + np.exp(-self.logit(features)))


def fit_logistic(features, same, l2: float = LOGISTIC_L2, iterations: int = LOGISTIC_ITERATIONS) -> LogisticUnit:
    """Fit the logistic unit by Newton's method on the mean log-likelihood plus ½·l2·‖w‖².

    Parameters
    ----------
    features : (P, k)
    same : (P,) bool, the targets (1 for one identity)

    Returns
    -------
    LogisticUnit
    """
    x = np.asarray(features, np.float64)
    y = np.asarray(same, np.float64)
    design = np.hstack([x, np.ones((len(x), 1))])  # the last column carries the bias
    ridge = np.full(design.shape[1], l2)
    ridge[-1] = 0.0
    theta = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        gradient = design.T @ (p - y) / len(y) + ridge * theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design / len(y) + np.diag(ridge)
        step = np.linalg.solve(hessian + 1e-12 * np.eye(len(theta)), gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return LogisticUnit(theta[:-1].copy(), float(theta[-1]))


# ---------------------------------------------------------------- one summary for the model card and the page
@dataclass(frozen=True)
class Quality:
    """How well one encoder verifies and recognises the identities of one set of pictures."""

    auc: float  # ROC AUC of the squared distance on :func:`verification_pairs`
    tau: float  # the threshold applied (on the squared distance), chosen elsewhere
    accuracy_at_tau: float  # on the same pairs
    best_tau: float  # the threshold that would be best on these very pairs
    best_accuracy: float
    one_shot_ways: float  # N-way one-shot accuracy, N = ``ways``
    ways: int
    one_shot_all: float  # all-way one-shot accuracy
    identities: int
    pairs: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def quality(encodings, labels, tau: float, ways: int = WAYS, enrol: int = 0) -> Quality:
    """AUC, accuracy at ``tau``, the best τ, and one-shot accuracy (N-way and all-way) of one encoder."""
    labels = np.asarray(labels)
    pairs = verification_pairs(labels)
    d = pair_distances(encodings, pairs)
    best_tau, best_acc = best_threshold(d, pairs.same)
    n_ids = len(np.unique(labels))
    return Quality(roc_auc(d, pairs.same), float(tau), accuracy_at(d, pairs.same, tau), best_tau, best_acc,
                   one_shot(encodings, labels, enrol, min(ways, n_ids)).accuracy, min(ways, n_ids),
                   one_shot(encodings, labels, enrol).accuracy, n_ids, len(pairs))


@dataclass(frozen=True)
class Match:
    """One enrolled encoding and its squared distance to the query."""

    index: int  # row of the gallery
    distance: float


def nearest_enrolled(encoding, gallery, k: int = 5) -> list[Match]:
    """The k gallery rows nearest to one encoding (d,), by squared distance, nearest first (ties: lower row)."""
    d = np.sum((np.asarray(gallery, np.float64) - np.asarray(encoding, np.float64)) ** 2, axis=1)
    order = np.argsort(d, kind="stable")[:k]
    return [Match(int(i), float(d[i])) for i in order]
