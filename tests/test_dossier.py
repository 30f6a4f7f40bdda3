"""The council dossier: one self-contained HTML file (no network, no script), charts as
SVG with their text alternatives, French by default; and its PDF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from ui.ui_factories import using_store

from livinglab import services
from livinglab.errors import LivingLabError
from livinglab.presentation import dossier, sentences

HAS_CHROMIUM = dossier.chromium_path() is not None


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with using_store(tmp_path_factory.mktemp("dossier") / "demo.db", demo=True):
        yield services.pilot_report("energy_feedback", lang="fr")


@pytest.fixture(scope="module")
def html_fr(report: Any) -> str:
    return dossier.render_html(report.evaluation, details=report)


def test_dossier_is_self_contained(html_fr: str) -> None:
    assert html_fr.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in html_fr
    assert "<script" not in html_fr
    assert not re.search(r'(src|href)="(https?:)?//', html_fr)  # nothing fetched
    assert "@import" not in html_fr and "url(" not in html_fr


def test_dossier_says_the_verdict_and_each_criterion(html_fr: str) -> None:
    assert "Verdict : Généraliser" in html_fr
    assert "Niveau 5 sur 5 (échelle de Maryland)" in html_fr
    assert html_fr.count("<strong>rempli</strong>") == 2
    assert "Hypothèse" in html_fr and "au moins 5 %" in html_fr
    for section in (
        "Synthèse",
        "Mesures d&#x27;usage",
        "Enquêtes",
        "Équité",
        "Représentativité",
        "Projection",
    ):
        assert f">{section}</h2>" in html_fr
    assert "−155 t CO2e par an" in html_fr


def test_every_chart_is_an_svg_with_its_text_alternative(html_fr: str) -> None:
    figures = re.findall(r"<figure>(.*?)</figure>", html_fr, flags=re.S)
    assert len(figures) >= 15
    for figure in figures:
        label = re.search(r'<svg role="img" aria-label="([^"]+)"', figure)
        assert label, figure[:200]
        caption = re.search(r"<figcaption>(.*?)</figcaption>", figure, flags=re.S)
        assert caption and caption.group(1) == label.group(1)
        assert "<table>" in figure and '<th scope="col">' in figure
    # Numbers in the SVGs follow the French locale too (decimal comma, true minus).
    assert re.search(r">−\d+,\d<", html_fr)


def test_dossier_in_english(report: Any) -> None:
    english = dossier.render_html(report.evaluation, "en", details=report)
    assert '<html lang="en">' in english
    assert "Verdict: Roll out" in english
    assert "Généraliser" not in english and "Synthèse" not in english


def test_dossier_without_details_says_what_it_lacks(report: Any) -> None:
    bare = dossier.render_html(report.evaluation)
    assert "Séries hebdomadaires et répartitions des réponses : non jointes" in bare
    assert "semaine par semaine" not in bare


def test_pdf_needs_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dossier, "chromium_path", lambda: None)
    with pytest.raises(LivingLabError, match="apt-get install chromium"):
        dossier.html_to_pdf("<p>x</p>")


@pytest.mark.browser
@pytest.mark.skipif(
    not HAS_CHROMIUM,
    reason="Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium",
)
def test_pdf_is_printed_by_headless_chromium(report: Any) -> None:
    pdf = dossier.render_pdf(report.evaluation, details=report)
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 50_000
    assert b"/Type /Page" in pdf or b"/Type/Page" in pdf


def test_a_survey_score_with_unreliable_items_says_so_in_both_languages() -> None:
    import pandas as pd

    from livinglab.i18n import translator
    from livinglab.stats import score_survey

    # Item q3 is the same for everyone, and q2 runs against q1 (a reversed item not
    # declared as reversed): the trust score's alpha is negative.
    table = {"a": [5, 1, 3], "b": [4, 2, 3], "c": [2, 4, 3], "d": [1, 5, 3], "e": [3, 2, 3]}
    answers = pd.DataFrame(
        [
            {"participant_id": who, "item": f"q{i + 1}", "answer": answer}
            for who, row in table.items()
            for i, answer in enumerate(row)
        ]
    )
    result = score_survey(
        answers, instrument="trust", items=["q1", "q2", "q3"], scale_min=1, scale_max=5,
        scoring="mean", wave="after",
    )
    assert result.cronbach_alpha is not None and result.cronbach_alpha < 0
    assert set(result.reliability_caveats) == {"negative_alpha", "constant_item"}
    french = sentences.survey_sentence(result, translator("fr"))
    assert "alpha de Cronbach négatif" in french and "la même réponse à q3" in french
    english = sentences.survey_sentence(result, translator("en"))
    assert "negative Cronbach's alpha" in english and "the same answer to q3" in english


def test_a_did_sentence_names_the_criterions_estimate_and_shows_the_other_as_bracket(
    report: Any,
) -> None:
    from livinglab.i18n import translator

    evaluation = report.evaluation
    result = evaluation.metric("kwh_per_day")
    metric = evaluation.pilot.metric("kwh_per_day")
    assert result.criterion_basis == "ancova" and result.bracket_basis == "change_score"
    fr = translator("fr")
    sentence = sentences.metric_sentence(result, metric, fr)
    ancova, change = fr.number(result.ancova_estimate, 2), fr.number(result.estimate, 2)
    # The randomised pilot is judged on the ANCOVA, named as such, not as "difference in
    # differences"; the change-score difference stands beside it as the bracket.
    assert sentence.startswith("ANCOVA ajustée sur la période de référence (tirage au sort) : ")
    assert ancova in sentence.split("Encadrement")[0]
    assert f"Encadrement, différence des évolutions testeurs − témoins : {change}" in sentence
    english = sentences.metric_sentence(result, metric, translator("en"))
    assert "Bracket, difference in changes, testers − control:" in english
