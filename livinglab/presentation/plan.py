"""The analysis-plan notice: which registered plan the verdict follows and, if the plan
changed after the data came in, what changed and the verdict the changed plan gives.

One function for every view: the pilot page, the dossier's first page and the CLI
render the same :class:`PlanNotice`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from livinglab.evaluation import PilotEvaluation
from livinglab.i18n import CATALOG, Translator
from livinglab.spec.plan import PlanDifference


@dataclass(frozen=True)
class PlanNotice:
    """``changed``: the plan changed after the data (a warning to show on the first
    page); ``text``: the sentence; ``changes``: one line per changed value."""

    changed: bool
    title: str
    text: str
    changes: tuple[str, ...] = ()


def plan_notice(evaluation: PilotEvaluation, t: Translator) -> PlanNotice:
    """The notice of ``evaluation``'s plan in ``t``'s language."""
    plan = evaluation.plan
    if plan is None:
        return PlanNotice(False, "", t("plan_no_data_note"))
    registered = t.date(plan.registered_at)
    if not plan.changed:
        return PlanNotice(
            False, "", t("plan_registered_note", registered=registered, digest=plan.plan_hash[:12])
        )
    text = t(
        "plan_changed_body",
        registered=registered,
        registered_by=actor_text(plan.registered_by, t),
        verdict=t(f"verdict_{evaluation.verdict}"),
        amended=t.date(plan.amended_at),
        amended_by=actor_text(plan.amended_by, t),
        amended_verdict=t(f"verdict_{plan.verdict_under_current_plan or evaluation.verdict}"),
    )
    changes = tuple(
        t(
            "plan_change_line",
            field=field_label(d, evaluation, t),
            old=value_text(d.old, t),
            new=value_text(d.new, t),
        )
        for d in plan.differences
    )
    return PlanNotice(True, t("plan_changed_title"), text, changes)


def actor_text(actor: str | None, t: Translator) -> str:
    """Who, for a reader: an account's name, ``la ligne de commande (utilisateur X)``
    for ``cli:X``, and an unknown author said as such."""
    if actor is None:
        return t("plan_who_unknown")
    if actor.startswith("cli:"):
        return t("plan_actor_cli", user=actor[4:])
    return actor


def field_label(difference: PlanDifference, evaluation: PilotEvaluation, t: Translator) -> str:
    """A reader's name for a changed value: ``critère 2 (enquête SUS) : seuil``."""
    path = list(difference.path)
    head: list[str] = []
    if path[:2] == ["decision", "criteria"] and len(path) >= 3 and isinstance(path[2], int):
        index = path[2]
        criteria = evaluation.pilot.decision.criteria
        subject = (
            _criterion_subject(criteria[index], evaluation, t) if index < len(criteria) else "—"
        )
        head.append(t("plan_field_criterion", n=index + 1, subject=subject))
        path = path[3:]
    elif path[:1] == ["metrics"] and len(path) >= 2:
        head.append(t("plan_field_metric", subject=_metric_label(evaluation, str(path[1]), t)))
        path = path[2:]
    elif path[:1] == ["cohorts"] and len(path) >= 2:
        head.append(t("plan_field_cohort", subject=str(path[1])))
        path = path[2:]
    elif path[:1] == ["surveys"] and len(path) >= 2 and isinstance(path[1], int):
        head.append(t("plan_field_survey", n=path[1] + 1))
        path = path[2:]
    words = [_key(part, t) for part in path if isinstance(part, str)]
    label = " – ".join([*head, *words]) if words else " ".join(head)
    return label or difference.dotted


def _key(part: str, t: Translator) -> str:
    key = f"plan_key_{part}"
    return t(key) if key in CATALOG else part


def _metric_label(evaluation: PilotEvaluation, metric_id: str, t: Translator) -> str:
    for metric in evaluation.pilot.metrics:
        if metric.id == metric_id:
            return metric.label.get(t.lang)
    return metric_id


def _criterion_subject(criterion: Any, evaluation: PilotEvaluation, t: Translator) -> str:
    from livinglab.decision.criteria import survey_label

    metric = getattr(criterion, "metric", None)
    if metric is not None:
        return _metric_label(evaluation, str(metric), t)
    return survey_label(str(getattr(criterion, "survey", "—")))


def value_text(value: Any, t: Translator) -> str:
    """A plan value as a reader writes it: numbers in the locale, absent as ``absent``."""
    if value is None:
        return t("plan_absent")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return t.number(float(value), 0 if float(value).is_integer() else None)
    if isinstance(value, dict):
        return ", ".join(f"{_key(k, t)} {value_text(v, t)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(value_text(v, t) for v in value)
    return str(value)
