"""The one place where results become sentences: the pages, the CLI and the dossier call
these functions, so a number reads the same, under the same name, everywhere.

Each function takes typed results (:mod:`livinglab.stats.results`,
:mod:`livinglab.decision.models`) and a :class:`~livinglab.i18n.Translator`, and
returns plain text (no Markdown, no HTML: the caller escapes it for its medium).
"""

from __future__ import annotations

from typing import Any

from livinglab.decision.criteria import basis_text
from livinglab.decision.headline import headline
from livinglab.decision.text import declared
from livinglab.evaluation import zero_filled_text
from livinglab.i18n import Translator
from livinglab.presentation.labels import message, test_sentence

__all__ = [
    "change_sentence",
    "colon",
    "metric_sentence",
    "survey_sentence",
    "test_sentence",
]


def metric_sentence(result: Any, metric: Any, t: Translator) -> str:
    """``ANCOVA ajustée sur la période de référence (tirage au sort) : −0,91 kWh/jour
    (IC 95 % : −1,13 à −0,69), soit −7,9 % ; 150 testeurs, 150 témoins. Encadrement,
    différence des évolutions testeurs − témoins : −0,96 kWh/jour (IC 95 % : …).``

    The estimate is the one the criterion judged, under its own name; a did also
    shows the other estimate as its bracket (Angrist & Pischke 2009, 5.4).
    """
    if getattr(result, "withheld", False):
        return t("withheld_result")
    head = headline(result)
    design = _upper_first(head.name(t.lang))
    n = (
        t("n_participants", n_test=result.n_test, n_control=result.n_control)
        if result.n_control
        else t("n_testers", n_test=result.n_test)
    )
    if metric.binary:  # a share: its change in percentage points
        est, low, high = t.interval(
            *(None if v is None else 100 * v for v in (head.estimate, head.ci_low, head.ci_high))
        )
        sign = "+" if (head.estimate or 0) > 0 else ""
        return _with_bracket(result, metric, t, t(
            "metric_estimate_points",
            ci=t.ci(head.ci_level),
            design=design,
            estimate=sign + est,
            low=low,
            high=high,
            n=n,
        ))
    est, low, high = t.interval(head.estimate, head.ci_low, head.ci_high)
    pct = None if head.estimate_pct is None else head.estimate_pct / 100
    return _with_bracket(result, metric, t, t(
        "metric_estimate",
        ci=t.ci(head.ci_level),
        design=design,
        estimate=est,
        unit=metric.unit_in(t.lang),
        low=low,
        high=high,
        pct=t.percent(pct, 1, signed=True),
        n=n,
    ))


def _with_bracket(result: Any, metric: Any, t: Translator, sentence: str) -> str:
    """``sentence`` and, for a did, the estimate the criterion did not use."""
    if getattr(result, "bracket_estimate", None) is None:
        return sentence
    scale = 100.0 if metric.binary else 1.0
    est, low, high = t.interval(
        *(None if v is None else scale * v
          for v in (result.bracket_estimate, result.bracket_ci_low, result.bracket_ci_high))
    )
    name = (t("bracket_ancova") if result.bracket_basis == "ancova"
            else basis_text(result.bracket_basis, result.design, t.lang))
    unit = "points" if metric.binary else metric.unit_in(t.lang)
    return sentence + t("metric_bracket", ci=t.ci(result.conf_level), name=name, estimate=est,
                        unit=unit, low=low,
                        high=high)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def survey_sentence(result: Any, t: Translator) -> str:
    """Score, CI, respondents, and alpha / grade when there are."""
    if getattr(result, "withheld", False):
        return t("withheld_result")
    score, low, high = t.interval(result.score, result.ci_low, result.ci_high)
    text = t(
        "survey_score",
        ci=t.ci(result.conf_level),
        wave=t("wave_" + str(result.wave)).capitalize(),
        score=score,
        low=low,
        high=high,
        n=result.n,
    )
    extras = []
    if result.cronbach_alpha is not None:
        extras.append(t("survey_alpha", alpha=t.number(result.cronbach_alpha, 2)))
    for caveat in getattr(result, "reliability_caveats", ()):
        items = ", ".join(getattr(result, "constant_items", ()))
        extras.append(t(f"survey_caveat_{caveat}", items=items))
    if result.grade:
        extras.append(
            t("survey_grade", grade=result.grade, percentile=t.number(result.percentile, 0))
        )
    if result.message:
        extras.append(message(result.message, t))
    return text + (" ; " if t.lang == "fr" else "; ").join([""] + extras) + "."


