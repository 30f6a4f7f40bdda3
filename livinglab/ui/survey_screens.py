"""The screens of the citizen's survey (:mod:`livinglab.ui.survey`): where the person
is in the path (:class:`Flow`), and one function per screen. Each screen reads its
widgets, makes one call into :mod:`livinglab.services.survey`, and moves the flow on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import streamlit as st

from livinglab.i18n import LANG_NAMES, LANGS, Translator
from livinglab.services import survey as citizen
from livinglab.services.survey import SurveyScreen
from livinglab.store.invitations import InvitationError
from livinglab.ui.common import LANG_KEY, initial_lang, plain

FLOW_KEY = "survey_flow"

# Large type for seniors; WCAG 2.2 non-text contrast (1.4.11, >= 3:1) for the empty
# radio circles (a 2 px #595959 ring on white: 7:1; Streamlit's own 1 px #dcd8d4 ring is
# 1.4:1) and a focus indicator that is always visible (2.4.7, 2.4.13: a 3 px #1a4fa0
# outline, 7.6:1 on white, where Streamlit's focus tint is 1.16:1).
FOCUS_COLOUR = "#1a4fa0"
RING_COLOUR = "#595959"
SURVEY_CSS = f"""<style>
[data-testid="stMain"] p, [data-testid="stMain"] label, [data-testid="stMain"] li,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p {{ font-size: 1.25rem !important; }}
[data-testid="stMain"] h1 {{ font-size: 2rem !important; }}
[data-testid="stMain"] [data-testid="stRadioOption"] {{ padding: 0.45rem 0.25rem; }}
[data-testid="stMain"] [data-testid="stRadioOption"] > div > div:first-child {{
  border: 2px solid {RING_COLOUR} !important; width: 1.25rem; height: 1.25rem; }}
[data-testid="stMain"] [data-testid="stRadioOption"]:has(input:focus),
[data-testid="stMain"] button:focus-visible {{
  outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px !important; }}
[data-testid="stMain"] button {{ min-height: 3rem; }}
[data-testid="stMain"] button p {{ font-size: 1.25rem !important; }}
</style>"""


def page_styles() -> None:
    """The survey's large type and visible outlines (see SURVEY_CSS)."""
    st.html(SURVEY_CSS)


