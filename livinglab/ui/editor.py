"""Placeholder while the page is built."""

from __future__ import annotations

import streamlit as st

from livinglab.ui import common

common.require_page("editor")
st.title(common.translator()("page_editor"))
