"""For citizen testers: the survey behind their invitation link
(``/survey?invitation=<token>``). No account; French by default (the sidebar's language
selector switches to English); large text and one answer per line, for seniors on
phones. Every problem a citizen can meet (unknown, used or expired link, no consent)
is a friendly message, never a traceback."""

from __future__ import annotations

import streamlit as st

from livinglab import services
from livinglab.errors import LivingLabError
from livinglab.store.invitations import InvitationError
from livinglab.ui import common
from livinglab.ui.common import plain

TOKEN_PARAM = "invitation"
DONE_KEY = "survey_done"

LARGE_TEXT_CSS = """<style>
[data-testid="stMain"] p, [data-testid="stMain"] label,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p { font-size: 1.2rem !important; }
[data-testid="stMain"] [role="radiogroup"] label { padding: 0.35rem 0; }
</style>"""


def main() -> None:
    t = common.translator()
    st.html(LARGE_TEXT_CSS)
    token = str(st.query_params.get(TOKEN_PARAM) or "")
    if st.session_state.get(DONE_KEY) == token and token:
        st.success(t("survey_thanks"))
        return
    if not token:
        st.info(t("survey_no_link"))
        return
    try:
        form = services.invitation_form(token, t.lang)
    except InvitationError as exc:
        st.info(exc.message(t.lang))
        return
    except LivingLabError:
        st.warning(t("survey_unavailable"))
        return

    st.title(t("survey_page_heading", pilot=plain(form.pilot_title)))
    st.subheader(plain(form.title))
    if form.intro:
        st.markdown(plain(form.intro))
    st.markdown(t("survey_help"))
    values = [value for value, _ in form.options]
    labels = {value: plain(label) for value, label in form.options}
    with st.form("survey_form"):
        answers: dict[str, int | None] = {}
        for n, (item_id, text) in enumerate(form.items, start=1):
            st.markdown(f"**{t('survey_question', n=n, total=len(form.items))}**")
            answers[item_id] = st.radio(
                plain(text),
                values,
                index=None,
                format_func=lambda v: f"{v} — {labels[v]}" if labels[v] != str(v) else str(v),
                horizontal=False,
                key=f"survey_item_{item_id}",
            )
        consent = st.checkbox(t("survey_consent"), key="survey_consent")
        sent = st.form_submit_button(t("survey_submit"), type="primary")
    if not sent:
        return
    given = {item: int(value) for item, value in answers.items() if value is not None}
    try:
        services.submit_survey(token, given, consent)
    except InvitationError as exc:
        if exc.code in ("no_consent", "incomplete", "invalid"):
            st.warning(exc.message(t.lang))
        else:
            st.info(exc.message(t.lang))
        return
    except LivingLabError:
        st.warning(t("survey_unavailable"))
        return
    st.session_state[DONE_KEY] = token
    st.rerun()


main()
