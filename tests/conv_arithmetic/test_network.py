"""The network calculator: presets against arithmetic written out by hand, the grammar, and bad input.

Expected totals are sums of products typed from the layer definitions, never
numbers printed by the code; VGG-16's 138,357,544 parameters is also the
published figure (Simonyan & Zisserman's configuration D, as in Keras).
"""

from __future__ import annotations

import random
import time

import pytest

from playground.conv_arithmetic import shape_probe, summarize
from playground.conv_arithmetic.network import GRAMMAR, MAX_COUNT, MAX_LAYERS, PRESETS, RF_WHOLE, SpecError, totals
from tests.references import receptive_field


def preset(prefix: str):
    return next(p for p in PRESETS.values() if p.name.startswith(prefix))


def test_course_example_39x39x3_layer_by_layer():
    """39×39×3 → 37×37×10 → 17×17×20 → 7×7×40 → 1960 → softmax, with each layer's params and multiplications."""
    p = preset("Course example")
    rows = summarize(p.input_shape, p.spec)
    assert [r["output_shape"] for r in rows] == [(37, 37, 10), (17, 17, 20), (7, 7, 40), (1, 1, 1960), (1, 1, 10)]
    assert [r["params"] for r in rows] == [(3 * 3 * 3 + 1) * 10, (5 * 5 * 10 + 1) * 20, (5 * 5 * 20 + 1) * 40, 0,
                                           (1960 + 1) * 10]
    assert [r["macs"] for r in rows] == [37 * 37 * 10 * 3 * 3 * 3, 17 * 17 * 20 * 5 * 5 * 10,
                                         7 * 7 * 40 * 5 * 5 * 20, 0, 1960 * 10]
    assert [r["activation_size"] for r in rows] == [37 * 37 * 10, 17 * 17 * 20, 7 * 7 * 40, 1960, 10]


def test_lenet5():
    """LeNet-5 on 32×32×1: 28×28×6, 14×14×6, 10×10×16, 5×5×16, fc 120, fc 84, softmax 10; 61,706 parameters."""
    p = preset("LeNet-5")
    rows = summarize(p.input_shape, p.spec)
    assert [r["output_shape"] for r in rows] == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (1, 1, 120),
                                                 (1, 1, 84), (1, 1, 10)]
    expected = (5 * 5 * 1 + 1) * 6 + (5 * 5 * 6 + 1) * 16 + (5 * 5 * 16 + 1) * 120 + (120 + 1) * 84 + (84 + 1) * 10
    assert totals(rows)["params"] == expected == 61_706
    assert rows[1]["params"] == rows[3]["params"] == 0


def test_alexnet():
    """AlexNet (one tower) on 227×227×3: 55×55×96 … 6×6×256, and the parameter total summed by hand."""
    p = preset("AlexNet")
    rows = summarize(p.input_shape, p.spec)
    assert [r["output_shape"][:2] for r in rows[:8]] == [(55, 55), (27, 27), (27, 27), (13, 13), (13, 13), (13, 13),
                                                         (13, 13), (6, 6)]
    conv = [(11, 3, 96), (5, 96, 256), (3, 256, 384), (3, 384, 384), (3, 384, 256)]
    fc = [(6 * 6 * 256, 4096), (4096, 4096), (4096, 1000)]
    expected = sum((f * f * c + 1) * k for f, c, k in conv) + sum((i + 1) * o for i, o in fc)
    assert totals(rows)["params"] == expected


def test_vgg16_has_the_published_138_357_544_parameters():
    """VGG-16 at 224×224×3: 13 same 3×3 convs, 5 max pools, 7×7×512 into fc 4096, fc 4096, softmax 1000."""
    p = preset("VGG-16")
    rows = summarize(p.input_shape, p.spec)
    assert totals(rows)["params"] == 138_357_544
    assert rows[17]["output_shape"] == (7, 7, 512)
    widths = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    sides = [224, 224, 112, 112, 56, 56, 56, 28, 28, 28, 14, 14, 14]
    channels_in = [3] + widths[:-1]
    conv_macs = sum(n * n * k * 3 * 3 * c for n, k, c in zip(sides, widths, channels_in))
    fc_macs = 7 * 7 * 512 * 4096 + 4096 * 4096 + 4096 * 1000
    assert totals(rows)["macs"] == conv_macs + fc_macs


