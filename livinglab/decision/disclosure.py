"""Small cells everywhere: the evaluation every view renders, with no aggregate that rests
on fewer than k people (k = the settings' ``small_cell_k``, never below 5).

:mod:`livinglab.decision.privacy` hides small *subgroups* (equity, representativeness,
balance by attribute) while the evaluation is made, complementary suppression
included. This module does the rest ONCE, on the finished evaluation, so that the
app's pages, ``evaluate --json``, the charts' data and the dossier all render the same
safe object (:func:`disclosed`):

- a metric (or a survey change) whose testers or comparison group hold 1 to k-1 people,
  or with a per-period mean of 1 to k-1 people, is *withheld*: every estimate, interval,
  test, count and cohort mean is removed (a per-period mean of one person is that
  person's value; a difference of two means with one of them known gives the other);
- a survey score with 1 to k-1 respondents is withheld (a single respondent's score is
  their answer);
- a response rate with 1 to k-1 people invited or answering is withheld;
- the criteria judged on a withheld result keep their status but lose their numbers
  and their sentence says why; the projection of a withheld primary metric is removed;
- the recruitment table loses the rows of cohorts of 1 to k-1 people (a count is an
  aggregate too), the baseline balance the rows that compare such a cohort, the
  placebo check of a withheld metric; exclusion counts get complementary suppression
  (:func:`livinglab.decision.privacy.suppression`), so that no hidden count is the
  difference of shown ones;
- the representativeness of a test cohort of 1 to k-1 people is removed, and so are the
  caveats about a withheld metric (a standardised baseline gap of a cohort of 3 is an
  aggregate of those 3) or about the attrition of a hidden cohort.

A count of 0 reveals no one and stays. The verdict itself is kept: it is a decision
on the data, not an aggregate of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from livinglab.decision.models import (
    CriterionOutcome,
    ExtendPlan,
    PilotChecks,
    PilotDecision,
)
from livinglab.decision.privacy import min_cell, suppression
from livinglab.stats.results import MetricResult, ResponseRate, SurveyResult

if TYPE_CHECKING:  # the evaluation sits above this layer: only its type is needed
    from livinglab.evaluation import PilotEvaluation

WITHHELD = "withheld: fewer than {k} people (small-cell threshold), nothing of it is shown"
_WITHHELD_FR = "résultat masqué : il repose sur moins de {k} personnes"


def small(*counts: int | None, k: int | None = None) -> bool:
    """Whether any of ``counts`` is a small cell: 1 to k-1 people (0 reveals no one)."""
    threshold = min_cell() if k is None else k
    return any(n is not None and 0 < n < threshold for n in counts)


def disclosed(evaluation: PilotEvaluation, *, k: int | None = None) -> PilotEvaluation:
    """The evaluation with every aggregate on 1 to k-1 people removed (see the module's
    docstring); ``k`` defaults to the current :func:`~livinglab.decision.privacy.min_cell`.

    Pure: a new frozen object, the input untouched. Idempotent."""
    k = min_cell() if k is None else k
    metrics = tuple(_metric(m, k) for m in evaluation.metrics)
    surveys = tuple(_survey(s, k) for s in evaluation.surveys)
    changes = tuple(_metric(m, k) for m in evaluation.survey_changes)
    rates = tuple((instrument, _rate(rate, k)) for instrument, rate in evaluation.response_rates)
    hidden_metrics = {m.metric for m in metrics if m.withheld}
    hidden_surveys = {(s.instrument, s.wave) for s in surveys if s.withheld}
    decision = _decision(evaluation, hidden_metrics, hidden_surveys, k)
    return dataclasses.replace(
        evaluation,
        metrics=metrics,
        surveys=surveys,
        survey_changes=changes,
        response_rates=rates,
        decision=decision,
        small_cell_k=k,
    )


def withheld_text(lang: str, k: int) -> str:
    """Why a result is not shown, in ``lang``."""
    return (_WITHHELD_FR if lang == "fr" else WITHHELD).format(k=k)


# --- results -----------------------------------------------------------------------


def _metric(result: MetricResult, k: int) -> MetricResult:
    if result.withheld:
        return result
    if small(result.n_test, result.n_control, *(s.n for s in result.summaries), k=k):
        return MetricResult(
            metric=result.metric,
            design=result.design,
            binary=result.binary,
            better=result.better,
            conf_level=result.conf_level,
            assignment=result.assignment,
            withheld=True,
        )
    hidden = suppression([e.count for e in result.excluded], min_cell=k)
    excluded = tuple(e for e, why in zip(result.excluded, hidden, strict=True) if why is None)
    zero_filled = 0 if small(result.n_zero_filled, k=k) else result.n_zero_filled
    return dataclasses.replace(result, excluded=excluded, n_zero_filled=zero_filled)


def _survey(result: SurveyResult, k: int) -> SurveyResult:
    if result.withheld or not small(result.n, k=k):
        return result
    return SurveyResult(
        instrument=result.instrument,
        wave=result.wave,
        scoring=result.scoring,
        score=None,
        ci_low=None,
        ci_high=None,
        n=0,
        conf_level=result.conf_level,
        withheld=True,
    )


def _rate(rate: ResponseRate, k: int) -> ResponseRate:
    if rate.withheld or not small(rate.invited, rate.responded, k=k):
        return rate
    return dataclasses.replace(
        rate,
        invited=0,
        responded=0,
        rate=None,
        ci_low=None,
        ci_high=None,
        withheld=True,
        message=None,
    )


# --- the decision ---------------------------------------------------------------------


def _decision(
    evaluation: PilotEvaluation,
    hidden_metrics: set[str],
    hidden_surveys: set[tuple[str, str | None]],
    k: int,
) -> PilotDecision:
    decision = evaluation.decision
    pilot = evaluation.pilot
    criteria = tuple(
        _criterion(c, evaluation, hidden_metrics, hidden_surveys, k) for c in decision.criteria
    )
    primary = next((m.id for m in pilot.metrics if m.role == "primary"), None)
    projection = None if primary in hidden_metrics else decision.projection
    representativeness = decision.representativeness
    if representativeness is not None and small(representativeness.n, k=k):
        representativeness = None
    checks = _checks(decision.checks, hidden_metrics, k)
    cohorts_hidden = decision.checks is not None and checks is not None and len(
        checks.cohorts
    ) < len(decision.checks.cohorts)
    caveats = tuple(
        c
        for c in decision.caveats
        if c.metric not in hidden_metrics
        and not (cohorts_hidden and c.code == "differential_attrition")
    )
    return dataclasses.replace(
        decision,
        caveats=caveats,
        criteria=criteria,
        projection=projection,
        representativeness=representativeness,
        checks=checks,
        extend_plan=_plan(decision.extend_plan, k),
    )


def _criterion(
    outcome: CriterionOutcome,
    evaluation: PilotEvaluation,
    hidden_metrics: set[str],
    hidden_surveys: set[tuple[str, str | None]],
    k: int,
) -> CriterionOutcome:
    if outcome.kind == "metric":
        hidden = outcome.target in hidden_metrics
    else:
        hidden = (outcome.target, outcome.wave) in hidden_surveys or any(
            target == outcome.target for target, _ in hidden_surveys if outcome.wave is None
        )
    if not hidden and not small(outcome.n_test, outcome.n_control, k=k):
        return outcome
    if outcome.kind == "metric":
        label = evaluation.pilot.metric(outcome.target).label
        names = (label.get("fr"), label.get("en"))
    else:
        names = (outcome.target, outcome.target)
    return dataclasses.replace(
        outcome,
        reason_fr=f"{names[0]} : {withheld_text('fr', k)}.",
        reason_en=f"{names[1]}: {withheld_text('en', k)}.",
        estimate=None,
        ci_low=None,
        ci_high=None,
        estimate_pct=None,
        ci_low_pct=None,
        ci_high_pct=None,
        n_test=None,
        n_control=None,
    )


def _checks(checks: PilotChecks | None, hidden_metrics: set[str], k: int) -> PilotChecks | None:
    if checks is None:
        return None
    small_roles = {
        c.role
        for c in checks.cohorts
        if small(c.n_enrolled, c.n_baseline, c.n_intervention, k=k)
    }
    cohorts = tuple(c for c in checks.cohorts if c.role not in small_roles)
    balance = checks.balance
    if small_roles:  # every balance row compares the test and control cohorts
        balance = tuple(
            dataclasses.replace(
                row, test_value=None, control_value=None, smd=None, unbalanced=None,
                suppressed=True,
            )
            for row in checks.balance
        )
    return dataclasses.replace(
        checks,
        cohorts=cohorts,
        balance=balance,
        dropout_test=None if "test" in small_roles else checks.dropout_test,
        dropout_control=None if "control" in small_roles else checks.dropout_control,
        differential_attrition=None if small_roles else checks.differential_attrition,
        placebo=tuple(p for p in checks.placebo if p.metric not in hidden_metrics),
    )


def _plan(plan: ExtendPlan | None, k: int) -> ExtendPlan | None:
    """The extension plan keeps what to recruit; the current counts of small cohorts
    (its items' ``n_test``, ``n_control``) become 0 only in the fields, never in a
    sentence (the plan's sentences name what to add, not who is there)."""
    if plan is None:
        return None
    items = tuple(
        dataclasses.replace(
            item,
            n_test=0 if small(item.n_test, k=k) else item.n_test,
            n_control=0 if small(item.n_control, k=k) else item.n_control,
        )
        for item in plan.items
    )
    return dataclasses.replace(plan, items=items)


def any_withheld(results: Iterable[MetricResult | SurveyResult]) -> bool:
    """Whether any of ``results`` was withheld."""
    return any(r.withheld for r in results)
