"""The participants and responses page in AppTest, on a demo store: enrolled against
target, response rate per wave against the store, who has not answered by pseudonym or
by the team's own id, and new links for them (audited); a decision-maker cannot open it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from team_workspace import team_workspace
from ui_factories import as_read, open_address, signed_in_app

from livinglab import services
from livinglab.demo import generate_demo
from livinglab.store import reductions

pytestmark = pytest.mark.xdist_group("ui")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with team_workspace(tmp_path_factory.mktemp("participants")) as folder:
        yield folder


def answered(instrument: str, wave: str) -> int:
    with services.engine().connect() as connection:
        return int(connection.execute(sa.text(
            "SELECT count(DISTINCT r.participant_key) FROM survey_response r "
            "JOIN participant p ON p.key = r.participant_key "
            "WHERE p.pilot_id = 'energy_feedback' AND r.instrument_id = :i AND r.wave = :w"
        ), {"i": instrument, "w": wave}).scalar())


def table_with(at, column: str) -> list[dict[str, str]]:
    """The rows of the first table with ``column`` (empty tables are not drawn)."""
    for table in at.table:
        if column in table.value.columns:
            return table.value.to_dict("records")
    return []


def test_cohorts_and_response_rates_match_the_store(workspace: Path) -> None:
    at = signed_in_app("team")
    open_address(at, "participants", pilot="energy_feedback")
    assert not at.exception, at.exception
    cohorts, waves = table_with(at, "Inscrits"), table_with(at, "Interrogés")
    pilot = services.load_pilot("energy_feedback")
    counts = reductions.cohort_counts(engine=services.engine(), pilot=pilot)
    assert [int(r["Inscrits"].replace("\u202f", "")) for r in cohorts] == list(
        counts["participants"]
    )
    assert [r["Cible"] for r in cohorts] == [str(c.target_size) for c in pilot.cohorts]
    nps = next(r for r in waves if r["Questionnaire"] == "nps")
    done = answered("nps", "after")
    surveyed = int(counts.set_index("cohort").loc["feedback", "participants"])
    assert (nps["Interrogés"], nps["Ont répondu"]) == (str(surveyed), str(done))
    assert nps["Taux"] == f"{round(100 * done / surveyed)}\u202f%"


def test_the_team_sees_its_own_ids_and_creates_links_for_those_who_have_not_answered(
    workspace: Path,
) -> None:
    files = generate_demo(workspace / "raw")  # the same seed as the demo: the same ids
    raw_ids = {line.split(",")[0] for line in
               files["energy_feedback"].participants.read_text().splitlines()[1:]}
    at = signed_in_app("team")
    open_address(at, "participants", pilot="energy_feedback")
    missing_before = table_with(at, "Participant")
    assert missing_before and not {as_read(r["Participant"]) for r in missing_before} & raw_ids
    at.file_uploader(key="team_ids").upload(
        "mes_participants.csv", files["energy_feedback"].participants.read_bytes(), "text/csv"
    ).run()
    assert not at.exception, at.exception
    missing = table_with(at, "Participant")
    assert missing and {as_read(r["Participant"]) for r in missing} <= raw_ids
    at.selectbox(key="links_wave").set_value(("nps", "after"))
    at.button(key="links_create").click().run()
    assert not at.exception, at.exception
    expected = sum(1 for r in missing if r["Questionnaire"] == "nps")
    assert expected > 0
    assert at.success[0].value.startswith(f"{expected} lien(s) créé(s)")
    invitations = table_with(at, "Créés")
    nps = next(r for r in invitations if r["Questionnaire"] == "nps")
    assert (nps["Créés"], nps["Utilisés"], nps["En attente"]) == (str(expected), "0",
                                                                  str(expected))
    from sqlmodel import Session

    from livinglab.store.audit import audit_events

    with Session(services.engine()) as session:
        [event] = audit_events(session=session, action="invite")
    assert (event.actor, event.pilot_id) == ("equipe", "energy_feedback")
