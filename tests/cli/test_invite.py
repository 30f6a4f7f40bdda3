"""``livinglab invite``: expiry per wave, one live link per person and wave (re-inviting
revokes the earlier unused link), reminders only for those who have not answered, the
team's own ids beside the links, and printable letters whose QR codes decode to the
links (rendered with pdftoppm, decoded with zxing-cpp)."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_cli import run, workspace  # noqa: F401  (the fixture)

PILOT = "senior_procedures"
PEOPLE = (
    "participant_id,cohort,age_band,neighbourhood\n"
    "A1,testers,65-74,Centre-Ville\nA2,testers,75+,La Ferme\nA3,testers,50-64,La Ferme\n"
)


def links_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def invite(env, cwd, out: str, *extra: str) -> list[dict[str, str]]:
    done = run(
        ["invite", PILOT, "--instrument", "sus", "--wave", "after",
         "--base-url", "https://lab.example.org", "-o", str(cwd / out), *extra],
        env, cwd,
    )
    assert done.returncode == 0, done.stderr
    return links_of(cwd / out)


def invitations(cwd: Path) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{cwd / 'store.db'}")
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.text(
                    "SELECT participant_key, expires_at, used_at, revoked_at FROM invitation "
                    "ORDER BY id"
                )
            )
        ]


@pytest.fixture
def imported(workspace):  # noqa: F811
    env, cwd = workspace
    (cwd / "people.csv").write_text(PEOPLE, encoding="utf-8")
    done = run(["import", PILOT, "--participants", str(cwd / "people.csv")], env, cwd)
    assert done.returncode == 0, done.stderr
    return env, cwd


def test_reinviting_revokes_the_earlier_links_one_live_link_each(imported):
    env, cwd = imported
    first = invite(env, cwd, "first.csv")
    second = invite(env, cwd, "second.csv")
    assert len(first) == len(second) == 3
    assert {r["link"] for r in first}.isdisjoint({r["link"] for r in second})
    rows = invitations(cwd)
    assert len(rows) == 6
    assert all(revoked is not None for *_, revoked in rows[:3])
    assert all(revoked is None for *_, revoked in rows[3:])


def test_expires_sets_the_end_of_the_last_day_in_the_pilots_time_zone(imported):
    env, cwd = imported
    last_day = date.today() + timedelta(days=30)
    invite(env, cwd, "links.csv", "--expires", last_day.isoformat())
    expiries = {expires for _, expires, _, _ in invitations(cwd)}
    assert len(expiries) == 1
    # The midnight after the last day in the pilot's zone, in UTC microseconds.
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    assert "timezone: UTC" in (cwd / "pilots" / f"{PILOT}.yaml").read_text(encoding="utf-8")
    midnight = datetime.combine(last_day + timedelta(days=1), time(0), ZoneInfo("UTC"))
    assert expiries == {int(midnight.timestamp() * 1_000_000)}
    past = run(["invite", PILOT, "--instrument", "sus", "--wave", "after", "-o",
                str(cwd / "x.csv"), "--expires", "2020-01-01"], env, cwd)
    assert past.returncode == 1 and "already past" in past.stderr
    bad = run(["invite", PILOT, "--instrument", "sus", "--wave", "after", "-o",
               str(cwd / "x.csv"), "--expires", "30/06/2026"], env, cwd)
    assert bad.returncode == 1 and "must be a date like" in bad.stderr


def test_reminder_lists_only_the_invited_who_have_not_answered(imported):
    env, cwd = imported
    first = invite(env, cwd, "first.csv")
    # One tester answers through their link (as the survey page does).
    answered = first[0]
    token = answered["link"].split("invitation=")[1]
    code = (
        f"from livinglab.services import survey as s; t = {token!r}; s.give_consent(t); "
        "s.submit_survey(t, {f'q{i}': 3 for i in range(1, 11)})"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    reminded = invite(env, cwd, "reminder.csv", "--reminder")
    assert {r["participant_id"] for r in reminded} == {
        r["participant_id"] for r in first[1:]
    }


def test_participants_file_puts_the_teams_own_ids_beside_the_links(imported):
    env, cwd = imported
    links = invite(env, cwd, "links.csv", "--participants", str(cwd / "people.csv"))
    assert sorted(r["own_id"] for r in links) == ["A1", "A2", "A3"]
    assert all(r["participant_id"] not in ("A1", "A2", "A3") for r in links)


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium")
def test_letters_have_one_page_per_tester_and_each_qr_decodes_to_its_link(imported):
    import pypdfium2
    import zxingcpp

    env, cwd = imported
    pdf_path = cwd / "letters.pdf"
    links = invite(env, cwd, "links.csv", "--letters", str(pdf_path))
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    assert len(pdf) == len(links) == 3
    decoded = []
    for number in range(len(pdf)):
        image = pdf[number].render(scale=1.5).to_pil()  # about 110 dpi
        found = zxingcpp.read_barcodes(image)
        assert len(found) == 1, f"page {number + 1}: {len(found)} code(s)"
        decoded.append(found[0].text)
        text = " ".join(pdf[number].get_textpage().get_text_range().split())
        assert "Démarches en ligne accessibles aux seniors" in text
        assert "livinglab@ville-issy.fr" in text
    assert decoded == [r["link"] for r in links]
