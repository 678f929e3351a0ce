"""Section 1 of the style page: Gram matrices, the style cost layer by layer, the content cost and J.

The generated image G compared here is the content image (where the
optimisation starts), the fast stylization, or the visitor's last generation.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._shared import format as fmt
from pages._shared import plot, ui
from pages._style_transfer import compute, controls, figures
from pages._style_transfer.compute import ANALYSIS_SIDE, Analysed, Picked
from playground.style_transfer import CONTENT_LAYER, LAYERS, STYLE_LAYERS, features

G_CHOICES = {"start": "the content image itself (where G starts)", "fast": "the fast stylization (section 4)",
             "generated": "your last generation (section 3)"}
CHANNEL_CHOICES = ("16", "32", "64")  # how many channels the heat maps show (all of them would be 576²)
KEYS = ("g", "gl", "gk")


def link_state() -> None:
    """Seed this section's keys from the link (or their defaults): called before any section draws."""
    ui.url_choice("g", "start", list(G_CHOICES))
    ui.url_choice("gl", STYLE_LAYERS[1], list(STYLE_LAYERS))
    ui.url_choice("gk", "32", CHANNEL_CHOICES)


def generated_image(choice: str, content: Picked, style: Picked, keep: bool, provider: str,
                    analysed_content: Analysed) -> tuple[tuple, np.ndarray, str]:
    """(cache key, pixels at the analysis size, words) of the G the visitor compares."""
    size = (analysed_content.rgb.shape[1], analysed_content.rgb.shape[0])
    if choice == "generated":
        job = st.session_state.get("_st_job")
        progress = getattr(job, "result", None)
        picture = progress.latest if progress is not None else None
        if picture is not None:
            rgb = features.resize(np.asarray(picture, np.float32) / 255, size)
            return ("generated", job.id, job.done, content.key, style.key), rgb, \
                f"your generation (iteration {job.done}, {st.session_state['_st_job_label']})"
        st.info("No generation yet in this session: comparing the content image instead. Run one in section 3.")
        choice = "start"
    if choice == "fast":
        strength, fkeep, fside = st.session_state.get("fs", 1.0), st.session_state.get("fkeep", False), \
            int(st.session_state.get("fside", "256"))
        out = compute.fast_result(content, style, fside, strength, fkeep, provider)
        return ("fast", content.key, style.key, fside, strength, fkeep, size), features.resize(out, size), \
            "the fast stylization"
    return ("start", content.key, ANALYSIS_SIDE, keep), analysed_content.rgb, "the content image"


def gram_pictures(left: Analysed, right: Analysed, layer: str, titles: tuple[str, str], shown: int) -> None:
    """Two images' Gram matrices of ``layer`` as heat maps on one colour scale, with the scale drawn under them."""
    high = max(float(a.grams[layer][:shown, :shown].max(initial=0)) for a in (left, right))
    cols = st.columns(2)
    for col, a, title in zip(cols, (left, right), titles):
        picture = compute.encoded(("gram", a.key, layer, shown, high),
                                  lambda a=a: figures.gram_picture(a.grams[layer], shown, high), "PNG")
        col.image(picture, caption=title, alt="A Gram matrix as a heat map: brighter where two channels fire together")
    quarter = high / 4  # the legend's middle: colour follows √G, so a quarter of the top value sits halfway
    cols[0].image(compute.encoded(("colour_bar",), figures.colour_bar, "PNG"),
                  caption=f"colour ∝ √G: 0 … {fmt.num(quarter)} (middle) … {fmt.num(high)}, both pictures",
                  alt="The colour scale of both Gram matrix pictures, from 0 to the largest value")


def formulas(layer: str, a_s: np.ndarray, g_s: np.ndarray, g_g: np.ndarray, j_layer: float,
             a_c: np.ndarray, a_g: np.ndarray, j_content: float) -> None:
    """The course's two costs written out in this image's numbers."""
    n_c, n_h, n_w = a_s.shape
    sq_style = float(((np.asarray(g_s, np.float64) - g_g) ** 2).sum())
    st.latex(rf"J_{{style}}^{{[\text{{{LAYERS[layer].short}}}]}}(S,G) = \frac{{\sum_k\sum_{{k'}} (G^{{(S)}}_{{kk'}} - "
             rf"G^{{(G)}}_{{kk'}})^2}}{{4\, n_C^2\, (n_H n_W)^2}} = \frac{{{fmt.latex_plain(sq_style)}}}"
             rf"{{4 \cdot {n_c}^2 \cdot ({n_h} \cdot {n_w})^2}} = {fmt.latex_plain(j_layer)}")
    c_c, c_h, c_w = a_c.shape
    sq_content = float(((np.asarray(a_c, np.float64) - a_g) ** 2).sum())
    st.latex(rf"J_{{content}}(C,G) = \frac{{\sum (a^{{(C)}} - a^{{(G)}})^2}}{{4\, n_H n_W n_C}} = "
             rf"\frac{{{fmt.latex_plain(sq_content)}}}{{4 \cdot {c_h} \cdot {c_w} \cdot {c_c}}} = "
             rf"{fmt.latex_plain(j_content)}")


