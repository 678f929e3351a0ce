"""The triplet loss: an encoding where one identity's pictures sit close together, by a margin α.

The public API of the concept (page ``pages/triplet_loss.py``):

- :func:`triplet_loss` (summed over a batch), :func:`triplet_losses`,
  :func:`squared_distance`, :func:`triplet_kind` and :func:`mining_counts`, with
  m = d(A, N) − d(A, P): hard m ≤ 0, semi-hard 0 < m ≤ α, easy m > α (:mod:`.losses`);
- verification at a threshold τ on the **squared** distance, the ROC curve and
  its AUC, one-shot recognition, and the logistic unit on |f(x_i) − f(x_j)| or
  χ² terms (:mod:`.verification`);
- PCA to draw encodings in 2-D or 3-D (:mod:`.projection`);
- the committed models on ONNX Runtime and the raw-pixel baseline (:mod:`.encoders`),
  the glyph data, training history and model card (:mod:`.glyph_data`), the
  digits embedding's data (:mod:`.digits_data`), and how a picture is cropped
  and resized like the training data (:mod:`.glyph_image`).

Examples
--------
>>> from playground.triplet_loss import triplet_loss
>>> round(triplet_loss([0.0, 0.0], [0.6, 0.0], [0.0, 0.5]), 6)   # 0.36 − 0.25 + 0.2
0.31
>>> triplet_loss([[0.0, 0.0], [0.0, 0.0]], [[0.6, 0.0], [0.1, 0.0]], [[0.0, 0.5], [1.0, 0.0]])   # 0.31 + 0
0.31
"""

from playground.triplet_loss import digits_data, encoders, glyph_data, glyph_image
from playground.triplet_loss.encoders import DIGITS_MODEL, GLYPH_MODEL, encode_digits, encode_glyphs, pixel_encodings
from playground.triplet_loss.glyph_image import GlyphError, glyph_from_picture
from playground.triplet_loss.losses import (
    ALPHA,
    KINDS,
    MiningCounts,
    hinge,
    margin,
    mining_counts,
    squared_distance,
    triplet_kind,
    triplet_loss,
    triplet_losses,
    valid_triplets,
)
from playground.triplet_loss.projection import Pca, fit_pca
from playground.triplet_loss.verification import (
    WAYS,
    Confusion,
    LogisticUnit,
    Match,
    OneShot,
    Pairs,
    Quality,
    Roc,
    abs_difference_features,
    accuracy_at,
    best_threshold,
    chi2_features,
    confusion_at,
    enrolment,
    fit_logistic,
    nearest_enrolled,
    one_shot,
    pair_distances,
    quality,
    roc_auc,
    roc_curve,
    squared_threshold,
    verification_pairs,
)

__all__ = [
    "ALPHA", "DIGITS_MODEL", "GLYPH_MODEL", "KINDS", "WAYS", "Confusion", "GlyphError", "LogisticUnit",
    "Match", "MiningCounts", "OneShot", "Pairs", "Pca", "Quality", "Roc", "abs_difference_features", "accuracy_at",
    "best_threshold", "chi2_features", "confusion_at", "digits_data", "encode_digits", "enrolment", "encode_glyphs", "encoders",
    "fit_logistic", "fit_pca", "glyph_data", "glyph_from_picture", "glyph_image", "hinge", "margin", "mining_counts",
    "nearest_enrolled", "one_shot", "pair_distances", "pixel_encodings", "quality", "roc_auc", "roc_curve", "squared_distance",
    "squared_threshold", "triplet_kind", "triplet_loss", "triplet_losses", "valid_triplets",
    "verification_pairs",
]
