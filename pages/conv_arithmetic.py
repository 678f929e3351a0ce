"""Padding & stride: output sizes, parameters and multiplications, from one layer to a whole network."""

from __future__ import annotations

import random

import streamlit as st

from pages import _arithmetic_views as views
from pages import _ui
from playground import arithmetic_network as network
from playground import runtime, shape_probe
from playground.arithmetic import (
    Axis, ShapeError, conv_macs, conv_params, same_padding, transposed_conv_output_size, transposed_overlap,
)
from playground.arithmetic_quiz import make_question

TABS = ("One conv layer", "Pooling, 1×1, upsampling", "Whole network", "Check yourself")
PAD_MODES = ("number", "valid", "same")
MAX_SIDE, MAX_CHANNELS, MAX_F, MAX_P, MAX_S, MAX_D = 4096, 4096, 99, 99, 64, 16
PRESET_NAMES = tuple(network.PRESETS)

# URL state, per tab: key -> (default, lo, hi) for ints, or the choices for a pick.
CONV_INTS = {"h": (6, 1, MAX_SIDE), "w": (6, 1, MAX_SIDE), "f": (3, 1, MAX_F), "p": (0, 0, MAX_P),
             "s": (1, 0, MAX_S), "d": (1, 1, MAX_D), "nc": (3, 1, MAX_CHANNELS), "k": (2, 1, MAX_CHANNELS),
             "pos": (1, 1, MAX_SIDE * MAX_SIDE)}
POOL_INTS = {"pl_h": (28, 1, MAX_SIDE), "pl_w": (28, 1, MAX_SIDE), "pl_c": (192, 1, MAX_CHANNELS),
             "pl_f": (2, 1, MAX_F), "pl_s": (2, 1, MAX_S), "k1": (32, 1, MAX_CHANNELS), "tc_f": (2, 1, MAX_F),
             "tc_s": (2, 1, MAX_S), "tc_p": (0, 0, MAX_P), "tc_op": (0, 0, MAX_S - 1), "tc_k": (96, 1, MAX_CHANNELS)}
NET_INTS = {"net_h": (1, 1, network.MAX_INPUT), "net_w": (1, 1, network.MAX_INPUT),
            "net_c": (1, 1, network.MAX_INPUT)}
TAB_KEYS = (["h", "w", "f", "pm", "p", "s", "d", "nc", "k", "pos"],
            list(POOL_INTS) + ["pl_type"], ["net_preset", "net_h", "net_w", "net_c", "net"], ["q"])


def seed_url_state() -> None:
    """Seed every control from the link once, and keep hidden tabs' values alive across reruns."""
    for key, (default, lo, hi) in {**CONV_INTS, **POOL_INTS}.items():
        _ui.url_int(key, default, lo, hi)
    _ui.url_choice("pm", "number", PAD_MODES)
    _ui.url_choice("pl_type", "max", ("max", "avg"))
    preset = network.PRESETS[st.session_state[_ui.url_choice("net_preset", PRESET_NAMES[0], PRESET_NAMES)]]
    for key, value in zip(NET_INTS, preset.input_shape):
        _ui.url_int(key, value, *NET_INTS[key][1:])
    _ui.url_text("net", preset.spec, max_len=network.MAX_CHARS)
    _ui.url_int("q", 1, 0, 999_999)
    for key in sum(TAB_KEYS, []):
        st.session_state[key] = st.session_state[key]  # a widget not drawn this run would lose its value


def show_probe(probe: shape_probe.Probe, expected: tuple[int, int, int]) -> None:
    """The formula's n_H × n_W × n_C beside ONNX Runtime's, with the verdict."""
    if probe.skipped:
        st.info(f"ONNX Runtime check {probe.skipped}.")
        return
    if probe.error:
        st.error(f"Disagreement: the formula gives {expected}, but ONNX Runtime's {probe.op} refused: {probe.error}")
        return
    got = probe.hwc
    same = got[:2] == expected[:2] and (probe.reduced or got[2] == expected[2])
    channels = "1 (run with one channel)" if probe.reduced else got[2]
    st.markdown(f"| | n_H | n_W | n_C |\n|---|---|---|---|\n| formula | {expected[0]} | {expected[1]} | {expected[2]} |\n"
                f"| ONNX Runtime `{probe.op}`, output (N, C, H, W) = {probe.shape} | {got[0]} | {got[1]} | {channels} |")
    if same:
        st.markdown(f":green[**✓ ONNX Runtime agrees.**] It ran a one-node `{probe.op}` graph with these settings.")
    else:
        st.error(f"Disagreement: the formula gives {expected}, ONNX Runtime produced {got}.")


