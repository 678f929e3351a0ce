"""Colour for pictures of numbers: the diverging, grey and direction scales the pages paint with."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest

from pages._shared import colour


def test_diverging_scale_is_blue_white_red_around_zero():
    """−limit is blue, 0 is near-white, +limit is red (the RdBu scale reversed)."""
    rgb = colour.diverging_rgb(np.array([[-2.0, 0.0, 2.0]]), limit=2.0)[0].astype(int)
    negative, zero, positive = rgb
    assert negative[2] > negative[0] and positive[0] > positive[2]
    assert zero.min() > 230


def test_signed_limit_ignores_a_few_extreme_pixels():
    """One huge pixel among many ordinary ones does not set the colour range."""
    values = np.ones((100, 100))
    values[0, 0] = 1000
    assert colour.signed_limit(values) == pytest.approx(1.0)
    assert colour.signed_limit(np.zeros((3, 3))) == 1.0


def test_direction_colours_follow_the_hue_wheel():
    """θ = 0° is red, 120° green, 240° blue (full brightness); zero magnitude is black."""
    direction = np.array([[0.0, 120.0, 240.0, 90.0]])
    magnitude = np.array([[1.0, 1.0, 1.0, 0.0]])
    rgb = colour.direction_rgb(direction, magnitude)[0]
    for got, theta in zip(rgb[:3], (0, 120, 240)):
        expected = np.array(colorsys.hsv_to_rgb(theta / 360, 1, 1)) * 255
        np.testing.assert_allclose(got, expected, atol=1)
    np.testing.assert_array_equal(rgb[3], 0)


def test_direction_wheel_matches_direction_colours():
    """The legend's colour right of the centre is θ = 0°, above it θ = 90°, as in direction_rgb."""
    size = 97
    wheel = colour.direction_wheel(size).astype(int)
    centre = size // 2
    right = colour.direction_rgb(np.array([[0.0]]), np.array([[1.0]]))[0, 0]
    up = colour.direction_rgb(np.array([[90.0]]), np.array([[1.0]]))[0, 0]
    np.testing.assert_allclose(wheel[centre, size - 5], right, atol=3)
    np.testing.assert_allclose(wheel[4, centre], up, atol=3)
    np.testing.assert_array_equal(wheel[0, 0], 255)  # outside the disc


def test_a_near_zero_map_stays_near_white():
    """A uniform −0.0234 from a filter that could reach ±765 (Sobel, 255 × (1 + 2 + 1)) is not full blue:
    the range is at least 2 % of 765 = 15.3, so −0.0234 sits 0.15 % of the way to blue."""
    values = np.full((8, 8), -0.0234)
    limit = colour.signed_limit(values, strongest=765.0)
    assert limit == pytest.approx(0.02 * 765.0)
    assert colour.diverging_rgb(values, limit).min() > 240  # near white, every channel
    assert colour.signed_limit(values) == pytest.approx(0.0234)  # without the bound: stretched to full colour


def test_a_strong_map_keeps_its_own_range():
    """When the responses are large, the floor does not matter: the range is their 99.5th percentile."""
    values = np.linspace(-400.0, 400.0, 1001)
    assert colour.signed_limit(values, strongest=765.0) == pytest.approx(np.percentile(np.abs(values), 99.5))
