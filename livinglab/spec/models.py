"""Pydantic schemas of a pilot and of a survey instrument.

The keys are the public config format documented in the README. Unknown keys are
errors (``extra='forbid'``): a typo must never be silently ignored. Cross-field
rules (periods in order, criteria naming existing metrics) live in validators here;
rules that need other files (a survey naming an instrument) live in the loader.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal["test", "control"]
Assignment = Literal["random", "volunteer"]
Aggregate = Literal["mean", "sum", "count", "rate_per_day", "share"]
Better = Literal["higher", "lower"]
MetricRole = Literal["primary", "secondary", "guardrail"]
Design = Literal["pre_post", "two_group", "did"]
Wave = Literal["baseline", "after"]
PeriodName = Literal["baseline", "intervention"]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)]


class Spec(BaseModel):
    """Base of every spec model: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Spec):
    """A text in French and English (French is the default language)."""

    fr: str
    en: str | None = None

    def get(self, lang: str = "fr") -> str:
        return (self.en if lang == "en" else self.fr) or self.fr


def _as_text(value: object) -> object:
    return {"fr": value, "en": value} if isinstance(value, str) else value


class Period(Spec):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}) (expected start <= end)")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Periods(Spec):
    baseline: Period
    intervention: Period

    @model_validator(mode="after")
    def _baseline_first(self) -> Periods:
        if self.intervention.start <= self.baseline.end:
            raise ValueError(
                f"the intervention period starts on {self.intervention.start}, before the baseline "
                f"ends on {self.baseline.end} (expected the baseline to end before the intervention)"
            )
        return self

    def get(self, name: PeriodName) -> Period:
        return self.baseline if name == "baseline" else self.intervention


class Cohort(Spec):
    id: Identifier
    role: Role
    assignment: Assignment
    target_size: int | None = Field(default=None, gt=0)
    label: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        if isinstance(data, dict) and "label" in data:
            data = {**data, "label": _as_text(data["label"])}
        return data


class MinEffect(Spec):
    """The smallest effect worth acting on: relative to the baseline mean, or absolute."""

    relative: float | None = Field(default=None, gt=0)
    absolute: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> MinEffect:
        if (self.relative is None) == (self.absolute is None):
            raise ValueError("give exactly one of 'relative' or 'absolute' (e.g. {relative: 0.05})")
        return self

    def in_units(self, baseline_mean: float) -> float:
        """The effect in the metric's unit, given the baseline mean."""
        if self.absolute is not None:
            return self.absolute
        assert self.relative is not None  # guaranteed by the validator
        return self.relative * abs(baseline_mean)


class Metric(Spec):
    id: Identifier
    label: Text
    unit: str
    aggregate: Aggregate
    better: Better
    min_effect: MinEffect
    role: MetricRole
    design: Design | None = None
    description: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("label", "description"):
                if key in data:
                    data[key] = _as_text(data[key])
        return data

    @property
    def binary(self) -> bool:
        return self.aggregate == "share"


class SurveyPlan(Spec):
    instrument: Identifier
    waves: list[Wave] = Field(min_length=1)
    cohorts: list[Identifier] = Field(min_length=1)


Subgroup = dict[str, str]


class MetricCriterion(Spec):
    metric: Identifier
    must: Literal["improve", "not_worsen"]
    margin: MinEffect | None = None
    subgroup: Subgroup | None = None

    @model_validator(mode="after")
    def _margin_for_guardrail(self) -> MetricCriterion:
        if self.must == "not_worsen" and self.margin is None:
            raise ValueError(
                "a 'not_worsen' criterion needs a 'margin' (e.g. margin: {relative: 0.05})"
            )
        if self.must == "improve" and self.margin is not None:
            raise ValueError(
                "'margin' applies to 'not_worsen' only; an 'improve' criterion uses the "
                "metric's min_effect"
            )
        return self

    @property
    def kind(self) -> Literal["metric"]:
        return "metric"

    @property
    def target(self) -> str:
        return self.metric


class SurveyCriterion(Spec):
    survey: Identifier
    must: Literal["reach"]
    threshold: float
    wave: Wave = "after"
    subgroup: Subgroup | None = None

    @property
    def kind(self) -> Literal["survey"]:
        return "survey"

    @property
    def target(self) -> str:
        return self.survey


Criterion = MetricCriterion | SurveyCriterion


class Decision(Spec):
    alpha: float = Field(default=0.05, gt=0, lt=1)
    power: float = Field(default=0.8, gt=0, lt=1)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _pick_criterion_kind(cls, data: object) -> object:
        # A criterion is a metric or a survey rule: decide by its key so that the
        # error message speaks of the right fields instead of a union of both.
        if isinstance(data, dict) and isinstance(data.get("criteria"), list):
            criteria = []
            for item in data["criteria"]:
                if isinstance(item, dict) and "survey" in item and "metric" not in item:
                    criteria.append(SurveyCriterion.model_validate(item))
                elif isinstance(item, dict) and "metric" in item:
                    criteria.append(MetricCriterion.model_validate(item))
                else:
                    criteria.append(item)
            data = {**data, "criteria": criteria}
        return data


class Population(Spec):
    """The city's eligible population, for representativeness and projection."""

    size: int = Field(gt=0)
    margins: dict[str, dict[str, float]] = Field(default_factory=dict)
    source: str | None = None

    @model_validator(mode="after")
    def _margins_sum_to_one(self) -> Population:
        for attribute, shares in self.margins.items():
            total = sum(shares.values())
            if abs(total - 1.0) > 0.01:
                raise ValueError(
                    f"the census shares of '{attribute}' sum to {total:.3f} (expected 1)"
                )
        return self


