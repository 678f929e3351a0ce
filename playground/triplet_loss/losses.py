"""The triplet loss on encodings: distances, the hinge, and how hard a triplet is.

With f an encoding (a vector of d numbers) and squared L2 distances

    d(A, P) = ‖f(A) − f(P)‖²,    d(A, N) = ‖f(A) − f(N)‖²,

one triplet costs L = max(d(A, P) − d(A, N) + α, 0), and a batch of m
triplets costs the sum of their losses (FaceNet, Schroff et al. 2015, eq. 3).
With the margin m = d(A, N) − d(A, P) a triplet is *hard* when m ≤ 0, *semi-hard*
when 0 < m ≤ α and *easy* when m > α; an easy triplet has loss 0 and teaches
the network nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ALPHA = 0.2  # FaceNet's margin on squared distances between unit-length encodings
KINDS = ("hard", "semi-hard", "easy")  # by the margin m = d(A, N) − d(A, P): m ≤ 0, 0 < m ≤ α, m > α


def _encodings(values, name: str) -> np.ndarray:
    """An encoding (d,) or a batch of them (m, d) as float64, refusing other shapes and non-finite values."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} must be one encoding (d,) or a batch (m, d), not shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} has values that are not finite (NaN or infinity)")
    return array


def squared_distance(x, y) -> np.ndarray:
    """‖x − y‖², row by row.

    Parameters
    ----------
    x, y : (d,) or (m, d) arrays of the same shape

    Returns
    -------
    numpy.ndarray, float64
        Shape () for two encodings, (m,) for two batches.

    Examples
    --------
    >>> float(squared_distance([0, 0], [3, 4]))
    25.0
    """
    x, y = _encodings(x, "x"), _encodings(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"encodings must have the same shape, not {x.shape} and {y.shape}")
    return np.sum((x - y) ** 2, axis=-1)


def triplet_losses(anchor, positive, negative, alpha: float = ALPHA) -> np.ndarray:
    """Each triplet's hinge loss max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0).

    Parameters
    ----------
    anchor, positive, negative : (d,) or (m, d) arrays of the same shape
    alpha : float
        The margin α.

    Returns
    -------
    numpy.ndarray, float64, shape () or (m,)
    """
    alpha = float(alpha)
    if not np.isfinite(alpha):
        raise ValueError(f"alpha must be a finite number, not {alpha}")
    anchor, positive, negative = (_encodings(v, n) for v, n in
                                  ((anchor, "anchor"), (positive, "positive"), (negative, "negative")))
    if not anchor.shape == positive.shape == negative.shape:
        raise ValueError(f"anchor, positive and negative must have the same shape, not {anchor.shape}, "
                         f"{positive.shape} and {negative.shape}")
    return hinge(squared_distance(anchor, positive), squared_distance(anchor, negative), alpha)


def hinge(d_ap, d_an, alpha: float = ALPHA):
    """max(d(A, P) − d(A, N) + α, 0) from the two squared distances (scalars or arrays of one shape)."""
    return np.maximum(np.asarray(d_ap, np.float64) - np.asarray(d_an, np.float64) + float(alpha), 0.0)


def triplet_loss(anchor, positive, negative, alpha: float = ALPHA) -> float:
    """The triplet loss of one triplet, or the sum over a batch of triplets.

    Parameters
    ----------
    anchor, positive, negative : (d,) or (m, d) arrays of the same shape
        Encodings f(A), f(P), f(N); row k of each is triplet k.
    alpha : float
        The margin α, on squared distances (FaceNet: 0.2 for unit-length encodings).

    Returns
    -------
    float
        Σₖ max(‖f(Aₖ) − f(Pₖ)‖² − ‖f(Aₖ) − f(Nₖ)‖² + α, 0); 0.0 for an empty batch.

    Examples
    --------
    >>> triplet_loss([0.0, 0.0], [0.3, 0.0], [1.0, 0.0])    # 0.09 − 1 + 0.2 < 0
    0.0
    >>> round(triplet_loss([0.0, 0.0], [0.6, 0.0], [0.0, 0.5]), 6)   # 0.36 − 0.25 + 0.2
    0.31
    """
    return float(np.sum(triplet_losses(anchor, positive, negative, alpha)))


