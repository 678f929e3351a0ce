"""The page's URL keys, section by section, and the URL sync every fragment ends with.

A section in an ``st.fragment`` reruns alone when its own control changes, so
the page's end (where ``ui.sync_url`` normally runs) is not reached: each
fragment writes the whole page's state into the link itself.
"""

from __future__ import annotations

from pages._shared import ui

IOU_KEYS = ("ax", "ay", "aw", "ah", "bx", "by", "bw", "bh", "drag")
SOURCE_KEYS = ("src", "boxes", "seed", "n", "objects", "pc", "iou", "score", "cap")
STEP_KEYS = ("step",)
SOFT_KEYS = ("soft", "sigma", "nt", "sfinal")
EVAL_KEYS = ("ap", "evkind", "evt")
QUIZ_KEYS = ("qseed", "qiou")
KEYS = IOU_KEYS + SOURCE_KEYS + STEP_KEYS + SOFT_KEYS + EVAL_KEYS + QUIZ_KEYS


def sync() -> None:
    """Write the page's state into the address bar, once every section has read its keys from the link.

    On a visitor's first run a fragment near the top runs before later
    sections have read the link: writing then would drop their values from it.
    """
    import streamlit as st

    if all(k in st.session_state for k in KEYS):
        ui.sync_url(KEYS)
