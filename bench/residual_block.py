"""The residual-block models and the six depth-experiment nets against vectorised numpy references.

``python -m bench`` also times the depth nets in torch eager, in a separate
process (``bench/_torch_eager.py``), on the same weights and inputs, and adds
ORT-vs-torch rows whose names match the rows below.
"""

from __future__ import annotations

import numpy as np

from bench.core import Case
from bench.stclient import ChangePlan
from playground import residual_block as residual
from playground import runtime
from playground.residual_block import depth_record as dx
from tests.references import batch_correlate, depth_net_forward, onnx_initializers, relu

CHANNELS, SIZE = 16, 8  # every depth net: 16 channels at 8×8

# What the load tool's visitors do: every control but the numpy re-run, which is long work on request
# (two 20-layer nets trained in numpy, 1–2 s per seed, cached by seed) outside the 100 ms contract.
LOAD_PLAN = ChangePlan(skip=frozenset({"provider", "nprun", "npseed"}))


def depth_case_name(depth: int, is_residual: bool, batch: int) -> str:
    """Row name of one depth net; bench/_torch_eager.py reports under the same name."""
    return f"{dx.model_name(depth, is_residual)}: {batch} test digits"


def depth_inputs() -> np.ndarray:
    """Every committed test digit as network input (300, 1, 8, 8) float32."""
    images, _, _ = dx.held_out_digits()
    return dx.to_input(images)


def depth_flops(blocks: int, batch: int) -> float:
    """Multiply-adds × 2 of the stem, 2·blocks 16→16 3×3 convs and the fc, per batch."""
    positions = SIZE * SIZE
    per_image = 2 * positions * 9 * (CHANNELS + 2 * blocks * CHANNELS * CHANNELS) + 2 * CHANNELS * dx.CLASSES
    return float(per_image * batch)


def _numpy_block(a, w1, b1, w2, b2) -> np.ndarray:
    """a^[l+2] of the identity block in numpy float32, for the timing reference."""
    z1 = batch_correlate(a, w1, b1, 1, np.float32)
    return relu(batch_correlate(relu(z1), w2, b2, 1, np.float32) + a)


def _block_cases() -> list[Case]:
    cases = []
    for c, n, label in ((2, 5, "page default 2×5×5"), (16, 64, "16×64×64")):
        ex = residual.example_block(0, c, n)
        feeds = {"a": ex.a[None], "w1": ex.w1, "b1": ex.b1, "w2": ex.w2, "b2": ex.b2, "skip": np.ones(1, np.float32)}
        cases.append(Case(
            f"residual_block model: {label}",
            run=lambda feeds=feeds: runtime.run(residual.IDENTITY_MODEL, feeds, provider="cpu"),
            reference=lambda ex=ex: _numpy_block(ex.a[None], ex.w1, ex.b1, ex.w2, ex.b2),
            reference_name="numpy float32 (tests.references)", flops=2 * 2.0 * n * n * c * c * 9))
    return cases


def cases() -> list[Case]:
    x = depth_inputs()
    out = _block_cases()
    for depth in dx.depths():
        for is_residual in (False, True):
            run = dx.get_run(depth, is_residual)
            weights = onnx_initializers(run.name)
            out.append(Case(
                depth_case_name(depth, is_residual, len(x)),
                run=lambda run=run: runtime.run(run.name, {"x": x}, provider="cpu"),
                reference=lambda w=weights, run=run: depth_net_forward(w, x, run.blocks, run.residual, np.float32),
                reference_name="numpy float32 (tests.references)", flops=depth_flops(run.blocks, len(x))))
    deepest = max(dx.depths())
    one = x[:1]
    out.append(Case(f"{dx.model_name(deepest, True)}: one digit (the page's call)",
                    run=lambda: runtime.run(dx.model_name(deepest, True), {"x": one}, provider="cpu"),
                    flops=depth_flops(dx.get_run(deepest, True).blocks, 1)))
    return out
