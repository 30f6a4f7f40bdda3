"""From the store's long per-participant frame to analysable arrays.

Input contract (what the SQL reductions produce for ONE metric): one row per
participant and period with columns ``participant_id``, ``cohort_role``
('test' | 'control'), ``period`` ('baseline' | 'intervention') and ``value``
(float; 0/1 for binary metrics). Extra attribute columns are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import COHORTS, PERIODS, check_frame, check_labels, check_numeric
from .results import Exclusion

COHORT_WORDS = {"test": "testers", "control": "control participants"}


@dataclass(frozen=True)
class Columns:
    """Names of the role columns in the input frame."""

    value: str = "value"
    subject: str = "participant_id"
    cohort: str = "cohort_role"
    period: str = "period"


@dataclass(frozen=True)
class Cohort:
    """One cohort's participants kept for an analysis, in id order."""

    role: str
    ids: np.ndarray
    before: np.ndarray
    after: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def change(self) -> np.ndarray:
        return self.after - self.before


@dataclass(frozen=True)
class Wide:
    """One entry per participant (sorted by id): cohort role and the two period values."""

    ids: np.ndarray
    cohort: np.ndarray
    before: np.ndarray
    after: np.ndarray


def to_wide(data: pd.DataFrame, columns: Columns) -> Wide:
    """One entry per participant (sorted by id): cohort, baseline, intervention (NaN if missing).

    Raises
    ------
    ValueError, TypeError
        Missing columns, unknown cohort or period labels, non-numeric values,
        a participant with two rows in one period or in two cohorts.
    """
    frame = check_frame(data, [columns.subject, columns.cohort, columns.period, columns.value])
    check_labels(frame[columns.cohort], columns.cohort, COHORTS)
    check_labels(frame[columns.period], columns.period, PERIODS)
    values = check_numeric(frame[columns.value], columns.value).to_numpy()
    codes, ids = pd.factorize(frame[columns.subject].astype(str), sort=True)
    ids = np.asarray(ids, dtype=object)
    periods = (frame[columns.period].astype(str).to_numpy() == PERIODS[1]).astype(np.intp)
    cohorts = frame[columns.cohort].astype(str).to_numpy()
    _check_unique(codes, periods, cohorts, ids, columns)
    table = np.full((len(ids), 2), np.nan)
    table[codes, periods] = values
    cohort = np.empty(len(ids), dtype=object)
    cohort[codes] = cohorts
    return Wide(ids, cohort, table[:, 0], table[:, 1])


def _check_unique(
    codes: np.ndarray, periods: np.ndarray, cohorts: np.ndarray, ids: np.ndarray, columns: Columns
) -> None:
    keys = codes * 2 + periods
    unique_keys, counts = np.unique(keys, return_counts=True)
    if (counts > 1).any():
        key = int(unique_keys[counts > 1][0])
        raise ValueError(
            f"The data must have one row per participant and period (reduce readings first). "
            f"Got several rows for {columns.subject} {ids[key // 2]!r} in {PERIODS[key % 2]!r}."
        )
    first = np.empty(len(ids), dtype=object)
    first[codes[::-1]] = cohorts[::-1]
    mismatch = first[codes] != cohorts
    if mismatch.any():
        pid = ids[codes[mismatch][0]]
        raise ValueError(
            f"Each participant must belong to one cohort. Got {columns.subject} {pid!r} in both."
        )


def check_binary(wide: Wide, metric: str) -> None:
    """Raise unless every value is 0 or 1 (``binary=True`` metrics)."""
    values = np.concatenate([wide.before, wide.after])
    values = values[~np.isnan(values)]
    bad = values[(values != 0.0) & (values != 1.0)]
    if len(bad):
        raise ValueError(
            f"The values of binary metric {metric!r} must be 0 or 1 per participant. "
            f"Got {bad[0]!r} instead (use binary=False for a per-participant share)."
        )


def select(wide: Wide, role: str, *, both_periods: bool) -> tuple[Cohort, list[Exclusion]]:
    """Keep one cohort's participants with the periods a design needs; count the rest."""
    rows = wide.cohort == role
    before = np.isnan(wide.before[rows])
    after = np.isnan(wide.after[rows])
    if both_periods:
        reasons = {
            "no reading in either period": before & after,
            "no reading in the baseline period": before & ~after,
            "no reading in the intervention period": after & ~before,
        }
        keep = ~(before | after)
    else:
        reasons = {"no reading in the intervention period": after}
        keep = ~after
    excluded = [
        Exclusion(cohort_role=role, reason=reason, count=int(mask.sum()))
        for reason, mask in reasons.items()
        if mask.any()
    ]
    cohort = Cohort(role, wide.ids[rows][keep], wide.before[rows][keep], wide.after[rows][keep])
    return cohort, excluded
