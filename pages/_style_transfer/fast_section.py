"""Section 4 of the style page: Magenta's feed-forward stylization, one pass, with a style-strength slider.

A fragment: its controls rerun only this section. Its result's style cost is
measured with the same features, layers and λ as the optimised image's.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages._shared import format as fmt
from pages._shared import ui
from pages._style_transfer import compute, controls
from pages._style_transfer.compute import Picked
from playground.style_transfer import features

SIDES = ("256", "384")
KEYS = ("fs", "fkeep", "fside")


def link_state() -> None:
    """Seed this section's keys from the link (or their defaults): called before any section draws."""
    ui.url_float("fs", 1.0, 0.0, 1.0)
    ui.url_bool("fkeep", False)
    ui.url_choice("fside", "256", SIDES)


@ui.fragment  # names a missing model file instead of a redacted error box
def show(content: Picked, style: Picked, keep: bool, provider: str, page_keys: tuple[str, ...]) -> None:
    """The whole section (a fragment)."""
    st.markdown(
        "Ghiasi et al. (2017) trained two networks so that stylising needs **no optimisation**: a style predictor "
        "(the same MobileNetV2) turns the style image into 100 numbers, and a transform network repaints the "
        "content with them in one forward pass. The strength slider mixes the style image's 100 numbers with the "
        "content image's own.")
    cols = st.columns(3)
    strength = cols[0].slider("Style strength", 0.0, 1.0, step=0.05, key="fs")
    fkeep = cols[1].toggle("Keep the content's colours", key="fkeep")
    side = int(cols[2].radio("Longer side (px)", SIDES, horizontal=True, key="fside"))
    out = compute.fast_result(content, style, side, strength, fkeep, provider)
    left, right = st.columns(2)
    left.image(compute.encoded(("fast", content.key, style.key, side, strength, fkeep), lambda: out), width="stretch",
               caption=f"Fast stylization, {out.shape[1]} × {out.shape[0]}, strength {strength:g}",
               alt="The content image repainted in the style by the fast stylization network")
    c, s = compute.pair(content, style, keep, provider)
    size = (c.rgb.shape[1], c.rgb.shape[0])
    fast_g = compute.analyse(("fast", content.key, style.key, side, strength, fkeep, size),
                             lambda: features.resize(out, size), provider)
    _, _, lambdas = controls.weights()
    rows = [("start: the content image", compute.costs_of(c, c, s, lambdas))]
    rows.append(("fast stylization", compute.costs_of(fast_g, c, s, lambdas)))
    job = st.session_state.get("_st_job")
    picture = getattr(getattr(job, "result", None), "latest", None)
    if picture is not None and job.done:
        g = compute.analyse(("generated", job.id, job.done, content.key, style.key),
                            lambda: features.resize(np.asarray(picture, np.float32) / 255, size), provider)
        rows.append((f"your generation ({job.done} iterations)", compute.costs_of(g, c, s, lambdas)))
        right.image(compute.encoded(("generated", job.id, job.done), lambda: picture), width="stretch",
                    caption=f"Your generation: {st.session_state.get('_st_job_label', '')}",
                    alt="The image G your optimisation generated")
    else:
        right.info("Run a generation in section 3 to compare it here.")
    st.dataframe([{"G": label, "J_style (λ-weighted)": fmt.num(r.style, 3), "J_content": fmt.num(r.content, 3)}
                  for label, r in rows], hide_index=True, key="fast_table")
    st.caption(f"All measured at {size[0]} × {size[1]} with the same MobileNetV2 layers and λ^[l] as section 1 "
               "(and the same luminance-only view if colours are kept in section 3). The fast network was not "
               "trained to lower these MobileNetV2 costs, so judge the pictures more than the numbers; what it "
               "buys is one pass instead of an optimisation.")
    controls.sync_link_in_fragment(page_keys)
