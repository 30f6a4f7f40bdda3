"""One call from a pilot's results to its decision: :func:`decide`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from livinglab.decision.checks import check_pilot
from livinglab.decision.criteria import evaluate_metric_criterion, evaluate_survey_criterion
from livinglab.decision.equity import (
    analyze_subgroup,
    equity_by_subgroup,
    plan_answers,
    score_answers,
    stacked_answers,
    subgroup_mask,
)
from livinglab.decision.evidence import caveats, evidence_level
from livinglab.decision.frames import ID, participants_of, with_attributes, with_roles
from livinglab.decision.futility import look_for
from livinglab.decision.models import CriterionOutcome, PilotDecision
from livinglab.decision.projection import project
from livinglab.decision.representativeness import assess_representativeness
from livinglab.decision.verdict import decide_verdict, settle
from livinglab.spec.models import Instrument, MetricCriterion, Pilot, SurveyCriterion
from livinglab.stats import DEFAULT_SEED
from livinglab.stats.results import MetricResult, SurveyResult

SurveyKey = tuple[str, str | None]


def decide(
    pilot: Pilot,
    *,
    metric_results: Mapping[str, MetricResult] | Iterable[MetricResult],
    survey_results: Mapping[SurveyKey, SurveyResult] | Iterable[SurveyResult] = (),
    values_by_metric: Mapping[str, pd.DataFrame] | None = None,
    participants: pd.DataFrame | None = None,
    survey_answers: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    instruments: Mapping[str, Instrument] | None = None,
    subgroup_survey_results: Mapping[int, SurveyResult] | None = None,
    lang: str = "fr",
    seed: int = DEFAULT_SEED,
    weekly_by_metric: Mapping[str, pd.DataFrame] | None = None,
) -> PilotDecision:
    """Judge every criterion, give the verdict and the evidence behind it.

    Parameters
    ----------
    pilot : Pilot
    metric_results : mapping metric id -> MetricResult, or the results themselves
        Each metric's overall analysis (:func:`livinglab.stats.analyze_metric`, run
        with the pilot's alpha and assignment).
    survey_results : mapping (instrument, wave) -> SurveyResult, or the results
    values_by_metric : mapping metric id -> values frame, optional
        Per-participant values (``participant_id, cohort, cohort_role, period,
        value`` + attributes): needed for subgroup criteria, checks (sizes,
        drop-out, balance) and equity. Without them those sections are None.
    participants : DataFrame, optional
        ``participant_id, cohort[, cohort_role], <attributes>``: the cohorts'
        enrolment, the attributes the values frames lack, and representativeness
        (else derived from the values frames).
    survey_answers : DataFrame or mapping instrument id -> DataFrame, optional
        Long answers (``participant_id[, cohort], instrument, wave, item, answer``;
        the ``instrument`` column is implied by a mapping). With ``instruments``
        (id -> Instrument) they score the subgroup a survey criterion targets and
        every planned survey by subgroup (equity), over the plan's test cohorts.
    subgroup_survey_results : mapping criterion position -> SurveyResult, optional
        Subgroup scores computed by the caller; they take precedence over scoring
        ``survey_answers``. Without either, a survey criterion on a subgroup is
        inconclusive.
    lang : {'fr', 'en'}
        Default language of ``to_dict`` / ``to_text``.
    seed : int
        Seed of the stats' bootstrap for subgroup analyses.
    weekly_by_metric : mapping metric id -> DataFrame, optional
        Per-participant baseline weeks
        (:func:`livinglab.store.weekly.weekly_participant_values`): the checks'
        pre-period placebo of every before/after metric. Without them, none.

    Returns
    -------
    PilotDecision
        verdict, evidence level, caveats, criteria, extend plan, checks, equity,
        representativeness, projection.
    """
    by_metric = _by_metric(metric_results)
    by_survey = _by_survey(survey_results)
    values = {k: with_roles(v, pilot) for k, v in (values_by_metric or {}).items()}
    people = participants if participants is not None else (
        participants_of(pilot, values, None) if values else None)
    stacked = None if survey_answers is None else stacked_answers(survey_answers)
    answers = _Answers(pilot, stacked, instruments or {}, people)
    given = subgroup_survey_results or {}
    outcomes: list[CriterionOutcome] = []
    judged: dict[int, MetricResult | SurveyResult | None] = {}
    for i, criterion in enumerate(pilot.decision.criteria):
        if isinstance(criterion, MetricCriterion):
            metric_result = _metric_result(pilot, criterion, by_metric, values, participants,
                                           seed)
            outcome = evaluate_metric_criterion(criterion, metric=pilot.metric(criterion.metric),
                                                result=metric_result, alpha=pilot.decision.alpha,
                                                look=look_for(pilot, metric_result))
            judged[i] = metric_result
        else:
            if criterion.subgroup:
                survey_result = given[i] if i in given else answers.score(criterion)
            else:
                survey_result = by_survey.get((criterion.survey, criterion.wave))
            outcome = evaluate_survey_criterion(criterion, result=survey_result,
                                                look=look_for(pilot, survey_result))
            judged[i] = survey_result
        outcomes.append(outcome)
    outcomes = settle(pilot, outcomes, results=judged)
    verdict, plan, why = decide_verdict(pilot, outcomes, results=judged)
    level, label = evidence_level(pilot)
    checks = check_pilot(pilot, values_by_metric=values, participants=participants,
                         weekly_by_metric=weekly_by_metric, seed=seed) \
        if values else None
    representativeness = (assess_representativeness(pilot, participants=people,
                                                    values_by_metric=values)
                          if people is not None and pilot.population else None)
    equity = (equity_by_subgroup(pilot, values_by_metric=values, participants=people,
                                 seed=seed, survey_answers=stacked,
                                 instruments=instruments)
              if (values or answers.usable) and pilot.attributes else None)
    projection = project(pilot, result=by_metric.get(pilot.projection.metric)
                         if pilot.projection else None, representativeness=representativeness)
    return PilotDecision(
        pilot=pilot.id, verdict=verdict, verdict_reason_fr=why.fr, verdict_reason_en=why.en,
        evidence_level=level, evidence_label_fr=label.fr, evidence_label_en=label.en,
        caveats=caveats(pilot, checks=checks, metric_results=by_metric,
                        representativeness=representativeness),
        criteria=tuple(outcomes), extend_plan=plan, checks=checks, equity=equity,
        representativeness=representativeness, projection=projection, lang=lang,
    )


def _by_metric(results: Mapping[str, MetricResult] | Iterable[MetricResult]
               ) -> dict[str, MetricResult]:
    if isinstance(results, Mapping):
        return dict(results)
    return {r.metric: r for r in results}


def _by_survey(results: Mapping[SurveyKey, SurveyResult] | Iterable[SurveyResult]
               ) -> dict[SurveyKey, SurveyResult]:
    if isinstance(results, Mapping):
        return dict(results)
    return {(r.instrument, r.wave): r for r in results}


def _metric_result(
    pilot: Pilot, criterion: MetricCriterion, by_metric: Mapping[str, MetricResult],
    values: Mapping[str, pd.DataFrame], participants: pd.DataFrame | None, seed: int,
) -> MetricResult | None:
    if not criterion.subgroup:
        return by_metric.get(criterion.metric)
    frame = values.get(criterion.metric)
    if frame is None:
        return None
    frame = with_attributes(frame, participants, criterion.subgroup)
    try:
        mask = subgroup_mask(frame, criterion.subgroup)
    except ValueError:
        return None  # the data lacks the attribute: reported as "no data to analyse"
    return analyze_subgroup(frame, pilot=pilot, metric=pilot.metric(criterion.metric),
                            seed=seed, mask=mask)


@dataclass(frozen=True)
class _Answers:
    """Survey answers and what scoring a subgroup needs."""

    pilot: Pilot
    frame: pd.DataFrame | None
    instruments: Mapping[str, Instrument]
    people: pd.DataFrame | None

    @property
    def usable(self) -> bool:
        return self.frame is not None and bool(self.instruments) and self.people is not None

    def score(self, criterion: SurveyCriterion) -> SurveyResult | None:
        """The score of the subgroup the criterion targets (None when it cannot be had)."""
        instrument = self.instruments.get(criterion.survey)
        if not self.usable or instrument is None or not criterion.subgroup:
            return None
        assert self.frame is not None and self.people is not None
        try:
            inside = self.people[subgroup_mask(self.people, criterion.subgroup)]
        except ValueError:
            return None
        asked = plan_answers(self.pilot, criterion.survey, self.frame, self.people)
        chosen = asked[asked[ID].astype(str).isin(inside[ID].astype(str))]
        return score_answers(chosen, instrument=instrument, wave=criterion.wave,
                             alpha=self.pilot.decision.alpha)