def conv_controls() -> tuple[int, ...]:
    c1, c2 = st.columns(2)
    h = c1.number_input("n_H: input height", 1, MAX_SIDE, key="h")
    w = c2.number_input("n_W: input width", 1, MAX_SIDE, key="w")
    f = c1.number_input("f: filter size", 1, MAX_F, key="f")
    s = c2.number_input("s: stride", 0, MAX_S, key="s", help="0 is allowed so you can see why it cannot work.")
    mode = st.segmented_control("Padding", PAD_MODES, key="pm", required=True,
                                help="A number p pads p cells on every side; valid means p = 0; "
                                     "same pads so that the output is ⌈n/s⌉ (n itself for s = 1).")
    c1, c2 = st.columns(2)
    p = c1.number_input("p: padding per side", 0, MAX_P, key="p", disabled=mode != "number")
    d = c2.number_input("d: dilation", 1, MAX_D, key="d", help="Gaps between the filter's taps; 1 is an ordinary filter.")
    n_c = c1.number_input("n_C: input channels", 1, MAX_CHANNELS, key="nc")
    k = c2.number_input("filters (output channels)", 1, MAX_CHANNELS, key="k")
    return h, w, f, (p if mode == "number" else mode), s, d, n_c, k


def same_explainer(f: int, s: int, d: int, mode: str) -> str:
    """Why "same" is p = (f − 1)/2, what an even f does, and what "same" means with a stride."""
    f_eff = d * (f - 1) + 1
    named = f"f = {f}" if d == 1 else f"f_eff = {f_eff}"
    if f_eff % 2:
        text = (f"**\"same\" with {named}**: p = (f − 1)/2 = ({f_eff} − 1)/2 = {(f_eff - 1) // 2} on every side, so "
                "n + 2p − f + 1 = n. An odd filter has a centre cell and pads both sides equally, "
                "one reason filters are usually odd.")
    else:
        before, after = same_padding(12, f, 1, d)  # with stride 1 the split does not depend on n
        text = (f"**\"same\" with {named}**: (f − 1)/2 = {(f_eff - 1) / 2:g} is not a whole number. The total "
                f"padding f − 1 = {f_eff - 1} is split {before} before and {after} after: the extra row goes at the "
                "bottom and the extra column at the right (TensorFlow/Keras, ONNX `SAME_UPPER`, PyTorch). "
                "Odd filters avoid this asymmetry, and have a centre cell.")
    if s > 1 and mode == "same":
        text += (f" With stride {s}, \"same\" means an output of ⌈n/s⌉: the total padding is "
                 "max((⌈n/s⌉ − 1)·s + f − n, 0), any extra cell again at the bottom/right.")
    return text


def stride_notes(rows: Axis, cols: Axis) -> None:
    """Say which input rows/columns no window reads (a stride that does not divide evenly, or dilation gaps)."""
    for name, axis in (("rows", rows), ("columns", cols)):
        unread = axis.unread_inputs()
        if len(unread) == 0:
            continue
        why = (f"n + padding − f_eff = {axis.padded - axis.f_eff} is not a multiple of s = {axis.s}, so the last "
               f"window stops {axis.leftover} cell(s) short of the end" if axis.leftover else
               f"the filter's taps are {axis.dilation} apart and the stride is {axis.s}, so some cells fall between taps")
        st.warning(f"Input {name} never read: **{views.index_ranges(unread)}** (of 1…{axis.n}). "
                   f"{why.capitalize()}: whatever is there cannot affect the output.")


