"""EfficientNet's compound scaling against the arithmetic written out, and the published B0–B7 beside it."""

from __future__ import annotations

import math

import pytest

from playground.efficient_convnets import BASE_RESOLUTION, PUBLISHED, compound_scaling, scaling_table

# The EfficientNet-B0…B7 input sides, as published (Tan & Le 2019; the issue lists them too).
PUBLISHED_SIDES = [224, 240, 260, 300, 380, 456, 528, 600]


def test_phi_1_with_the_papers_bases():
    """φ = 1: d = 1.2, w = 1.1, r = 1.15 and the cost 1.2 · 1.1² · 1.15² = 1.2 · 1.21 · 1.3225 = 1.92027."""
    m = compound_scaling(1)
    assert (m["depth"], m["width"], m["resolution"]) == pytest.approx((1.2, 1.1, 1.15), rel=1e-12)
    assert m["flops"] == pytest.approx(1.2 * 1.21 * 1.3225, rel=1e-12)
    assert m["flops"] == pytest.approx(1.92027, abs=1e-5)


def test_phi_0_is_the_base_network():
    """φ = 0 changes nothing."""
    assert compound_scaling(0, 1.7, 1.3, 1.9) == {"depth": 1.0, "width": 1.0, "resolution": 1.0, "flops": 1.0}


@pytest.mark.parametrize("phi", [0, 1, 2.5, 7])
@pytest.mark.parametrize("bases", [(1.2, 1.1, 1.15), (1.0, 2.0, 1.0), (1.5, 1.05, 1.3)])
def test_cost_is_depth_times_width_squared_times_resolution_squared(phi, bases):
    """(α·β²·γ²)^φ = α^φ · (β^φ)² · (γ^φ)²: doubling channels quadruples a conv's multiplications, and so do pixels."""
    alpha, beta, gamma = bases
    m = compound_scaling(phi, alpha, beta, gamma)
    assert m["depth"] == pytest.approx(math.exp(phi * math.log(alpha)), rel=1e-12)
    assert m["flops"] == pytest.approx(m["depth"] * m["width"] ** 2 * m["resolution"] ** 2, rel=1e-12)


def test_each_step_about_doubles_the_cost():
    """With α·β²·γ² ≈ 2, φ = 7 costs about 2⁷ = 128 times B0 (1.92⁷ ≈ 96.3)."""
    assert compound_scaling(7)["flops"] == pytest.approx((1.2 * 1.1 ** 2 * 1.15 ** 2) ** 7, rel=1e-12)
    assert 90 < compound_scaling(7)["flops"] < 128


def test_the_table_lists_the_published_sides_and_they_differ_from_the_formula():
    """φ = 0…7 beside B0…B7: 224, 240, …, 600 px; γ^φ·224 equals B0 only (B1: 257.6 against 240)."""
    rows = scaling_table()
    assert [r.published.resolution for r in rows] == PUBLISHED_SIDES
    assert [r.published.name for r in rows] == [f"B{i}" for i in range(8)]
    assert rows[1].side == pytest.approx(1.15 * 224, rel=1e-12)
    assert rows[0].side == BASE_RESOLUTION
    assert all(abs(r.side - r.published.resolution) > 1 for r in rows[1:])


def test_published_cost_uses_the_same_rule():
    """B7's width 2.0, depth 3.1 and 600 px: 3.1 · 2.0² · (600/224)² ≈ 88.97 times B0."""
    b7 = PUBLISHED[7]
    assert b7.flops == pytest.approx(3.1 * 4.0 * (600 / 224) ** 2, rel=1e-12)


@pytest.mark.parametrize("phi", [-1, float("nan"), float("inf"), "2", True])
def test_phi_must_be_a_number_at_least_0(phi):
    """A negative, infinite, NaN, text or bool φ is refused in words."""
    with pytest.raises(ValueError, match="phi"):
        compound_scaling(phi)


@pytest.mark.parametrize("name", ["alpha", "beta", "gamma"])
def test_bases_must_be_positive(name):
    """α, β or γ of 0 is refused."""
    with pytest.raises(ValueError, match=name):
        compound_scaling(1, **{name: 0})
