"""Padding & stride: the pieces one rerun of the padding & stride page does, and their references."""

from __future__ import annotations

from bench.core import Case
from bench.stclient import ChangePlan
from playground.conv_arithmetic import PRESETS, Axis, conv_output_size, shape_probe, summarize, usage_grid

# What the load tool's visitors do on the first tab. The page refuses a filter wider than the
# padded input (s = 0 too) with an error box, as it should; these values never ask for one:
# n >= 5 and an effective filter d(f − 1) + 1 <= 5.
LOAD_PLAN = ChangePlan(values={
    "h": range(5, 10), "w": range(5, 10), "f": (1, 2, 3), "d": (1, 2), "s": (1, 2, 3, 4), "p": (0, 1, 2, 3),
    "pm": ("number", "valid", "same"), "nc": range(1, 9), "k": range(1, 9), "pos": range(1, 17)},
    only_listed=True)

SWEEP = [(n, f, p, s) for n in range(8, 40) for f in (1, 3, 5) for p in (0, 1, 2) for s in (1, 2, 3)]


def _slide_count(n: int, f: int, p: int, s: int) -> int:
    """Brute force: slide a window along n + 2p cells and count the positions."""
    count, start = 0, 0
    while start + f <= n + 2 * p:
        count, start = count + 1, start + s
    return count


def cases() -> list[Case]:
    vgg = PRESETS["VGG-16 (224×224×3)"]
    axis = Axis.make(6, 3)
    return [
        Case(f"conv_output_size: {len(SWEEP)} settings",
             run=lambda: [conv_output_size(*args) for args in SWEEP],
             reference=lambda: [_slide_count(*args) for args in SWEEP], reference_name="sliding window loop"),
        Case("summarize: VGG-16 text (21 layers)", run=lambda: summarize(vgg.input_shape, vgg.spec)),
        Case("usage grid 6×6, f=3 (page default picture)", run=lambda: usage_grid(axis, axis)),
        Case("ORT Conv shape probe 6×6×3, two 3×3 filters (cached session)",
             run=lambda: shape_probe.conv(6, 6, 3, 2, 3, (0, 0, 0, 0), 1, 1, "cpu")),
        Case("ORT ConvTranspose probe 28×28×192 → 56×56×96 (one channel)",
             run=lambda: shape_probe.conv_transpose(28, 28, 192, 96, 2, 0, 2, 0, "cpu")),
    ]