def window_step(rows: Axis, cols: Axis) -> None:
    """Step the window over the output cells; the receptive field and the usage counts."""
    st.subheader("Step through the sliding window")
    positions = rows.out * cols.out
    st.session_state["pos"] = min(st.session_state["pos"], positions)
    if positions > 1:
        st.slider("Output cell, in reading order", 1, positions, key="pos")
    i, j = divmod(st.session_state["pos"] - 1, cols.out)
    tap_r, tap_c = rows.taps(i) - rows.pad_before, cols.taps(j) - cols.pad_before
    st.markdown(f"Output cell **(row {i + 1}, column {j + 1})** is computed from input rows "
                f"**{views.index_ranges(tap_r)}** and columns **{views.index_ranges(tap_c)}**: its receptive field "
                "(numbers ≤ 0 or past the input's edge are padding).")
    if not views.drawable(rows, cols):
        st.info(f"The padded input is {rows.padded}×{cols.padded}: too many cells to draw legibly "
                f"(the picture is drawn up to {views.MAX_DRAWN_SIDE} per side).")
        return
    c1, c2 = st.columns([3, 2])
    c1.plotly_chart(views.window_figure(rows, cols, i, j), key="window_fig", config={"displayModeBar": False})
    c2.plotly_chart(views.output_figure(rows.out, cols.out, i, j), key="output_fig", config={"displayModeBar": False})
    st.plotly_chart(views.usage_figure(rows, cols), key="usage_fig", config={"displayModeBar": False})
    st.caption("Corner cells are read by one window, central cells by up to f·f windows (for s = 1): without padding "
               "the edges count for less. Padding cells are grey; red cells are input that no window reads.")


def conv_tab() -> None:
    left, right = st.columns([1, 2], gap="large")
    with left:
        h, w, f, pad, s, d, n_c, k = conv_controls()
        mode = st.session_state["pm"]
    with right:
        try:
            rows, cols = Axis.make(h, f, pad, s, d), Axis.make(w, f, pad, s, d)
        except ShapeError as err:
            hint = (" A stride of 0 would leave the window in place forever." if s == 0 else
                    " Use a smaller filter, or pad more: \"same\" padding always fits.")
            st.error(f"This layer cannot work: {err}.{hint}")
            return
        params, macs = conv_params(f, n_c, k), conv_macs(rows.out, cols.out, f, n_c, k)
        m1, m2, m3 = st.columns(3)
        m1.metric("Output n_H × n_W × n_C", f"{rows.out} × {cols.out} × {k}")
        m2.metric("Parameters", views.compact(params), help=f"Exactly {params:,}.")
        m3.metric("Multiplications", views.compact(macs), help=f"Exactly {macs:,}.")
        if d > 1:
            st.latex(views.dilation_latex(rows))
        st.latex(views.size_latex(rows, cols))
        st.latex(views.params_latex(f, n_c, k, params))
        st.latex(views.macs_latex(rows.out, cols.out, f, n_c, k, macs))
        st.markdown(same_explainer(f, s, d, mode))
        stride_notes(rows, cols)
        with runtime.record_runs() as runs:
            pads = (rows.pad_before, cols.pad_before, rows.pad_after, cols.pad_after)
            probe = shape_probe.conv(h, w, n_c, k, f, pads, s, d, (rows.out, cols.out), _ui.provider())
        show_probe(probe, (rows.out, cols.out, k))
        _ui.show_runs(runs)
    window_step(rows, cols)


def pool_tab() -> None:
    st.markdown("Pooling, global average pooling, 1×1 convolutions and transposed convolutions, each on one input "
                "volume, each checked against ONNX Runtime.")
    c1, c2, c3 = st.columns(3)
    h = c1.number_input("n_H", 1, MAX_SIDE, key="pl_h")
    w = c2.number_input("n_W", 1, MAX_SIDE, key="pl_w")
    n_c = c3.number_input("n_C", 1, MAX_CHANNELS, key="pl_c")
    with runtime.record_runs() as runs:
        pooling(h, w, n_c)
        global_pool(h, w, n_c)
        one_by_one(h, w, n_c)
        transposed(h, w, n_c)
    _ui.show_runs(runs)


def pooling(h: int, w: int, n_c: int) -> None:
    st.subheader("Max and average pooling")
    c1, c2, c3 = st.columns(3)
    kind = c1.segmented_control("Type", ("max", "avg"), key="pl_type", required=True)
    f = c2.number_input("f", 1, MAX_F, key="pl_f")
    s = c3.number_input("s", 1, MAX_S, key="pl_s")
    try:
        rows, cols = Axis.make(h, f, 0, s), Axis.make(w, f, 0, s)
    except ShapeError as err:
        st.error(f"This pooling cannot work: {err}.")
        return
    st.latex(views.size_latex(rows, cols))
    st.markdown(f"Output **{rows.out} × {cols.out} × {n_c}**: pooling works on each channel alone, so n_C stays "
                f"{n_c}. It has hyperparameters (f, s) but **0 parameters**: nothing to learn.")
    probe = shape_probe.pool(kind, h, w, n_c, f, (0, 0, 0, 0), s, (rows.out, cols.out), _ui.provider())
    show_probe(probe, (rows.out, cols.out, n_c))


