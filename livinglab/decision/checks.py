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

References
----------
Austin, P. C. (2009). Balance diagnostics for comparing the distribution of
baseline covariates between treatment groups in propensity-score matched samples.
Statistics in Medicine 28, 3083-3107.
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
from livinglab.decision.models import BalanceRow, CohortCheck, PilotChecks
from livinglab.decision.privacy import suppression
from livinglab.spec.models import Pilot

SMD_LIMIT = 0.1
ATTRITION_POINTS = 0.10
ATTRITION_RATIO = 2.0
ATTRITION_FLOOR = 0.05


def check_pilot(
    pilot: Pilot,
    *,
    values_by_metric: Mapping[str, pd.DataFrame],
    participants: pd.DataFrame | None = None,
) -> PilotChecks:
    """Recruitment, drop-out and baseline balance of a pilot."""
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
