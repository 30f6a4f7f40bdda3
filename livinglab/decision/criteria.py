"""Decision criteria: one result in, ``pass`` / ``fail`` / ``inconclusive`` out.

The rules work on a confidence interval *oriented* so that "better" is positive
(for a metric where lower is better, every number is negated before the rule and
shown with its own sign in the reason):

``improve`` (the smallest worthwhile effect ``m`` > 0, in the metric's unit)
    pass          the CI excludes zero on the better side (``low > 0``) and the
                  estimate reaches ``m`` (``estimate >= m``);
    fail          the CI lies entirely on the worse side (``high < 0``) or entirely
                  short of ``m`` (``high < m``);
    inconclusive  otherwise (the CI contains zero, or the effect is real but the
                  estimate is below ``m``).
``not_worsen`` (the margin ``M`` > 0)
    Non-inferiority at the same one-sided level as ``improve``: with the same
    ``1 - alpha`` CI (one-sided ``alpha / 2`` on each bound, as ICH E9 and the
    CPMP (2000) points to consider ask), pass when ``low > -M``; fail when
    ``high < -M``; else inconclusive.
``reach`` (a survey score and its threshold ``T``)
    pass when ``ci_low >= T``; fail when ``ci_high < T``; else inconclusive.

Under a group-sequential plan (``decision.sequential``) every evaluation is a look and
each rule judges the *repeated* confidence interval of that look (Jennison & Turnbull
1989): the interval widened to the look's boundary (:mod:`livinglab.stats.sequential`),
so that the chance of a wrong conclusion at any look stays ``alpha``.

Whatever the rule, a result without a CI (fewer than 2 participants in a group),
a single treated unit, or a subgroup of fewer than 5 people is ``inconclusive``:
the estimate is reported (except for small subgroups, never shown) and the
reason says why nothing can be concluded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scipy import stats as sps

from livinglab.decision.models import CriterionOutcome, Status
from livinglab.decision.privacy import min_cell
from livinglab.decision.text import (
    NBSP,
    Bilingual,
    attribute_label,
    colon,
    decimals_for,
    declared,
    interval,
    number,
    percent,
)
from livinglab.spec.models import Metric, MetricCriterion, MinEffect, SurveyCriterion
from livinglab.stats.results import MetricResult, SurveyResult
from livinglab.stats.sequential import SequentialLook

_DESIGN_TEXT = {
    "pre_post": Bilingual("évolution avant/après des testeurs", "testers' before/after change"),
    "two_group": Bilingual("écart testeurs − témoins après", "testers − control after"),
    "did": Bilingual("différence des évolutions testeurs − témoins",
                     "difference in changes, testers − control"),
}
_ANCOVA_TEXT = Bilingual("ANCOVA ajustée sur la période de référence (tirage au sort)",
                         "baseline-adjusted ANCOVA (random assignment)")


# --- the rules, on plain numbers ---------------------------------------------------


def orient(
    estimate: float, ci_low: float, ci_high: float, better: str
) -> tuple[float, float, float]:
    """Return ``(estimate, low, high)`` with "better" positive (negated when lower is better)."""
    if better == "lower":
        return -estimate, -ci_high, -ci_low
    return estimate, ci_low, ci_high


def _reaches(value: float, bound: float) -> bool:
    # Forgive the last bits of floating point: 0.05 * 10 must reach 0.5.
    return value >= bound or math.isclose(value, bound, rel_tol=1e-9, abs_tol=1e-12)


def improve_rule(estimate: float, ci_low: float, ci_high: float, min_effect: float) -> str:
    """The ``improve`` rule on oriented numbers; returns the outcome code.

    Codes: ``shown_better`` (pass); ``worse``, ``short_of_min_effect`` (fail);
    ``below_min_effect``, ``includes_zero`` (inconclusive).
    """
    if ci_high < 0:
        return "worse"
    if ci_high < min_effect and not _reaches(ci_high, min_effect):
        return "short_of_min_effect"
    if ci_low > 0:
        return "shown_better" if _reaches(estimate, min_effect) else "below_min_effect"
    return "includes_zero"


def not_worsen_rule(bound_low: float, bound_high: float, margin: float) -> str:
    """The non-inferiority rule on the oriented ``1 - 2 alpha`` CI; returns the code.

    Codes: ``non_inferior`` (pass), ``inferior`` (fail), ``margin_not_excluded``.
    """
    if bound_low > -margin:
        return "non_inferior"
    if bound_high < -margin:
        return "inferior"
    return "margin_not_excluded"


def reach_rule(ci_low: float, ci_high: float, threshold: float) -> str:
    """The ``reach`` rule; codes ``above_threshold``, ``below_threshold``,
    ``straddles_threshold``."""
    if ci_low >= threshold:
        return "above_threshold"
    if ci_high < threshold:
        return "below_threshold"
    return "straddles_threshold"


STATUS_OF: Mapping[str, Status] = {
    "shown_better": "pass",
    "non_inferior": "pass",
    "above_threshold": "pass",
    "worse": "fail",
    "short_of_min_effect": "fail",
    "inferior": "fail",
    "below_threshold": "fail",
}
"""Codes that are not listed here are ``inconclusive``."""


def status_of(code: str) -> Status:
    return STATUS_OF.get(code, "inconclusive")


def rescaled_interval(
    estimate: Any, ci_low: Any, ci_high: Any, *, conf_level: float, level: float,
    df: float | None,
) -> tuple[Any, Any]:
    """The ``level`` interval from a ``conf_level`` one, same distribution.

    Each half-width is scaled by ``q((1 + level) / 2) / q((1 + conf_level) / 2)`` (Student
    quantiles with ``df``, normal without), which is exact for t and Wald intervals
    and keeps the asymmetry of a bootstrap or score interval. Works on floats and
    arrays alike.
    """
    dist = sps.t(df) if df is not None and math.isfinite(df) and df > 0 else sps.norm()
    ratio = float(dist.ppf((1 + level) / 2) / dist.ppf((1 + conf_level) / 2))
    return estimate - (estimate - ci_low) * ratio, estimate + (ci_high - estimate) * ratio


def standard_error(ci_low: float, ci_high: float, *, conf_level: float,
                   df: float | None) -> float:
    """The standard error a ``conf_level`` interval implies: its width over ``2 q``."""
    dist = sps.t(df) if df is not None and math.isfinite(df) and df > 0 else sps.norm()
    return float((ci_high - ci_low) / (2 * dist.ppf((1 + conf_level) / 2)))


# --- one criterion on a stats result ------------------------------------------------


@dataclass(frozen=True)
class _Basis:
    name: str | None
    design: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    df: float | None


def basis_of(result: MetricResult) -> _Basis:
    """The numbers a criterion judges: the result's ``criterion_basis`` (``primary_*``:
    ANCOVA for a randomised did, change scores for volunteers), else the design's own
    difference."""
    name = result.criterion_basis
    numbers: tuple[float | None, float | None, float | None]
    if result.primary_estimate is not None:
        numbers = (result.primary_estimate, result.primary_ci_low, result.primary_ci_high)
    else:
        numbers = (result.estimate, result.ci_low, result.ci_high)
    if name == "ancova":
        # OLS after ~ cohort + before: three coefficients
        df: float | None = float(result.n_test + result.n_control - 3)
    else:
        df = result.df if result.ci_method in (None, "t") else None
    return _Basis(name, result.design, *numbers, df=df)


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def _min_cell(result: MetricResult) -> int:
    return min(result.n_test, result.n_control) if result.design != "pre_post" else result.n_test


def evaluate_metric_criterion(
    criterion: MetricCriterion,
    *,
    metric: Metric,
    result: MetricResult | None,
    alpha: float,
    look: SequentialLook | None = None,
) -> CriterionOutcome:
    """Evaluate an ``improve`` or ``not_worsen`` criterion on one metric result.

    ``result`` is the overall result, or the subgroup's when ``criterion.subgroup``
    is set (a subgroup with fewer than 5 people in a cohort is never shown). Both rules
    judge the result's ``1 - alpha`` interval (``alpha``, the pilot's, is what the
    stats ran with), or the repeated interval of ``look`` under a sequential plan.
    """
    base: dict[str, Any] = {
        "kind": "metric", "target": criterion.metric, "must": criterion.must,
        "role": metric.role, "subgroup": _subgroup_dict(criterion.subgroup),
        "better": metric.better,
    }
    label = _metric_label(metric, criterion.subgroup)
    if result is None:
        return _outcome(base, "no_result", label + _NO_RESULT)
    base |= {"n_test": result.n_test, "n_control": result.n_control}
    if criterion.subgroup and _min_cell(result) < min_cell():
        return _outcome(base | {"n_test": None, "n_control": None}, "small_group",
                        label + _small_group())
    basis = basis_of(result)
    base["basis"] = basis.name
    if basis.estimate is None or not math.isfinite(basis.estimate):
        return _outcome(base, "no_result", label + _NO_RESULT)
    scale = _Scale.of(metric, result)
    base |= {"estimate": basis.estimate, "estimate_pct": scale.pct(basis.estimate)}
    if result.n_test < 2:
        return _outcome(base, "single_treated_unit",
                        label + _degenerate(scale, basis.estimate, single=True))
    thin = result.design != "pre_post" and result.n_control < 2
    if thin or not _finite(basis.ci_low, basis.ci_high):
        why = None if thin else result.message
        return _outcome(base, "no_ci", label + _degenerate(scale, basis.estimate, single=False,
                                                            why=why))
    assert basis.ci_low is not None and basis.ci_high is not None
    effect = criterion.margin if criterion.must == "not_worsen" else metric.min_effect
    assert effect is not None  # a not_worsen criterion always has a margin (spec validator)
    threshold = _threshold(effect, result.baseline_mean)
    if threshold is None:
        return _outcome(base, "no_baseline_mean", label + _NO_BASELINE)
    base |= {"threshold": threshold,
             "threshold_pct": None if effect.relative is None else 100 * effect.relative}
    low, high, level = basis.ci_low, basis.ci_high, result.conf_level
    if look is not None:
        low, high = rescaled_interval(basis.estimate, low, high, conf_level=level,
                                      level=look.conf_level, df=basis.df)
        level = look.conf_level
    o_estimate, o_low, o_high = orient(basis.estimate, low, high, metric.better)
    if criterion.must == "improve":
        code = improve_rule(o_estimate, o_low, o_high, threshold)
    else:
        code = not_worsen_rule(o_low, o_high, threshold)
    base |= {"ci_low": low, "ci_high": high, "ci_level": level,
             "ci_low_pct": scale.pct(low), "ci_high_pct": scale.pct(high)}
    reason = label + scale.movement(basis.estimate, low, high, level) + _conclusion(
        code, scale, threshold, effect, metric.better, low, high
    ) + _basis_sentence(basis) + look_sentence(look)
    return _outcome(base, code, reason)


def look_sentence(look: SequentialLook | None) -> Bilingual:
    """`` Analyse séquentielle : regard 2 sur 3 (52 % de l'information prévue).``"""
    if look is None:
        return Bilingual("", "")
    share = (percent(100 * look.fraction, "fr", decimals=0),
             percent(100 * look.fraction, "en", decimals=0))
    return Bilingual(
        f" Analyse séquentielle{colon('fr')}regard {look.look} sur {look.looks} "
        f"({share[0]} de l'information prévue), intervalle répété.",
        f" Sequential analysis: look {look.look} of {look.looks} ({share[1]} of the planned "
        "information), repeated interval.",
    )


def evaluate_survey_criterion(
    criterion: SurveyCriterion, *, result: SurveyResult | None,
    look: SequentialLook | None = None,
) -> CriterionOutcome:
    """Evaluate a ``reach`` criterion: the score's CI (the repeated CI of ``look`` under a
    sequential plan) against the threshold."""
    base: dict[str, Any] = {
        "kind": "survey", "target": criterion.survey, "must": criterion.must,
        "subgroup": _subgroup_dict(criterion.subgroup), "wave": criterion.wave,
        "threshold": criterion.threshold,
    }
    label = _survey_label(criterion)
    if result is None or result.score is None or not math.isfinite(result.score):
        return _outcome(base, "no_result", label + _NO_RESULT)
    base["n_test"] = result.n
    if criterion.subgroup and result.n < min_cell():
        return _outcome(base | {"n_test": None}, "small_group", label + _small_group())
    base["estimate"] = result.score
    ci_low, ci_high, level = result.ci_low, result.ci_high, result.conf_level
    if look is not None and _finite(ci_low, ci_high):
        ci_low, ci_high = rescaled_interval(result.score, ci_low, ci_high, conf_level=level,
                                            level=look.conf_level, df=_survey_df(result))
        level = look.conf_level
    shown = _score_text(result.score, ci_low, ci_high, level)
    if result.n < 2 or not _finite(ci_low, ci_high):
        reason = Bilingual(
            f"{colon('fr')}score {shown.fr}, mais impossible de conclure{colon('fr')}moins de "
            "2 répondants (pas d'intervalle de confiance).",
            f"{colon('en')}score {shown.en}, but cannot conclude{colon('en')}fewer than 2 "
            "respondents (no confidence interval).",
        )
        return _outcome(base, "no_ci", label + reason)
    assert ci_low is not None and ci_high is not None
    base |= {"ci_low": ci_low, "ci_high": ci_high, "ci_level": level}
    code = reach_rule(ci_low, ci_high, criterion.threshold)
    thr = Bilingual(declared(criterion.threshold, "fr"), declared(criterion.threshold, "en"))
    tail = {
        "above_threshold": Bilingual(
            f", au-dessus du seuil de {thr.fr}{colon('fr')}critère rempli.",
            f", above the threshold of {thr.en}: criterion met."),
        "below_threshold": Bilingual(
            f", tout l'intervalle sous le seuil de {thr.fr}{colon('fr')}critère non rempli.",
            f", the whole interval below the threshold of {thr.en}: criterion not met."),
        "straddles_threshold": Bilingual(
            f"{colon('fr')}l'intervalle contient le seuil de {thr.fr}, impossible de conclure.",
            f": the interval contains the threshold of {thr.en}, cannot conclude."),
    }[code]
    reason = label + Bilingual(f"{colon('fr')}score {shown.fr}", f": score {shown.en}") + tail
    return _outcome(base, code, reason + look_sentence(look))


def _survey_df(result: SurveyResult) -> float | None:
    """Degrees of freedom of a survey score's t interval (None: the NPS's normal one)."""
    return float(result.n - 1) if result.instrument != "nps" and result.n > 1 else None


# --- numbers for people --------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    """How a metric's numbers are shown: percent of baseline, points, or the unit."""

    unit: str
    baseline_mean: float | None
    relative: bool  # show in % of the baseline mean
    points: bool  # a share shown in percentage points
    unit_en: str | None = None

    def unit_in(self, lang: str) -> str:
        return (self.unit_en if lang == "en" else None) or self.unit

    @classmethod
    def of(cls, metric: Metric, result: MetricResult) -> _Scale:
        base = result.baseline_mean
        usable = base is not None and math.isfinite(base) and base != 0
        return cls(metric.unit, base if usable else None,
                   relative=usable and metric.min_effect.relative is not None,
                   points=metric.binary, unit_en=metric.unit_en)

    def pct(self, value: float | None) -> float | None:
        if value is None or self.baseline_mean is None:
            return None
        return 100 * value / abs(self.baseline_mean)

    def show(self, value: float, lang: str, *, unit: bool, like: tuple[float, ...] = ()) -> str:
        if self.relative:
            return percent(self.pct(value), lang)
        if self.points:
            text = number(100 * value, lang, decimals=1)
            return f"{text} points" if unit else text
        places = _places(value, *like)
        text = number(value, lang, decimals=places)
        return f"{text} {self.unit_in(lang)}" if unit else text

    def movement(self, estimate: float, low: float, high: float, level: float) -> Bilingual:
        """`` : baisse de 9,8 % (IC 95 % : −13,1 % à −6,4 %)``."""
        texts = []
        for lang in ("fr", "en"):
            size = self.show(abs(estimate), lang, unit=True, like=(estimate, low, high))
            if estimate < 0:
                words = f"baisse de {size}" if lang == "fr" else f"down {size}"
            elif estimate > 0:
                words = f"hausse de {size}" if lang == "fr" else f"up {size}"
            else:
                words = "aucune variation" if lang == "fr" else "no change"
            like = (estimate, low, high)
            bounds = interval(self.show(low, lang, unit=False, like=like),
                              self.show(high, lang, unit=False, like=like), level, lang)
            texts.append(f"{colon(lang)}{words} {bounds}")
        return Bilingual(*texts)


def _places(*values: float) -> int:
    return decimals_for(*values)


def _threshold(effect: MinEffect, baseline_mean: float | None) -> float | None:
    if effect.absolute is not None:
        return effect.absolute
    if baseline_mean is None or not math.isfinite(baseline_mean) or baseline_mean == 0:
        return None
    return effect.in_units(baseline_mean)


def _threshold_text(scale: _Scale, threshold: float, effect: MinEffect) -> Bilingual:
    if effect.relative is not None:
        pct = round(100 * effect.relative, 6)
        return Bilingual(f"{declared(pct, 'fr')}{NBSP}%", f"{declared(pct, 'en')}%")
    if scale.points:
        points = round(100 * threshold, 6)
        return Bilingual(f"{declared(points, 'fr')} points", f"{declared(points, 'en')} points")
    return Bilingual(f"{declared(threshold, 'fr')} {scale.unit_in('fr')}",
                     f"{declared(threshold, 'en')} {scale.unit_in('en')}")


def _conclusion(
    code: str, scale: _Scale, threshold: float, effect: MinEffect, better: str,
    low: float, high: float,
) -> Bilingual:
    thr = _threshold_text(scale, threshold, effect)
    best = high if better == "higher" else low
    best_fr, best_en = (scale.show(best, lang, unit=False, like=(low, high))
                        for lang in ("fr", "en"))
    c_fr = colon("fr")
    worst = low if better == "higher" else high  # the bound nearest "no effect"
    worst_fr, worst_en = (scale.show(worst, lang, unit=True, like=(low, high))
                          for lang in ("fr", "en"))
    oriented_low = low if better == "higher" else -high
    whole_beyond = _reaches(oriented_low, threshold)
    near_zero = abs(worst) < 0.1 * threshold  # "excludes zero" by a hair
    texts = {
        # "Beyond the threshold" only when the whole interval is; else what is known.
        "shown_better": (
            (f"{c_fr}tout l'intervalle est au-delà du seuil de {thr.fr}{c_fr}critère rempli.",
             f": the whole interval is beyond the {thr.en} threshold: criterion met.")
            if whole_beyond else
            (f", estimation au-delà du seuil de {thr.fr}{c_fr}l'amélioration est établie "
             f"(l'intervalle exclut zéro), pas son ampleur (borne la moins favorable{c_fr}"
             f"{worst_fr}){c_fr}critère rempli.",
             f", estimate beyond the {thr.en} threshold: the improvement is established (the "
             f"interval excludes zero), not its size (least favourable bound: {worst_en}): "
             "criterion met.")
        ),
        # Never "shown" when the interval stops a hair from zero.
        "below_min_effect": (
            (f"{c_fr}l'intervalle s'arrête à {worst_fr}, tout près de zéro, et l'estimation "
             f"reste en deçà du seuil de {thr.fr}{c_fr}ni l'amélioration ni son ampleur ne "
             "sont établies, impossible de conclure pour l'instant.",
             f": the interval stops at {worst_en}, a hair from zero, and the estimate is "
             f"below the {thr.en} threshold: neither the improvement nor its size is "
             "established, cannot conclude yet.")
            if near_zero else
            (f"{c_fr}amélioration probable (l'intervalle exclut zéro, borne la moins "
             f"favorable{c_fr}{worst_fr}), mais estimée en deçà du seuil de {thr.fr}, "
             "impossible de conclure pour l'instant.",
             f": probably an improvement (the interval excludes zero, least favourable "
             f"bound: {worst_en}), but estimated below the {thr.en} threshold, cannot "
             "conclude yet.")
        ),
        "includes_zero": (
            f"{c_fr}l'intervalle contient zéro, impossible de conclure pour l'instant.",
            ": the interval contains zero, cannot conclude yet."),
        "short_of_min_effect": (
            f"{c_fr}même la borne la plus favorable ({best_fr}) reste en deçà du seuil de "
            f"{thr.fr}{c_fr}critère non rempli.",
            f": even the most favourable bound ({best_en}) falls short of the {thr.en} "
            "threshold: criterion not met."),
        "worse": (
            f"{c_fr}tout l'intervalle est du mauvais côté, la situation se dégrade{c_fr}"
            "critère non rempli.",
            ": the whole interval is on the worse side, things got worse: criterion not met."),
        "non_inferior": (
            f"{c_fr}une éventuelle dégradation reste dans la marge de {thr.fr}{c_fr}"
            "critère rempli.",
            f": any worsening stays within the {thr.en} margin: criterion met."),
        "inferior": (
            f"{c_fr}la dégradation dépasse la marge de {thr.fr}{c_fr}critère non rempli.",
            f": the worsening exceeds the {thr.en} margin: criterion not met."),
        "margin_not_excluded": (
            f"{c_fr}une dégradation au-delà de la marge de {thr.fr} n'est pas exclue, "
            "impossible de conclure pour l'instant.",
            f": a worsening beyond the {thr.en} margin cannot be ruled out, cannot conclude "
            "yet."),
    }
    return Bilingual(*texts[code])


def basis_text(name: str | None, design: str, lang: str = "fr") -> str:
    """What a criterion judged, for people: ANCOVA, or the design's own difference."""
    text = _ANCOVA_TEXT if name == "ancova" else _DESIGN_TEXT.get(design, Bilingual(design, design))
    return text.get(lang)


def _basis_sentence(basis: _Basis) -> Bilingual:
    fr, en = basis_text(basis.name, basis.design, "fr"), basis_text(basis.name, basis.design, "en")
    return Bilingual(f" Estimation{colon('fr')}{fr}.", f" Estimate: {en}.")


def _degenerate(scale: _Scale, estimate: float, *, single: bool,
                why: str | None = None) -> Bilingual:
    shown = [scale.show(estimate, lang, unit=True, like=(estimate,)) for lang in ("fr", "en")]
    if single:
        return Bilingual(
            f"{colon('fr')}écart estimé de {shown[0]} avec un seul testeur{colon('fr')}"
            "impossible de conclure, quel que soit l'écart observé.",
            f": estimated difference {shown[1]} from a single treated unit: impossible to "
            "conclude, whatever the difference observed.",
        )
    if why:  # enough people, but degenerate data (e.g. zero variance)
        return Bilingual(
            f"{colon('fr')}écart estimé de {shown[0]}, mais impossible de conclure{colon('fr')}"
            "les données ne permettent pas de calculer un intervalle de confiance.",
            f": estimated difference {shown[1]}, but cannot conclude: the data give no "
            f"confidence interval ({why}).",
        )
    return Bilingual(
        f"{colon('fr')}écart estimé de {shown[0]}, mais impossible de conclure{colon('fr')}"
        "moins de 2 participants dans un groupe (pas d'intervalle de confiance).",
        f": estimated difference {shown[1]}, but cannot conclude: fewer than 2 participants "
        "in a group (no confidence interval).",
    )


_NO_RESULT = Bilingual(
    f"{colon('fr')}aucune donnée analysable, impossible de conclure.",
    ": no data to analyse, cannot conclude.",
)
def _small_group() -> Bilingual:
    k = min_cell()
    return Bilingual(
        f"{colon('fr')}moins de {k} personnes dans ce sous-groupe (résultat masqué), "
        "impossible de conclure.",
        f": fewer than {k} people in this subgroup (result not shown), cannot conclude.",
    )
_NO_BASELINE = Bilingual(
    f"{colon('fr')}moyenne de référence inconnue ou nulle, le seuil relatif ne peut pas être "
    "calculé : impossible de conclure.",
    ": the baseline mean is unknown or zero, so the relative threshold cannot be computed: "
    "cannot conclude.",
)


def _score_text(score: float, low: float | None, high: float | None, level: float) -> Bilingual:
    texts = []
    for lang in ("fr", "en"):
        places = _places(score)
        text = number(score, lang, decimals=places)
        if _finite(low, high):
            assert low is not None and high is not None
            text += " " + interval(number(low, lang, decimals=places),
                                   number(high, lang, decimals=places), level, lang)
        texts.append(text)
    return Bilingual(*texts)


def _subgroup_dict(subgroup: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if not subgroup else dict(subgroup)


def subgroup_text(subgroup: Mapping[str, Any] | None, lang: str = "fr") -> str:
    """The subgroup as a reader says it: « tranche d'âge 65+ », « age band 65-74 or 75+ »."""
    if not subgroup:
        return ""
    joiner = " ou " if lang != "en" else " or "
    parts = []
    for attribute, value in subgroup.items():
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        parts.append(f"{attribute_label(attribute, lang)} {joiner.join(str(v) for v in values)}")
    return ", ".join(parts)


def _metric_label(metric: Metric, subgroup: Mapping[str, Any] | None) -> Bilingual:
    fr, en = metric.label.get("fr"), metric.label.get("en")
    if subgroup:
        fr += f" ({subgroup_text(subgroup, 'fr')})"
        en += f" ({subgroup_text(subgroup, 'en')})"
    return Bilingual(fr, en)


_ACRONYMS = {"sus", "nps", "umux_lite", "ueq_s", "ueq", "csat", "ces"}
_WAVES = {"baseline": Bilingual("avant", "baseline"), "after": Bilingual("après", "after")}


def survey_label(instrument: str) -> str:
    """``SUS``, ``UMUX-LITE``; other instruments keep their id."""
    return instrument.upper().replace("_", "-") if instrument in _ACRONYMS else instrument


def _survey_label(criterion: SurveyCriterion) -> Bilingual:
    name = survey_label(criterion.survey)
    wave = _WAVES.get(criterion.wave, Bilingual(criterion.wave, criterion.wave))
    fr, en = f"{name} ({wave.fr}", f"{name} ({wave.en}"
    if criterion.subgroup:
        fr += f", {subgroup_text(criterion.subgroup, 'fr')}"
        en += f", {subgroup_text(criterion.subgroup, 'en')}"
    return Bilingual(fr + ")", en + ")")


def _outcome(base: dict[str, Any], code: str, reason: Bilingual) -> CriterionOutcome:
    return CriterionOutcome(status=status_of(code), code=code, reason_fr=reason.fr,
                            reason_en=reason.en, **base)
