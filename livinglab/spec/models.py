"""Pydantic schemas of a pilot and of a survey instrument.

The keys are the public config format documented in the README. Unknown keys are
errors (``extra='forbid'``): a typo must never be silently ignored.

Cross-field rules (periods in order, criteria naming existing metrics, unique ids)
are declared per model as ``_rules(data)``: a generator over the *raw* input that
yields ``Broken(location, message)``. They run even when some fields are invalid,
so one validation reports every problem at once, and each problem carries the
location of the key at fault (``('decision', 'criteria', 2, 'metric')``), which the
loader maps back to a line of the YAML file. Rules that need other files (a survey
naming an instrument, a file named after its id) live in the loader.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import PydanticCustomError

Role = Literal["test", "control"]
Assignment = Literal["random", "volunteer"]
Aggregate = Literal["mean", "sum", "count", "rate_per_day", "share"]
Better = Literal["higher", "lower"]
MetricRole = Literal["primary", "secondary", "guardrail"]
Design = Literal["pre_post", "two_group", "did"]
Wave = Literal["baseline", "after"]
PeriodName = Literal["baseline", "intervention"]

IDENTIFIER_PATTERN = r"^[a-z][a-z0-9_]*$"
Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN, min_length=1, max_length=64)]
# Bounds on what a file may declare: far above any real pilot, low enough that nothing
# a file says can make a page, an import or an evaluation run out of time or memory.
MAX_TEXT = 2000
MAX_COHORTS, MAX_METRICS, MAX_SURVEYS, MAX_CRITERIA = 20, 50, 20, 50
MAX_ATTRIBUTES, MAX_CATEGORIES, MAX_ITEMS, MAX_SCALE_POINTS = 20, 100, 100, 101
MAX_PEOPLE = 100_000_000

Loc = tuple[str | int, ...]
"""Where a value sits in a spec: keys and list indices from the top of the file."""


class Broken(NamedTuple):
    """A broken cross-field rule: where (the key at fault) and what is wrong."""

    loc: Loc
    message: str


RULE_ERROR = "spec_rule"
"""The pydantic error type of a broken cross-field rule (its message is final)."""


# --- helpers for rules over raw input ----------------------------------------


def suggest(word: object, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when ``word`` is a near miss of one of ``choices``."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def one_of(choices: Iterable[str], got: object = None) -> str:
    """``"(expected one of: a, b; did you mean 'a'?)"``."""
    options = list(dict.fromkeys(choices))
    if not options:
        return "(expected a declared one; none is declared)"
    if len(options) == 1:
        return f"(expected {options[0]})"
    return f"(expected one of: {', '.join(options)}{suggest(got, options)})"


def _get(data: Any, key: str) -> Any:
    """A key of a raw mapping or an attribute of an already-built model, else None."""
    if isinstance(data, Mapping):
        return data.get(key)
    if isinstance(data, BaseModel):
        return getattr(data, key, None)
    return None


def _entries(data: Any, key: str) -> list[tuple[int, Any]]:
    value = _get(data, key)
    return list(enumerate(value)) if isinstance(value, list | tuple) else []


def _ids(entries: list[tuple[int, Any]], key: str = "id") -> list[str]:
    return [v for _, entry in entries if isinstance(v := _get(entry, key), str)]


def _as_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _duplicates(data: Any, key: str, id_key: str = "id") -> Iterator[Broken]:
    first: dict[str, int] = {}
    for i, entry in _entries(data, key):
        ident = _get(entry, id_key)
        if not isinstance(ident, str):
            continue
        if ident in first:
            yield Broken(
                (key, i, id_key),
                f"'{ident}' is already used by {key}[{first[ident]}] (expected unique ids)",
            )
        else:
            first[ident] = i


def _rule_errors(broken: list[Broken], data: Any) -> list[Any]:
    return [
        {"type": PydanticCustomError(RULE_ERROR, message), "loc": loc, "input": data}
        for loc, message in broken
    ]


def _field_errors(exc: ValidationError) -> list[Any]:
    # Rebuilt as custom errors that keep the type, message, location and context.
    return [
        {
            "type": PydanticCustomError(err["type"], err["msg"], err.get("ctx")),
            "loc": err["loc"],
            "input": err.get("input"),
        }
        for err in exc.errors(include_url=False)
    ]


# --- base ---------------------------------------------------------------------


class Spec(BaseModel):
    """Base of every spec model: frozen, unknown keys refused, cross-field rules lazy."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @classmethod
    def _rules(cls, data: Any) -> Iterator[Broken]:
        """Cross-field problems of the raw input, as ``(location, message)``.

        Must tolerate any input (missing keys, wrong types): it runs before the
        fields are known to be valid, and checks only what it can read.
        """
        return iter(())

    @model_validator(mode="wrap")
    @classmethod
    def _check_rules(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        broken = list(cls._rules(data)) if isinstance(data, Mapping) else []
        try:
            spec = handler(data)
        except ValidationError as exc:
            if not broken:
                raise
            errors = _field_errors(exc) + _rule_errors(broken, data)
            raise ValidationError.from_exception_data(cls.__name__, errors) from None
        if broken:
            raise ValidationError.from_exception_data(cls.__name__, _rule_errors(broken, data))
        return spec


# A pilot runs in this century: a year outside these bounds is a typo (9999-12-31 would
# overflow every "end + 1 day" of the periods).
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _iso_date(value: Any) -> Any:
    parsed = _as_date(value)
    if parsed is None:
        shown = value.isoformat() if isinstance(value, date) else repr(value)
        raise PydanticCustomError(
            "iso_date",
            f"{shown} is not a real date (expected an ISO date YYYY-MM-DD, e.g. 2025-03-31)",
        )
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise PydanticCustomError(
            "iso_date",
            f"{parsed.isoformat()} is not a date a pilot can have "
            f"(expected a year from {FIRST_YEAR} to {LAST_YEAR})",
        )
    return parsed


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def _time_zone(value: Any) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "time_zone",
            f"{value!r} is not a time zone (expected an IANA name such as Europe/Paris or UTC)",
        ) from None
    return str(value)


