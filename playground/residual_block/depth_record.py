"""The recorded depth experiment: plain vs residual nets of 8, 20 and 56 layers on 8×8 digits.

``export/depth_experiment.py`` trained six networks with torch and wrote what
it measured to ``onnx_models/depth_experiment.json`` (curves, gradient norms,
seeds, split, hyper-parameters) and the held-out test digits to
``digits_test.npz``. This module reads them back and runs the exported
models on ONNX Runtime, so the page needs neither torch nor scikit-learn.
Everything the page says about the experiment is computed here from the record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from playground import runtime
from playground.manifest import artifact_path

RECORD = "depth_experiment"  # artifact names in the manifest
TEST_DIGITS = "digits_test"
PIXEL_SCALE = 16.0  # digits are integers 0…16; the networks see pixel / 16
CLASSES = 10


def model_name(depth: int, residual: bool) -> str:
    """Manifest name of one trained network, e.g. ``depth_residual_56``."""
    return f"depth_{'residual' if residual else 'plain'}_{depth}"


def depth_of(blocks: int) -> int:
    """Layers with weights in a net of ``blocks`` blocks: the stem, two per block, the classifier."""
    return 2 * blocks + 2


def to_input(images: np.ndarray) -> np.ndarray:
    """Digits (N, 8, 8) with values 0…16 → network input (N, 1, 8, 8) float32 in [0, 1]."""
    return (np.asarray(images, np.float32) / PIXEL_SCALE)[:, None]


@dataclass(frozen=True)
class TrainingRun:
    """One trained network's record (shared by every visitor: its arrays are read-only)."""

    name: str
    depth: int  # layers with weights
    blocks: int
    residual: bool
    layers: tuple[str, ...]  # names of the weighted layers, input to output
    curves: Mapping[str, np.ndarray]  # per epoch: running_train_error, train_error, val_error, ...
    grad_norms_init: np.ndarray  # (depth,) ‖∂L/∂W‖ at initialisation, with BN
    grad_norms_init_no_bn: np.ndarray  # (depth,) same architecture without BN, default init
    test_error: float

    def final(self, curve: str) -> float:
        return float(self.curves[curve][-1])


@lru_cache(maxsize=1)
def _record_text() -> str:
    return artifact_path(RECORD).read_text(encoding="utf-8")


def load_record() -> dict:
    """The parsed ``depth_experiment.json``, a new dict on each call (the file is read once).

    The page is served to many visitors from one process: a caller that changes
    the dict it got changes nothing for anyone else. Parsing the 49 kB again
    takes well under a millisecond.
    """
    return json.loads(_record_text())


def _read_only(values) -> np.ndarray:
    array = np.array(values, np.float64)
    array.flags.writeable = False
    return array


@lru_cache(maxsize=1)
def training_runs() -> tuple[TrainingRun, ...]:
    """Every trained network, in the order trained (depth, then plain before residual).

    Built once and shared: the runs are frozen, ``curves`` is a read-only
    mapping and every array is read-only, so no caller can change what the
    next visitor sees.
    """
    return tuple(
        TrainingRun(r["name"], r["depth"], r["blocks"], r["residual"], tuple(r["layers"]),
                    MappingProxyType({k: _read_only(v) for k, v in r["curves"].items()}),
                    _read_only(r["grad_norms_init"]), _read_only(r["grad_norms_init_no_bn"]),
                    float(r["test_error"]))
        for r in load_record()["runs"]
    )


def depths() -> list[int]:
    """The depths trained, ascending."""
    return sorted({r.depth for r in training_runs()})


def get_run(depth: int, residual: bool) -> TrainingRun:
    """The record of one network; KeyError if that depth was not trained."""
    for run in training_runs():
        if run.depth == depth and run.residual == residual:
            return run
    raise KeyError(model_name(depth, residual))


@lru_cache(maxsize=1)
def _test_digits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.load(artifact_path(TEST_DIGITS)) as data:
        return data["images"], data["labels"], data["indices"]


def held_out_digits() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The held-out test digits: images (N, 8, 8) uint8 0…16, labels (N,), indices into load_digits()."""
    images, labels, indices = _test_digits()
    return images.copy(), labels.copy(), indices.copy()


@dataclass(frozen=True)
class Prediction:
    """What one network says about a batch of digits."""

    probabilities: np.ndarray  # (N, 10) softmax of the logits
    activations: np.ndarray  # (N, B+1, 16, 8, 8): a[0] (after the stem) … a[B]

    @property
    def labels(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, K) logits."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def predict(images: np.ndarray, depth: int, residual: bool, provider: str = "auto") -> Prediction:
    """Run one trained network on digits (N, 8, 8) with values 0…16."""
    out = runtime.run(model_name(depth, residual), {"x": to_input(images)}, provider=provider)
    return Prediction(softmax(out["logits"].astype(np.float64)), out["activations"])


@dataclass(frozen=True)
class ActivationStats:
    """Statistics of a[k] for k = 0 … B, over channels and positions, of one image."""

    mean: np.ndarray  # (B+1,)
    std: np.ndarray  # (B+1,)


def activation_stats(activations: np.ndarray) -> ActivationStats:
    """Per-block statistics of one image's activations (B+1, C, H, W)."""
    flat = activations.reshape(activations.shape[0], -1).astype(np.float64)
    return ActivationStats(flat.mean(axis=1), flat.std(axis=1))


@dataclass(frozen=True)
class Comparison:
    """Plain vs residual at one depth, from the record."""

    depth: int
    plain_train_error: float
    residual_train_error: float
    plain_val_error: float
    residual_val_error: float


def compare(depth: int, curve: str = "train_error") -> Comparison:
    """Final training (``curve``) and validation errors of the plain and the residual net of one depth."""
    plain, res = get_run(depth, False), get_run(depth, True)
    return Comparison(depth, plain.final(curve), res.final(curve), plain.final("val_error"),
                      res.final("val_error"))


def first_epoch_below(errors: np.ndarray, threshold: float) -> int | None:
    """1-based epoch at which ``errors`` first drops below ``threshold``; None if never."""
    hits = np.flatnonzero(np.asarray(errors) < threshold)
    return int(hits[0]) + 1 if hits.size else None


VERDICTS = ("plain", "residual", "about the same")
CLEAR_GAP = 0.05  # an error difference (5 points) smaller than this is "about the same"


def lower_error(plain_error: float, residual_error: float, tie: float = CLEAR_GAP) -> str:
    """Which net has the lower error: "plain", "residual", or "about the same" (within ``tie``)."""
    if abs(plain_error - residual_error) <= tie:
        return "about the same"
    return "plain" if plain_error < residual_error else "residual"


def gradient_ratio(norms: np.ndarray) -> float:
    """‖∂L/∂W‖ of the first conv ÷ that of the last conv (the fc excluded): > 1 grows towards the input."""
    last = float(norms[-2])
    return float(norms[0]) / last if last > 0 else float("inf")
