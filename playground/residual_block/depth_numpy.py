"""Plain vs residual deep networks in plain numpy, with backprop written out: a small depth experiment.

The residual-block page shows an experiment trained with torch (see
``export/depth_experiment.py``). This module is the same idea small enough to
read in one sitting and to re-run in seconds without torch: fully connected
layers instead of convolutions, no batch norm, PyTorch's default
initialisation, on the 300 committed test digits. The tests use it to check
the direction of the effect:

* at initialisation the gradients of a deep *plain* net vanish towards the
  input (each ReLU layer shrinks the signal), while a residual net's do not,
  because ∂a^[l+2]/∂a^[l] = g'(·)·(∂z^[l+2]/∂a^[l] + I) carries an identity;
* with the same seed, data and training budget, the deep residual net reaches
  a lower training error than the deep plain net.

A network of ``blocks`` blocks has 2·blocks + 2 layers with weights::

    x (N, 64) ─ stem: Linear(64→width) ─ ReLU ─▶ a[0]
    a[k−1] ─ Linear ─ ReLU ─ Linear ─(+ a[k−1] if residual)─ ReLU ─▶ a[k]
    a[B] ─ Linear(width→10) ─▶ logits
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.residual_block.depth_record import PIXEL_SCALE

WIDTH = 32  # units per hidden layer
LR = 0.05  # SGD learning rate
MOMENTUM = 0.9
BATCH = 32
CLASSES = 10
RERUN_BLOCKS = 9  # the re-run the page offers and the tests check: 2·9 + 2 = 20 layers
RERUN_EPOCHS = 8  # enough for the residual net to learn while the plain one stays near chance

Params = list[tuple[np.ndarray, np.ndarray]]  # (W (out, in), b (out,)) per layer, input to output


@dataclass(frozen=True)
class TrainResult:
    """Per-epoch training error of one run (in 0…1, measured on the whole set after each epoch)."""

    train_error: np.ndarray  # (epochs,)


def features(images: np.ndarray) -> np.ndarray:
    """Digits (N, 8, 8) with values 0…16 → inputs (N, 64) in [0, 1], row by row (pixel (r, c) at 8r + c)."""
    images = np.asarray(images)
    return images.reshape(len(images), -1) / PIXEL_SCALE


def init_params(blocks: int, n_in: int, seed: int, width: int = WIDTH) -> Params:
    """PyTorch's default Linear initialisation: W, b ~ U(−1/√fan_in, 1/√fan_in)."""
    rng = np.random.default_rng(seed)
    sizes = [(n_in, width)] + [(width, width)] * (2 * blocks) + [(width, CLASSES)]
    params = []
    for fan_in, fan_out in sizes:
        bound = 1.0 / np.sqrt(fan_in)
        params.append((rng.uniform(-bound, bound, (fan_out, fan_in)), rng.uniform(-bound, bound, fan_out)))
    return params


def _forward(params: Params, x: np.ndarray, residual: bool) -> tuple[np.ndarray, list]:
    """Logits (N, 10) and what backprop needs: per layer its input and pre-activation."""
    cache = []
    w, b = params[0]
    z = x @ w.T + b
    a = np.maximum(z, 0)
    cache.append((x, z))
    for k in range(1, len(params) - 1, 2):
        (w1, b1), (w2, b2) = params[k], params[k + 1]
        z1 = a @ w1.T + b1  # z^[l+1]
        a1 = np.maximum(z1, 0)  # a^[l+1]
        z2 = a1 @ w2.T + b2  # z^[l+2]
        pre = z2 + a if residual else z2  # what the last ReLU sees
        cache += [(a, z1), (a1, pre)]
        a = np.maximum(pre, 0)  # a^[l+2]
    w, b = params[-1]
    cache.append((a, None))
    return a @ w.T + b, cache


def _cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean loss and its gradient with respect to the logits (N, 10)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(labels)
    grad = np.exp(log_p)
    grad[np.arange(n), labels] -= 1
    return float(-log_p[np.arange(n), labels].mean()), grad / n


def gradients(params: Params, x: np.ndarray, labels: np.ndarray, residual: bool) -> tuple[float, Params]:
    """Loss and ∂L/∂W, ∂L/∂b of every layer, by backprop written out."""
    logits, cache = _forward(params, x, residual)
    loss, d_out = _cross_entropy(logits, labels)
    grads: Params = [None] * len(params)  # type: ignore[list-item]
    a_last, _ = cache[-1]
    w, _ = params[-1]
    grads[-1] = (d_out.T @ a_last, d_out.sum(axis=0))
    d_a = d_out @ w  # ∂L/∂a[B]
    for k in range(len(params) - 3, 0, -2):  # blocks, last to first
        (a_in, z1), (a1, pre) = cache[k], cache[k + 1]
        (w1, _), (w2, _) = params[k], params[k + 1]
        d_pre = d_a * (pre > 0)  # through the block's last ReLU
        grads[k + 1] = (d_pre.T @ a1, d_pre.sum(axis=0))
        d_z1 = (d_pre @ w2) * (z1 > 0)
        grads[k] = (d_z1.T @ a_in, d_z1.sum(axis=0))
        d_a = d_z1 @ w1 + (d_pre if residual else 0.0)  # the skip adds the identity path
    x_in, z0 = cache[0]
    d_z0 = d_a * (z0 > 0)
    grads[0] = (d_z0.T @ x_in, d_z0.sum(axis=0))
    return loss, grads


def grad_norms_at_init(blocks: int, residual: bool, x: np.ndarray, labels: np.ndarray, seed: int) -> np.ndarray:
    """‖∂L/∂W‖ (Frobenius) of each layer, input to output, at initialisation on (x, labels).

    Returns
    -------
    numpy.ndarray, shape (2·blocks + 2,)
    """
    _, grads = gradients(init_params(blocks, x.shape[1], seed), x, labels, residual)
    return np.array([np.linalg.norm(gw) for gw, _ in grads])


def error_and_loss(params: Params, x: np.ndarray, labels: np.ndarray, residual: bool) -> tuple[float, float]:
    """(error in 0…1, mean cross-entropy) on a whole set."""
    logits, _ = _forward(params, x, residual)
    loss, _ = _cross_entropy(logits, labels)
    return float((logits.argmax(axis=1) != labels).mean()), loss


def train(blocks: int, residual: bool, x: np.ndarray, labels: np.ndarray, epochs: int, seed: int) -> TrainResult:
    """SGD with momentum from the seeded initialisation; same seed, same batches for plain and residual.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, n_in)
    labels : numpy.ndarray of int, shape (N,)
    """
    params = init_params(blocks, x.shape[1], seed)
    velocity = [(np.zeros_like(w), np.zeros_like(b)) for w, b in params]
    order = np.random.default_rng(seed + 1)
    errors = []
    for _ in range(epochs):
        perm = order.permutation(len(labels))
        for i in range(0, len(labels), BATCH):
            batch = perm[i:i + BATCH]
            _, grads = gradients(params, x[batch], labels[batch], residual)
            for k, ((w, b), (gw, gb), (vw, vb)) in enumerate(zip(params, grads, velocity)):
                vw, vb = MOMENTUM * vw + gw, MOMENTUM * vb + gb
                velocity[k] = (vw, vb)
                params[k] = (w - LR * vw, b - LR * vb)
        errors.append(error_and_loss(params, x, labels, residual)[0])
    return TrainResult(np.array(errors))
