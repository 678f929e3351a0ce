"""Check-yourself questions: fixed by their seed, answered as counting by hand would."""

from __future__ import annotations

import pytest

from playground.efficient_convnets import quiz
from tests.references import loop_conv_mults

SEEDS = range(200)


@pytest.mark.parametrize("make", [quiz.separable_question, quiz.inception_question])
def test_same_seed_same_question(make):
    """A shared link asks the same question."""
    assert make(1234) == make(1234)
    assert len({make(s).text for s in SEEDS}) > 50


def test_separable_answers_count_depthwise_plus_pointwise():
    """Depthwise (one filter per channel) plus pointwise 1×1, each counted by sliding windows, p = 0, s = 1."""
    for seed in SEEDS:
        q = quiz.separable_question(seed)
        n, f, n_c, k = (q.numbers[key] for key in ("n", "f", "n_c", "n_c_out"))
        out = n - f + 1
        assert q.answer == loop_conv_mults(n, f, 1, n_c) + loop_conv_mults(out, 1, n_c, k), seed
        assert f"**{n}×{n}×{n_c}**" in q.text and f"**{k}**" in q.text


def test_inception_answers_add_the_branches_channels():
    """c1 + c3 + c5 + (the 1×1 after the pool, or all n_C channels when the pool stands alone)."""
    kinds = set()
    for seed in SEEDS:
        q = quiz.inception_question(seed)
        spec, bottleneck = q.numbers["spec"], q.numbers["bottleneck"]
        kinds.add(bottleneck)
        assert q.answer == spec.c1 + spec.c3 + spec.c5 + (spec.pool_proj if bottleneck else spec.n_c), seed
        assert f"**{spec.n}×{spec.n}×{spec.n_c}**" in q.text
    assert kinds == {True, False}
