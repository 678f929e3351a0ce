"""Formula text for the edge-filter page, in the learner's numbers (KaTeX strings, no widgets)."""

from __future__ import annotations

import numpy as np

from pages._shared import format as fmt
from playground import edge_filters
from playground.conv_shape import conv_output_size


def size_latex(n_h: int, n_w: int, f: int, p: int, s: int) -> str:
    """⌊(n + 2p − f)/s⌋ + 1 for both sides with the learner's numbers."""
    def size(n: int) -> str:
        try:
            return str(conv_output_size(n, f, p, s))
        except ValueError:
            return r"\text{none: the kernel does not fit}"

    out_h, out_w = size(n_h), size(n_w)
    return (rf"n_H' = \left\lfloor \frac{{{n_h} + 2\cdot{p} - {f}}}{{{s}}} \right\rfloor + 1 = {out_h}"
            rf",\qquad n_W' = \left\lfloor \frac{{{n_w} + 2\cdot{p} - {f}}}{{{s}}} \right\rfloor + 1 = {out_w}")


def patch_latex(patch: edge_filters.Patch, kernel: np.ndarray, value: float, i: int, j: int) -> str:
    """patch ⊙ kernel = products, then the sum written out (f ≤ 3) and the model's output; (i, j) count from 1."""
    lhs = (rf"\text{{patch}}_{{{i},{j}}} \odot K = {fmt.bmatrix(patch.values)} \odot {fmt.bmatrix(kernel)} "
           rf"= {fmt.bmatrix(patch.products)}")
    terms = ""
    if kernel.shape[0] <= 3:
        terms = " + ".join(f"{fmt.latex_num(v)}\\cdot{fmt.latex_num(k)}" for v, k in zip(patch.values.ravel(), np.ravel(kernel)))
        terms = f"= {terms} "
    return lhs + r"\\[4pt]" + rf"\text{{output}}_{{{i},{j}}} = \textstyle\sum {terms}= {fmt.latex_plain(value)}"


def gradient_latex(pair: str, gx: np.ndarray, gy: np.ndarray, magnitude: np.ndarray) -> str:
    """The magnitude and direction formulas with the numbers of the strongest edge pixel."""
    r, c = np.unravel_index(int(np.argmax(magnitude)), magnitude.shape)
    a, b = float(gx[r, c]), float(gy[r, c])
    theta = float(edge_filters.edge_direction(np.float64(a), np.float64(b)))
    name = pair.capitalize()
    return (rf"\text{{strongest edge: row {r + 1}, column {c + 1}, where {name} gives }} G_x = {fmt.latex_plain(a)},"
            rf"\ G_y = {fmt.latex_plain(b)}\\[4pt]"
            rf"\sqrt{{G_x^2 + G_y^2}} = \sqrt{{{fmt.latex_num(a)}^2 + {fmt.latex_num(b)}^2}} "
            rf"= {fmt.latex_plain(magnitude[r, c])},"
            rf"\qquad \theta = \operatorname{{atan2}}(G_x, G_y) = {theta:.0f}^\circ")
