"""The network calculator: a network typed as text, one layer a line, summarised like Keras.

The grammar is :data:`GRAMMAR`, one example line per layer kind (the page
shows it as help). Every figure is computed from the formulas in
:mod:`playground.conv_shape` and :mod:`playground.conv_arithmetic.formulas`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playground.conv_arithmetic.formulas import conv_macs, conv_params, dense_params, transposed_conv_output_size
from playground.conv_shape import Axis, ShapeError, whole_number

GRAMMAR = """\
conv f=5 s=1 p=0 c=8      # c filters of f×f; p a number, same or valid; d= dilation
maxpool f=2 s=2           # s defaults to f, p to 0 (p must be smaller than f)
avgpool f=2 s=2
convT f=2 s=2 c=64        # transposed conv; p crops, op= output padding
gap                       # global average pooling: H×W×C → 1×1×C
flatten                   # H×W×C → 1×1×(H·W·C)
fc 120                    # fully connected, flattens first if needed
softmax 10                # a dense layer of 10 units with softmax
# any case, keys in any order; # starts a comment"""

MAX_CHARS = 20_000  # the whole text; longer text is refused before it is split
MAX_LAYERS = 200  # layer lines (blank and comment lines do not count)
MAX_LINE_CHARS = 200  # a layer line, its comment excluded
MAX_NUMBER = 1_000_000  # any number written in a layer line
_MAX_DIGITS = 12  # digits (leading zeros dropped) read with int() at most; longer is too big anyway
MAX_INPUT = 1_000_000  # input H, W or C
MAX_OUTPUT_SIDE = 1_000_000  # any layer's n_H or n_W, before it is called absurd
# Activations, parameters or multiplications of one layer (and of the input). Far past any real
# network, and 200 layers of it still sum within int64, which the page's table and chart use.
MAX_COUNT = 10**15

KINDS = ("conv", "maxpool", "avgpool", "convt", "gap", "flatten", "fc", "softmax")
_KIND_ALIASES = {"conv2d": "conv", "dense": "fc", "globalavgpool": "gap", "convtranspose": "convt"}
_KEY_ALIASES = {"dilation": "d", "stride": "s", "padding": "p", "filters": "c", "units": "n",
                "output_padding": "op"}
# kind: (required keys, optional keys)
_KEYS = {
    "conv": ({"f", "c"}, {"s", "p", "d"}),
    "maxpool": ({"f"}, {"s", "p"}),
    "avgpool": ({"f"}, {"s", "p"}),
    "convt": ({"f", "c"}, {"s", "p", "op"}),
    "gap": (set(), set()),
    "flatten": (set(), set()),
    "fc": ({"n"}, set()),
    "softmax": ({"n"}, set()),
}
_EXAMPLES = {"conv": "conv f=3 s=1 p=same c=16", "maxpool": "maxpool f=2 s=2", "avgpool": "avgpool f=2 s=2",
             "convt": "convT f=2 s=2 c=64", "gap": "gap", "flatten": "flatten", "fc": "fc 120",
             "softmax": "softmax 10"}
_MINIMUM = {"f": 1, "c": 1, "s": 1, "d": 1, "n": 1, "p": 0, "op": 0}
_NAMES = {"f": "f (the filter size)", "c": "c (the number of filters)", "s": "s (the stride)",
          "d": "d (the dilation)", "n": "the number of units", "p": "p (the padding)", "op": "op (output padding)"}
_FLAT_KINDS = ("fc", "softmax", "flatten")
RF_WHOLE = "whole"  # a row's rf once every output number depends on the whole input (gap, flatten, fc)


class SpecError(ShapeError):
    """A line of a network description that cannot be read or cannot work (a ValueError).

    The message names the line number, quotes the line and says what is wrong.
    """

    def __init__(self, line_no: int, line: str, reason: str):
        shown = line.strip()
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        super().__init__(f"line {line_no} (`{shown}`): {reason}" if line_no else reason)


@dataclass(frozen=True)
class _Line:
    """One layer line, read but not yet applied to a shape."""

    no: int  # 1-based line number in the text, blank lines included
    text: str
    kind: str
    args: dict  # key -> int, or "same"/"valid" for p


def _number(line: tuple[int, str], key: str, token: str) -> int | str:
    no, text = line
    if key == "p" and token.lower() in ("same", "valid"):
        return token.lower()
    if not re.fullmatch(r"[0-9]+", token):
        extra = ", same or valid" if key == "p" else ""
        raise SpecError(no, text, f"{_NAMES[key]} must be a whole number{extra}, not `{token[:20]}`")
    digits = token.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS or int(digits) > MAX_NUMBER:
        raise SpecError(no, text, f"{_NAMES[key]} = {digits[:12]}{'…' if len(digits) > 12 else ''} is too big: "
                                  f"numbers here go up to {MAX_NUMBER:,}")
    value = int(digits)
    if value < _MINIMUM[key]:
        why = " (a stride of 0 never moves the window)" if key == "s" else ""
        raise SpecError(no, text, f"{_NAMES[key]} must be at least {_MINIMUM[key]}, not {value}{why}")
    return value


