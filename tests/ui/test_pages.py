"""Every page of the app, run headless with Streamlit's AppTest against the demo store:
no exception, the titles and verdict words a decision-maker reads, the widgets by key,
and the language switch."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui_factories import (
    APP,
    DEMO_LOGINS,
    TITLES_EN,
    TITLES_FR,
    UI_DIR,
    as_read,
    open_tab,
    sign_in,
    signed_in_app,
)

pytestmark = pytest.mark.xdist_group("ui")

PORTFOLIO = str(UI_DIR / "portfolio.py")
PILOT = str(UI_DIR / "pilot.py")
CHECKS = str(UI_DIR / "checks.py")


def texts(at: AppTest) -> str:
    """Every text the page shows (markdown, headings, captions, alerts), joined."""
    parts = [
        e.value
        for e in (
            *at.title,
            *at.header,
            *at.subheader,
            *at.markdown,
            *at.caption,
            *at.success,
            *at.error,
            *at.warning,
            *at.info,
        )
    ]
    return "\n".join(str(p) for p in parts)


def run_page(at: AppTest, page: str, **query: str) -> AppTest:
    at.run()
    at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_portfolio_lists_every_pilot_with_its_verdict_word_and_icon(app: AppTest) -> None:
    app.run()
    assert not app.exception
    assert app.title[0].value == "Portefeuille des pilotes"
    shown = texts(app)
    for title in TITLES_FR.values():
        assert title in [s.value for s in app.subheader]
    assert "✅ Généraliser" in shown
    assert "⛔ Abandonner" in shown
    assert "⏳ Prolonger" in shown
    assert "niveau 5/5" in shown and "niveau 2/5" in shown and "niveau 3/5" in shown
    # The primary effect with its CI, the cohorts, the latest data.
    assert (
        "Consommation d'électricité : −7,9\u202f% (IC 95\u00a0% : −9,8\u202f% à −6,0\u202f%)"
        in shown
    )
    assert "Ménages avec retour d'information\u00a0: 150" in shown
    assert "28 juin 2026" in shown
    links = app.get("page_link")
    assert len(links) == 3
    assert {link.proto.query_string for link in links} == {
        "pilot=energy_feedback",
        "pilot=senior_procedures",
        "pilot=shared_mobility",
    }


def test_portfolio_filters_by_verdict_and_domain(app: AppTest) -> None:
    app.run()
    app.multiselect(key="filter_verdict").set_value(["no_go"]).run()
    assert not app.exception
    assert [s.value for s in app.subheader] == [TITLES_FR["shared_mobility"]]
    app.multiselect(key="filter_verdict").set_value([]).run()
    app.multiselect(key="filter_domain").set_value(["energy", "e-government"]).run()
    assert [s.value for s in app.subheader] == [
        TITLES_FR["energy_feedback"],
        TITLES_FR["senior_procedures"],
    ]
    app.multiselect(key="filter_verdict").set_value(["no_go"]).run()
    assert not app.subheader
    assert "Aucun pilote ne correspond aux filtres." in texts(app)


def test_language_switch_translates_the_page_and_its_numbers(app: AppTest) -> None:
    app.run()
    app.selectbox(key="lang").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "Pilot portfolio"
    shown = texts(app)
    assert "✅ Roll out" in shown and "⛔ Drop" in shown and "⏳ Extend" in shown
    assert "Électricité" not in shown and "Généraliser" not in shown
    assert "Electricity use: −7.9% (95% CI: −9.8% to −6.0%)" in shown
    assert "28 June 2026" in shown
    assert set(TITLES_EN.values()) <= {s.value for s in app.subheader}
    app.selectbox(key="lang").set_value("fr").run()
    assert app.title[0].value == "Portefeuille des pilotes"


def test_lang_in_the_address_opens_the_app_in_english(demo_store: dict[str, str]) -> None:
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.query_params["lang"] = "en"
    app.run()
    assert app.title[0].value == "Sign in to the Living Lab"
    sign_in(app, *DEMO_LOGINS["team"])
    assert not app.exception
    assert app.title[0].value == "Pilot portfolio"
    assert app.selectbox(key="lang").value == "en"


def test_sessions_do_not_share_their_language(demo_store: dict[str, str]) -> None:
    english = signed_in_app("team")
    english.selectbox(key="lang").set_value("en").run()
    french = signed_in_app("decision")
    assert english.title[0].value == "Pilot portfolio"
    assert french.title[0].value == "Portefeuille des pilotes"


def test_pilot_page_shows_hypothesis_verdict_criteria_and_evidence(app: AppTest) -> None:
    run_page(app, PILOT, pilot="senior_procedures")
    assert not app.exception
    assert app.title[0].value == TITLES_FR["senior_procedures"]
    assert app.selectbox(key="pilot_select").value == "senior_procedures"
    shown = texts(app)
    assert "Hypothèse" in shown and "SUS d'au moins 68" in shown
    assert "Verdict : ⏳ Prolonger" in app.warning[0].value
    assert "Niveau 2 sur 5" in app.warning[0].value
    assert "✅ rempli" in shown and "❔ non concluant" in shown
    # never thousands of respondents: the extension stops at ten times the 25 answers
    assert "Il faudrait environ 225 répondants de plus" in shown
    assert "dix fois l'effectif actuel" in shown
    assert [tab.label for tab in app.tabs] == [
        "Mesures d'usage",
        "Enquêtes",
        "Équité",
        "Représentativité",
        "Projection",
    ]
    assert {b.proto.label for b in app.get("download_button")} == {
        "Télécharger le dossier (HTML)",
        "Télécharger le dossier (PDF)",
    }
    # Per metric: the sentence with its CI, the means table; charts with their text.
    assert (
        "Évolution avant/après des testeurs : +16,2 points (IC 95\u00a0% : 7,3 à 25,1) ; "
        "36 testeurs."
        in shown
    )
    assert any("Moyenne" in str(t.value.columns.tolist()) for t in app.table)
    # Only the open tab runs (st.tabs on_change="rerun"): its charts, then each tab's.
    assert len(app.get("vega_lite_chart")) >= 2
    charts = {tab.label: len(open_tab(app, tab.label).get("vega_lite_chart"))
              for tab in list(app.tabs)}
    assert not app.exception and sum(charts.values()) >= 8
    assert charts["Mesures d'usage"] >= 2 and charts["Enquêtes"] >= 1


def test_pilot_page_selector_changes_the_pilot(app: AppTest) -> None:
    run_page(app, PILOT, pilot="senior_procedures")
    app.selectbox(key="pilot_select").set_value("energy_feedback").run()
    assert not app.exception
    assert app.title[0].value == TITLES_FR["energy_feedback"]
    assert "Verdict : ✅ Généraliser" in app.success[0].value
    assert app.query_params["pilot"] == "energy_feedback"
    # Surveys, representativeness and the projection in CO2e, each in its tab.
    assert "NPS +16" in texts(open_tab(app, "Enquêtes"))
    shown = texts(open_tab(app, "Représentativité"))
    assert "Tranche d'âge : testeurs et population" not in shown  # a chart title, not text
    assert "−155 t CO2e par an" in texts(open_tab(app, "Projection"))
    assert app.query_params["pilot"] == "energy_feedback" and not app.exception


def test_pilot_page_in_english(app: AppTest) -> None:
    app.run()
    app.selectbox(key="lang").set_value("en").run()
    app.switch_page(PILOT)
    app.query_params["pilot"] = "shared_mobility"
    app.run()
    assert not app.exception
    assert app.title[0].value == TITLES_EN["shared_mobility"]
    assert "Verdict: ⛔ Drop" in app.error[0].value
    assert [tab.label for tab in app.tabs][0] == "Usage metrics"
    assert "❌ not met" in texts(app)


def test_unknown_pilot_in_the_address_falls_back_to_the_first(app: AppTest) -> None:
    run_page(app, PILOT, pilot="no_such_pilot")
    assert not app.exception
    assert app.title[0].value == TITLES_FR["energy_feedback"]


def test_checks_page_shows_recruitment_tests_and_exclusions(app: AppTest) -> None:
    run_page(app, CHECKS, pilot="energy_feedback")
    assert not app.exception
    assert app.title[0].value == "Contrôles et méthodes"
    assert [s.value for s in app.subheader][:3] == [
        "Recrutement et abandons",
        "Équilibre au départ (testeurs contre témoins)",
        "Tests employés",
    ]
    assert "test t de Welch" in as_read(app.table[2].value.to_string())
    app.button(key="refresh").click().run()
    assert not app.exception


@pytest.mark.parametrize("page", [PORTFOLIO, PILOT, CHECKS])
def test_every_page_runs_on_an_empty_store(
    app: AppTest, empty_store: dict[str, str], page: str
) -> None:
    run_page(app, page, pilot="energy_feedback")
    assert not app.exception
    assert app.title