def test_inception_bottleneck_cuts_multiplications_about_tenfold():
    """5×5 same conv with 32 filters on 28×28×192: 120,422,400 multiplications directly, 12,443,648 via a 1×1 to 16."""
    direct_preset, bottle_preset = preset("Inception 5×5 branch, direct"), preset("Inception 5×5 branch, 1×1")
    direct = summarize(direct_preset.input_shape, direct_preset.spec)
    bottle = summarize(bottle_preset.input_shape, bottle_preset.spec)
    assert direct[-1]["output_shape"] == bottle[-1]["output_shape"] == (28, 28, 32)
    assert totals(direct)["macs"] == 28 * 28 * 32 * 5 * 5 * 192 == 120_422_400
    assert totals(bottle)["macs"] == 28 * 28 * 16 * 1 * 1 * 192 + 28 * 28 * 32 * 5 * 5 * 16 == 12_443_648


# ---------------------------------------------------------------- grammar
def test_keys_in_any_order_any_case_with_comments_and_blank_lines():
    """Keywords and keys are case-insensitive, in any order; blank lines and # comments are skipped."""
    a = summarize((32, 32, 3), "conv f=5 s=1 p=0 c=8\nmaxpool f=2 s=2\nfc 120\nsoftmax 10")
    b = summarize((32, 32, 3), "# a comment\n\nCONV C=8 P=0 F=5   # trailing\n  MaxPool S=2 F=2\n\nFC 120\nSoftmax 10\n")
    keys = ("output_shape", "params", "macs", "activation_size")
    assert [{k: r[k] for k in keys} for r in a] == [{k: r[k] for k in keys} for r in b]
    assert [r["line"] for r in b] == [3, 4, 6, 7]


def test_the_grammar_shown_as_help_is_itself_a_valid_network():
    """GRAMMAR's example lines, read as one network on 32×32×3: 28, 14, 7, convT back to 14, then 1×1 to the end."""
    rows = summarize((32, 32, 3), GRAMMAR)
    assert [r["output_shape"] for r in rows] == [(28, 28, 8), (14, 14, 8), (7, 7, 8), (14, 14, 64), (1, 1, 64),
                                                 (1, 1, 64), (1, 1, 120), (1, 1, 10)]


def test_defaults_stride_1_no_padding_and_pool_stride_equal_to_f():
    """conv without s and p is stride 1 and valid; pooling without s strides by f (as Keras)."""
    rows = summarize((10, 10, 1), "conv f=3 c=4\nmaxpool f=2\navgpool f=3")
    assert [r["output_shape"] for r in rows] == [(8, 8, 4), (4, 4, 4), (1, 1, 4)]


@pytest.mark.parametrize("n, f, s, expected", [(10, 4, 1, 10), (10, 3, 2, 5), (11, 3, 2, 6), (7, 2, 3, 3),
                                               (28, 5, 1, 28)])
