"""A pilot's analysis plan: the part of its spec that decides the verdict.

Registered in the store when the pilot's first data is imported
(:mod:`livinglab.store.plans`), so that a criterion edited after the data came in
cannot silently change the verdict: the evaluation keeps the registered plan's verdict
as its headline and shows the changed plan's verdict beside it (pre-registration, as
the OSF and AsPredicted registries practise it for trials; CONSORT 2010 item 6b asks
for "any changes to trial outcomes after the trial commenced, with reasons").

The plan is: periods, time zone, cohorts (id, role, assignment), attributes, the
assignment unit, the drop-out rule, metrics (id, aggregate, better, smallest worthwhile
effect, role, design), planned surveys, the decision (alpha, power, criteria,
sequential looks) and the population. Titles, labels, units and descriptions are not
part of it: rewording a label is not a change of plan. Pure: no store, no I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from livinglab.spec.models import Pilot

_METRIC_FIELDS = ("id", "aggregate", "better", "min_effect", "role", "design")
_COHORT_FIELDS = ("id", "role", "assignment")
_TOP_FIELDS = (
    "periods",
    "timezone",
    "attributes",
    "assignment_unit",
    "dropout_after_days",
    "surveys",
    "decision",
    "population",
)


PLAN_FIELDS = ("cohorts", "metrics", *_TOP_FIELDS)
"""The fields of :class:`~livinglab.spec.models.Pilot` that make its analysis plan."""


def with_plan_of(current: Pilot, registered: Pilot) -> Pilot:
    """``current`` with the analysis plan of ``registered``: the verdict is computed
    under the registered plan, while the title, hypothesis, phase, privacy facts and
    projection stay as the pilot says today."""
    return current.model_copy(update={key: getattr(registered, key) for key in PLAN_FIELDS})


def analysis_plan(pilot: Pilot) -> dict[str, Any]:
    """The pilot's analysis plan as plain JSON-ready data (dicts, lists, str, numbers).

    Keys: the fields listed in the module docstring; ``cohorts`` and ``metrics`` keep
    only their analysis fields, in the spec's order.
    """
    spec = pilot.model_dump(mode="json")
    plan: dict[str, Any] = {key: spec.get(key) for key in _TOP_FIELDS}
    plan["cohorts"] = [{k: c.get(k) for k in _COHORT_FIELDS} for c in spec["cohorts"]]
    plan["metrics"] = [{k: m.get(k) for k in _METRIC_FIELDS} for m in spec["metrics"]]
    return plan


def plan_hash(plan: dict[str, Any]) -> str:
    """SHA-256 hex digest (64 characters) of the plan's canonical JSON (sorted keys,
    no spaces): two plans have the same hash exactly when they say the same thing."""
    text = json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PlanDifference:
    """One value of the plan that differs: where (``path``, a tuple of keys and list
    indices from the plan's top, e.g. ``("decision", "criteria", 1, "threshold")``),
    the registered value and the new one (None where the key is absent)."""

    path: tuple[str | int, ...]
    old: Any
    new: Any

    @property
    def dotted(self) -> str:
        """The path as ``decision.criteria[1].threshold``."""
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.dotted, "registered": self.old, "current": self.new}


def plan_differences(old: Any, new: Any, path: tuple[str | int, ...] = ()) -> list[PlanDifference]:
    """Every leaf that differs between two plans (or parts of plans), in key order.

    Dicts are compared key by key, lists of entries with an ``id`` (cohorts, metrics)
    by id, other lists position by position; a list entry present on one side only is
    one difference with None on the other side.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[PlanDifference] = []
        for key in sorted(set(old) | set(new)):
            out += plan_differences(old.get(key), new.get(key), (*path, key))
        return out
    if isinstance(old, list) and isinstance(new, list):
        if _all_have_ids(old) and _all_have_ids(new):
            old_by_id = {e["id"]: e for e in old}
            new_by_id = {e["id"]: e for e in new}
            ids = [e["id"] for e in old] + [e["id"] for e in new if e["id"] not in old_by_id]
            out = []
            for ident in ids:
                out += plan_differences(old_by_id.get(ident), new_by_id.get(ident), (*path, ident))
            return out
        out = []
        for i in range(max(len(old), len(new))):
            out += plan_differences(
                old[i] if i < len(old) else None, new[i] if i < len(new) else None, (*path, i)
            )
        return out
    if old == new:
        return []
    return [PlanDifference(path, old, new)]


def _all_have_ids(entries: list[Any]) -> bool:
    return all(isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries)


@dataclass(frozen=True)
class PlanStatus:
    """What an evaluation says of its plan.

    Attributes
    ----------
    registered_at : datetime
        When the plan was registered (the pilot's first data import), UTC.
    registered_by : str or None
        Who imported that first data (None: not known, e.g. a store made before sign-in).
    plan_hash : str
        SHA-256 of the registered plan (:func:`plan_hash`).
    differences : tuple of PlanDifference
        The current spec's plan against the registered one; empty when unchanged.
    amended_at, amended_by : datetime or None, str or None
        When the current plan was first seen (the change's record) and by whom.
    verdict_under_current_plan : str or None
        The verdict the current (changed) plan would give; None when unchanged.
    """

    registered_at: datetime
    registered_by: str | None
    plan_hash: str
    differences: tuple[PlanDifference, ...] = ()
    amended_at: datetime | None = None
    amended_by: str | None = None
    verdict_under_current_plan: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.differences)

    def to_dict(self) -> dict[str, Any]:
        """The ``plan`` entry of ``livinglab evaluate --json``."""
        return {
            "registered_at": self.registered_at.isoformat(),
            "registered_by": self.registered_by,
            "plan_hash": self.plan_hash,
            "changed": self.changed,
            "changes": [d.to_dict() for d in self.differences],
            "amended_at": None if self.amended_at is None else self.amended_at.isoformat(),
            "amended_by": self.amended_by,
            "verdict_under_current_plan": self.verdict_under_current_plan,
        }
