"""The detector's raw boxes as a source for the page (filled in once the anchor-boxes detector is merged)."""

from __future__ import annotations

import streamlit as st

from playground.non_max_suppression import boxsets as bs


def source() -> bs.BoxSet:
    """No detector on this branch yet: say so and give no boxes."""
    st.info("The detector comes with the anchor-boxes page and is not on this branch yet.")
    return bs.parse_boxes("").boxes


def picture(boxes: bs.BoxSet) -> str | None:
    """The picture behind the boxes (the detector's scene), as a data URI, or None."""
    return None


def evaluation() -> None:
    """The detector's precision–recall curves and mAP against the NMS threshold (needs the detector)."""
    st.header("Beyond the course: what NMS does to average precision")
    st.info("This section measures the anchor-boxes detector on its held-out scenes; it appears once the detector is "
            "on this branch.")