def test_same_padding_gives_ceil_n_over_s(n, f, s, expected):
    """p=same keeps ⌈n/s⌉ for any f (TensorFlow's "same"); p=valid is p=0."""
    rows = summarize((n, n + 1, 2), f"conv f={f} s={s} p=same c=3\nconv f=1 p=valid c=1")
    assert rows[0]["output_shape"] == (expected, -(-(n + 1) // s), 3)
    assert rows[1]["output_shape"][:2] == rows[0]["output_shape"][:2]


@pytest.mark.parametrize("shape, spec, label", [
    # rows: ⌈10/2⌉ = 5 windows need (5 − 1)·2 + 4 − 10 = 2 cells; columns: ⌈11/2⌉ = 6 need (6 − 1)·2 + 4 − 11 = 3
    ((10, 11, 1), "conv f=4 s=2 p=same c=1", "p=same (1 top, 1 bottom, 1 left, 2 right)"),
    ((10, 10, 1), "conv f=4 s=2 p=same c=1", "p=same (1)"),  # 2 cells each way
    ((10, 10, 1), "conv f=4 p=same c=1", "p=same (1 top/left, 2 bottom/right)"),  # f − 1 = 3 cells each way
    ((10, 11, 1), "maxpool f=2 p=valid", "p=0"),
])
def test_layer_label_shows_the_padding_each_side_actually_gets(shape, spec, label):
    """The normalised layer text gives the "same" padding of both axes when they differ."""
    assert label in summarize(shape, spec)[0]["layer"]


def test_fc_flattens_and_counts_weights_plus_biases():
    """fc after a 5×5×16 map has (400 + 1)·120 parameters and 400·120 multiplications; output (1, 1, 120)."""
    row = summarize((5, 5, 16), "fc 120")[0]
    assert row["output_shape"] == (1, 1, 120)
    assert (row["params"], row["macs"]) == ((5 * 5 * 16 + 1) * 120, 5 * 5 * 16 * 120)


def test_conv_params_and_macs_on_a_non_square_input():
    """Height and width are handled separately: 20×30×3, f=3, s=2, p=1, 4 filters → 10×15×4."""
    row = summarize((20, 30, 3), "conv f=3 s=2 p=1 c=4")[0]
    assert row["output_shape"] == (10, 15, 4)
    assert row["params"] == (3 * 3 * 3 + 1) * 4 and row["macs"] == 10 * 15 * 4 * 3 * 3 * 3


def test_extensions_gap_flatten_transposed_and_dilation():
    """gap → 1×1×C; convT f=2 s=2 doubles the side; d=2 makes a 3×3 filter span 5."""
    rows = summarize((16, 16, 8), "conv f=3 d=2 c=4\ngap\nconvT f=2 s=2 c=6\nflatten\nfc 3")
    assert [r["output_shape"] for r in rows] == [(12, 12, 4), (1, 1, 4), (2, 2, 6), (1, 1, 24), (1, 1, 3)]
    assert rows[2]["params"] == (2 * 2 * 4 + 1) * 6 and rows[2]["macs"] == 1 * 1 * 4 * 2 * 2 * 6


@pytest.mark.parametrize("spec, layers", [
    ("conv f=3 c=1\nconv f=3 c=1", [(3, 1, 1, 0), (3, 1, 1, 0)]),
    ("conv f=3 s=2 c=1\nmaxpool f=2\nconv f=5 c=1", [(3, 2, 1, 0), (2, 2, 1, 0), (5, 1, 1, 0)]),
    ("conv f=3 d=2 p=same c=1\nconv f=3 s=3 c=1\nconv f=3 d=3 c=1", [(3, 1, 2, 2), (3, 3, 1, 0), (3, 1, 3, 0)]),
])
def test_receptive_field_matches_mapping_cells_back_to_the_input(spec, layers):
    """The rf column equals the span of input cells reached by following one output's taps back."""
    rows = summarize((64, 64, 1), spec)
    assert rows[-1]["rf"] == receptive_field(layers)


@pytest.mark.parametrize("spec, expected", [
    ("conv f=3 c=1\nconvT f=2 s=2 c=1\nconv f=3 c=1\nmaxpool f=2\nfc 2", [3, None, None, None, None]),
    ("conv f=3 c=1\ngap\nconv f=1 c=1\nfc 2", [3, RF_WHOLE, RF_WHOLE, RF_WHOLE]),
    ("flatten\nsoftmax 2", [RF_WHOLE, RF_WHOLE]),
])
def test_receptive_field_is_not_tracked_after_a_transposed_conv(spec, expected):
    """After a convT, rf stays None (not tracked) for every later layer; gap, flatten, fc see the whole input."""
    assert [r["rf"] for r in summarize((16, 16, 1), spec)] == expected


# ---------------------------------------------------------------- errors a learner can make
@pytest.mark.parametrize("spec, line, words", [
    ("conv f=3 c=8\nconv c=8", 2, "needs f"),
    ("conv f=3 c=8\n\n# x\nblah f=3", 4, "unknown layer `blah`"),
    ("conv f=0 c=8", 1, "at least 1"),
    ("conv f=3 s=0 c=8", 1, "stride"),
    ("conv f=3 c=10**12", 1, "whole number"),
    ("conv f=3 c=1000000000000", 1, "too big"),
    ("conv f=3 c=0001000001", 1, "too big"),
    ("conv f=3 c=８", 1, "whole number"),
    ("conv f=3 c=8 c=9", 1, "given twice"),
    ("conv f=3 c=8 z=1", 1, "no setting `z`"),
    ("conv f=3 p=full c=8", 1, "same or valid"),
    ("maxpool f=2\nconv f=40 c=8", 2, "no position where it fits"),
    ("fc", 1, "number of units"),
    ("fc 10\nconv f=1 c=2", 2, "flattened"),
    ("conv f=3 8", 1, "key=value"),
    ("convT f=2 s=2 p=same c=4", 1, "number for p"),
    ("convT f=3 s=1 op=1 c=4", 1, "output_padding must be smaller"),
    ("😀 f=3", 1, "unknown layer"),
])
def test_malformed_lines_name_the_line_and_the_problem(spec, line, words):
    """A bad line raises a ValueError (SpecError) whose message names the line number, quotes it and says why."""
    with pytest.raises(ValueError) as err:
        summarize((32, 32, 3), spec)
    assert isinstance(err.value, SpecError)
    message = str(err.value)
    assert f"line {line}" in message and words in message
    bad_line = spec.splitlines()[line - 1].strip()
    assert bad_line[:20] in message


@pytest.mark.parametrize("spec, filters", [
    ("conv f=3 c=00000008", 8),  # leading zeros are not digits of size
    ("conv f=3 c=" + "0" * 150 + "8", 8),
    ("conv f=3 c=8  # " + "a long comment " * 30, 8),  # a 450-character comment does not make the line too long
])
def test_numbers_are_judged_by_value_and_lines_without_their_comment(spec, filters):
    """Leading zeros and long comments are accepted: 32×32×3 through a 3×3 conv is 30×30×filters."""
    assert summarize((32, 32, 3), spec)[0]["output_shape"] == (32 - 3 + 1, 32 - 3 + 1, filters)


@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
@pytest.mark.parametrize("f, p", [(2, 2), (2, 3), (3, 3)])
def test_pooling_with_p_at_least_f_is_refused_as_onnx_runtime_refuses_it(kind, f, p):
    """Pooling padded by p ≥ f: a SpecError naming the line; ONNX Runtime's pooling refuses the same layer."""
    with pytest.raises(SpecError, match="line 1.*p smaller than f"):
        summarize((8, 8, 1), f"{kind} f={f} p={p}")
    probe = shape_probe.pool(kind[:3], 8, 8, 1, f, (p,) * 4, f, provider="cpu")
    assert probe.shape is None and probe.error


@pytest.mark.parametrize("shape", [(0, 32, 3), (32, 32), (32.0, 32, 3), ("a", 1, 1), (10**9, 2, 2)])
def test_bad_input_shapes_are_refused_plainly(shape):
    """The input shape must be three whole numbers ≥ 1 within the calculator's range."""
    with pytest.raises(ValueError, match="input shape"):
        summarize(shape, "conv f=1 c=1")


@pytest.mark.parametrize("spec, words", [
    ("conv f=1 c=1\n" * 10_000, "characters long"),
    ("gap\n" * (MAX_LAYERS + 1), f"more than {MAX_LAYERS} layers"),
    ("", "no layers"),
    ("\n\n# only a comment\n", "no layers"),
    ("conv f=3 c=4 " + "x" * 300, "characters long"),
    ("convT f=1000 s=1000 c=1\n" * 3, "stops at"),
])
def test_absurd_input_is_refused_quickly_with_a_message(spec, words):
    """10,000 lines, too many layers, empty text, a huge line, exploding sizes: a message within 0.5 s."""
    start = time.perf_counter()
    with pytest.raises(SpecError, match=words):
        summarize((32, 32, 3), spec)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("shape, spec, line, words", [
    ((32, 32, 3), "conv f=1 p=1000000 c=1000000", 1, "a side"),  # 32 + 2·10⁶ − 1 + 1 rows
    ((32, 32, 3), "maxpool f=999999 s=1 p=999998", 1, "a side"),  # 32 + 2·999,998 − 999,999 + 1 rows
    ((1_000_000, 1_000_000, 1), "conv f=1 c=1000\nconv f=1 c=1001", 2, "output numbers"),  # 10¹²·1001
    ((1_000_000, 1_000_000, 1), "conv f=1 c=1000\nconv f=1 c=1000", 2, "multiplications"),  # 10¹²·1000·1000
    ((1000, 1000, 1000), "fc 1000000", 1, "parameters"),  # (10⁹ + 1)·10⁶
    ((1_000_000, 1_000_000, 1_000_000), "fc 100", 0, "input shape"),  # 10¹⁸ numbers
])
def test_counts_past_max_count_and_sides_past_max_output_side_name_the_line(shape, spec, line, words):
    """Any layer (not only convT) whose side passes 10⁶, or whose counts pass 10¹⁵, is refused naming its line."""
    with pytest.raises(SpecError, match=words) as err:
        summarize(shape, spec)
    assert (f"line {line}" in str(err.value)) == bool(line)


def test_counts_at_max_count_are_accepted():
    """10⁶×10⁶×1 into a 1×1 conv with 1000 filters: exactly 10¹⁵ outputs and multiplications, still computed."""
    row = summarize((1_000_000, 1_000_000, 1), "conv f=1 c=1000")[0]
    assert row["activation_size"] == row["macs"] == 1_000_000 * 1_000_000 * 1000 == MAX_COUNT


def test_random_junk_never_raises_anything_but_spec_error():
    """500 lines of random characters (ASCII, unicode, digits, '=') give a result or a SpecError, nothing else."""
    rng = random.Random(0)
    alphabet = "convfcmaxpoolsgap=0123456789 \t#,.-_*ÿ😀\u200b\x00Ω５"
    refused = 0
    for _ in range(500):
        spec = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        try:
            summarize((16, 16, 3), spec)
        except SpecError as err:
            refused += 1
            assert str(err)  # a message to show
    assert refused > 400  # junk is almost never a valid network
