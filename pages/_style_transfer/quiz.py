"""Check yourself on the style page: a Gram matrix's size, and whether a change moves the style or the content cost.

Both answers are computed from the images on the page, never typed in. A fragment.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from pages._shared import format as fmt
from pages._shared import ui
from pages._style_transfer import compute, controls
from pages._style_transfer.compute import Analysed, Picked
from playground.style_transfer import LAYERS, STYLE_LAYERS, shuffle_patches

CHANGES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "flip": ("Flip the picture left to right", lambda rgb: rgb[:, ::-1]),
    "shuffle": ("Shuffle its 32 × 32 patches", lambda rgb: shuffle_patches(rgb, 32, 0)),
    "shift": ("Shift it 48 pixels to the right (wrapping round)", lambda rgb: np.roll(rgb, 48, axis=1)),
    "swap": ("Swap its red and blue channels", lambda rgb: rgb[..., ::-1]),
    "darken": ("Darken it to half its brightness", lambda rgb: rgb * 0.5),
}
COSTS = ("the style cost", "the content cost")
KEYS = ("q2c",)  # answers are not put in the link


def link_state() -> None:
    """Seed this section's keys from the link (or their defaults): called before any section draws."""
    ui.url_choice("q2c", "flip", list(CHANGES))


def relative_changes(original: Analysed, changed: Analysed, other: Analysed, weights: dict[str, float]) -> dict:
    """Each cost between the picture and its changed copy, as a fraction of the cost against a different image."""
    moved, different = (compute.costs_of(g, original, original, weights) for g in (changed, other))
    return {COSTS[0]: moved.style / max(different.style, 1e-30), COSTS[1]: moved.content / max(different.content, 1e-30)}


@st.fragment
def show(content: Picked, style: Picked, keep: bool, provider: str, page_keys: tuple[str, ...]) -> None:
    """Both exercises (a fragment)."""
    c, s = compute.pair(content, style, keep, provider)
    layer = st.session_state.get("gl", STYLE_LAYERS[1])
    n_c, n_h, n_w = c.acts[layer].shape
    st.markdown(f"**1.** At {LAYERS[layer].label}, these images give a^[l] of n_H × n_W × n_C = {n_h} × {n_w} × "
                f"{n_c}. How many numbers does its Gram matrix G^[l] hold?")
    guess = ui.number_field("Your answer", 0, None, optional=True, key="q1_guess")
    ui.check_answer(guess, n_c * n_c, "q1", explanation=f"G^[l] is n_C × n_C = {n_c} × {n_c}: one row and one column "
                    f"per channel; the {n_h} × {n_w} positions are summed away, which is why style forgets where.")

    st.markdown("**2.** Change the content image C as below. Which cost moves more (each measured against C, as a "
                "fraction of what it is against the style image S)?")
    left, right = st.columns(2)
    change = left.selectbox("The change", list(CHANGES), format_func=lambda k: CHANGES[k][0],
                            key="q2c")
    prediction = right.radio("Moves more", COSTS, index=None, horizontal=True, key="q2_guess")
    if st.button("Check", key="q2_check"):
        _, _, lambdas = controls.weights()
        changed = compute.analyse(("changed", change, content.key, keep, c.rgb.shape),
                                  lambda: np.ascontiguousarray(CHANGES[change][1](c.rgb), np.float32), provider)
        moved = relative_changes(c, changed, s, lambdas)
        answer = max(moved, key=moved.get)
        numbers = (f"The style cost moved {fmt.percent(moved[COSTS[0]])} and the content cost "
                   f"{fmt.percent(moved[COSTS[1]])} of the way to the other image's.")
        if prediction is None:
            st.warning(f"Pick an answer first. {numbers}")
        elif prediction == answer:
            st.success(f"Right: {answer}. {numbers}")
        else:
            st.error(f"Not this time: {answer} moves more. {numbers}")
    controls.sync_link_in_fragment(page_keys)
