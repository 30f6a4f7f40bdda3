"""Who reaches what, in Streamlit's AppTest against the demo store: an anonymous
visitor gets the sign-in page at every address; a decision-maker the decision pages and
no team page, even by address; a wrong password is refused, counted and logged; and
every protected page stops by itself when run without the right role."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest
from ui_factories import (
    APP,
    DEMO_LOGINS,
    TITLES_FR,
    UI_DIR,
    open_address,
    sign_in,
    signed_in_app,
)

from livinglab import services

pytestmark = pytest.mark.xdist_group("ui")

PAGES = {name: str(UI_DIR / f"{name}.py") for name in ("portfolio", "pilot", "checks", "survey")}
SIGN_IN_TITLE = "Connexion au Living Lab"


def shown(at: AppTest) -> str:
    parts = [
        e.value
        for e in (*at.title, *at.subheader, *at.markdown, *at.caption, *at.info, *at.warning)
    ]
    return "\n".join(str(p) for p in parts)


def assert_nothing_from_the_store(at: AppTest) -> None:
    text = shown(at)
    assert not any(title in text for title in TITLES_FR.values())
    assert not at.table and not at.get("vega_lite_chart") and not at.get("download_button")
    assert [w.key for w in at.selectbox] in ([], ["lang"])  # the language only


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("query", [{}, {"pilot": "energy_feedback", "lang": "fr"}])
def test_an_anonymous_visitor_gets_only_the_sign_in_page(
    demo_store: dict[str, str], page: str, query: dict[str, str]
) -> None:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert at.title[0].value == SIGN_IN_TITLE
    open_address(at, page, **query)
    assert not at.exception
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    assert_nothing_from_the_store(at)
    assert not at.sidebar.button  # no sign-out: nobody is signed in


def test_a_deep_link_opens_its_page_once_signed_in(demo_store: dict[str, str]) -> None:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    open_address(at, "checks", pilot="shared_mobility")
    assert at.title[0].value == SIGN_IN_TITLE
    sign_in(at, *DEMO_LOGINS["team"])
    assert not at.exception
    assert at.title[0].value == "Contrôles et méthodes"
    assert at.selectbox(key="pilot_select").value == "shared_mobility"


def test_a_decision_maker_reaches_the_decision_pages_and_no_team_page(
    demo_store: dict[str, str],
) -> None:
    at = signed_in_app("decision")
    assert not at.exception
    assert at.title[0].value == "Portefeuille des pilotes"
    assert "Connecté : decideur (décideur)" in [c.value for c in at.sidebar.caption]
    open_address(at, "pilot", pilot="energy_feedback")
    assert at.title[0].value == TITLES_FR["energy_feedback"]
    assert len(at.get("download_button")) == 2  # the dossier export is theirs
    open_address(at, "checks", pilot="energy_feedback")
    assert not at.exception
    assert [t.value for t in at.title] == ["Accès refusé"]
    assert "n'est pas accessible avec votre compte" in shown(at)
    assert not at.table and not at.main.button  # no "recompute"


def test_the_team_reaches_every_page(app: AppTest) -> None:
    open_address(app, "checks")
    assert app.title[0].value == "Contrôles et méthodes"
    assert "Connecté : equipe (équipe innovation)" in [c.value for c in app.sidebar.caption]


@pytest.mark.parametrize(
    ("page", "role"),
    [("portfolio", None), ("pilot", None), ("checks", None), ("checks", "decision")],
)
def test_a_protected_page_run_directly_checks_the_role_itself(
    demo_store: dict[str, str], page: str, role: str | None
) -> None:
    # As if a script run reached the page without the menu: the page must stop itself.
    at = AppTest.from_file(PAGES[page], default_timeout=120)
    at.query_params["pilot"] = "energy_feedback"
    if role is not None:
        at.session_state["_signed_in_account"] = DEMO_LOGINS[role][0]
    at.run()
    assert not at.exception
    expected = "Connectez-vous pour voir cette page." if role is None else "n'est pas accessible"
    assert expected in shown(at)
    assert not at.title
    assert_nothing_from_the_store(at)


def test_a_wrong_password_is_refused_and_logged(
    demo_store: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    with caplog.at_level(logging.WARNING, logger="livinglab.auth"):
        sign_in(at, "decideur", "not-the-password")
    assert not at.exception
    assert [e.value for e in at.error] == ["Identifiant ou mot de passe incorrect."]
    assert at.title[0].value == SIGN_IN_TITLE
    assert "username='decideur' reason=wrong-password" in caplog.text
    sign_in(at, *DEMO_LOGINS["decision"])  # the right password still works (1 failure)
    assert at.title[0].value == "Portefeuille des pilotes"


def test_repeated_failures_lock_the_account(demo_store: dict[str, str]) -> None:
    services.add_account("lockme", "the-right-password", "decision")
    try:
        at = AppTest.from_file(str(APP), default_timeout=120).run()
        for n in range(5):
            sign_in(at, "lockme", f"wrong-password-{n}")
        assert "ce compte est bloqué pour 15 minutes" in at.error[0].value
        sign_in(at, "lockme", "the-right-password")
        assert "bloqué" in at.error[0].value
        assert at.title[0].value == SIGN_IN_TITLE
    finally:
        services.remove_account("lockme")


def test_a_removed_account_or_a_new_role_applies_at_the_next_click(
    demo_store: dict[str, str],
) -> None:
    services.add_account("temporary", "the-right-password", "team")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    sign_in(at, "temporary", "the-right-password")
    open_address(at, "checks")
    assert at.title[0].value == "Contrôles et méthodes"
    services.set_account_role("temporary", "decision")
    at.run()
    assert at.title[0].value == "Accès refusé"
    services.remove_account("temporary")
    at.run()
    assert at.title[0].value == SIGN_IN_TITLE


def test_signing_out_returns_to_the_sign_in_page(demo_store: dict[str, str]) -> None:
    at = signed_in_app("team")
    at.sidebar.button(key="signout").click().run()
    assert not at.exception
    assert at.title[0].value == SIGN_IN_TITLE
    assert_nothing_from_the_store(at)
