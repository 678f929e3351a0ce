"""The two committed triplet-loss embeddings against a numpy forward pass and the torch outputs the export recorded."""

from __future__ import annotations

import numpy as np
import pytest

from playground import runtime
from playground.triplet_loss import digits_data, encoders, glyph_data, quality
from tests.references import embedding_forward, onnx_initializers

GLYPH_CONVS, DIGIT_CONVS = 4, 3  # conv blocks of each network (export/triplet_glyphs.py, export/triplet_digits.py)


@pytest.mark.model_reference("triplet_glyphs")
def test_glyph_embedding_matches_numpy_and_the_recorded_torch_encodings(provider):
    """ORT's encodings of held-out and seen pictures equal a float64 numpy forward pass from the ONNX weights
    (to 2e-5), have length 1, and equal the torch encodings recorded at the end of training to int8 precision."""
    glyphs = glyph_data.evaluation_set()
    rows = np.r_[0:200, 2000:2100]  # held-out pictures first, then seen ones
    x = encoders.glyph_input(glyphs.images[rows])
    out = runtime.run(encoders.GLYPH_MODEL, {"x": x}, provider=provider)["encoding"]
    reference = embedding_forward(onnx_initializers(encoders.GLYPH_MODEL), x, GLYPH_CONVS)
    assert out.shape == (len(rows), 64)
    np.testing.assert_allclose(out, reference, atol=2e-5)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    recorded = glyph_data.history().encodings[-1][rows]  # torch, eval mode, stored × 1/127
    assert np.max(np.abs(out - recorded)) <= 0.5 * glyph_data.HISTORY_SCALE + 1e-4


@pytest.mark.model_reference("triplet_digits")
def test_digits_embedding_matches_numpy(provider):
    """ORT's encodings of every committed digit equal the numpy forward pass to 2e-5 and have length 1."""
    images = np.concatenate([digits_data.digit_set(name).images for name in digits_data.SETS])
    x = encoders.digit_input(images)
    out = runtime.run(encoders.DIGITS_MODEL, {"x": x}, provider=provider)["encoding"]
    np.testing.assert_allclose(out, embedding_forward(onnx_initializers(encoders.DIGITS_MODEL), x, DIGIT_CONVS),
                               atol=2e-5)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)


def test_model_card_figures_are_reproduced_from_the_committed_files():
    """The held-out AUC, τ and one-shot figures in the model card are what the committed model gives now."""
    glyphs, card = glyph_data.evaluation_set(), glyph_data.model_card()
    enc = encoders.encode_glyphs(glyphs.images, "cpu")
    recorded = card["quality"]["trained"]
    held, seen = ~glyphs.seen, glyphs.seen
    now = quality(enc[held], glyphs.labels[held], recorded["tau_chosen_on_training_identities"])
    assert now.auc == pytest.approx(recorded["held_out"]["auc"], abs=1e-6)
    assert now.one_shot_ways == pytest.approx(recorded["held_out"]["one_shot_ways"], abs=1e-9)
    assert now.one_shot_all == pytest.approx(recorded["held_out"]["one_shot_all"], abs=1e-9)
    assert quality(enc[seen], glyphs.labels[seen], 0.5).auc == pytest.approx(
        recorded["training_identities"]["auc"], abs=1e-6)