def language_switch() -> None:
    """"Français / English", visible on the page (no menu to open)."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = initial_lang()
    st.radio(
        "Langue / Language",
        LANGS,
        key=LANG_KEY,
        horizontal=True,
        format_func=LANG_NAMES.__getitem__,
    )


@dataclass
class Flow:
    """Where the person is on one link, in this browser session: ``step`` (welcome,
    consent, declined, question, review, thanks, withdrawn), the question ``index``, and
    ``missing`` (the current question was left unanswered). Answers are not here: they
    are kept in the store against the link (a reload resumes where the person was)."""

    token: str
    step: str | None = None
    index: int = 0
    missing: bool = False
    moves: int = 0

    @classmethod
    def of(cls, token: str) -> Flow:
        flows: dict[str, Flow] = st.session_state.setdefault(FLOW_KEY, {})
        return flows.setdefault(token, cls(token))

    def resume(self, screen: SurveyScreen) -> None:
        """A new session (a reload, the link opened again) starts at the welcome, or,
        once the person has consented, at the first unanswered question."""
        if self.step is not None and (self.step != "question" or screen.draft is not None):
            return
        if screen.draft is None:
            self.step = "welcome"
            return
        unanswered = [i for i, (item, _) in enumerate(screen.items) if item not in screen.draft]
        if unanswered:
            self.go("question", unanswered[0])
        else:
            self.go("review")

    def go(self, step: str, index: int | None = None, *, missing: bool = False) -> None:
        self.step = step
        if index is not None:
            self.index = index
        self.missing = missing
        self.moves += 1


def _again(
    flow: Flow, step: str, index: int | None = None, *, missing: bool = False
) -> NoReturn:
    """Move the flow on and run the page again at once."""
    flow.go(step, index, missing=missing)
    st.rerun()


def welcome(flow: Flow, screen: SurveyScreen, t: Translator) -> None:
    st.title(t("survey_welcome_heading"))
    st.write(
        t(
            "survey_welcome_intro",
            pilot=plain(screen.pilot_title),
            controller=plain(screen.controller),
        )
    )
    if screen.intro:
        st.write(plain(screen.intro))
    st.write(t("survey_welcome_length", n=len(screen.items), minutes=screen.minutes))
    if st.button(t("survey_start"), type="primary", key="survey_start"):
        _again(flow, "consent")


def consent(flow: Flow, screen: SurveyScreen, t: Translator) -> None:
    st.title(t("survey_consent_heading"))
    st.caption(plain(screen.pilot_title))
    for paragraph in screen.consent_paragraphs:
        st.write(plain(paragraph))
    st.write(f"**{t('survey_consent_question')}**")
    if st.button(t("survey_consent_yes"), type="primary", key="survey_consent_yes"):
        citizen.give_consent(flow.token, t.lang)
        _again(flow, "question", 0)
    if st.button(t("survey_consent_no"), key="survey_consent_no"):
        _again(flow, "declined")


def declined(flow: Flow, screen: SurveyScreen, t: Translator) -> None:
    st.title(t("survey_consent_heading"))
    st.info(t("survey_declined", contact=_contact(screen.contact, t)))
    if st.button(t("survey_reconsider"), key="survey_reconsider"):
        _again(flow, "consent")


def question(flow: Flow, screen: SurveyScreen, t: Translator) -> None:
    total = len(screen.items)
    index = min(flow.index, total - 1)
    item_id, text = screen.items[index]
    saved = (screen.draft or {}).get(item_id)
    values = [value for value, _ in screen.options]
    st.title(t("survey_progress", n=index + 1, total=total))
    st.progress((index + 1) / total)
    if flow.missing:
        st.error(t("survey_missing", n=index + 1))
    with st.form(f"survey_form_{item_id}", border=False):
        answer = st.radio(
            plain(text),
            values,
            index=values.index(saved) if saved in values else None,
            format_func=_option_label(screen),
            key=f"survey_item_{item_id}",
        )
        forward = st.form_submit_button(t("survey_next"), type="primary")
        back = st.form_submit_button(t("survey_previous")) if index else False
    st.caption(t("survey_saved_note"))
    _focus_answer(flow)
    if not (forward or back):
        return
    if answer is not None:
        citizen.save_draft(flow.token, {item_id: int(answer)})
    if back:
        _again(flow, "question", index - 1)
    if answer is None:
        _again(flow, "question", index, missing=True)
    if index + 1 < total:
        _again(flow, "question", index + 1)
    _again(flow, "review")


def review(flow: Flow, screen: SurveyScreen, t: Translator) -> None:
    st.title(t("survey_review_heading"))
    st.write(t("survey_review_intro"))
    answers = screen.draft or {}
    label = _option_label(screen)
    for n, (item_id, text) in enumerate(screen.items, start=1):
        st.write(f"**{t('survey_review_item', n=n, text=plain(text))}**")
        given = answers.get(item_id)
        st.write(t("survey_review_answer", answer=label(given) if given is not None else "—"))
        if st.button(t("survey_change", n=n), key=f"survey_change_{item_id}"):
            _again(flow, "question", n - 1)
    if not st.button(t("survey_submit"), type="primary", key="survey_send"):
        return
    try:
        citizen.submit_survey(flow.token)
    except InvitationError as refused:
        if refused.code == "incomplete":
            first = next(i for i, (item, _) in enumerate(screen.items) if item not in answers)
            _again(flow, "question", first, missing=True)
        if refused.code == "no_consent":
            _again(flow, "welcome")
        st.rerun()  # used meanwhile (another tab): the link now says "already answered"
    _again(flow, "thanks")


def finished(flow: Flow, t: Translator, contact: str | None) -> None:
    """Thank you (or consent withdrawn), with how to withdraw later."""
    if flow.step == "withdrawn":
        st.title(t("survey_withdraw"))
        st.success(t("survey_withdrawn", contact=_contact(contact, t)))
        return
    st.title(t("survey_thanks_heading"))
    st.success(t("survey_thanks_body"))
    _withdrawal(flow, t, contact)


def refused(flow: Flow, error: InvitationError, t: Translator, contact: str | None) -> None:
    """A link that cannot be answered: used (already answered: its answers are safe,
    and the consent can be withdrawn here), unknown, revoked or expired."""
    if error.code == "used":
        st.title(t("survey_already_heading"))
        st.success(error.message(t.lang))
        _withdrawal(flow, t, contact)
        return
    st.title(t("survey_refused_heading"))
    st.info(error.message(t.lang))
    st.write(
        t("survey_contact", contact=plain(contact)) if contact else t("survey_contact_unknown")
    )


def _withdrawal(flow: Flow, t: Translator, contact: str | None) -> None:
    st.write(t("survey_withdraw_how", contact=_contact(contact, t)))
    if st.button(t("survey_withdraw"), key="survey_withdraw"):
        citizen.withdraw(flow.token)
        _again(flow, "withdrawn")


def _contact(contact: str | None, t: Translator) -> str:
    return plain(contact) if contact else t("survey_controller_unknown")


def _option_label(screen: SurveyScreen) -> Callable[[Any], str]:
    labels = {value: plain(label) for value, label in screen.options}
    return lambda v: f"{v} — {labels[v]}" if labels[v] != str(v) else str(v)


def _focus_answer(flow: Flow) -> None:
    """Move the keyboard focus to the question's answers (the chosen one, else the
    first) after each move, so that a keyboard or screen-reader user starts there."""
    script = (
        "setTimeout(() => { const g = document.querySelector("
        "'[data-testid=\"stForm\"] [role=\"radiogroup\"]'); if (!g) return; const i = "
        "g.querySelector('input:checked') || g.querySelector('input'); if (i) i.focus(); "
        "}, 150);"
    )
    st.html(
        f"<script>/* move {flow.moves} */ {script}</script>",
        unsafe_allow_javascript=True,
    )


SCREENS: dict[str, Callable[[Flow, SurveyScreen, Translator], None]] = {
    "welcome": welcome,
    "consent": consent,
    "declined": declined,
    "question": question,
    "review": review,
}