def _parse_line(no: int, raw: str) -> _Line | None:
    """A layer line, or None for a blank or comment line."""
    text = raw.split("#", 1)[0].strip()
    if not text:
        return None
    if len(text) > MAX_LINE_CHARS:
        raise SpecError(no, raw, f"the line is {len(text)} characters long without its comment; "
                                 f"a layer line has at most {MAX_LINE_CHARS}")
    tokens = re.sub(r"\s*=\s*", "=", text.replace(",", " ")).split()
    if not tokens:  # only commas
        return None
    kind = _KIND_ALIASES.get(tokens[0].lower(), tokens[0].lower())
    if kind not in _KEYS:
        raise SpecError(no, raw, f"unknown layer `{tokens[0][:20]}`; use one of: {', '.join(KINDS)} "
                                 "(for example `conv f=3 c=16`, `maxpool f=2`, `fc 120`)")
    required, optional = _KEYS[kind]
    args: dict = {}
    for token in tokens[1:]:
        key, sep, value = token.partition("=")
        if not sep:
            if "n" in required and "n" not in args:  # `fc 120`: the unit count needs no key
                key, value = "n", token
            else:
                raise SpecError(no, raw, f"`{token[:20]}` is not a setting; write settings as key=value, "
                                         f"for example `{_EXAMPLES[kind]}`")
        key = _KEY_ALIASES.get(key.lower(), key.lower())
        if key not in required | optional:
            allowed = ", ".join(sorted(required | optional)) or "no settings"
            raise SpecError(no, raw, f"{kind} has no setting `{key[:20]}` (it takes {allowed}), "
                                     f"for example `{_EXAMPLES[kind]}`")
        if key in args:
            raise SpecError(no, raw, f"`{key}` is given twice")
        args[key] = _number((no, raw), key, value)
    missing = sorted(required - args.keys())
    if missing:
        what = " and ".join(_NAMES[k] for k in missing)
        raise SpecError(no, raw, f"{kind} needs {what}, for example `{_EXAMPLES[kind]}`")
    if kind == "convt" and isinstance(args.get("p"), str):
        raise SpecError(no, raw, "convT takes a number for p (the padding it crops), not same/valid")
    return _Line(no, raw, kind, args)


def parse(spec: str) -> list[_Line]:
    """The layer lines of ``spec``; raises :class:`SpecError` for anything unreadable."""
    if not isinstance(spec, str):
        raise SpecError(0, "", f"the network must be text, not {type(spec).__name__}")
    if len(spec) > MAX_CHARS:
        raise SpecError(0, "", f"the network text is {len(spec):,} characters long; "
                               f"this calculator reads at most {MAX_CHARS:,}")
    lines = []
    for no, raw in enumerate(spec.splitlines(), start=1):
        line = _parse_line(no, raw)
        if line is not None:
            lines.append(line)
            if len(lines) > MAX_LAYERS:
                raise SpecError(no, raw, f"more than {MAX_LAYERS} layers; this calculator stops there")
    if not lines:
        raise SpecError(0, "", "the network has no layers yet: write one layer a line, for example "
                               "`conv f=3 s=1 p=same c=16`")
    return lines


def _padding_text(rows: Axis, cols: Axis, p) -> str:
    """``p=2``, or ``p=same`` with the cells it chose: (1), (1 top/left, 2 bottom/right), or all four sides."""
    if p != "same":
        return f"p={rows.pad_before}"
    (top, bottom), (left, right) = (rows.pad_before, rows.pad_after), (cols.pad_before, cols.pad_after)
    if (top, bottom) != (left, right):
        return f"p=same ({top} top, {bottom} bottom, {left} left, {right} right)"
    return f"p=same ({top})" if top == bottom else f"p=same ({top} top/left, {bottom} bottom/right)"


def _row(line: _Line, layer: str, shape: tuple[int, int, int], params: int, macs: int,
         rf: int | str | None) -> dict:
    """The row of one layer, or a SpecError if its output side or any of its counts is absurd."""
    h, w, c = shape
    if max(h, w) > MAX_OUTPUT_SIDE:
        raise SpecError(line.no, line.text, f"the output would be {h:,}×{w:,}×{c:,}; "
                                            f"this calculator stops at {MAX_OUTPUT_SIDE:,} a side")
    for what, count in (("output numbers", h * w * c), ("parameters", params), ("multiplications", macs)):
        if count > MAX_COUNT:
            raise SpecError(line.no, line.text, f"this layer would have {count:,} {what}; "
                                                "this calculator stops at 10¹⁵ (a million billion)")
    return {"line": line.no, "kind": line.kind, "layer": layer, "output_shape": shape,
            "activation_size": h * w * c, "params": params, "macs": macs, "rf": rf}


