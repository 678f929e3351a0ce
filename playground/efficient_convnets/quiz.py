"""Check-yourself questions: the cost of a depthwise-separable layer, and the channels an Inception module outputs.

A seed (kept in the page's URL) fixes each question, so a shared link asks the
same one. Answers come from :mod:`.costs`, which sizes every layer with
:mod:`playground.conv_shape` and counts with :mod:`playground.conv_arithmetic`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from playground.efficient_convnets.costs import InceptionSpec, depthwise_separable, inception_module, module_channels


@dataclass(frozen=True)
class Question:
    """One question: its text (Markdown), the answer, and how to get there."""

    seed: int
    text: str
    answer: int
    explanation: str
    numbers: dict  # the values in the question, e.g. {"n": 6, "f": 3, "n_c": 3, "n_c_out": 5}


def separable_question(seed: int) -> Question:
    """How many multiplications a depthwise-separable layer does (depthwise + pointwise)."""
    rng = random.Random(seed)
    n, f = rng.choice([6, 8, 10, 12, 14, 16, 28]), rng.choice([3, 3, 5])
    n_c, n_c_out = rng.choice([3, 4, 8, 16, 32]), rng.choice([5, 8, 16, 32, 64])
    depthwise, pointwise = depthwise_separable(n, f, n_c, n_c_out)  # p = 0, s = 1: the output is (n − f + 1)²
    out = depthwise.output_shape[0]
    answer = depthwise.macs + pointwise.macs
    text = (f"A **{n}×{n}×{n_c}** input goes through a **depthwise-separable** convolution: {f}×{f} depthwise "
            f"filters (p = 0, s = 1), then **{n_c_out}** pointwise 1×1 filters. How many multiplications does it do "
            "in all?")
    why = (f"The output is {out}×{out}. Depthwise: {out}·{out}·{n_c}·{f}·{f} = {depthwise.macs:,}; pointwise: "
           f"{out}·{out}·{n_c}·{n_c_out} = {pointwise.macs:,}; together {answer:,}.")
    return Question(seed, text, answer, why, {"n": n, "f": f, "n_c": n_c, "n_c_out": n_c_out})


def inception_question(seed: int) -> Question:
    """How many channels an Inception module's concatenated output has."""
    rng = random.Random(seed)
    spec = InceptionSpec(n=rng.choice([14, 28, 56]), n_c=rng.choice([192, 256, 480, 512]),
                         c1=rng.choice([64, 96, 128, 160, 192]), r3=rng.choice([64, 96, 128]),
                         c3=rng.choice([128, 192, 208, 256]), r5=rng.choice([16, 24, 32]), c5=rng.choice([32, 48, 64, 96]),
                         pool_proj=rng.choice([32, 64, 128]))
    bottleneck = rng.random() < 0.7
    branches = inception_module(spec, bottleneck)
    answer = module_channels(branches)
    if bottleneck:
        text = (f"An Inception module on **{spec.n}×{spec.n}×{spec.n_c}**: a 1×1 branch with **{spec.c1}** filters; "
                f"1×1 to {spec.r3} then 3×3 with **{spec.c3}** filters; 1×1 to {spec.r5} then 5×5 with **{spec.c5}**; "
                f"a 3×3 max-pool (stride 1, same) then 1×1 with **{spec.pool_proj}**. Every branch keeps "
                f"{spec.n}×{spec.n}. How many channels does the module output?")
        why = (f"The branches' outputs are stacked along the channels: {spec.c1} + {spec.c3} + {spec.c5} + "
               f"{spec.pool_proj} = {answer}. The bottleneck sizes ({spec.r3}, {spec.r5}) only change the cost.")
    else:
        text = (f"A *naive* Inception module (no 1×1 bottlenecks) on **{spec.n}×{spec.n}×{spec.n_c}**: 1×1 with "
                f"**{spec.c1}** filters, 3×3 with **{spec.c3}**, 5×5 with **{spec.c5}**, and a 3×3 max-pool "
                "(stride 1, same) with nothing after it. How many channels does the module output?")
        why = (f"Max-pooling keeps every channel, so the pool branch passes all {spec.n_c} through: "
               f"{spec.c1} + {spec.c3} + {spec.c5} + {spec.n_c} = {answer}. That pile-up is one reason for the "
               "1×1 after the pool.")
    return Question(seed, text, answer, why, {"spec": spec, "bottleneck": bottleneck})