class Projection(Spec):
    """How a pilot's effect scales to the city."""

    metric: Identifier
    adoption: float = Field(gt=0, le=1)
    per: Literal["day", "week", "year"] = "day"
    emission_factor: float | None = Field(default=None, gt=0)
    emission_factor_source: str | None = None


class Pilot(Spec):
    id: Identifier
    title: Text
    domain: str
    hypothesis: Text
    phase: Literal["planned", "running", "evaluating", "decided"] = "running"
    periods: Periods
    cohorts: list[Cohort] = Field(min_length=1)
    metrics: list[Metric] = Field(min_length=1)
    surveys: list[SurveyPlan] = Field(default_factory=list)
    decision: Decision
    attributes: list[Identifier] = Field(default_factory=list)
    population: Population | None = None
    projection: Projection | None = None

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("title", "hypothesis"):
                if key in data:
                    data[key] = _as_text(data[key])
        return data

    @model_validator(mode="after")
    def _references(self) -> Pilot:
        # Cross-references inside one pilot file are checked here; the loader
        # maps each message back to the line of the field it names.
        _unique("cohorts", [c.id for c in self.cohorts])
        _unique("metrics", [m.id for m in self.metrics])
        if not any(c.role == "test" for c in self.cohorts):
            raise ValueError("no cohort has role 'test' (expected at least one test cohort)")
        metric_ids = {m.id for m in self.metrics}
        cohort_ids = {c.id for c in self.cohorts}
        for i, criterion in enumerate(self.decision.criteria):
            if isinstance(criterion, MetricCriterion) and criterion.metric not in metric_ids:
                raise ValueError(
                    f"decision.criteria[{i}] names metric '{criterion.metric}', which the pilot "
                    f"does not declare (expected one of {sorted(metric_ids)})"
                )
            if isinstance(criterion, SurveyCriterion) and criterion.survey not in {
                s.instrument for s in self.surveys
            }:
                raise ValueError(
                    f"decision.criteria[{i}] names survey '{criterion.survey}', which the pilot's "
                    f"'surveys' do not plan (expected one of {sorted(s.instrument for s in self.surveys)})"
                )
        for i, plan in enumerate(self.surveys):
            for cohort in plan.cohorts:
                if cohort not in cohort_ids:
                    raise ValueError(
                        f"surveys[{i}] names cohort '{cohort}', which the pilot does not declare "
                        f"(expected one of {sorted(cohort_ids)})"
                    )
        for m in self.metrics:
            if m.design in ("two_group", "did") and not self.has_control:
                raise ValueError(
                    f"metric '{m.id}' asks for design '{m.design}', which needs a control cohort "
                    "(expected 'pre_post' or a cohort with role 'control')"
                )
        if self.projection and self.projection.metric not in metric_ids:
            raise ValueError(
                f"projection names metric '{self.projection.metric}', which the pilot does not "
                f"declare (expected one of {sorted(metric_ids)})"
            )
        return self

    @property
    def has_control(self) -> bool:
        return any(c.role == "control" for c in self.cohorts)

    def design_of(self, metric: Metric) -> Design:
        """The metric's design: declared, else ``did`` with a control cohort, else ``pre_post``."""
        if metric.design:
            return metric.design
        return "did" if self.has_control else "pre_post"

    def metric(self, metric_id: str) -> Metric:
        return next(m for m in self.metrics if m.id == metric_id)

    def cohort(self, cohort_id: str) -> Cohort:
        return next(c for c in self.cohorts if c.id == cohort_id)

    @property
    def assignment(self) -> Assignment:
        """``random`` only when every cohort was randomly assigned."""
        return "random" if all(c.assignment == "random" for c in self.cohorts) else "volunteer"


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"{what} declares id '{ident}' twice (expected unique ids)")
        seen.add(ident)


# --- instruments -----------------------------------------------------------

Scoring = Literal["sus", "nps", "mean", "umux_lite", "ueq_s"]


class ScalePoint(Spec):
    value: int
    label: Text

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        if isinstance(data, dict) and "label" in data:
            data = {**data, "label": _as_text(data["label"])}
        return data


class Scale(Spec):
    min: int
    max: int
    labels: list[ScalePoint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        for point in self.labels:
            if not self.min <= point.value <= self.max:
                raise ValueError(
                    f"label value {point.value} is outside the scale {self.min}..{self.max}"
                )
        return self

    def contains(self, answer: float) -> bool:
        return float(answer).is_integer() and self.min <= answer <= self.max


class Item(Spec):
    id: Identifier
    text: Text
    reversed: bool = False

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        if isinstance(data, dict) and "text" in data:
            data = {**data, "text": _as_text(data["text"])}
        return data


class Instrument(Spec):
    id: Identifier
    title: Text
    intro: Text | None = None
    scale: Scale
    items: list[Item] = Field(min_length=1)
    scoring: Scoring
    reference: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("title", "intro"):
                if key in data:
                    data[key] = _as_text(data[key])
        return data

    @model_validator(mode="after")
    def _scoring_fits(self) -> Instrument:
        _unique("items", [i.id for i in self.items])
        expected = {"sus": (10, 1, 5), "nps": (1, 0, 10), "umux_lite": (2, 1, 7)}
        if self.scoring in expected:
            n, lo, hi = expected[self.scoring]
            if len(self.items) != n or (self.scale.min, self.scale.max) != (lo, hi):
                raise ValueError(
                    f"scoring '{self.scoring}' needs {n} item(s) on a {lo}..{hi} scale. "
                    f"Got {len(self.items)} item(s) on {self.scale.min}..{self.scale.max} instead."
                )
        return self

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    @property
    def reversed_items(self) -> list[str]:
        return [i.id for i in self.items if i.reversed]
