"""From criteria to a verdict, and what an inconclusive pilot needs.

``go``      every criterion passes;
``no_go``   at least one criterion fails;
``extend``  otherwise: some criterion is inconclusive. The plan says how many more
            participants per cohort would give the pilot's power (default 80 %) to
            conclude, for the smallest worthwhile effect (``improve``), the margin
            (``not_worsen``) or the observed distance to the threshold (``reach``),
            from the observed variance.

A criterion that is inconclusive by construction (a single treated unit, no CI)
can never pass, so such a pilot is never ``go``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import stats as sps

from livinglab.decision.criteria import subgroup_text, survey_label
from livinglab.decision.models import CriterionOutcome, ExtendItem, ExtendPlan, Verdict
from livinglab.decision.text import Bilingual, colon, integer, number, percent
from livinglab.spec.models import Pilot
from livinglab.stats.power import participants_needed_for, power_analysis
from livinglab.stats.results import MetricResult, SurveyResult

_NOT_PLANNABLE = {"no_result", "no_baseline_mean", "small_group"}


def verdict_of(outcomes: Sequence[CriterionOutcome]) -> Verdict:
    """``no_go`` if any criterion fails, ``go`` if all pass, else ``extend``."""
    statuses = [o.status for o in outcomes]
    if "fail" in statuses:
        return "no_go"
    if statuses and all(s == "pass" for s in statuses):
        return "go"
    return "extend"


def verdict_reason(verdict: Verdict, outcomes: Sequence[CriterionOutcome],
                   plan: ExtendPlan | None) -> Bilingual:
    """One sentence for the decision-maker."""
    total = len(outcomes)
    if verdict == "go":
        return Bilingual(
            f"Tous les critères sont remplis ({total}/{total}){colon('fr')}généraliser.",
            f"Every criterion is met ({total}/{total}): roll out.",
        )
    if verdict == "no_go":
        failed = [o for o in outcomes if o.status == "fail"]
        return Bilingual(
            f"Critère non rempli{colon('fr')}{_names(failed, 'fr')}{colon('fr')}"
            "ne pas généraliser.",
            f"Criterion not met: {_names(failed, 'en')}: do not roll out.",
        )
    open_ = [o for o in outcomes if o.status == "inconclusive"]
    text = Bilingual(
        f"Non concluant ({_names(open_, 'fr')}){colon('fr')}prolonger le pilote.",
        f"Inconclusive ({_names(open_, 'en')}): extend the pilot.",
    )
    return text + (Bilingual(" " + plan.reason_fr, " " + plan.reason_en) if plan else
                   Bilingual("", ""))


def _names(outcomes: Sequence[CriterionOutcome], lang: str) -> str:
    return ", ".join(_name(o, lang) for o in outcomes)


def _name(outcome: CriterionOutcome, lang: str) -> str:
    name = survey_label(outcome.target) if outcome.kind == "survey" else outcome.target
    if outcome.subgroup:
        name += f" [{subgroup_text(outcome.subgroup, lang)}]"
    return name


# --- how many more participants ----------------------------------------------------


def extend_item(
    outcome: CriterionOutcome,
    *,
    result: MetricResult | SurveyResult | None,
    alpha: float,
    power: float,
) -> ExtendItem:
    """How many more participants one inconclusive criterion needs.

    Notes
    -----
    Metrics use :func:`livinglab.stats.power.participants_needed_for` (the design's
    SD; the ANCOVA residual SD for an ANCOVA basis). ``not_worsen`` is a one-sided
    test at ``alpha``, sized as a two-sided one at ``2 alpha`` (the same critical
    value). A survey score is sized as a one-sample t-test for the distance
    between the observed score and the threshold.
    """
    item: dict[str, Any] = {"target": outcome.target, "must": outcome.must,
                            "subgroup": outcome.subgroup}
    if outcome.code in _NOT_PLANNABLE or result is None:
        return ExtendItem(**item, message=_no_plan_message(outcome.code))
    if isinstance(result, SurveyResult):
        return _survey_item(outcome, result, alpha=alpha, power=power, **item)
    effect = outcome.threshold
    common: dict[str, Any] = {**item, "design": result.design, "effect": effect,
              "n_test": result.n_test, "n_control": result.n_control}
    if effect is None:
        return ExtendItem(**common, message="no smallest effect: cannot size the extension")
    test_alpha = 2 * alpha if outcome.must == "not_worsen" else alpha
    try:
        gap = participants_needed_for(result, effect, power=power, alpha=test_alpha)
    except ValueError as error:
        return ExtendItem(**common, message=str(error))
    sd = None if gap.standardized_effect is None else effect / gap.standardized_effect
    return ExtendItem(
        **common, sd=sd, n_needed=gap.n_needed, additional_test=gap.additional_test,
        additional_control=None if result.design == "pre_post" else gap.additional_control,
        message=gap.message,
    )


def _survey_item(outcome: CriterionOutcome, result: SurveyResult, *, alpha: float,
                 power: float, **item: Any) -> ExtendItem:
    sd = result.sd
    if sd is None and result.ci_low is not None and result.ci_high is not None and result.n > 1:
        q = float(sps.t.ppf((1 + result.conf_level) / 2, result.n - 1))
        sd = (result.ci_high - result.ci_low) / (2 * q) * math.sqrt(result.n)
    distance = None if result.score is None or outcome.threshold is None else abs(
        result.score - outcome.threshold)
    common: dict[str, Any] = {**item, "design": "one_sample", "effect": distance, "sd": sd,
              "n_test": result.n, "n_control": 0}
    if distance is None or sd is None or not sd > 0:
        return ExtendItem(**common, message="no SD observed: cannot size the extension")
    if distance == 0:
        return ExtendItem(**common, message="the score equals the threshold: no sample size "
                                            "can decide")
    try:
        n = power_analysis(effect=distance / sd, power=power, alpha=alpha,
                           design="paired").n_ceiling
    except ValueError as error:
        return ExtendItem(**common, message=str(error))
    return ExtendItem(**common, n_needed=n, additional_test=max(0, n - result.n))


def _no_plan_message(code: str) -> str:
    return {
        "no_result": "no data to analyse",
        "no_baseline_mean": "the baseline mean is unknown: the relative effect cannot be sized",
        "small_group": "fewer than 5 people in the subgroup: recruit more of them",
    }.get(code, "cannot size the extension")


def _points(value: float | None, lang: str) -> str:
    # French keeps the singular below 2 ("0,8 point"); English only for exactly 1.
    plural = (value or 0) >= 2 if lang == "fr" else value != 1
    return f"{number(value, lang)} point{'s' if plural else ''}"


UNREALISTIC_GROWTH = 10  # an extension beyond 10x the enrolled size is not a plan


def extend_plan(
    outcomes: Sequence[CriterionOutcome],
    *,
    results: Mapping[int, MetricResult | SurveyResult | None],
    alpha: float,
    power: float,
) -> ExtendPlan:
    """The plan of an ``extend`` verdict: one item per inconclusive criterion.

    ``results`` maps the position of each criterion to the result it was judged on.
    """
    items = tuple(
        extend_item(o, result=results.get(i), alpha=alpha, power=power)
        for i, o in enumerate(outcomes) if o.status == "inconclusive"
    )
    extras = [x for it in items for x in (it.additional_test, it.additional_control)
              if x is not None]
    more = int(np.max(extras)) if extras else None
    pw_fr, pw_en = percent(100 * power, "fr", decimals=0), percent(100 * power, "en", decimals=0)
    if more is None:
        reason = Bilingual(
            "Le nombre de participants nécessaire ne peut pas être estimé (voir le détail).",
            "The number of participants needed cannot be estimated (see the details).",
        )
    elif more == 0:
        reason = Bilingual(
            f"Les effectifs suffisent pour une puissance de {pw_fr} sur l'effet minimal ; "
            "prolonger la durée plutôt que recruter.",
            f"The cohorts are large enough for {pw_en} power on the smallest effect; extend "
            "the duration rather than recruit.",
        )
    else:
        widest = max(items, key=lambda it: max(it.additional_test or 0,
                                               it.additional_control or 0))
        where = Bilingual("", "") if not widest.subgroup else Bilingual(
            f" (sous-groupe {subgroup_text(widest.subgroup, 'fr')})",
            f" (subgroup {subgroup_text(widest.subgroup, 'en')})")
        if widest.design == "one_sample":
            reason = Bilingual(
                f"Il faudrait environ {integer(more, 'fr')} répondants de plus{where.fr} pour "
                f"établir, avec une puissance de {pw_fr}, de quel côté du seuil se situe le "
                f"score, si l'écart observé ({_points(widest.effect, 'fr')}) est réel.",
                f"About {integer(more, 'en')} more respondents{where.en} would show, with "
                f"{pw_en} power, on which side of the threshold the score lies, if the observed "
                f"gap ({_points(widest.effect, 'en')}) is real.",
            )
        else:
            reason = Bilingual(
                f"Il faudrait environ {integer(more, 'fr')} participants de plus par cohorte"
                f"{where.fr} pour une puissance de {pw_fr} sur l'effet minimal visé.",
                f"About {integer(more, 'en')} more participants per cohort{where.en} would "
                f"give {pw_en} power for the smallest worthwhile effect.",
            )
        enrolled = max(widest.n_test or 0, widest.n_control or 0)
        if enrolled and more > UNREALISTIC_GROWTH * enrolled:
            reason = reason + Bilingual(
                f" C'est plus de {UNREALISTIC_GROWTH} fois l'effectif actuel : une prolongation "
                "ne tranchera sans doute pas ; la décision doit se prendre sur ce qui est "
                "connu.",
                f" That is over {UNREALISTIC_GROWTH} times the current size: an extension will "
                "probably not settle it; the decision must rest on what is known.",
            )
    return ExtendPlan(power=power, alpha=alpha, additional_per_cohort=more, items=items,
                      reason_fr=reason.fr, reason_en=reason.en)


def decide_verdict(
    pilot: Pilot,
    outcomes: Sequence[CriterionOutcome],
    *,
    results: Mapping[int, MetricResult | SurveyResult | None],
) -> tuple[Verdict, ExtendPlan | None, Bilingual]:
    """The verdict, the plan when it is ``extend``, and the sentence that explains it."""
    verdict = verdict_of(outcomes)
    plan = None
    if verdict == "extend":
        plan = extend_plan(outcomes, results=results, alpha=pilot.decision.alpha,
                           power=pilot.decision.power)
    return verdict, plan, verdict_reason(verdict, outcomes, plan)
