"""The cost calculators against hand-worked cases (the arithmetic written out) and against counting windows by loop."""

from __future__ import annotations

from fractions import Fraction

import pytest

from playground.conv_arithmetic import ShapeError
from playground.efficient_convnets import (
    COURSE_INCEPTION,
    InceptionSpec,
    bottleneck_block,
    depthwise_separable,
    depthwise_separable_macs,
    inception_module,
    maxpool_same,
    module_channels,
    normal_conv,
    one_by_one_bottleneck,
    separable_ratio,
)
from tests.references import loop_conv_mults


def test_the_courses_depthwise_separable_example():
    """6×6×3 input, 3×3 filters, 5 of them, p = 0: a normal conv 2,160 multiplications, the pair 432 + 240 = 672."""
    # the output is 4×4 (6 − 3 + 1); normal: 4·4 outputs × 5 filters × 3·3·3 each
    assert normal_conv(6, 3, 3, 5).macs == 4 * 4 * 5 * 3 * 3 * 3 == 2160
    # depthwise: 4·4 outputs × 3 channels × 3·3 each; pointwise: 4·4 × 3 channels × 5 filters
    assert depthwise_separable_macs(6, 3, 3, 5) == (4 * 4 * 3 * 9, 4 * 4 * 3 * 5) == (432, 240)
    assert sum(depthwise_separable_macs(6, 3, 3, 5)) == 672
    assert separable_ratio(3, 5) == Fraction(672, 2160) == Fraction(1, 5) + Fraction(1, 9)


def test_the_courses_1x1_bottleneck():
    """28×28×192 → 32 filters of 5×5 ("same"): about 120 million multiplications directly, about 12 million
    through a 1×1 bottleneck to 16 channels."""
    direct, bottleneck = one_by_one_bottleneck(28, 192, 5, 32, 16)
    assert direct.macs == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    squeeze, conv = bottleneck.layers
    assert squeeze.macs == 28 * 28 * 16 * 192 == 2_408_448
    assert conv.macs == 28 * 28 * 32 * 5 * 5 * 16 == 10_035_200
    assert bottleneck.macs == 12_443_648
    assert direct.output_shape == bottleneck.output_shape == (28, 28, 32)


def test_the_courses_inception_module():
    """28×28×192 with 64 / 96→128 / 16→32 / pool→32: 64 + 128 + 32 + 32 = 256 channels, each branch costed."""
    branches = inception_module(COURSE_INCEPTION)
    assert [b.name for b in branches] == ["1×1", "3×3", "5×5", "max-pool"]
    assert [b.output_shape for b in branches] == [(28, 28, 64), (28, 28, 128), (28, 28, 32), (28, 28, 32)]
    assert module_channels(branches) == 64 + 128 + 32 + 32 == 256
    assert [b.macs for b in branches] == [
        28 * 28 * 64 * 192,                                  # 1×1: 9,633,792
        28 * 28 * 96 * 192 + 28 * 28 * 128 * 3 * 3 * 96,     # 1×1 to 96, then 3×3: 101,154,816
        28 * 28 * 16 * 192 + 28 * 28 * 32 * 5 * 5 * 16,      # the bottleneck above: 12,443,648
        28 * 28 * 32 * 192,                                  # max-pool (free), then 1×1: 4,816,896
    ]


def test_the_naive_inception_module_passes_every_pooled_channel_through():
    """Without bottlenecks the max-pool keeps all 192 channels: 64 + 128 + 32 + 192 = 416, and the 5×5 costs 120 M."""
    branches = inception_module(COURSE_INCEPTION, bottleneck=False)
    assert module_channels(branches) == 64 + 128 + 32 + 192 == 416
    assert branches[2].macs == 120_422_400 and branches[3].macs == 0
    assert branches[1].macs == 28 * 28 * 128 * 3 * 3 * 192


def test_max_pool_same_keeps_the_shape_and_costs_nothing():
    """A 3×3 max-pool with stride 1 and "same" padding: n×n×n_C out, no parameters, no multiplications."""
    pool = maxpool_same(28, 192)
    assert pool.output_shape == (28, 28, 192) and pool.params == 0 and pool.macs == 0


