"""Section 2 of the style page: shuffle an image's patches; the Gram matrices hardly move, the content does.

A fragment: its controls rerun only this section.
"""

from __future__ import annotations

import streamlit as st

from pages._shared import format as fmt
from pages._shared import ui
from pages._style_transfer import compute, controls, figures, gram
from pages._style_transfer.compute import Analysed, Picked
from playground.style_transfer import LAYERS, STYLE_LAYERS, shuffle_patches
from playground.style_transfer.shuffle import crop_to_multiple

WHICH = {"s": "the style image S", "c": "the content image C"}
CAPTIONS = {"s": "The style image S", "c": "The content image C"}
KEYS = ("sh", "patch", "shs")
MAX_SEED = 999
PATCHES = ("8", "16", "32", "64")
SHOWS = 3  # the content cost must move this many times more than the style cost for the page to say "hardly"


def link_state() -> None:
    """Seed this section's keys from the link (or their defaults): called before any section draws."""
    ui.url_choice("sh", "s", list(WHICH))
    ui.url_choice("patch", "32", PATCHES)  # 16 would skip the crop, but moves the style cost 4× more
    ui.url_int("shs", 0, 0, MAX_SEED)


def _again() -> None:
    st.session_state["shs"] = (st.session_state.get("shs", 0) + 1) % (MAX_SEED + 1)


def comparison(original: Analysed, shuffled: Analysed, other: Analysed, weights: dict[str, float]) -> dict:
    """Style and content costs of the shuffled copy and of the other image, both against the original."""
    mixed, different = (compute.costs_of(g, original, original, weights) for g in (shuffled, other))
    return {"style_shuffled": mixed.style, "content_shuffled": mixed.content,
            "style_other": different.style, "content_other": different.content}


@st.fragment
def show(content: Picked, style: Picked, keep: bool, provider: str, page_keys: tuple[str, ...]) -> None:
    """The whole section (a fragment)."""
    c, s = compute.pair(content, style, keep, provider)
    cols = st.columns([2, 2, 1])
    which = cols[0].radio("Shuffle", list(WHICH), format_func=WHICH.get, horizontal=True,
                          key="sh")
    patch = int(cols[1].select_slider("Patch side (pixels)", PATCHES, key="patch"))
    seed = st.session_state["shs"]
    cols[2].button("Shuffle again", key="shuffle_again", on_click=_again)
    base = (content.key, style.key, keep, patch)
    crops = {role: a if a.rgb.shape[0] % patch == 0 and a.rgb.shape[1] % patch == 0 else
             compute.analyse(("cropped", role) + base, lambda a=a: crop_to_multiple(a.rgb, patch), provider)
             for role, a in (("c", c), ("s", s))}
    original, other = (crops["s"], crops["c"]) if which == "s" else (crops["c"], crops["s"])
    shuffled = compute.analyse(("shuffled", which) + base + (seed,),
                               lambda: shuffle_patches(original.rgb, patch, seed), provider)
    _, _, lambdas = controls.weights()
    result = comparison(original, shuffled, other, lambdas)
    left, right = st.columns(2)
    h, w = original.rgb.shape[:2]
    cut = ": cut to whole patches" if original is not (s if which == "s" else c) else ""
    left.image(compute.encoded(original.key, lambda: original.rgb), width="stretch",
               caption=f"{CAPTIONS[which]} ({w} × {h}{cut})", alt="The image before its patches are shuffled")
    right.image(compute.encoded(shuffled.key, lambda: shuffled.rgb), width="stretch",
                caption=f"Its {patch}×{patch} patches, shuffled (order {seed + 1})",
                alt=f"The same image cut into {patch}×{patch} patches, put back in a shuffled order")
    layer = st.session_state.get("gl", STYLE_LAYERS[1])
    shown = min(int(st.session_state.get("gk", "32")), LAYERS[layer].channels)
    gram.gram_pictures(original, shuffled, layer, (f"G^[{LAYERS[layer].short}] before", "G after the shuffle"),
                       shown)
    other_name = "the content image" if which == "s" else "the style image"
    st.dataframe(figures.cost_table([
        ("J_style (λ-weighted) against the original", result["style_shuffled"], result["style_other"]),
        ("J_content against the original", result["content_shuffled"], result["content_other"])],
        ("shuffled copy", other_name)), hide_index=True, key="shuffle_table")
    style_ratio = result["style_shuffled"] / max(result["style_other"], 1e-30)
    content_ratio = result["content_shuffled"] / max(result["content_other"], 1e-30)
    st.markdown(
        f"Measured against the original, the shuffled copy's **style cost** is {fmt.num(100 * style_ratio, 2)} % of "
        f"{other_name}'s, its **content cost** {fmt.num(100 * content_ratio, 2)} %: "
        + (f"the shuffle moves the content {fmt.ratio(content_ratio / max(style_ratio, 1e-30))} times as far as the "
           "style. The Gram matrices hardly notice it, the content layer does: style is *what* fires together, "
           "content is *where*. " if content_ratio > SHOWS * style_ratio else
           f"the two moved by less than {SHOWS}× apart here; larger patches keep more of each texture intact. ")
        + f"Layer {LAYERS[layer].short} (the heat maps) follows the layer chosen in section 1. The style cost is not "
        "exactly zero: the patch borders are new, and deep units see across several patches.")
    controls.sync_link_in_fragment(page_keys)
