"""Section 5 of the style page: what the layers see, the nine patches that excite a unit most (Zeiler & Fergus).

A fragment. The search runs over every sample image once per server process
(one MobileNetV2 pass per image) and is then shared, so it sits behind a toggle.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._shared import format as fmt
from pages._shared import ui
from pages._style_transfer import controls
from playground.style_transfer import LAYERS, samples, top_patches
from playground.style_transfer.features import fit

PATCH_PX = 120  # patches are drawn this wide
KEYS = ("see", "ul", "uc")


def link_state() -> None:
    """Seed this section's keys from the link (or their defaults): called before any section draws."""
    ui.url_bool("see", False)
    ui.url_choice("ul", "block7_depthwise", list(LAYERS))
    ui.url_int("uc", 0, 0, max(info.channels for info in LAYERS.values()))  # 0: the layer's most active unit


def _patch_picture(patch: top_patches.Patch) -> np.ndarray:
    rgb = fit(samples.sample_rgb(patch.image), top_patches.IMAGE_SIDE)
    return controls.stack_uint8(top_patches.crop(rgb, patch.box))


@st.fragment
def show(provider: str, page_keys: tuple[str, ...]) -> None:
    """The whole section (a fragment)."""
    st.markdown(
        "The course asks what deep layers compute, as Zeiler and Fergus (2013) did: pick a **unit** (one channel of "
        "a layer), look at every position of every image, and show the image patches where it fires hardest. A "
        "unit at layer l only sees its **receptive field**: each f × f conv on the way adds (f − 1) × (the product "
        "of the strides before it) pixels. Shallow units see a few pixels (a colour, an edge), deep ones a large "
        "part of the picture (a texture, a part of an object).")
    if not st.toggle("Search the sample images", key="see",
                     help="The first search after the server starts runs MobileNetV2 on every sample image."):
        controls.sync_link_in_fragment(page_keys)
        return
    names = list(LAYERS)
    layer = st.selectbox("Layer", names, format_func=lambda n: LAYERS[n].label,
                         key="ul")
    with st.spinner("Running MobileNetV2 on every sample image (once per server)…"):
        order = top_patches.most_active(layer, LAYERS[layer].channels, provider)  # every channel, most active first
    peak = top_patches.top_values(layer, provider)
    key = "uc"
    if not 1 <= st.session_state[key] <= LAYERS[layer].channels:  # 0 (the default) or another layer's channel
        st.session_state[key] = order[0] + 1
    unit = st.selectbox("Unit: a channel of this layer, the most active first", [c + 1 for c in order], key=key,
                        format_func=lambda u: f"channel {u} (fires up to {fmt.num(peak[u - 1])})")
    side, jump = top_patches.receptive_field(layer)
    patches = top_patches.strongest(layer, unit - 1, provider)
    if max(p.value for p in patches) <= 0:
        st.info(f"Channel {unit} of {LAYERS[layer].short} never fires on the sample images.")
    else:
        cols = st.columns(3)
        for k, patch in enumerate(patches):
            top, left, _, _ = patch.box
            cols[k % 3].image(_patch_picture(patch), width=PATCH_PX, output_format="JPEG",
                              caption=f"{samples.SAMPLES[patch.image].split(' (')[0]}, a = {fmt.num(patch.value)}; "
                                      f"unit ({patch.row + 1}, {patch.col + 1}), pixels from ({top + 1}, {left + 1})",
                              alt=f"An image patch on which channel {unit} of {LAYERS[layer].short} fires strongly")
    chain = top_patches.conv_chain(layer)
    st.caption(f"{LAYERS[layer].label}: {len(chain)} convs from the pixels ({sum(c.f > 1 for c in chain)} of them "
               f"3 × 3, {sum(c.s == 2 for c in chain)} with stride 2), so a unit sees {side} × {side} pixels and "
               f"neighbouring units are {jump} pixels apart. Images searched at up to {top_patches.IMAGE_SIDE} px "
               f"on the longer side, at most {top_patches.PER_IMAGE} patches per image, units whose receptive field "
               "reaches past the image's edge left out.")
    controls.sync_link_in_fragment(page_keys)
