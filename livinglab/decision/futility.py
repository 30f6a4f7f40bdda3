"""Looks, futility and the size of an extension: what more data can still settle.

Every evaluation of a pilot is a look. This module places a criterion's result in the
pilot's plan and says, for an inconclusive criterion, what the data still to come can
do:

* the plan's **maximum**: ``decision.sequential.max_per_cohort`` (else each cohort's
  ``target_size``) under a sequential plan; without one, ten times the participants
  analysed now (:data:`UNREALISTIC_GROWTH`: beyond that an extension is not a plan);
* the **look** (:func:`look_for`): the information fraction of the analysed
  participants against that maximum (:func:`livinglab.stats.sequential.information_fraction`)
  and its Lan-DeMets boundary; the final look once the maximum is reached or the pilot's
  ``phase`` is ``analysis``, ``decided`` or ``archived`` (data collection over);
* **futility** (:func:`futility`): the chance that the criterion passes once the
  maximum is analysed, below :data:`~livinglab.stats.sequential.FUTILITY_THRESHOLD`
  (10 %). ``improve``: conditional power under the smallest worthwhile effect (the rule's
  ``go`` at the maximum, given the data so far, if the true effect is ``m``);
  ``not_worsen``: conditional power under no worsening; ``reach`` (no design effect
  exists): the predictive probability (flat prior) of the bound reaching the threshold.
  A futile criterion fails on the data at hand, and so does an inconclusive one at the
  final look of a sequential plan;
* the **extension** (:func:`size_item`): the cohorts at which the rule settles the
  question with the pilot's power (:func:`livinglab.stats.power.improve_sample_size`);
  when even the maximum does not reach that power, the maximum itself (``capped``) with
  the probabilities it gives; when the cohorts are already large enough, what is
  missing is time (readings), not participants.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scipy import special

from livinglab.decision.criteria import orient, standard_error
from livinglab.decision.models import CriterionOutcome
from livinglab.spec.models import DATA_COLLECTION_OVER, Pilot
from livinglab.stats.power import (
    RuleProbabilities,
    critical_value,
    improve_probabilities,
    improve_sample_size,
    scaled_se,
)
from livinglab.stats.results import MetricResult, SurveyResult
from livinglab.stats.sequential import (
    FUTILITY_THRESHOLD,
    SequentialLook,
    go_conditional,
    information_fraction,
    look_of,
    spending_boundaries,
)

LAST_PHASES = DATA_COLLECTION_OVER
"""A pilot in these phases has finished collecting data: its evaluation is the final look."""
UNREALISTIC_GROWTH = 10
"""Without a declared maximum, an extension beyond ten times the analysed size is not a plan."""


@dataclass(frozen=True)
class Maximum:
    """Participants per cohort at the plan's end (``control`` 0 for one sample / pairs)."""

    test: int
    control: int
    declared: bool


def _cohort_sizes(pilot: Pilot, role: str, cohorts: list[str] | None = None) -> int | None:
    sizes = [c.target_size for c in pilot.cohorts
             if c.role == role and (cohorts is None or c.id in cohorts)]
    return sum(s for s in sizes if s is not None) if sizes and None not in sizes else None


def planned_maximum(pilot: Pilot, result: MetricResult | SurveyResult) -> Maximum:
    """The largest cohorts the plan allows for this result (see the module notes)."""
    if isinstance(result, SurveyResult):
        now_t, now_c = result.n, 0
        plan = next((p for p in pilot.surveys if p.instrument == result.instrument), None)
        cohorts = None if plan is None else plan.cohorts
    else:
        now_t = result.n_test
        now_c = 0 if result.design == "pre_post" else result.n_control
        cohorts = None
    sequential = pilot.decision.sequential
    if sequential is not None:
        if sequential.max_per_cohort is not None:
            top_t = top_c = sequential.max_per_cohort
        else:
            top_t = _cohort_sizes(pilot, "test", cohorts) or now_t
            top_c = _cohort_sizes(pilot, "control") or now_c
        return Maximum(max(top_t, now_t), max(top_c, now_c) if now_c else 0, True)
    return Maximum(UNREALISTIC_GROWTH * max(now_t, 1),
                   UNREALISTIC_GROWTH * now_c if now_c else 0, False)


def _sizes(result: MetricResult | SurveyResult) -> tuple[int, int]:
    if isinstance(result, SurveyResult):
        return result.n, 0
    return result.n_test, 0 if result.design == "pre_post" else result.n_control


def look_for(pilot: Pilot, result: MetricResult | SurveyResult | None) -> SequentialLook | None:
    """This evaluation as a look of the pilot's sequential plan (None without one, or
    without participants)."""
    sequential = pilot.decision.sequential
    if sequential is None or result is None:
        return None
    n_t, n_c = _sizes(result)
    if n_t < 1:
        return None
    top = planned_maximum(pilot, result)
    fraction = information_fraction(n_t, n_c or None, max_test=top.test,
                                    max_control=top.control or None)
    if fraction <= 0:
        return None
    return look_of(fraction, looks=sequential.looks, method=sequential.method,
                   alpha=pilot.decision.alpha, last=pilot.phase in LAST_PHASES)