def show(content: Picked, style: Picked, keep: bool, provider: str) -> None:
    """The whole section."""
    st.markdown(
        "A layer's activations a^[l] are n_H × n_W × n_C numbers. Unroll each channel into a row of n_H·n_W "
        "numbers; the **Gram matrix** G_kk' = Σ_i Σ_j a_ijk a_ijk' multiplies every pair of rows and adds up: "
        "a large G_kk' means channels k and k' fire **together**, wherever that happens in the picture. "
        "That is the course's definition of style: which features occur together, not where.")
    c, s = compute.pair(content, style, keep, provider)
    top = st.columns([3, 2, 1])
    choice = top[0].radio("Compare with the style image S", list(G_CHOICES), format_func=G_CHOICES.get,
                          key="g")
    layer = top[1].selectbox("Layer l", STYLE_LAYERS, format_func=lambda n: LAYERS[n].label,
                             key="gl")
    channels = int(top[2].radio("Channels shown", CHANNEL_CHOICES, key="gk"))
    g_key, g_rgb, g_words = generated_image(choice, content, style, keep, provider, c)
    g = compute.analyse(g_key, lambda: g_rgb, provider)
    alpha, beta, lambdas = controls.weights()  # the sliders below hold this run's values already
    result = compute.costs_of(g, c, s, lambdas)

    pictures = st.columns(3)
    for col, (a, caption) in zip(pictures, ((s, f"S: {style.label}"), (g, f"G: {g_words}"), (c, f"C: {content.label}"))):
        col.image(compute.encoded(a.key, lambda a=a: a.rgb), caption=caption, width="stretch",
                  alt={"S": "The style image S", "G": "The image G compared", "C": "The content image C"}[caption[0]])
    n_c, n_h, n_w = s.acts[layer].shape
    shown = min(channels, n_c)
    gram_pictures(s, g, layer, ("G^(S), the style image", f"G^(G), {g_words}"), shown)
    st.caption(f"{LAYERS[layer].label}: a^[l] is {n_h} × {n_w} × {n_c} here, so its Gram matrix is {n_c} × {n_c} "
               f"(channels 1–{shown} drawn, channel 1 at the top left). The diagonal G_kk is how strongly channel "
               "k fires overall; off the diagonal, how much two channels fire in the same places.")
    formulas(layer, s.acts[layer], s.grams[layer], g.grams[layer], result.layers[layer],
             c.acts[CONTENT_LAYER], g.acts[CONTENT_LAYER], result.content)

    st.subheader("The style cost over layers, and J")
    controls.weight_controls()
    plot.chart(figures.layer_costs(result.layers, lambdas), "layer_costs")
    terms = " + ".join(rf"{fmt.latex_num(lambdas[n])} \cdot {fmt.latex_num(result.layers[n])}" for n in STYLE_LAYERS)
    st.latex(rf"J_{{style}} = \sum_l \lambda^{{[l]}} J_{{style}}^{{[l]}} = {terms} = {fmt.latex_plain(result.style)}")
    st.latex(rf"J(G) = \alpha J_{{content}} + \beta J_{{style}} = {fmt.latex_num(alpha)} \cdot "
             rf"{fmt.latex_num(result.content)} + {fmt.latex_num(beta)} \cdot {fmt.latex_num(result.style)} = "
             rf"{fmt.latex_plain(result.total(alpha, beta))}")
    st.caption(f"The content layer is {LAYERS[CONTENT_LAYER].label}; the five style layers run from the stem to "
               f"block 12 of MobileNetV2. The images are compared at {c.rgb.shape[1]} × {c.rgb.shape[0]} pixels.")
    with st.expander("Gatys et al.'s costs, and why the choice only rescales α and β"):
        n_c, n_h, n_w = c.acts[CONTENT_LAYER].shape
        factor = 2 * n_h * n_w * n_c
        st.markdown(
            "Gatys, Ecker and Bethge (2016) write the content cost as **½ Σ (F − P)²**, with no 1/(4 n_H n_W n_C); "
            "their style cost is the course's, 1/(4 N² M²) Σ (G − A)² with N = n_C channels and M = n_H n_W "
            f"positions. For a fixed content layer and image size, ½ Σ is the course's J_content times "
            f"2 n_H n_W n_C = 2 · {n_h} · {n_w} · {n_c} = {factor:,}. So α_Gatys = α / {factor:,} gives exactly the "
            "same J and the same picture: only the ratio of the weights matters, and a normalisation just moves "
            "that ratio. (Gatys et al. also average the style layers with equal λ = 1/5 and use VGG-19 features, "
            "not MobileNetV2's.)")
