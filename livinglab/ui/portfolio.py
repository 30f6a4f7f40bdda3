"""Portfolio: every pilot with its verdict, evidence level, primary effect, cohorts and
the date of its latest data; filters by domain and verdict; a link to each pilot."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from livinglab.errors import LivingLabError
from livinglab.i18n import Translator
from livinglab.services.portfolio import portfolio_cards
from livinglab.ui import common
from livinglab.ui.common import plain

PILOT_PAGE = str(common.UI_DIR / "pilot.py")
VERDICT_ORDER = ("go", "no_go", "extend", "awaiting")


def shown_verdict(row: pd.Series) -> str:
    """The verdict, or ``awaiting`` for a pilot without any data yet (its phase shows)."""
    return "awaiting" if row.get("awaiting_data") is True else str(row["verdict"])


def effect_text(row: pd.Series, t: Translator) -> str:
    """The primary effect with its CI: in points for a share (task completed), else in %
    of the baseline (the unit when no baseline is known)."""
    if row["primary_binary"] is True and pd.notna(row["estimate"]):
        est, low, high = t.interval(
            row["estimate"] * 100, row["ci_low"] * 100, row["ci_high"] * 100
        )
        sign = "+" if row["estimate"] > 0 else ""
        return t(
            "effect_line",
            ci=t.ci(row.get("ci_level")),
            label=row["primary_label"],
            estimate=f"{sign}{est} {t('points')}",
            low=low,
            high=high,
        )
    if pd.notna(row["estimate_pct"]):
        est, low, high = t.percent_interval(row["estimate_pct"], row["ci_low_pct"],
                                            row["ci_high_pct"])
        return t(
            "effect_line",
            ci=t.ci(row.get("ci_level")),
            label=row["primary_label"],
            estimate=est,
            low=low,
            high=high,
        )
    if pd.notna(row["estimate"]):
        est, low, high = t.interval(row["estimate"], row["ci_low"], row["ci_high"])
        unit = row["primary_unit"]
        return t(
            "effect_line",
            ci=t.ci(row.get("ci_level")),
            label=row["primary_label"],
            estimate=f"{est} {unit}",
            low=low,
            high=high,
        )
    return "—"


def cohorts_text(row: pd.Series, t: Translator, separator: str = " · ") -> str:
    colon = "\u00a0: " if t.lang == "fr" else ": "
    return separator.join(
        f"{label}{colon}{t.number(n, 0) if n is not None else '—'}"
        for label, n in (row["cohorts"] or [])
    )


def latest_text(row: pd.Series, t: Translator) -> str:
    return t.date(row["latest"]) if pd.notna(row["latest"]) else t("no_data")


def pilot_card(row: pd.Series, t: Translator) -> None:
    with st.container(border=True, key=f"card_{row['pilot']}"):
        st.subheader(plain(row["title"]))
        if isinstance(row["error"], str):
            st.warning(f"{t('no_evaluation')} — {plain(row['error'])}")
            return
        if shown_verdict(row) == "awaiting":
            st.markdown(f"**{t.verdict('awaiting')}** · {t('phase_' + row['phase'])}")
        else:
            decided = row.get("decision")
            st.markdown(
                f"**{t.verdict(row['verdict'])}** · "
                f"{t('evidence_short', level=int(row['evidence_level']))}"
                + (
                    f" · {t('col_decision')}{common.colon(t)}**{t('decision_' + decided)}**"
                    if isinstance(decided, str)
                    else ""
                )
            )
        left, middle, right = st.columns([2, 2, 1])
        left.markdown(f"**{t('col_primary_effect')}**  \n{plain(effect_text(row, t))}")
        if isinstance(row.get("estimate_name"), str) and pd.notna(row["estimate"]):
            left.caption(t("estimate_named", name=plain(row["estimate_name"])))
        cohorts = "  \n".join(plain(line) for line in cohorts_text(row, t, "\n").splitlines())
        middle.markdown(f"**{t('col_participants')}**  \n{cohorts}")
        right.markdown(f"**{t('col_latest')}**  \n{latest_text(row, t)}")
        st.caption(
            f"{t('col_domain')} : {plain(t.domain(row['domain']))} · {t('col_phase')} : "
            f"{t('phase_' + row['phase'])}"
            if t.lang == "fr"
            else f"{t('col_domain')}: {plain(t.domain(row['domain']))} · {t('col_phase')}: "
            f"{t('phase_' + row['phase'])}"
        )
        st.page_link(
            PILOT_PAGE,
            label=t("open_pilot", title=plain(row["title"])),
            icon="➡️",
            query_params={common.PILOT_PARAM: row["pilot"]},
        )


def portfolio_table(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    ok = frame[frame["error"].isna()]
    return pd.DataFrame(
        {
            t("col_pilot"): ok["title"],
            t("col_domain"): [t.domain(d) for d in ok["domain"]],
            t("col_phase"): [t("phase_" + p) for p in ok["phase"]],
            t("col_verdict"): [t.verdict(shown_verdict(r)) for _, r in ok.iterrows()],
            t("col_evidence"): [t("evidence_short", level=int(v)) for v in ok["evidence_level"]],
            t("col_primary_effect"): [effect_text(r, t) for _, r in ok.iterrows()],
            t("col_participants"): [cohorts_text(r, t) for _, r in ok.iterrows()],
            t("col_latest"): [latest_text(r, t) for _, r in ok.iterrows()],
            t("col_decision"): [
                t("decision_" + d) if isinstance(d, str) else "—" for d in ok["decision"]
            ],
        }
    )


common.require_page("portfolio")
t = common.translator()
st.title(t("portfolio_title"))
st.write(t("portfolio_intro"))
try:
    with st.spinner(t("loading")):
        overview = portfolio_cards(lang=t.lang, card=common.carder(t.lang))
except LivingLabError as err:
    st.error(f"{t('error_title')}{common.colon(t)}{plain(err)}")
    st.stop()

if overview.empty:
    st.info(t("no_pilot"))
    st.stop()

domains = sorted(overview["domain"].dropna().unique())
shown_verdicts = pd.Series(
    [shown_verdict(r) if pd.notna(r["verdict"]) else None for _, r in overview.iterrows()],
    index=overview.index,
    dtype=object,
)
verdicts = [v for v in VERDICT_ORDER if v in set(shown_verdicts.dropna())]
left, right = st.columns(2)
chosen_domains = left.multiselect(
    t("filter_domain"), domains, format_func=t.domain, key="filter_domain", placeholder=t("all"),
    select_all=False,  # Streamlit's own "Select all" is English only; few options anyway
)
chosen_verdicts = right.multiselect(
    t("filter_verdict"),
    verdicts,
    format_func=t.verdict,
    key="filter_verdict",
    placeholder=t("all"),
    select_all=False,
)
keep = pd.Series(True, index=overview.index)
if chosen_domains:
    keep &= overview["domain"].isin(chosen_domains)
if chosen_verdicts:
    keep &= shown_verdicts.isin(chosen_verdicts)
shown = overview[keep]
if shown.empty:
    st.info(t("no_match"))
for _, pilot_row in shown.iterrows():
    pilot_card(pilot_row, t)
with st.expander(t("portfolio_table")):
    common.show_table(portfolio_table(shown, t), t)
