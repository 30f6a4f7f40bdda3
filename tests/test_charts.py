"""The chart builders as functions: what they draw (encodings, data) and the text that
stands in for each chart; numbers and small cells as a reader must see them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from ui.ui_factories import using_store

from livinglab import services
from livinglab.i18n import Translator
from livinglab.presentation import charts, report

FR, EN = Translator("fr"), Translator("en")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with using_store(tmp_path_factory.mktemp("charts") / "demo.db", demo=True):
        yield {
            pid: services.pilot_report(pid, lang="fr")
            for pid in ("energy_feedback", "senior_procedures")
        }


def layers(figure: charts.Figure) -> list[dict[str, Any]]:
    spec = figure.chart.to_dict()
    return spec.get("layer", [spec])


def layer_data(figure: charts.Figure, layer: dict[str, Any]) -> pd.DataFrame:
    spec = figure.chart.to_dict()
    data = layer.get("data") or spec["data"]  # Altair hoists data shared by every layer
    return pd.DataFrame(spec["datasets"][data["name"]])


def mark(layer: dict[str, Any]) -> str:
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def test_every_chart_is_described_and_localised(reports: dict[str, Any]) -> None:
    figure = charts.forest_figure(reports["energy_feedback"].evaluation, FR)
    spec = figure.chart.to_dict()
    assert spec["description"] == figure.description  # the SVG's aria-label
    assert spec["title"] == "Effets mesurés et effet minimal visé"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    english = charts.forest_figure(reports["energy_feedback"].evaluation, EN).chart.to_dict()
    assert english["config"]["locale"]["number"]["decimal"] == "."
    assert english["config"]["locale"]["time"]["months"][2] == "March"


def test_forest_plot_puts_each_effect_against_its_smallest_worthwhile_band(
    reports: dict[str, Any],
) -> None:
    figure = charts.forest_figure(reports["energy_feedback"].evaluation, FR)
    frame = charts.forest_frame(reports["energy_feedback"].evaluation, FR)
    assert list(frame["metric"]) == [
        "Consommation d'électricité (principale)",
        "Part de la pointe du soir (18 h-21 h) (secondaire)",
        "Heures sous 19 °C (garde-fou)",
    ]
    kwh = frame.iloc[0]
    # The randomised did is judged on its (Lin) ANCOVA estimate, drawn in % of the testers'
    # baseline mean: the same number and interval as the evaluation's criterion basis.
    result = reports["energy_feedback"].evaluation.metric("kwh_per_day")
    assert result.criterion_basis == "ancova"
    base = abs(result.baseline_mean)
    assert kwh["effect"] == pytest.approx(100 * result.ancova_estimate / base)
    assert kwh["ci_low"] == pytest.approx(100 * result.ancova_ci_low / base)
    assert -10 < kwh["ci_low"] < kwh["effect"] < kwh["ci_high"] < -5  # the demo's ~8 % saving
    assert kwh["swe"] == pytest.approx(5.0)
    assert kwh["status"] == "rempli"  # a word: an emoji prints as a box in the PDF
    band, zero, whiskers, points = layers(figure)
    assert mark(band) == "bar" and band["encoding"]["x"]["field"] == "swe_low"
    assert band["encoding"]["x2"]["field"] == "swe_high"
    assert whiskers["encoding"]["x"]["field"] == "ci_low"
    assert points["encoding"]["x"]["field"] == "effect"
    assert (
        "Consommation d'électricité (principale) −7,9 % (−9,8 à −6,0), ±5,0 %" in figure.description
    )
    assert list(figure.table.columns)[:2] == ["Mesure", "Effet (% de la référence)"]


def test_did_picture_draws_both_cohorts_and_the_counterfactual(reports: dict[str, Any]) -> None:
    evaluation = reports["energy_feedback"].evaluation
    result = evaluation.metric("kwh_per_day")
    figure = charts.did_figure(result, evaluation.pilot.metric("kwh_per_day"), FR)
    line, bars, points = layers(figure)
    lines = layer_data(figure, line)
    assert set(lines["cohort"]) == {"testeurs", "témoins", "testeurs sans le service"}
    counter = lines[lines["cohort"] == "testeurs sans le service"]["mean"].to_numpy()
    summaries = {(s.cohort_role, s.period): s.mean for s in result.summaries}
    trend = summaries[("control", "intervention")] - summaries[("control", "baseline")]
    assert counter == pytest.approx(
        [summaries[("test", "baseline")], summaries[("test", "baseline")] + trend]
    )
    means = layer_data(figure, points)
    test_before = means[(means["cohort_role"] == "test") & (means["period_key"] == "baseline")]
    # t-based 95% CI of a mean: 11.5325 +- t(0.975, 149) * 4.0172 / sqrt(150)
    assert float(test_before["ci_low"].iloc[0]) == pytest.approx(
        11.532550 - 1.976013 * 4.017200 / np.sqrt(150), abs=1e-4
    )
    assert bars["encoding"]["y"]["field"] == "ci_low"
    assert figure.description.startswith(
        "Consommation d'électricité : testeurs de 11,5 à 8,8 kWh/jour, témoins de 11,3 à 9,6"
    )


def test_before_after_picture_has_no_counterfactual(reports: dict[str, Any]) -> None:
    evaluation = reports["senior_procedures"].evaluation
    figure = charts.did_figure(
        evaluation.metric("time_on_task"), evaluation.pilot.metric("time_on_task"), FR
    )
    lines = layer_data(figure, layers(figure)[0])
    assert set(lines["cohort"]) == {"testeurs"}
    assert "pointillée" not in figure.description


def test_weekly_series_marks_the_intervention_start(reports: dict[str, Any]) -> None:
    report = reports["energy_feedback"]
    pilot = report.evaluation.pilot
    figure = charts.weekly_figure(report.weekly, pilot, pilot.metric("kwh_per_day"), FR)
    band, line, rule, text = layers(figure)
    assert line["encoding"]["x"]["field"] == "week_start"
    assert line["encoding"]["x"]["type"] == "temporal"
    data = layer_data(figure, line)
    assert set(data["metric"]) == {"kwh_per_day"}
    assert len(data) == 2 * 25  # two cohorts, 25 weeks from 5 January to 28 June
    assert (data["n"] >= 5).all()
    start = layer_data(figure, rule)["x"].iloc[0]
    assert str(start).startswith("2026-03-02")
    assert "le 2 mars 2026" in figure.description


def test_sus_distribution_never_shows_fewer_than_five_people(reports: dict[str, Any]) -> None:
    report = reports["senior_procedures"]
    detail = next(d for d in report.surveys if d.instrument == "sus")
    result = next(s for s in report.evaluation.surveys if s.instrument == "sus")
    figure = charts.score_figure(detail, result, FR)
    bins = detail.scores
    assert bins["n"].sum() == result.n == 25
    assert not ((bins["n"] > 0) & (bins["n"] < 5)).any()
    assert bins["low"].iloc[0] == 0 and bins["high"].iloc[-1] == 100
    bands = [layer_data(figure, layer) for layer in layers(figure) if mark(layer) == "rect"][0]
    assert list(bands["grade"]) == ["A", "B", "C", "D", "F"]
    rule = [layer for layer in layers(figure) if mark(layer) == "rule"][0]
    assert layer_data(figure, rule)["x"].iloc[0] == pytest.approx(67.2)
    assert "note C" in figure.description and "25 scores SUS" in figure.description


def test_likert_bars_diverge_around_the_neutral_answer(reports: dict[str, Any]) -> None:
    report = reports["energy_feedback"]
    detail = next(d for d in report.surveys if d.instrument == "trust" and d.wave == "baseline")
    frame = charts.likert_frame(detail)
    for _, item in frame.groupby("order"):
        assert item["share"].sum() == pytest.approx(1.0)
        assert item["end"].max() - item["start"].min() == pytest.approx(1.0)
        for row in item.itertuples():
            if row.side == "disagree":
                assert row.end <= 1e-12
            elif row.side == "agree":
                assert row.start >= -1e-12
            elif row.side == "neutral":
                assert row.start <= 0 <= row.end
    assert not ((detail.items["n"] > 0) & (detail.items["n"] < 5)).any()
    figure = charts.likert_figure(detail, FR)
    bars = layers(figure)[0]
    assert bars["encoding"]["x"]["field"] == "start" and bars["encoding"]["x2"]["field"] == "end"
    assert "5 questions" in figure.description


def test_nps_and_response_rates(reports: dict[str, Any]) -> None:
    report = reports["energy_feedback"]
    detail = next(d for d in report.surveys if d.instrument == "nps")
    result = next(s for s in report.evaluation.surveys if s.instrument == "nps")
    figure = charts.nps_figure(detail, result, FR)
    data = layer_data(figure, layers(figure)[0])
    assert list(data["group"]) == ["detractors", "passives", "promoters"]
    assert data["share"].to_numpy() == pytest.approx(
        [result.detractors, result.passives, result.promoters]
    )
    assert figure.description.endswith("NPS +16.")
    rates = charts.response_rates_figure(
        report.evaluation.response_rates, {"trust": "Confiance"}, FR
    )
    rows = layer_data(rates, layers(rates)[0])
    assert rows["row"].iloc[0] == "Confiance · testeurs · avant"
    assert rows["rate"].iloc[0] == pytest.approx(110 / 150)


def test_equity_chart_leaves_out_suppressed_groups(reports: dict[str, Any]) -> None:
    evaluation = reports["senior_procedures"].evaluation
    equity = evaluation.decision.equity
    metric = evaluation.pilot.metric("task_success")
    figure = charts.equity_figure(equity, evaluation.metric("task_success"), metric, FR)
    drawn = layer_data(figure, layers(figure)[-1])
    hidden = [e for e in equity.effects if e.metric == "task_success" and e.suppressed]
    assert hidden  # the demo has small age bands among 40 testers
    for effect in hidden:
        assert not any(drawn["group"].str.endswith(effect.group))
    assert (figure.table["Estimation"] == "masqué").sum() == len(hidden)


def test_representativeness_and_projection(reports: dict[str, Any]) -> None:
    evaluation = reports["energy_feedback"].evaluation
    rep = evaluation.decision.representativeness
    figure = charts.representativeness_figure(rep, "age_band", FR)
    data = layer_data(figure, layers(figure)[1])
    assert set(data["who"]) == {"Testeurs", "Ville"}
    assert data[(data["who"] == "Ville") & (data["category"] == "18-34")]["share"].iloc[0] == 0.22
    assert "18-34 (11 % contre 22 %)" in figure.description.replace("\u202f", " ")
    projection = charts.projection_figure(evaluation.decision.projection, FR)
    points = layer_data(projection, layers(projection)[-1])
    assert points["value"].iloc[0] == pytest.approx(evaluation.decision.projection.tonnes_co2e)
    assert layers(projection)[1]["encoding"]["x"]["title"] == "t CO2e par an"


def test_merged_bins_hold_zero_or_at_least_five() -> None:
    scores = [5, 15, 15, 25, 35, 45, 45, 45, 45, 45, 55, 95, 95]
    bins = report.merged_bins(scores, [float(e) for e in range(0, 101, 10)])
    assert bins["n"].sum() == len(scores)
    assert not ((bins["n"] > 0) & (bins["n"] < 5)).any()
    assert bins["low"].iloc[0] == 0 and bins["high"].iloc[-1] == 100
    assert (bins["low"].iloc[1:].to_numpy() == bins["high"].iloc[:-1].to_numpy()).all()


def test_translator_formats_numbers_and_dates_per_locale() -> None:
    from datetime import date

    assert FR.number(-1234.5, 1) == "−1\u202f234,5"
    assert EN.number(-1234.5, 1) == "−1,234.5"
    assert FR.percent(0.079, 1, signed=True) == "+7,9\u202f%"
    assert EN.percent(0.079, 1) == "7.9%"
    # a large pilot's narrow interval gets the decimals its bounds need (not "-5,9 à -5,9")
    assert FR.percent_interval(-5.93, -5.94, -5.91) == (
        "−5,93\u202f%", "−5,94\u202f%", "−5,91\u202f%")
    assert EN.percent_interval(-5.9, -8.1, -3.7) == ("−5.9%", "−8.1%", "−3.7%")
    # three decimals at most
    assert EN.percent_interval(2.0, 1.99991, 2.00001) == ("+2.000%", "2.000%", "2.000%")
    assert FR.date(date(2026, 3, 2)) == "2 mars 2026"
    assert EN.date(date(2026, 3, 2)) == "2 March 2026"
    assert FR.verdict("extend") == "⏳ Prolonger" and EN.verdict("no_go") == "⛔ Drop"
    assert FR.number(None) == "—"
    with pytest.raises(ValueError, match="'lang' must be one of"):
        Translator("de")


def test_catalog_has_every_text_in_both_languages() -> None:
    from livinglab.i18n import CATALOG

    for key, (fr, en) in CATALOG.items():
        assert fr.strip() and en.strip(), key
        assert sorted(_fields(fr)) == sorted(_fields(en)), key


def _fields(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_equity_chart_draws_intervals_adjusted_for_the_number_of_subgroups(
    reports: dict[str, Any],
) -> None:
    evaluation = reports["senior_procedures"].evaluation
    equity = evaluation.decision.equity
    metric = evaluation.pilot.metric("task_success")
    figure = charts.equity_figure(equity, evaluation.metric("task_success"), metric, FR)
    drawn = layer_data(figure, layers(figure)[2])
    shown = [
        e for e in equity.effects
        if e.metric == "task_success" and not e.suppressed and e.estimate is not None
    ]
    assert len(drawn) == len(shown) >= 2
    for effect, (_, row) in zip(shown, drawn.iterrows(), strict=True):
        # Bonferroni over the groups: wider than the group's own 95 % interval.
        assert row["ci_low"] == pytest.approx(effect.adjusted_ci_low)
        assert row["ci_high"] - row["ci_low"] > effect.ci_high - effect.ci_low
    assert "corrigés pour le nombre de sous-groupes" in figure.description
