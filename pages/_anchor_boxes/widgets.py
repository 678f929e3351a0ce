"""Small widget helpers of the anchor-boxes page."""

from __future__ import annotations

import streamlit as st


def bounded_number(container, label: str, lo: int, hi: int, key: str, **kwargs) -> int:
    """A whole-number input whose remembered value is first pulled inside lo … hi.

    The range of a cell or object number follows the scene; a value kept from a
    bigger scene (or a link) is moved to the nearest allowed one instead of failing.
    """
    if key in st.session_state and st.session_state[key] is not None:
        st.session_state[key] = min(max(int(st.session_state[key]), lo), hi)
    return int(container.number_input(label, lo, hi, key=key, **kwargs))
