"""For citizen testers: the survey behind their invitation link (``/?invitation=<token>``,
also ``/survey?invitation=...`` and any other address with the token). No account;
French by default with a "Français / English" switch on the page; large text, one
question per screen, for seniors on phones.

The path: welcome -> consent (the pilot's privacy facts) -> one question at a time
("Question 3 sur 10" and a progress bar; each answer kept against the link) -> review
-> thank you (and how to withdraw). The link is checked before anything is drawn: an
unknown, used, revoked or expired link gets a short page with the pilot's contact."""

from __future__ import annotations

import streamlit as st

from livinglab.errors import LivingLabError
from livinglab.services import survey as citizen
from livinglab.store.invitations import InvitationError
from livinglab.ui import common, survey_screens
from livinglab.ui.survey_screens import Flow

TOKEN_PARAM = "invitation"


def main() -> None:
    survey_screens.page_styles()
    survey_screens.language_switch()
    t = common.translator()
    token = str(st.query_params.get(TOKEN_PARAM) or "")
    flow = Flow.of(token)
    if flow.step in ("thanks", "withdrawn"):
        survey_screens.finished(flow, t, citizen.link_contact(token))
        return
    try:
        screen = citizen.open_survey(token, t.lang)
    except InvitationError as refused:
        survey_screens.refused(flow, refused, t, citizen.link_contact(token))
        return
    except LivingLabError:
        st.warning(t("survey_unavailable"))
        return
    flow.resume(screen)
    try:
        survey_screens.SCREENS[flow.step or "welcome"](flow, screen, t)
    except InvitationError:
        st.rerun()  # used in another tab, replaced or expired meanwhile: say so


main()
