"""The participants file's ``consent_on`` column becomes consent records (channel
``import``, the version of the pilot's consent text), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select
from store_factories import SECRET, make_pilot

from livinglab.errors import ImportRejected
from livinglab.store import import_files, pseudonymize
from livinglab.store import models as db
from livinglab.store.consents import consent_text, consents, text_version

PRIVACY = {
    "controller": "Ville d'Issy-les-Moulineaux",
    "purpose": "Mesurer la consommation.",
    "retention_days": 365,
    "dpo_contact": "dpo@ville.example",
    "contact": "livinglab@ville.example",
}
FILE = """participant_id,cohort,consent_on,age_band
h1,testers,2024-01-02,65+
h2,testers,,30-44
h3,neighbours,2023-12-28,65+
"""


def consents_of(engine, pilot, raw_id: str) -> list[db.Consent]:
    with Session(engine) as session:
        participant = session.exec(
            select(db.Participant).where(
                db.Participant.pilot_id == pilot.id,
                db.Participant.participant_id == pseudonymize(raw_id, SECRET),
            )
        ).one()
        return consents(session=session, pilot_id=pilot.id, participant_key=participant.key)


def test_consent_dates_are_recorded_against_the_consent_text_of_the_pilot(engine, write) -> None:
    pilot = make_pilot(privacy=PRIVACY, timezone="Europe/Paris")
    import_files(engine=engine, pilot=pilot, secret_key=SECRET, participants=write("p.csv", FILE))
    (h1,) = consents_of(engine, pilot, "h1")
    assert h1.channel == "import" and h1.withdrawn_at is None
    assert h1.text_version == text_version(consent_text(pilot))
    assert "Délégué à la protection des données : dpo@ville.example." in consent_text(pilot)
    # The local midnight of the day in Paris (UTC+1 in winter).
    assert h1.given_at == datetime(2024, 1, 1, 23, tzinfo=UTC)
    assert consents_of(engine, pilot, "h2") == []  # an empty cell records nothing
    assert len(consents_of(engine, pilot, "h3")) == 1
    # Importing the same file again records nothing twice.
    import_files(engine=engine, pilot=pilot, secret_key=SECRET, participants=write("p.csv", FILE))
    assert len(consents_of(engine, pilot, "h1")) == 1


def test_a_consent_date_that_is_not_a_date_names_its_line_and_writes_nothing(engine, write) -> None:
    pilot = make_pilot(privacy=PRIVACY)
    bad = FILE.replace("2023-12-28", "hier")
    with pytest.raises(ImportRejected) as refused:
        import_files(
            engine=engine, pilot=pilot, secret_key=SECRET, participants=write("p.csv", bad)
        )
    (problem,) = refused.value.problems
    assert (problem.line, problem.field) == (4, "consent_on")
    assert "'hier' is not a date" in problem.message
    with Session(engine) as session:
        assert session.exec(select(db.Participant)).all() == []
