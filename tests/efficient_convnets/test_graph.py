"""The committed MobileNetV2 read as layers, against ONNX's own shape inference, and the calculators against it.

The reference walks mobilenet_v2.onnx's Conv nodes itself (tests/references.py):
weight shapes from the file, output sizes from ``onnx.shape_inference``, and
multiplications H·W·M·(C/group)·f·f. The calculators, given the same shapes,
must count the same.
"""

from __future__ import annotations

from collections import Counter

import onnx
import pytest

from playground.efficient_convnets import bottleneck_block, depthwise_separable_macs, graph, normal_conv
from playground.efficient_convnets.block_view import block_specs
from playground.manifest import model_path
from tests.references import onnx_conv_layers

SIDES = [224, 160, 97]  # ImageNet's side, a smaller one, and an odd one
# The file's stride-2 pads are fixed at TF-SAME's (0 top/left, 1 bottom/right) for even sides: on a side that is a
# multiple of 32 every stride-2 layer sees an even side, so the graph is exactly "same" and the calculators apply.
SAME_SIDES = [224, 160]


@pytest.fixture(scope="module", params=SIDES)
def side(request) -> int:
    return request.param


@pytest.fixture(scope="module")
def reference(side) -> dict[str, dict]:
    return onnx_conv_layers(model_path("mobilenet_v2"), side)


def test_every_conv_matches_onnx_shape_inference_and_weight_shapes(side, reference):
    """Each Conv's output shape and multiplications equal those from the file's weights and ONNX's inferred sizes."""
    convs = [n for n in graph.nodes(side) if n.op_type == "Conv"]
    assert len(convs) == len(reference) == 53
    for node in convs:
        ref = reference[node.name]
        assert node.output_shape == ref["output"][1:], node.name
        assert node.macs == ref["macs"], node.name
        m, cg, kh, _ = ref["weight"]
        assert (node.f, node.group, node.stride) == (kh, ref["group"], ref["strides"][0])
        assert node.params == m * cg * kh * kh + m  # every conv here has a bias (batch norm folded in)


@pytest.mark.parametrize("side", SAME_SIDES)
def test_the_calculators_count_what_the_graph_holds(side):
    """For every block: depthwise_separable_macs and bottleneck_block, given the block's shapes, equal the graph's
    own counts; the first layer equals normal_conv (3×3, stride 2, "same")."""
    reference = onnx_conv_layers(model_path("mobilenet_v2"), side)
    layers = graph.nodes(side)
    for block, spec in zip(graph.blocks(side), block_specs(side), strict=True):
        dw, pw = layers[block.depthwise], layers[block.projection]
        n_c = dw.input_shape[0]
        expected = (reference[dw.name]["macs"], reference[pw.name]["macs"])
        assert depthwise_separable_macs(spec.n, 3, n_c, spec.c_out, "same", spec.s) == expected, block.index
        convs = sum(reference[layers[i].name]["macs"] for i in block.conv_indices())
        assert bottleneck_block(spec.n, spec.c_in, spec.t, spec.c_out, spec.s).macs == convs, block.index
    stem = next(n for n in layers if n.kind == "dense")
    assert normal_conv(side, 3, 3, 32, "same", 2).macs == reference[stem.name]["macs"]


def test_total_is_about_300_million_multiply_adds():
    """At 224×224 MobileNetV2 (width 1.0) does about 300 million multiply-adds (Sandler et al. 2018, Table 4)."""
    total = sum(layer["macs"] for layer in onnx_conv_layers(model_path("mobilenet_v2"), 224).values())
    assert sum(n.macs for n in graph.nodes(224)) == total
    assert total == pytest.approx(300e6, rel=0.01)


def test_kinds_follow_mobilenet_v2s_structure():
    """1 dense stem, 17 depthwise, 16 expansions (block 0 has none), 17 projections, the last 1×1, the style head,
    35 ReLU6, 10 residual adds, one pooling, two reshapes and 8 identities (output names): 109 nodes, all kinded."""
    counts = Counter(n.kind for n in graph.nodes())
    assert counts == {"dense": 1, "depthwise": 17, "expansion": 16, "projection": 17, "last": 1, "head": 1,
                      "relu6": 35, "add": 10, "pool": 1, "reshape": 2, "identity": 8}
    assert sum(counts.values()) == len(onnx.load(str(model_path("mobilenet_v2"))).graph.node)


def test_blocks_match_the_papers_table():
    """Sandler et al.'s Table 2, (t, c, n, s) per stage, unrolled into 17 blocks (s on the first of each stage)."""
    stages = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    expected = [(t, c, s if i == 0 else 1) for t, c, n, s in stages for i in range(n)]
    specs = block_specs()
    assert [(b.t, b.c_out, b.s) for b in specs] == expected
    assert [b.residual for b in specs] == [b.s == 1 and b.c_in == b.c_out for b in specs]
    assert specs[0].n == 112 and specs[-1].n == 7
