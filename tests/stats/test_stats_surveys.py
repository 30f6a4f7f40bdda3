"""Survey scoring: SUS grades, NPS, Likert composites, reliability, response rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from livinglab.stats import (
    compare_waves,
    response_rate,
    response_rates,
    score_survey,
    sus_grade,
    sus_percentile,
)

SUS_ITEMS = [f"sus{i}" for i in range(1, 11)]


def long_answers(table: dict[str, list[float]], items: list[str]) -> pd.DataFrame:
    rows = [
        (pid, item, answer)
        for pid, answers in table.items()
        for item, answer in zip(items, answers, strict=True)
        if answer is not None
    ]
    return pd.DataFrame(rows, columns=["participant_id", "item", "answer"])


@pytest.mark.parametrize(
    "score,grade",
    [
        (100, "A+"),
        (84.1, "A+"),
        (84.0, "A"),
        (80.8, "A"),
        (80.7, "A-"),
        (78.9, "A-"),
        (78.8, "B+"),
        (77.2, "B+"),
        (77.1, "B"),
        (74.1, "B"),
        (74.0, "B-"),
        (72.6, "B-"),
        (72.5, "C+"),
        (71.1, "C+"),
        (71.0, "C"),
        (65.0, "C"),
        (64.9, "C-"),
        (62.7, "C-"),
        (62.6, "D"),
        (51.7, "D"),
        (51.6, "F"),
        (0, "F"),
    ],
)
def test_sus_curved_grading_scale(score, grade):
    # Sauro & Lewis (2016), Table 8.5
    assert sus_grade(score) == grade


def test_sus_percentile_interpolates_sauro_lewis_table():
    # Sauro & Lewis (2016), Table 8.5: each grade's lower bound has a published rank
    assert sus_percentile(51.7) == pytest.approx(15.0)
    assert sus_percentile(74.1) == pytest.approx(70.0)
    assert sus_percentile(80.8) == pytest.approx(90.0)
    assert sus_percentile(84.1) == pytest.approx(96.0)
    # hand interpolation inside grade C (65.0 -> 41, 71.1 -> 60)
    assert sus_percentile(68.0) == pytest.approx(41 + (68.0 - 65.0) / (71.1 - 65.0) * 19)
    # not the normal curve (mean 68, SD 12.5), which puts 80.8 at the 85th percentile
    assert abs(sus_percentile(80.8) - 100 * stats.norm.cdf((80.8 - 68) / 12.5)) > 5
    grid = np.linspace(0, 100, 1001)
    assert np.all(np.diff([sus_percentile(x) for x in grid]) >= 0)
    with pytest.raises(ValueError, match="must be in"):
        sus_percentile(101.0)


def test_sus_mean_grade_and_t_interval():
    answers = long_answers(
        {
            "a": [4, 2, 4, 2, 4, 2, 4, 2, 4, 2],
            "b": [5, 1, 5, 1, 5, 1, 5, 1, 5, 1],
            "c": [4, 1, 5, 2, 4, 2, 5, 1, 4, 3],
            "d": [5, 2, 4, 1, 4, 1, 5, 2, 5, 1],
            "e": [4, 2, 4, None, 4, 2, 4, 2, 4, 2],  # incomplete: left out
        },
        SUS_ITEMS,
    )
    result = score_survey(
        answers,
        instrument="sus",
        items=SUS_ITEMS,
        reversed_items=SUS_ITEMS[1::2],
        scale_min=1,
        scale_max=5,
        scoring="sus",
        wave="after",
    )
    scores = np.array([75.0, 100.0, 82.5, 90.0])
    assert result.score == pytest.approx(scores.mean()) and result.n == 4 and result.n_excluded == 1
    t = stats.ttest_1samp(scores, 0).confidence_interval()
    assert (result.ci_low, result.ci_high) == pytest.approx((t.low, min(t.high, 100.0)))  # clipped
    assert result.grade == sus_grade(scores.mean())
    assert result.percentile == pytest.approx(sus_percentile(scores.mean()))
    assert result.cronbach_alpha is not None
    assert set(result.contract_dict()) == {
        "instrument",
        "wave",
        "score",
        "ci_low",
        "ci_high",
        "n",
        "cronbach_alpha",
    }


def test_nps_with_the_adjusted_wald_interval():
    answers = long_answers(
        {f"r{i}": [a] for i, a in enumerate([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])}, ["nps"]
    )
    result = score_survey(
        answers, instrument="nps", items=["nps"], scale_min=0, scale_max=10, scoring="nps"
    )
    assert result.score == pytest.approx(20.0)
    assert (result.promoters, result.passives, result.detractors) == pytest.approx((0.5, 0.2, 0.3))
    # by hand: n' = 13, p' = 5.75/13, d' = 3.75/13 (Sauro & Lewis: +3 responses, 3/4 each)
    p, d = 5.75 / 13, 3.75 / 13
    margin = 1.959963984540054 * np.sqrt((p + d - (p - d) ** 2) / 13)
    assert (result.ci_low, result.ci_high) == pytest.approx((100 * (p - d - margin),
                                                             100 * (p - d + margin)))
    assert result.cronbach_alpha is None


def test_nps_interval_exists_when_everyone_is_a_promoter():
    answers = long_answers({f"r{i}": [10] for i in range(10)}, ["nps"])
    result = score_survey(
        answers, instrument="nps", items=["nps"], scale_min=0, scale_max=10, scoring="nps"
    )
    assert result.score == 100.0
    assert result.ci_high == 100.0 and result.ci_low is not None and result.ci_low < 80.0


@pytest.mark.parametrize("n", [10, 20, 30])
def test_nps_adjusted_wald_covers_about_95_percent(n):
    # Exact coverage: sum the trinomial probability of every outcome whose interval holds
    # the true NPS (no simulation). Plain Wald covered 80-91 % at n = 10 on these shares.
    from livinglab.stats.norms import nps_interval

    shares = [(0.5, 0.2), (0.3, 0.3), (0.7, 0.1), (0.2, 0.6), (0.85, 0.05), (0.4, 0.4)]
    for promoters, detractors in shares:
        truth = 100 * (promoters - detractors)
        coverage = 0.0
        for n_pro in range(n + 1):
            for n_det in range(n + 1 - n_pro):
                low, high = nps_interval(n_pro, n_det, n)
                if low <= truth <= high:
                    coverage += stats.multinomial.pmf(
                        [n_pro, n_det, n - n_pro - n_det], n,
                        [promoters, detractors, 1 - promoters - detractors],
                    )
        assert 0.93 <= coverage <= 0.975, (n, promoters, detractors, coverage)


def test_likert_composite_reverses_items_and_reports_top_two_box():
    items = ["easy", "useful", "confusing"]
    answers = long_answers({"a": [5, 4, 1], "b": [4, 4, 2], "c": [2, 3, 4], "d": [5, 5, 1]}, items)
    result = score_survey(
        answers,
        instrument="satisfaction",
        items=items,
        reversed_items=["confusing"],
        scale_min=1,
        scale_max=5,
        scoring="mean",
    )
    composites = np.array([14 / 3, 12 / 3, 7 / 3, 15 / 3])
    assert result.score == pytest.approx(composites.mean())
    assert result.top2box == pytest.approx(0.75)
    assert result.top2box_ci_low < 0.75 < result.top2box_ci_high


def test_umux_lite_raw_score():
    answers = long_answers({"a": [7, 7], "b": [4, 5], "c": [1, 1]}, ["u1", "u2"])
    result = score_survey(
        answers,
        instrument="umux",
        items=["u1", "u2"],
        scale_min=1,
        scale_max=7,
        scoring="umux_lite",
    )
    assert result.score == pytest.approx(np.mean([100.0, 100 * 7 / 12, 0.0]))
    assert result.grade is None


def test_survey_errors_and_thin_data():
    answers = long_answers({"a": [6]}, ["q"])
    with pytest.raises(ValueError, match=r"must be in \[1, 5\]"):
        score_survey(answers, instrument="x", items=["q"], scale_min=1, scale_max=5, scoring="mean")
    with pytest.raises(ValueError, match="needs 10 item"):
        score_survey(answers, instrument="x", items=["q"], scale_min=1, scale_max=5, scoring="sus")
    one = score_survey(
        long_answers({"a": [4]}, ["q"]),
        instrument="x",
        items=["q"],
        scale_min=1,
        scale_max=5,
        scoring="mean",
    )
    assert one.score == 4.0 and one.ci_low is None and "fewer than 2" in one.message


def test_response_rate_with_wilson_interval():
    rate = response_rate(invited=80, responded=52, cohort_role="test", wave="after")
    expected = stats.binomtest(52, 80).proportion_ci(method="wilson")
    assert rate.rate == pytest.approx(0.65)
    assert (rate.ci_low, rate.ci_high) == pytest.approx((expected.low, expected.high))
    assert response_rate(invited=0, responded=0).rate is None
    with pytest.raises(ValueError, match="must be <= 'invited'"):
        response_rate(invited=3, responded=4)
    counts = pd.DataFrame(
        {
            "cohort_role": ["test", "control"],
            "wave": ["after", "after"],
            "invited": [10, 12],
            "responded": [5, 6],
        }
    )
    assert [r.rate for r in response_rates(counts)] == [0.5, 0.5]


def test_compare_waves_is_a_paired_comparison_of_respondent_scores():
    rows = []
    for pid, before, after in [("a", 3, 4), ("b", 2, 4), ("c", 4, 5), ("d", 3, 3), ("e", 1, 3)]:
        rows += [(pid, "baseline", "q", before), (pid, "after", "q", after)]
    rows.append(("f", "after", "q", 5))  # no baseline answer
    answers = pd.DataFrame(rows, columns=["participant_id", "wave", "item", "answer"])
    result = compare_waves(
        answers, instrument="satisfaction", items=["q"], scale_min=1, scale_max=5, scoring="mean"
    )
    assert result.metric == "satisfaction" and result.design == "pre_post"
    assert result.estimate == pytest.approx(np.mean([1, 2, 1, 0, 2]))
    assert result.n_test == 5 and result.excluded[0].reason == "no reading in the baseline period"
