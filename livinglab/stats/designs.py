"""The three comparison designs for a usage metric, and the dispatcher.

* ``pre_post`` (:func:`compare_periods`): the same testers before vs after;
* ``two_group`` (:func:`compare_groups`): testers vs control, intervention period;
* ``did`` (:func:`difference_in_differences`): testers' change minus control's
  change, with the baseline-adjusted ANCOVA estimate beside it.

Each takes the store's long frame (one value per participant and period) and
returns a :class:`~livinglab.stats.results.MetricResult`. Thin or degenerate
data (fewer than 2 participants, no variation relative to the data's scale)
gives a result with the estimate where it exists, inferential fields ``None``
and a ``message``; wrong arguments raise. The headline is always the mean
difference with its t-based p-value and CI; rank tests are a sensitivity check.
"""


from __future__ import annotations

from typing import Any

import pandas as pd

from ._checks import DEFAULT_SEED, check_choice, check_probability, check_seed
from .clustered import clustered_fields, unit_labels
from .design_common import cohort_summaries, percent_fields, primary_fields
from .did import ancova_fields, basis_fields, did_fields, disagreement_note
from .pre_post import pre_post_fields
from .prepare import Cohort, Columns, check_binary, select, to_wide
from .results import Exclusion, GroupSummary, MetricResult
from .two_group import two_group_fields

DESIGNS = ("pre_post", "two_group", "did")
BETTER = ("higher", "lower")
ASSIGNMENTS = ("random", "volunteer")


def _cluster(
    fields: dict[str, Any],
    design: str,
    tester: Cohort,
    control: Cohort,
    labels: dict[str, str],
    unit: str,
    alpha: float,
    seed: int,
    assignment: str,
) -> dict[str, Any]:
    """Replace the headline (and did's ANCOVA, basis and bracket) by inference at ``unit``."""
    if fields.get("message"):
        return fields
    extra, adjusted, comparison = clustered_fields(
        design, tester, control, labels, unit=unit, alpha=alpha, seed=seed,
        residual_sd=fields.get("ancova_residual_sd"),
    )
    notes = [n for n in fields.get("notes", ()) if not n.startswith("ANCOVA and change-score")]
    notes += extra.pop("notes", ())
    fields = fields | extra
    if "p_value" in extra:
        fields.update(
            percent_fields(
                fields.get("estimate"), fields["ci_low"], fields["ci_high"],
                fields.get("baseline_mean"),
            )
        )
    if adjusted is not None and comparison is not None:
        fields.update(ancova_fields(adjusted, comparison))
        fields.update(basis_fields(fields, adjusted, assignment))
        notes += disagreement_note(comparison, assignment)
    return fields | {"notes": tuple(notes)}


# --------------------------------------------------------------------------- public API


def _validate(
    metric: Any,
    design: str,
    better: str,
    assignment: str,
    alpha: float,
    seed: int,
    binary: Any,
) -> None:
    if not isinstance(metric, str) or not metric:
        raise ValueError(f"The 'metric' must be a non-empty string. Got {metric!r} instead.")
    check_choice(design, "design", DESIGNS)
    check_choice(better, "better", BETTER)
    check_choice(assignment, "assignment", ASSIGNMENTS)
    check_probability(alpha, "alpha")
    check_seed(seed)
    if not isinstance(binary, bool):
        raise TypeError(f"The 'binary' must be True or False. Got {binary!r} instead.")


