"""The formulas against ONNX Runtime: one-op graphs over a sweep of parameters.

ONNX Runtime computes output shapes with its own code; here its answer is the
reference for the formulas in playground.arithmetic.
"""

from __future__ import annotations

import itertools
import math
import random
import time

import numpy as np
import onnx
import pytest

from playground import runtime
from playground.conv_arithmetic import Axis, ShapeError, conv_output_size, same_padding, shape_probe, transposed_conv_output_size


def _conv_cases(count: int, seed: int = 0):
    rng = random.Random(seed)
    cases = []
    while len(cases) < count:
        h, w = rng.randint(1, 20), rng.randint(1, 20)
        f, p, s, d = rng.randint(1, 5), rng.randint(0, 3), rng.randint(1, 4), rng.randint(1, 3)
        f_eff = d * (f - 1) + 1
        if f_eff <= min(h, w) + 2 * p:
            cases.append((h, w, f, p, s, d))
    return cases


@pytest.mark.parametrize("h, w, f, p, s, d", _conv_cases(60))
def test_conv_shapes_match_onnx_runtime(h, w, f, p, s, d, provider):
    """ORT's Conv output (1, k, H, W) equals the formula's H and W, with stride, padding and dilation."""
    expected = (conv_output_size(h, f, p, s, d), conv_output_size(w, f, p, s, d))
    probe = shape_probe.conv(h, w, 2, 3, f, (p, p, p, p), s, d, provider)
    assert probe.error is None and probe.shape == (1, 3, *expected)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("n, f, s, p", [(n, f, s, p) for n, f, s, p in itertools.product(
    [1, 2, 5, 8, 13], [1, 2, 3], [1, 2, 3], [0, 1]) if f <= n + 2 * p and p < f])
def test_pool_shapes_match_onnx_runtime(kind, n, f, s, p, provider):
    """MaxPool and AveragePool (ONNX requires p < f) give ⌊(n + 2p − f)/s⌋ + 1, as the formula says."""
    expected = conv_output_size(n, f, p, s)
    probe = shape_probe.pool(kind, n, n + 1, 4, f, (p, p, p, p), s, provider)
    assert probe.error is None
    assert probe.shape == (1, 4, expected, conv_output_size(n + 1, f, p, s))


@pytest.mark.parametrize("n, f, p, s, op", [c for c in itertools.product([1, 2, 3, 5], [1, 2, 3, 4], [0, 1, 2],
                                                                        [1, 2, 3], [0, 1, 2])
                                            if c[4] < c[3] and (c[0] - 1) * c[3] + c[1] + c[4] - 2 * c[2] >= 1])
def test_transposed_shapes_match_onnx_runtime(n, f, p, s, op, provider):
    """ConvTranspose with output_padding gives (n − 1)·s − 2p + f + output_padding."""
    probe = shape_probe.conv_transpose(n, n + 2, 3, 2, f, p, s, op, provider)
    assert probe.error is None
    assert probe.shape == (1, 2, transposed_conv_output_size(n, f, p, s, op),
                           transposed_conv_output_size(n + 2, f, p, s, op))


@pytest.mark.parametrize("n, f, p, s, op", [(4, 2, 0, 2, 2), (4, 3, 0, 1, 1), (1, 1, 1, 1, 0), (2, 3, 2, 1, 0)])
def test_transposed_settings_the_formula_refuses_are_refused_by_onnx_runtime(n, f, p, s, op):
    """output_padding ≥ stride, or padding that crops everything: both the formula and ORT say no."""
    with pytest.raises(ShapeError):
        transposed_conv_output_size(n, f, p, s, op)
    probe = shape_probe.conv_transpose(n, n, 1, 1, f, p, s, op, "cpu")
    assert probe.shape is None and probe.error