def colon(t: Translator) -> str:
    """`` : `` in French (a space before the colon), ``: `` in English."""
    return "\u00a0: " if t.lang == "fr" else ": "


def change_sentence(change: Any, title: str, t: Translator) -> str:
    """A survey score's before/after change of the same respondents."""
    if getattr(change, "withheld", False):
        return f"{title} — {t('withheld_result')}"
    est, low, high = t.interval(change.estimate, change.ci_low, change.ci_high)
    return t(
        "change_line",
        ci=t.ci(change.conf_level),
        title=title,
        estimate=est,
        low=low,
        high=high,
        n=change.n_test,
    )


def evaluation_text(evaluation: Any, t: Translator) -> str:
    """What ``livinglab evaluate`` prints: the verdict and its criteria, each metric's
    headline sentence (the very sentence of the pilot page and the dossier) and its test,
    then the technical table whose columns name every number (``estimate_name``,
    ``p_value`` of that estimate, ``p_adjusted``, ``bracket_name``)."""
    lines = [evaluation.decision.to_text(t.lang), ""]
    if evaluation.n_withdrawn:  # their data is in none of the numbers below
        lines[1:1] = [t("n_withdrawn", n=evaluation.n_withdrawn)]
    for result in evaluation.metrics:
        metric = evaluation.pilot.metric(result.metric)
        lines.append(f"{metric.label.get(t.lang)} ({result.metric}){colon(t)}"
                     f"{metric_sentence(result, metric, t)}")
        used = test_sentence(result, t)
        if used:
            lines.append(f"  {used}")
    if evaluation.metrics:
        lines += ["", _table(evaluation.metrics_table())]
    lines += [
        f"  {m.metric}{colon(t)}{zero_filled_text(m.n_zero_filled, t.lang)}"
        for m in evaluation.metrics
        if m.n_zero_filled
    ]
    if evaluation.surveys:
        lines += ["", _table(evaluation.surveys_table())]
    from livinglab.presentation.plan import plan_notice

    notice = plan_notice(evaluation, t)
    lines += ["", *([notice.title.upper()] if notice.changed else []), notice.text]
    lines += [f"  - {change}" for change in notice.changes]
    return "\n".join(lines).rstrip()


def _table(frame: Any) -> str:
    return str(frame.to_string(index=False, float_format=lambda x: f"{x:.4g}"))


def criterion_text(criterion: Any, pilot: Any, t: Translator) -> str:
    """A declared criterion before any data: « Consommation d'électricité : améliorer
    d'au moins 5 % », « SUS (après) : atteindre au moins 68 »."""
    if criterion.kind == "survey":
        name = f"{criterion.survey.upper().replace('_', '-')} ({t('wave_' + criterion.wave)})"
        return t("criterion_declared_reach", name=name,
                 threshold=declared(criterion.threshold, t.lang))
    metric = pilot.metric(criterion.metric)
    effect = criterion.margin if criterion.must == "not_worsen" else metric.min_effect
    # As the pilot's file declares them: "5 %", "0,5 h/jour", "10 points".
    if effect.relative is not None:
        size = t.percent(effect.relative, len(declared(100 * effect.relative, "en").split(".")[1])
                         if "." in declared(100 * effect.relative, "en") else 0)
    elif metric.binary:
        size = f"{declared(round(100 * (effect.absolute or 0.0), 6), t.lang)} {t('points')}"
    else:
        size = f"{declared(effect.absolute or 0.0, t.lang)} {metric.unit_in(t.lang)}"
    return t(f"criterion_declared_{criterion.must}", name=metric.label.get(t.lang), size=size)