def analyze_metric(
    data: pd.DataFrame,
    *,
    metric: str,
    design: str,
    binary: bool = False,
    better: str = "higher",
    assignment: str = "random",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    value: str = "value",
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    period: str = "period",
    unit: str | None = None,
) -> MetricResult:
    """Compare one usage metric under one design and return every number a verdict needs.

    Parameters
    ----------
    data : DataFrame
        Long per-participant values of ONE metric: ``subject`` (participant
        id), ``cohort`` ('test' | 'control'), ``period`` ('baseline' |
        'intervention') and ``value`` (0/1 when ``binary``); one row per
        participant and period. Other columns are ignored.
    metric : str
        Metric id, copied into the result.
    design : {'pre_post', 'two_group', 'did'}
        pre_post: testers after vs before (paired); two_group: testers vs
        control in the intervention period; did: testers' change minus the
        control's change.
    binary : bool
        0/1 values: McNemar / prop.test / Fisher and risk differences.
    better : {'higher', 'lower'}
        Which direction is an improvement (recorded for the decision layer;
        every test here is two-sided).
    assignment : {'random', 'volunteer'}
        did only: which estimate the decision criterion uses
        (``criterion_basis``): ANCOVA for random assignment, change scores for
        volunteers.
    alpha : float
        Two-sided significance level; CIs are ``1 - alpha``.
    seed : int
        Seed of the resampling that clustered data use (randomisation inference,
        wild cluster bootstrap); unclustered headline numbers are not random.
    value, subject, cohort, period : str
        Column names.
    unit : str, optional
        Column holding each participant's assignment unit (the pilot's
        ``assignment_unit``, e.g. a building). When units hold several
        participants, p-values and CIs are computed at that level
        (:mod:`livinglab.stats.clusters`: randomisation inference with 1-3
        units in an arm, wild cluster bootstrap below 30 units, CRV3 beyond);
        the estimates stay the participant-weighted differences.

    Returns
    -------
    MetricResult
        See :class:`~livinglab.stats.results.MetricResult` for every field.
        ``estimate``/``ci_low``/``ci_high``/``p_value`` always mean the
        design's own difference (did: change scores); ``primary_*`` is what a
        decision criterion should use; for did ``bracket_*`` is the other
        estimate and ``estimates_disagree`` says whether they differ beyond
        their uncertainty.

    Raises
    ------
    ValueError, TypeError
        Wrong arguments or a frame that breaks the input contract (missing
        columns, unknown labels, duplicate rows, non-0/1 values for a binary
        metric). Thin data never raises: see ``message``.

    Notes
    -----
    One estimand per result: the headline is the mean difference with the
    p-value and CI of the same method, the paired t-test (pre_post) or Welch's
    t-test (two_group, did change scores), so ``p_value < alpha`` exactly when
    the CI excludes 0. No pre-test picks the method (a normality pre-test
    followed by a rank p-value and a bootstrap CI made p and CI disagree and
    BCa intervals cover 83-91 % at n = 10-29 on skewed data). The rank test
    (Wilcoxon signed-rank / Mann-Whitney U, R's exact/normal rule) with its
    Hodges-Lehmann estimate is in ``sensitivity``: a different estimand, shown
    as a check. "No variation" is judged relative to the readings' scale
    (:func:`~livinglab.stats._checks.no_variation`), so float noise never
    passes for a spread. Binary: McNemar exact below 25 discordant pairs, else
    chi-square with continuity correction; prop.test (Yates) or Fisher when an
    expected count is below 5.

    Examples
    --------
    >>> result = analyze_metric(frame, metric="kwh_per_day", design="did",
    ...                         better="lower", assignment="volunteer")  # doctest: +SKIP
    >>> result.to_dict()["estimate"]  # doctest: +SKIP
    """
    _validate(metric, design, better, assignment, alpha, seed, binary)
    wide = to_wide(data, Columns(value=value, subject=subject, cohort=cohort, period=period))
    if binary:
        check_binary(wide, metric)
    both = design != "two_group"
    tester, excluded_test = select(wide, "test", both_periods=both)
    control, excluded_control = select(wide, "control", both_periods=both)
    options: dict[str, Any] = {"is_binary": binary, "alpha": alpha}
    if design == "pre_post":
        fields = pre_post_fields(tester, **options)
        summaries = cohort_summaries(tester, change=True)
        excluded = excluded_test
    elif design == "two_group":
        fields = two_group_fields(tester, control, **options)
        summaries = cohort_summaries(tester, change=False) + cohort_summaries(
            control, change=False
        )
        excluded = excluded_test + excluded_control
    else:
        fields = did_fields(
            tester, control, assignment=assignment, **options
        )
        summaries = cohort_summaries(tester, change=True) + cohort_summaries(control, change=True)
        excluded = excluded_test + excluded_control
    if unit is not None:
        labels = unit_labels(data, subject, unit)
        fields = _cluster(fields, design, tester, control, labels, unit, alpha, seed, assignment)
    kept = [tester] if design == "pre_post" else [tester, control]
    fields["n_zero_filled"] = _zero_filled(data, subject, period, design, kept)
    return _build(metric, design, binary, better, alpha, fields, summaries, excluded)


