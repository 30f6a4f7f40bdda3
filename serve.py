"""The app as an ASGI application (``streamlit run serve.py``, what ``livinglab app``
starts): app.py behind one middleware that opens any address carrying a survey token."""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from livinglab.ui.links import InvitationRedirect

app = st.App(
    str(Path(__file__).resolve().parent / "app.py"),
    middleware=[Middleware(InvitationRedirect)],
)
