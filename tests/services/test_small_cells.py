"""No aggregate of 1 to k-1 people in ``evaluate --json`` or the dossier, and none that
can be derived from the totals shown: a pilot with a comparison cohort of 3, a subgroup
of 2 and a single survey respondent (tests/services/small_pilot.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from small_pilot import SECRETS, write_small_pilot

from livinglab import services
from livinglab.settings import get_settings


@pytest.fixture
def small(store: Path) -> Path:
    files = write_small_pilot(store / "pilots", store / "surveys", store)
    services.import_data("small", **files)
    return store


def test_the_json_holds_no_aggregate_of_the_small_cells(small: Path) -> None:
    facts = services.evaluate_pilot("small").to_dict()
    text = json.dumps(facts)
    assert facts["small_cell_k"] == 5
    (kwh,) = facts["metrics"]
    # The comparison cohort has 3 households: the whole comparison is withheld, its
    # counts included (null, not 0).
    assert kwh["withheld"] is True
    assert [kwh[f] for f in ("estimate", "ci_low", "p_value", "n_test", "n_control")] == [
        None, None, None, None, None
    ]
    assert kwh["summaries"] == []
    (survey,) = facts["surveys"]
    assert survey["withheld"] is True and survey["score"] is None and survey["n"] is None
    assert facts["response_rates"]
    for rate in facts["response_rates"]:
        assert rate["withheld"] is True and rate["responded"] is None and rate["rate"] is None
    for criterion in facts["criteria"]:
        assert criterion["estimate"] is None and criterion["n_test"] is None
        assert "moins de 5 personnes" in criterion["reason"]
    # Recruitment: the 3 neighbours' row is gone (the 12 testers' row stays).
    assert [(c["cohort"], c["n_enrolled"]) for c in facts["checks"]["cohorts"]] == [
        ("testers", 12)
    ]
    # The subgroup of 2 seniors and, by complementary suppression, the other age band.
    assert facts["equity"]["effects"]
    for effect in facts["equity"]["effects"]:
        assert effect["suppressed"] and effect["estimate"] is None
    assert facts["projection"] is None
    # The baseline gap between testers and the 3 neighbours is theirs too.
    assert not [c for c in facts["caveats"] if c["metric"] == "kwh"]
    for secret in SECRETS:  # no mean of the 3 neighbours, nor their difference
        assert secret not in text, secret
    assert '"n": 1' not in text and '"responded": 1' not in text  # the one respondent
    # The pilots list gives no total that, less the 12 testers, would give the 3.
    listed = services.stored_data().set_index("pilot")
    assert pd.isna(listed.loc["small", "participants"])


def test_the_dossier_shows_none_of_them(small: Path) -> None:
    html = services.dossier_html("small")
    assert "Résultat masqué : il repose sur trop peu de personnes" in html
    for secret in SECRETS:
        assert secret not in html, secret
    assert "1 répondant" not in html and "3 témoins" not in html
    assert "écart standardisé" not in html and "withheld" not in html
    assert "2 testeurs" not in html


def test_a_higher_threshold_from_the_settings_hides_more(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert services.evaluate_pilot("small").decision.checks.cohorts[0].n_enrolled == 12
    monkeypatch.setenv("LIVINGLAB_SMALL_CELL_K", "13")
    get_settings.cache_clear()
    facts = services.evaluate_pilot("small").to_dict()
    assert facts["small_cell_k"] == 13 and facts["checks"]["cohorts"] == []
    monkeypatch.setenv("LIVINGLAB_SMALL_CELL_K", "3")
    get_settings.cache_clear()
    with pytest.raises(Exception, match="LIVINGLAB_SMALL_CELL_K"):
        services.evaluate_pilot("small")
