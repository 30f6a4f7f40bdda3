"""The pilot page (AppTest) of a pilot with a comparison cohort of 3, a subgroup of 2
and a single survey respondent shows none of their aggregates: no mean, no score, no
count, in any text, table, chart's data or metric widget."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui_factories import as_read, environment, open_address, signed_in_app

from livinglab import services

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("store", "services")]
from small_pilot import SECRETS, write_small_pilot  # noqa: E402

pytestmark = pytest.mark.xdist_group("ui")


@pytest.fixture
def small_store(tmp_path: Path) -> Iterator[Path]:
    pilots, surveys = tmp_path / "pilots", tmp_path / "surveys"
    pilots.mkdir()
    surveys.mkdir()
    env = {
        "LIVINGLAB_DATABASE_URL": f"sqlite:///{tmp_path / 'small.db'}",
        "LIVINGLAB_PILOTS_DIR": str(pilots),
        "LIVINGLAB_SURVEYS_DIR": str(surveys),
    }
    with environment(env):
        services.import_data("small", **write_small_pilot(pilots, surveys, tmp_path))
        services.create_demo_accounts()
        yield tmp_path


def everything_shown(at: AppTest) -> str:
    parts = [
        e.value
        for e in (*at.title, *at.subheader, *at.markdown, *at.caption, *at.info, *at.warning,
                  *at.success, *at.error)
    ]
    parts += [table.value.to_csv() for table in at.table]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [str(chart.proto) for chart in at.get("vega_lite_chart")]  # their data
    return as_read("\n".join(str(p) for p in parts))


def test_the_pilot_page_shows_no_aggregate_of_a_small_cell(small_store: Path) -> None:
    at = signed_in_app("team")
    open_address(at, "pilot", pilot="small")
    assert not at.exception
    shown = everything_shown(at)
    assert "Résultat masqué : il repose sur trop peu de personnes" in shown
    assert "12,75" in shown  # the 12 testers' weekly mean is shown: the search sees data
    for secret in SECRETS:
        assert secret not in shown, secret
    assert "1 répondant" not in shown and "3 témoins" not in shown
    # The checks page: the neighbours' recruitment row is gone, the testers' stays.
    open_address(at, "checks", pilot="small")
    assert not at.exception
    recruitment = at.table[0].value
    assert len(recruitment) == 1 and "12" in recruitment.to_csv()
