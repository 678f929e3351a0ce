"""MobileNetV2 on ONNX Runtime: the whole network, its kernels grouped by kind, and separable against normal convs.

``cases()`` times whole calls of the committed model. ``measured_rows()`` gives
the per-kind table the page shows, from ONNX Runtime's profiler
(:func:`playground.efficient_convnets.timing.time_model`): one row per kind of
node with its multiplications turned into GFLOP/s; then, from one profiled
graph (:func:`~playground.efficient_convnets.timing.time_separable`), each
block's depthwise + pointwise pair against a normal 3×3 conv of the same
shape, the ratio column being the measured speed-up (normal ÷ separable), with
1/(1/n_C' + 1/f²) in the row's name.
"""

from __future__ import annotations

from bench.core import Case, Row
from playground import runtime
from playground.efficient_convnets import graph, timing

NAME = "mobilenet_v2"


def cases() -> list[Case]:
    x = timing.noise_image()
    macs = sum(n.macs for n in graph.nodes())
    network = timing.network_bytes()
    return [Case(f"{NAME} 224²: final output only", run=lambda: runtime.run_graph(network, {"image": x}, NAME, "cpu"),
                 reference=lambda: runtime.run(NAME, {"image": x}, provider="cpu"),
                 reference_name="asking for all 71 outputs", flops=2.0 * macs)]


def measured_rows(repeat: int) -> list[Row]:
    """The page's per-kind table and the separable-vs-normal comparison, each kernel a median over ``repeat`` runs."""
    model = timing.time_model("cpu", runs=repeat)
    rows = [Row(f"{NAME} kind: {k.label} ({k.nodes} nodes, {k.macs / 1e6:.1f} M mults, profiler)", k.time_ms,
                gflops=k.gflops) for k in model.kinds if k.time_ms > 0]
    rows.append(Row(f"{NAME} all kernels ({model.macs / 1e6:.1f} M mults; whole run {model.run_ms:.2f} ms)",
                    model.kernels_ms, gflops=2 * model.macs / (model.kernels_ms * 1e6)))
    comparison = timing.time_separable("cpu", runs=repeat)
    for r in comparison.rows:
        rows.append(Row(f"block {r.block:2d} {r.n}×{r.n}×{r.n_c}→{r.n_c_out} s{r.s}: dw+pw (mults say "
                        f"{r.theory_speedup:.1f}x)", r.separable_us / 1e3, "normal 3×3 conv, same shape",
                        r.normal_us / 1e3, 2 * (r.depthwise_macs + r.pointwise_macs) / (r.separable_us * 1e3)))
    separable = sum(r.separable_us for r in comparison.rows)
    normal = sum(r.normal_us for r in comparison.rows)
    theory = sum(r.normal_macs for r in comparison.rows) / sum(r.depthwise_macs + r.pointwise_macs for r in comparison.rows)
    rows.append(Row(f"all 17 blocks: dw+pw (mults say {theory:.1f}x)", separable / 1e3, "normal 3×3 convs", normal / 1e3))
    return rows
