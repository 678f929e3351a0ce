"""The torch training code of the depth experiment, re-run at small scale (needs the export dependencies)."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.export
torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from export import depth_experiment as de  # noqa: E402
from playground.residual_block import depth_record as dx  # noqa: E402

EPOCHS = 3


@pytest.fixture(scope="module")
def data():
    return de.tensors(de.load_split())


def test_folding_bn_keeps_the_function(data):
    """The exported (BN-folded) network computes what the trained network computes in eval mode."""
    model = de.build(3, residual=True)
    de.train(model, data, epochs=1)  # BN statistics and weights away from their initial values
    model.eval()
    with torch.no_grad():
        logits, acts = model(data["x_val"])
        folded_logits, folded_acts = de.folded(model)(data["x_val"])
    torch.testing.assert_close(folded_logits, logits, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(folded_acts, acts, rtol=1e-4, atol=1e-4)


@pytest.fixture(scope="module")
def reruns(data):
    """The 56-layer plain and residual nets trained again for 3 epochs with the export's code."""
    return {residual: de.train(de.build(27, residual), data, epochs=EPOCHS) for residual in (False, True)}


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
def test_56_layer_run_reproduces_the_record(reruns, residual):
    """Re-training the 56-layer net for 3 epochs gives the record's gradient norms and first 3 epochs."""
    run = dx.get_run(56, residual)
    result = reruns[residual]
    np.testing.assert_allclose(result["grad_norms_init"], run.grad_norms_init, rtol=1e-3)
    for curve in ("running_train_error", "train_error", "val_error"):
        np.testing.assert_allclose(result["curves"][curve], run.curves[curve][:EPOCHS], atol=3 / 1197, err_msg=curve)


def test_small_rerun_shows_the_direction(reruns):
    """After 3 epochs from the same weights, the 56-layer residual net's training error is below the plain one's."""
    errors = {residual: result["curves"]["train_error"][-1] for residual, result in reruns.items()}
    assert errors[True] < errors[False] - 0.3
