"""The store remembers which pseudonymisation key filled it: an import under another
key is refused before anything is written (it would double every participant)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from store_factories import OBSERVATIONS, PARTICIPANTS, SECRET

from livinglab.errors import ConfigurationError
from livinglab.store import import_files
from livinglab.store.keys import key_fingerprint

OTHER_KEY = "another key, from another vault, 32+ bytes long"


def count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_the_first_import_records_the_key_fingerprint_not_the_key(engine, pilot, write):
    import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                 participants=write("p.csv", PARTICIPANTS))
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT name, value FROM store_setting")).all()
    # The pilot's own fingerprint: each pilot may have its own key.
    assert rows == [("pseudonym_key_fingerprint:energy", key_fingerprint(SECRET))]
    assert SECRET not in rows[0][1] and len(rows[0][1]) == 16


def test_an_import_under_another_key_is_refused_and_writes_nothing(engine, pilot, write):
    import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                 participants=write("p.csv", PARTICIPANTS))
    before = {t: count(engine, t) for t in ("participant", "observation", "import_batch")}
    refusal = "pseudonyms of pilot 'energy' were made with another key"
    with pytest.raises(ConfigurationError, match=refusal) as refused:
        import_files(engine=engine, pilot=pilot, secret_key=OTHER_KEY,
                     participants=write("p.csv", PARTICIPANTS),
                     observations=write("o.csv", OBSERVATIONS))
    assert "nothing was written" in str(refused.value)
    assert OTHER_KEY not in str(refused.value) and SECRET not in str(refused.value)
    assert {t: count(engine, t) for t in before} == before
    # The same key again: stores nothing twice, as before.
    again = import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                         participants=write("p.csv", PARTICIPANTS))
    assert again.participants.inserted == 0


def test_a_store_filled_before_keys_were_per_pilot_keeps_its_key(engine, pilot, write):
    """A legacy store: a store-wide fingerprint and no pilot's own. Its pilot keeps
    the store's key (another is refused) and gets its own fingerprint at the next import."""
    import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                 participants=write("p.csv", PARTICIPANTS))
    with engine.begin() as connection:
        connection.execute(sa.text(
            "UPDATE store_setting SET name = 'pseudonym_key_fingerprint'"))
    with pytest.raises(ConfigurationError, match="another key"):
        import_files(engine=engine, pilot=pilot, secret_key=OTHER_KEY,
                     participants=write("p.csv", PARTICIPANTS))
    again = import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                         participants=write("p.csv", PARTICIPANTS))
    assert again.participants.inserted == 0
    with engine.connect() as connection:
        names = set(connection.execute(sa.text("SELECT name FROM store_setting")).scalars())
    assert names == {"pseudonym_key_fingerprint", "pseudonym_key_fingerprint:energy"}


def test_two_pilots_under_two_keys_give_one_person_two_unrelated_pseudonyms(
    engine, pilot, write
):
    other = pilot.model_copy(update={"id": "energy2"})
    import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                 participants=write("p.csv", PARTICIPANTS))
    import_files(engine=engine, pilot=other, secret_key=OTHER_KEY,
                 participants=write("p.csv", PARTICIPANTS))
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT pilot_id, participant_id FROM participant ORDER BY key")).all()
        settings = dict(connection.execute(sa.text("SELECT name, value FROM store_setting")).all())
    first = {p for pilot_id, p in rows if pilot_id == "energy"}
    second = {p for pilot_id, p in rows if pilot_id == "energy2"}
    assert len(first) == len(second) > 0 and not first & second
    assert settings == {
        "pseudonym_key_fingerprint:energy": key_fingerprint(SECRET),
        "pseudonym_key_fingerprint:energy2": key_fingerprint(OTHER_KEY),
    }
    # Each pilot now refuses the other's key.
    with pytest.raises(ConfigurationError, match="'energy2'"):
        import_files(engine=engine, pilot=other, secret_key=SECRET,
                     participants=write("p.csv", PARTICIPANTS))


def test_a_pilot_with_the_longest_id_a_spec_allows_imports(engine, pilot, write):
    # 64 characters (the spec's bound): its fingerprint's name has 90, which the store
    # refused on PostgreSQL before migration 0015
    longest = pilot.model_copy(update={"id": "e" * 64})
    import_files(engine=engine, pilot=longest, secret_key=SECRET,
                 participants=write("p.csv", PARTICIPANTS),
                 observations=write("o.csv", OBSERVATIONS))
    with engine.connect() as connection:
        names = connection.execute(sa.text("SELECT name FROM store_setting")).scalars().all()
    assert names == ["pseudonym_key_fingerprint:" + "e" * 64]
    assert count(engine, "observation") > 0
