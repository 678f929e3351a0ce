"""The cheap-networks page's URL state: every control's key, default and bounds, seeded once from the link.

The bounds are the controls' own ranges, so a link can never ask for a value a
control could not show. Keys are short because they live in the address bar.
"""

from __future__ import annotations

import streamlit as st

from pages._shared import ui
from playground.efficient_convnets import COURSE_INCEPTION, block_view
from playground.efficient_convnets.scaling import ALPHA, BETA, GAMMA, MAX_PHI

TABS = ("1×1 and Inception", "Depthwise-separable", "EfficientNet scaling", "FLOPs are not time",
        "Inside a real block", "Check yourself")
MAX_SIDE, MAX_CHANNELS, MAX_F, MAX_S, MAX_T = 1024, 4096, 15, 4, 12
FILTER_SIDES = (1, 3, 5, 7, 9, 11)  # odd, so "same" pads both sides equally
BASE_RANGE = (1.0, 2.0)  # α, β, γ: each scaling base is at least 1 (a network never shrinks as φ grows)
IMAGES = ("chelsea", "astronaut", "coffee", "rocket", "camera", "brick", "upload")
BLOCK_STEPS = ("expand", "depthwise", "project")

_I = COURSE_INCEPTION
# key -> (default, lo, hi), per tab
INCEPTION_INTS = {"bn_n": (28, 1, MAX_SIDE), "bn_c": (192, 1, MAX_CHANNELS), "bn_k": (32, 1, MAX_CHANNELS),
                  "bn_r": (16, 1, MAX_CHANNELS), "in_n": (_I.n, 1, MAX_SIDE), "in_c": (_I.n_c, 1, MAX_CHANNELS),
                  "c1": (_I.c1, 1, MAX_CHANNELS), "r3": (_I.r3, 1, MAX_CHANNELS), "c3": (_I.c3, 1, MAX_CHANNELS),
                  "r5": (_I.r5, 1, MAX_CHANNELS), "c5": (_I.c5, 1, MAX_CHANNELS), "cp": (_I.pool_proj, 1, MAX_CHANNELS)}
SEPARABLE_INTS = {"ds_n": (6, 1, MAX_SIDE), "ds_f": (3, 1, MAX_F), "ds_c": (3, 1, MAX_CHANNELS),
                  "ds_k": (5, 1, MAX_CHANNELS), "ds_p": (0, 0, MAX_F), "ds_s": (1, 1, MAX_S),
                  "mb_n": (56, 1, MAX_SIDE), "mb_c": (24, 1, MAX_CHANNELS), "mb_t": (6, 1, MAX_T),
                  "mb_o": (24, 1, MAX_CHANNELS), "mb_s": (1, 1, 2)}
SCALING_FLOATS = {"al": ALPHA, "be": BETA, "ga": GAMMA}
# Bounds of the block pickers in the link: MobileNetV2's 17 bottleneck blocks (tests check the graph has as many);
# the sliders themselves count the blocks in the graph.
BLOCKS = 17
VIEWER_INTS = {"blk": (3, 0, BLOCKS - 1), "ch": (1, 1, MAX_CHANNELS), "och": (1, 1, MAX_CHANNELS)}
MEASURED_INTS = {"sep_b": (1, 0, BLOCKS - 1)}
QUIZ_INTS = {"q1": (1, 0, 999_999), "q2": (1, 0, 999_999)}

TAB_KEYS = (
    list(INCEPTION_INTS) + ["in_b", "bn_f"],
    list(SEPARABLE_INTS),
    list(SCALING_FLOATS) + ["phi"],
    list(MEASURED_INTS),
    list(VIEWER_INTS) + ["img", "side"],
    list(QUIZ_INTS),
)


def sync_url() -> None:
    """Write the open tab's controls into the link; called at the end of the page and of every fragment."""
    ui.sync_url(["tab"] + TAB_KEYS[TABS.index(st.session_state["tab"])])


def seed_url_state() -> None:
    """Seed every control from the link once, and keep hidden tabs' values alive across reruns."""
    for key, (default, lo, hi) in {**INCEPTION_INTS, **SEPARABLE_INTS, **VIEWER_INTS, **MEASURED_INTS,
                                   **QUIZ_INTS}.items():
        ui.url_int(key, default, lo, hi)
    ui.url_choice("bn_f", "5", [str(f) for f in FILTER_SIDES])
    ui.url_bool("in_b", True)
    for key, default in SCALING_FLOATS.items():
        ui.url_float(key, default, *BASE_RANGE)
    ui.url_int("phi", 1, 0, MAX_PHI)
    ui.url_choice("img", IMAGES[0], IMAGES)
    ui.url_choice("side", "224", [str(s) for s in block_view.SIDES])
    for key in sum(TAB_KEYS, []):
        st.session_state[key] = st.session_state[key]  # a widget not drawn this run would lose its value