def final_level(pilot: Pilot, result: MetricResult | SurveyResult) -> float:
    """Level of the interval judged at the planned maximum: the final look's repeated
    interval under a sequential plan (earlier looks at ``k / K``), else the result's."""
    sequential = pilot.decision.sequential
    if sequential is None:
        return result.conf_level
    return _final_level(sequential.looks, sequential.method, pilot.decision.alpha)


@functools.lru_cache(maxsize=64)
def _final_level(looks: int, method: str, alpha: float) -> float:
    fractions = [k / looks for k in range(1, looks + 1)]
    boundary = float(spending_boundaries(fractions, alpha=alpha, method=method)[-1])
    return 1.0 - 2.0 * float(special.ndtr(-boundary))


# --- the numbers behind a criterion ------------------------------------------------


@dataclass(frozen=True)
class Judged:
    """An inconclusive criterion's numbers, oriented so that better is positive."""

    estimate: float
    se: float
    df: float | None
    n_test: int
    n_control: int
    bound: float  # m (improve), -M (not_worsen), T (reach)
    kind: str  # 'improve' | 'not_worsen' | 'reach'


def judged(outcome: CriterionOutcome, result: MetricResult | SurveyResult | None
           ) -> Judged | None:
    """The estimate, its standard error and the bound of an inconclusive criterion
    (None when it has no usable interval)."""
    if result is None or outcome.estimate is None or outcome.threshold is None:
        return None
    n_t, n_c = _sizes(result)
    if isinstance(result, SurveyResult):
        if result.ci_low is None or result.ci_high is None or result.n < 2:
            return None
        df = float(result.n - 1) if result.instrument != "nps" else None
        se = standard_error(result.ci_low, result.ci_high, conf_level=result.conf_level, df=df)
        estimate, bound = float(result.score or 0.0), float(outcome.threshold)
    else:
        from livinglab.decision.criteria import basis_of

        basis = basis_of(result)
        if basis.ci_low is None or basis.ci_high is None or basis.estimate is None:
            return None
        df = basis.df
        se = standard_error(basis.ci_low, basis.ci_high, conf_level=result.conf_level, df=df)
        estimate, _, _ = orient(basis.estimate, basis.ci_low, basis.ci_high,
                                outcome.better or "higher")
        bound = outcome.threshold if outcome.must == "improve" else -outcome.threshold
    if not (math.isfinite(se) and se > 0 and n_t >= 2):
        return None
    return Judged(float(estimate), se, df, n_t, n_c, float(bound), outcome.must)


def _grown_df(numbers: Judged, size_t: int, size_c: int) -> float | None:
    if numbers.df is None:
        return None
    added = (size_t - numbers.n_test) + (size_c - numbers.n_control if numbers.n_control else 0)
    return numbers.df + added


def _se_at(numbers: Judged, size_t: int, size_c: int) -> float:
    return scaled_se(numbers.se, numbers.n_test, numbers.n_control, size_t, size_c)


def pass_probability(numbers: Judged, size_t: int, size_c: int, *, level: float) -> float:
    """Chance the criterion passes once cohorts of ``size_t`` / ``size_c`` are analysed.

    ``improve``: conditional power under the smallest worthwhile effect; ``not_worsen``:
    under no worsening; ``reach``: predictive (flat prior). See the module notes.
    """
    se_max = _se_at(numbers, size_t, size_c)
    c = critical_value(level, _grown_df(numbers, size_t, size_c))
    if numbers.kind == "improve":
        return go_conditional(estimate=numbers.estimate, se_now=numbers.se, se_max=se_max,
                              min_effect=numbers.bound, critical=c, effect=numbers.bound)
    if numbers.kind == "not_worsen":
        return _conditional(numbers, se_max, numbers.bound + c * se_max, effect=0.0)
    return _predictive(numbers, se_max, numbers.bound + c * se_max)


def settle_probability(numbers: Judged, size: int, *, level: float) -> float:
    """Predictive chance that a ``reach`` criterion is settled (pass or fail) at ``size``."""
    se_max = _se_at(numbers, size, 0)
    c = critical_value(level, _grown_df(numbers, size, 0))
    above = _predictive(numbers, se_max, numbers.bound + c * se_max)
    below = 1.0 - _predictive(numbers, se_max, numbers.bound - c * se_max)
    return above + below


def _conditional(numbers: Judged, se_max: float, target: float, *, effect: float) -> float:
    t = min(1.0, (se_max / numbers.se) ** 2)
    mean = numbers.estimate + (1.0 - t) * (effect - numbers.estimate)
    spread = se_max * math.sqrt(max(0.0, 1.0 - t))
    return float(mean >= target) if spread == 0 else float(special.ndtr((mean - target) / spread))