def _window(line: _Line, shape, rf, jump):
    """Apply a conv or pooling window to (H, W, C): the two axes, new rf and jump (rf grows only while an int)."""
    h, w, _ = shape
    f, s, d = line.args["f"], line.args.get("s"), line.args.get("d", 1)
    if s is None:
        s = f if line.kind != "conv" else 1  # pooling strides by its size unless told (as Keras)
    p = line.args.get("p", 0)
    try:
        rows, cols = Axis.make(h, f, p, s, d), Axis.make(w, f, p, s, d)
    except ShapeError as err:
        raise SpecError(line.no, line.text, f"{err}; the input to this layer is {h}×{w}×{shape[2]}") from None
    if line.kind != "conv" and max(rows.pad_before, rows.pad_after, cols.pad_before, cols.pad_after) >= f:
        raise SpecError(line.no, line.text, f"pooling needs p smaller than f (here p = {p}, f = {f}): with p ≥ f "
                                            "a window could hold nothing but padding, and ONNX Runtime refuses it")
    if isinstance(rf, int):
        rf, jump = rf + (rows.f_eff - 1) * jump, jump * s
    return rows, cols, p, s, d, rf, jump


def summarize(input_shape: tuple[int, int, int], spec: str) -> list[dict]:
    """Layer-by-layer output shape, activation size, parameters and multiplications.

    Parameters
    ----------
    input_shape : (H, W, C)
        The input volume, n_H × n_W × n_C.
    spec : str
        One layer a line, in the grammar of :data:`GRAMMAR`.

    Returns
    -------
    list of dict, one per layer line
        ``line`` (line number), ``kind``, ``layer`` (the line, normalised),
        ``output_shape`` (H, W, C), (1, 1, units) for fc/softmax,
        ``activation_size`` (H·W·C), ``params`` (weights + biases),
        ``macs`` (multiplications, bias excluded), ``rf`` (receptive field side
        in input pixels; ``RF_WHOLE`` once every output sees the whole input,
        after gap, flatten or fc; None from a transposed conv on, where it is
        not tracked).

    Raises
    ------
    SpecError (a ValueError)
        Naming the line and what is wrong with it; also for a layer whose n_H
        or n_W exceeds ``MAX_OUTPUT_SIDE`` or whose output numbers, parameters
        or multiplications exceed ``MAX_COUNT``.
    """
    try:
        h, w, c = input_shape
        shape = (whole_number("H", h, 1), whole_number("W", w, 1), whole_number("C", c, 1))
    except (TypeError, ValueError) as err:
        raise SpecError(0, "", f"the input shape must be three whole numbers (H, W, C), each at least 1: {err}") from None
    if max(shape) > MAX_INPUT:
        raise SpecError(0, "", f"the input shape {shape} is too big: each of H, W, C goes up to {MAX_INPUT:,}")
    if shape[0] * shape[1] * shape[2] > MAX_COUNT:
        raise SpecError(0, "", f"the input shape {shape} holds {shape[0] * shape[1] * shape[2]:,} numbers; "
                               "this calculator stops at 10¹⁵ (a million billion)")
    rows, rf, jump, flat = [], 1, 1, False
    for line in parse(spec):
        h, w, c = shape
        a = line.args
        if flat and line.kind not in _FLAT_KINDS:
            raise SpecError(line.no, line.text, f"{line.kind} needs a feature map, but an earlier line flattened it; "
                                                "put conv and pooling layers before fc")
        if line.kind in ("conv", "maxpool", "avgpool"):
            ax_h, ax_w, p, s, d, rf, jump = _window(line, shape, rf, jump)
            pad = _padding_text(ax_h, ax_w, p)
            if line.kind == "conv":
                shape = (ax_h.out, ax_w.out, a["c"])
                dil = f" d={d}" if d != 1 else ""
                rows.append(_row(line, f"conv f={a['f']} s={s} {pad}{dil} c={a['c']}", shape,
                                 conv_params(a["f"], c, a["c"]), conv_macs(ax_h.out, ax_w.out, a["f"], c, a["c"]),
                                 rf))
            else:
                shape = (ax_h.out, ax_w.out, c)
                rows.append(_row(line, f"{line.kind} f={a['f']} s={s} {pad}", shape, 0, 0, rf))
        elif line.kind == "convt":
            f, s, p, op = a["f"], a.get("s", 1), a.get("p", 0), a.get("op", 0)
            try:
                out_h, out_w = (transposed_conv_output_size(n, f, p, s, op) for n in (h, w))
            except ShapeError as err:
                raise SpecError(line.no, line.text, f"{err}; the input to this layer is {h}×{w}×{c}") from None
            shape, rf = (out_h, out_w, a["c"]), None  # an output's input patch now depends on where it is: stop
            rows.append(_row(line, f"convT f={f} s={s} p={p} op={op} c={a['c']}", shape,
                             conv_params(f, c, a["c"]), h * w * c * f * f * a["c"], None))
        elif line.kind == "gap":
            shape, rf = (1, 1, c), (None if rf is None else RF_WHOLE)
            rows.append(_row(line, "global average pool", shape, 0, 0, rf))
        elif line.kind == "flatten":
            shape, rf, flat = (1, 1, h * w * c), (None if rf is None else RF_WHOLE), True
            rows.append(_row(line, "flatten", shape, 0, 0, rf))
        else:  # fc, softmax: flatten, then a dense layer
            inputs, units = h * w * c, a["n"]
            shape, rf, flat = (1, 1, units), (None if rf is None else RF_WHOLE), True
            name = "fc" if line.kind == "fc" else "softmax (dense)"
            rows.append(_row(line, f"{name} {units}", shape, dense_params(inputs, units), inputs * units, rf))
    return rows


