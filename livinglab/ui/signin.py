"""The sign-in page: the only page an anonymous visitor can reach (whatever address
they type). A local account's name and password; a wrong password is counted and
logged, and repeated failures lock the account for a while."""

from __future__ import annotations

import streamlit as st

from livinglab import services
from livinglab.store.accounts import SignInError
from livinglab.ui import common


def main() -> None:
    t = common.translator()
    st.title(t("signin_title"))
    st.write(t("signin_intro"))
    with st.form("signin_form"):
        username = st.text_input(
            t("signin_username"), key="signin_username", autocomplete="username", max_chars=64
        )
        password = st.text_input(
            t("signin_password"),
            type="password",
            key="signin_password",
            autocomplete="current-password",
            max_chars=256,
        )
        sent = st.form_submit_button(t("signin_submit"), type="primary")
    if not sent:
        return
    if not username.strip() or not password:
        st.warning(t("signin_missing"))
        return
    try:
        name, _role = services.sign_in(username, password)
    except SignInError as err:
        st.error(err.message(t.lang))
        return
    common.remember_sign_in(name)
    st.rerun()


main()
