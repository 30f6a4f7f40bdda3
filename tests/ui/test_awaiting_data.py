"""A pilot without any data yet shows its phase ("waiting for data"), never a verdict;
and the printed dossier: page numbers, drawn icons, no toggles, the charts' data (weekly
series among them) in an annex."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui_factories import UI_DIR, as_read

from livinglab import services
from livinglab.presentation import dossier

pytestmark = pytest.mark.xdist_group("ui")

EMOJI = re.compile("[\u2600-\u27bf\U0001f300-\U0001faff]")


def page(app: AppTest, name: str, pilot: str | None = None) -> AppTest:
    app.switch_page(str(UI_DIR / f"{name}.py"))
    if pilot:
        app.query_params["pilot"] = pilot
    return app.run()


def test_a_pilot_without_data_shows_its_phase_not_a_verdict(
    app: AppTest, empty_store: dict[str, str]
) -> None:
    app.run()
    page(app, "portfolio")
    assert not app.exception
    cards = "\n".join(as_read(m.value) for m in app.markdown)
    assert cards.count("🕒 En attente de données") == 3  # the three demo pilots
    assert "Prolonger" not in cards and "Généraliser" not in cards

    page(app, "pilot", "energy_feedback")
    assert not app.exception
    (box,) = [as_read(i.value) for i in app.info if "en attente de données" in i.value]
    assert "Phase : analyse · en attente de données" in box  # the pilot's phase
    assert not app.warning and not app.success and not app.error  # no verdict box
    assert [s.value for s in app.subheader] == ["Critères déclarés"]
    declared = "\n".join(as_read(m.value) for m in app.markdown)
    assert "Consommation d'électricité : s'améliorer d'au moins 5\u202f%" in declared
    assert "Heures sous 19 °C : ne pas se dégrader de plus de 0,5 h/jour" in declared
    assert not app.tabs

    document = html.unescape(services.dossier_html("energy_feedback", lang="fr"))
    assert "Phase : analyse · en attente de données" in document
    assert "Verdict" not in re.sub(r"<[^>]+>", " ", document.split('id="metrics"')[0])


def test_the_printed_dossier_has_an_annex_drawn_icons_and_no_toggles(
    demo_store: dict[str, str],
) -> None:
    evaluation = services.evaluate_pilot("energy_feedback")
    report = services.pilot_report("energy_feedback", lang="fr")
    printed = dossier.render_html(evaluation, "fr", details=report, print_layout=True)
    screen = dossier.render_html(evaluation, "fr", details=report)
    assert "<details" in screen and "<details" not in printed  # toggles on screen only
    body = printed.split('<section id="annex"', 1)
    assert len(body) == 2  # the annex is the last section
    annex = re.sub(r"<[^>]+>", "\n", body[1])
    assert "Annexe : données des graphiques" in annex
    assert "Semaine du" in annex  # the weekly series' tables are in it...
    assert "Semaine du" not in re.sub(r"<svg.*?</svg>", "", body[0], flags=re.S)  # ...only
    assert body[0].count("tableau ") >= 5  # each chart points to its table
    text = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", printed, flags=re.S)
    assert not EMOJI.findall(text)  # icons are drawn, not emoji (no emoji font to print)
    assert "counter(page)" in printed and "counter(pages)" in printed


@pytest.mark.skipif(dossier.chromium_path() is None, reason="needs Chromium to print")
def test_the_pdf_pages_are_numbered(demo_store: dict[str, str], tmp_path: Path) -> None:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(services.dossier_pdf("senior_procedures", lang="fr"))
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert len(pages) >= 3
    for number, content in enumerate(pages, start=1):
        # The footer "n / N" is a line of its own on page n (pdfium reads it first).
        lines = [line.strip() for line in content.splitlines()]
        assert f"{number} / {len(pages)}" in lines, number