def margin(d_ap: float, d_an: float) -> float:
    """m = d(A, N) − d(A, P): how much farther the negative is than the positive."""
    return float(d_an) - float(d_ap)


def kind_index(d_ap, d_an, alpha: float = ALPHA) -> np.ndarray:
    """Index into :data:`KINDS` of each triplet: 0 hard (m ≤ 0), 1 semi-hard (0 < m ≤ α), 2 easy (m > α).

    Parameters
    ----------
    d_ap, d_an : scalars or arrays that broadcast together
        Squared distances; m = d_an − d_ap.
    """
    m = np.asarray(d_an, np.float64) - np.asarray(d_ap, np.float64)
    return np.where(m <= 0, 0, np.where(m <= alpha, 1, 2))


def triplet_kind(d_ap: float, d_an: float, alpha: float = ALPHA) -> str:
    """"hard" (m ≤ 0), "semi-hard" (0 < m ≤ α) or "easy" (m > α), with m = d(A, N) − d(A, P)."""
    return KINDS[int(kind_index(d_ap, d_an, alpha))]


@dataclass(frozen=True)
class MiningCounts:
    """How many of a batch's triplets are of each kind, at one α."""

    hard: int  # m ≤ 0: the negative is at least as close as the positive
    semi_hard: int  # 0 < m ≤ α: the right order, but inside the margin (loss > 0)
    easy: int  # m > α: loss 0, nothing to learn

    @property
    def total(self) -> int:
        return self.hard + self.semi_hard + self.easy

    @property
    def active(self) -> int:
        """Triplets with a loss above 0: the hard and the semi-hard ones (those with m < α, to be exact)."""
        return self.hard + self.semi_hard


def mining_counts(encodings, labels, alpha: float = ALPHA) -> MiningCounts:
    """Count the easy, semi-hard and hard triplets among every valid triplet of a batch.

    A valid triplet is (a, p, n) with a ≠ p of the same identity and n of another
    identity (ordered: (a, p, n) and (p, a, n) are two triplets).

    Parameters
    ----------
    encodings : (B, d) array
    labels : (B,) array of identity labels
    alpha : float

    Returns
    -------
    MiningCounts
    """
    encodings = _encodings(encodings, "encodings")
    labels = np.asarray(labels)
    if encodings.ndim != 2 or labels.shape != encodings.shape[:1]:
        raise ValueError(f"encodings (B, d) and labels (B,) must match, not {encodings.shape} and {labels.shape}")
    hard = semi = easy = 0
    for a in range(len(labels)):
        d = squared_distance(encodings, np.broadcast_to(encodings[a], encodings.shape))  # (B,) from anchor a
        same = labels == labels[a]
        same[a] = False
        kinds = kind_index(d[same][:, None], d[labels != labels[a]][None, :], alpha)  # (positives, negatives)
        counts = np.bincount(kinds.ravel(), minlength=len(KINDS))
        hard, semi, easy = hard + int(counts[0]), semi + int(counts[1]), easy + int(counts[2])
    return MiningCounts(hard, semi, easy)


def valid_triplets(labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every valid triplet of a batch as index arrays (anchor, positive, negative), each (T,).

    The same triplets :func:`mining_counts` counts, in order of anchor, then
    positive, then negative. T = Σ over pictures of (same-identity others) × (other-identity pictures):
    for P identities × K pictures, P·K·(K − 1)·(P − 1)·K.
    """
    labels = np.asarray(labels)
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    a, p = np.nonzero(same)  # (pairs,) each
    different = labels[a][:, None] != labels[None, :]  # (pairs, B)
    pair, n = np.nonzero(different)
    return a[pair], p[pair], n
