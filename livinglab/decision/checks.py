"""Checks on the pilot itself: recruitment, drop-out, baseline balance.

* Cohort sizes against each cohort's ``target_size``.
* Drop-out: participants with baseline values (any metric) but no intervention
  value (any metric), per cohort and per role.
* Differential attrition: the test and control drop-out rates differ by more than
  10 points, or one is more than twice the other (and at least 5 %).
* Baseline balance: the standardized mean difference (SMD) testers vs control of
  every metric's baseline values, and of every attribute category's share;
  ``|SMD| > 0.1`` is unbalanced (Austin 2009). Attribute categories with fewer than
  5 people in a cohort are suppressed (see :mod:`livinglab.decision.privacy`).
* Pre-period placebo (when the per-participant weekly values are given and the
  baseline has 2 weeks or more): every ``pre_post`` and ``did`` metric's own
  analysis run on early vs late baseline weeks
  (:func:`livinglab.stats.placebo.placebo_difference`); a CI that excludes 0 is a
  pre-existing trend the design would credit to the service.

:func:`design_caveats` turns these into caveats, with one that every before/after
metric carries: a change that reached the whole city in the same weeks (weather,
prices, a strike) is counted as the service's effect, and only a comparison group
followed over the same weeks removes it (simulated: 39-61 % false positives for a
pre_post pilot whose readings share a city-wide daily shock).

References
----------
Austin, P. C. (2009). Balance diagnostics for comparing the distribution of
baseline covariates between treatment groups in propensity-score matched samples.
Statistics in Medicine 28, 3083-3107. Roth, J. (2022). Pretest with caution:
event-study estimates after testing for parallel trends. AER: Insights 4, 305-322.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from livinglab.decision.frames import (
    COHORT,
    ID,
    PERIOD,
    ROLE,
    VALUE,
    category,
    participants_of,
    share_smd,
    smd,
    with_roles,
)
from livinglab.decision.models import BalanceRow, Caveat, CohortCheck, PilotChecks, PlaceboCheck
from livinglab.decision.privacy import suppression
from livinglab.decision.text import Bilingual, colon, integer, number
from livinglab.spec.models import Pilot
from livinglab.stats import DEFAULT_SEED
from livinglab.stats.placebo import PLACEBO_DESIGNS, placebo_difference
from livinglab.stats.results import MetricResult

SMD_LIMIT = 0.1
ATTRITION_POINTS = 0.10
ATTRITION_RATIO = 2.0
ATTRITION_FLOOR = 0.05


def check_pilot(
    pilot: Pilot,
    *,
    values_by_metric: Mapping[str, pd.DataFrame],
    participants: pd.DataFrame | None = None,
    weekly_by_metric: Mapping[str, pd.DataFrame] | None = None,
    seed: int | None = None,
) -> PilotChecks:
    """Recruitment, drop-out, baseline balance and pre-trends of a pilot.

    ``weekly_by_metric`` holds each metric's per-participant baseline weeks
    (:func:`livinglab.store.weekly.weekly_participant_values`); without it
    there is no placebo check.
    """
    values = _stacked(pilot, values_by_metric)
    people = participants_of(pilot, values_by_metric, participants)
    cohorts = tuple(_cohort_check(pilot, c.id, values, people) for c in pilot.cohorts)
    rates = {role: _role_rate(cohorts, role) for role in ("test", "control")}
    return PilotChecks(
        cohorts=cohorts,
        balance=(*_metric_balance(pilot, values_by_metric), *_attribute_balance(pilot, people)),
        dropout_test=rates["test"],
        dropout_control=rates["control"],
        differential_attrition=differential_attrition(rates["test"], rates["control"]),
        placebo=placebo_checks(pilot, weekly_by_metric or {}, participants, seed=seed),
    )


def placebo_checks(
    pilot: Pilot,
    weekly_by_metric: Mapping[str, pd.DataFrame],
    participants: pd.DataFrame | None = None,
    *,
    seed: int | None = None,
) -> tuple[PlaceboCheck, ...]:
    """Each before/after metric's analysis on early vs late baseline weeks."""
    found = []
    unit = pilot.assignment_unit
    for metric in pilot.metrics:
        design = pilot.design_of(metric)
        weekly = weekly_by_metric.get(metric.id)
        if design not in PLACEBO_DESIGNS or weekly is None:
            continue
        weeks = int(weekly["week"].nunique()) if len(weekly) else 0
        if unit and unit not in weekly.columns and participants is not None \
                and unit in participants.columns:
            weekly = weekly.merge(participants[[ID, unit]], on=ID, how="left")
        result = placebo_difference(
            weekly, metric=metric.id, design=design, assignment=pilot.assignment,
            better=metric.better, alpha=pilot.decision.alpha,
            seed=DEFAULT_SEED if seed is None else seed,
            unit=unit if unit and unit in weekly.columns else None,
        ) if weeks >= 2 else None
        if result is None:
            found.append(PlaceboCheck(metric=metric.id, design=design, weeks=weeks,
                                      message="fewer than 2 baseline weeks with readings"))
            continue
        low, high = result.primary_ci_low, result.primary_ci_high
        found.append(PlaceboCheck(
            metric=metric.id, design=design, weeks=weeks, basis=result.criterion_basis,
            estimate=result.primary_estimate, ci_low=low, ci_high=high,
            p_value=result.primary_p_value,
            trend=None if low is None or high is None else not low <= 0.0 <= high,
            message=result.message,
        ))
    return tuple(found)


