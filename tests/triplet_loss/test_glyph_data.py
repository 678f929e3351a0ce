"""The committed triplet-loss data read back: sizes, order, read-only sharing, and agreement with the model cards."""

from __future__ import annotations

import numpy as np
import pytest

from playground.triplet_loss import digits_data, glyph_data


def test_evaluation_set_is_held_out_then_seen_ten_pictures_each():
    """200 never-seen identities (labels 0–199) then 100 seen ones (200–299), 10 pictures each, 32 × 32 uint8."""
    glyphs = glyph_data.evaluation_set()
    assert glyphs.images.shape == (3000, 32, 32) and glyphs.images.dtype == np.uint8
    assert np.array_equal(np.bincount(glyphs.labels), np.full(300, 10))
    assert not glyphs.seen[:2000].any() and glyphs.seen[2000:].all()
    assert len(set(glyphs.chars)) == 300  # no character is both held out and seen


def test_shared_arrays_cannot_be_changed_by_a_visitor():
    """Every array handed out is read-only: one visitor cannot change what the next one sees."""
    glyphs, history = glyph_data.evaluation_set(), glyph_data.history()
    for array in (glyphs.images, glyphs.labels, history.encodings, history.loss, digits_data.digit_set("seen").images):
        with pytest.raises(ValueError):
            array.flat[0] = 0


def test_history_matches_the_model_card():
    """One loss and active fraction per training step, kinds summing to 1, checkpoints from step 0 to the last."""
    history, card = glyph_data.history(), glyph_data.model_card()
    steps = card["training"]["steps"]
    assert history.loss.shape == history.active.shape == (steps,) and history.kinds.shape == (steps, 3)
    np.testing.assert_allclose(history.kinds.sum(axis=1), 1, atol=1e-5)
    assert history.checkpoint_steps.tolist() == card["training"]["checkpoints"]
    assert history.checkpoint_steps[0] == 0 and history.checkpoint_steps[-1] == steps
    assert history.encodings.shape == (len(history.checkpoint_steps), 3000, 64)


def test_digit_sets_split_seen_and_unseen_digits():
    """Training and seen pictures show only 0–6, the unseen set only 7–9, sizes as the card records."""
    card = digits_data.model_card()
    for name in digits_data.SETS:
        labels = digits_data.digit_set(name).labels
        assert len(labels) == card["data"]["sizes"][name]
        assert set(labels.tolist()) == (set(range(7, 10)) if name == "unseen" else set(digits_data.SEEN_DIGITS))
    with pytest.raises(KeyError):
        digits_data.digit_set("test")
