"""What a signed-in visitor sees at the address of a page their role may not open
(e.g. a decision-maker typing /checks): a short message, nothing read from the store."""

from __future__ import annotations

import streamlit as st

from livinglab.ui import common

t = common.translator()
st.title(t("page_denied"))
st.warning(t("access_denied"))
