"""Seeded simulations: pilots with no true effect earn ``go`` at most at the nominal rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from decision_factories import KWH, criteria, make_pilot
from scipy import stats as sps

from livinglab.decision import decide
from livinglab.decision.criteria import not_worsen_rule, orient
from livinglab.stats.designs import analyze_metric

ALPHA = 0.05
PILOTS = 1000
N = 30  # per cohort


def null_pilot_values(rng: np.random.Generator) -> pd.DataFrame:
    """A randomised did with no effect: intervention = baseline + noise in both cohorts."""
    before = rng.normal(10.0, 2.0, 2 * N)
    after = before + rng.normal(0.0, 1.0, 2 * N)
    roles = ["test"] * N + ["control"] * N
    return pd.DataFrame({
        "participant_id": [f"p{i}" for i in range(2 * N)] * 2,
        "cohort_role": roles * 2,
        "period": ["baseline"] * (2 * N) + ["intervention"] * (2 * N),
        "value": np.concatenate([before, after]),
    })


@pytest.mark.parametrize("assignment", ["random", "volunteer"])
def test_pilots_without_effect_rarely_go(assignment: str):
    # A tiny smallest effect makes "go" as easy as it gets: only the CI decides.
    metric = {**KWH, "min_effect": {"absolute": 1e-9}}
    cohorts = [{"id": "feedback", "role": "test", "assignment": assignment},
               {"id": "comparison", "role": "control", "assignment": assignment}]
    pilot = make_pilot(metrics=[metric], cohorts=cohorts, projection=None,
                       decision=criteria({"metric": "kwh", "must": "improve"}, alpha=ALPHA))
    rng = np.random.default_rng(20260101)
    verdicts, codes = [], []
    for _ in range(PILOTS // 2):  # two assignments: 1 000 simulated pilots in all
        result = analyze_metric(null_pilot_values(rng), metric="kwh", design="did",
                                better="lower", assignment=assignment, alpha=ALPHA)
        decision = decide(pilot, metric_results=[result])
        verdicts.append(decision.verdict)
        codes.append(decision.criteria[0].code)
    go_rate = verdicts.count("go") / len(verdicts)
    # one-sided at alpha/2 in truth; the contract allows alpha plus 2 points
    assert go_rate <= ALPHA + 0.02
    assert codes.count("worse") / len(codes) <= ALPHA + 0.02  # "worse" by chance
    # With a smallest worthwhile effect of ~0, the conditional power at ten times the
    # cohorts under that effect is about alpha / 2 once the data lean the wrong way:
    # the open pilots are stopped for futility rather than extended for ever.
    stopped = codes.count("futile") / len(codes)
    assert stopped >= 0.5
    assert (verdicts.count("extend") + codes.count("futile")) / len(verdicts) >= 0.9


def test_guardrails_at_the_margin_pass_at_the_same_one_sided_level_as_improve():
    # True worsening exactly at the margin: non-inferiority is "shown" at most alpha / 2,
    # the one-sided level at which improve's "CI excludes zero" is shown under no effect.
    rng = np.random.default_rng(7)
    margin, sd, pilots = 0.5, 1.0, 20_000
    df = 2 * N - 2
    samples_t = rng.normal(margin, sd, (pilots, N))  # lower is better: +0.5 is the margin
    samples_c = rng.normal(0.0, sd, (pilots, N))
    estimate = samples_t.mean(axis=1) - samples_c.mean(axis=1)
    se = np.sqrt((samples_t.var(axis=1, ddof=1) + samples_c.var(axis=1, ddof=1)) / N)
    q = sps.t.ppf(1 - ALPHA / 2, df)
    _, o_low, o_high = orient(estimate, estimate - q * se, estimate + q * se, "lower")
    passed = sum(not_worsen_rule(lo, hi, margin) == "non_inferior"
                 for lo, hi in zip(o_low, o_high, strict=True))
    assert passed / pilots <= ALPHA / 2 + 0.004
    assert passed / pilots >= ALPHA / 2 - 0.004  # and the test is not needlessly conservative


def _three_looks(pilot, rng: np.random.Generator, pilots: int) -> float:
    """Share of null pilots that say go at one of three evaluations (20, 40, 60 per arm),
    each judged by :func:`decide`; a pilot stops at its first go or no_go."""
    from decision_factories import metric_result

    went = 0
    for _ in range(pilots):
        test, control = rng.normal(0, 1, 60), rng.normal(0, 1, 60)
        for n in (20, 40, 60):
            est = test[:n].mean() - control[:n].mean()
            se = np.sqrt((test[:n].var(ddof=1) + control[:n].var(ddof=1)) / n)
            half = sps.t.ppf(0.975, 2 * n - 2) * se
            result = metric_result(-est, -est - half, -est + half, n_test=n, n_control=n,
                                    df=2.0 * n - 2, sd_pooled=1.0)
            verdict = decide(pilot, metric_results=[result]).verdict
            if verdict != "extend":
                went += verdict == "go"
                break
    return went / pilots


def test_every_evaluation_is_a_look_and_alpha_is_spent_across_them():
    # Smallest worthwhile effect 0.25 SD: at 20-60 per arm significance is what binds a
    # go. Judged at the fixed 95 % level three times, a useless service is rolled out
    # about twice as often as one look allows (one-sided 2.5 %); an O'Brien-Fleming plan
    # over the three looks keeps it.
    metric = {**KWH, "min_effect": {"absolute": 0.25}}
    improve = criteria({"metric": "kwh", "must": "improve"}, alpha=ALPHA)
    cohorts = [{"id": "feedback", "role": "test", "assignment": "random", "target_size": 60},
               {"id": "comparison", "role": "control", "assignment": "random",
                "target_size": 60}]
    fixed = make_pilot(metrics=[metric], cohorts=cohorts, projection=None, decision=improve)
    planned = make_pilot(metrics=[metric], cohorts=cohorts, projection=None,
                         decision={**improve, "sequential": {"looks": 3}})
    naive = _three_looks(fixed, np.random.default_rng(31), 1000)
    spent = _three_looks(planned, np.random.default_rng(31), 1000)
    assert naive >= 0.04  # about 0.054 in theory: P(some Z >= 1.96 over 3 looks) / 2
    assert spent <= ALPHA / 2 + 0.01
