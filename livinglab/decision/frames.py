"""Per-participant tables from the store's values frames.

A values frame (one metric) has one row per participant and period:
``participant_id, cohort, cohort_role, period ('baseline'|'intervention'), value``
plus attribute columns (``age_band``, ``neighbourhood`` ...). A participants frame
has ``participant_id, cohort[, cohort_role], <attributes>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from livinglab.spec.models import Pilot

ID, COHORT, ROLE, PERIOD, VALUE = "participant_id", "cohort", "cohort_role", "period", "value"
UNKNOWN = "unknown"
"""Category of a participant whose attribute is missing (kept, so totals add up)."""


def with_roles(frame: pd.DataFrame, pilot: Pilot) -> pd.DataFrame:
    """``frame`` with a ``cohort_role`` column (from the pilot's cohorts when absent)."""
    if ROLE in frame.columns or COHORT not in frame.columns:
        return frame
    roles = {c.id: c.role for c in pilot.cohorts}
    return frame.assign(**{ROLE: frame[COHORT].map(roles)})


def with_attributes(values: pd.DataFrame, participants: pd.DataFrame | None,
                    attributes: Iterable[str]) -> pd.DataFrame:
    """Add the attribute columns the values frame lacks, from the participants frame."""
    if participants is None:
        return values
    missing = [a for a in attributes if a not in values.columns and a in participants.columns]
    if not missing:
        return values
    extra = participants[[ID, *missing]].drop_duplicates(ID)
    return values.merge(extra, on=ID, how="left")


def wide(values: pd.DataFrame, attributes: Iterable[str] = ()) -> pd.DataFrame:
    """One row per participant: cohort, cohort_role, baseline, intervention, attributes."""
    keys = [c for c in (ID, COHORT, ROLE) if c in values.columns]
    table = _period_means(values)
    first = values.drop_duplicates(ID).set_index(ID)
    for column in [*keys[1:], *[a for a in attributes if a in values.columns]]:
        table[column] = first[column].reindex(table.index)
    return table.reset_index()


def _period_means(values: pd.DataFrame) -> pd.DataFrame:
    """Each participant's mean value per period, indexed by id in sorted order; a
    participant without any value is left out. The numbers of
    ``values.pivot_table(index=ID, columns=PERIOD, values=VALUE, aggfunc="mean")``
    (columns reindexed to both periods), by two ``np.bincount`` instead of a group-by."""
    codes, ids = pd.factorize(values[ID], sort=True)
    numbers = values[VALUE].to_numpy(float)
    present = ~np.isnan(numbers)
    periods = values[PERIOD].to_numpy()
    columns = {}
    for period in ("baseline", "intervention"):
        mask = present & (periods == period)
        count = np.bincount(codes[mask], minlength=len(ids))
        total = np.bincount(codes[mask], weights=numbers[mask], minlength=len(ids))
        columns[period] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    table = pd.DataFrame(columns, index=pd.Index(ids, name=ID))
    return table[table.notna().any(axis=1)]


def outcome(table: pd.DataFrame, design: str) -> pd.Series:
    """The per-participant quantity a design compares: the change (pre_post, did) or
    the intervention value (two_group); NaN where it cannot be computed."""
    if design == "two_group":
        return table["intervention"]
    return table["intervention"] - table["baseline"]


def analysed(table: pd.DataFrame, design: str) -> pd.DataFrame:
    """The participants a design analyses, with their ``y`` (outcome)."""
    rows = table.assign(y=outcome(table, design))
    if design == "pre_post":
        rows = rows[rows[ROLE] == "test"]
    return rows[rows["y"].notna()]


def category(series: pd.Series) -> pd.Series:
    """Attribute values as text, missing ones as ``'unknown'``."""
    return series.astype("string").fillna(UNKNOWN).astype(str)


def participants_of(pilot: Pilot, values_by_metric: Mapping[str, pd.DataFrame],
                    participants: pd.DataFrame | None) -> pd.DataFrame:
    """Every known participant once: id, cohort, cohort_role and attributes."""
    if participants is not None:
        return with_roles(participants, pilot).drop_duplicates(ID)
    frames = [v for v in values_by_metric.values() if len(v)]
    if not frames:
        return pd.DataFrame(columns=[ID, COHORT, ROLE])
    keep = [ID, COHORT, ROLE, *pilot.attributes]
    roled = [with_roles(f, pilot) for f in frames]
    stacked = pd.concat([f[[c for c in keep if c in f.columns]] for f in roled])
    return stacked.drop_duplicates(ID).reset_index(drop=True)


def smd(test: np.ndarray, control: np.ndarray) -> float | None:
    """Standardized mean difference ``(m_t - m_c) / sqrt((s_t² + s_c²) / 2)``."""
    if len(test) < 2 or len(control) < 2:
        return None
    diff = float(np.mean(test) - np.mean(control))
    scale = float(np.sqrt((np.var(test, ddof=1) + np.var(control, ddof=1)) / 2))
    if scale == 0:
        return 0.0 if diff == 0 else None
    return diff / scale


def share_smd(p_test: float, p_control: float) -> float | None:
    """SMD of a category's shares: ``(p_t - p_c) / sqrt((p_t(1-p_t) + p_c(1-p_c)) / 2)``."""
    scale = np.sqrt((p_test * (1 - p_test) + p_control * (1 - p_control)) / 2)
    if scale == 0:
        return 0.0 if p_test == p_control else None
    return float((p_test - p_control) / scale)
