"""Holm over primary metrics, BH over secondary ones, guardrails untouched."""

from __future__ import annotations

import math

import numpy as np
import pytest

from livinglab.stats import MetricResult, adjust_p_values, with_adjusted


def result(metric: str, p: float | None) -> MetricResult:
    return MetricResult(
        metric=metric,
        design="pre_post",
        p_value=p,
        primary_p_value=p,
        criterion_basis="mean_difference",
    )


def test_missing_p_values_stay_missing_and_do_not_count():
    # R: p.adjust(c(0.01, NA, 0.04), "holm") -> 0.02 NA 0.04
    adjusted = adjust_p_values([0.01, None, 0.04, float("nan")], "holm")
    assert adjusted[0] == pytest.approx(0.02) and adjusted[2] == pytest.approx(0.04)
    assert math.isnan(adjusted[1]) and math.isnan(adjusted[3])


def test_out_of_range_p_values_raise():
    with pytest.raises(ValueError, match=r"must be in \[0, 1\]"):
        adjust_p_values([0.2, 1.5])
    with pytest.raises(ValueError, match="The 'method' must be one of"):
        adjust_p_values([0.2], "hochberg")


def test_with_adjusted_applies_holm_to_primary_and_bh_to_secondary():
    results = [
        result("a", 0.01),
        result("b", 0.04),
        result("c", 0.03),
        result("d", 0.02),
        result("e", None),
        result("g", 0.5),
    ]
    roles = {
        "a": "primary",
        "b": "primary",
        "c": "secondary",
        "d": "secondary",
        "e": "secondary",
        "g": "guardrail",
    }
    adjusted = with_adjusted(results, roles)
    assert [r.metric for r in adjusted] == ["a", "b", "c", "d", "e", "g"]
    np.testing.assert_allclose(
        [adjusted[0].p_value_adjusted, adjusted[1].p_value_adjusted],
        adjust_p_values([0.01, 0.04], "holm"),
    )
    np.testing.assert_allclose(
        [adjusted[2].p_value_adjusted, adjusted[3].p_value_adjusted],
        adjust_p_values([0.03, 0.02], "bh"),
    )
    assert adjusted[0].adjustment == "holm over 2 primary metrics"
    assert (
        adjusted[4].p_value_adjusted is None
        and adjusted[4].adjustment == "bh over 2 secondary metrics"
    )
    assert adjusted[5].p_value_adjusted is None and adjusted[5].adjustment.startswith(
        "none (guardrail"
    )
    assert results[0].p_value_adjusted is None  # the originals are untouched (frozen)


def test_roles_must_cover_every_metric():
    with pytest.raises(ValueError, match="must give a role for every metric"):
        with_adjusted([result("a", 0.1)], {})
    with pytest.raises(ValueError, match="The 'role' must be one of"):
        with_adjusted([result("a", 0.1)], ["tertiary"])