def design_caveats(pilot: Pilot, checks: PilotChecks | None, judged: list[str],
                   metric_results: Mapping[str, MetricResult] | None = None) -> list[Caveat]:
    """Caveats of the design itself: before/after vs a city-wide change; pre-trends; a
    did whose ANCOVA and change-score estimates disagree beyond their uncertainty."""
    found = []
    for metric_id in judged:
        result = (metric_results or {}).get(metric_id)
        if result is None or not result.estimates_disagree:
            continue
        found.append(_disagreement_caveat(pilot, result))
    for metric_id in judged:
        metric = pilot.metric(metric_id)
        if pilot.design_of(metric) != "pre_post":
            continue
        comparison = Bilingual(
            "un groupe de comparaison suivi sur les mêmes semaines (différence des "
            "différences, niveau 3 ; tiré au sort, niveau 5)",
            "a comparison group followed over the same weeks (difference in differences, "
            "level 3; randomised, level 5)",
        )
        found.append(Caveat(
            code="city_wide_change", metric=metric_id,
            reason_fr=f"{metric.label.get('fr')}{colon('fr')}une comparaison avant/après ne "
            "distingue pas l'effet du service d'un changement qui a touché toute la ville "
            "pendant les mêmes semaines (météo, prix, grève, vacances) ; seul "
            f"{comparison.fr} l'élimine.",
            reason_en=f"{metric.label.get('en')}: a before/after comparison cannot separate "
            "the service from a change that reached the whole city in the same weeks "
            f"(weather, prices, a strike, holidays); only {comparison.en} removes it.",
        ))
    for check in checks.placebo if checks is not None else ():
        if not check.trend or check.metric not in judged or check.estimate is None:
            continue
        metric = pilot.metric(check.metric)
        found.append(Caveat(
            code="pre_trend", metric=check.metric,
            reason_fr=f"{metric.label.get('fr')}{colon('fr')}entre le début et la fin de la "
            f"période de référence ({integer(check.weeks, 'fr')} semaines), avant tout "
            f"service, la même analyse trouve déjà un écart de "
            f"{number(check.estimate, 'fr')} {metric.unit} ; une partie de l'effet mesuré "
            "peut venir de cette tendance.",
            reason_en=f"{metric.label.get('en')}: between the start and the end of the "
            f"baseline ({integer(check.weeks, 'en')} weeks), before any service, the same "
            f"analysis already finds a difference of {number(check.estimate, 'en')} "
            f"{metric.unit_in('en')}; part of the measured effect may come from that trend.",
        ))
    return found


def _disagreement_caveat(pilot: Pilot, result: MetricResult) -> Caveat:
    metric = pilot.metric(result.metric)
    if result.criterion_basis == "change_score":
        fr = ("que testeurs et témoins auraient évolué en parallèle sans le service ; si les "
              "testeurs ont été recrutés après une période inhabituelle, l'ANCOVA est la "
              "bonne estimation")
        en = ("that testers and control would have moved in parallel without the service; "
              "if the testers were recruited after an unusual period, the ANCOVA is the "
              "right estimate")
    else:
        fr = ("que les cohortes ont bien été tirées au sort : leurs niveaux de départ "
              "diffèrent plus que le hasard ne l'explique")
        en = ("that the cohorts were really assigned at random: their starting levels "
              "differ more than chance explains")
    gap = {lang: number(result.estimates_difference, lang) for lang in ("fr", "en")}
    level = round(100 * result.conf_level)

    def shown(estimate: float | None, low: float | None, high: float | None,
              lang: str) -> str:
        # Both numbers, so a reader sees what the other assumption would conclude.
        if estimate is None:
            return "—"
        text = f"{number(estimate, lang)} {metric.unit_in(lang)}"
        if low is None or high is None:
            return text
        if lang == "fr":
            return f"{text} (IC {level} % : {number(low, lang)} à {number(high, lang)})"
        return f"{text} ({level}% CI: {number(low, lang)} to {number(high, lang)})"

    ancova = {lang: shown(result.ancova_estimate, result.ancova_ci_low,
                          result.ancova_ci_high, lang) for lang in ("fr", "en")}
    change = {lang: shown(result.estimate, result.ci_low, result.ci_high, lang)
              for lang in ("fr", "en")}
    return Caveat(
        code="estimates_disagree", metric=result.metric,
        reason_fr=f"{metric.label.get('fr')}{colon('fr')}l'ANCOVA ({ancova['fr']}) et la "
        f"différence des évolutions ({change['fr']}) s'écartent de {gap['fr']} "
        f"{metric.unit}, au-delà de leur incertitude ; le verdict repose sur l'hypothèse {fr}.",
        reason_en=f"{metric.label.get('en')}: the ANCOVA ({ancova['en']}) and the difference "
        f"in changes ({change['en']}) differ by {gap['en']} {metric.unit_in('en')}, beyond their "
        f"uncertainty; the verdict rests on the assumption {en}.",
    )


