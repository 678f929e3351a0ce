"""Putting figures on a page: one home for how every chart is shown."""

from __future__ import annotations

import streamlit as st

STATIC = {"displayModeBar": False}  # small teaching figures: no zoom/pan toolbar


def chart(fig, key: str, **kwargs) -> None:
    """Show a plotly figure (a dict or a Figure) at the container's width, without the mode bar."""
    st.plotly_chart(fig, key=key, width="stretch", config=STATIC, **kwargs)
