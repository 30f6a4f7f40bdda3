"""The importer's fast paths give the results of the plain ones.

1. A plain observations file (see ``readers.scan_source``) is read by pyarrow; any
   other by the csv module. Each file below is imported twice into fresh stores, once
   per reader, and must give the same problems (lines, fields, messages, in the same
   order, capped the same way) or the same stored rows and report.
2. On PostgreSQL, duplicates within a file of new participants' readings are looked
   for only when needed (see ``_ImportRun._find_deferred_duplicates``): they are still
   named, in their place among the other problems, and rows stored meanwhile by a
   concurrent import are still skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from store_factories import PARTICIPANTS, SECRET, make_pilot

from livinglab.errors import ImportRejected
from livinglab.store import import_files, import_problems, importer, make_engine, migrate, readers
from livinglab.store.readers import scan_source as _scan_file

HEAD = "participant_id,metric,timestamp,value\n"
GOOD = "h1,kwh,2024-01-05,1\n"

FILES = {
    "good": HEAD + GOOD + "h1,kwh,2024-01-06,2.5\nh3,kwh,2024-02-06T10:00:00+02:00,3\n",
    "no final newline": HEAD + GOOD + "h1,kwh,2024-01-06,2",
    "blank lines": HEAD + "\n" + GOOD + "\n\n" + "h1,kwh,2024-01-06,x\n\n",
    "crlf and blank crlf lines": (HEAD + GOOD + "\n" + "h1,kwh,2024-01-06,y\n").replace(
        "\n", "\r\n"
    ),
    "bom": "\ufeff" + HEAD + GOOD + "zz,kwh,2024-01-06,1\n",
    "wrong field counts": HEAD
    + GOOD
    + "h1,kwh,2024-01-06\n"
    + "h1,kwh,2024-01-07,1,2\n"
    + " \n"
    + "h1,kwh,2024-01-08,1,\n"
    + "h1\n",
    "a line of commas": HEAD + GOOD + ",,,\n" + "h1,kwh,2024-01-06,1,\n",
    "runs of short rows": HEAD
    + "h1,kwh\n" * 7
    + "".join(f"h1,kwh,2024-01-{d:02d},{d}\n" for d in range(1, 8))
    + "h1,kwh\n" * 5
    + "h1,kwh,2024-01-09,x\n"
    + "h1\n" * 3,
    "cells": HEAD
    + "".join(
        f"h1,kwh,2024-01-{day:02d},{value}\n"
        for day, value in enumerate(
            ["", " 1.5", "1.5 ", "1e3", "0x10", "1_000", "+1", "-0", ".5", "5.", "inf", "-inf",
             "nan", "NaN", "1,5".replace(",", ";"), "abc", "1e400", "١٢", "0.1e-3", "Infinity",
             "  ", "True", "9007199254740993", "99999999999999999999999"],
            start=1,
        )
    ),
    "timestamps": HEAD
    + "".join(
        f"h1,kwh,{ts},1\n"
        for ts in [
            "2024-01-05", "2024-01-05T08:00", "2024-01-05T08", "2024-01-05 08:00:00",
            "2024-01-05T08:00:00Z", "2024-01-05T08:00:00+01:00", "2024-01-05T08:00:00-0500",
            "2024-01-05T08:00:00.123456", "2024-01-05T08:00:00.1234567", "2024-02-30",
            "05/01/2024", "", " 2024-01-05", "2024-01-05T25:00:00", "20240105",
            "2024-01-31T23:59:59.999999", "2024-02-01T00:00:00", "2024-03-01", "3000-01-01",
            "2024-01-05T08:00:00+14:00", "2024-W02-1", "2024-1-5",
        ]
    ),
    "participants and metrics": HEAD
    + "h1,kwh,2024-01-05,1\nzz,kwh,2024-01-05,1\nh1,gas,2024-01-05,1\n"
    + "h1,task_done,2024-01-05,0.5\nh1,task_done,2024-01-06,1\nhé,kwh,2024-01-05,1\n"
    + ",kwh,2024-01-05,1\nh1,,2024-01-05,1\n H1,kwh,2024-01-05,1\n",
    "duplicates": HEAD + GOOD + "h2,kwh,2024-01-05,2\n" + GOOD + GOOD + "h1,kwh,2024-01-05,7\n",
    "header only": HEAD,
    "header only without newline": HEAD.rstrip("\n"),
    "header and blank lines": HEAD + "\n\n",
    "blank first line": "\n" + HEAD + GOOD,
    "header with spaces": " participant_id , metric,timestamp,value \n" + GOOD,
    "bad header": "participant_id,metric,timestamp,value,unit\n" + GOOD,
    "quoted (csv module)": HEAD + 'h1,kwh,2024-01-05,"1,5"\n',
}


def _import(tmp_path: Path, name: str, text: str, fast: bool) -> object:
    folder = tmp_path / ("fast" if fast else "csv") / name.replace(" ", "_")
    folder.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    migrate(engine)
    participants = folder / "p.csv"
    participants.write_text(PARTICIPANTS)
    observations = folder / "o.csv"
    observations.write_bytes(text.encode())
    try:
        report = import_files(
            engine=engine,
            pilot=make_pilot(),
            participants=participants,
            observations=observations,
            secret_key=SECRET,
        )
    except ImportRejected as error:
        engine.dispose()
        return [
            (Path(p.file).name, p.line, p.field, p.message.replace(str(folder), ""))
            for p in error.problems
        ], error.summary.replace(str(folder), "")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT metric_key, participant_key, ts, value FROM observation ORDER BY 1, 2, 3"
            )
        ).all()
    engine.dispose()
    assert report.observations is not None
    return rows, report.observations.read, report.observations.inserted


@pytest.mark.parametrize("chunk_rows", [100_000, 1, 2, 3])
@pytest.mark.parametrize("name", sorted(FILES))
def test_both_readers_agree(tmp_path, monkeypatch, name, chunk_rows):
    monkeypatch.setattr(readers, "CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 64)
    text = FILES[name]
    monkeypatch.setattr(importer, "FAST_CSV", False)
    expected = _import(tmp_path / str(chunk_rows), name, text, fast=False)
    monkeypatch.setattr(importer, "FAST_CSV", True)
    assert _import(tmp_path / str(chunk_rows), name, text, fast=True) == expected


def test_the_problem_cap_keeps_the_same_problems(tmp_path, monkeypatch):
    """Width problems and cell problems interleave across chunks: the first N kept
    are the same whichever reader ran."""
    monkeypatch.setattr(import_problems, "MAX_PROBLEMS", 7)
    monkeypatch.setattr(readers, "CHUNK_ROWS", 3)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 64)
    lines = [HEAD.rstrip("\n")]
    for day in range(1, 29):
        lines.append(
            f"h1,kwh,2024-01-{day:02d}" if day % 4 == 0 else f"h1,kwh,2024-01-{day:02d},v{day}"
        )
    text = "\n".join(lines) + "\n"
    monkeypatch.setattr(importer, "FAST_CSV", False)
    expected = _import(tmp_path, "cap", text, fast=False)
    monkeypatch.setattr(importer, "FAST_CSV", True)
    assert _import(tmp_path, "cap", text, fast=True) == expected


@pytest.mark.parametrize(
    ("content", "plain"),
    [
        (HEAD + GOOD, True),
        ("\ufeff" + HEAD + GOOD, True),
        ((HEAD + GOOD).replace("\n", "\r\n"), True),
        (HEAD + GOOD + "\n\n", True),
        ("", False),
        (HEAD + 'h1,kwh,2024-01-05,"1"\n', False),
        (HEAD + "h1,kwh,2024-01-05,1\r", False),
        (HEAD + "h1,kwh,2024-01-05,1\rh1,kwh,2024-01-06,1\n", False),
        (HEAD + "h1,kwh,2024-01-05,\x001\n", False),
    ],
)
def test_what_is_plain(tmp_path, content, plain):
    path = tmp_path / "o.csv"
    path.write_bytes(content.encode())
    assert _scan_file(path)[1] is plain


def test_invalid_utf8_and_a_carriage_return_across_blocks_are_seen(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "SCAN_BLOCK_BYTES", 8)
    path = tmp_path / "o.csv"
    path.write_bytes((HEAD + "hé,kwh,2024-01-05,1\n").encode())
    assert _scan_file(path)[1] is True
    path.write_bytes((HEAD + "h1,kwh,2024-01-05,1\n").encode() + b"h\xe9\n")
    assert _scan_file(path)[1] is False
    text = (HEAD + "h1,kwh,2024-01-05,1\n").replace("\n", "\r\n").encode()
    for cut in range(1, 16):  # a \r\n split at every block boundary
        monkeypatch.setattr(readers, "SCAN_BLOCK_BYTES", cut)
        path.write_bytes(text)
        assert _scan_file(path)[1] is True, cut
        path.write_bytes(text.replace(b"\r\n", b"\r", 1))
        assert _scan_file(path)[1] is False, cut


def test_an_unforeseen_pyarrow_failure_falls_back_to_the_csv_module(tmp_path, monkeypatch):
    """A row longer than pyarrow's block: pyarrow fails, the csv module reads it."""
    monkeypatch.setattr(readers, "CHUNK_ROWS", 2)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 64)
    text = HEAD + "h1,kwh,2024-01-05,1\nh1,kwh,2024-01-06,2\nh1,kwh,2024-01-07,3\n"
    text += "h1,kwh,2024-01-08," + "1" * 200 + "\n"
    monkeypatch.setattr(importer, "FAST_CSV", False)
    expected = _import(tmp_path, "long", text, fast=False)
    monkeypatch.setattr(importer, "FAST_CSV", True)
    assert _import(tmp_path, "long", text, fast=True) == expected