def differential_attrition(test: float | None, control: float | None) -> bool | None:
    """Whether two drop-out rates differ enough to bias the comparison."""
    if test is None or control is None:
        return None
    high, low = max(test, control), min(test, control)
    if high - low > ATTRITION_POINTS:
        return True
    return high >= ATTRITION_FLOOR and (low == 0 or high / low > ATTRITION_RATIO)


def _stacked(pilot: Pilot, values_by_metric: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    frames = [with_roles(v, pilot) for v in values_by_metric.values() if len(v)]
    if not frames:
        return pd.DataFrame(columns=[ID, COHORT, ROLE, PERIOD, VALUE])
    stacked = pd.concat([f[[c for c in (ID, COHORT, ROLE, PERIOD, VALUE) if c in f.columns]]
                         for f in frames])
    return stacked[stacked[VALUE].notna()]


def _cohort_check(pilot: Pilot, cohort_id: str, values: pd.DataFrame,
                  people: pd.DataFrame) -> CohortCheck:
    cohort = pilot.cohort(cohort_id)
    mine = values[values[COHORT] == cohort_id] if COHORT in values.columns else values.iloc[:0]
    baseline = set(mine.loc[mine[PERIOD] == "baseline", ID])
    intervention = set(mine.loc[mine[PERIOD] == "intervention", ID])
    enrolled = (int((people[COHORT] == cohort_id).sum()) if COHORT in people.columns
                else len(baseline | intervention))
    dropped = len(baseline - intervention)
    return CohortCheck(
        cohort=cohort_id, role=cohort.role, target_size=cohort.target_size,
        n_enrolled=enrolled, n_baseline=len(baseline), n_intervention=len(intervention),
        n_dropped=dropped, dropout_rate=dropped / len(baseline) if baseline else None,
        short_of_target=None if cohort.target_size is None else enrolled < cohort.target_size,
    )


def _role_rate(cohorts: tuple[CohortCheck, ...], role: str) -> float | None:
    mine = [c for c in cohorts if c.role == role]
    baseline = sum(c.n_baseline for c in mine)
    return sum(c.n_dropped for c in mine) / baseline if baseline else None


def _metric_balance(pilot: Pilot, values_by_metric: Mapping[str, pd.DataFrame]
                    ) -> list[BalanceRow]:
    rows: list[BalanceRow] = []
    if not pilot.has_control:
        return rows
    for metric in pilot.metrics:
        frame = values_by_metric.get(metric.id)
        if frame is None or not len(frame):
            continue
        frame = with_roles(frame, pilot)
        base = frame[(frame[PERIOD] == "baseline") & frame[VALUE].notna()]
        test = base.loc[base[ROLE] == "test", VALUE].to_numpy(float)
        control = base.loc[base[ROLE] == "control", VALUE].to_numpy(float)
        value = smd(test, control)
        rows.append(BalanceRow(
            kind="metric", variable=metric.id, category=None,
            test_value=float(np.mean(test)) if len(test) else None,
            control_value=float(np.mean(control)) if len(control) else None,
            smd=value, unbalanced=None if value is None else abs(value) > SMD_LIMIT,
        ))
    return rows


def _attribute_balance(pilot: Pilot, people: pd.DataFrame) -> list[BalanceRow]:
    if not pilot.has_control or ROLE not in people.columns:
        return []
    rows: list[BalanceRow] = []
    test = people[people[ROLE] == "test"]
    control = people[people[ROLE] == "control"]
    if not len(test) or not len(control):
        return []
    for attribute in pilot.attributes:
        if attribute not in people.columns:
            continue
        n_test = category(test[attribute]).value_counts()
        n_control = category(control[attribute]).value_counts()
        groups = sorted(set(n_test.index) | set(n_control.index))
        cells = [[int(n_test.get(g, 0)), int(n_control.get(g, 0))] for g in groups]
        for group, (t, c), hidden in zip(groups, cells, suppression(cells), strict=True):
            p_t, p_c = t / len(test), c / len(control)
            value = share_smd(p_t, p_c)
            rows.append(BalanceRow(
                kind="attribute", variable=attribute, category=group,
                test_value=None if hidden else p_t, control_value=None if hidden else p_c,
                smd=None if hidden else value,
                unbalanced=None if hidden or value is None else abs(value) > SMD_LIMIT,
                suppressed=hidden is not None,
            ))
    return rows
