"""Effects by subgroup: seniors first, small groups never shown, interaction tested."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from decision_factories import (
    SUS,
    criteria,
    make_pilot,
    metric_result,
    participants_of,
    sus_answers,
    values_frame,
)

from livinglab.decision import decide
from livinglab.decision.equity import (
    equity_by_subgroup,
    interaction_test,
    order_attributes,
    order_groups,
    resolve,
    score_answers,
)
from livinglab.decision.privacy import suppression
from livinglab.spec.models import Instrument

PILOT = make_pilot()
AGES = ["35-64"] * 12 + ["18-34"] * 8 + ["65-74"] * 7 + ["75+"] * 3  # cycled per cohort


# --- suppression ------------------------------------------------------------------------


def test_one_small_group_hides_the_next_smallest_too():
    # people per group (testers, control)
    cells = [[10, 12], [3, 8], [7, 9], [20, 20]]
    assert suppression(cells) == [None, "small_group", "complementary", None]


def test_two_small_groups_that_add_up_to_five_need_no_complement():
    assert suppression([3, 4, 10, 20]) == ["small_group", "small_group", None, None]


def test_small_groups_adding_up_to_fewer_than_five_hide_one_more():
    assert suppression([1, 2, 10, 20]) == ["small_group", "small_group", "complementary", None]


def test_empty_cells_and_large_groups_are_shown():
    assert suppression([[0, 10], [12, 0], [5, 5]]) == [None, None, None]
    assert suppression([4]) == ["small_group"]


# --- groups ----------------------------------------------------------------------------


def test_seniors_come_first():
    assert order_groups(["18-34", "75+", "unknown", "35-64", "65-74"]) == [
        "65-74", "75+", "18-34", "35-64", "unknown"]
    assert order_attributes(["neighbourhood", "age_band"]) == ["age_band", "neighbourhood"]


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [("65-74", {"65-74"}), ("65+", {"65-74", "75+"}), (["65-74", "75+"], {"65-74", "75+"}),
     ("65-74, 75+", {"65-74", "75+"}), ("centre", set())],
)
def test_subgroup_values(wanted, chosen):
    assert resolve(["18-34", "35-64", "65-74", "75+"], wanted) == chosen


# --- effects by subgroup -----------------------------------------------------------------


def test_equity_suppresses_small_groups_and_their_complement():
    rng = np.random.default_rng(11)
    values = values_frame(rng, effect=-1.0, attributes={"age_band": AGES})
    equity = equity_by_subgroup(PILOT, values_by_metric={"kwh": values}, seed=1)
    rows = [e for e in equity.effects if e.attribute == "age_band"]
    assert [e.group for e in rows] == ["65-74", "75+", "18-34", "35-64"]
    by_group = {e.group: e for e in rows}
    assert by_group["75+"].suppression == "small_group"
    assert by_group["65-74"].suppression == "complementary"
    for hidden in ("75+", "65-74"):
        effect = by_group[hidden]
        assert effect.suppressed and effect.senior
        assert (effect.estimate, effect.ci_low, effect.n_test, effect.n_control) == (
            None, None, None, None)
    shown = by_group["35-64"]
    assert (shown.n_test, shown.n_control, shown.basis) == (12, 12, "ancova")
    assert shown.estimate == pytest.approx(-1.0, abs=0.5)
    frame = equity.to_frame()
    assert frame.loc[frame["suppressed"], "n_test"].isna().all()


def interaction_rows(rng: np.random.Generator, senior_effect: float) -> pd.DataFrame:
    n = 40
    group = np.repeat(["65-74", "18-34"], n)
    role = np.tile(np.repeat(["test", "control"], n // 2), 2)
    y = rng.normal(0, 1, 2 * n) + np.where(role == "test", -0.5, 0.0)
    y += np.where((role == "test") & (group == "65-74"), senior_effect, 0.0)
    return pd.DataFrame({"cohort_role": role, "_group": group, "y": y})


def test_the_interaction_f_test_matches_statsmodels():
    smf = pytest.importorskip("statsmodels.formula.api")
    anova_lm = pytest.importorskip("statsmodels.stats.anova").anova_lm
    rows = interaction_rows(np.random.default_rng(2), senior_effect=-1.5)
    test = interaction_test(rows, design="did", metric="kwh", attribute="age_band")
    full = smf.ols("y ~ C(cohort_role) * C(_group)", data=rows).fit()
    reduced = smf.ols("y ~ C(cohort_role) + C(_group)", data=rows).fit()
    reference = anova_lm(reduced, full)
    assert test.statistic == pytest.approx(reference["F"].iloc[1], rel=1e-9)
    assert test.p_value == pytest.approx(reference["Pr(>F)"].iloc[1], rel=1e-9)
    assert (test.df_num, test.df_den) == (1, 76)
    assert test.p_value < 0.001


def _welch_by_hand(samples: list[np.ndarray]) -> tuple[float, float, float]:
    """Welch (1951), as R's oneway.test(var.equal = FALSE): w = n / s^2,
    F = [sum w (m - M_w)^2 / (k - 1)] / [1 + 2 (k - 2) / (k^2 - 1) * L],
    L = sum (1 - w / W)^2 / (n - 1), df2 = (k^2 - 1) / (3 L)."""
    from scipy import stats as sps

    k = len(samples)
    n = np.array([len(x) for x in samples], float)
    means = np.array([x.mean() for x in samples])
    w = n / np.array([x.var(ddof=1) for x in samples])
    grand = (w * means).sum() / w.sum()
    lam = ((1 - w / w.sum()) ** 2 / (n - 1)).sum()
    f = ((w * (means - grand) ** 2).sum() / (k - 1)) / (1 + 2 * (k - 2) / (k**2 - 1) * lam)
    df2 = (k**2 - 1) / (3 * lam)
    return f, df2, float(sps.f.sf(f, k - 1, df2))


def test_pre_post_differences_across_groups_use_welchs_anova():
    rng = np.random.default_rng(4)
    # unequal spreads: the equal-variance F-test is what this replaces
    samples = [rng.normal(0, sd, n) for sd, n in ((0.5, 8), (1.0, 12), (3.0, 10))]
    rows = pd.DataFrame({"cohort_role": "test", "_group": np.repeat(["a", "b", "c"], [8, 12, 10]),
                         "y": np.concatenate(samples)})
    test = interaction_test(rows, design="pre_post", metric="m", attribute="x")
    f, df2, p = _welch_by_hand(samples)
    assert test.test == "welch_anova_changes" and test.df_num == 2
    assert (test.statistic, test.df_den, test.p_value) == pytest.approx((f, df2, p), rel=1e-9)
    constant = rows.assign(y=np.where(rows["_group"] == "a", 1.0, rows["y"]))
    undefined = interaction_test(constant, design="pre_post", metric="m", attribute="x")
    assert undefined.p_value is None and "do not vary" in undefined.message


def test_null_pilots_rarely_show_a_significant_subgroup_once_adjusted():
    # 60 randomised did pilots with no effect anywhere, 12 subgroups (4 age bands and
    # 8 neighbourhoods) of 60 + 60 households: each group's own 95 % interval excludes 0
    # in about 40 % of pilots somewhere; the Bonferroni-adjusted one in at most alpha.
    from livinglab.decision.equity import equity_by_subgroup

    rng = np.random.default_rng(12)
    hoods = [f"q{i}" for i in range(8)]
    pilot = make_pilot()
    raw = adjusted = different = 0
    pilots = 60
    for _ in range(pilots):
        values = values_frame(rng, effect=0.0, n_test=60, n_control=60, noise=1.0,
                              attributes={"age_band": AGES, "neighbourhood": hoods})
        equity = equity_by_subgroup(pilot, values_by_metric={"kwh": values}, seed=1,
                                    metrics=["kwh"])
        shown = [e for e in equity.effects if e.adjusted_ci_low is not None]
        assert len(shown) == 12
        raw += any(e.ci_low > 0 or e.ci_high < 0 for e in shown)
        adjusted += any(e.significant for e in shown)
        different += any(e.differs for e in shown)
    assert raw / pilots >= 0.3  # what was shown before
    assert adjusted / pilots <= 0.05 + 0.02
    assert different / pilots <= 2 * 0.05 + 0.03  # two interaction tests at alpha each


def test_a_subgroup_criterion_is_judged_on_its_subgroup():
    rng = np.random.default_rng(7)
    values = values_frame(rng, effect=-1.0, noise=0.3, attributes={"age_band": AGES})
    seniors = {"metric": "kwh", "must": "improve", "subgroup": {"age_band": "65+"}}
    pilot = make_pilot(decision=criteria(seniors))
    decision = decide(pilot, metric_results=[metric_result()], values_by_metric={"kwh": values})
    (outcome,) = decision.criteria
    assert (outcome.n_test, outcome.n_control) == (10, 10)  # 65-74 and 75+ together
    assert outcome.status == "pass"
    assert "tranche d'âge 65+" in outcome.reason_fr
    only_oldest = {**seniors, "subgroup": {"age_band": "75+"}}
    hidden = decide(make_pilot(decision=criteria(only_oldest)), metric_results=[metric_result()],
                    values_by_metric={"kwh": values}).criteria[0]
    assert (hidden.status, hidden.code, hidden.estimate) == ("inconclusive", "small_group", None)


# --- surveys by subgroup -------------------------------------------------------------------


def survey_setup():
    rng = np.random.default_rng(21)
    values = values_frame(rng, attributes={"age_band": AGES})
    people = participants_of(values)
    testers = people[people["cohort_role"] == "test"]
    return values, people, sus_answers(testers, rng), {"sus": Instrument.model_validate(SUS)}


def test_a_survey_criterion_on_seniors_is_scored_on_their_answers():
    values, people, answers, instruments = survey_setup()
    overall = {"survey": "sus", "must": "reach", "threshold": 68}
    seniors = {**overall, "subgroup": {"age_band": "65-74, 75+"}}  # spec: str values
    pilot = make_pilot(decision=criteria(overall, seniors))
    everyone = score_answers(answers, instrument=instruments["sus"], wave="after", alpha=0.05)
    decision = decide(pilot, metric_results={}, survey_results=[everyone], participants=people,
                      survey_answers=answers, instruments=instruments)
    first, second = decision.criteria
    assert first.n_test == 30 and first.estimate == pytest.approx(everyone.score)
    assert (second.n_test, second.status) == (10, "fail")  # seniors score about 50
    assert second.estimate < 60 < first.estimate
    assert decision.verdict == "no_go"


def test_survey_scores_by_subgroup_hide_small_groups():
    values, people, answers, instruments = survey_setup()
    equity = equity_by_subgroup(PILOT, values_by_metric={"kwh": values}, participants=people,
                                seed=1, survey_answers=answers, instruments=instruments)
    rows = {s.group: s for s in equity.scores if s.attribute == "age_band"}
    assert list(rows) == ["65-74", "75+", "18-34", "35-64"]
    assert rows["75+"].suppression == "small_group" and rows["75+"].score is None
    assert rows["65-74"].suppression == "complementary" and rows["65-74"].n is None
    assert (rows["35-64"].n, rows["18-34"].n) == (12, 8)
    assert rows["35-64"].score > 68


def test_survey_scores_by_subgroup_are_each_groups_own_score():
    # Oracle: score_survey (through score_answers) on the group's own answers, as each
    # group was scored before the answers were tabulated once per wave; with a missing
    # answer, so that one respondent is left out of the SUS
    values, people, answers, instruments = survey_setup()
    answers = answers.drop(index=answers.index[3]).reset_index(drop=True)
    equity = equity_by_subgroup(PILOT, values_by_metric={"kwh": values}, participants=people,
                                seed=1, survey_answers=answers, instruments=instruments)
    bands = people.set_index("participant_id")["age_band"]
    shown = [s for s in equity.scores if s.attribute == "age_band" and not s.suppressed]
    assert {s.group for s in shown} == {"18-34", "35-64"}
    for score in shown:
        mine = answers[answers["participant_id"].map(bands) == score.group]
        oracle = score_answers(mine, instrument=instruments["sus"], wave="after", alpha=0.05)
        assert oracle is not None
        assert (score.n, score.message) == (oracle.n, oracle.message)
        assert (score.score, score.ci_low, score.ci_high) == pytest.approx(
            (oracle.score, oracle.ci_low, oracle.ci_high), rel=1e-12)
    assert sum(s.n for s in shown) < 20  # the respondent without every SUS item is out
