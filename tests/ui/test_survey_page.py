"""The citizens' survey page (/survey?invitation=<token>), run headless with AppTest
against its own small store: the questionnaire and consent of a valid link, a stored
submission and the thank-you, a used link, an unknown link; never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest
from ui_factories import APP, signed_in_app

from livinglab import services

pytestmark = pytest.mark.xdist_group("ui")

PILOT = "senior_procedures"


@pytest.fixture
def links(empty_store: dict[str, str], tmp_path: Path) -> list[dict[str, str]]:
    people = tmp_path / "participants.csv"
    people.write_text("participant_id,cohort,age_band\nc1,testers,65+\nc2,testers,45-64\n")
    services.import_data(PILOT, participants=people)
    return services.invite(PILOT, instrument="sus", wave="after", base_url="https://lab.example")


def token_of(link: dict[str, str]) -> str:
    return link["link"].split("invitation=", 1)[1]


def open_survey(token: str | None) -> AppTest:
    """The app as a citizen opens it: their link, in a new session (nobody signed in)."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    if token is not None:
        at.query_params["invitation"] = token
    return at.run()


def shown(at: AppTest) -> str:
    parts = [
        e.value
        for e in (*at.title, *at.subheader, *at.markdown, *at.success, *at.info, *at.warning)
    ]
    return "\n".join(str(p) for p in parts)


def stored_answers() -> list[tuple[str, int]]:
    with services.engine().connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.text("SELECT item_id, answer FROM survey_response ORDER BY item_id")
            )
        ]


def test_invite_gives_one_link_per_tester(links):
    assert len(links) == 2
    assert all(link["link"].startswith("https://lab.example/survey?invitation=") for link in links)
    assert {link["cohort"] for link in links} == {"testers"}


def test_a_valid_link_shows_the_items_and_consent_in_french(links):
    at = open_survey(token_of(links[0]))
    assert not at.exception
    assert len(at.radio) == 10
    assert at.radio[0].options[0] == "1 — Pas du tout d'accord"
    assert len(at.checkbox) == 1 and "pseudonymes" in at.checkbox[0].label
    assert "Question 1 sur 10" in shown(at)
    # A citizen sees their survey only: not the decision-makers' note of the other pages.
    assert not any("Chaque verdict" in str(c.value) for c in at.sidebar.caption)


def test_a_valid_link_in_english(links):
    at = open_survey(token_of(links[0]))
    at.selectbox(key="lang").set_value("en").run()
    assert not at.exception
    assert at.radio[0].options[0] == "1 — Strongly disagree"
    assert "pseudonymous" in at.checkbox[0].label


def test_submitting_stores_the_answers_then_the_link_is_used(links):
    token = token_of(links[0])
    at = open_survey(token)
    for n, radio in enumerate(at.radio):
        radio.set_value(1 + n % 5)
    at.checkbox[0].check()
    at.button[0].click().run()
    assert not at.exception
    assert "Merci ! Vos réponses ont bien été enregistrées." in shown(at)
    answers = stored_answers()
    assert len(answers) == 10
    assert sorted(a for _, a in answers) == sorted(1 + n % 5 for n in range(10))

    again = open_survey(token)
    assert not again.exception
    assert "Ce lien a déjà servi" in shown(again)
    assert not again.radio
    assert len(stored_answers()) == 10


def test_without_consent_nothing_is_stored(links):
    at = open_survey(token_of(links[1]))
    for radio in at.radio:
        radio.set_value(3)
    at.button[0].click().run()
    assert not at.exception
    assert "cochez la case d'accord" in shown(at)
    assert stored_answers() == []


def test_an_unknown_or_missing_link_shows_a_friendly_message(links):
    at = open_survey("not-a-real-token")
    assert not at.exception
    assert "n'est pas reconnu" in shown(at)

def test_without_its_token_the_survey_address_gives_the_sign_in_page(links):
    # A citizen who deletes ?invitation= from their link reaches no menu and no data.
    at = open_survey(None)
    assert not at.exception
    assert at.title[0].value == "Connexion au Living Lab"
    assert not at.radio and not at.get("page_link")
    assert not any("Chaque verdict" in str(c.value) for c in at.sidebar.caption)


def test_a_signed_in_team_member_opening_a_link_sees_only_that_survey(links):
    at = signed_in_app("team")
    at.query_params["invitation"] = token_of(links[0])
    at.run()
    assert not at.exception
    assert len(at.radio) == 10
    assert not at.sidebar.button  # no sign-out, no menu: the survey page only
