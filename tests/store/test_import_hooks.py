"""The importer's hooks for the app: progress after every checked chunk, and a callback
inside the write transaction whose writes (an audit entry) land or roll back with the
import."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from store_factories import OBSERVATIONS, PARTICIPANTS, SECRET

from livinglab.store import import_files


def count(engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def audit_row(connection, counts) -> None:
    connection.execute(
        sa.text("INSERT INTO audit_event (at, actor, action, detail) VALUES (0, 'equipe', "
                "'import', :detail)"),
        {"detail": repr(sorted(counts))},
    )


def test_progress_is_reported_per_file_then_before_writing(engine, pilot, instruments, write):
    seen: list[tuple[str, int]] = []
    import_files(
        engine=engine, pilot=pilot, instruments=instruments, secret_key=SECRET,
        participants=write("p.csv", PARTICIPANTS), observations=write("o.csv", OBSERVATIONS),
        progress=lambda stage, rows: seen.append((stage, rows)), in_write=audit_row,
    )
    stages = [stage for stage, _ in seen]
    assert stages[0] == "participants" and "observations" in stages and stages[-1] == "write"
    assert count(engine, "audit_event") == 1


def test_a_failing_callback_rolls_the_whole_import_back(engine, pilot, instruments, write):
    def broken(connection, counts) -> None:
        audit_row(connection, counts)
        raise RuntimeError("the audit log is full")

    with pytest.raises(RuntimeError):
        import_files(
            engine=engine, pilot=pilot, instruments=instruments, secret_key=SECRET,
            participants=write("p.csv", PARTICIPANTS), in_write=broken,
        )
    assert count(engine, "participant") == 0 and count(engine, "audit_event") == 0
