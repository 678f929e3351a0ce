"""Formula text for the cheap-networks page: counts and products as LaTeX, from the layers' own numbers."""

from __future__ import annotations

from fractions import Fraction

from pages._shared import format as fmt
from playground.efficient_convnets import Layer


def count(value: int) -> str:
    """A whole count with thousands separators that LaTeX does not space out: 120{,}422{,}400."""
    return fmt.exact(value).replace(",", "{,}")


def product(*factors: int) -> str:
    """4\\cdot4\\cdot3 for the factors of a count."""
    return r"\cdot".join(str(f) for f in factors)


def conv_count(layer: Layer) -> str:
    """n_out·n_out·n_C'·f·f·n_C = count for a normal or 1×1 convolution."""
    h, w, k = layer.output_shape
    return rf"{product(h, w, k, layer.f, layer.f, layer.input_shape[2])} = {count(layer.macs)}"


def depthwise_count(layer: Layer) -> str:
    """n_out·n_out·n_C·f·f = count for a depthwise convolution (one f×f filter per channel)."""
    h, w, c = layer.output_shape
    return rf"{product(h, w, c, layer.f, layer.f)} = {count(layer.macs)}"


def fraction(value: Fraction) -> str:
    """An exact fraction as \\frac{p}{q}."""
    return rf"\frac{{{value.numerator}}}{{{value.denominator}}}"