def global_pool(h: int, w: int, n_c: int) -> None:
    st.subheader("Global average pooling")
    st.markdown(f"One average per channel over the whole {h}×{w} map: **{h} × {w} × {n_c} → 1 × 1 × {n_c}**, "
                "0 parameters. It replaces flatten + fc at the end of many modern networks.")
    show_probe(shape_probe.global_average_pool(h, w, n_c, _ui.provider()), (1, 1, n_c))


def one_by_one(h: int, w: int, n_c: int) -> None:
    st.subheader("1×1 convolution")
    k = st.number_input("Filters", 1, MAX_CHANNELS, key="k1")
    params, macs = conv_params(1, n_c, k), conv_macs(h, w, 1, n_c, k)
    st.markdown(f"Each output number mixes the {n_c} channels at one position: **{h} × {w} × {n_c} → "
                f"{h} × {w} × {k}**. It changes n_C and leaves n_H, n_W alone: the Inception bottleneck.")
    st.latex(views.params_latex(1, n_c, k, params))
    st.latex(views.macs_latex(h, w, 1, n_c, k, macs))
    show_probe(shape_probe.conv(h, w, n_c, k, 1, (0, 0, 0, 0), 1, 1, (h, w), _ui.provider()), (h, w, k))


def transposed(h: int, w: int, n_c: int) -> None:
    st.subheader("Transposed convolution (upsampling, as in U-Net)")
    c = st.columns(5)
    f = c[0].number_input("f", 1, MAX_F, key="tc_f")
    s = c[1].number_input("s", 1, MAX_S, key="tc_s")
    p = c[2].number_input("p", 0, MAX_P, key="tc_p")
    op = c[3].number_input("output padding", 0, MAX_S - 1, key="tc_op")
    k = c[4].number_input("filters", 1, MAX_CHANNELS, key="tc_k")
    try:
        out_h, out_w = (transposed_conv_output_size(n, f, p, s, op) for n in (h, w))
    except ShapeError as err:
        st.error(f"This transposed convolution cannot work: {err}.")
        return
    st.latex(rf"n_H^{{[l]}} = (n_H^{{[l-1]}} - 1)\,s - 2p + f + \text{{output\_padding}} = "
             rf"({h} - 1)\cdot {s} - 2\cdot {p} + {f} + {op} = {out_h}")
    st.markdown(f"Each input number stamps a {f}×{f} filter onto the output, the stamps {s} apart: **{h} × {w} × "
                f"{n_c} → {out_h} × {out_w} × {k}**, with ({f}·{f}·{n_c} + 1)·{k} = {conv_params(f, n_c, k):,} "
                "parameters.")
    show_probe(shape_probe.conv_transpose(h, w, n_c, k, f, p, s, op, _ui.provider()), (out_h, out_w, k))
    counts_h, counts_w = transposed_overlap(h, f, p, s, op), transposed_overlap(w, f, p, s, op)
    st.plotly_chart(views.overlap_figure(counts_h, counts_w), key="overlap_fig", config={"displayModeBar": False})
    even = "the same number of" if counts_h.min() == counts_h.max() and counts_w.min() == counts_w.max() else "uneven"
    st.caption(f"Top-left corner of the output: cells receive {even} stamps. When f is not a multiple of s "
               "the counts alternate, which is where the checkerboard artefacts of upsampling come from.")


def load_preset() -> None:
    preset = network.PRESETS[st.session_state["net_preset"]]
    st.session_state["net"] = preset.spec
    st.session_state["net_h"], st.session_state["net_w"], st.session_state["net_c"] = preset.input_shape


