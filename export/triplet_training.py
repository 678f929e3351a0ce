"""Training an embedding with the triplet loss: the network, online semi-hard mining, export to ONNX.

Shared by ``export/triplet_glyphs.py`` (many identities: rendered CJK glyphs)
and ``export/triplet_digits.py`` (few identities: scikit-learn's digits), so the
two embeddings the triplet-loss page compares are trained by the same code.
This module produces no model itself (no ``PRODUCES``).

The network (conv3×3-BN-ReLU blocks, max-pooling after all but the last,
global average pooling, a linear layer to d numbers, L2 normalisation):

    x (N, 1, H, W) ─ [conv3×3 ─ BN ─ ReLU ─ maxpool 2]×(B−1) ─ conv3×3 ─ BN ─ ReLU ─ GAP ─ linear ─ f / ‖f‖ ─▶ (N, d)

Each step draws P identities × K pictures, encodes them, and for every
anchor–positive pair (a, p) of the batch picks the **semi-hard** negative:
the closest negative that is still farther than the positive
(d(a, n) > d(a, p)); when there is none, the hardest one (the closest
negative). The loss is the mean of max(d(a, p) − d(a, n) + α, 0) over those
P·K·(K−1) triplets, with squared distances (FaceNet, Schroff et al. 2015).
"""

from __future__ import annotations

import io
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import onnx
import torch
from torch import nn
from torch.nn import functional as F

from export.common import OPSET, check_close, cpu_session, finalize

NORM_EPS = 1e-12  # F.normalize's floor on ‖f‖, so a zero vector stays finite


# ---------------------------------------------------------------- the network
class EmbeddingNet(nn.Module):
    """conv blocks → global average pooling → linear → unit-length encoding (N, d)."""

    def __init__(self, channels: tuple[int, ...], dim: int, bn: bool = True) -> None:
        super().__init__()
        convs, norms, c_in = [], [], 1
        for c in channels:
            convs.append(nn.Conv2d(c_in, c, 3, padding=1, bias=not bn))
            norms.append(nn.BatchNorm2d(c) if bn else nn.Identity())
            c_in = c
        self.convs, self.norms = nn.ModuleList(convs), nn.ModuleList(norms)
        self.fc = nn.Linear(c_in, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.convs) - 1
        for k, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            x = F.relu(norm(conv(x)))
            if k < last:
                x = F.max_pool2d(x, 2)
        return F.normalize(self.fc(x.mean(dim=(2, 3))), dim=1, eps=NORM_EPS)


def folded(model: EmbeddingNet) -> EmbeddingNet:
    """The same function as ``model.eval()`` with each BN folded into its conv."""
    out = EmbeddingNet(tuple(c.out_channels for c in model.convs), model.fc.out_features, bn=False)
    with torch.no_grad():
        for target, conv, bn in zip(out.convs, model.convs, model.norms):
            scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)  # (C_out,)
            target.weight.copy_(conv.weight * scale[:, None, None, None])
            target.bias.copy_(bn.bias - bn.running_mean * scale)
        out.fc.load_state_dict(model.fc.state_dict())
    return out.eval()


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@torch.no_grad()
def encode(model: nn.Module, x: np.ndarray, batch: int = 500) -> np.ndarray:
    """Encodings (N, d) float32 of pictures (N, 1, H, W) in [0, 1], in eval mode."""
    was_training = model.training
    model.eval()
    out = np.concatenate([model(torch.from_numpy(x[i:i + batch])).numpy() for i in range(0, len(x), batch)])
    model.train(was_training)
    return out


# ---------------------------------------------------------------- mining and loss
def squared_distances(e: torch.Tensor) -> torch.Tensor:
    """(B, d) unit vectors → (B, B) squared distances 2 − 2·cos, clamped at 0 against rounding."""
    return (2.0 - 2.0 * e @ e.T).clamp_min(0.0)


@dataclass(frozen=True)
class MinedBatch:
    """The loss of one batch and what the mining saw."""

    loss: torch.Tensor  # mean hinge over the mined triplets (differentiable)
    active: float  # fraction of mined triplets with a loss above 0
    kinds: tuple[float, float, float]  # fractions of *all* valid triplets: hard, semi-hard, easy (m = d_an − d_ap)


def semi_hard_loss(e: torch.Tensor, labels: torch.Tensor, alpha: float) -> MinedBatch:
    """Triplet loss with online semi-hard mining (fallback: the hardest negative)."""
    d = squared_distances(e)  # (B, B)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    anchor, positive = torch.nonzero(same & ~eye, as_tuple=True)  # every ordered (a, p), a ≠ p
    d_ap = d[anchor, positive]  # (T,)
    d_a = d[anchor]  # (T, B): anchor to every picture
    negative = ~same[anchor]  # (T, B)
    farther = negative & (d_a > d_ap[:, None])
    semi = torch.where(farther, d_a, torch.inf).min(dim=1).values
    hardest = torch.where(negative, d_a, torch.inf).min(dim=1).values
    d_an = torch.where(torch.isfinite(semi), semi, hardest)
    hinge = F.relu(d_ap - d_an + alpha)
    with torch.no_grad():
        m = (d_a - d_ap[:, None])[negative]  # margins of every valid triplet
        total = max(m.numel(), 1)
        kinds = (float((m <= 0).sum()) / total, float(((m > 0) & (m <= alpha)).sum()) / total,
                 float((m > alpha).sum()) / total)
    return MinedBatch(hinge.mean(), float((hinge > 0).float().mean()), kinds)


