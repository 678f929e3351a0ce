"""The padding & stride page's URL state: every control's key, default and bounds, seeded once from the link.

The bounds are the number inputs' ranges, so a link can never ask for a value
a control could not show.
"""

from __future__ import annotations

import streamlit as st

from pages._shared import ui
from playground.conv_arithmetic import network

MAX_SIDE, MAX_CHANNELS, MAX_F, MAX_P, MAX_S = 4096, 4096, 99, 99, 64  # the number inputs' ranges
MAX_D = 16
PAD_MODES = ("number", "valid", "same")
PRESET_NAMES = tuple(network.PRESETS)
TABS = ("One conv layer", "Pooling, 1×1, upsampling", "Whole network", "Check yourself")

# URL state, per tab: key -> (default, lo, hi) for ints, or the choices for a pick.
CONV_INTS = {"h": (6, 1, MAX_SIDE), "w": (6, 1, MAX_SIDE), "f": (3, 1, MAX_F), "p": (0, 0, MAX_P),
             "s": (1, 0, MAX_S), "d": (1, 1, MAX_D), "nc": (3, 1, MAX_CHANNELS), "k": (2, 1, MAX_CHANNELS),
             "pos": (1, 1, MAX_SIDE * MAX_SIDE)}
POOL_INTS = {"pl_h": (28, 1, MAX_SIDE), "pl_w": (28, 1, MAX_SIDE), "pl_c": (192, 1, MAX_CHANNELS),
             "pl_f": (2, 1, MAX_F), "pl_s": (2, 1, MAX_S), "k1": (32, 1, MAX_CHANNELS), "tc_f": (2, 1, MAX_F),
             "tc_s": (2, 1, MAX_S), "tc_p": (0, 0, MAX_P), "tc_op": (0, 0, MAX_S - 1), "tc_k": (96, 1, MAX_CHANNELS)}
NET_SHAPE = ("net_h", "net_w", "net_c")  # defaults from the chosen preset, each 1 … network.MAX_INPUT
TAB_KEYS = (list(CONV_INTS) + ["pm"], list(POOL_INTS) + ["pl_type"], ["net_preset", *NET_SHAPE, "net"], ["q"])


def seed_url_state() -> None:
    """Seed every control from the link once, and keep hidden tabs' values alive across reruns."""
    for key, (default, lo, hi) in {**CONV_INTS, **POOL_INTS}.items():
        ui.url_int(key, default, lo, hi)
    ui.url_choice("pm", "number", PAD_MODES)
    ui.url_choice("pl_type", "max", ("max", "avg"))
    preset = network.PRESETS[st.session_state[ui.url_choice("net_preset", PRESET_NAMES[0], PRESET_NAMES)]]
    for key, value in zip(NET_SHAPE, preset.input_shape):
        ui.url_int(key, value, 1, network.MAX_INPUT)
    ui.url_text("net", preset.spec, max_len=network.MAX_CHARS, link_limit=ui.LINK_TEXT_LIMIT)
    ui.url_int("q", 1, 0, 999_999)
    for key in sum(TAB_KEYS, []):
        st.session_state[key] = st.session_state[key]  # a widget not drawn this run would lose its value
