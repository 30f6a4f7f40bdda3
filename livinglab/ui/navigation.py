"""Which pages a visitor sees: the sections of ``st.navigation``."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

UI_DIR = Path(__file__).resolve().parent


def build_navigation() -> StreamlitPage:
    pages = {
        "Pilotes": [
            st.Page(str(UI_DIR / "portfolio.py"), title="Portefeuille", icon="📋", default=True),
        ],
    }
    return st.navigation(pages)
