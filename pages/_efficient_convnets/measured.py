"""The cheap-networks page's fourth tab: FLOPs are not time, measured on the real MobileNetV2.

The profile is taken once per server process and provider (a few seconds) and
shared by every visitor; after that the tab only draws cached numbers.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pages._efficient_convnets import figures, latex
from pages._efficient_convnets.state import sync_url
from pages._shared import format as fmt
from pages._shared import plot, ui
from playground import runtime
from playground.efficient_convnets import depthwise_separable, graph, normal_conv, timing

CONV_KINDS = [k for k in graph.CONV_KINDS if k != "head"]  # the head is 0.04% of the work: too small to chart


@dataclass(frozen=True)
class Measurement:
    model: timing.ModelTiming
    separable: timing.SeparableComparison
    taken: str  # when, in the server's local time
    seconds: float  # how long the measuring took


@st.cache_resource(show_spinner=False, max_entries=2)
def views(providers: tuple[str, ...]) -> dict:
    """The tab's tables and figures, built once per measurement (plotly validates a dict on every draw)."""
    result = measure(providers)
    model = result.model
    return {"kinds": pd.DataFrame(kind_table(model)), "separable": pd.DataFrame(separable_rows(result.separable)),
            "shares": go.Figure(figures.kind_shares(model, CONV_KINDS)),
            "speeds": go.Figure(figures.kind_speeds(model, CONV_KINDS)),
            "speedups": go.Figure(figures.speedups(result.separable))}


@st.cache_resource(show_spinner=False, max_entries=2)
def measure(providers: tuple[str, ...]) -> Measurement:
    """Profile the model and the separable-vs-normal graph on these providers (once per process)."""
    choice = "cuda" if runtime.CUDA in providers else "cpu"
    start = time.perf_counter()
    model = timing.time_model(choice)
    separable = timing.time_separable(choice)
    return Measurement(model, separable, time.strftime("%Y-%m-%d %H:%M"), time.perf_counter() - start)


def note(row: timing.KindTiming) -> str:
    """Why a kind has no time of its own, in words."""
    if row.kind == timing.ADDED:
        return "NCHW ↔ NCHWc layout changes"
    if row.without_kernel < row.nodes:
        return ""
    return {"relu6": "no kernel: inside the conv before it", "add": "no kernel: folded into the projection conv",
            "identity": "no kernel: ORT removes them"}.get(row.kind, "no kernel: fused or removed by ORT")


def kind_table(model: timing.ModelTiming) -> list[dict]:
    total_macs, total_ms = model.macs, model.kernels_ms
    return [{"kind": row.label, "nodes": row.nodes, "multiplications": row.macs,
             "% of mults": round(100 * row.macs / total_macs, 1), "time (ms)": round(row.time_ms, 3),
             "% of time": round(100 * row.time_ms / total_ms, 1),
             "GFLOP/s": f"{row.gflops:.0f}" if row.gflops else "", "note": note(row)} for row in model.kinds]


def findings(model: timing.ModelTiming) -> str:
    dw, pw = model.kind("depthwise"), [model.kind("expansion"), model.kind("projection")]
    pw_macs, pw_ms = sum(r.macs for r in pw), sum(r.time_ms for r in pw)
    if not dw.gflops or pw_ms <= 0:
        return "The profiler reported no time for the depthwise or 1×1 convolutions on this provider."
    pw_gflops = 2 * pw_macs / (pw_ms * 1e6)
    return (f"The depthwise convolutions do **{100 * dw.macs / model.macs:.0f}%** of the multiplications but take "
            f"**{100 * dw.time_ms / model.kernels_ms:.0f}%** of the time: they run at **{dw.gflops:.0f} GFLOP/s**, "
            f"against **{pw_gflops:.0f} GFLOP/s** for the 1×1 convolutions ({pw_gflops / dw.gflops:.1f}× faster per "
            "multiplication). A depthwise filter uses each number it reads for only f² = 9 multiplications, and a 1×1 "
            "convolution for n_C' of them, so the depthwise layers spend their time waiting for memory, not "
            "multiplying.")


def separable_rows(comparison: timing.SeparableComparison) -> list[dict]:
    return [{"block": r.block, "input": f"{r.n}×{r.n}×{r.n_c}", "n_C'": r.n_c_out, "s": r.s,
             "normal mults": r.normal_macs, "dw+pw mults": r.depthwise_macs + r.pointwise_macs,
             "dw µs": round(r.depthwise_us), "pw µs": round(r.pointwise_us), "normal µs": round(r.normal_us),
             "promised ×": round(r.theory_speedup, 2), "measured ×": round(r.measured_speedup, 2)}
            for r in comparison.rows]


def comparison_summary(comparison: timing.SeparableComparison) -> str:
    rows = comparison.rows
    measured = sum(r.normal_us for r in rows) / sum(r.separable_us for r in rows)
    promised = sum(r.normal_macs for r in rows) / sum(r.depthwise_macs + r.pointwise_macs for r in rows)
    short = sum(r.measured_speedup < r.theory_speedup for r in rows)
    return (f"All 17 blocks together: the pairs take **{measured:.1f}×** less time than the normal convolutions, for "
            f"**{promised:.1f}×** fewer multiplications. In {short} of the 17 blocks the pair gains less than its "
            "multiplications promise: the slow depthwise step eats part of the saving. Where it gains more, the normal "
            "convolution is itself far from the CPU's best: few output positions, a large block of weights to read.")


