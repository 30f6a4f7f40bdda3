"""Test data of the decision tests, in one place: pilots, stats results, values frames."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from livinglab.spec.models import Pilot
from livinglab.stats.results import MetricResult, SurveyResult

KWH: dict[str, Any] = {
    "id": "kwh",
    "label": {"fr": "Consommation", "en": "Consumption"},
    "unit": "kWh/jour",
    "aggregate": "mean",
    "better": "lower",
    "min_effect": {"relative": 0.05},
    "role": "primary",
}
COLD: dict[str, Any] = {
    "id": "cold_hours",
    "label": {"fr": "Heures sous 19 °C", "en": "Hours below 19 °C"},
    "unit": "h/jour",
    "aggregate": "mean",
    "better": "lower",
    "min_effect": {"absolute": 0.25},
    "role": "guardrail",
}

PILOT: dict[str, Any] = {
    "id": "energy",
    "title": "Energy feedback",
    "domain": "energy",
    "hypothesis": "Seeing their consumption makes households use less.",
    "periods": {
        "baseline": {"start": "2026-01-05", "end": "2026-02-01"},
        "intervention": {"start": "2026-02-02", "end": "2026-03-01"},
    },
    "cohorts": [
        {"id": "feedback", "role": "test", "assignment": "random", "target_size": 30},
        {"id": "comparison", "role": "control", "assignment": "random", "target_size": 30},
    ],
    "metrics": [KWH, COLD],
    "surveys": [{"instrument": "sus", "waves": ["after"], "cohorts": ["feedback"]}],
    "decision": {
        "alpha": 0.05,
        "power": 0.8,
        "criteria": [
            {"metric": "kwh", "must": "improve"},
            {"metric": "cold_hours", "must": "not_worsen", "margin": {"absolute": 0.5}},
        ],
    },
    "attributes": ["age_band", "neighbourhood"],
    "population": {
        "size": 30000,
        "source": "INSEE 2021",
        "margins": {
            "age_band": {"18-34": 0.2, "35-64": 0.5, "65-74": 0.2, "75+": 0.1},
            "neighbourhood": {"Centre": 0.6, "Epinettes": 0.4},
        },
    },
    "projection": {
        "metric": "kwh",
        "adoption": 0.3,
        "per": "day",
        "emission_factor": 0.052,
        "emission_factor_source": "ADEME Base Empreinte 2023",
    },
}


def make_pilot(**changes: Any) -> Pilot:
    """The test pilot, with top-level keys replaced (``decision=...``, ``cohorts=...``)."""
    data = copy.deepcopy(PILOT)
    data.update(copy.deepcopy(changes))
    return Pilot.model_validate(data)


def criteria(*items: dict[str, Any], alpha: float = 0.05) -> dict[str, Any]:
    """A ``decision`` block with these criteria."""
    return {"alpha": alpha, "power": 0.8, "criteria": list(items)}


def volunteer_cohorts(control: bool = True) -> list[dict[str, Any]]:
    cohorts = [{"id": "feedback", "role": "test", "assignment": "volunteer", "target_size": 30}]
    if control:
        cohorts.append({"id": "comparison", "role": "control", "assignment": "volunteer"})
    return cohorts


def metric_result(
    estimate: float | None = -1.0,
    ci_low: float | None = -1.5,
    ci_high: float | None = -0.5,
    *,
    metric: str = "kwh",
    design: str = "did",
    baseline_mean: float | None = 10.0,
    n_test: int = 30,
    n_control: int = 30,
    conf_level: float = 0.95,
    df: float | None = 58.0,
    ci_method: str | None = "t",
    sd_pooled: float | None = 1.0,
    basis: str = "mean_difference",
    **fields: Any,
) -> MetricResult:
    """A stats result whose criterion basis is the contract estimate (unless overridden)."""
    primary = {"primary_estimate": estimate, "primary_ci_low": ci_low,
               "primary_ci_high": ci_high}
    return MetricResult(
        metric=metric, design=design, estimate=estimate, ci_low=ci_low, ci_high=ci_high,
        baseline_mean=baseline_mean, n_test=n_test, n_control=n_control,
        conf_level=conf_level, df=df, ci_method=ci_method, sd_pooled=sd_pooled,
        criterion_basis=basis, **(primary | fields),
    )


def survey_result(score: float | None = 75.0, ci_low: float | None = 70.0,
                  ci_high: float | None = 80.0, *, n: int = 30, sd: float | None = 12.0,
                  wave: str = "after") -> SurveyResult:
    return SurveyResult(instrument="sus", wave=wave, scoring="sus", score=score, ci_low=ci_low,
                        ci_high=ci_high, n=n, sd=sd)


def values_frame(
    rng: np.random.Generator,
    *,
    n_test: int = 30,
    n_control: int = 30,
    effect: float = 0.0,
    mean: float = 10.0,
    sd: float = 2.0,
    noise: float = 0.5,
    attributes: dict[str, list[str]] | None = None,
    drop_test: int = 0,
    drop_control: int = 0,
) -> pd.DataFrame:
    """Per-participant values of one metric: baseline, and intervention = baseline + noise
    (+ ``effect`` for testers). The last ``drop_*`` of a cohort have no intervention value.
    ``attributes`` are cycled over the participants of each cohort."""
    rows = []
    for role, cohort, n, drop in (("test", "feedback", n_test, drop_test),
                                  ("control", "comparison", n_control, drop_control)):
        for i in range(n):
            pid = f"{role[0]}{i:03d}"
            extra = {a: labels[i % len(labels)] for a, labels in (attributes or {}).items()}
            before = rng.normal(mean, sd)
            after = before + rng.normal(0, noise) + (effect if role == "test" else 0.0)
            common = {"participant_id": pid, "cohort": cohort, "cohort_role": role, **extra}
            rows.append({**common, "period": "baseline", "value": before})
            if i < n - drop:
                rows.append({**common, "period": "intervention", "value": after})
    return pd.DataFrame(rows)


def participants_of(values: pd.DataFrame) -> pd.DataFrame:
    """The participants frame behind a values frame."""
    columns = [c for c in values.columns if c not in ("period", "value")]
    return values[columns].drop_duplicates("participant_id").reset_index(drop=True)


SUS: dict[str, Any] = {
    "id": "sus",
    "title": "System Usability Scale",
    "scale": {"min": 1, "max": 5},
    "items": [{"id": f"q{i}", "text": f"Question {i}", "reversed": i % 2 == 0}
              for i in range(1, 11)],
    "scoring": "sus",
}


def sus_answers(people: pd.DataFrame, rng: np.random.Generator, *,
                seniors_struggle: bool = True) -> pd.DataFrame:
    """SUS answers after the pilot: about 75 for most testers, about 50 for the 65+ when
    ``seniors_struggle`` (answers around 3 on every item)."""
    rows = []
    for person in people.itertuples():
        senior = str(getattr(person, "age_band", "")) in ("65-74", "75+")
        for i in range(1, 11):
            if senior and seniors_struggle:
                answer = int(rng.choice([2, 3, 4]))
            else:
                answer = int(rng.choice([4, 5])) if i % 2 else int(rng.choice([1, 2]))
            rows.append({"participant_id": person.participant_id, "instrument": "sus",
                         "wave": "after", "item": f"q{i}", "answer": answer})
    return pd.DataFrame(rows)
