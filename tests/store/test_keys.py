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
    assert rows == [("pseudonym_key_fingerprint", key_fingerprint(SECRET))]
    assert SECRET not in rows[0][1] and len(rows[0][1]) == 16


def test_an_import_under_another_key_is_refused_and_writes_nothing(engine, pilot, write):
    import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                 participants=write("p.csv", PARTICIPANTS))
    before = {t: count(engine, t) for t in ("participant", "observation", "import_batch")}
    with pytest.raises(ConfigurationError, match="another LIVINGLAB_SECRET_KEY") as refused:
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