@pytest.mark.parametrize("n, f, s", list(itertools.product([5, 6, 7, 10], [1, 2, 3, 4, 5], [1, 2, 3])))
def test_same_padding_split_matches_onnx_same_upper(n, f, s):
    """Our "same" pads (extra cell after) compute exactly what ORT's auto_pad=SAME_UPPER computes, value by value."""
    d = 1  # ORT refuses dilation with SAME_UPPER; dilated "same" is checked by shape below
    rng = np.random.default_rng(n * 100 + f * 10 + s)
    x = rng.standard_normal((1, 2, n, n + 1)).astype(np.float32)
    wt = rng.standard_normal((3, 2, f, f)).astype(np.float32)
    (top, bottom), (left, right) = same_padding(n, f, s, d), same_padding(n + 1, f, s, d)
    common = {"kernel_shape": (f, f), "strides": (s, s), "dilations": (d, d)}
    ours = shape_probe.graph_bytes("Conv", x.shape, wt.shape,
                                   tuple(sorted({**common, "pads": (top, left, bottom, right)}.items())))
    upper = shape_probe.graph_bytes("Conv", x.shape, wt.shape, tuple(sorted({**common, "auto_pad": "SAME_UPPER"}.items())))
    got = runtime.run_graph(ours, {"x": x, "w": wt}, "ours", "cpu")["y"]
    ref = runtime.run_graph(upper, {"x": x, "w": wt}, "SAME_UPPER", "cpu")["y"]
    assert got.shape == ref.shape == (1, 3, math.ceil(n / s), math.ceil((n + 1) / s))
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n, f, s, d", list(itertools.product([5, 6, 9], [2, 3], [1, 2, 3], [2, 3])))
def test_dilated_same_padding_gives_ceil_n_over_s_on_onnx_runtime(n, f, s, d):
    """With dilation, our explicit "same" pads make ORT's Conv output ⌈n/s⌉."""
    (top, bottom), (left, right) = same_padding(n, f, s, d), same_padding(n + 1, f, s, d)
    probe = shape_probe.conv(n, n + 1, 1, 1, f, (top, left, bottom, right), s, d, "cpu")
    assert probe.shape == (1, 1, math.ceil(n / s), math.ceil((n + 1) / s))


def test_global_average_pool_keeps_only_channels(provider):
    """GlobalAveragePool turns (1, C, H, W) into (1, C, 1, 1)."""
    assert shape_probe.global_average_pool(7, 5, 12, provider).hwc == (1, 1, 12)


def test_big_layers_run_with_one_channel_and_huge_ones_are_skipped():
    """A layer over the probe's limits runs with 1 channel and 1 filter; one too big even then is not run."""
    big = shape_probe.conv(224, 224, 64, 64, 3, (1, 1, 1, 1), 1, 1, "cpu")
    assert big.reduced and big.shape == (1, 1, 224, 224)
    huge = shape_probe.conv(4096, 4096, 3, 8, 11, (0,) * 4, 1, 1, "cpu")
    assert huge.shape is None and "not run" in huge.skipped


@pytest.mark.parametrize("make", [
    # 1000×1000, f = 99: (1000 − 99 + 1)² = 813,604 outputs, each 99·99 multiplications: far over MAX_MACS
    lambda: shape_probe.conv(1000, 1000, 1, 1, 99, (0,) * 4, 1, 1, provider="cpu"),
    lambda: shape_probe.pool("avg", 1000, 1000, 1, 99, (0,) * 4, 1, provider="cpu"),
], ids=["conv", "pool"])
def test_the_cost_guard_uses_the_real_output_size(make):
    """A small input with a big filter has a big output: the probe sizes it itself and skips it at once."""
    start = time.perf_counter()
    probe = make()
    assert probe.shape is None and "not run" in probe.skipped
    assert time.perf_counter() - start < 0.5


def test_probe_graphs_pass_the_onnx_checker():
    """Every kind of probe graph is a valid ONNX model at IR 10, opset 18."""
    graphs = [
        shape_probe.graph_bytes("Conv", (1, 2, 5, 5), (3, 2, 3, 3),
                                (("dilations", (1, 1)), ("kernel_shape", (3, 3)), ("pads", (1, 1, 1, 1)),
                                 ("strides", (1, 1)))),
        shape_probe.graph_bytes("MaxPool", (1, 2, 5, 5), None, (("kernel_shape", (2, 2)), ("strides", (2, 2)))),
        shape_probe.graph_bytes("GlobalAveragePool", (1, 2, 5, 5), None, ()),
        shape_probe.graph_bytes("ConvTranspose", (1, 2, 5, 5), (2, 3, 2, 2),
                                (("kernel_shape", (2, 2)), ("output_padding", (1, 1)), ("strides", (2, 2)))),
    ]
    for data in graphs:
        model = onnx.load_from_string(data)
        onnx.checker.check_model(model, full_check=True)
        assert model.ir_version == 10 and model.opset_import[0].version == 18


def test_axis_and_probe_agree_on_the_page_default():
    """The page's first view (6×6×3, two 3×3 filters) is 4×4×2 by formula and by ORT."""
    axis = Axis.make(6, 3)
    probe = shape_probe.conv(6, 6, 3, 2, 3, (0, 0, 0, 0), 1, 1, "cpu")
    assert probe.hwc == (4, 4, 2) == (axis.out, axis.out, 2)
