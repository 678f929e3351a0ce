"""The committed digits data of the few-identities embedding (``export/triplet_digits.py``).

Seven identities trained (the digits 0–6), three never seen (7, 8, 9): the
same method as the glyph embedding, with far fewer identities.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from playground.manifest import artifact_path

SEEN_DIGITS = (0, 1, 2, 3, 4, 5, 6)  # the identities the digits embedding trained on; 7, 8, 9 are unseen
DIGITS_EVAL_ARTIFACT = "triplet_digits_eval"
DIGITS_RECORD_ARTIFACT = "triplet_digits_record"
SETS = ("train", "seen", "unseen")  # training pictures; other pictures of 0–6; every picture of 7–9


@dataclass(frozen=True)
class DigitSet:
    """Digits (N, 8, 8) uint8 0…16 and their labels (N,), read-only."""

    images: np.ndarray
    labels: np.ndarray


@lru_cache(maxsize=1)
def _arrays() -> dict[str, np.ndarray]:
    with np.load(artifact_path(DIGITS_EVAL_ARTIFACT)) as stored:
        arrays = {k: np.array(stored[k]) for k in stored.files}
    for value in arrays.values():
        value.flags.writeable = False
    return arrays


def digit_set(name: str) -> DigitSet:
    """One of :data:`SETS`."""
    if name not in SETS:
        raise KeyError(f"no digit set {name!r}; the sets are {SETS}")
    a = _arrays()
    return DigitSet(a[f"{name}_images"], a[f"{name}_labels"])


@lru_cache(maxsize=1)
def _record_text() -> str:
    return artifact_path(DIGITS_RECORD_ARTIFACT).read_text(encoding="utf-8")


def model_card() -> dict:
    """The digits embedding's model card (``triplet_digits.json``), a new dict on each call."""
    return json.loads(_record_text())
