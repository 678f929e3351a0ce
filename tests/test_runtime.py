"""The ONNX Runtime layer: provider choice, CUDA fallback, sharing and thread safety."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from playground import runtime
from playground.runtime import CPU, CUDA, ProviderPlan, plan_providers, start_session


@pytest.mark.parametrize("choice, available, providers, has_note", [
    ("auto", [CUDA, CPU], (CUDA, CPU), False),
    ("auto", [CPU], (CPU,), True),
    ("cuda", [CUDA, CPU], (CUDA, CPU), False),
    ("cuda", [CPU], (CPU,), True),
    ("cpu", [CUDA, CPU], (CPU,), False),
    ("cpu", [CPU], (CPU,), False),
])
def test_plan_providers(choice, available, providers, has_note):
    """Auto and CUDA ask for CUDA only when it is offered; the CPU is always the fallback."""
    plan = plan_providers(choice, available)
    assert plan.providers == providers
    assert (plan.note is not None) == has_note


def test_plan_providers_rejects_unknown_choice():
    """A typo in the choice is an error, not a silent CPU run."""
    with pytest.raises(ValueError, match="provider must be one of"):
        plan_providers("tpu", [CPU])


class FakeSession:
    """Stands in for InferenceSession on a machine without a GPU."""

    def __init__(self, providers):
        self._providers = providers

    def get_providers(self):
        return list(self._providers)


def test_fallback_when_cuda_session_fails_to_start():
    """A CUDA session that raises ends on the CPU with a note naming the failure."""
    asked = []

    def factory(source, sess_options, providers):
        asked.append(tuple(providers))
        if CUDA in providers:
            raise RuntimeError("libcublas.so.12: cannot open shared object file")
        return FakeSession(providers)

    loaded = start_session("m.onnx", ProviderPlan("auto", (CUDA, CPU), None), factory)
    assert asked == [(CUDA, CPU), (CPU,)]
    assert loaded.providers == (CPU,)
    assert "failed to start" in loaded.note and "RuntimeError" in loaded.note


def test_fallback_when_cuda_session_starts_without_cuda():
    """ORT may start a session with only the CPU provider; that is reported as a fallback too."""
    loaded = start_session("m.onnx", ProviderPlan("cuda", (CUDA, CPU), None),
                           lambda source, sess_options, providers: FakeSession([CPU]))
    assert loaded.providers == (CPU,)
    assert "did not start" in loaded.note


def test_cuda_session_kept_when_it_starts():
    """When CUDA starts, the session is used as is, with no note."""
    loaded = start_session("m.onnx", ProviderPlan("auto", (CUDA, CPU), None),
                           lambda source, sess_options, providers: FakeSession(providers))
    assert loaded.providers == (CUDA, CPU)
    assert loaded.note is None


def _add_one_graph() -> bytes:
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "one"], ["y"])], "add_one",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"])],
        [helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 10
    onnx.checker.check_model(model)
    return model.SerializeToString()


def test_run_graph_computes_and_records():
    """A graph built on the fly runs on ORT, and the run is recorded with its provider."""
    x = np.arange(5, dtype=np.float32)
    with runtime.record_runs() as runs:
        out = runtime.run_graph(_add_one_graph(), {"x": x}, label="add_one", provider="cpu")
    np.testing.assert_array_equal(out["y"], x + 1)
    assert [(r.model, r.provider) for r in runs] == [("add_one", CPU)]
    assert runs[0].latency_ms > 0


def test_nested_recorders_share_calls_unless_the_inner_one_is_alone():
    """A call is recorded by every enclosing block; an ``alone`` block keeps its calls from the outer ones
    (how a page section lists only its own calls), and calls after it reach the outer block again."""
    x = np.arange(3, dtype=np.float32)
    graph = _add_one_graph()
    with runtime.record_runs() as outer:
        runtime.run_graph(graph, {"x": x}, label="first", provider="cpu")
        with runtime.record_runs() as inner:
            runtime.run_graph(graph, {"x": x}, label="shared", provider="cpu")
        with runtime.record_runs(alone=True) as section:
            runtime.run_graph(graph, {"x": x}, label="own", provider="cpu")
        runtime.run_graph(graph, {"x": x}, label="last", provider="cpu")
    assert [r.model for r in outer] == ["first", "shared", "last"]
    assert [r.model for r in inner] == ["shared"] and [r.model for r in section] == ["own"]


def test_committed_model_session_is_shared():
    """Each model is loaded once per process: two calls get the same session object."""
    assert runtime.get_session("conv2d", "cpu").session is runtime.get_session("conv2d", "cpu").session


def test_concurrent_runs_match_serial_and_records_stay_per_thread():
    """Many threads share one session: results equal the serial ones and no thread sees another's records."""
    rng = np.random.default_rng(0)
    feeds = [{"x": rng.standard_normal((1, 2, 40, 40)).astype(np.float32),
              "w": rng.standard_normal((3, 2, 3, 3)).astype(np.float32),
              "b": rng.standard_normal(3).astype(np.float32),
              "pads": np.ones(4, np.int64), "strides": np.ones(2, np.int64)} for _ in range(16)]
    serial = [runtime.run("conv2d", f, provider="cpu")["y"] for f in feeds]
    barrier = threading.Barrier(8)

    def work(i):
        if i < 8:  # the first eight calls start together
            barrier.wait()
        with runtime.record_runs() as runs:
            y = runtime.run("conv2d", feeds[i], provider="cpu")["y"]
        return y, len(runs)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(16)))
    for (y, n_runs), expected in zip(results, serial):
        np.testing.assert_array_equal(y, expected)
        assert n_runs == 1


def test_graph_cache_is_bounded(monkeypatch):
    """Graphs built from learner input cannot grow the cache without limit."""
    monkeypatch.setattr(runtime, "MAX_CACHED_GRAPHS", 3)
    cache = runtime._SessionCache()
    plan = plan_providers("cpu", [CPU])
    for k in range(6):
        graph = helper.make_graph(
            [helper.make_node("Add", ["x", "c"], ["y"])], f"g{k}",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
            [helper.make_tensor("c", TensorProto.FLOAT, [1], [float(k)])])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
        model.ir_version = 10
        cache.graph(model.SerializeToString(), plan)
    assert len(cache._graphs) == 3


def test_profile_graph_times_each_kernel_and_leaves_no_trace_file(tmp_path, monkeypatch):
    """A Conv → Relu graph profiled on the CPU: kernel times for the timed runs only, and the trace file is gone."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the profiler's temporary folder goes
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = onnx.numpy_helper.from_array(np.ones((3, 2, 3, 3), np.float32), "w")
    graph = helper.make_graph([helper.make_node("Conv", ["x", "w"], ["z"], name="conv", pads=[1, 1, 1, 1]),
                               helper.make_node("Relu", ["z"], ["y"], name="relu")], "g", [x], [y], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 10
    profile = runtime.profile_graph(model.SerializeToString(), {"x": np.ones((1, 2, 8, 8), np.float32)},
                                    runs=4, warmup=2, provider="cpu")
    assert profile.runs == 4 and profile.providers[0] == CPU and profile.run_ms > 0
    assert profile.nodes and all(n.median_us >= 0 and n.provider == CPU for n in profile.nodes)
    assert {n.op_type for n in profile.nodes} <= {"Conv", "Relu", "FusedConv", "ReorderInput", "ReorderOutput"}
    assert list(tmp_path.iterdir()) == []
