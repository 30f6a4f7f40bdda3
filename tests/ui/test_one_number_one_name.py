"""One number, one name: the energy pilot's headline (the estimate its criterion judges)
reads the same — value, interval, percentage and name — on the pilot page, in
``livinglab evaluate``, in ``evaluate --json`` and in the dossier; and "hours under
19 °C" shows the same number on every tab that gives its effect."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ui_factories import UI_DIR, as_read, open_tab, signed_in_app

from livinglab import services
from livinglab.i18n import translator

pytestmark = pytest.mark.xdist_group("ui")

ROOT = Path(__file__).resolve().parents[2]
PILOT = "energy_feedback"
# The seeded demo's headline, as the issue reported it (ANCOVA, not the DiD's −0.964).
KWH = "ANCOVA ajustée sur la période de référence (tirage au sort) : −0,91 kWh/jour " \
      "(IC 95\u00a0% : −1,13 à −0,69), soit −7,9\u202f%"


def json_output(env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "livinglab", "evaluate", PILOT, "--json"],
        capture_output=True, text=True, env={**os.environ, **env}, cwd=ROOT, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def cli_text(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "livinglab", "evaluate", PILOT],
        capture_output=True, text=True, env={**os.environ, **env}, cwd=ROOT, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def sentence_from_json(metric: dict) -> str:
    """The headline written from the JSON's numbers alone."""
    t, head = translator("fr"), metric["headline"]
    est, low, high = t.interval(head["estimate"], head["ci_low"], head["ci_high"])
    pct = t.percent(head["estimate_pct"] / 100, 1, signed=True)
    name = head["name_fr"][:1].upper() + head["name_fr"][1:]
    return f"{name} : {est} {metric['unit']} (IC 95\u00a0% : {low} à {high}), soit {pct}"


def test_the_headline_agrees_across_page_cli_json_and_dossier(
    demo_store: dict[str, str],
) -> None:
    result = json_output(demo_store)
    kwh = next(m for m in result["metrics"] if m["metric"] == "kwh_per_day")
    head = kwh["headline"]
    assert head["basis"] == "ancova"
    assert head["estimate"] == pytest.approx(-0.9094, abs=1e-4)
    assert kwh["estimate"] == pytest.approx(-0.9638, abs=1e-4)  # the DiD: not the headline
    criterion = next(c for c in result["criteria"] if c["target"] == "kwh_per_day")
    assert criterion["estimate"] == head["estimate"]
    assert criterion["estimate_pct"] == pytest.approx(head["estimate_pct"])
    assert sentence_from_json(kwh) == KWH

    text = cli_text(demo_store)
    assert KWH in text
    # The table names every number: the ANCOVA's own p beside its adjusted p.
    row = next(line.split() for line in text.splitlines() if line.strip().startswith("kwh_"))
    header = next(line.split() for line in text.splitlines() if "estimate_name" in line)
    cells = dict(zip(header, row, strict=True))
    assert cells["estimate_name"] == "ancova" and cells["bracket_name"] == "change_score"
    assert float(cells["p_value"]) == pytest.approx(head["p_value"], rel=1e-3)
    assert float(cells["p_adjusted"]) >= float(cells["p_value"])
    assert float(cells["estimate_%"]) == pytest.approx(head["estimate_pct"], rel=1e-3)

    dossier = html.unescape(services.dossier_html(PILOT, lang="fr"))
    assert KWH in dossier

    app = signed_in_app("team")
    app.switch_page(str(UI_DIR / "pilot.py"))
    app.query_params["pilot"] = PILOT
    app.run()
    assert not app.exception
    assert any(KWH in as_read(m.value) for m in app.markdown)

    # The portfolio gives the same percentage and says which estimate it is.
    app.switch_page(str(UI_DIR / "portfolio.py"))
    app.run()
    cards = "\n".join(as_read(m.value) for m in app.markdown)
    assert "Consommation d'électricité : −7,9\u202f% (IC 95\u00a0% : −9,8\u202f% à −6,0\u202f%)" \
        in cards
    captions = [as_read(c.value) for c in app.caption]
    assert f"Estimation : {head['name_fr']}" in captions


def test_hours_under_19_degrees_show_one_number_on_every_tab(
    demo_store: dict[str, str],
) -> None:
    app = signed_in_app("team")
    app.switch_page(str(UI_DIR / "pilot.py"))
    app.query_params["pilot"] = PILOT
    app.run()
    sentence = next(as_read(m.value) for m in app.markdown if "Heures sous 19" in m.value
                    or "0,013 h/jour" in as_read(m.value))
    assert "0,013 h/jour" in sentence
    criteria = [as_read(m.value) for m in app.markdown if "Heures sous 19 °C" in as_read(m.value)]
    assert any("hausse de 0,013 h/jour" in c for c in criteria)
    # The representativeness tab shows the criterion's estimate under its name, and the
    # raked difference of changes under its own.
    open_tab(app, "Représentativité")
    tables = [t.value for t in app.table]
    reweighted = next(t for t in tables if any("Estimation du critère" in c for c in t.columns))
    row = reweighted[reweighted.iloc[:, 0] == "Heures sous 19 °C"].iloc[0]
    (head_col,) = [c for c in reweighted.columns if c.startswith("Estimation du critère")]
    assert "ANCOVA" in head_col and as_read(row[head_col]).startswith("0,013")
    (raw_col,) = [c for c in reweighted.columns if c.startswith("Brute")]
    assert "différence des évolutions" in raw_col and as_read(row[raw_col]).startswith("0,05 ")
