"""The evaluation cache: keyed by pilot, language and data version, so that a new import
shows at once (not after the cache's lifetime)."""

from __future__ import annotations

import pytest

from livinglab import services
from livinglab.ui import common

pytestmark = pytest.mark.xdist_group("ui")


def test_a_new_import_is_evaluated_at_once(empty_store: dict[str, str]) -> None:
    before = common.report("energy_feedback", "fr")
    assert before.evaluation.verdict == "extend"  # no data yet: nothing can be concluded
    assert common.report("energy_feedback", "fr").version == before.version  # cached
    services.load_demo()
    after = common.report("energy_feedback", "fr")
    assert after.version[1] > before.version[1]
    assert after.evaluation.verdict == "go"


def test_each_language_has_its_own_cached_report(demo_store: dict[str, str]) -> None:
    french = common.report("shared_mobility", "fr")
    english = common.report("shared_mobility", "en")
    assert french.lang == "fr" and english.lang == "en"
    assert french.surveys[0].title != english.surveys[0].title



def _evaluation(pilot_id: str) -> object:
    """The cached evaluation of the pilot's current version (one shared object)."""
    return common._evaluation(pilot_id, "fr", services.report_version(pilot_id))


def test_new_data_in_one_pilot_recomputes_that_pilot_only(demo_store: dict[str, str]) -> None:
    # The portfolio's cards are cached per pilot and data version: new data in the
    # mobility pilot leaves the energy pilot's card and evaluation as they were.
    from sqlmodel import Session

    from livinglab.store import models as db

    energy = common.card("energy_feedback", "fr")
    common.card("shared_mobility", "fr")
    energy_evaluation, mobility_evaluation = (_evaluation("energy_feedback"),
                                              _evaluation("shared_mobility"))
    with Session(services.engine()) as session:  # a write: mobility's data version moves
        session.add(db.ImportBatch(pilot_id="shared_mobility", kind="responses", rows=0,
                                   inserted=0))
        session.commit()
    assert common.card("energy_feedback", "fr") == energy
    assert _evaluation("energy_feedback") is energy_evaluation  # not recomputed
    common.card("shared_mobility", "fr")
    assert _evaluation("shared_mobility") is not mobility_evaluation  # recomputed


def test_a_cards_evaluation_is_the_pilot_pages(demo_store: dict[str, str]) -> None:
    # From the portfolio to a pilot page, the evaluation is not computed again.
    card = common.card("energy_feedback", "fr")
    shared = _evaluation("energy_feedback")
    report = common.report("energy_feedback", "fr")
    assert report.evaluation.verdict == card["verdict"] == shared.verdict  # type: ignore[attr-defined]
    assert _evaluation("energy_feedback") is shared  # the page used the same one
    assert len(report.weekly)  # the pilot page has its weekly series; the card none
