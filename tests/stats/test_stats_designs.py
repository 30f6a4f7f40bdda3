"""analyze_metric and the three designs: definitions, choices, degenerate data, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from livinglab.stats import (
    MetricResult,
    analyze_metric,
    compare_groups,
    compare_periods,
    difference_in_differences,
    results_frame,
)

RNG_SEED = 5


@pytest.fixture
def rng():
    return np.random.default_rng(RNG_SEED)


@pytest.fixture
def pilot(rng, frames):
    """40 testers and 40 controls; testers gain 1 unit; baseline predicts after."""
    before_t, before_c = rng.normal(10, 2, 40), rng.normal(11, 2, 40)
    after_t = 0.7 * before_t + 3 + rng.normal(0, 1, 40) + 1.0
    after_c = 0.7 * before_c + 3 + rng.normal(0, 1, 40)
    return frames.cohorts(before_t, after_t, before_c, after_c), (
        before_t,
        after_t,
        before_c,
        after_c,
    )


def test_estimates_follow_the_json_contract(pilot):
    frame, (before_t, after_t, before_c, after_c) = pilot
    pre_post = analyze_metric(frame, metric="kwh", design="pre_post")
    two_group = analyze_metric(frame, metric="kwh", design="two_group")
    did = analyze_metric(frame, metric="kwh", design="did")
    assert pre_post.estimate == pytest.approx(np.mean(after_t - before_t))
    assert two_group.estimate == pytest.approx(np.mean(after_t) - np.mean(after_c))
    assert did.estimate == pytest.approx(np.mean(after_t - before_t) - np.mean(after_c - before_c))
    assert (pre_post.n_test, pre_post.n_control) == (40, 0)
    assert (did.n_test, did.n_control) == (40, 40)
    assert set(did.contract_dict()) == {
        "metric",
        "design",
        "test",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "effect_size",
        "n_test",
        "n_control",
    }


def test_percent_of_baseline_counts_the_baselines_uncertainty(pilot):
    # Fieller: the bounds R are where the one-sample t-test of d_i - R * before_i sits
    # exactly at the critical value (hand derivation; scipy.stats.ttest_1samp as oracle).
    from scipy import stats as sps

    frame, (before_t, after_t, *_rest) = pilot
    result = compare_periods(frame, metric="kwh")
    assert result.baseline_mean == pytest.approx(np.mean(before_t))
    assert result.estimate_pct == pytest.approx(100 * result.estimate / np.mean(before_t))
    critical = sps.t.ppf(0.975, len(before_t) - 1)
    for bound, sign in ((result.ci_pct_low, 1.0), (result.ci_pct_high, -1.0)):
        ratio = bound / 100.0
        t = sps.ttest_1samp((after_t - before_t) - ratio * before_t, 0.0).statistic
        assert t == pytest.approx(sign * critical, rel=1e-9)
    # not the old interval, which treated the baseline mean as a known constant
    fixed = 100 * result.ci_low / np.mean(before_t)
    assert result.ci_pct_low != pytest.approx(fixed, rel=1e-6)


def test_two_group_percent_ci_inverts_the_welch_test(rng, frames):
    # Bounds R: (mean x - (1 + R) mean y) / sqrt(v_x + (1 + R)^2 v_y) = -/+ t(Welch df).
    from scipy import stats as sps

    x, y = rng.lognormal(2.0, 0.5, 14), rng.lognormal(2.2, 0.5, 11)
    result = compare_groups(frames.after_only(x, y), metric="m")
    v_x, v_y = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
    critical = sps.t.ppf(0.975, result.df)
    for bound, sign in ((result.ci_pct_low, 1.0), (result.ci_pct_high, -1.0)):
        k = 1.0 + bound / 100.0
        t = (x.mean() - k * y.mean()) / np.sqrt(v_x + k**2 * v_y)
        assert t == pytest.approx(sign * critical, rel=1e-9)
    # the CI excludes 0 exactly when the headline rejects
    assert (result.p_value < 0.05) == (result.ci_pct_low > 0 or result.ci_pct_high < 0)


def test_percent_ci_is_absent_when_the_baseline_could_be_zero(frames):
    # a baseline mean not significantly different from 0: the ratio is unbounded
    result = compare_periods(frames.paired([-3.0, 4.0, -2.0, 1.5], [1.0, 5.0, 0.0, 3.0]),
                             metric="m")
    assert result.estimate_pct is not None and result.p_value is not None
    assert result.ci_pct_low is None and result.ci_pct_high is None


def test_every_design_heads_with_a_t_test_and_keeps_the_rank_test_as_sensitivity(pilot):
    frame, _ = pilot
    for design, test, other in [
        ("pre_post", "paired_t", "wilcoxon_signed_rank"),
        ("two_group", "welch_t", "mann_whitney_u"),
        ("did", "welch_t", "mann_whitney_u"),
    ]:
        result = analyze_metric(frame, metric="kwh", design=design)
        assert result.test == test
        assert "same method" in result.test_reason and "sensitivity" in result.test_reason
        assert result.sensitivity.test == other
        assert result.sensitivity.p_value is not None
        assert result.ci_method == "t"


def test_skewed_small_samples_keep_the_mean_difference_with_its_t_interval(rng, frames):
    # Issue 8, item 3: no pre-test. Lognormal differences at n = 15 used to switch the
    # p-value to Wilcoxon and the CI to a BCa bootstrap (two estimands); now both come
    # from the paired t-test. Oracle: scipy.stats.ttest_rel and scipy.stats.wilcoxon.
    from scipy import stats as sps

    before = rng.lognormal(1, 1, 15)
    after = before * rng.lognormal(0.3, 0.8, 15)
    result = compare_periods(frames.paired(before, after), metric="trips")
    expected = sps.ttest_rel(after, before)
    interval = expected.confidence_interval(0.95)
    assert result.test == "paired_t" and result.ci_method == "t"
    assert result.estimate == pytest.approx(np.mean(after - before))
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))
    rank = sps.wilcoxon(after, before, method="exact")
    assert result.sensitivity.test == "wilcoxon_signed_rank"
    assert result.sensitivity.p_value == pytest.approx(rank.pvalue, rel=1e-9)
    assert result.sensitivity.estimate_name == "hodges_lehmann_pseudomedian"


def test_two_group_ci_is_welchs_whatever_the_shape(rng, frames):
    # Oracle: scipy.stats.ttest_ind(equal_var=False), R's t.test(x, y) default.
    from scipy import stats as sps

    x, y = rng.lognormal(0, 1.2, 12), rng.poisson(2.0, 9).astype(float)
    result = compare_groups(frames.after_only(x, y), metric="m")
    expected = sps.ttest_ind(x, y, equal_var=False)
    interval = expected.confidence_interval(0.95)
    assert result.test == "welch_t"
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))
    assert result.sensitivity.p_value == pytest.approx(
        sps.mannwhitneyu(x, y, method="asymptotic", use_continuity=True).pvalue, rel=1e-9
    )


def test_ancova_matches_ordinary_least_squares(pilot):
    smf = pytest.importorskip("statsmodels.formula.api")
    frame, (before_t, after_t, before_c, after_c) = pilot
    result = difference_in_differences(frame, metric="kwh")
    data = pd.DataFrame(
        {
            "after": np.r_[after_t, after_c],
            "before": np.r_[before_t, before_c],
            "test": np.r_[np.ones(40), np.zeros(40)],
        }
    )
    # Lin (2013): interacted model on the centred baseline, HC2 errors, t on n - 4 df
    data["centred"] = data["before"] - data["before"].mean()
    fit = smf.ols("after ~ test * centred", data).fit(cov_type="HC2", use_t=True)
    assert result.ancova_method == "lin_interacted_hc2"
    assert result.ancova_estimate == pytest.approx(fit.params["test"], rel=1e-9)
    # HC2 SE with a t on Bell-McCaffrey df, between 2 and n - 4 (test_stats_ancova.py
    # checks those df against Welch's): the CI is centred and its half-width is t * SE
    from scipy import stats

    half = (result.ancova_ci_high - result.ancova_ci_low) / 2
    assert result.ancova_ci_low + half == pytest.approx(fit.params["test"], rel=1e-9)
    quantile = half / fit.bse["test"]
    assert stats.t.isf(0.025, 80 - 4) - 1e-9 <= quantile <= stats.t.isf(0.025, 2)
    assert result.ancova_residual_sd == pytest.approx(np.sqrt(fit.scale), rel=1e-9)


def test_assignment_decides_the_criterion_basis(pilot):
    frame, _ = pilot
    random = difference_in_differences(frame, metric="kwh", assignment="random")
    volunteer = difference_in_differences(frame, metric="kwh", assignment="volunteer")
    assert random.criterion_basis == "ancova"
    assert random.primary_estimate == random.ancova_estimate
    assert random.primary_p_value == random.ancova_p_value
    assert "random assignment" in random.basis_reason
    assert volunteer.criterion_basis == "change_score"
    assert volunteer.primary_estimate == volunteer.estimate
    assert "self-select" in volunteer.basis_reason
    # the contract fields always mean the change-score DiD
    assert random.estimate == volunteer.estimate and random.p_value == volunteer.p_value


def test_excluded_participants_are_counted_with_a_reason(frames):
    frame = frames.cohorts([1, 2, 3, 4], [2, 3, 5, 5], [1, 2, 3], [1, 3, 3])
    frame = frame[~((frame.participant_id == "t0000") & (frame.period == "baseline"))]
    frame = frame[~((frame.participant_id == "c0001") & (frame.period == "intervention"))]
    result = difference_in_differences(frame, metric="m")
    reasons = {(e.cohort_role, e.reason): e.count for e in result.excluded}
    assert reasons == {
        ("test", "no reading in the baseline period"): 1,
        ("control", "no reading in the intervention period"): 1,
    }
    assert (result.n_test, result.n_control) == (3, 2)
    nan_value = frames.paired([1.0, 2.0, 3.0], [2.0, np.nan, 4.0])
    assert (
        compare_periods(nan_value, metric="m").excluded[0].reason
        == "no reading in the intervention period"
    )


def test_one_tester_keeps_the_estimate_without_inference(frames):
    result = compare_periods(frames.paired([3.0], [5.0]), metric="m")
    assert result.estimate == 2.0
    assert result.p_value is None and result.ci_low is None and result.effect_size is None
    assert result.message == "fewer than 2 testers with values in both periods: cannot test"
    assert result.test is None


def test_zero_variance_keeps_the_estimate(frames):
    result = compare_periods(frames.paired([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]), metric="m")
    assert result.estimate == 1.0
    assert result.p_value is None
    assert "no variation" in result.message
    flat = compare_groups(frames.after_only([5.0, 5.0, 5.0], [4.0, 4.0]), metric="m")
    assert flat.estimate == 1.0 and flat.p_value is None and "neither group varies" in flat.message


def test_missing_control_gives_a_message_not_an_exception(frames):
    tester_only = frames.paired([1.0, 2.0, 4.0], [2.0, 2.5, 5.0])
    for design in ("two_group", "did"):
        result = analyze_metric(tester_only, metric="m", design=design)
        assert result.estimate is None and result.p_value is None
        assert result.message.startswith("no control participant")
    one_control = pd.concat([frames.after_only([1.0, 2.0, 3.0], [2.0])])
    result = compare_groups(one_control, metric="m")
    assert result.estimate == pytest.approx(0.0)
    assert (
        result.message
        == "fewer than 2 control participants with a value in the intervention period: cannot test"
    )
    nobody = compare_periods(frames.after_only([1.0], [2.0]), metric="m")
    assert nobody.estimate is None and "no tester" in nobody.message


def test_results_are_frozen_and_json_safe(pilot):
    frame, _ = pilot
    result = difference_in_differences(frame, metric="kwh")
    with pytest.raises(AttributeError):
        result.estimate = 0.0  # type: ignore[misc]
    degenerate = compare_periods(frame.iloc[:1], metric="kwh")
    for item in (result, degenerate):
        text = json.dumps(item.to_dict(), allow_nan=False)
        assert json.loads(text)["metric"] == "kwh"
    row = result.to_frame()
    assert row.shape[0] == 1 and "sensitivity_p_value" in row.columns
    assert results_frame([result, degenerate]).shape[0] == 2
    assert list(result.summaries_frame()["period"]) == ["baseline", "intervention", "change"] * 2


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"alpha": 5}, "The 'alpha' must be in (0, 1). Got 5 instead."),
        (
            {"design": "anova"},
            "The 'design' must be one of 'pre_post', 'two_group', 'did'. Got 'anova' instead.",
        ),
        ({"better": "up"}, "The 'better' must be one of 'higher', 'lower'. Got 'up' instead."),
        ({"assignment": "lottery"}, "The 'assignment' must be one of"),
        ({"seed": -1}, "The 'seed' must be a non-negative int"),
    ],
)
def test_wrong_arguments_raise(pilot, kwargs, message):
    frame, _ = pilot
    arguments = {"metric": "kwh", "design": "did"} | kwargs
    with pytest.raises(ValueError) as error:
        analyze_metric(frame, **arguments)
    assert message in str(error.value)


def test_frames_that_break_the_contract_raise(frames):
    good = frames.paired([1.0, 2.0], [2.0, 3.0])
    with pytest.raises(ValueError, match="must have the columns"):
        compare_periods(good.drop(columns="period"), metric="m")
    with pytest.raises(ValueError, match="must hold only"):
        compare_periods(good.assign(cohort_role="treated"), metric="m")
    with pytest.raises(ValueError, match="one row per participant and period"):
        compare_periods(pd.concat([good, good.iloc[:1]]), metric="m")
    with pytest.raises(ValueError, match="must be 0 or 1"):
        compare_periods(good, metric="m", binary=True)
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        compare_periods(good.to_dict(), metric="m")
    switched = frames.paired([1.0], [2.0])
    switched.loc[switched.period == "intervention", "cohort_role"] = "control"
    with pytest.raises(ValueError, match="must belong to one cohort"):
        compare_periods(switched, metric="m")


def test_extra_attribute_columns_are_ignored(pilot):
    frame, _ = pilot
    with_attributes = frame.assign(age_band="65+", neighbourhood="Centre")
    assert analyze_metric(with_attributes, metric="kwh", design="did") == analyze_metric(
        frame, metric="kwh", design="did"
    )


def test_row_order_does_not_change_the_result(pilot):
    frame, _ = pilot
    shuffled = frame.sample(frac=1.0, random_state=3)
    assert isinstance(analyze_metric(shuffled, metric="kwh", design="did"), MetricResult)
    assert analyze_metric(shuffled, metric="kwh", design="did") == analyze_metric(
        frame, metric="kwh", design="did"
    )


def test_very_small_groups_give_the_welch_interval_of_the_change_scores(frames):
    # Oracle: scipy.stats.ttest_ind(equal_var=False) on the change scores.
    from scipy import stats as sps

    frame = frames.cohorts([1, 2, 3, 4], [2, 3, 5, 5], [1, 2, 3], [1, 3, 3])
    result = difference_in_differences(frame, metric="m")
    expected = sps.ttest_ind([1, 1, 2, 1], [0, 1, 0], equal_var=False)
    interval = expected.confidence_interval(0.95)
    assert result.test == "welch_t" and result.ci_method == "t"
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))
    assert result.sensitivity.test == "mann_whitney_u"


def test_thin_did_still_names_its_basis(frames):
    result = difference_in_differences(frames.cohorts([1, 2], [2, 3], [1], [1]), metric="m")
    assert result.message.startswith("fewer than 2 control participants")
    assert result.estimate == pytest.approx(1.0)
    assert result.criterion_basis == "change_score" and result.primary_p_value is None
