"""CNN Playground: the entry point. Run with ``streamlit run streamlit_app.py``."""

from __future__ import annotations

import logging

import streamlit as st

from pages._shared import ui
from playground.catalog import built_concepts
from playground.manifest import ModelUnavailable

st.set_page_config(page_title="CNN Playground", layout="wide", page_icon=ui.favicon())  # served locally

home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
concept_pages = [st.Page(c.page_file, title=c.title, icon=c.icon, url_path=c.slug)
                 for c in built_concepts()]
page = st.navigation({"CNN Playground": [home], "Concepts, in course order": concept_pages})

ui.page_style()
ui.provider_sidebar()
try:
    page.run()
except ModelUnavailable as exc:  # a model file missing or altered: name it and the command that rebuilds it
    ui.model_unavailable(exc)
except Exception:  # last resort: pages report bad input themselves; this keeps a bug off the screen
    logging.getLogger("cnn_playground").exception("page %s failed", page.title)
    st.error("Something went wrong on this page. Try other settings, or reload; "
             "the error was logged on the server.")
