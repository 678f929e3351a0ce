"""The committed glyph data: evaluation pictures, the training history and the model card.

``export/triplet_glyphs.py`` wrote them; this module reads them back (once per
process, shared read-only), so the page needs neither torch nor the fonts.

The evaluation pictures come in two sets: 200 identities held out of training
entirely ("unseen") and a sample of 100 training identities ("seen"), 10
pictures each. Where both are used together (:func:`evaluation_set`), the
held-out pictures come first, labels 0…199, then the seen ones, labels 200…299.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from playground.manifest import artifact_path

HISTORY_SCALE = 1 / 127  # checkpoint encodings are stored as int8: value × 1/127
EVAL_ARTIFACT = "triplet_glyph_eval"  # artifact names in the manifest
HISTORY_ARTIFACT = "triplet_glyph_history"
RECORD_ARTIFACT = "triplet_glyphs_record"


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array)
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class GlyphSet:
    """Pictures of some identities, 10 each (arrays read-only: shared by every visitor)."""

    images: np.ndarray  # (N, 32, 32) uint8, ink white on black
    labels: np.ndarray  # (N,) identity, 0-based within the set (or offset, in the combined set)
    faces: np.ndarray  # (N,) index into ``face_names``
    chars: tuple[str, ...]  # the character of each identity, by label − ``first_label``
    seen: np.ndarray  # (N,) bool: the identity was trained on
    face_names: tuple[str, ...]
    first_label: int = 0

    def __len__(self) -> int:
        return len(self.labels)

    def char(self, label: int) -> str:
        return self.chars[int(label) - self.first_label]

    def members(self, label: int) -> np.ndarray:
        """Indices of one identity's pictures, in set order."""
        return np.flatnonzero(self.labels == label)


@lru_cache(maxsize=1)
def _eval_arrays() -> dict[str, np.ndarray]:
    with np.load(artifact_path(EVAL_ARTIFACT)) as stored:
        return {k: _frozen(stored[k]) for k in stored.files}


def held_out() -> GlyphSet:
    """The 200 identities never seen in training, 10 pictures each."""
    a = _eval_arrays()
    return GlyphSet(a["held_images"], a["held_labels"], a["held_faces"], tuple(a["held_chars"].tolist()),
                    _frozen(np.zeros(len(a["held_labels"]), bool)), tuple(a["face_names"].tolist()))


def seen_sample() -> GlyphSet:
    """100 of the 2,000 training identities, 10 pictures each (their labels renumbered 0…99)."""
    a = _eval_arrays()
    _, labels = np.unique(a["seen_labels"], return_inverse=True)
    return GlyphSet(a["seen_images"], _frozen(labels), a["seen_faces"], tuple(a["seen_chars"].tolist()),
                    _frozen(np.ones(len(labels), bool)), tuple(a["face_names"].tolist()))


@lru_cache(maxsize=1)
def evaluation_set() -> GlyphSet:
    """Held-out pictures first (labels 0…199), then the seen sample (labels 200…299): the order of the history."""
    held, seen = held_out(), seen_sample()
    offset = len(held.chars)
    return GlyphSet(_frozen(np.concatenate([held.images, seen.images])),
                    _frozen(np.concatenate([held.labels, seen.labels + offset])),
                    _frozen(np.concatenate([held.faces, seen.faces])), held.chars + seen.chars,
                    _frozen(np.concatenate([held.seen, seen.seen])), held.face_names)


@dataclass(frozen=True)
class History:
    """What training recorded: per step, and the encodings of the evaluation set at checkpoints."""

    loss: np.ndarray  # (S,) mean hinge over the mined triplets of each step
    active: np.ndarray  # (S,) fraction of mined triplets with a loss above 0
    kinds: np.ndarray  # (S, 3) fractions of all valid triplets of the batch: hard, semi-hard, easy
    checkpoint_steps: np.ndarray  # (C,) steps done when encoded (0 = the untrained network)
    encodings: np.ndarray  # (C, N, 64) float32, in the order of :func:`evaluation_set`

    @property
    def steps(self) -> int:
        return len(self.loss)


@lru_cache(maxsize=1)
def history() -> History:
    """The recorded training history (int8 encodings back to float32 × :data:`HISTORY_SCALE`)."""
    with np.load(artifact_path(HISTORY_ARTIFACT)) as stored:
        encodings = stored["encodings"].astype(np.float32) * np.float32(HISTORY_SCALE)
        return History(_frozen(stored["loss"]), _frozen(stored["active"]), _frozen(stored["kinds"]),
                       _frozen(stored["checkpoint_steps"]), _frozen(encodings))


@lru_cache(maxsize=1)
def _record_text() -> str:
    return artifact_path(RECORD_ARTIFACT).read_text(encoding="utf-8")


def model_card() -> dict:
    """The glyph embedding's model card (``triplet_glyphs.json``), a new dict on each call."""
    return json.loads(_record_text())
