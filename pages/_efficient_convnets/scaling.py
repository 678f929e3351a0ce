"""The cheap-networks page's third tab: EfficientNet's compound scaling, beside the published B0–B7."""

from __future__ import annotations

import streamlit as st

from pages._efficient_convnets import figures
from pages._efficient_convnets.state import BASE_RANGE, sync_url
from pages._shared import plot
from playground.efficient_convnets import BASE_RESOLUTION, compound_scaling, scaling_table
from playground.efficient_convnets.scaling import MAX_PHI


@st.fragment
def show() -> None:
    st.header("EfficientNet: scale depth, width and resolution together")
    st.markdown(
        "To get a bigger, more accurate network from a small one you can add layers (**depth**), channels "
        "(**width**) or pixels (**resolution**). EfficientNet grows all three together with one knob φ: depth "
        "d = α^φ, width w = β^φ, resolution r = γ^φ. Multiplications grow with depth, and with the square of width "
        "and of resolution, so the cost grows by (α·β²·γ²)^φ; the paper picked α = 1.2, β = 1.1, γ = 1.15, with "
        "α·β²·γ² ≈ 2, so each step of φ about doubles it.")
    c = st.columns(4)
    lo, hi = BASE_RANGE
    alpha = c[0].slider("α (depth)", lo, hi, step=0.01, key="al")
    beta = c[1].slider("β (width)", lo, hi, step=0.01, key="be")
    gamma = c[2].slider("γ (resolution)", lo, hi, step=0.01, key="ga")
    phi = c[3].slider("φ", 0, MAX_PHI, key="phi")
    sync_url()
    m = compound_scaling(phi, alpha, beta, gamma)
    base = alpha * beta ** 2 * gamma ** 2
    st.latex(rf"\alpha\beta^2\gamma^2 = {alpha:g}\cdot{beta:g}^2\cdot{gamma:g}^2 = {base:.4g}")
    st.latex(rf"\phi = {phi}:\quad d = {alpha:g}^{{{phi}}} = {m['depth']:.3g},\quad w = {beta:g}^{{{phi}}} = "
             rf"{m['width']:.3g},\quad r = {gamma:g}^{{{phi}}} = {m['resolution']:.3g},\quad \text{{cost}} \times "
             rf"{base:.4g}^{{{phi}}} = {m['flops']:.4g}")
    rows = scaling_table(alpha, beta, gamma)
    st.dataframe([{"φ": r.phi, "depth α^φ": round(r.depth, 3), "width β^φ": round(r.width, 3),
                   "resolution γ^φ": round(r.resolution, 3), "cost (αβ²γ²)^φ": round(r.flops, 2),
                   "γ^φ·224 (px)": round(r.side, 1), "published": f"EfficientNet-{r.published.name}",
                   "its input (px)": r.published.resolution, "its width": r.published.width,
                   "its depth": r.published.depth, "its cost ≈": round(r.published.flops, 2)} for r in rows],
                 hide_index=True)
    gap = max(rows, key=lambda r: abs(r.side - r.published.resolution))
    st.markdown(
        f"**The published models do not follow the formula exactly.** With these α, β, γ, φ = {gap.phi} asks for "
        f"{gap.side:.0f} px, but EfficientNet-{gap.published.name} takes {gap.published.resolution} px; its width "
        f"and depth multipliers ({gap.published.width:g}, {gap.published.depth:g}) are not β^φ and α^φ either "
        f"({gap.width:.2f}, {gap.depth:.2f}). The paper gets B1–B7 by scaling B0 up with larger φ, but the released "
        "multipliers (the official code's, in this table) are not α^φ, β^φ and γ^φ·224 for φ = 1…7, and a real "
        "network rounds its layer counts and channels to whole numbers. "
        "\"its cost\" is depth · width² · (input/224)², the same rule applied to the published multipliers.")
    plot.chart(figures.scaling_sides(rows, BASE_RESOLUTION), "scaling_sides")
