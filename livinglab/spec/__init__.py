"""Pilot and instrument specs: schemas and YAML loading with file:line problems."""

from livinglab.spec.models import (
    Cohort,
    Instrument,
    Metric,
    MetricCriterion,
    Pilot,
    SurveyCriterion,
    SurveyPlan,
    Text,
)

__all__ = [
    "Cohort",
    "Instrument",
    "Metric",
    "MetricCriterion",
    "Pilot",
    "SurveyCriterion",
    "SurveyPlan",
    "Text",
]
