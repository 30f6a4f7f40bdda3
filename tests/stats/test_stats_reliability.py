"""Cronbach's alpha: pingouin as the oracle, and the caveats a survey result carries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest

from livinglab.stats import score_survey
from livinglab.stats.reliability import caveat_note, cronbach_alpha


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_and_feldt_ci_match_pingouin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    trait = rng.normal(0, 1, 40)
    table = pd.DataFrame(
        {f"q{j}": np.clip(np.round(3 + trait + rng.normal(0, 1, 40)), 1, 5) for j in range(6)}
    )
    result = cronbach_alpha(table)
    expected, (low, high) = pingouin.cronbach_alpha(data=table)
    assert result.alpha == pytest.approx(expected, rel=1e-12)
    # pingouin rounds its CI to 3 decimals
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=5e-4)
    assert result.caveats == ()
    # listwise deletion: the same coefficient (pingouin keeps the pre-deletion n in
    # the CI's degrees of freedom, so only the coefficient is compared here)
    table.iloc[3, 2] = np.nan
    expected = pingouin.cronbach_alpha(data=table, nan_policy="listwise")[0]
    assert cronbach_alpha(table).alpha == pytest.approx(expected, rel=1e-12)
    assert cronbach_alpha(table).n_respondents == 39


def test_negative_alpha_is_a_caveat_on_the_score() -> None:
    # An undeclared reversed item: q3 answers the opposite way to q1 and q2.
    answers = [
        (pid, item, value)
        for pid, (a, b, c) in enumerate([(5, 5, 1), (4, 5, 2), (2, 1, 5), (1, 2, 4), (3, 3, 3),
                                         (5, 4, 2), (2, 2, 4)])
        for item, value in (("q1", a), ("q2", b), ("q3", c))
    ]
    frame = pd.DataFrame(answers, columns=["participant_id", "item", "answer"])
    result = score_survey(frame, instrument="trust", items=["q1", "q2", "q3"],
                          scale_min=1, scale_max=5, scoring="mean")
    wide = frame.pivot(index="participant_id", columns="item", values="answer")
    assert result.cronbach_alpha == pytest.approx(pingouin.cronbach_alpha(data=wide)[0])
    assert result.cronbach_alpha < 0
    assert result.reliability_caveats == ("negative_alpha",)
    assert any("declared reversed" in note for note in result.notes)
    declared = score_survey(frame, instrument="trust", items=["q1", "q2", "q3"],
                            reversed_items=["q3"], scale_min=1, scale_max=5, scoring="mean")
    assert declared.cronbach_alpha > 0.8 and declared.reliability_caveats == ()


def test_a_constant_item_is_named_in_the_caveat() -> None:
    rng = np.random.default_rng(7)
    table = pd.DataFrame({"q1": rng.integers(1, 6, 12), "q2": rng.integers(1, 6, 12),
                          "q3": np.full(12, 4)}).astype(float)
    result = cronbach_alpha(table)
    assert result.alpha is not None
    assert result.caveats[0] == "constant_item" and result.constant_items == ("q3",)
    assert "q3" in caveat_note(result)


def test_every_item_constant_leaves_alpha_undefined_with_the_caveat() -> None:
    table = np.tile([3.0, 4.0, 2.0], (8, 1))
    result = cronbach_alpha(table)
    assert result.alpha is None and "do not vary" in result.message
    assert result.caveats == ("constant_item",) and result.constant_items == ("0", "1", "2")
