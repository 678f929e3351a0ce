"""Check-yourself questions on convolution arithmetic, each one rebuilt from its seed.

A seed (kept in the page's URL) fixes the question, so a shared link asks the
same question. Every question is generated valid and answered by the formulas
in :mod:`playground.conv_shape` and :mod:`playground.conv_arithmetic.formulas`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from playground.conv_arithmetic.formulas import conv_macs, conv_params, transposed_conv_output_size
from playground.conv_shape import conv_output_size, same_padding

KINDS = ("output", "same", "params", "macs", "pool", "transposed")


@dataclass(frozen=True)
class Question:
    """One question: its text, the answer, and how to get there."""

    seed: int
    kind: str  # one of KINDS
    text: str  # Markdown
    answer: int
    explanation: str
    numbers: dict  # the values in the question, e.g. {"n": 32, "f": 5, "p": 1, "s": 2}


def _output(rng: random.Random) -> tuple[dict, str, int, str]:
    while True:
        n, f, p, s = rng.randint(5, 64), rng.choice([1, 2, 3, 4, 5, 7]), rng.randint(0, 3), rng.randint(1, 3)
        if f <= n + 2 * p:
            break
    out = conv_output_size(n, f, p, s)
    text = (f"An input of **{n}×{n}**, a **{f}×{f}** filter, padding **p = {p}**, stride **s = {s}**. "
            "What is the output height n_H?")
    why = f"⌊({n} + 2·{p} − {f})/{s}⌋ + 1 = ⌊{n + 2 * p - f}/{s}⌋ + 1 = {out}."
    return {"n": n, "f": f, "p": p, "s": s}, text, out, why


def _same(rng: random.Random) -> tuple[dict, str, int, str]:
    n, f = rng.randint(8, 64), rng.choice([3, 5, 7, 9, 11])
    p = same_padding(n, f)[0]  # symmetric for odd f and stride 1
    text = (f"A **{f}×{f}** filter with stride 1 on a **{n}×{n}** input. What padding p (on each side) "
            f"keeps the output at {n}×{n} (\"same\")?")
    why = f"p = (f − 1)/2 = ({f} − 1)/2 = {p}; check: {n} + 2·{p} − {f} + 1 = {n}."
    return {"n": n, "f": f}, text, p, why


def _params(rng: random.Random) -> tuple[dict, str, int, str]:
    f, n_c, k = rng.choice([1, 3, 5]), rng.choice([1, 3, 16, 32, 64, 192]), rng.choice([6, 8, 10, 16, 32, 64])
    answer = conv_params(f, n_c, k)
    text = (f"A conv layer has **{k} filters** of **{f}×{f}** on an input with **n_C = {n_c}** channels. "
            "How many parameters (weights and biases) does it have?")
    why = f"Each filter is {f}·{f}·{n_c} weights + 1 bias: ({f}·{f}·{n_c} + 1)·{k} = {answer:,}."
    return {"f": f, "n_c": n_c, "k": k}, text, answer, why


def _macs(rng: random.Random) -> tuple[dict, str, int, str]:
    n, f, n_c, k = rng.randint(4, 16), rng.choice([1, 3, 5]), rng.randint(1, 8), rng.randint(1, 8)
    answer = conv_macs(n, n, f, n_c, k)  # "same", stride 1: the output is n×n
    text = (f"A \"same\" convolution, stride 1, with **{k} filters** of **{f}×{f}** on a **{n}×{n}×{n_c}** input. "
            "How many multiplications does it do (bias excluded)?")
    why = (f"The output is {n}×{n}×{k}, and each output number takes {f}·{f}·{n_c} multiplications: "
           f"{n}·{n}·{k}·{f * f * n_c} = {answer:,}.")
    return {"n": n, "f": f, "n_c": n_c, "k": k}, text, answer, why


def _pool(rng: random.Random) -> tuple[dict, str, int, str]:
    n, f, s = rng.randint(6, 64), rng.choice([2, 3]), 2
    out = conv_output_size(n, f, 0, s)
    text = f"**Max pooling** with f = {f}, s = {s} on a **{n}×{n}×16** input. What is the output height?"
    why = f"Pooling uses the same formula, with p = 0: ⌊({n} − {f})/{s}⌋ + 1 = {out}."
    return {"n": n, "f": f, "s": s}, text, out, why


def _transposed(rng: random.Random) -> tuple[dict, str, int, str]:
    n, f, s, p = rng.randint(2, 32), rng.choice([2, 3, 4]), 2, rng.randint(0, 1)
    out = transposed_conv_output_size(n, f, p, s)
    text = (f"A **transposed convolution** (upsampling) with f = {f}, s = {s}, p = {p} on a **{n}×{n}** input. "
            "What is the output height?")
    why = f"(n − 1)·s − 2p + f = ({n} − 1)·{s} − 2·{p} + {f} = {out}."
    return {"n": n, "f": f, "s": s, "p": p}, text, out, why


_MAKERS = {"output": _output, "same": _same, "params": _params, "macs": _macs, "pool": _pool,
           "transposed": _transposed}


def make_question(seed: int) -> Question:
    """The question for ``seed`` (any int): the same seed always gives the same question."""
    rng = random.Random(seed)
    kind = rng.choice(KINDS)
    numbers, text, answer, why = _MAKERS[kind](rng)
    return Question(seed, kind, text, answer, why, numbers)
