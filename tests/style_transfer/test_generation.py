"""Generation by optimisation: Adam on G's pixels lowers J, stops when asked, keeps colours when asked."""

from __future__ import annotations

import numpy as np
import pytest

from playground.style_transfer import colour, optimise, prepare, samples
from playground.style_transfer.generation import ADAM_BETAS, ADAM_EPS, Settings, cost_and_gradient

SMALL = dict(side=96, iterations=30, snapshot_every=10)  # quick: 96 px, 30 iterations


@pytest.fixture(scope="module")
def images():
    return samples.sample_rgb("chelsea"), samples.sample_rgb("hubble_deep_field")


def test_optimisation_lowers_the_style_cost_and_the_total(images):
    """After 30 iterations J and J_style are well below their start; snapshots every 10 iterations and at the end."""
    settings = Settings(**SMALL)
    steps = list(optimise(prepare(*images, settings, "cpu"), settings, "cpu"))
    assert [s.iteration for s in steps] == list(range(1, 31))
    assert steps[-1].j < 0.5 * steps[0].j and steps[-1].j_style < 0.5 * steps[0].j_style
    assert [s.iteration for s in steps if s.picture is not None] == [10, 20, 30]
    assert steps[-1].picture.shape == (64, 96, 3) and 0 <= steps[-1].picture.min() and steps[-1].picture.max() <= 1


def test_each_step_is_one_adam_update_of_the_graph_s_gradient(images):
    """The first update is −lr · m̂ / (√v̂ + ε) with m̂ = g, v̂ = g² (bias-corrected), then clipped to 0…1."""
    settings = Settings(**SMALL, noise=0.0)
    problem = prepare(*images, settings, "cpu")
    _, grad = cost_and_gradient(problem, settings, problem.start, "cpu")
    b1, b2 = ADAM_BETAS
    m, v = (1 - b1) * grad / (1 - b1), (1 - b2) * grad ** 2 / (1 - b2)
    expected = np.clip(problem.start - settings.learning_rate * m / (np.sqrt(v) + ADAM_EPS), 0, 1)
    first = next(iter(optimise(problem, Settings(**{**SMALL, "iterations": 1}, noise=0.0), "cpu")))
    np.testing.assert_allclose(first.picture.transpose(2, 0, 1)[None], expected, atol=1e-6)


def test_start_is_the_content_plus_bounded_noise(images):
    """G starts within ±noise of the content image (clipped to 0…1), and the seed fixes it."""
    settings = Settings(**SMALL, noise=0.1, seed=3)
    a, b = prepare(*images, settings, "cpu"), prepare(*images, settings, "cpu")
    np.testing.assert_array_equal(a.start, b.start)
    content = a.content.transpose(2, 0, 1)[None]
    assert np.abs(a.start - content).max() <= 0.1 + 1e-6 and 0 <= a.start.min() and a.start.max() <= 1


def test_stop_ends_the_loop_with_the_picture_so_far(images):
    """A stop request after iteration 4 ends the loop there, and that step carries the picture."""
    settings = Settings(**SMALL)
    count = {"n": 0}

    def stop():
        count["n"] += 1
        return count["n"] >= 4
    steps = list(optimise(prepare(*images, settings, "cpu"), settings, "cpu", stop=stop))
    assert len(steps) == 4 and steps[-1].picture is not None


def test_keeping_colours_optimises_luminance_and_puts_the_content_s_colours_back(images):
    """Luminance mode: G has one channel; the result's I and Q are the content's wherever nothing clipped."""
    settings = Settings(**{**SMALL, "iterations": 10}, keep_colours=True)
    problem = prepare(*images, settings, "cpu")
    assert problem.start.shape[1] == 1
    last = list(optimise(problem, settings, "cpu"))[-1].picture
    inside = (last > 0.02).all(axis=2) & (last < 0.98).all(axis=2)
    np.testing.assert_allclose(colour.to_yiq(last)[inside][:, 1:], colour.to_yiq(problem.content)[inside][:, 1:],
                               atol=2e-3)


@pytest.mark.parametrize("bad", [dict(side=32), dict(side=1000), dict(iterations=0), dict(iterations=10_000),
                                 dict(layer_weights=(1.0,)), dict(beta=-1.0), dict(alpha=float("nan"))])
def test_settings_are_bounded(bad):
    """Size, iterations and weights outside their bounds are refused before any work."""
    with pytest.raises(ValueError):
        Settings(**bad)