# ---------------------------------------------------------------- training
@dataclass(frozen=True)
class TrainingSetup:
    """Hyper-parameters of one training run (recorded in the model card)."""

    steps: int
    identities_per_batch: int  # P
    pictures_per_identity: int  # K
    lr: float  # Adam, decayed to 0 by a cosine over ``steps``
    alpha: float
    seed: int
    checkpoints: tuple[int, ...]  # steps after which the evaluation set is encoded (0 = before any update)


@dataclass
class TrainingRecord:
    """What one run measured, step by step."""

    loss: list[float] = field(default_factory=list)
    active: list[float] = field(default_factory=list)
    kinds: list[tuple[float, float, float]] = field(default_factory=list)
    checkpoint_steps: list[int] = field(default_factory=list)
    checkpoint_encodings: list[np.ndarray] = field(default_factory=list)  # each (N_eval, d) float32
    seconds: float = 0.0  # wall time of the loop, checkpoint encodings included
    cpu_seconds: float = 0.0  # CPU time of this process over the loop (all its threads): less sensitive to load


def pk_batch(by_identity: list[np.ndarray], p: int, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """P identities drawn without repeats, K of each one's pictures: (indices (P·K,), labels (P·K,))."""
    chosen = rng.choice(len(by_identity), size=p, replace=False)
    indices = np.concatenate([rng.choice(by_identity[c], size=k, replace=False) for c in chosen])
    return indices, np.repeat(np.arange(p), k)


def train(model: EmbeddingNet, pictures: np.ndarray, labels: np.ndarray, setup: TrainingSetup,
          augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor], eval_pictures: np.ndarray,
          log_every: int = 100) -> TrainingRecord:
    """Train ``model`` in place on pictures (N, 1, H, W) in [0, 1]; encode ``eval_pictures`` at the checkpoints."""
    rng = np.random.default_rng(setup.seed)
    noise = torch.Generator().manual_seed(setup.seed)
    by_identity = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    opt = torch.optim.Adam(model.parameters(), lr=setup.lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / setup.steps)))
    record = TrainingRecord()
    x_all = torch.from_numpy(pictures)
    start, cpu_start = time.perf_counter(), time.process_time()
    for step in range(setup.steps + 1):
        if step in setup.checkpoints:
            record.checkpoint_steps.append(step)
            record.checkpoint_encodings.append(encode(model, eval_pictures))
        if step == setup.steps:
            break
        model.train()
        idx, batch_labels = pk_batch(by_identity, setup.identities_per_batch, setup.pictures_per_identity, rng)
        mined = semi_hard_loss(model(augment(x_all[idx], noise)), torch.from_numpy(batch_labels), setup.alpha)
        opt.zero_grad()
        mined.loss.backward()
        opt.step()
        schedule.step()
        record.loss.append(float(mined.loss.detach()))
        record.active.append(mined.active)
        record.kinds.append(mined.kinds)
        if log_every and (step + 1) % log_every == 0:
            print(f"step {step + 1:5d}  loss {np.mean(record.loss[-log_every:]):.4f}  "
                  f"active {np.mean(record.active[-log_every:]):.3f}  {time.perf_counter() - start:.0f} s", flush=True)
    record.seconds = time.perf_counter() - start
    record.cpu_seconds = time.process_time() - cpu_start
    return record


# ---------------------------------------------------------------- export
def strip_debug_metadata(model: onnx.ModelProto) -> onnx.ModelProto:
    """Drop the exporter's stack traces and paths, so a rebuild with the same weights gives the same bytes."""
    graph = model.graph
    for item in [*graph.node, *graph.value_info, *graph.input, *graph.output, *graph.initializer]:
        del item.metadata_props[:]
        item.doc_string = ""
    graph.doc_string = ""
    model.doc_string = ""
    del model.metadata_props[:]
    return model


def export_onnx(model: EmbeddingNet, example: torch.Tensor, max_batch: int = 8192) -> onnx.ModelProto:
    """The BN-folded network as ONNX: input ``x`` (N, 1, H, W), output ``encoding`` (N, d); N dynamic."""
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    program = torch.onnx.export(
        folded(model), (example,), input_names=["x"], output_names=["encoding"],
        dynamic_shapes={"x": {0: torch.export.Dim("N", min=1, max=max_batch)}},
        opset_version=OPSET, dynamo=True, external_data=False, verbose=False)
    buffer = io.BytesIO()
    program.save(buffer)
    return finalize(strip_debug_metadata(onnx.load_from_string(buffer.getvalue())))


def verify(model: EmbeddingNet, onnx_model: onnx.ModelProto, x: np.ndarray, what: str) -> dict:
    """ORT (BN folded) against torch eval mode (BN not folded) on ``x``; fails the export beyond 1e-4."""
    expected = encode(model, x)
    actual = cpu_session(onnx_model).run(["encoding"], {"x": x})[0]
    return {"reference": "torch eval mode, BN not folded (export/triplet_training.py)", "inputs": what,
            "max_abs_error_encoding": check_close("encoding", actual, expected, atol=1e-4)}
