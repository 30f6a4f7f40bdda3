"""An answer counts at once: after a citizen submits, the pilot page's survey results and
response rate include it in the same app session (the cached evaluation is keyed by the
data version, which a submission moves on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_factories import open_address, open_tab, signed_in_app

from livinglab import services
from livinglab.services import survey as citizen

pytestmark = pytest.mark.xdist_group("ui")

PILOT = "senior_procedures"


def rate_table(at) -> list[dict[str, str]]:
    """The rows of the response-rate chart's data table (the SUS, after wave)."""
    for table in at.table:
        frame = table.value
        if "Ont répondu" in frame.columns:
            return frame.to_dict("records")
    raise AssertionError([list(t.value.columns) for t in at.table])


def test_a_submitted_answer_shows_at_once_in_the_pilots_results(
    empty_store: dict[str, str], tmp_path: Path
) -> None:
    people = tmp_path / "p.csv"
    people.write_text(
        "participant_id,cohort,age_band\n"
        + "".join(f"c{i},testers,65+\n" for i in range(1, 7))
    )
    services.import_data(PILOT, participants=people)
    tokens = [
        link["link"].split("invitation=")[1]
        for link in services.invite(PILOT, instrument="sus", wave="after")
    ]
    for person, token in enumerate(tokens[:5]):  # five testers answered earlier
        answer(token, 1 + person)
    at = open_tab(open_address(signed_in_app("team"), "pilot", pilot=PILOT), "Enquêtes")
    assert not at.exception
    (before,) = rate_table(at)
    assert (before["Invités"], before["Ont répondu"]) == ("6", "5")
    # SUS = 2.5 x (sum of (odd - 1) + sum of (5 - even)) = 12.5 v + 12.5 for v = 1..5:
    # 25, 37.5, 50, 62.5, 75, mean 50; with a sixth at v = 5 (75): 325 / 6 = 54.17.
    assert "score 50,0" in sus_sentence(at)
    answer(tokens[5], 5)  # the sixth, through their link, while the team's page is open
    at.run()
    assert not at.exception
    (after,) = rate_table(at)
    assert (after["Invités"], after["Ont répondu"], after["Taux"]) == ("6", "6", "100\u202f%")
    assert "score 54,2" in sus_sentence(at)


def answer(token: str, value: int) -> None:
    citizen.give_consent(token)
    # Odd items positive, even items negative (SUS): ``value`` moves the score.
    citizen.submit_survey(token, {f"q{i}": value if i % 2 else 3 for i in range(1, 11)})


def sus_sentence(at) -> str:
    return next(m.value for m in at.markdown if "SUS" in m.value and "répondants" in m.value)
