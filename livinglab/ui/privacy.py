"""For the innovation team: "Données personnelles". The audit log (newest first, by pilot
and action, exportable as CSV), and people's requests: erase a person, withdraw a
person's consent. A decision-maker cannot open it (:mod:`livinglab.access`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from livinglab import services
from livinglab.errors import LivingLabError
from livinglab.i18n import Translator
from livinglab.services import audit, privacy
from livinglab.store.audit import ACTIONS
from livinglab.ui import common

SHOWN_ROWS = 500
ALL = "*"


def log_tab(t: Translator) -> None:
    pilots = [ALL, *services.pilot_ids()]
    left, right = st.columns(2)
    pilot = left.selectbox(
        t("audit_filter_pilot"),
        pilots,
        key="audit_pilot",
        format_func=lambda p: t("all") if p == ALL else pilot_title(p, t),
    )
    action = right.selectbox(
        t("audit_filter_action"),
        [ALL, *ACTIONS],
        key="audit_action",
        format_func=lambda a: t("all") if a == ALL else t("action_" + a),
    )
    chosen_pilot = None if pilot == ALL else pilot
    chosen_action = None if action == ALL else action
    log = audit.audit_log(pilot_id=chosen_pilot, action=chosen_action)
    if log.empty:
        st.info(t("audit_empty"))
        return
    st.caption(t("audit_count", shown=min(len(log), SHOWN_ROWS), total=len(log)))
    common.show_table(shown_log(log.head(SHOWN_ROWS), t), t)
    st.download_button(
        t("audit_download"),
        key="audit_download",
        icon="📥",
        on_click="ignore",
        data=common.audited(
            chosen_pilot,
            "audit log csv",
            lambda: audit.audit_csv(pilot_id=chosen_pilot, action=chosen_action),
        ),
        file_name="journal-audit.csv",
        mime="text/csv",
    )


def pilot_title(pilot_id: str, t: Translator) -> str:
    """The pilot's title in the reader's language (its id when its file is gone)."""
    try:
        return f"{services.load_pilot(pilot_id).title.get(t.lang)} ({pilot_id})"
    except LivingLabError:
        return pilot_id


def shown_log(log: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """The log's columns in the reader's words (times in UTC, to the second)."""
    return pd.DataFrame(
        {
            t("col_at"): [f"{moment:%Y-%m-%d %H:%M:%S}" for moment in log["at"]],
            t("col_actor"): log["actor"],
            t("col_action"): [t("action_" + a) for a in log["action"]],
            t("col_pilot"): log["pilot"].fillna("—"),
            t("col_detail"): log["detail"].fillna(""),
        }
    )


def request_form(t: Translator, kind: str) -> None:
    """The erase or withdraw form: a pilot, a participant's id or pseudonym, a button."""
    st.write(t(f"{kind}_intro"))
    with st.form(f"{kind}_form", clear_on_submit=True):
        pilot_id = st.selectbox(
            t("audit_filter_pilot"),
            services.pilot_ids(),
            key=f"{kind}_pilot",
            format_func=lambda p: pilot_title(p, t),
        )
        reference = st.text_input(t("participant_ref"), key=f"{kind}_participant", max_chars=200)
        confirmed = True
        if kind == "erase":
            confirmed = st.checkbox(t("erase_confirm"), key="erase_confirm")
        sent = st.form_submit_button(t(f"{kind}_submit"), type="primary")
    if not sent:
        return
    if not reference.strip() or pilot_id is None:
        st.warning(t("ref_missing"))
        return
    if not confirmed:
        st.warning(t("erase_confirm"))
        return
    try:
        if kind == "erase":
            done = privacy.erase(pilot_id, reference, actor=common.actor())
            st.success(t("erase_done", rows=done.total, pseudonym=done.pseudonym))
        else:
            withdrawal = privacy.withdraw_consent(pilot_id, reference, actor=common.actor())
            key = "withdraw_done" if withdrawal.withdrawn else "withdraw_already"
            st.success(t(key, pseudonym=withdrawal.pseudonym))
        common.clear_cache()
    except LivingLabError as err:
        st.error(f"{t('error_title')}{common.colon(t)}{common.plain(err)}")


common.require_page("privacy")
t = common.translator()
st.title(t("privacy_title"))
st.write(t("privacy_intro"))
log, erase, withdraw = st.tabs(
    [t("privacy_tab_log"), t("privacy_tab_erase"), t("privacy_tab_withdraw")]
)
with erase:
    request_form(t, "erase")
with withdraw:
    request_form(t, "withdraw")
with log:  # last, so that a request just made shows in the log at once
    log_tab(t)
