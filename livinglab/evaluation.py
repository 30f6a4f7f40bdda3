"""The evaluation of one pilot: every metric's analysis, every survey's score, the decision.

Pure (pandas in, a frozen object out): ``services.evaluate_pilot`` reads the
store's reductions and calls :func:`evaluate`; the CLI (``--json`` or a table),
the app and the exported dossier all render the one :class:`PilotEvaluation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from livinglab.decision import PilotDecision, decide
from livinglab.decision.equity import is_binary
from livinglab.decision.headline import headline
from livinglab.spec.models import Instrument, Metric, Pilot, SurveyPlan
from livinglab.spec.plan import PlanStatus
from livinglab.stats import (
    DEFAULT_SEED,
    MetricResult,
    ResponseRate,
    SurveyResult,
    analyze_metric,
    compare_waves,
    response_rate,
    score_survey,
    with_adjusted,
)

RatesByInstrument = tuple[tuple[str, ResponseRate], ...]


@dataclass(frozen=True)
class PilotEvaluation:
    """One pilot's evidence and verdict.

    Attributes
    ----------
    pilot : Pilot
        The spec the evaluation was made against.
    metrics : tuple of MetricResult
        One per metric, in the pilot's order, with Holm (primary) or
        Benjamini-Hochberg (secondary, guardrail) adjusted p-values.
    surveys : tuple of SurveyResult
        One per planned instrument and wave, over the plan's test cohorts.
    survey_changes : tuple of MetricResult
        Baseline -> after change of the same respondents, where both waves exist.
    response_rates : tuple of ResponseRate
        Per instrument, cohort role and wave.
    decision : PilotDecision
        Verdict, evidence level, criteria, checks, equity, representativeness, projection.
    data_version : int
        The store's data version the evaluation was computed on.
    plan : PlanStatus or None
        The registered analysis plan the verdict follows, and what changed in it since
        (set by ``services.evaluate_pilot``); None while the pilot has no data.
    n_withdrawn : int
        Participants who withdrew their consent: their data is in none of the above.
    small_cell_k : int
        No aggregate above rests on fewer people than this (results on fewer are
        ``withheld``: :mod:`livinglab.decision.disclosure`).
    """

    pilot: Pilot
    metrics: tuple[MetricResult, ...]
    surveys: tuple[SurveyResult, ...]
    survey_changes: tuple[MetricResult, ...]
    response_rates: RatesByInstrument
    decision: PilotDecision
    data_version: int = 0
    plan: PlanStatus | None = None
    n_withdrawn: int = 0
    small_cell_k: int = 5

    @property
    def verdict(self) -> str:
        return self.decision.verdict

    def metric(self, metric_id: str) -> MetricResult:
        return next(m for m in self.metrics if m.metric == metric_id)

    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        """The JSON contract of ``livinglab evaluate --json`` (see the README)."""
        decision = self.decision.to_dict(lang)
        return {
            "pilot": self.pilot.id,
            "title": self.pilot.title.get(lang),
            "verdict": decision.pop("verdict"),
            "evidence_level": decision.pop("evidence_level"),
            "criteria": decision.pop("criteria"),
            "metrics": [_metric_dict(self.pilot, m) for m in self.metrics],
            "surveys": [
                {**s.to_dict(), **({"n": None} if s.withheld else {})} for s in self.surveys
            ],
            "survey_changes": [c.to_dict() for c in self.survey_changes],
            "response_rates": [
                {
                    "instrument": instrument,
                    **rate.to_dict(),
                    **({"invited": None, "responded": None} if rate.withheld else {}),
                }
                for instrument, rate in self.response_rates
            ],
            "data_version": self.data_version,
            "plan": None if self.plan is None else self.plan.to_dict(),
            "n_withdrawn": self.n_withdrawn,
            "small_cell_k": self.small_cell_k,
            **{k: v for k, v in decision.items() if k != "pilot"},
        }

    def metrics_table(self) -> pd.DataFrame:
        """One row per metric for the terminal, every number under an unambiguous name:
        the criterion's estimate (``estimate_name``, e.g. ``ancova``) with its own
        interval, percentage and p-values (``p_value`` of that same estimate, then
        adjusted), and for a did the other estimate as the named bracket."""
        rows = []
        for m in self.metrics:
            head = headline(m)
            rows.append(
                {
                    "metric": m.metric,
                    "design": m.design,
                    "estimate_name": head.basis or m.design,
                    "estimate": head.estimate,
                    "ci_low": head.ci_low,
                    "ci_high": head.ci_high,
                    "estimate_%": head.estimate_pct,
                    "p_value": head.p_value,
                    "p_adjusted": head.p_value_adjusted,
                    "bracket_name": m.bracket_basis or "",
                    "bracket": m.bracket_estimate,
                    "test": m.ancova_method if head.basis == "ancova" else m.test,
                    "bracket_test": m.test if head.basis == "ancova" else "",
                    "effect_size": m.effect_size,
                    "n_test": None if m.withheld else m.n_test,
                    "n_control": None if m.withheld else m.n_control,
                }
            )
        return pd.DataFrame(rows)

    def to_text(self, lang: str = "fr") -> str:
        """A readable summary for the terminal: verdict, metrics table, surveys table."""
        lines = [self.decision.to_text(lang), ""]
        if self.n_withdrawn:
            from livinglab.i18n import Translator

            lines[1:1] = [Translator(lang)("n_withdrawn", n=self.n_withdrawn)]
        lines.append(
            self.metrics_table().to_string(index=False, float_format=lambda x: f"{x:.4g}")
        )
        for m in self.metrics:
            if m.n_zero_filled:
                lines.append(f"  {m.metric}: {zero_filled_text(m.n_zero_filled, lang)}")
        if self.surveys:
            lines += ["", self.surveys_table().to_string(
                index=False, float_format=lambda x: f"{x:.4g}"
            )]
        return "\n".join(lines)

    def surveys_table(self) -> pd.DataFrame:
        """One row per instrument and wave: score, interval, respondents, alpha, grade."""
        return pd.DataFrame(
            [
                {
                    "instrument": s.instrument,
                    "wave": s.wave,
                    "score": s.score,
                    "ci_low": s.ci_low,
                    "ci_high": s.ci_high,
                    "n": None if s.withheld else s.n,
                    "cronbach_alpha": s.cronbach_alpha,
                    "grade": s.grade,
                }
                for s in self.surveys
            ]
        )


def _metric_dict(pilot: Pilot, result: MetricResult) -> dict[str, Any]:
    record = result.to_dict()
    if result.withheld:  # its counts rest on too few people: null, not 0
        record.update(n_test=None, n_control=None)
    metric = pilot.metric(result.metric)
    record.update(role=metric.role, unit=metric.unit, label=metric.label.get("fr"))
    # The estimate the criterion judges, as every view shows it (value, interval,
    # percentage, p-values, name); "estimate" above stays the design's own difference.
    record["headline"] = headline(result).to_dict()
    return record


def evaluate(
    pilot: Pilot,
    *,
    values_by_metric: Mapping[str, pd.DataFrame],
    answers_by_instrument: Mapping[str, pd.DataFrame],
    instruments: Mapping[str, Instrument],
    participants: pd.DataFrame | None = None,
    data_version: int = 0,
    seed: int = DEFAULT_SEED,
    lang: str = "fr",
    weekly_by_metric: Mapping[str, pd.DataFrame] | None = None,
    n_withdrawn: int = 0,
) -> PilotEvaluation:
    """Analyse every metric and survey of a pilot and decide.

    Parameters
    ----------
    values_by_metric : mapping metric id -> DataFrame
        Per-participant values (``participant_id, cohort, cohort_role, period,
        value`` + attributes), from the store's SQL reduction.
    answers_by_instrument : mapping instrument id -> DataFrame
        Long answers (``participant_id, cohort, cohort_role, wave, item, answer``
        + attributes).
    participants : DataFrame, optional
        Enrolment (``participant_id, cohort, cohort_role`` + attributes).
    weekly_by_metric : mapping metric id -> DataFrame, optional
        Per-participant baseline weeks for the pre-period placebo check
        (:func:`livinglab.store.weekly.weekly_participant_values`).
    n_withdrawn : int
        Participants who withdrew their consent (their data is left out of every frame
        above by the store): reported, never analysed.

    Notes
    -----
    When the pilot declares an ``assignment_unit``, each metric is analysed at
    that level: the unit is read from the values frame's attribute column, else
    from ``participants``.
    """
    raw = [
        _with_absent_events(
            m,
            analyze_metric(
                _with_unit(values_by_metric[m.id], pilot, participants),
                unit=pilot.assignment_unit,
                metric=m.id,
                design=pilot.design_of(m),
                binary=is_binary(values_by_metric[m.id], m),
                better=m.better,
                assignment=pilot.assignment,
                alpha=pilot.decision.alpha,
                seed=seed,
            ),
        )
        for m in pilot.metrics
    ]
    metrics = tuple(with_adjusted(raw, {m.id: m.role for m in pilot.metrics}))
    surveys, changes, rates = _surveys(pilot, answers_by_instrument, instruments, participants)
    decision = decide(
        pilot,
        metric_results=metrics,
        survey_results=surveys,
        values_by_metric=values_by_metric,
        participants=participants,
        survey_answers=dict(answers_by_instrument),
        instruments=dict(instruments),
        weekly_by_metric=weekly_by_metric,
        lang=lang,
        seed=seed,
    )
    return PilotEvaluation(
        pilot=pilot,
        metrics=metrics,
        surveys=surveys,
        survey_changes=changes,
        response_rates=rates,
        decision=decision,
        data_version=data_version,
        n_withdrawn=n_withdrawn,
    )


EVENT_AGGREGATES = frozenset({"count", "sum", "rate_per_day"})
"""Aggregates whose periods without readings the store fills with 0 (see
:mod:`livinglab.store.reductions`): for them a missing period means the participant left."""

_LEFT = {
    "no reading in either period": "left the pilot before the end of the baseline period",
    "no reading in the baseline period": "left the pilot before the end of the baseline period",
    "no reading in the intervention period": (
        "left the pilot before the end of the intervention period"
    ),
}


def zero_filled_text(count: int, lang: str = "fr") -> str:
    """The sentence that says how many values are a 0 for a period without readings."""
    if lang == "fr":
        noun = "valeur comptée" if count == 1 else "valeurs comptées"
        return (
            f"{count} {noun} comme 0 faute de tout relevé sur la période (participants "
            "inscrits et toujours dans le pilote : aucun événement, c'est zéro événement)"
        )
    noun = "value" if count == 1 else "values"
    return (
        f"{count} {noun} counted as 0 for want of any reading in the period (participants "
        "enrolled and still in the pilot: no event is zero events)"
    )


def _with_absent_events(metric: Metric, result: MetricResult) -> MetricResult:
    """An event metric's result says which zeros were filled in, and that whoever is
    missing a period left the pilot (the store fills the others' periods with 0)."""
    if metric.aggregate not in EVENT_AGGREGATES:
        return result
    excluded = tuple(
        replace(e, reason=_LEFT.get(e.reason, e.reason)) for e in result.excluded
    )
    notes = result.notes
    if result.n_zero_filled:
        notes = (*notes, zero_filled_text(result.n_zero_filled, "en"))
    return replace(result, excluded=excluded, notes=notes)


def _with_unit(
    frame: pd.DataFrame, pilot: Pilot, participants: pd.DataFrame | None
) -> pd.DataFrame:
    """The values frame with the pilot's assignment-unit column (from ``participants``
    when the frame lacks it; a participant without a unit is a unit of their own)."""
    unit = pilot.assignment_unit
    if unit is None or unit in frame.columns:
        return frame
    if participants is None or unit not in participants.columns:
        return frame.assign(**{unit: None})
    return frame.merge(
        participants[["participant_id", unit]].drop_duplicates("participant_id"),
        on="participant_id",
        how="left",
    )


def _scoring_args(instrument: Instrument) -> dict[str, Any]:
    return {
        "instrument": instrument.id,
        "items": instrument.item_ids,
        "scale_min": instrument.scale.min,
        "scale_max": instrument.scale.max,
        "scoring": instrument.scoring,
        "reversed_items": instrument.reversed_items,
    }


def plan_answers(pilot: Pilot, plan: SurveyPlan, answers: pd.DataFrame) -> pd.DataFrame:
    """The answers a survey plan is scored on: its test cohorts' (all its cohorts' when
    it surveys only comparison cohorts)."""
    test_cohorts = [c for c in plan.cohorts if pilot.cohort(c).role == "test"] or plan.cohorts
    return answers[answers["cohort"].isin(test_cohorts)]


def _surveys(
    pilot: Pilot,
    answers_by_instrument: Mapping[str, pd.DataFrame],
    instruments: Mapping[str, Instrument],
    participants: pd.DataFrame | None,
) -> tuple[tuple[SurveyResult, ...], tuple[MetricResult, ...], RatesByInstrument]:
    scores: list[SurveyResult] = []
    changes: list[MetricResult] = []
    rates: list[tuple[str, ResponseRate]] = []
    alpha = pilot.decision.alpha
    for plan in pilot.surveys:
        instrument = instruments[plan.instrument]
        answers = answers_by_instrument.get(plan.instrument, _no_answers())
        mine = plan_answers(pilot, plan, answers)
        for wave in plan.waves:
            scores.append(score_survey(mine, wave=wave, alpha=alpha, **_scoring_args(instrument)))
        if {"baseline", "after"} <= set(plan.waves):
            changes.append(compare_waves(mine, alpha=alpha, **_scoring_args(instrument)))
        rates += [(plan.instrument, r) for r in _response_rates(pilot, plan, answers, participants)]
    return tuple(scores), tuple(changes), tuple(rates)


def _response_rates(
    pilot: Pilot, plan: SurveyPlan, answers: pd.DataFrame, participants: pd.DataFrame | None
) -> list[ResponseRate]:
    if participants is None:
        return []
    rates = []
    for role in ("test", "control"):
        cohorts = [c for c in plan.cohorts if pilot.cohort(c).role == role]
        if not cohorts:
            continue
        invited = int(participants["cohort"].isin(cohorts).sum())
        for wave in plan.waves:
            mask = answers["cohort"].isin(cohorts) & (answers["wave"] == wave)
            responded = int(answers.loc[mask, "participant_id"].nunique())
            if invited:
                rates.append(
                    response_rate(
                        invited=invited,
                        responded=responded,
                        cohort_role=role,
                        wave=wave,
                        alpha=pilot.decision.alpha,
                    )
                )
    return rates


def _no_answers() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["participant_id", "cohort", "cohort_role", "wave", "item", "answer"]
    )
