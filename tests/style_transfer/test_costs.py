"""The course's costs: Gram matrix, style cost, content cost, total variation, J, against loops and worked cases."""

from __future__ import annotations

import numpy as np
import pytest

from playground.style_transfer import content_cost, gram_matrix, layer_style_cost, style_cost, total_cost, total_variation
from playground.style_transfer.costs import gram_cost
from tests.references import loop_content_cost, loop_gram, loop_style_cost, loop_total_variation

SHAPES = [(1, 1, 1), (2, 3, 4), (5, 2, 7), (3, 6, 1)]


def volume(shape, seed=0, signed=False):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape) if signed else rng.uniform(0, 6, size=shape)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gram_matrix_matches_the_loop_definition(shape, dtype):
    """G_kk' = Σ_i Σ_j a_ijk a_ijk' entry by entry, (n_C, n_C), for float32 and float64 volumes."""
    a = volume(shape, signed=True).astype(dtype)
    g = gram_matrix(a)
    assert g.shape == (shape[0], shape[0])
    np.testing.assert_allclose(g, loop_gram(a), rtol=1e-12, atol=1e-12)


def test_gram_matrix_of_a_worked_case():
    """Two channels [0 1; 2 3] and [4 5; 6 7]: G = [[0+1+4+9, 0+5+12+21], [38, 16+25+36+49]] = [[14, 38], [38, 126]]."""
    a = np.arange(8, dtype=float).reshape(2, 2, 2)
    np.testing.assert_array_equal(gram_matrix(a), [[14, 38], [38, 126]])


def test_gram_matrix_is_symmetric_and_ignores_where_things_are():
    """G is symmetric, and permuting the positions (the same permutation in every channel) leaves it unchanged."""
    a = volume((4, 5, 6), seed=1)
    order = np.random.default_rng(2).permutation(30)
    moved = a.reshape(4, 30)[:, order].reshape(4, 5, 6)
    g = gram_matrix(a)
    np.testing.assert_allclose(g, g.T)
    np.testing.assert_allclose(gram_matrix(moved), g, rtol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_layer_style_cost_matches_the_loops(shape):
    """Σ(G_S − G_G)² / (4 n_C² (n_H n_W)²) equals the loop reference."""
    a_s, a_g = volume(shape, 3), volume(shape, 4)
    assert layer_style_cost(a_s, a_g) == pytest.approx(loop_style_cost(a_s, a_g), rel=1e-12)


def test_layer_style_cost_of_a_worked_case():
    """One channel, 1×2: a_S = (1, 2) gives G_S = 5; a_G = (0, 1) gives G_G = 1; (5 − 1)² / (4·1²·2²) = 16/16 = 1."""
    assert layer_style_cost([[[1.0, 2.0]]], [[[0.0, 1.0]]]) == pytest.approx(1.0)


@pytest.mark.parametrize("shape", SHAPES)
def test_content_cost_matches_the_loops(shape):
    """Σ(a_C − a_G)² / (4 n_H n_W n_C) equals the loop reference."""
    a_c, a_g = volume(shape, 5), volume(shape, 6)
    assert content_cost(a_c, a_g) == pytest.approx(loop_content_cost(a_c, a_g), rel=1e-12)


def test_content_cost_of_a_worked_case():
    """1×1×2 volumes differing by 2 and 4: (4 + 16) / (4·1·2·1) = 2.5."""
    assert content_cost([[[1.0, 1.0]]], [[[3.0, 5.0]]]) == pytest.approx(2.5)


def test_equal_images_cost_nothing():
    """J_content(a, a) = J_style(a, a) = 0."""
    a = volume((3, 4, 5))
    assert content_cost(a, a) == 0 and layer_style_cost(a, a) == 0


@pytest.mark.parametrize("bad", [np.zeros((2, 3)), np.zeros((1, 2, 3, 4))])
def test_costs_refuse_anything_but_one_layers_volume(bad):
    """A volume must be (n_C, n_H, n_W)."""
    with pytest.raises(ValueError, match="n_C, n_H, n_W"):
        gram_matrix(bad)
    with pytest.raises(ValueError):
        content_cost(bad, bad)


def test_costs_refuse_volumes_of_different_shapes():
    """S and G must be the same size: their layers must match cell for cell."""
    with pytest.raises(ValueError, match="same shape"):
        layer_style_cost(np.zeros((2, 3, 3)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="same shape"):
        content_cost(np.zeros((2, 3, 3)), np.zeros((3, 3, 3)))


def test_gram_cost_is_the_layer_cost_from_precomputed_grams():
    """gram_cost(G_S, G_G, n_H, n_W) is layer_style_cost(a_S, a_G)."""
    a_s, a_g = volume((4, 3, 5), 7), volume((4, 3, 5), 8)
    assert gram_cost(loop_gram(a_s), loop_gram(a_g), 3, 5) == pytest.approx(layer_style_cost(a_s, a_g), rel=1e-12)


def test_weighted_style_cost_and_total_cost():
    """J_style = Σ λ J^[l]: 2·0.5 + 0·7 + 1·0.25 = 1.25; J = α·J_c + β·J_s + w·TV = 10·0.1 + 40·1.25 + 2·3 = 57."""
    j_style = style_cost({"a": 0.5, "b": 7.0, "c": 0.25}, {"a": 2.0, "b": 0.0, "c": 1.0})
    assert j_style == pytest.approx(1.25)
    assert total_cost(0.1, j_style, 10, 40, 3.0, 2.0) == pytest.approx(57.0)


@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 4, 5), (1, 3, 2, 6)])
def test_total_variation_matches_the_loops(shape):
    """Σ (x_{i+1,j} − x_{i,j})² + (x_{i,j+1} − x_{i,j})² over channels, for (C, H, W) and (1, C, H, W)."""
    x = volume(shape, 9, signed=True)
    reference = loop_total_variation(x.reshape(x.shape[-3:]))
    assert total_variation(x) == pytest.approx(reference, rel=1e-12)


def test_gatys_content_cost_is_the_course_s_times_a_constant():
    """½ Σ(F − P)² = 2 n_H n_W n_C · J_content: the normalisation only rescales α (as the page says)."""
    a_c, a_g = volume((3, 4, 5), 10), volume((3, 4, 5), 11)
    gatys = 0.5 * ((a_c - a_g) ** 2).sum()
    assert gatys == pytest.approx(2 * 4 * 5 * 3 * content_cost(a_c, a_g), rel=1e-12)
