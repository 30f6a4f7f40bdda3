"""From criteria to a verdict, and what an inconclusive pilot needs.

``go``      every criterion passes;
``no_go``   at least one criterion fails;
``extend``  otherwise: some criterion is inconclusive.

Before the verdict, :func:`settle` decides the inconclusive criteria that more data
cannot decide (:mod:`livinglab.decision.futility`): one whose chance of passing at the
plan's maximum is below 10 % (``futile``), or one still open at the final look of a
sequential plan (``final_look``), fails on the data at hand, with a sentence that
says why. For the others the plan (:func:`extend_plan`) says how many participants
per cohort let the rule settle the question with the pilot's power (never more than
the maximum), or that only time is missing, with the probabilities the extended pilot
then has of each verdict.

A criterion that is inconclusive by construction (a single treated unit, no CI)
can never pass, so such a pilot is never ``go``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from livinglab.decision.criteria import subgroup_text, survey_label
from livinglab.decision.futility import Futility, futility, look_for, size_item
from livinglab.decision.models import CriterionOutcome, ExtendItem, ExtendPlan, Verdict
from livinglab.decision.text import Bilingual, colon, integer, percent
from livinglab.spec.models import Pilot
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
                   plan: ExtendPlan | None, pilot: Pilot | None = None) -> Bilingual:
    """One sentence for the decision-maker (a metric named by its label when ``pilot``
    is given, else by its id)."""
    total = len(outcomes)
    if verdict == "go":
        return Bilingual(
            f"Tous les critères sont remplis ({total}/{total}){colon('fr')}généraliser.",
            f"Every criterion is met ({total}/{total}): roll out.",
        )
    if verdict == "no_go":
        failed = [o for o in outcomes if o.status == "fail"]
        text = Bilingual(
            f"Critère non rempli{colon('fr')}{_names(failed, 'fr', pilot)}{colon('fr')}"
            "ne pas généraliser.",
            f"Criterion not met: {_names(failed, 'en', pilot)}: do not roll out.",
        )
        if any(o.code in ("futile", "final_look") for o in failed):
            text = text + Bilingual(
                " Prolonger ne permettrait pas de trancher dans les limites prévues : la "
                "décision se prend sur les données disponibles.",
                " Extending could not settle it within the planned limits: the decision "
                "rests on the data at hand.",
            )
        return text
    open_ = [o for o in outcomes if o.status == "inconclusive"]
    text = Bilingual(
        f"Non concluant ({_names(open_, 'fr', pilot)}){colon('fr')}prolonger le pilote.",
        f"Inconclusive ({_names(open_, 'en', pilot)}): extend the pilot.",
    )
    return text + (Bilingual(" " + plan.reason_fr, " " + plan.reason_en) if plan else
                   Bilingual("", ""))


def _names(outcomes: Sequence[CriterionOutcome], lang: str, pilot: Pilot | None = None) -> str:
    return ", ".join(_name(o, lang, pilot) for o in outcomes)


def _name(outcome: CriterionOutcome, lang: str, pilot: Pilot | None = None) -> str:
    if outcome.kind == "survey":
        name = survey_label(outcome.target)
    elif pilot is not None and outcome.target in {m.id for m in pilot.metrics}:
        name = pilot.metric(outcome.target).label.get(lang)
    else:
        name = outcome.target
    if outcome.subgroup:
        name += f" [{subgroup_text(outcome.subgroup, lang)}]"
    return name


# --- what more data can decide ----------------------------------------------------


def settle(
    pilot: Pilot,
    outcomes: Sequence[CriterionOutcome],
    *,
    results: Mapping[int, MetricResult | SurveyResult | None],
) -> list[CriterionOutcome]:
    """The outcomes with every inconclusive criterion that more data cannot decide failed.

    ``results`` maps the position of each criterion to the result it was judged on.
    See :func:`livinglab.decision.futility.futility`.
    """
    settled = []
    for i, outcome in enumerate(outcomes):
        result = results.get(i)
        stop = futility(pilot, outcome, result, look_for(pilot, result))
        settled.append(outcome if stop is None else _stopped(outcome, stop, pilot))
    return settled


def _stopped(outcome: CriterionOutcome, stop: Futility, pilot: Pilot) -> CriterionOutcome:
    top = stop.maximum
    unit = _unit(outcome)
    size = Bilingual(f"{integer(top.test, 'fr')} {unit.fr}", f"{integer(top.test, 'en')} "
                                                              f"{unit.en}")
    origin = Bilingual(" (le maximum prévu)", " (the planned maximum)") if top.declared else \
        Bilingual(" (dix fois l'effectif actuel : au-delà, ce n'est plus une prolongation)",
                  " (ten times the current size: beyond that, it is no longer an extension)")
    if stop.code == "final_look":
        why = Bilingual(
            f" Le maximum prévu ({size.fr}) est analysé et le critère reste ouvert"
            f"{colon('fr')}non rempli.",
            f" The planned maximum ({size.en}) is analysed and the criterion is still open: "
            "not met.",
        )
    else:
        chance = (percent(100 * (stop.probability or 0.0), "fr", decimals=0),
                  percent(100 * (stop.probability or 0.0), "en", decimals=0))
        if outcome.must == "improve":
            what = Bilingual("si l'effet réel était l'effet minimal visé, la probabilité de "
                             f"remplir le critère ne serait que de {chance[0]}",
                             "if the true effect were the smallest worthwhile one, the chance "
                             f"of meeting the criterion would be only {chance[1]}")
        elif outcome.must == "not_worsen":
            what = Bilingual("même sans aucune dégradation réelle, la probabilité d'écarter la "
                             f"marge ne serait que de {chance[0]}",
                             "even with no real worsening, the chance of ruling out the margin "
                             f"would be only {chance[1]}")
        else:
            pw = (percent(100 * pilot.decision.power, "fr", decimals=0),
                  percent(100 * pilot.decision.power, "en", decimals=0))
            what = Bilingual("la question ne serait pas tranchée avec une probabilité de "
                             f"{pw[0]} (probabilité d'atteindre le seuil{colon('fr')}{chance[0]})",
                             f"the question would not be settled with {pw[1]} probability "
                             f"(chance of showing the threshold is reached: {chance[1]})")
        why = Bilingual(
            f" Même avec {size.fr}{origin.fr}, {what.fr}{colon('fr')}critère non rempli sur "
            "les données disponibles.",
            f" Even with {size.en}{origin.en}, {what.en}: criterion not met on the data at "
            "hand.",
        )
    return replace(outcome, status="fail", code=stop.code,
                   reason_fr=outcome.reason_fr + why.fr, reason_en=outcome.reason_en + why.en)


def _unit(outcome: CriterionOutcome) -> Bilingual:
    if outcome.kind == "survey":
        return Bilingual("répondants", "respondents")
    if outcome.n_control:
        return Bilingual("participants par cohorte", "participants per cohort")
    return Bilingual("testeurs", "testers")


def extend_item(
    outcome: CriterionOutcome,
    *,
    pilot: Pilot,
    result: MetricResult | SurveyResult | None,
) -> ExtendItem:
    """How many more participants (or how much more time) one inconclusive criterion needs.

    See :func:`livinglab.decision.futility.size_item`: the cohorts at which the rule
    settles the question with the pilot's power (``improve``: ``no_go`` at no effect and
    ``go`` at twice the smallest worthwhile effect; ``not_worsen``: the margin ruled out
    at no worsening; ``reach``: settled either way, predictively), capped at the plan's
    maximum.
    """
    item: dict[str, Any] = {"target": outcome.target, "must": outcome.must,
                            "subgroup": outcome.subgroup}
    if outcome.code in _NOT_PLANNABLE or result is None:
        return ExtendItem(**item, message=_no_plan_message(outcome.code))
    design = "one_sample" if isinstance(result, SurveyResult) else result.design
    n_t = result.n if isinstance(result, SurveyResult) else result.n_test
    n_c = 0 if isinstance(result, SurveyResult) else result.n_control
    effect = outcome.threshold if not isinstance(result, SurveyResult) else (
        None if outcome.estimate is None or outcome.threshold is None
        else abs(outcome.estimate - outcome.threshold))
    common: dict[str, Any] = {**item, "design": design, "effect": effect, "n_test": n_t,
                              "n_control": n_c}
    fields = size_item(pilot, outcome, result)
    if not fields:
        return ExtendItem(**common, message="no confidence interval: cannot size the extension")
    return ExtendItem(**common, **fields)


def _no_plan_message(code: str) -> str:
    return {
        "no_result": "no data to analyse",
        "no_baseline_mean": "the baseline mean is unknown: the relative effect cannot be sized",
        "small_group": "fewer than 5 people in the subgroup: recruit more of them",
    }.get(code, "cannot size the extension")


def extend_plan(
    outcomes: Sequence[CriterionOutcome],
    *,
    pilot: Pilot,
    results: Mapping[int, MetricResult | SurveyResult | None],
) -> ExtendPlan:
    """The plan of an ``extend`` verdict: one item per inconclusive criterion.

    ``results`` maps the position of each criterion to the result it was judged on.
    """
    items = tuple(
        extend_item(o, pilot=pilot, result=results.get(i))
        for i, o in enumerate(outcomes) if o.status == "inconclusive"
    )
    alpha, power = pilot.decision.alpha, pilot.decision.power
    extras = [x for it in items if it.needs == "participants"
              for x in (it.additional_test, it.additional_control) if x is not None]
    more = max(extras) if extras else None
    timed = [it for it in items if it.needs == "time"]
    pw = Bilingual(percent(100 * power, "fr", decimals=0), percent(100 * power, "en", decimals=0))
    if more is None and timed:
        needs: str | None = "time"
        reason = Bilingual(
            f"Les effectifs suffisent déjà pour trancher avec une probabilité de {pw.fr}"
            f"{colon('fr')}il manque du temps (des relevés), pas des participants"
            f"{colon('fr')}prolonger la période de mesure sans recruter.",
            f"The cohorts are already large enough to settle it with {pw.en} probability: "
            "what is missing is time (readings), not participants: extend the measurement "
            "period without recruiting.",
        )
    elif more is None:
        needs = None
        reason = Bilingual(
            "Le nombre de participants nécessaire ne peut pas être estimé (voir le détail).",
            "The number of participants needed cannot be estimated (see the details).",
        )
    else:
        needs = "participants"
        widest = max(items, key=lambda it: max(it.additional_test or 0,
                                               it.additional_control or 0))
        reason = _participants_reason(widest, more, pw)
        if widest.capped:
            reason = reason + _capped_sentence(pilot, pw)
    return ExtendPlan(power=power, alpha=alpha, additional_per_cohort=more, items=items,
                      reason_fr=reason.fr, reason_en=reason.en, needs=needs)


def _capped_sentence(pilot: Pilot, pw: Bilingual) -> Bilingual:
    limit = Bilingual("le maximum prévu", "the planned maximum") if pilot.decision.sequential \
        else Bilingual("le plus qu'une prolongation puisse demander (dix fois l'effectif actuel)",
                       "the most an extension can ask (ten times the current size)")
    return Bilingual(
        f" C'est {limit.fr}{colon('fr')}même ainsi, la probabilité de {pw.fr} n'est pas "
        "atteinte.",
        f" That is {limit.en}: even so, the {pw.en} probability is not reached.",
    )


def _share(value: float | None, lang: str) -> str:
    return percent(100 * (value or 0.0), lang, decimals=0)


def _participants_reason(widest: ExtendItem, more: int, pw: Bilingual) -> Bilingual:
    where = Bilingual("", "") if not widest.subgroup else Bilingual(
        f" (sous-groupe {subgroup_text(widest.subgroup, 'fr')})",
        f" (subgroup {subgroup_text(widest.subgroup, 'en')})")
    if widest.design == "one_sample":
        return Bilingual(
            f"Il faudrait environ {integer(more, 'fr')} répondants de plus{where.fr} pour "
            "savoir, compte tenu de ce qui est connu aujourd'hui, de quel côté du seuil se "
            f"situe le score (probabilité de trancher{colon('fr')}"
            f"{_share(widest.settle_probability, 'fr')}, dont "
            f"{_share(widest.pass_probability, 'fr')} de montrer le seuil atteint).",
            f"About {integer(more, 'en')} more respondents{where.en} would tell, given what is "
            "known now, on which side of the threshold the score lies (chance of settling "
            f"it: {_share(widest.settle_probability, 'en')}, of which "
            f"{_share(widest.pass_probability, 'en')} showing the threshold is reached).",
        )
    per = Bilingual(" par cohorte", " per cohort") if widest.n_control else Bilingual("", "")
    if widest.must == "improve":
        return Bilingual(
            f"Il faudrait environ {integer(more, 'fr')} participants de plus{per.fr}{where.fr}"
            f"{colon('fr')}un service sans effet serait alors écarté avec une probabilité de "
            f"{_share(widest.no_go_at_zero, 'fr')}, un service deux fois plus efficace que "
            f"l'effet minimal visé retenu avec {_share(widest.go_at_double, 'fr')} ; à "
            "l'effet minimal exact, la règle ne dit « généraliser » qu'une fois sur deux "
            f"({_share(widest.go_at_min_effect, 'fr')}), car l'estimation elle-même doit "
            "atteindre le seuil.",
            f"About {integer(more, 'en')} more participants{per.en}{where.en}: a service with "
            f"no effect would then be stopped with probability "
            f"{_share(widest.no_go_at_zero, 'en')}, one with twice the smallest worthwhile "
            f"effect rolled out with {_share(widest.go_at_double, 'en')}; at exactly the "
            "smallest worthwhile effect the rule says roll out only about half the time "
            f"({_share(widest.go_at_min_effect, 'en')}), as the estimate itself must reach it.",
        )
    return Bilingual(
        f"Il faudrait environ {integer(more, 'fr')} participants de plus{per.fr}{where.fr} pour "
        f"écarter la marge avec une probabilité de {pw.fr} si rien ne se dégrade.",
        f"About {integer(more, 'en')} more participants{per.en}{where.en} would rule out the "
        f"margin with {pw.en} probability if nothing gets worse.",
    )


def decide_verdict(
    pilot: Pilot,
    outcomes: Sequence[CriterionOutcome],
    *,
    results: Mapping[int, MetricResult | SurveyResult | None],
) -> tuple[Verdict, ExtendPlan | None, Bilingual]:
    """The verdict, the plan when it is ``extend``, and the sentence that explains it.

    ``outcomes`` should have been through :func:`settle` first.
    """
    verdict = verdict_of(outcomes)
    plan = None
    if verdict == "extend":
        plan = extend_plan(outcomes, pilot=pilot, results=results)
    return verdict, plan, verdict_reason(verdict, outcomes, plan, pilot)