def _predictive(numbers: Judged, se_max: float, target: float) -> float:
    spread = math.sqrt(max(0.0, numbers.se**2 - se_max**2))
    if spread == 0:
        return float(numbers.estimate >= target)
    return float(special.ndtr((numbers.estimate - target) / spread))


# --- futility -------------------------------------------------------------------------


@dataclass(frozen=True)
class Futility:
    """Why an inconclusive criterion is decided now (``code`` ``futile`` or ``final_look``)."""

    code: str
    probability: float | None
    maximum: Maximum


def futility(pilot: Pilot, outcome: CriterionOutcome,
             result: MetricResult | SurveyResult | None,
             look: SequentialLook | None) -> Futility | None:
    """Whether an inconclusive criterion must be decided on the data at hand.

    ``final_look``: a sequential plan's maximum is analysed. ``futile``: the chance of
    passing at the maximum (:func:`pass_probability`) is below 10 %.
    """
    if outcome.status != "inconclusive" or result is None:
        return None
    numbers = judged(outcome, result)
    if numbers is None:
        return None
    top = planned_maximum(pilot, result)
    if look is not None and look.final:
        return Futility("final_look", None, top)
    level = final_level(pilot, result)
    chance = pass_probability(numbers, top.test, top.control, level=level)
    if chance < FUTILITY_THRESHOLD:
        return Futility("futile", chance, top)
    return None


# --- the size of an extension ---------------------------------------------------------


def _smallest(ok: Callable[[int], bool], start: int, stop: int) -> int | None:
    """Smallest integer in [start, stop] where the monotone ``ok`` holds (None if none)."""
    if start > stop or not ok(stop):
        return None
    if ok(start):
        return start
    low, high = start, stop
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if ok(middle) else (middle, high)
    return high


def size_item(pilot: Pilot, outcome: CriterionOutcome,
              result: MetricResult | SurveyResult | None) -> dict[str, Any]:
    """The fields of an :class:`~livinglab.decision.models.ExtendItem` beyond the target.

    Returns ``{}`` when the criterion has no usable interval; else ``design``, ``effect``,
    ``sd``, ``n_needed``, ``additional_test`` / ``additional_control``, ``maximum``,
    ``needs`` (``'participants'`` or ``'time'``), ``capped`` (True when even the maximum
    does not reach the pilot's power: the size is then the maximum) and the
    probabilities at the planned size (``go_at_min_effect``, ``no_go_at_zero``,
    ``go_at_double`` for ``improve``; ``settle_probability`` for ``reach``;
    ``pass_probability`` at that size for all).
    """
    numbers = judged(outcome, result)
    if numbers is None or result is None:
        return {}
    top = planned_maximum(pilot, result)
    level = final_level(pilot, result)
    power = pilot.decision.power
    two = numbers.n_control > 0
    g_now = (1 / numbers.n_test + 1 / numbers.n_control) if two else 1 / numbers.n_test
    fields: dict[str, Any] = {"sd": numbers.se / math.sqrt(g_now), "maximum": top.test,
                              "maximum_control": top.control if two else None}
    start = max(numbers.n_test, numbers.n_control)
    stop = max(top.test, top.control)

    def sizes(size: int) -> tuple[int, int]:
        return max(numbers.n_test, size), max(numbers.n_control, size) if two else 0

    if numbers.kind == "improve":
        plan = improve_sample_size(se=numbers.se, n_test=numbers.n_test,
                                   n_control=numbers.n_control, min_effect=numbers.bound,
                                   power=power, df=numbers.df, conf_level=level, max_n=stop)
        size = plan.n_needed_test
    elif numbers.kind == "not_worsen":
        margin = -numbers.bound

        def shown(size: int) -> bool:
            se = _se_at(numbers, *sizes(size))
            c = critical_value(level, _grown_df(numbers, *sizes(size)))
            return float(special.ndtr(margin / se - c)) >= power

        size = _smallest(shown, start, stop)
    else:
        size = _smallest(lambda n: settle_probability(numbers, n, level=level) >= power,
                         start + 1, stop)
    if size is None:  # not even the maximum reaches the power: the maximum, said so
        size, fields["capped"] = stop, True
    size_t, size_c = sizes(size)
    if numbers.kind == "improve":
        se, df = _se_at(numbers, size_t, size_c), _grown_df(numbers, size_t, size_c)
        m = numbers.bound

        def at(effect: float) -> RuleProbabilities:
            return improve_probabilities(effect, se=se, min_effect=m, df=df, conf_level=level)

        fields |= {"go_at_min_effect": at(m).go, "no_go_at_zero": at(0.0).no_go,
                   "go_at_double": at(2 * m).go}
    elif numbers.kind == "reach":
        fields["settle_probability"] = settle_probability(numbers, size, level=level)
    fields["pass_probability"] = pass_probability(numbers, size_t, size_c, level=level)
    more_t, more_c = size_t - numbers.n_test, (size_c - numbers.n_control) if two else None
    needs = "participants" if (more_t or more_c) else "time"
    return fields | {"n_needed": size, "additional_test": more_t, "additional_control": more_c,
                     "needs": needs}
