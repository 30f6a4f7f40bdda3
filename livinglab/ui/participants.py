"""For the innovation team: enrolled against target, active and dropped out, response
rate per wave, who has not answered yet (pseudonyms, or the team's own ids from its
file), invitations by state, and new links for those who have not answered."""

from __future__ import annotations

from typing import BinaryIO, cast

import pandas as pd
import streamlit as st

from livinglab.errors import LivingLabError
from livinglab.i18n import Translator
from livinglab.services import participation
from livinglab.ui import common


def cohorts_table(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col_cohort"): frame["label"],
            t("col_target"): frame["target"],
            t("col_enrolled"): frame["enrolled"],
            t("col_active"): frame["active"],
            t("col_dropped"): frame["dropped_out"],
            t("col_last_departure"): [t.date(d) if pd.notna(d) else "—"
                                      for d in frame["last_departure"]],
        }
    )


def departures_table(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col_participant"): frame["participant"],
            t("col_cohort"): frame["cohort"],
            t("col_left_on"): [t.date(d) for d in frame["left_on"]],
            t("col_source"): [t("source_" + s) for s in frame["source"]],
        }
    )


def waves_table(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col_instrument"): frame["instrument"],
            t("col_wave"): [t("wave_" + w) for w in frame["wave"]],
            t("col_surveyed"): frame["surveyed"],
            t("col_answered"): frame["answered"],
            t("col_rate"): [t.percent(r) if pd.notna(r) else "—" for r in frame["rate"]],
        }
    )


def missing_table(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col_instrument"): frame["instrument"],
            t("col_wave"): [t("wave_" + w) for w in frame["wave"]],
            t("col_cohort"): frame["cohort"],
            t("col_participant"): frame["participant"],
        }
    )


def invitations_table(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col_instrument"): frame["instrument"],
            t("col_wave"): [t("wave_" + w) for w in frame["wave"]],
            t("col_created"): frame["created"],
            t("col_used"): frame["used"],
            t("col_expired"): frame["expired"],
            t("col_open"): frame["open"],
        }
    )


common.require_page("participants")
t = common.translator()
st.title(t("participants_title"))
st.write(t("participants_intro"))
pilot_id = common.pilot_selector(t, key="participants_pilot")
if pilot_id is None:
    st.stop()
team_file = st.file_uploader(t("participants_team_file"), type=["csv"], key="team_ids")
waves = participation.planned_waves(pilot_id)
if waves:
    chosen = st.selectbox(
        t("links_for"), waves, key="links_wave",
        format_func=lambda w: f"{w[0]} · {t('wave_' + w[1])}",
    )
    if st.button(t("links_create"), key="links_create"):
        account = common.signed_in()
        try:
            links = participation.create_links(
                pilot_id, instrument=chosen[0], wave=chosen[1],
                actor=account[0] if account else "?",
            )
        except LivingLabError as err:
            st.error(common.plain(err))
        else:
            st.success(t("links_created", n=len(links)))
            st.download_button(
                t("links_download"), participation.links_csv(links),
                file_name=f"{pilot_id}-{chosen[0]}-{chosen[1]}-links.csv", mime="text/csv",
                key="links_download",
            )

try:
    seen = participation.participation(
        pilot_id, team_file=cast(BinaryIO, team_file) if team_file else None
    )
except LivingLabError as err:
    st.error(f"{t('error_title')}{common.colon(t)}{common.plain(err)}")
    st.stop()
if team_file:
    st.caption(t("participants_own_ids", n=seen.own_ids))

st.subheader(t("participants_cohorts"))
common.show_table(cohorts_table(seen.cohorts, t), t)
st.subheader(t("participants_departures"))
common.show_table(departures_table(seen.departures, t), t)
st.subheader(t("participants_waves"))
common.show_table(waves_table(seen.waves, t), t)
st.subheader(t("participants_missing"))
with st.expander(t("participants_missing") + f" ({len(seen.not_answered)})"):
    common.show_table(missing_table(seen.not_answered, t), t)
st.subheader(t("participants_invitations"))
common.show_table(invitations_table(seen.invitations, t), t)

