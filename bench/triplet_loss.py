"""The triplet-loss embeddings on ORT against a numpy forward pass, and ROC / one-shot on the evaluation set.

``python -m bench`` also times the glyph embedding in torch eager on the same
weights, in a separate process (``bench/_torch_triplet.py``), and adds
ORT-vs-torch rows whose names match the rows below.
"""

from __future__ import annotations

import numpy as np

from bench.core import Case
from playground import runtime
from playground.triplet_loss import encoders, glyph_data, one_shot, pair_distances, roc_curve, verification_pairs
from tests.references import embedding_forward, onnx_initializers

GLYPH_CONVS = 4
CHANNELS, SIDE = (32, 64, 128, 128), 32


def glyph_case_name(batch: int) -> str:
    """Row name of the glyph embedding on ``batch`` pictures; bench/_torch_triplet.py reports under the same name."""
    return f"triplet_glyphs: {batch} picture{'s' if batch > 1 else ''}" + (" (the page's upload)" if batch == 1 else
                                                                          " (the evaluation set)")


def glyph_inputs() -> np.ndarray:
    """Every evaluation picture as network input (3000, 1, 32, 32) float32."""
    return encoders.glyph_input(glyph_data.evaluation_set().images)


def glyph_flops(batch: int) -> float:
    """Multiply-adds × 2 of the four 3×3 convs (max-pool halving the side after the first three) and the linear layer."""
    side, c_in, macs = SIDE, 1, 0
    for k, c in enumerate(CHANNELS):
        macs += side * side * c * c_in * 9
        c_in = c
        if k < len(CHANNELS) - 1:
            side //= 2
    return 2.0 * (macs + CHANNELS[-1] * 64) * batch


def cases() -> list[Case]:
    x = glyph_inputs()
    weights = onnx_initializers(encoders.GLYPH_MODEL)
    out = []
    for batch in (1, len(x)):
        feeds = {"x": x[:batch]}
        out.append(Case(glyph_case_name(batch),
                        run=lambda feeds=feeds: runtime.run(encoders.GLYPH_MODEL, feeds, provider="cpu"),
                        reference=lambda batch=batch: embedding_forward(weights, x[:batch], GLYPH_CONVS, np.float32),
                        reference_name="numpy float32 (tests.references)", flops=glyph_flops(batch)))
    glyphs = glyph_data.evaluation_set()
    held = ~glyphs.seen
    enc = runtime.run(encoders.GLYPH_MODEL, {"x": x}, provider="cpu")["encoding"][held]
    labels = glyphs.labels[held]
    pairs = verification_pairs(labels)
    distances = pair_distances(enc, pairs)
    out.append(Case(f"ROC curve + AUC: {len(pairs):,} held-out pairs", run=lambda: roc_curve(distances, pairs.same)))
    out.append(Case(f"one-shot all-way: {len(labels):,} held-out pictures", run=lambda: one_shot(enc, labels)))
    out.append(Case("one-shot 20-way: the same pictures", run=lambda: one_shot(enc, labels, ways=20)))
    return out
