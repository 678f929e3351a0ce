"""The glyph rendering and the triplet training code of the export (needs torch; the rendering test needs the fonts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.export
torch = pytest.importorskip("torch")

from export import triplet_glyphs as tg  # noqa: E402
from export import triplet_training as tt  # noqa: E402
from playground.triplet_loss import glyph_data  # noqa: E402

FONTS_MISSING = not all(Path(face.path).exists() for face in tg.FACES)


@pytest.mark.skipif(FONTS_MISSING, reason=f"the CJK fonts are not installed: {tg.APT_LINE}")
@pytest.mark.parametrize("identity, picture", [(0, 0), (7, 3), (199, 9)])
def test_rendering_reproduces_the_committed_held_out_pictures(identity, picture):
    """Rendering held-out identity k, picture j again gives the committed picture byte for byte, and its face."""
    held = glyph_data.held_out()
    char = held.char(identity)
    assert char == tg.identities()[1][identity]
    image, face = tg.render(char, tg.TRAIN_IDENTITIES + identity, picture)
    row = int(held.members(identity)[picture])
    np.testing.assert_array_equal(image, held.images[row])
    assert face == held.faces[row]


def test_identities_are_the_3755_level1_characters_split_without_overlap():
    """GB2312 level 1 has 3,755 characters; 2,000 train and 200 are held out, none in both."""
    chars = tg.gb2312_level1()
    train, held = tg.identities()
    assert len(chars) == len(set(chars)) == 3755
    assert len(train) == 2000 and len(held) == 200 and not set(train) & set(held)


def brute_semi_hard(e: np.ndarray, labels: np.ndarray, alpha: float) -> float:
    """Mean hinge over every (a, p): the closest negative farther than the positive, else the closest one."""
    d = ((e[:, None] - e[None]) ** 2).sum(-1)
    losses = []
    for a in range(len(e)):
        for p in range(len(e)):
            if p == a or labels[p] != labels[a]:
                continue
            negatives = [d[a, n] for n in range(len(e)) if labels[n] != labels[a]]
            farther = [v for v in negatives if v > d[a, p]]
            d_an = min(farther) if farther else min(negatives)
            losses.append(max(d[a, p] - d_an + alpha, 0.0))
    return float(np.mean(losses))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_semi_hard_mining_picks_the_rules_negative(seed):
    """The batch loss equals a loop that applies the mining rule pair by pair; the kinds add up to 1."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(6), 4)
    e = rng.normal(size=(24, 8))
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    mined = tt.semi_hard_loss(torch.from_numpy(e), torch.from_numpy(labels), 0.2)
    assert float(mined.loss) == pytest.approx(brute_semi_hard(e, labels, 0.2), abs=1e-6)
    assert sum(mined.kinds) == pytest.approx(1.0)


def test_folding_bn_keeps_the_function():
    """After a few training steps the BN-folded network gives the eval-mode network's encodings."""
    torch.manual_seed(0)
    model = tt.EmbeddingNet((8, 16), 8)
    x = np.random.default_rng(0).random((40, 1, 16, 16)).astype(np.float32)
    labels = np.repeat(np.arange(10), 4)
    setup = tt.TrainingSetup(5, 5, 4, 1e-2, 0.2, 0, (0, 5))
    tt.train(model, x, labels, setup, lambda batch, gen: batch, x[:8], log_every=0)
    np.testing.assert_allclose(tt.encode(tt.folded(model), x), tt.encode(model, x), atol=1e-5)


def test_onnx_export_matches_torch():
    """A small embedding exported with the export's own function runs on ORT like torch (1e-5)."""
    torch.manual_seed(1)
    model = tt.EmbeddingNet((4, 8), 6).eval()
    x = np.random.default_rng(1).random((5, 1, 8, 8)).astype(np.float32)
    onnx_model = tt.export_onnx(model, torch.from_numpy(x[:2]))
    assert onnx_model.ir_version == 10
    assert tt.verify(model, onnx_model, x, "random")["max_abs_error_encoding"] < 1e-5