# --- PostgreSQL: duplicates of new participants' rows are looked for only when needed ---

NEW_PEOPLE = "participant_id,cohort\nn1,testers\nn2,neighbours\n"


def _problems(engine, pilot, **files):
    with pytest.raises(ImportRejected) as caught:
        import_files(engine=engine, pilot=pilot, secret_key=SECRET, **files)
    return [(Path(p.file).name, p.line, p.field, p.message) for p in caught.value.problems]


def _counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("participant", "observation", "import_batch")
        }


def test_a_duplicate_among_new_participants_rows_is_named(engine, pilot, write):
    observations = HEAD + "n1,kwh,2024-01-05,1\nn2,kwh,2024-01-05,2\nn1,kwh,2024-01-05,1\n"

    problems = _problems(
        engine,
        pilot,
        participants=write("p.csv", NEW_PEOPLE),
        observations=write("o.csv", observations),
    )

    assert problems == [
        ("o.csv", 4, "", "duplicate of line 2 (same participant, metric and timestamp)")
    ]
    assert _counts(engine) == {"participant": 0, "observation": 0, "import_batch": 0}


def test_deferred_duplicates_keep_their_place_among_capped_problems(
    engine, pilot, instruments, write, monkeypatch
):
    monkeypatch.setattr(import_problems, "MAX_PROBLEMS", 4)
    observations = HEAD + "n1,kwh,2024-01-05,1\nn1,kwh,2024-01-05,1\nn1,kwh,2024-01-05,1\n"
    responses = "participant_id,instrument,wave,item,answer\n" + "n1,satisfaction,after,q1,9\n" * 3

    with pytest.raises(ImportRejected) as caught:
        import_files(
            engine=engine, pilot=pilot, instruments=instruments, secret_key=SECRET,
            participants=write("p.csv", NEW_PEOPLE), observations=write("o.csv", observations),
            responses=write("r.csv", responses),
        )

    # found in this order: the observations' 2 duplicates, then the responses' 3 answers
    assert [(Path(p.file).name, p.line) for p in caught.value.problems] == [
        ("o.csv", 3), ("o.csv", 4), ("r.csv", 2), ("r.csv", 3)
    ]
    assert "5 problems" in caught.value.summary