def totals(rows: list[dict]) -> dict:
    """Sums over layers: ``params``, ``macs`` and ``activations`` (all layers' outputs)."""
    return {"params": sum(r["params"] for r in rows), "macs": sum(r["macs"] for r in rows),
            "activations": sum(r["activation_size"] for r in rows)}


@dataclass(frozen=True)
class Preset:
    """A network to start from: its input volume and its text."""

    name: str
    input_shape: tuple[int, int, int]
    spec: str
    note: str  # one line for the page


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("Course example (39×39×3)", (39, 39, 3),
           "conv f=3 s=1 p=0 c=10\nconv f=5 s=2 p=0 c=20\nconv f=5 s=2 p=0 c=40\n"
           "flatten\nsoftmax 10  # the course ends in a logistic or softmax unit",
           "The course's first ConvNet: n_H, n_W shrink 39 → 37 → 17 → 7 while n_C grows 3 → 10 → 20 → 40."),
    Preset("LeNet-5 (32×32×1)", (32, 32, 1),
           "conv f=5 s=1 p=valid c=6\navgpool f=2 s=2\nconv f=5 s=1 p=valid c=16\navgpool f=2 s=2\n"
           "fc 120\nfc 84\nsoftmax 10",
           "LeCun et al. 1998, as the course draws it: average pooling, 6 then 16 filters, fc 120, fc 84."),
    Preset("AlexNet (227×227×3)", (227, 227, 3),
           "conv f=11 s=4 p=0 c=96\nmaxpool f=3 s=2\nconv f=5 p=same c=256\nmaxpool f=3 s=2\n"
           "conv f=3 p=same c=384\nconv f=3 p=same c=384\nconv f=3 p=same c=256\nmaxpool f=3 s=2\n"
           "fc 4096\nfc 4096\nsoftmax 1000",
           "Krizhevsky et al. 2012 as one tower (the paper split layers over two GPUs, which halves some weights)."),
    Preset("VGG-16 (224×224×3)", (224, 224, 3),
           "\n".join(["conv f=3 p=same c=64"] * 2 + ["maxpool f=2 s=2"] + ["conv f=3 p=same c=128"] * 2
                     + ["maxpool f=2 s=2"] + ["conv f=3 p=same c=256"] * 3 + ["maxpool f=2 s=2"]
                     + ["conv f=3 p=same c=512"] * 3 + ["maxpool f=2 s=2"] + ["conv f=3 p=same c=512"] * 3
                     + ["maxpool f=2 s=2", "fc 4096", "fc 4096", "softmax 1000"]),
           "Simonyan & Zisserman 2014: only 3×3 same convolutions and 2×2 max pools; most parameters sit in fc."),
    Preset("Inception 5×5 branch, direct (28×28×192)", (28, 28, 192),
           "conv f=5 s=1 p=same c=32",
           "32 filters of 5×5×192 on every one of the 28×28 positions."),
    Preset("Inception 5×5 branch, 1×1 bottleneck (28×28×192)", (28, 28, 192),
           "conv f=1 s=1 p=0 c=16   # the bottleneck: 192 → 16 channels\nconv f=5 s=1 p=same c=32",
           "A 1×1 convolution first shrinks 192 channels to 16, so the 5×5 filters are 5×5×16."),
)}
