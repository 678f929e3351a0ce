"""The six trained depth-experiment models and their record, against a numpy forward pass (tests/references.py)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from playground.manifest import artifact_path, load_manifest
from playground.residual_block import depth_record as dx
from tests.references import depth_net_forward, onnx_initializers

RECORD = dx.load_record()
RUNS = dx.training_runs()
NAMES = [r.name for r in RUNS]
N_DIGITS = 40  # test digits pushed through the numpy reference (all 300 go through ORT below)


@pytest.mark.model_reference("depth_plain_8")
@pytest.mark.model_reference("depth_residual_8")
@pytest.mark.model_reference("depth_plain_20")
@pytest.mark.model_reference("depth_residual_20")
@pytest.mark.model_reference("depth_plain_56")
@pytest.mark.model_reference("depth_residual_56")
@pytest.mark.parametrize("run", RUNS, ids=NAMES)
def test_depth_model_matches_numpy_forward(run, provider):
    """ORT's logits and every block's activation equal a numpy forward pass with the file's weights."""
    images, _, _ = dx.held_out_digits()
    images = images[:N_DIGITS]
    logits, acts = depth_net_forward(onnx_initializers(run.name), images[:, None] / 16.0, run.blocks, run.residual)
    pred = dx.predict(images, run.depth, run.residual, provider=provider)
    scale = np.abs(acts).max()
    np.testing.assert_allclose(pred.activations, acts, rtol=1e-4, atol=1e-5 * scale)
    np.testing.assert_allclose(pred.probabilities, dx.softmax(logits), atol=1e-5)
    assert acts.shape == (N_DIGITS, run.blocks + 1, 16, 8, 8)


@pytest.mark.parametrize("run", RUNS, ids=NAMES)
def test_recorded_test_error_is_what_the_exported_model_gets(run):
    """The test error torch recorded equals the ONNX model's error on the committed test digits."""
    images, labels, _ = dx.held_out_digits()
    pred = dx.predict(images, run.depth, run.residual, provider="cpu")
    assert abs(float((pred.labels != labels).mean()) - run.test_error) < 0.5 / len(labels)


@pytest.mark.parametrize("run", RUNS, ids=NAMES)
def test_record_is_complete_and_consistent(run):
    """Depth = 2·blocks + 2 = number of layers with gradient norms; one value per epoch per curve."""
    epochs = RECORD["training"]["epochs"]
    assert run.depth == 2 * run.blocks + 2 == len(run.layers)
    assert len(run.grad_norms_init) == len(run.grad_norms_init_no_bn) == run.depth
    assert np.all(np.isfinite(run.grad_norms_init)) and np.all(run.grad_norms_init > 0)
    for curve in ("running_train_error", "train_error", "val_error", "lr"):
        assert len(run.curves[curve]) == epochs, curve
    for curve in ("running_train_error", "train_error", "val_error"):
        assert np.all((run.curves[curve] >= 0) & (run.curves[curve] <= 1)), curve
    entry = load_manifest()["models"][run.name]
    assert entry["provenance"]["seed"] == RECORD["seed"]
    assert entry["verification"]["same_predictions"] is True


def on_disk() -> dict:
    """The record as the committed file holds it, read here without the module's cache."""
    return json.loads(artifact_path(dx.RECORD).read_text(encoding="utf-8"))


def test_changing_the_loaded_record_changes_nothing_for_the_next_caller():
    """One visitor's changes to load_record()'s dict do not reach the next call (the record is shared)."""
    record = dx.load_record()
    record["training"]["epochs"] = 99
    record["runs"].clear()
    again = dx.load_record()
    assert again == on_disk()
    assert again["training"]["epochs"] != 99 and len(again["runs"]) == len(RUNS)


def test_training_runs_are_built_once_and_read_only():
    """training_runs() returns the same frozen runs each call; no array, curve or field can be changed."""
    runs = dx.training_runs()
    assert dx.training_runs() is runs and isinstance(runs, tuple)
    assert dx.get_run(runs[0].depth, runs[0].residual) is runs[0]
    for run, raw in zip(runs, on_disk()["runs"], strict=True):
        assert run.name == raw["name"]
        np.testing.assert_array_equal(run.curves["train_error"], raw["curves"]["train_error"])
        np.testing.assert_array_equal(run.grad_norms_init, raw["grad_norms_init"])
        for array in (*run.curves.values(), run.grad_norms_init, run.grad_norms_init_no_bn):
            with pytest.raises(ValueError, match="read-only"):
                array[0] = 99.0
        with pytest.raises(TypeError):
            run.curves["train_error"] = np.zeros(3)
        with pytest.raises(dataclasses.FrozenInstanceError):
            run.test_error = 0.0


def test_split_and_held_out_digits_match_the_record():
    """Train/validation/test indices are disjoint, cover the 1,797 digits, and the committed digits are the test set."""
    indices = RECORD["data"]["indices"]
    sizes = RECORD["data"]["split_sizes"]
    all_idx = np.concatenate([indices["train"], indices["val"], indices["test"]])
    assert len(all_idx) == len(set(all_idx.tolist())) == 1797 == sum(sizes.values())
    images, labels, held_out = dx.held_out_digits()
    np.testing.assert_array_equal(held_out, indices["test"])
    assert images.shape == (sizes["test"], 8, 8) and images.dtype == np.uint8 and images.max() <= 16
    assert np.bincount(labels, minlength=10).min() >= 25  # stratified: about 30 of each digit


@pytest.mark.parametrize("errors, threshold, expected", [([0.9, 0.5, 0.04, 0.0], 0.05, 3), ([0.9, 0.8], 0.05, None),
                                                         ([0.01], 0.05, 1)])
def test_first_epoch_below(errors, threshold, expected):
    """First epoch (1-based) whose error is under the threshold, or None."""
    assert dx.first_epoch_below(np.array(errors), threshold) == expected


def test_activation_stats_of_a_known_volume():
    """Mean and std per block, over channels and positions."""
    acts = np.zeros((2, 1, 2, 2))
    acts[1] = [[[1, 3], [0, 0]]]
    stats = dx.activation_stats(acts)
    np.testing.assert_allclose(stats.mean, [0, 1])
    np.testing.assert_allclose(stats.std, [0, np.std([1, 3, 0, 0])])


@pytest.mark.parametrize("plain, res, expected", [
    (0.6, 0.0, "residual"), (0.0, 0.3, "plain"), (0.02, 0.0, "about the same"), (0.09, 0.05, "about the same"),
    (0.11, 0.05, "residual")])
def test_lower_error_verdict(plain, res, expected):
    """The verdict names the net with the lower error, or a tie within 5 points."""
    assert dx.lower_error(plain, res) == expected


def test_gradient_ratio_compares_first_and_last_conv():
    """First conv over last conv; the fc (last entry) does not count."""
    assert dx.gradient_ratio(np.array([8.0, 4.0, 2.0, 100.0])) == 4.0
    assert dx.gradient_ratio(np.array([1.0, 0.0, 5.0])) == float("inf")