def network_tab() -> None:
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.selectbox("Start from", PRESET_NAMES, key="net_preset", on_change=load_preset)
        c = st.columns(3)
        shape = tuple(c[n].number_input(label, 1, network.MAX_INPUT, key=key)
                      for n, (label, key) in enumerate((("n_H", "net_h"), ("n_W", "net_w"), ("n_C", "net_c"))))
        text = st.text_area("Layers, one a line", key="net", height=300, max_chars=network.MAX_CHARS)
        with st.expander("How to write a network"):
            st.code(network.__doc__.split("::", 1)[1].split("Every figure", 1)[0].strip("\n"), language=None)
    with right:
        preset = network.PRESETS[st.session_state["net_preset"]]
        st.caption(preset.note if (text, shape) == (preset.spec, preset.input_shape) else
                   f"Edited from {preset.name}.")
        try:
            rows = network.summarize(shape, text)
        except ShapeError as err:
            st.error(f"The network cannot be computed: {err}")
            return
        total = network.totals(rows)
        m = st.columns(3)
        m[0].metric("Parameters", views.compact(total["params"]), help=f"Exactly {total['params']:,}.")
        m[1].metric("Multiplications", views.compact(total["macs"]), help=f"Exactly {total['macs']:,}.")
        m[2].metric("Activations (all layers)", views.compact(total["activations"]),
                    help=f"Exactly {total['activations']:,} numbers output by the layers for one image "
                    "(input excluded); 4 bytes each in float32.")
        if preset.name.startswith("Inception"):
            inception_comparison()
        st.plotly_chart(views.network_figure(shape, rows), key="net_fig", config={"displayModeBar": False})
    st.dataframe(table(shape, rows), hide_index=True, height=min(36 * (len(rows) + 2), 900), column_config={
        c: st.column_config.NumberColumn(format="localized")
        for c in ("activation size", "parameters", "multiplications")})
    st.caption("Receptive field: the side of the input patch one output number depends on, growing by "
               "(f − 1)·(product of earlier strides) at each conv or pooling layer.")


def table(shape: tuple[int, int, int], rows: list[dict]) -> list[dict]:
    """The Keras-summary-like rows, with the input first."""
    def rf(r):
        return f"{r['rf']}×{r['rf']}" if r["rf"] else ("—" if r["kind"] == "convt" else "whole input")
    first = {"line": "", "layer": "input", "output shape": "×".join(map(str, shape)),
             "activation size": shape[0] * shape[1] * shape[2], "parameters": 0, "multiplications": 0,
             "receptive field": "1×1"}
    return [first] + [{"line": str(r["line"]), "layer": r["layer"], "output shape": "×".join(map(str, r["output_shape"])),
                       "activation size": r["activation_size"], "parameters": r["params"],
                       "multiplications": r["macs"], "receptive field": rf(r)} for r in rows]


def inception_comparison() -> None:
    direct, bottleneck = (network.totals(network.summarize(p.input_shape, p.spec))
                          for p in network.PRESETS.values() if p.name.startswith("Inception"))
    st.markdown(f"**Direct vs bottleneck** on 28×28×192: {direct['macs']:,} against {bottleneck['macs']:,} "
                f"multiplications ({direct['macs'] / bottleneck['macs']:.1f}× fewer), {direct['params']:,} "
                f"against {bottleneck['params']:,} parameters.")


def new_question() -> None:
    st.session_state["q"] = random.randrange(1_000_000)
    st.session_state["q_ans"] = None


def quiz_tab() -> None:
    question = make_question(st.session_state["q"])
    st.markdown(f"**Question {question.seed}.** {question.text}")
    guess = st.number_input("Your answer", min_value=0, value=None, step=1, key="q_ans")
    _ui.check_answer(guess, question.answer, key="q", explanation=question.explanation)
    st.button("New question", key="q_new", on_click=new_question)
    st.caption("The question number is in the link: share it to ask someone the same question.")


st.title("Padding & stride")
st.markdown(
    "An **n × n** input, an **f × f** filter, padding **p** and stride **s** give an output of "
    "**⌊(n + 2p − f)/s⌋ + 1** per side. Change the numbers and watch the window slide; see why \"valid\" and "
    "\"same\" exist and why f is usually odd; then add up shapes, parameters and multiplications through a network. "
    "Every shape is also checked by running the same layer on ONNX Runtime.")
seed_url_state()
_ui.url_notice()
_ui.url_choice("tab", TABS[0], TABS)
tabs = st.tabs(TABS, key="tab", on_change="rerun")
for tab, draw in zip(tabs, (conv_tab, pool_tab, network_tab, quiz_tab)):
    if tab.open:
        with tab:
            draw()
_ui.sync_url(["tab"] + TAB_KEYS[TABS.index(st.session_state["tab"])])
