"""Hostile and broken data files: a refused import writes nothing at all (not even the
pilot's own rows), a NUL in a value is refused with its line, and, by property, an
import of any participants, observations or responses file either lands or is refused
with FILE:LINE problems: never another exception, never a partial write."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_factories import PARTICIPANTS, SECRET

from livinglab.errors import ImportRejected
from livinglab.store import import_files

TABLES = ("pilot", "cohort", "metric", "participant", "participant_attribute", "observation",
          "survey_response", "import_batch", "store_setting")


def counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in TABLES
        }


def test_a_refused_first_import_leaves_an_empty_store_empty(engine, pilot, instruments, write):
    bad = PARTICIPANTS + "h5,no_such_cohort,65+,Centre\n"
    with pytest.raises(ImportRejected, match="Import refused, nothing was written"):
        import_files(engine=engine, pilot=pilot, instruments=instruments, secret_key=SECRET,
                     participants=write("p.csv", bad))
    assert set(counts(engine).values()) == {0}  # not even the pilot, its cohorts, metrics


def test_a_nul_in_an_id_or_a_value_is_refused_with_its_line(engine, pilot, write):
    text = PARTICIPANTS + "h\x005,testers,65+,Centre\nh6,testers,65+,Cen\x00tre\n"
    with pytest.raises(ImportRejected) as refused:
        import_files(engine=engine, pilot=pilot, secret_key=SECRET,
                     participants=write("p.csv", text))
    shown = str(refused.value)
    assert "p.csv:6: participant_id: contains the control character U+0000" in shown
    assert "p.csv:7: neighbourhood: contains the control character U+0000" in shown
    assert set(counts(engine).values()) == {0}


# --- by property ---------------------------------------------------------------------

hostile_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "\x00", "h1", "h2", "testers", "neighbours", "kwh", "logins",
                     "task_done", "satisfaction", "after", "q1", "=1+1", '"', "a,b", "\n"]),
)
timestamps = st.one_of(
    st.datetimes(allow_imaginary=False).map(lambda d: d.isoformat()),
    st.sampled_from(["2024-01-05", "2024-02-29T23:59:59.999999", "9999-12-31T00:00:00Z",
                     "0001-01-01", "2024-13-01", "2024-02-30", "yesterday", "", "1e9"]),
)
values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.sampled_from(["1e400", "-0", "0x10", "1_000", " 3 ", "nan", "", "1,5"]),
)
HEADERS = {
    "participants": ["participant_id", "cohort", "age_band", "neighbourhood"],
    "observations": ["participant_id", "metric", "timestamp", "value"],
    "responses": ["participant_id", "instrument", "wave", "item", "answer"],
}


@st.composite
def data_files(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(sorted(HEADERS)))
    header = list(HEADERS[kind])
    if draw(st.booleans()) and draw(st.booleans()):
        header = draw(st.lists(hostile_text, max_size=5)) or header
    cell = {
        "timestamp": timestamps, "value": values, "answer": values,
    }
    rows = [
        [draw(cell.get(column, hostile_text)) for column in header]
        for _ in range(draw(st.integers(0, 6)))
    ]
    out = io.StringIO()
    if draw(st.booleans()):
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
    else:  # written by hand: quotes and commas left as they are
        out.write("\n".join(",".join(row) for row in [header, *rows]) + "\n")
    return kind, out.getvalue()


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(file=data_files())
def test_any_file_lands_or_is_refused_and_a_refusal_writes_nothing(
    loaded, pilot, instruments, write, file
):
    kind, text = file
    before = counts(loaded)
    try:
        import_files(engine=loaded, pilot=pilot, instruments=instruments, secret_key=SECRET,
                     **{kind: write(f"{kind}.csv", text)})
    except ImportRejected as refused:
        assert refused.problems and all(p.file.endswith(f"{kind}.csv") for p in refused.problems)
        assert counts(loaded) == before