@st.fragment
def worked_block(comparison: timing.SeparableComparison) -> None:
    """One block's promise against its measurement; moving the slider reruns only this."""
    k = st.slider("Work it out for block", 0, len(comparison.rows) - 1, key="sep_b")
    sync_url()
    r = comparison.rows[k]
    depthwise, pointwise = depthwise_separable(r.n, r.f, r.n_c, r.n_c_out, "same", r.s)
    normal = normal_conv(r.n, r.f, r.n_c, r.n_c_out, "same", r.s)
    st.latex(rf"\frac{{1}}{{n_C'}} + \frac{{1}}{{f^2}} = \frac{{1}}{{{r.n_c_out}}} + \frac{{1}}{{{r.f * r.f}}} = "
             rf"{latex.fraction(r.ratio)} \Rightarrow {r.theory_speedup:.2f}\times\ \text{{fewer multiplications}}")
    st.latex(rf"\text{{measured: }} \frac{{t_{{normal}}}}{{t_{{dw}} + t_{{pw}}}} = \frac{{{r.normal_us:.0f}}}"
             rf"{{{r.depthwise_us:.0f} + {r.pointwise_us:.0f}}}\ \mu s = {r.measured_speedup:.2f}\times")
    st.markdown(
        f"Multiplications per number moved (input + output + weights): depthwise **{depthwise.intensity:.1f}**, "
        f"pointwise **{pointwise.intensity:.1f}**, the normal conv **{normal.intensity:.0f}**. The fewer "
        "multiplications a layer does per number it reads and writes, the less of the CPU's arithmetic it can keep busy.")


def show() -> None:
    st.header("FLOPs are not time: the real MobileNetV2, measured")
    st.markdown(
        "Counting multiplications tells you how much arithmetic a network needs, not how long it takes. Here the "
        "committed MobileNetV2 (pretrained weights, 224×224 input) runs on ONNX Runtime with its profiler on, every "
        "kernel is credited to the nodes of the graph it stands for, and the nodes are grouped by kind. The "
        "multiplications are counted from the graph's own weight shapes.")
    plan = runtime.plan_providers(ui.provider(), runtime.available_providers())
    with st.spinner("Timing MobileNetV2 kernel by kernel, and the same blocks as normal convolutions (once per "
                    "server, a few seconds)…"):
        result = measure(plan.providers)
        drawn = views(plan.providers)
    model = result.model
    if runtime.CUDA in model.providers:
        st.info("On the GPU, ONNX Runtime's profiler (in the pip builds) times each kernel's launch on the CPU, not the "
                "GPU's work: the per-kind times below are only indicative there. The whole-run time is real.")
    m = st.columns(4)
    m[0].metric("Whole run", f"{model.run_ms:.1f} ms", help="Median over the profiled runs, as ORT's profiler timed it.")
    m[1].metric("Multiplications", fmt.compact(model.macs), help=f"Exactly {model.macs:,} multiply-adds.")
    m[2].metric("Overall", f"{2 * model.macs / (model.run_ms * 1e6):.0f} GFLOP/s")
    m[3].metric("Nodes in the graph", f"{len(model.node_kind)}", help="Every one of them is in exactly one row below.")
    st.dataframe(drawn["kinds"], hide_index=True, height=35 * (len(model.kinds) + 1) + 3, column_config={
        "note": st.column_config.TextColumn(width="large"),
        "multiplications": st.column_config.NumberColumn(format="localized")})
    st.markdown(findings(model))
    left, right = st.columns(2)
    with left:
        plot.chart(drawn["shares"], "kind_shares")
    with right:
        plot.chart(drawn["speeds"], "kind_speeds")
    st.caption(
        f"Provider: {', '.join(model.providers)}; median of {model.runs} profiled runs per kernel, measured "
        f"{result.taken} on this server ({os.cpu_count()} cores) in {result.seconds:.1f} s, then shared by every "
        f"visitor. Kernels add up to {model.kernels_ms:.2f} ms; the rest of the whole run is the executor between "
        "them. The model is timed with only its final output; the block viewer asks for every block's steps too, "
        "which costs ORT a layout conversion each. On a busy server the times wobble: compare kinds, not decimals."
        + (f" {model.note}" if model.note else ""))

    st.header("The same blocks as normal convolutions")
    st.markdown(
        "For each of the 17 blocks, its real depthwise 3×3 (with ReLU6) and projection 1×1 against one normal 3×3 "
        "convolution from the same input to the same channels (random weights: only its speed matters), in one "
        "profiled graph. In multiplications the pair is 1/(1/n_C' + 1/f²) times cheaper.")
    comparison = result.separable
    st.dataframe(drawn["separable"], hide_index=True, height=35 * (len(comparison.rows) + 1) + 3, column_config={
        c: st.column_config.NumberColumn(format="localized") for c in ("normal mults", "dw+pw mults")})
    plot.chart(drawn["speedups"], "speedups")
    st.markdown(comparison_summary(comparison))
    worked_block(comparison)