def _zero_filled(
    data: pd.DataFrame, subject: str, period: str, design: str, kept: list[Cohort]
) -> int:
    """How many analysed values are a 0 filled in for a period without readings: rows
    whose optional boolean ``filled`` column is True (the store marks them for count,
    sum and rate_per_day metrics), of the participants and periods the design uses."""
    if "filled" not in data.columns:
        return 0
    filled = data["filled"].eq(True).to_numpy()
    if design == "two_group":
        filled = filled & (data[period].to_numpy() == "intervention")  # (a read-only view)
    if not filled.any():
        return 0
    ids = {str(i) for cohort in kept for i in cohort.ids}
    return sum(str(i) in ids for i in data[subject].to_numpy()[filled])


def _build(
    metric: str,
    design: str,
    binary: bool,
    better: str,
    alpha: float,
    fields: dict[str, Any],
    summaries: list[GroupSummary],
    excluded: list[Exclusion],
) -> MetricResult:
    if "criterion_basis" not in fields:
        if design == "did":
            basis = "change_score"
        else:
            basis = "risk_difference" if binary else "mean_difference"
        fields.update(primary_fields(fields, basis, "the design's own difference"))
    if fields.get("message") and not fields.get("test_reason"):
        fields["test_reason"] = f"no test: {fields['message']}"
    return MetricResult(
        metric=metric,
        design=design,
        binary=binary,
        better=better,
        conf_level=1.0 - alpha,
        summaries=tuple(summaries),
        excluded=tuple(excluded),
        **fields,
    )


def compare_periods(
    data: pd.DataFrame,
    *,
    metric: str,
    binary: bool = False,
    better: str = "higher",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    value: str = "value",
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    period: str = "period",
) -> MetricResult:
    """Testers after vs before (paired): :func:`analyze_metric` with ``design='pre_post'``.

    estimate = mean(after - before) of testers with values in both periods;
    paired t-test (CI from the t distribution) as the headline, Wilcoxon
    signed-rank test (R's default exact/normal rule, Hodges-Lehmann
    pseudomedian) as the sensitivity check; effect size
    Hedges' g_z = J(n-1) mean(d)/sd(d) with a noncentral-t CI. Binary:
    McNemar and the paired risk difference with Newcombe's CI. Parameters and
    Returns as :func:`analyze_metric`.
    """
    return analyze_metric(
        data,
        metric=metric,
        design="pre_post",
        binary=binary,
        better=better,
        alpha=alpha,
        seed=seed,
        value=value,
        subject=subject,
        cohort=cohort,
        period=period,
    )


def compare_groups(
    data: pd.DataFrame,
    *,
    metric: str,
    binary: bool = False,
    better: str = "higher",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    value: str = "value",
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    period: str = "period",
) -> MetricResult:
    """Testers vs control in the intervention period: ``design='two_group'``.

    estimate = mean(test) - mean(control); Welch t-test (headline) and
    Mann-Whitney U (sensitivity);
    Hedges' g (pooled SD, J(n1+n2-2)) with a noncentral-t CI. Binary:
    prop.test (Yates) or Fisher, risk difference with Newcombe's hybrid score
    CI. Parameters and Returns as :func:`analyze_metric`.
    """
    return analyze_metric(
        data,
        metric=metric,
        design="two_group",
        binary=binary,
        better=better,
        alpha=alpha,
        seed=seed,
        value=value,
        subject=subject,
        cohort=cohort,
        period=period,
    )


def difference_in_differences(
    data: pd.DataFrame,
    *,
    metric: str,
    assignment: str = "random",
    binary: bool = False,
    better: str = "higher",
    alpha: float = 0.05,
    seed: int = DEFAULT_SEED,
    value: str = "value",
    subject: str = "participant_id",
    cohort: str = "cohort_role",
    period: str = "period",
) -> MetricResult:
    """Testers' change minus control's change: ``design='did'``.

    estimate = mean(after - before | test) - mean(after - before | control),
    Welch t-test / Mann-Whitney U on the change scores; beside it the ANCOVA
    (OLS after ~ cohort + before) estimate in the ``ancova_*`` fields.
    ``assignment`` decides ``criterion_basis`` (random: ANCOVA; volunteer:
    change scores). Binary: difference of paired risk differences with a Wald
    z CI. Parameters and Returns as :func:`analyze_metric`.
    """
    return analyze_metric(
        data,
        metric=metric,
        design="did",
        assignment=assignment,
        binary=binary,
        better=better,
        alpha=alpha,
        seed=seed,
        value=value,
        subject=subject,
        cohort=cohort,
        period=period,
    )
