"""The sign-in page: the only page an anonymous visitor can reach (whatever address
they type). A local account's name and password; a wrong password is counted and
logged, and repeated failures lock the account for a while."""

from __future__ import annotations

import streamlit as st

from livinglab import services
from livinglab.i18n import Translator
from livinglab.store.accounts import SignInError
from livinglab.ui import common


def main() -> None:
    t = common.translator()
    st.title(t("signin_title"))
    st.write(t("signin_intro"))
    if common.identity_provider():
        through_provider(t)
    else:
        local_account(t)


def through_provider(t: Translator) -> None:
    """The city's identity provider (OIDC): a button to it; back without a role in the
    store, a message that names the person's identifier, and a sign-out button."""
    identity = common.provider_identity()
    if identity is None:
        if st.button(t("signin_provider"), key="signin_provider", type="primary"):
            st.login()
        return
    st.warning(t("signin_no_role", subject=common.plain(identity[1])))
    if st.button(t("signout"), key="signout_provider"):
        st.logout()


def local_account(t: Translator) -> None:
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
