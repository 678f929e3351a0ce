"""Small widget helpers of the anchor-boxes page."""

from __future__ import annotations

import streamlit as st

from pages._shared import ui

SECTION_MS = "_anchor_section_ms"  # session key: each section's last server time (ms), read by bench/anchor_boxes.py


def bounded_number(container, label: str, lo: int, hi: int, key: str, **kwargs) -> int | None:
    """A whole-number field (:func:`ui.number_field`) whose remembered value is first pulled inside lo … hi.

    The range of a cell or object number follows the scene; a value kept from a
    bigger scene (or a link) is moved to the nearest allowed one instead of failing.
    None while the typed text is not valid (the field says why under it).
    """
    if key in st.session_state and st.session_state[key] is not None:
        st.session_state[key] = min(max(int(st.session_state[key]), lo), hi)
    return ui.number_field(label, lo, hi, key=key, container=container, **kwargs)


def sync_url(keys) -> None:
    """``ui.sync_url`` for a page of fragments: keys no section has read yet keep their value from the link.

    On a full run the first section finishes before the later ones have read
    their keys from the link; writing only what is known would drop those.
    """
    keys = list(keys)
    pending = {k: st.query_params[k] for k in keys if k not in st.session_state and k in st.query_params}
    ui.sync_url([k for k in keys if k in st.session_state])
    for key, value in pending.items():
        st.query_params[key] = value
