"""Pre-period placebo: the same comparison run inside the baseline, where no effect can be.

A difference in differences assumes the cohorts would have moved in parallel;
a before/after comparison assumes the testers would not have moved at all.
When the baseline spans several weeks, both can be tried where the service was
not yet there: split the baseline weeks into an early and a late half and run
the very same analysis with early as "before" and late as "after". A
"significant" change there is a trend the design would have credited to the
service (Angrist & Pischke 2009, section 5.2; Roth 2022 on what such pre-tests
can and cannot show: passing it is no proof of parallel trends).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import DEFAULT_SEED, check_choice, check_frame
from .designs import analyze_metric
from .results import MetricResult

PLACEBO_DESIGNS = ("pre_post", "did")
MIN_WEEKS = 2


def placebo_difference(
    weekly: pd.DataFrame,
    *,
    metric: str,
    design: str,
    assignment: str = "random",
    binary: bool = False,
    better: str = "higher",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    unit: str | None = None,
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    week: str = "week",
    value: str = "value",
) -> MetricResult | None:
    """Run ``design`` on early vs late baseline weeks (a placebo: the true effect is 0).

    Parameters
    ----------
    weekly : DataFrame
        One value per participant and baseline week (columns ``subject``,
        ``cohort``, ``week`` (int), ``value``, and ``unit`` when given), e.g.
        :func:`livinglab.store.weekly.weekly_participant_values`.
    metric : str
        Metric id, copied into the result.
    design : {'pre_post', 'did'}
        The metric's design (``two_group`` has no before/after to test).
    assignment, binary, better, alpha, seed, unit
        As :func:`~livinglab.stats.designs.analyze_metric`.
    subject, cohort, week, value : str
        Column names.

    Returns
    -------
    MetricResult or None
        The analysis of the placebo frame: each participant's mean over the
        first ``floor(W / 2)`` baseline weeks as ``baseline``, over the other
        weeks as ``intervention`` (W = distinct weeks); its ``primary_*``
        fields are what a pre-trend check reads. None when the baseline has
        fewer than 2 weeks with readings.

    Raises
    ------
    ValueError, TypeError
        Missing columns or a design without a before/after.
    """
    check_choice(design, "design", PLACEBO_DESIGNS)
    columns = [subject, cohort, week, value] + ([unit] if unit else [])
    frame = check_frame(weekly, columns, "weekly")
    weeks = np.sort(frame[week].dropna().unique())
    if len(weeks) < MIN_WEEKS:
        return None
    early = set(weeks[: len(weeks) // 2].tolist())
    halves = frame.assign(period=np.where(frame[week].isin(early), "baseline", "intervention"))
    keys = [subject, cohort, "period"]
    means = halves.groupby(keys, sort=True, observed=True)[value].mean().reset_index()
    if unit:
        units = halves.drop_duplicates(subject).set_index(subject)[unit]
        means[unit] = means[subject].map(units)
    return analyze_metric(
        means,
        metric=metric,
        design=design,
        binary=False if not binary else _still_binary(means, value),
        better=better,
        assignment=assignment,
        alpha=alpha,
        seed=seed,
        value=value,
        subject=subject,
        cohort=cohort,
        unit=unit,
    )


def _still_binary(means: pd.DataFrame, value: str) -> bool:
    # a binary metric's weekly values averaged over weeks are shares, not 0/1
    return bool(means[value].isin((0.0, 1.0)).all())
