"""What the triplet-loss page computes once per process and shares: encodings, pairs, ROC curves.

Every visitor sees the same evaluation pictures through the same models, so the
encodings and everything derived from them are computed on first use and kept
(``st.cache_resource``), one copy per execution provider. A control change then
only indexes into them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from playground import runtime, triplet_loss
from playground.triplet_loss import digits_data, encoders, glyph_data, study


@dataclass(frozen=True)
class Shared:
    """The glyph evaluation set, its history, the three encoders' studies, and what ran to make them."""

    glyphs: glyph_data.GlyphSet
    history: glyph_data.History
    studies: study.GlyphStudy
    runs: tuple[runtime.RunRecord, ...]

    @property
    def trained(self) -> np.ndarray:
        """(N, 64) final encodings of the evaluation set (ORT), held-out pictures first."""
        return self.studies["trained"].encodings


@st.cache_resource(show_spinner="Encoding the evaluation pictures (once per server)…", max_entries=3)
def shared(provider: str) -> Shared:
    glyphs, history = glyph_data.evaluation_set(), glyph_data.history()
    with runtime.record_runs() as runs:
        trained = encoders.encode_glyphs(glyphs.images, provider)
    studies = study.glyph_study(trained, history.encodings[0], encoders.pixel_encodings(glyphs.images),
                                glyphs.labels, glyphs.seen)
    return Shared(glyphs, history, studies, tuple(runs))


@dataclass(frozen=True)
class SharedDigits:
    """The digits embedding on its three sets, and its study."""

    study: study.DigitsStudy
    pixels: study.DigitsStudy
    runs: tuple[runtime.RunRecord, ...]


@st.cache_resource(show_spinner=False, max_entries=3)
def shared_digits(provider: str) -> SharedDigits:
    sets = {name: digits_data.digit_set(name) for name in digits_data.SETS}
    with runtime.record_runs() as runs:
        enc = {name: encoders.encode_digits(s.images, provider) for name, s in sets.items()}
    pix = {name: encoders.pixel_encodings(s.images) for name, s in sets.items()}
    trained, pixels = (study.digits_study(e["train"], sets["train"].labels, e["seen"], sets["seen"].labels,
                                          e["unseen"], sets["unseen"].labels) for e in (enc, pix))
    return SharedDigits(trained, pixels, tuple(runs))


@st.cache_resource(show_spinner=False, max_entries=256)
def one_shot(provider: str, encoder: str, held: bool, enrol: int, ways: int | None):
    """One-shot recognition of one encoder on the held-out or the seen identities (cached by its settings)."""
    data = shared(provider)
    mask = ~data.glyphs.seen if held else data.glyphs.seen
    return triplet_loss.one_shot(data.studies[encoder].encodings[mask], data.glyphs.labels[mask], enrol, ways)