TimeZone = Annotated[str, BeforeValidator(_time_zone)]


class Text(Spec):
    """A text in French and English (French is the default language)."""

    fr: str = Field(min_length=1, max_length=MAX_TEXT)
    en: str | None = Field(default=None, max_length=MAX_TEXT)

    def get(self, lang: str = "fr") -> str:
        return (self.en if lang == "en" else self.fr) or self.fr


def _as_text(value: object) -> object:
    return {"fr": value, "en": value} if isinstance(value, str) else value


def _texts(data: object, *keys: str) -> object:
    """Let a plain string stand for a text (the same in both languages)."""
    if isinstance(data, Mapping) and any(key in data for key in keys):
        data = dict(data)
        for key in keys:
            if key in data:
                data[key] = _as_text(data[key])
    return data


# --- pilot ----------------------------------------------------------------------


class Period(Spec):
    start: IsoDate
    end: IsoDate

    @classmethod
    def _rules(cls, data: Any) -> Iterator[Broken]:
        start, end = _as_date(_get(data, "start")), _as_date(_get(data, "end"))
        if start and end and end < start:
            yield Broken(
                ("end",),
                f"the period ends on {end}, before it starts on {start} (expected end >= start)",
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Periods(Spec):
    baseline: Period
    intervention: Period

    @classmethod
    def _rules(cls, data: Any) -> Iterator[Broken]:
        baseline_end = _as_date(_get(_get(data, "baseline"), "end"))
        intervention_start = _as_date(_get(_get(data, "intervention"), "start"))
        if baseline_end and intervention_start and intervention_start <= baseline_end:
            yield Broken(
                ("intervention", "start"),
                f"the intervention starts on {intervention_start}, before the baseline ends on "
                f"{baseline_end} (expected the intervention to start after the baseline)",
            )

    def get(self, name: PeriodName) -> Period:
        return self.baseline if name == "baseline" else self.intervention


class Cohort(Spec):
    id: Identifier
    role: Role
    assignment: Assignment
    target_size: int | None = Field(default=None, gt=0, le=MAX_PEOPLE)
    label: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        return _texts(data, "label")


class MinEffect(Spec):
    """The smallest effect worth acting on: relative to the baseline mean, or absolute."""

    relative: float | None = Field(default=None, gt=0)
    absolute: float | None = Field(default=None, gt=0)

    @classmethod
    def _rules(cls, data: Any) -> Iterator[Broken]:
        given = [key for key in ("relative", "absolute") if _get(data, key) is not None]
        if len(given) != 1:
            got = "both" if given else "neither"
            yield Broken(
                (),
                "give exactly one of 'relative' (a share of the baseline mean, e.g. "
                f"relative: 0.05) or 'absolute' (in the metric's unit). Got {got} instead.",
            )

    def in_units(self, baseline_mean: float) -> float:
        """The effect in the metric's unit, given the baseline mean."""
        if self.absolute is not None:
            return self.absolute
        assert self.relative is not None  # guaranteed by the rule above
        return self.relative * abs(baseline_mean)


class Metric(Spec):
    """A usage metric. ``unit`` is as the French reader writes it (``trajets/jour``);
    a YAML ``unit: {fr: trajets/jour, en: trips/day}`` also sets ``unit_en``, which
    :meth:`unit_in` gives to English readers (the French unit when absent)."""

    id: Identifier
    label: Text
    unit: str = Field(max_length=200)
    unit_en: str | None = Field(default=None, max_length=200)
    aggregate: Aggregate
    better: Better
    min_effect: MinEffect
    role: MetricRole
    design: Design | None = None
    description: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        data = _texts(data, "label", "description")
        if isinstance(data, Mapping) and isinstance(data.get("unit"), Mapping):
            unit = data["unit"]
            data = {**data, "unit": unit.get("fr"), "unit_en": unit.get("en")}
        return data

    def unit_in(self, lang: str = "fr") -> str:
        """The unit for a reader of ``lang`` (``trajets/jour`` / ``trips/day``)."""
        return (self.unit_en if lang == "en" else None) or self.unit

    @property
    def binary(self) -> bool:
        return self.aggregate == "share"


class SurveyPlan(Spec):
    instrument: Identifier
    waves: list[Wave] = Field(min_length=1, max_length=2)
    cohorts: list[Identifier] = Field(min_length=1, max_length=MAX_COHORTS)


Subgroup = dict[str, str]


class MetricCriterion(Spec):
    metric: Identifier
    must: Literal["improve", "not_worsen"]
    margin: MinEffect | None = None
    subgroup: Subgroup | None = None

    @classmethod
    def _rules(cls, data: Any) -> Iterator[Broken]:
        must, margin = _get(data, "must"), _get(data, "margin")
        if must == "not_worsen" and margin is None:
            yield Broken(
                ("margin",),
                "a 'not_worsen' criterion needs a 'margin' (expected how much worse is still "
                "acceptable, e.g. margin: {relative: 0.05})",
            )
        if must == "improve" and margin is not None:
            yield Broken(
                ("margin",),
                "'margin' applies to 'not_worsen' only (expected no margin: an 'improve' "
                "criterion uses the metric's min_effect)",
            )

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


def _criterion_kind(value: Any) -> str | None:
    # A criterion is a metric or a survey rule: decide by its key so that the
    # error messages speak of the right fields instead of a union of both.
    if isinstance(value, MetricCriterion | SurveyCriterion):
        return type(value).__name__
    if isinstance(value, Mapping):
        if "metric" in value:
            return "MetricCriterion"
        if "survey" in value:
            return "SurveyCriterion"
    return None


UNION_TAGS = frozenset({"MetricCriterion", "SurveyCriterion"})
"""Tags pydantic inserts in error locations after a list index (not keys of the file)."""

_TaggedCriterion = Annotated[
    Annotated[MetricCriterion, Tag("MetricCriterion")]
    | Annotated[SurveyCriterion, Tag("SurveyCriterion")],
    Discriminator(
        _criterion_kind,
        custom_error_type="criterion_kind",
        custom_error_message=(
            "a criterion names either a 'metric' or a 'survey' "
            "(e.g. metric: kwh_per_day, must: improve)"
        ),
    ),
]


class Sequential(Spec):
    """A group-sequential plan: every evaluation of the pilot is a look.

    ``alpha`` is spent across ``looks`` equally spaced in information by a Lan-DeMets
    function of the O'Brien-Fleming or Pocock type (:mod:`livinglab.stats.sequential`);
    the last look is at ``max_per_cohort`` participants per cohort (default: each
    cohort's ``target_size``). A criterion that cannot pass even at that maximum is
    stopped for futility.
    """

    method: Literal["obrien_fleming", "pocock"] = "obrien_fleming"
    looks: int = Field(ge=2, le=20)
    max_per_cohort: int | None = Field(default=None, ge=2)


class Decision(Spec):
    alpha: float = Field(default=0.05, gt=0, lt=1)
    power: float = Field(default=0.8, gt=0, lt=1)
    criteria: list[_TaggedCriterion] = Field(min_length=1, max_length=MAX_CRITERIA)
    sequential: Sequential | None = None


class Population(Spec):
    """The city's eligible population, for representativeness and projection."""

    size: int = Field(gt=0, le=MAX_PEOPLE)
    margins: dict[
        str,
        Annotated[
            dict[Annotated[str, Field(max_length=200)], Annotated[float, Field(ge=0, le=1)]],
            Field(max_length=MAX_CATEGORIES),
        ],
    ] = Field(default_factory=dict, max_length=MAX_ATTRIBUTES)
    source: str | None = Field(default=None, max_length=MAX_TEXT)

    @classmethod
    def _rules(cls, data: Any) -> Iterator[Broken]:
        margins = _get(data, "margins")
        if not isinstance(margins, Mapping):
            return
        for attribute, shares in margins.items():
            values = [_number(v) for v in shares.values()] if isinstance(shares, Mapping) else []
            if not values or None in values:
                continue
            total = sum(v for v in values if v is not None)
            if abs(total - 1.0) > 0.01:
                yield Broken(
                    ("margins", attribute),
                    f"the census shares of '{attribute}' sum to {total:.3f} (expected 1)",
                )


class Projection(Spec):
    """How a pilot's effect scales to the city."""

    metric: Identifier
    adoption: float = Field(gt=0, le=1)
    per: Literal["day", "week", "year"] = "day"
    emission_factor: float | None = Field(default=None, gt=0)
    emission_factor_source: str | None = Field(default=None, max_length=MAX_TEXT)


LegalBasis = Literal["consent", "public_task", "legitimate_interest"]


class Privacy(Spec):
    """What the GDPR asks a pilot to tell the people whose data it holds (articles 13-14).

    The consent text a citizen reads is built from these facts; its version is the
    SHA-256 of that text, recorded with each consent (``livinglab.store.consents``).
    """

    controller: str = Field(min_length=1, max_length=MAX_TEXT)
    """Who decides why and how the data is processed (e.g. "Ville d'Issy-les-Moulineaux")."""
    purpose: Text
    """Why the data is collected, in plain words."""
    legal_basis: LegalBasis = "consent"
    """GDPR article 6 basis; electricity readings of a home need prior, specific consent."""
    retention_days: int = Field(gt=0, le=3650)
    """How many days after the intervention's last day the pilot's data is kept
    (``livinglab purge`` deletes it afterwards)."""
    dpo_contact: str = Field(min_length=3, max_length=320)
    """The data protection officer's contact (e-mail or postal address)."""
    contact: str = Field(min_length=3, max_length=320)
    """The innovation team's contact for the pilot's testers (questions, withdrawal)."""

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        return _texts(data, "purpose")


Phase = Literal["draft", "recruiting", "running", "analysis", "decided", "archived"]
PHASES: tuple[str, ...] = ("draft", "recruiting", "running", "analysis", "decided", "archived")
"""A pilot's lifecycle, in order: written (``draft``), testers being recruited, the
intervention under way, data collection over and the evaluation read (``analysis``),
the council's decision recorded (``decided``), kept for the record (``archived``)."""
DEPRECATED_PHASES: dict[str, str] = {"planned": "draft", "evaluating": "analysis"}
"""Former phase words, still read (with a ``FutureWarning``) as their new word."""
DATA_COLLECTION_OVER: tuple[str, ...] = ("analysis", "decided", "archived")
"""Phases in which a pilot collects no more data: its evaluation is the final look."""


def _current_phase(data: object) -> object:
    """``data`` with a deprecated phase word replaced by its new word (and a warning)."""
    if not isinstance(data, Mapping):
        return data
    phase = data.get("phase")
    if not isinstance(phase, str) or phase not in DEPRECATED_PHASES:
        return data
    import warnings

    new = DEPRECATED_PHASES[phase]
    warnings.warn(
        f"'{phase}' is deprecated: write 'phase: {new}' (the phases are "
        f"{', '.join(PHASES)}); '{phase}' is read as '{new}' for now.",
        FutureWarning,
        stacklevel=2,
    )
    return {**data, "phase": new}


class Pilot(Spec):
    id: Identifier
    title: Text
    domain: str = Field(min_length=1, max_length=64)
    hypothesis: Text
    phase: Phase = "running"
    """Where the pilot stands in its lifecycle (:data:`PHASES`). The former words
    ``planned`` and ``evaluating`` are still read, as ``draft`` and ``analysis``, with a
    deprecation warning (:data:`DEPRECATED_PHASES`)."""
    periods: Periods
    cohorts: list[Cohort] = Field(min_length=1, max_length=MAX_COHORTS)
    metrics: list[Metric] = Field(min_length=1, max_length=MAX_METRICS)
    surveys: list[SurveyPlan] = Field(default_factory=list, max_length=MAX_SURVEYS)
    decision: Decision
    attributes: list[Identifier] = Field(default_factory=list, max_length=MAX_ATTRIBUTES)
    population: Population | None = None
    projection: Projection | None = None
    assignment_unit: Identifier | None = None
    """The participant attribute naming what was assigned as a whole (``building``,
    ``street``): every comparison is then analysed at that level (cluster-robust, wild
    cluster bootstrap or randomisation inference, see :mod:`livinglab.stats.clusters`).
    It must be one of ``attributes`` (the participants file carries only those).
    None: each participant was assigned on their own."""
    timezone: TimeZone = "Europe/Paris"
    """The pilot's local time (IANA name): its periods are local days, and a timestamp
    without an offset in its files is local time. The store keeps UTC instants."""
    privacy: Privacy | None = None
    """The pilot's privacy facts (controller, purpose, legal basis, retention, contacts),
    shown with the consent request. None: a pilot that holds no personal data yet."""
    dropout_after_days: int | None = Field(default=None, gt=0)
    """Drop-out rule: a participant without any reading of any metric for this many
    days in a row, up to the intervention's last day (while data is still collected,
    ``draft`` to ``running``: the day of the latest reading), has left the pilot on the
    day after their last reading. None:
    only the participants file's ``left_on`` says who left (see
    :func:`livinglab.store.reductions.departures`)."""

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        return _texts(_current_phase(data), "title", "hypothesis")

    @classmethod
    def _rules(cls, data: Any) -> Iterator[Broken]:
        yield from _duplicates(data, "cohorts")
        yield from _duplicates(data, "metrics")
        yield from _duplicates(data, "surveys", "instrument")
        yield from _cohort_rules(data)
        yield from _criteria_rules(data)
        yield from _survey_plan_rules(data)
        yield from _attribute_rules(data)
        yield from _sequential_rules(data)
        projection = _get(data, "projection")
        metrics = _ids(_entries(data, "metrics"))
        metric = _get(projection, "metric")
        if (
            isinstance(metric, str)
            and isinstance(_get(data, "metrics"), list)
            and metric not in metrics
        ):
            yield Broken(
                ("projection", "metric"),
                f"'{metric}' is not a metric of this pilot {one_of(metrics, metric)}",
            )

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


def _sequential_rules(data: Any) -> Iterator[Broken]:
    sequential = _get(_get(data, "decision"), "sequential")
    if not isinstance(sequential, Mapping) or _get(sequential, "max_per_cohort") is not None:
        return
    missing = [_get(c, "id") for _, c in _entries(data, "cohorts")
               if _get(c, "target_size") is None]
    if missing:
        yield Broken(
            ("decision", "sequential"),
            "a sequential plan needs its maximum: give 'max_per_cohort' or a 'target_size' "
            f"to every cohort (missing for {', '.join(map(str, missing))})",
        )


def _cohort_rules(data: Any) -> Iterator[Broken]:
    cohorts = _entries(data, "cohorts")
    roles = [_get(c, "role") for _, c in cohorts]
    if not cohorts or not all(role in ("test", "control") for role in roles):
        return  # an empty list or a wrong role is reported by its own field
    if "test" not in roles:
        yield Broken(
            ("cohorts",),
            "no cohort has role 'test' (expected at least one test cohort: the people who "
            "get the new service)",
        )
    if "control" not in roles:
        for i, metric in _entries(data, "metrics"):
            design = _get(metric, "design")
            if design in ("two_group", "did"):
                yield Broken(
                    ("metrics", i, "design"),
                    f"design '{design}' needs a cohort with role 'control' (expected pre_post, "
                    "or a control cohort)",
                )


def _criteria_rules(data: Any) -> Iterator[Broken]:
    metrics = _ids(_entries(data, "metrics"))
    plans = {
        name: (k, plan)
        for k, plan in _entries(data, "surveys")
        if isinstance(name := _get(plan, "instrument"), str)
    }
    planned = list(plans)
    check_metrics = isinstance(_get(data, "metrics"), list)
    check_surveys = isinstance(_get(data, "surveys"), list | None)
    for i, criterion in _entries(_get(data, "decision"), "criteria"):
        at: Loc = ("decision", "criteria", i)
        metric, survey = _get(criterion, "metric"), _get(criterion, "survey")
        if isinstance(metric, str):
            if check_metrics and metric not in metrics:
                yield Broken(
                    at + ("metric",),
                    f"'{metric}' is not a metric of this pilot {one_of(metrics, metric)}",
                )
        elif isinstance(survey, str) and check_surveys:
            if survey not in plans:
                yield Broken(
                    at + ("survey",),
                    f"'{survey}' is not one of the pilot's planned surveys "
                    f"{one_of(planned, survey)}",
                )
                continue
            wave = _get(criterion, "wave") or "after"
            k, plan = plans[survey]
            waves = _get(plan, "waves")
            if wave in ("baseline", "after") and isinstance(waves, list) and wave not in waves:
                planned_waves = ", ".join(w for w in waves if isinstance(w, str))
                yield Broken(
                    at + ("wave",),
                    f"the '{wave}' wave of '{survey}' is not planned (expected a wave listed "
                    f"in surveys[{k}].waves: {planned_waves})",
                )


def _survey_plan_rules(data: Any) -> Iterator[Broken]:
    if not isinstance(_get(data, "cohorts"), list):
        return
    cohorts = _ids(_entries(data, "cohorts"))
    for i, plan in _entries(data, "surveys"):
        for j, cohort in _entries(plan, "cohorts"):
            if isinstance(cohort, str) and cohort not in cohorts:
                yield Broken(
                    ("surveys", i, "cohorts", j),
                    f"'{cohort}' is not a cohort of this pilot {one_of(cohorts, cohort)}",
                )


def _attribute_rules(data: Any) -> Iterator[Broken]:
    # Subgroups and census margins speak of participant attributes: a name that is
    # not declared would silently match nobody.
    attributes = _get(data, "attributes")
    if not isinstance(attributes, list | tuple | type(None)):
        return
    known = [a for a in attributes or [] if isinstance(a, str)]
    for i, name in enumerate(attributes or []):
        if name == "left_on":
            yield Broken(
                ("attributes", i),
                "'left_on' is the participants file's reserved column (the first day out "
                "of the pilot), not an attribute (expected another name)",
            )
    for i, criterion in _entries(_get(data, "decision"), "criteria"):
        subgroup = _get(criterion, "subgroup")
        for key in subgroup if isinstance(subgroup, Mapping) else {}:
            if key not in known:
                yield Broken(
                    ("decision", "criteria", i, "subgroup", key),
                    f"'{key}' is not one of the pilot's participant attributes "
                    f"{one_of(known, key)}",
                )
    unit = _get(data, "assignment_unit")
    if isinstance(unit, str) and unit not in known:
        yield Broken(
            ("assignment_unit",),
            f"'{unit}' is not one of the pilot's participant attributes {one_of(known, unit)}; "
            "the participants file carries only declared attributes (add it to 'attributes')",
        )
    margins = _get(_get(data, "population"), "margins")
    for key in margins if isinstance(margins, Mapping) else {}:
        if key not in known:
            yield Broken(
                ("population", "margins", key),
                f"'{key}' is not one of the pilot's participant attributes {one_of(known, key)}",
            )


# --- instruments -----------------------------------------------------------

Scoring = Literal["sus", "nps", "mean", "umux_lite", "ueq_s"]

# The shape each standard scoring rule assumes: items, scale, reversed positions (1-based).
STANDARD_SCORINGS: dict[str, tuple[int, int, int, frozenset[int]]] = {
    "sus": (10, 1, 5, frozenset({2, 4, 6, 8, 10})),
    "nps": (1, 0, 10, frozenset()),
    "umux_lite": (2, 1, 7, frozenset()),
}


class ScalePoint(Spec):
    value: int
    label: Text

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        return _texts(data, "label")


class Scale(Spec):
    min: int
    max: int
    labels: list[ScalePoint] = Field(default_factory=list, max_length=MAX_SCALE_POINTS)

    @classmethod
    def _rules(cls, data: Any) -> Iterator[Broken]:
        low, high = _number(_get(data, "min")), _number(_get(data, "max"))
        if low is None or high is None:
            return
        if high <= low:
            yield Broken(("max",), f"must be greater than min ({low:g}). Got {high:g} instead.")
            return
        if high - low + 1 > MAX_SCALE_POINTS:
            yield Broken(
                ("max",),
                f"the scale {low:.0f}..{high:.0f} has {high - low + 1:.0f} answers "
                f"(expected at most {MAX_SCALE_POINTS}, one radio button each)",
            )
            return
        seen: set[float] = set()
        for i, point in _entries(data, "labels"):
            value = _number(_get(point, "value"))
            if value is None:
                continue
            if not low <= value <= high:
                yield Broken(
                    ("labels", i, "value"),
                    f"{value:g} is outside the scale (expected {low:g}..{high:g})",
                )
            elif value in seen:
                yield Broken(
                    ("labels", i, "value"),
                    f"{value:g} is labelled twice (expected one label per value)",
                )
            seen.add(value)

    def contains(self, answer: float) -> bool:
        return float(answer).is_integer() and self.min <= answer <= self.max


class Item(Spec):
    id: Identifier
    text: Text
    reversed: bool = False

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        return _texts(data, "text")


def _limesurvey_rules(data: Any) -> Iterator[Broken]:
    mapping = _get(data, "limesurvey")
    items = _ids(_entries(data, "items"))
    mapped = _get(mapping, "items")
    if isinstance(mapped, Mapping):
        for code, item in mapped.items():
            if isinstance(item, str) and items and item not in items:
                yield Broken(
                    ("limesurvey", "items", code),
                    f"'{item}' is not an item of this instrument {one_of(items, item)}",
                )
    scale = _get(data, "scale")
    low, high = _number(_get(scale, "min")), _number(_get(scale, "max"))
    answers = _get(mapping, "answers")
    if isinstance(answers, Mapping) and low is not None and high is not None:
        for code, value in answers.items():
            number = _number(value)
            if number is not None and not low <= number <= high:
                yield Broken(
                    ("limesurvey", "answers", code),
                    f"must be on the scale {low:g}..{high:g}. Got {number:g} instead.",
                )


class LimeSurveyMapping(Spec):
    """How a LimeSurvey response export (one row per response) maps to the instrument:
    ``items`` maps each question code (``SUS[SQ001]``) to an item id; ``answers`` maps
    answer codes (``A1``) to scale values (codes not listed must be numbers on the
    scale); ``N/A`` or an empty cell is no answer. ``participant`` is the column of the
    participant's id (LimeSurvey's ``token``)."""

    participant: str = "token"
    items: dict[str, Identifier] = Field(min_length=1)
    answers: dict[str, int] = Field(default_factory=dict)


class Instrument(Spec):
    id: Identifier
    title: Text
    intro: Text | None = None
    scale: Scale
    items: list[Item] = Field(min_length=1, max_length=MAX_ITEMS)
    scoring: Scoring
    reference: str | None = Field(default=None, max_length=MAX_TEXT)
    limesurvey: LimeSurveyMapping | None = None
    """Optional: how to read this instrument's answers from a LimeSurvey export."""

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: object) -> object:
        return _texts(data, "title", "intro")

    @classmethod
    def _rules(cls, data: Any) -> Iterator[Broken]:
        yield from _duplicates(data, "items")
        yield from _limesurvey_rules(data)
        scoring = _get(data, "scoring")
        if not isinstance(scoring, str) or scoring not in STANDARD_SCORINGS:
            return
        n, low, high, reversed_at = STANDARD_SCORINGS[scoring]
        items = _entries(data, "items")
        scale = _get(data, "scale")
        if isinstance(_get(data, "items"), list) and len(items) != n:
            yield Broken(
                ("items",), f"scoring '{scoring}' needs {n} item(s). Got {len(items)} instead."
            )
        bounds = (_number(_get(scale, "min")), _number(_get(scale, "max")))
        if None not in bounds and bounds != (low, high):
            yield Broken(
                ("scale",),
                f"scoring '{scoring}' needs a {low}..{high} scale. "
                f"Got {bounds[0]:g}..{bounds[1]:g} instead.",
            )
        for i, item in items[:n]:
            flag = _get(item, "reversed")
            expected = (i + 1) in reversed_at
            if isinstance(flag, bool | None) and bool(flag) != expected:
                yield Broken(
                    ("items", i, "reversed"),
                    f"scoring '{scoring}' {'reverses' if expected else 'does not reverse'} "
                    f"item {i + 1} (expected reversed: {'true' if expected else 'false'})",
                )

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    @property
    def reversed_items(self) -> list[str]:
        return [i.id for i in self.items if i.reversed]
