"""FLOPs against time: every node of the model in exactly one timed kind, and kernels credited to the right nodes."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import onnx
import pytest
from onnx import helper

from playground.efficient_convnets import depthwise_separable_macs, graph, normal_conv, timing
from playground.manifest import model_path
from playground.runtime import NodeTiming
from tests.references import onnx_conv_layers

RUNS = 3  # profiled runs: the tests check the bookkeeping, not the speed


@pytest.fixture(scope="module", params=["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    "CUDAExecutionProvider" not in __import__("onnxruntime").get_available_providers(), reason="no CUDA provider"))])
def measured(request) -> timing.ModelTiming:
    return timing.time_model(request.param, runs=RUNS, warmup=1)


@pytest.fixture(scope="module")
def comparison() -> timing.SeparableComparison:
    return timing.time_separable("cpu", runs=RUNS, warmup=1)


def test_every_node_of_the_model_is_in_exactly_one_kind(measured):
    """The 109 nodes of mobilenet_v2.onnx, each with a kind, and the kinds' node counts add up to all of them."""
    names = [n.name for n in onnx.load(str(model_path("mobilenet_v2"))).graph.node]
    assert len(names) == len(set(names)) == 109
    assert sorted(measured.node_kind) == sorted(names) and sorted(measured.node_ms) == sorted(names)
    rows = [k for k in measured.kinds if k.kind != timing.ADDED]
    assert sum(k.nodes for k in rows) == len(names)
    for k in rows:
        assert k.nodes == sum(1 for kind in measured.node_kind.values() if kind == k.kind)


def test_kinds_add_up_to_every_profiled_kernel(measured):
    """The nodes' credited times plus ORT's own additions are the kernels' total, and each kind sums its nodes."""
    added = measured.kind(timing.ADDED).time_ms
    assert sum(measured.node_ms.values()) + added == pytest.approx(measured.kernels_ms, rel=1e-9)
    for k in measured.kinds:
        if k.kind != timing.ADDED:
            members = [t for name, t in measured.node_ms.items() if measured.node_kind[name] == k.kind]
            assert k.time_ms == pytest.approx(sum(members), rel=1e-9, abs=1e-12)
    assert 0 < measured.kernels_ms <= measured.run_ms * 1.5  # kernels fit in the run (medians of noisy runs)


def test_every_convolution_got_a_kernel_time_on_the_cpu(measured):
    """On the CPU each of the 53 Conv nodes is found in ORT's profile (fused with its ReLU6): none is left at 0."""
    if "CPUExecutionProvider" != measured.providers[0]:
        pytest.skip("kernel names are checked on the CPU provider")
    convs = [n.name for n in graph.nodes() if n.op_type == "Conv"]
    assert all(measured.node_ms[name] > 0 for name in convs), [n for n in convs if measured.node_ms[n] == 0]
    for kind in graph.CONV_KINDS:
        assert measured.kind(kind).gflops > 0


def test_multiplications_per_kind_are_counted_from_the_graph(measured):
    """Each conv kind's multiplications are the sum of its convs' H·W·M·(C/g)·f·f from ONNX shape inference."""
    reference = onnx_conv_layers(model_path("mobilenet_v2"), 224)
    for kind in graph.CONV_KINDS:
        names = [name for name, k in measured.node_kind.items() if k == kind]
        assert measured.kind(kind).macs == sum(reference[name]["macs"] for name in names), kind
    assert measured.macs == sum(layer["macs"] for layer in reference.values())


def _conv_clip_graph() -> list[onnx.NodeProto]:
    return [helper.make_node("Conv", ["x", "w", "b"], ["z"], name="conv"),
            helper.make_node("Clip", ["z", "lo", "hi"], ["a"], name="relu6"),
            helper.make_node("Add", ["a", "x"], ["y"], name="add"),
            helper.make_node("Identity", ["y"], ["out"], name="named")]


def test_a_fused_kernel_is_credited_to_its_conv():
    """ORT's CPU names the fused Conv+Clip kernel after the Clip's output plus _nchwc: its time goes to the Conv;
    the Add folded into it and the removed Identity get 0; a reorder ORT added belongs to no node."""
    kernels = [NodeTiming("a_nchwc", "Conv", "CPU", 40.0), NodeTiming("ReorderOutput_token_1", "ReorderOutput", "CPU", 5.0)]
    time_us, added = timing.credit(_conv_clip_graph(), kernels)
    assert time_us == {"conv": 40.0, "relu6": 0.0, "add": 0.0, "named": 0.0}
    assert [k.name for k in added] == ["ReorderOutput_token_1"]


def test_unfused_kernels_are_credited_by_node_name():
    """Where nothing is fused (another provider), each kernel carries its node's name and the unit sums them."""
    kernels = [NodeTiming("conv", "Conv", "CUDA", 10.0), NodeTiming("relu6", "Clip", "CUDA", 2.0),
               NodeTiming("add", "Add", "CUDA", 3.0)]
    time_us, added = timing.credit(_conv_clip_graph(), kernels)
    assert time_us == {"conv": 12.0, "relu6": 0.0, "add": 3.0, "named": 0.0} and added == []


def test_a_conv_whose_output_is_read_twice_is_not_fused_with_its_clip():
    """If the Conv's output also feeds another node, the Clip is its own unit."""
    nodes = [helper.make_node("Conv", ["x", "w"], ["z"], name="conv"),
             helper.make_node("Clip", ["z"], ["a"], name="relu6"), helper.make_node("Add", ["a", "z"], ["y"], name="add")]
    assert timing.units(nodes) == [("conv",), ("relu6",), ("add",)]


def test_separable_rows_count_with_the_calculator(comparison):
    """Each block's row: the calculator's depthwise, pointwise and normal counts, whose ratio is 1/n_C' + 1/f²."""
    assert [r.block for r in comparison.rows] == list(range(17))
    for r in comparison.rows:
        assert (r.depthwise_macs, r.pointwise_macs) == depthwise_separable_macs(r.n, r.f, r.n_c, r.n_c_out, "same", r.s)
        assert r.normal_macs == normal_conv(r.n, r.f, r.n_c, r.n_c_out, "same", r.s).macs
        assert Fraction(r.depthwise_macs + r.pointwise_macs, r.normal_macs) == r.ratio
        assert r.depthwise_us > 0 and r.pointwise_us > 0 and r.normal_us > 0


def test_separable_graph_holds_the_models_real_weights():
    """The comparison graph's depthwise and projection weights are the committed model's, value for value."""
    model_bytes, inputs = timing.separable_graph()
    built = {i.name: onnx.numpy_helper.to_array(i) for i in onnx.load_from_string(model_bytes).graph.initializer}
    weights = graph.initializers()
    layers = graph.nodes()
    onnx_nodes = {n.name: n for n in graph.load().graph.node}
    for block in graph.blocks():
        for index in (block.depthwise, block.projection):
            name = onnx_nodes[layers[index].name].input[1]
            np.testing.assert_array_equal(built[name], weights[name])
    assert [shape for _, shape in inputs][1] == (1, 96, 112, 112)
