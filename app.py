"""Streamlit entry point: it only routes (st.navigation); pages live in livinglab/ui/."""

from __future__ import annotations

import streamlit as st

from livinglab.ui.common import serve
from livinglab.ui.navigation import build_navigation

# The browser tab shows the current page's (translated) title.
st.set_page_config(page_icon="🧪", layout="wide")
serve(build_navigation)