@pytest.mark.parametrize("n, f, n_c, n_c_out, p, s", [
    (6, 3, 3, 5, 0, 1), (7, 3, 4, 8, 1, 2), (32, 5, 16, 32, 2, 1), (13, 3, 7, 11, 0, 3), (1, 1, 1, 1, 0, 1),
    (224, 3, 3, 32, 1, 2), (9, 7, 2, 3, 3, 2),
])
def test_costs_match_counting_windows_by_loop(n, f, n_c, n_c_out, p, s):
    """Normal, depthwise and pointwise counts equal windows counted by sliding × the products per output number."""
    normal = normal_conv(n, f, n_c, n_c_out, p, s)
    depthwise, pointwise = depthwise_separable(n, f, n_c, n_c_out, p, s)
    assert normal.macs == loop_conv_mults(n, f, n_c, n_c_out, (p, p), s)
    assert depthwise.macs == loop_conv_mults(n, f, 1, n_c, (p, p), s)
    side = depthwise.output_shape[0]
    assert pointwise.macs == loop_conv_mults(side, 1, n_c, n_c_out)
    assert normal.params == (f * f * n_c + 1) * n_c_out
    assert depthwise.params == (f * f + 1) * n_c and pointwise.params == (n_c + 1) * n_c_out


@pytest.mark.parametrize("n, f, n_c, n_c_out, p, s", [(6, 3, 3, 5, 0, 1), (56, 3, 144, 24, 1, 1), (10, 5, 8, 64, 2, 2),
                                                       (7, 3, 960, 320, 1, 1), (4, 1, 3, 2, 0, 1)])
def test_separable_over_normal_is_exactly_one_over_filters_plus_one_over_f_squared(n, f, n_c, n_c_out, p, s):
    """(depthwise + pointwise) / normal = 1/n_C' + 1/f² exactly, whatever n, n_C, p and s."""
    dw, pw = depthwise_separable_macs(n, f, n_c, n_c_out, p, s)
    assert Fraction(dw + pw, normal_conv(n, f, n_c, n_c_out, p, s).macs) == Fraction(1, n_c_out) + Fraction(1, f * f)


def test_same_padding_is_accepted_as_a_word():
    """p = "same" with stride 2 on 112 gives 56, as TensorFlow's SAME does (MobileNetV2's stride-2 layers)."""
    dw, pw = depthwise_separable(112, 3, 96, 24, "same", 2)
    assert dw.output_shape == (56, 56, 96) and pw.output_shape == (56, 56, 24)


def test_a_filter_larger_than_the_padded_input_is_refused():
    """f = 7 on a 5×5 input with p = 0 has nowhere to go: a ShapeError in words, not a negative count."""
    with pytest.raises(ShapeError, match="no position where it fits"):
        depthwise_separable_macs(5, 7, 3, 4)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_channel_counts_must_be_whole_numbers_at_least_one(bad):
    """n_C' = 0, negative, fractional or a bool is refused."""
    with pytest.raises(ValueError):
        depthwise_separable_macs(6, 3, 3, bad)


def test_mobilenet_v2_block_worked_by_hand():
    """56×56×24, t = 6, back to 24, s = 1: expansion 56·56·144·24, depthwise 56·56·144·9, projection 56·56·24·144."""
    block = bottleneck_block(56, 24, 6, 24, 1)
    expansion, depthwise, projection = block.layers
    assert (expansion.output_shape, depthwise.output_shape, projection.output_shape) == \
        ((56, 56, 144), (56, 56, 144), (56, 56, 24))
    assert (expansion.macs, depthwise.macs, projection.macs) == (10_838_016, 4_064_256, 10_838_016)
    assert (expansion.params, depthwise.params, projection.params) == ((24 + 1) * 144, (9 + 1) * 144, (144 + 1) * 24)
    assert block.residual and block.macs == 25_740_288


def test_a_stride_2_block_halves_the_side_and_has_no_residual():
    """112×112×16, t = 6, to 24, s = 2: the depthwise step gives 56×56×96, and the shapes no longer match."""
    block = bottleneck_block(112, 16, 6, 24, 2)
    assert block.layers[1].output_shape == (56, 56, 96) and block.output_shape == (56, 56, 24)
    assert not block.residual


def test_expansion_factor_1_has_no_expansion_layer():
    """t = 1 (MobileNetV2's first block): depthwise then projection only."""
    block = bottleneck_block(112, 32, 1, 16)
    assert [layer.name for layer in block.layers] == ["depthwise", "projection"]
    assert block.macs == 112 * 112 * 32 * 9 + 112 * 112 * 32 * 16


def test_inception_branches_need_valid_channels():
    """A branch with 0 filters is refused in words."""
    with pytest.raises(ValueError):
        inception_module(InceptionSpec(28, 192, 0, 96, 128, 16, 32, 32))


def test_intensity_is_multiplications_per_number_moved():
    """4×4×3 depthwise output from 6×6×3 with 3×3 filters: 432 multiplications over 108 + 48 + 30 numbers."""
    depthwise, _ = depthwise_separable(6, 3, 3, 5)
    assert depthwise.moved == 6 * 6 * 3 + 4 * 4 * 3 + (9 + 1) * 3
    assert depthwise.intensity == pytest.approx(432 / 186, rel=1e-12)