def test_rows_a_concurrent_import_stored_are_skipped(engine, pilot, write, monkeypatch):
    """Rows of new participants can only collide with rows of a concurrent import of the
    same participants: the plain INSERT fails, no duplicate is found, phase 2 runs
    again with ON CONFLICT DO NOTHING. Simulated: the import believes its participants
    are all new while they, and their readings, are stored already."""
    observations = HEAD + "n1,kwh,2024-01-05,1\nn2,kwh,2024-01-05,2\n"
    files = {
        "participants": write("p.csv", NEW_PEOPLE),
        "observations": write("o.csv", observations),
    }
    import_files(engine=engine, pilot=pilot, secret_key=SECRET, **files)
    monkeypatch.setattr(
        importer._Participants, "uses_stored", property(lambda self: False, lambda self, v: None)
    )

    report = import_files(engine=engine, pilot=pilot, secret_key=SECRET, **files)

    assert report.observations is not None
    assert (report.observations.inserted, report.observations.already_present) == (0, 2)
    assert _counts(engine)["observation"] == 2


def test_a_sqlite_connection_bound_to_its_thread_stages_in_that_thread(tmp_path):
    """Staging runs on a background thread, except where sqlite3 forbids it."""
    engine = sa.create_engine(
        f"sqlite:///{tmp_path / 'store.db'}", connect_args={"check_same_thread": True}
    )
    migrate(engine)
    participants, observations = tmp_path / "p.csv", tmp_path / "o.csv"
    participants.write_text(PARTICIPANTS)
    observations.write_text(HEAD + GOOD + "h3,kwh,2024-02-06,3\n")

    report = import_files(
        engine=engine, pilot=make_pilot(), participants=participants,
        observations=observations, secret_key=SECRET,
    )

    assert report.observations is not None and report.observations.inserted == 2
    engine.dispose()
