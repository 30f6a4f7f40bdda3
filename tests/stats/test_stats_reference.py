"""livinglab.stats against the R reference (shared/reference/reference.json).

Each test names the R call it reproduces. Expected numbers are read from the
JSON; tolerances: 1e-6 relative where R is exact, pwr's n at 1e-3 (pwr solves
to ~1e-4; we compare with the *_tight re-solve at 1e-6), ceilings exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from livinglab.stats import (
    adjust_p_values,
    analyze_metric,
    cohen_h,
    compare_groups,
    compare_periods,
    cronbach_alpha,
    power_analysis,
    score_survey,
    tost,
)
from livinglab.stats.binary import fisher_test, prop_test
from livinglab.stats.effects import hedges_j
from livinglab.stats.ranks import wilcoxon_signed_rank

RTOL = 1e-6


def close(expected: float, rel: float = RTOL) -> object:
    return pytest.approx(expected, rel=rel, abs=1e-12)


def sensitivity_check(result, test: str):
    """The sensitivity TestResult of ``test`` (the rank test beside the t headline)."""
    assert result.sensitivity.test == test
    return {
        "statistic": result.sensitivity.statistic,
        "p_value": result.sensitivity.p_value,
        "df": result.sensitivity.df,
        "ci_low": result.sensitivity.ci_low,
        "ci_high": result.sensitivity.ci_high,
        "estimate": result.sensitivity.estimate,
    }


@pytest.fixture(scope="module")
def sleep(reference_data):
    """Sleep data as a pre_post frame: after = group 1, before = group 2 (d = x1 - x2)."""
    data = reference_data("r_sleep.csv")
    return pd.DataFrame(
        {
            "participant_id": data["ID"].astype(str),
            "cohort_role": "test",
            "period": np.where(data["group"] == 1, "intervention", "baseline"),
            "value": data["extra"],
        }
    )


@pytest.fixture(scope="module")
def sleep_pairs(reference_data):
    data = reference_data("r_sleep.csv").sort_values(["group", "ID"])
    return data[data.group == 1].extra.to_numpy(), data[data.group == 2].extra.to_numpy()


def test_paired_t_matches_r_sleep(reference, sleep):
    # R: t.test(x1, x2, paired = TRUE)
    r = reference["sleep_paired_t"]["r"]
    result = compare_periods(sleep, metric="sleep")
    t = result
    assert t.test == "paired_t" and t.ci_method == "t"
    assert result.estimate == close(r["estimate"])
    assert t.statistic == close(r["statistic"])
    assert t.df == r["df"]
    assert t.p_value == close(r["p_value"])
    assert t.ci_low == close(r["ci_low"])
    assert t.ci_high == close(r["ci_high"])
    assert result.n_test == r["n_pairs"]
    assert result.sd_test == close(r["sd_diff"])


def test_paired_effect_sizes_match_r_sleep(reference, sleep):
    # R: mean(d)/sd(d); d_z*(1-3/(4*(n-1)-1))
    r = reference["sleep_paired_effect_sizes"]["r"]
    result = compare_periods(sleep, metric="sleep")
    assert result.effect_size_name == "hedges_g_z"
    assert result.effect_size == close(r["hedges_g_z"])
    assert result.effect_size / hedges_j(result.n_test - 1) == close(r["cohen_d_z"])
    assert hedges_j(9) == close(r["J_approx_df9"])


def test_wilcoxon_normal_approximation_matches_r_sleep(reference, sleep, sleep_pairs):
    # R: wilcox.test(x1, x2, paired=TRUE, exact=FALSE, correct=TRUE)  (R's default with ties/zeros)
    r = reference["sleep_wilcoxon_signed_rank"]["r"]
    result = compare_periods(sleep, metric="sleep")
    wilcoxon = sensitivity_check(result, "wilcoxon_signed_rank")
    assert wilcoxon["statistic"] == r["V"]
    assert wilcoxon["p_value"] == close(r["p_value_normal_cc"])
    x1, x2 = sleep_pairs
    # R: wilcox.test(x1, x2, paired=TRUE, exact=FALSE, correct=FALSE)
    assert wilcoxon_signed_rank(x1 - x2, correct=False).p_value == close(r["p_value_normal_nocc"])
    assert wilcoxon_signed_rank(x1 - x2).n == r["n_nonzero"]


def test_wilcoxon_exact_and_hodges_lehmann_match_r(reference, reference_data):
    # R: wilcox.test(aug, jan, paired=TRUE, exact=TRUE, conf.int=TRUE)
    r = reference["mixed_control_wilcoxon_exact"]["r"]
    data = reference_data("pingouin_mixed_anova.csv")
    control = data[(data.Group == "Control") & data.Time.isin(["August", "January"])]
    frame = pd.DataFrame(
        {
            "participant_id": control["Subject"].astype(str),
            "cohort_role": "test",
            "period": np.where(control["Time"] == "August", "intervention", "baseline"),
            "value": control["Scores"],
        }
    )
    result = compare_periods(frame, metric="scores")
    wilcoxon = result.sensitivity
    assert wilcoxon.test == "wilcoxon_signed_rank"
    assert wilcoxon.statistic == r["V"]
    assert wilcoxon.p_value == close(r["p_value_exact"])
    assert wilcoxon.estimate == close(r["hodges_lehmann"])
    assert wilcoxon.ci_low == close(r["ci_low"])
    assert wilcoxon.ci_high == close(r["ci_high"])
    assert result.n_test == r["n_pairs"]
    differences = (
        control[control.Time == "August"].sort_values("Subject")["Scores"].to_numpy()
        - control[control.Time == "January"].sort_values("Subject")["Scores"].to_numpy()
    )
    # R: wilcox.test(aug, jan, paired=TRUE, exact=FALSE, correct=TRUE / FALSE)
    assert wilcoxon_signed_rank(differences, exact=False).p_value == close(r["p_value_normal_cc"])
    assert wilcoxon_signed_rank(differences, exact=False, correct=False).p_value == close(
        r["p_value_normal_nocc"]
    )


def test_tost_matches_r_sleep(reference, sleep_pairs):
    # R: t.test(x1, x2, paired=TRUE, mu=-0.5, alternative='greater');
    #    t.test(x1, x2, paired=TRUE, mu=0.5, alternative='less'); conf.level=0.90
    r = reference["sleep_tost_paired"]["r"]
    x1, x2 = sleep_pairs
    result = tost(x1, x2, low=-0.5, high=0.5, paired=True, alpha=0.05)
    assert result.estimate == close(r["estimate"])
    assert result.df == r["df"]
    assert result.t_lower == close(r["t_lower"])
    assert result.p_lower == close(r["p_lower"])
    assert result.t_upper == close(r["t_upper"])
    assert result.p_upper == close(r["p_upper"])
    assert result.p_value == close(r["p_value"])
    assert result.statistic == close(r["statistic"])
    assert result.ci_low == close(r["ci90_low"])
    assert result.ci_high == close(r["ci90_high"])
    assert result.shown is r["equivalent"]


def test_cronbach_alpha_with_feldt_ci_matches_r(reference, reference_data):
    # R: psych::alpha(items)$total$raw_alpha; Feldt CI via qf()
    r = reference["cronbach_alpha"]["r"]
    data = reference_data("pingouin_cronbach_alpha.csv")
    wide = data.pivot(index="Subj", columns="Items", values="Scores")
    result = cronbach_alpha(wide)
    assert result.alpha == close(r["alpha"])
    assert result.ci_low == close(r["ci_low"])
    assert result.ci_high == close(r["ci_high"])
    assert (result.n_respondents, result.n_items) == (r["n_subjects"], r["n_items"])
    answers = data.rename(columns={"Subj": "participant_id", "Items": "item", "Scores": "answer"})
    survey = score_survey(
        answers,
        instrument="q",
        items=sorted(data.Items.unique()),
        scale_min=1,
        scale_max=7,
        scoring="mean",
    )
    assert survey.cronbach_alpha == close(r["alpha"])
    assert survey.alpha_ci_low == close(r["ci_low"])


@pytest.fixture(scope="module")
def heart(reference_data):
    """Heart data as a binary two_group frame: test = sex 0, control = sex 1, value = target 0."""
    data = reference_data("pingouin_chi2_independence.csv")
    return pd.DataFrame(
        {
            "participant_id": [f"h{i}" for i in range(len(data))],
            "cohort_role": np.where(data["sex"] == 0, "test", "control"),
            "period": "intervention",
            "value": (data["target"] == 0).astype(float),
        }
    )


def test_two_proportion_chi_square_matches_r_heart(reference, heart):
    # R: chisq.test(table(sex, target), correct=TRUE)  (= prop.test on the two rows)
    r = reference["chi2_independence_heart_sex_target"]["r"]
    result = compare_groups(heart, metric="heart", binary=True)
    assert result.test == "prop_test_chi2_cc"
    assert result.statistic == close(r["statistic"])
    assert result.df == r["df"]
    assert result.p_value == close(r["p_value"])
    a, b, c, d = r["table"]
    assert result.estimate == close(a / (a + b) - c / (c + d))
    # R: chisq.test(table(sex, target), correct=FALSE)
    uncorrected = prop_test(a, a + b, c, c + d, correct=False)
    assert uncorrected.statistic == close(r["statistic_nocc"])
    assert uncorrected.p_value == close(r["p_value_nocc"])


def test_fisher_exact_matches_r(reference, heart):
    # R: fisher.test(table(sex, target)); fisher.test(table(am, vs))
    heart_r = reference["chi2_independence_heart_sex_target"]["r"]
    result = compare_groups(heart, metric="heart", binary=True)
    assert result.sensitivity.test == "fisher_exact"
    assert result.sensitivity.p_value == close(heart_r["fisher_p_value"])
    assert result.sensitivity.estimate == close(heart_r["fisher_or_cond_mle_tight"])
    a, b, c, d = heart_r["table"]
    fisher = fisher_test(a, a + b, c, c + d)
    assert fisher.ci_low == close(heart_r["fisher_ci_low_tight"])
    assert fisher.ci_high == close(heart_r["fisher_ci_high_tight"])
    cars = reference["mtcars_fisher_am_vs"]["r"]
    a, b, c, d = cars["table"]
    fisher = fisher_test(a, a + b, c, c + d)
    assert fisher.p_value == close(cars["p_value"])
    assert fisher.estimate == close(cars["estimate_tight"])
    assert fisher.ci_low == close(cars["ci_low_tight"])
    assert fisher.ci_high == close(cars["ci_high_tight"])
    # R's own loose uniroot values agree to ~1e-4 only (see the reference notes)
    assert fisher.ci_high == pytest.approx(cars["ci_high"], rel=1e-4)


def test_welch_t_matches_r_toothgrowth(reference, reference_data):
    # R: t.test(len ~ supp, data = ToothGrowth)   # Welch; OJ minus VC
    r = reference["toothgrowth_welch_t"]["r"]
    data = reference_data("r_ToothGrowth.csv")
    frame = pd.DataFrame(
        {
            "participant_id": [f"g{i}" for i in range(len(data))],
            "cohort_role": np.where(data["supp"] == "OJ", "test", "control"),
            "period": "intervention",
            "value": data["len"],
        }
    )
    result = analyze_metric(frame, metric="len", design="two_group")
    assert result.test == "welch_t"  # n = 30 per group: t-test by the CLT rule
    assert result.estimate == close(r["estimate"])
    assert result.statistic == close(r["statistic"])
    assert result.df == close(r["df"])
    assert result.p_value == close(r["p_value"])
    assert result.ci_low == close(r["ci_low"])
    assert result.ci_high == close(r["ci_high"])


@pytest.mark.parametrize("design,key", [("paired", "n_paired"), ("two_sample", "n_two_sample")])
@pytest.mark.parametrize("effect,suffix", [(0.3, "d03"), (0.5, "d05")])
def test_power_t_sample_size_matches_pwr(reference, design, key, effect, suffix):
    # R: pwr.t.test(d=0.3|0.5, power=0.8, sig.level=0.05, type='paired'|'two.sample')
    r = reference["power_t_tests"]["r"]
    result = power_analysis(effect=effect, power=0.8, alpha=0.05, design=design)
    assert result.n == pytest.approx(r[f"{key}_{suffix}"], rel=1e-3)
    assert result.n == close(r[f"{key}_{suffix}_tight"])
    assert result.n_ceiling == r[f"{key}_{suffix}_ceiling"]


@pytest.mark.parametrize(
    "design,key", [("paired", "power_paired_n50_d04"), ("two_sample", "power_two_sample_n50_d04")]
)
def test_power_t_power_matches_pwr(reference, design, key):
    # R: pwr.t.test(n=50, d=0.4, sig.level=0.05, type='paired'|'two.sample')
    r = reference["power_t_tests"]["r"]
    assert power_analysis(effect=0.4, n=50, design=design).power == close(r[key])


def test_power_two_proportions_matches_pwr(reference):
    # R: h <- ES.h(0.30, 0.20); pwr.2p.test(h=h, power=0.8); pwr.2p.test(h=h, n=200)
    r = reference["power_two_proportions"]["r"]
    h = cohen_h(0.30, 0.20)
    assert h == close(r["cohen_h"])
    sized = power_analysis(effect=h, power=0.8, design="two_proportions")
    assert sized.n == close(r["n_per_group_tight"])
    assert sized.n == pytest.approx(r["n_per_group"], rel=1e-3)
    assert sized.n_ceiling == r["n_per_group_ceiling"]
    assert power_analysis(effect=h, n=200, design="two_proportions").power == close(r["power_n200"])


@pytest.mark.parametrize("method", ["holm", "bh", "bonferroni", "by"])
def test_p_adjust_matches_r(reference, method):
    # R: p.adjust(p, 'holm'|'BH'|'bonferroni'|'BY')
    r = reference["p_adjust_holm_bh"]["r"]
    adjusted = adjust_p_values(r["p"], method=method)
    np.testing.assert_allclose(adjusted, r[method], rtol=1e-12, atol=1e-15)
    if method in ("holm", "bh"):
        assert int(np.sum(adjusted < 0.05)) == r[f"n_reject_{method}_005"]


def test_sus_scoring_matches_r(reference, reference_data):
    # R: ((rowSums(it[,c(1,3,5,7,9)] - 1) + rowSums(5 - it[,c(2,4,6,8,10)])) * 2.5)
    r = reference["sus_scoring"]["r"]
    data = reference_data("sus_handmade.csv")
    answers = data.melt(id_vars="respondent", var_name="item", value_name="answer").rename(
        columns={"respondent": "participant_id"}
    )
    items = [f"Q{i}" for i in range(1, 11)]
    from livinglab.stats.surveys import item_table, respondent_scores

    table = item_table(answers, items=items, reversed_items=items[1::2], scale_min=1, scale_max=5)
    scores = respondent_scores(table, scoring="sus", scale_min=1, scale_max=5)
    assert scores.loc[["R1", "R2", "R3", "R4", "R5"]].tolist() == r["scores"]
    result = score_survey(
        answers,
        instrument="sus",
        items=items,
        reversed_items=items[1::2],
        scale_min=1,
        scale_max=5,
        scoring="sus",
    )
    assert result.score == close(r["mean"])
    assert result.sd == close(r["sd"])
    assert result.n == 5
