"""Lin's interacted ANCOVA with HC2 errors, and the ANCOVA vs change-score check (issue 8, item 4).

Oracles: statsmodels (``cov_type='HC2'`` for Lin's model; a stacked regression
with participant-clustered CR0 errors for the joint sandwich) and seeded
simulations through ``analyze_metric`` for the claims about bias, wrong-sign
significance, coverage and how often the disagreement flag fires.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from livinglab.stats import analyze_metric
from livinglab.stats.ancova import (
    _Fit,
    _fit,
    _joint_terms,
    _stack,
    ancova,
    compare_estimators,
    satterthwaite_df,
)

sm = pytest.importorskip("statsmodels.api")

EFFECT = 0.5


def frame(before_t, after_t, before_c, after_c) -> pd.DataFrame:
    n_t, n_c = len(before_t), len(before_c)
    ids = [f"t{i:03d}" for i in range(n_t)] + [f"c{i:03d}" for i in range(n_c)]
    return pd.DataFrame(
        {
            "participant_id": ids * 2,
            "cohort_role": (["test"] * n_t + ["control"] * n_c) * 2,
            "period": ["baseline"] * (n_t + n_c) + ["intervention"] * (n_t + n_c),
            "value": np.concatenate([before_t, before_c, after_t, after_c]),
        }
    )


def skewed_pilot(rng, n_t=12, n_c=9):
    before_t, before_c = rng.lognormal(1.0, 0.6, n_t), rng.lognormal(1.0, 0.6, n_c)
    after_t = 0.8 * before_t + rng.lognormal(0.0, 1.0, n_t) + EFFECT
    after_c = 0.6 * before_c + rng.normal(0.0, 2.0, n_c)
    return before_t, after_t, before_c, after_c


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lin_ancova_is_statsmodels_hc2_to_1e8(seed):
    arrays = skewed_pilot(np.random.default_rng(seed))
    result = ancova(*arrays)
    y, treated, before = _stack(*arrays)
    centred = before - before.mean()
    design = np.column_stack([np.ones_like(y), treated, centred, treated * centred])
    fit = sm.OLS(y, design).fit(cov_type="HC2", use_t=True)
    assert result.method == "lin_interacted_hc2"
    assert result.estimate == pytest.approx(fit.params[1], abs=1e-8)
    assert result.se == pytest.approx(fit.bse[1], abs=1e-8)
    assert result.se * result.statistic == pytest.approx(result.estimate, abs=1e-12)
    # the t reference: Bell-McCaffrey df (<= n - 4), CI = estimate -+ t(df) * HC2 SE
    assert 2 < result.df <= len(y) - 4
    margin = stats.t.ppf(0.975, result.df) * fit.bse[1]
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (fit.params[1] - margin, fit.params[1] + margin), abs=1e-8
    )
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(fit.tvalues[1]), result.df), abs=1e-8)


def test_the_satterthwaite_df_of_a_difference_in_means_is_welchs():
    # Hand derivation: with X = [1, T], a_i^2 / (1 - h_ii) = 1 / (n_g (n_g - 1)) and
    # Omega = diag(s_g^2), tr(B Omega) = sum s_g^2 / n_g and tr((B Omega)^2) =
    # sum (s_g^2 / n_g)^2 / (n_g - 1): Welch-Satterthwaite's df (scipy's ttest_ind).
    rng = np.random.default_rng(9)
    x, y = rng.lognormal(0, 1, 7), rng.normal(0, 3, 15)
    values, treated = np.r_[x, y], np.r_[np.ones(7), np.zeros(15)]
    design = np.column_stack([np.ones(22), treated])
    bread = np.linalg.inv(design.T @ design)
    coefficients = bread @ design.T @ values
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    fit = _Fit(design, coefficients, values - design @ coefficients, bread, leverage, "ols")
    welch = stats.ttest_ind(x, y, equal_var=False)
    assert satterthwaite_df(fit, treated) == pytest.approx(welch.df, rel=1e-10)


def test_a_cohort_with_a_constant_baseline_falls_back_to_the_common_slope():
    rng = np.random.default_rng(4)
    before_t, after_t, _, _ = skewed_pilot(rng)
    before_c = np.full(8, 3.0)
    after_c = rng.normal(3.0, 1.0, 8)
    result = ancova(before_t, after_t, before_c, after_c)
    y, treated, before = _stack(before_t, after_t, before_c, after_c)
    design = np.column_stack([np.ones_like(y), treated, before - before.mean()])
    fit = sm.OLS(y, design).fit(cov_type="HC2", use_t=True)
    assert result.method == "common_slope_hc2"
    assert result.estimate == pytest.approx(fit.params[1], abs=1e-8)
    assert result.se == pytest.approx(fit.bse[1], abs=1e-8)


def test_degenerate_baselines_give_a_message_not_a_traceback():
    flat = ancova(np.ones(5), np.arange(5.0), np.ones(5), np.arange(5.0) + 1)
    assert flat.estimate is None and "do not vary" in flat.message
    empty = ancova(np.ones(3), np.ones(3), np.array([]), np.array([]))
    assert empty.estimate is None and empty.message


def test_the_joint_sandwich_is_a_stacked_regression_clustered_by_participant():
    # Oracle: both models in one OLS (block-diagonal design, each participant twice),
    # CR0 errors clustered by participant: Var(ANCOVA - change score) = L V L'.
    arrays = skewed_pilot(np.random.default_rng(5))
    y, treated, before = _stack(*arrays)
    n = len(y)
    centred = before - before.mean()
    stacked = np.zeros((2 * n, 6))
    stacked[:n, :4] = np.column_stack([np.ones(n), treated, centred, treated * centred])
    stacked[n:, 4], stacked[n:, 5] = 1.0, treated
    fit = sm.OLS(np.r_[y, y - before], stacked).fit(
        cov_type="cluster",
        cov_kwds={
            "groups": np.r_[np.arange(n), np.arange(n)],
            "use_correction": False,
            "df_correction": False,
        },
    )
    contrast = np.array([0, 1, 0, 0, 0, -1.0])
    expected_se = float(np.sqrt(contrast @ fit.cov_params() @ contrast))
    terms = _joint_terms(_fit(y, treated, before), treated, y - before, leverage=False)
    assert np.sqrt(np.sum(terms**2)) == pytest.approx(expected_se, rel=1e-10)
    comparison = compare_estimators(*arrays)
    assert comparison.difference == pytest.approx(contrast @ fit.params, abs=1e-10)


def test_each_part_of_the_joint_hc2_variance_is_the_estimators_own():
    # The change score's HC2 variance is Welch's s_t^2/n_t + s_c^2/n_c; a constant
    # baseline shift makes the two estimates identical and the test silent.
    rng = np.random.default_rng(6)
    before_t, before_c = rng.normal(5, 1, 10), rng.normal(5, 1, 10)
    after_t, after_c = (
        before_t + 1.0 + rng.normal(0, 1e-12, 10),
        before_c + rng.normal(0, 1e-12, 10),
    )
    comparison = compare_estimators(before_t, after_t, before_c, after_c)
    assert comparison.difference == pytest.approx(0.0, abs=1e-9)
    assert comparison.disagree is None or comparison.disagree is False


def volunteers_after_a_high_baseline(rng, n=20):
    pool = rng.normal(10.0, 2.0, 20 * n)
    before = pool + rng.normal(0.0, 2.0, pool.size)
    after = pool + rng.normal(0.0, 2.0, pool.size)
    high = np.flatnonzero(before > 12.0)[:n]
    rest = np.setdiff1d(np.arange(pool.size), high)[:n]
    return frame(before[high], after[high] + EFFECT, before[rest], after[rest])


def level_gap_parallel_trends(rng, n=20):
    level_t, level_c = rng.normal(13.0, 2.0, n), rng.normal(10.0, 2.0, n)
    return frame(
        level_t + rng.normal(0, 2, n),
        level_t + 1.0 + EFFECT + rng.normal(0, 2, n),
        level_c + rng.normal(0, 2, n),
        level_c + 1.0 + rng.normal(0, 2, n),
    )


def simulate(make, runs, seed, assignment="volunteer"):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(runs):
        r = analyze_metric(make(rng), metric="m", design="did", assignment=assignment)
        rows.append(
            (
                r.estimate,
                r.p_value,
                r.ancova_estimate,
                r.ancova_p_value,
                r.ancova_ci_low,
                r.ancova_ci_high,
                bool(r.estimates_disagree),
            )
        )
    return np.array(rows, dtype=float)


def test_regression_to_the_mean_fools_the_change_score_not_ancova_and_is_flagged():
    # Measured at 1,000 pilots (benchmarks/did_operating.py): change score bias about -2.4,
    # significant with the wrong sign in about 60 %; ANCOVA bias about -0.1, coverage 93-95 %.
    runs = simulate(volunteers_after_a_high_baseline, 200, seed=11)
    change_bias = runs[:, 0].mean() - EFFECT
    ancova_bias = runs[:, 2].mean() - EFFECT
    assert change_bias < -1.5
    assert abs(ancova_bias) < 0.3
    assert np.mean((runs[:, 1] < 0.05) & (runs[:, 0] < 0)) > 0.4
    assert np.mean((runs[:, 3] < 0.05) & (runs[:, 2] < 0)) < 0.05
    assert runs[:, 6].mean() > 0.3  # the two estimates are flagged as disagreeing


def test_a_level_gap_with_parallel_trends_fools_ancova_not_the_change_score():
    runs = simulate(level_gap_parallel_trends, 200, seed=12)
    assert abs(runs[:, 0].mean() - EFFECT) < 0.3
    assert runs[:, 2].mean() - EFFECT > 1.0
    assert runs[:, 6].mean() > 0.3


def test_volunteers_use_the_change_score_with_ancova_as_the_bracket():
    data = volunteers_after_a_high_baseline(np.random.default_rng(13))
    volunteer = analyze_metric(data, metric="m", design="did", assignment="volunteer")
    random = analyze_metric(data, metric="m", design="did", assignment="random")
    assert volunteer.criterion_basis == "change_score"
    assert (volunteer.bracket_basis, volunteer.bracket_estimate) == (
        "ancova",
        volunteer.ancova_estimate,
    )
    assert random.criterion_basis == "ancova"
    assert (random.bracket_basis, random.bracket_estimate) == ("change_score", random.estimate)
    assert volunteer.estimates_disagree is True
    assert any("parallel" in note for note in volunteer.notes)


def test_lin_hc2_covers_when_the_smaller_arm_has_twice_the_residual_sd():
    # The former pooled-SE ANCOVA covered 84-85 % here, HC2 on n - 4 df 92.4 %, HC2 with the
    # Bell-McCaffrey df 94.8 % (3,000 pilots, benchmarks/did_operating.py).
    def unequal(rng):
        before_t, before_c = rng.normal(10, 2, 10), rng.normal(10, 2, 30)
        return frame(
            before_t,
            0.8 * before_t + 2 + EFFECT + rng.normal(0, 2, 10),
            before_c,
            0.8 * before_c + 2 + rng.normal(0, 1, 30),
        )

    runs = simulate(unequal, 400, seed=14, assignment="random")
    coverage = np.mean((runs[:, 4] <= EFFECT) & (EFFECT <= runs[:, 5]))
    assert 0.93 <= coverage <= 0.97
    assert runs[:, 6].mean() <= 0.06  # the flag fires no more than alpha under randomisation


def test_the_satterthwaite_df_equals_the_n_by_n_formula_without_its_cost():
    # Bell & McCaffrey (2002): nu = tr(B Omega)^2 / tr(B Omega B Omega), B = M A M, written
    # here with the n x n matrices; the package computes it in O(n p^2) (10,000 households
    # per arm would need 3 GB matrices otherwise).
    from livinglab.stats.ancova import _fit, satterthwaite_df

    rng = np.random.default_rng(11)
    for n_t, n_c, sd in [(10, 30, 2.0), (12, 12, 1.0), (120, 90, 1.5), (3, 20, 1.0)]:
        baseline = rng.lognormal(1.0, 0.5, n_t + n_c)
        treated = np.r_[np.ones(n_t), np.zeros(n_c)]
        noise = rng.normal(0.0, 1.0, n_t + n_c) * np.where(treated == 1, sd, 1.0)
        fit = _fit(0.8 * baseline + 0.3 * treated + noise, treated, baseline)
        n = len(treated)
        residual_maker = np.eye(n) - fit.design @ fit.bread @ fit.design.T
        weights = (fit.bread[1] @ fit.design.T) ** 2 / (1.0 - fit.leverage)
        variance = np.empty(n)
        for mask in (treated == 1, treated == 0):
            half = fit.design.shape[1] / 2.0
            variance[mask] = np.sum(fit.residuals[mask] ** 2) / (mask.sum() - half)
        b_omega = (residual_maker * weights) @ residual_maker * variance
        expected = np.trace(b_omega) ** 2 / np.sum(b_omega * b_omega.T)
        assert satterthwaite_df(fit, treated) == pytest.approx(expected, rel=1e-10)
