"""The citizens' survey (/?invitation=<token>), run headless with AppTest against its
own small store: welcome -> consent (the pilot's privacy facts, recorded with the
text's version) -> one question per screen -> review -> thank you; a refusal stores
nothing; answers survive a new session; a used, unknown, expired or replaced link gets
a short page with the pilot's contact; withdrawal later through the same link."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest
from ui_factories import APP, signed_in_app

from livinglab import services
from livinglab.store.consents import text_version

pytestmark = pytest.mark.xdist_group("ui")

PILOT = "senior_procedures"
TITLE = "Démarches en ligne accessibles aux seniors"


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
        for e in (
            *at.title,
            *at.subheader,
            *at.markdown,
            *at.success,
            *at.info,
            *at.warning,
            *at.error,
            *at.caption,
        )
    ]
    return "\n".join(str(p) for p in parts)


def click(at: AppTest, label: str) -> AppTest:
    button = next((b for b in at.button if b.label == label), None)
    assert button is not None, f"no button {label!r} among {[b.label for b in at.button]}"
    return button.click().run()


def questions(at: AppTest) -> list:
    return [r for r in at.radio if r.key and r.key.startswith("survey_item_")]


def answer(at: AppTest, value: int) -> AppTest:
    (radio,) = questions(at)
    radio.set_value(value)
    return click(at, "Suivant")


def rows(sql: str) -> list[tuple]:
    with services.engine().connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(sql))]


def consented(token: str) -> AppTest:
    at = click(open_survey(token), "Commencer")
    return click(at, "Oui, j'accepte")


def test_invite_prints_root_links_one_per_tester(links):
    assert len(links) == 2
    assert all(link["link"].startswith("https://lab.example/?invitation=") for link in links)
    assert {link["cohort"] for link in links} == {"testers"}


def test_the_link_opens_on_a_french_welcome_without_questions(links):
    at = open_survey(token_of(links[0]))
    assert not at.exception
    text = shown(at)
    assert at.title[0].value == "Bienvenue"
    assert TITLE in text and "Ville d'Issy-les-Moulineaux" in text
    assert "10 questions" in text and "environ 5 minutes" in text
    assert not questions(at)
    # The language switch is on the page itself, named in both languages.
    assert at.radio(key="lang").label == "Langue / Language"
    assert at.radio(key="lang").options == ["Français", "English"]
    assert not at.sidebar.selectbox


def test_consent_shows_the_privacy_facts_and_no_stores_nothing(links):
    at = click(open_survey(token_of(links[0])), "Commencer")
    text = shown(at)
    assert at.title[0].value == "Votre accord"
    for fact in (
        "Ville d'Issy-les-Moulineaux, Living Lab",
        "aide les seniors à faire leurs démarches en ligne",
        "jusqu'au 24 mai 2027 (365 jours après la fin du pilote)",
        "dpo\u2060@ville-issy.fr",
        "livinglab\u2060@ville-issy.fr",
    ):
        assert fact in text
    at = click(at, "Non, je ne souhaite pas répondre")
    assert not at.exception
    assert "rien n'a été enregistré" in shown(at)
    assert rows("SELECT * FROM consent") == []
    assert rows("SELECT * FROM survey_draft") == []
    assert rows("SELECT * FROM audit_event WHERE action = 'consent_given'") == []


def test_yes_records_the_consent_to_the_exact_text_shown(links):
    at = click(open_survey(token_of(links[0])), "Commencer")
    paragraphs = [m.value for m in at.markdown if m.value.startswith(("Qui", "Pourquoi", "Ce qui", "Combien", "Sur quelle", "Vos droits"))]  # noqa: E501
    assert len(paragraphs) == 6
    at = click(at, "Oui, j'accepte")
    assert not at.exception
    (consent,) = rows("SELECT text_version, channel, withdrawn_at FROM consent")
    unescaped = [p.replace("\\", "").replace("\u2060", "") for p in paragraphs]
    assert consent == (text_version("\n\n".join(unescaped)), "survey", None)
    assert len(rows("SELECT * FROM audit_event WHERE action = 'consent_given'")) == 1
    assert at.title[0].value == "Question 1 sur 10"


def test_one_question_per_screen_and_a_missing_answer_is_named(links):
    at = consented(token_of(links[0]))
    assert len(questions(at)) == 1
    assert at.get("progress")[0].value == 10  # percent
    at = click(at, "Suivant")
    assert at.title[0].value == "Question 1 sur 10"
    assert at.error[0].value == "Choisissez une réponse à la question 1 avant de continuer."
    at = answer(at, 4)
    assert at.title[0].value == "Question 2 sur 10" and not at.error
    at = click(at, "Précédent")
    assert at.title[0].value == "Question 1 sur 10"
    assert questions(at)[0].value == 4  # the answer is still there


def test_the_whole_path_stores_the_answers_and_the_link_answers_once(links):
    token = token_of(links[0])
    at = consented(token)
    for n in range(10):
        at = answer(at, 1 + n % 5)
    assert at.title[0].value == "Vérifiez vos réponses"
    assert "Votre réponse : 3 — Ni d'accord ni pas d'accord" in shown(at)
    at = click(at, "Envoyer mes réponses")
    assert not at.exception
    assert at.title[0].value == "Merci !"
    assert "Vos réponses ont bien été enregistrées" in shown(at)
    assert "Retirer mon accord" in shown(at)
    answers = rows("SELECT item_id, answer FROM survey_response")
    assert sorted(a for _, a in answers) == sorted(1 + n % 5 for n in range(10))
    assert rows("SELECT * FROM survey_draft") == []

    again = open_survey(token)
    assert not again.exception
    assert again.title[0].value == "Déjà répondu"
    assert "Ce lien a déjà servi" in shown(again)
    assert not questions(again)


def test_answers_survive_a_new_session_until_submitted(links):
    token = token_of(links[0])
    at = consented(token)
    for value in (5, 4, 3):
        at = answer(at, value)
    reopened = open_survey(token)  # a reload, or the link opened the next day
    assert not reopened.exception
    assert reopened.title[0].value == "Question 4 sur 10"
    reopened = click(reopened, "Précédent")
    assert questions(reopened)[0].value == 3
    (draft,) = rows("SELECT answers FROM survey_draft")
    assert json.loads(draft[0]) == {"q1": 5, "q2": 4, "q3": 3}


def test_withdrawal_from_the_thank_you_and_later_from_the_used_link(links):
    token = token_of(links[0])
    at = consented(token)
    for _ in range(10):
        at = answer(at, 3)
    at = click(click(at, "Envoyer mes réponses"), "Retirer mon accord")
    assert "Votre accord est retiré" in shown(at)
    (withdrawn,) = rows("SELECT withdrawn_at FROM consent")
    assert withdrawn[0] is not None
    assert len(rows("SELECT * FROM audit_event WHERE action = 'consent_withdrawn'")) == 1
    later = click(open_survey(token), "Retirer mon accord")  # the link, weeks later
    assert not later.exception and "Votre accord est retiré" in shown(later)


def test_refused_links_say_why_with_the_pilot_contact(links):
    unknown = open_survey("not-a-real-token")
    assert not unknown.exception
    assert unknown.title[0].value == "Ce lien ne peut pas servir"
    assert "n'est pas reconnu" in shown(unknown) and "qui vous a écrit" in shown(unknown)

    # Re-inviting replaces the earlier unused links: one live link per person and wave.
    fresh = services.invite(PILOT, instrument="sus", wave="after", base_url="https://x")
    replaced = open_survey(token_of(links[0]))
    assert "remplacé par un lien plus récent" in shown(replaced)
    assert "livinglab\u2060@ville-issy.fr" in shown(replaced)
    assert not questions(replaced)
    assert open_survey(token_of(fresh[0])).title[0].value == "Bienvenue"


def test_an_expired_link_is_refused(empty_store, tmp_path):
    people = tmp_path / "p.csv"
    people.write_text("participant_id,cohort,age_band\nc1,testers,65+\n")
    services.import_data(PILOT, participants=people)
    (link,) = services.invite(
        PILOT, instrument="sus", wave="after", expires=date.today() + timedelta(days=1)
    )
    with services.engine().begin() as connection:  # two days later
        connection.execute(sa.text("UPDATE invitation SET expires_at = expires_at - 172800000000"))
    at = open_survey(token_of(link))
    assert "Ce lien a expiré" in shown(at) and not questions(at)


def test_the_survey_in_english(links):
    at = open_survey(token_of(links[0]))
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Welcome"
    at = click(click(at, "Start"), "Yes, I agree")
    assert at.title[0].value == "Question 1 of 10"
    assert questions(at)[0].options[0] == "1 — Strongly disagree"


def test_without_its_token_the_survey_address_gives_the_sign_in_page(links):
    # A citizen who deletes ?invitation= from their link reaches no menu and no data.
    at = open_survey(None)
    assert not at.exception
    assert at.title[0].value == "Connexion au Living Lab"
    assert not questions(at) and not at.get("page_link")
    assert not any("Chaque verdict" in str(c.value) for c in at.sidebar.caption)


def test_a_signed_in_team_member_opening_a_link_sees_only_that_survey(links):
    at = signed_in_app("team")
    at.query_params["invitation"] = token_of(links[0])
    at.run()
    assert not at.exception
    assert at.title[0].value == "Bienvenue"
    assert not at.sidebar.button  # no sign-out, no menu: the survey page only


def test_a_link_answered_in_another_tab_meanwhile_says_so(links):
    token = token_of(links[0])
    tab = consented(token)
    services_survey_answer_all(token)  # the other tab sends every answer
    tab = answer(tab, 4)  # this tab moves on: no traceback, the link says it was used
    assert not tab.exception
    assert tab.title[0].value == "Déjà répondu"


def services_survey_answer_all(token: str) -> None:
    from livinglab.services import survey as citizen

    citizen.submit_survey(token, {f"q{i}": 2 for i in range(1, 11)})


def test_a_reminder_link_goes_on_where_the_person_stopped(links):
    at = consented(token_of(links[0]))
    for value in (5, 4, 3):
        at = answer(at, value)
    reminder = services.invite(PILOT, instrument="sus", wave="after", reminder=True)
    mine = next(r for r in reminder if r["participant_id"] == links[0]["participant_id"])
    resumed = open_survey(token_of(mine))
    assert not resumed.exception
    assert resumed.title[0].value == "Question 4 sur 10"
    assert "remplacé" in shown(open_survey(token_of(links[0])))
    assert len(rows("SELECT * FROM survey_draft")) == 1
