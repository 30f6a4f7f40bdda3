"""Planning a pilot: for each metric, the participants per cohort its smallest worthwhile
effect needs, and the effect the planned cohorts can detect (the "Planification" page).

Both go through :func:`livinglab.services.plan_power`, the function behind
``livinglab power``: the page, the command line and the pilot route give the same
numbers for the same inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from livinglab.errors import LivingLabError
from livinglab.stats.results import PowerResult

if TYPE_CHECKING:
    import pandas as pd

    from livinglab.i18n import Translator
    from livinglab.spec.models import Pilot


@dataclass(frozen=True)
class MetricPlan:
    """The power plan of one metric of a pilot.

    Attributes
    ----------
    metric : str
        The metric's id.
    design : str
        The power design: ``paired``, ``two_sample``, ``did`` or ``two_proportions``.
    binary : bool
        A ``share`` metric (planned on two proportions, Cohen's h).
    baseline, sd : float or None
        The baseline mean (a proportion for a share) and the SD between participants
        used, in the metric's unit: as given, else observed in the store's baseline period.
    observed : bool
        Whether ``baseline`` and ``sd`` default to the store's baseline period.
    min_effect : float or None
        The smallest worthwhile effect in the metric's unit (None: a relative one
        without a baseline).
    planned_n : int or None
        The smallest ``target_size`` of the pilot's cohorts (per cohort).
    needed : PowerResult or None
        Participants per cohort for ``min_effect`` (``n_ceiling``).
    detectable : PowerResult or None
        The effect ``planned_n`` per cohort detects (``effect_units``, in the metric's unit
        or in proportion points).
    power, alpha : float
        The pilot's (or the given) target power and significance level.
    problem : str or None
        Why ``needed`` or ``detectable`` is missing (English; the page explains in French).
    """

    metric: str
    design: str
    binary: bool
    baseline: float | None
    sd: float | None
    observed: bool
    min_effect: float | None
    planned_n: int | None
    needed: PowerResult | None
    detectable: PowerResult | None
    power: float
    alpha: float
    problem: str | None = None


def baseline_statistics(pilot_id: str) -> dict[str, tuple[float, float | None]]:
    """``metric -> (mean, sd)`` of the participants' values in the baseline period, for the
    metrics with any (sd None below 2 participants); every cohort pooled."""
    from livinglab import services
    from livinglab.store import reductions

    pilot = services.load_pilot(pilot_id)
    frames = reductions.participant_values_by_metric(engine=services.engine(), pilot=pilot)
    found: dict[str, tuple[float, float | None]] = {}
    for metric, frame in frames.items():
        values = frame.loc[frame["period"] == "baseline", "value"].astype(float)
        if len(values):
            sd = float(values.std(ddof=1)) if len(values) > 1 else None
            found[metric] = (float(values.mean()), sd)
    return found


def metric_plans(
    pilot_id: str,
    *,
    baselines: dict[str, float | None] | None = None,
    sds: dict[str, float | None] | None = None,
    power: float | None = None,
) -> list[MetricPlan]:
    """One :class:`MetricPlan` per metric of the pilot.

    ``baselines`` and ``sds`` (by metric id) replace what the store observed at
    baseline; ``power`` replaces the pilot's ``decision.power``.
    """
    from livinglab import services

    pilot = services.load_pilot(pilot_id)
    observed = baseline_statistics(pilot_id)
    sizes = [c.target_size for c in pilot.cohorts if c.target_size is not None]
    planned_n = min(sizes) if sizes else None
    target_power = pilot.decision.power if power is None else power
    plans = []
    for metric in pilot.metrics:
        seen_mean, seen_sd = observed.get(metric.id, (None, None))
        baseline = (baselines or {}).get(metric.id, seen_mean)
        sd = (sds or {}).get(metric.id, seen_sd)
        if baseline is None:
            baseline = seen_mean
        if sd is None:
            sd = seen_sd
        design = (
            "two_proportions" if metric.binary
            else services._POWER_DESIGN[pilot.design_of(metric)]
        )
        min_effect = (
            metric.min_effect.in_units(baseline or 0.0)
            if metric.min_effect.absolute is not None or baseline is not None
            else None
        )
        needed, detectable, problem = _solve(
            pilot_id, metric.id, baseline, None if metric.binary else sd, planned_n, target_power
        )
        plans.append(
            MetricPlan(
                metric=metric.id,
                design=design,
                binary=metric.binary,
                baseline=baseline,
                sd=None if metric.binary else sd,
                observed=metric.id in observed,
                min_effect=min_effect,
                planned_n=planned_n,
                needed=needed,
                detectable=detectable,
                power=target_power,
                alpha=pilot.decision.alpha,
                problem=problem,
            )
        )
    return plans


def _solve(
    pilot_id: str,
    metric_id: str,
    baseline: float | None,
    sd: float | None,
    planned_n: int | None,
    power: float,
) -> tuple[PowerResult | None, PowerResult | None, str | None]:
    from livinglab import services

    needed = detectable = None
    problems = []
    if sd is not None and (not math.isfinite(sd) or sd <= 0):
        sd = None
    try:
        needed = services.plan_power(
            pilot_id=pilot_id, metric_id=metric_id, baseline=baseline, sd=sd, power=power
        )
    except LivingLabError as err:
        problems.append(str(err))
    if planned_n is not None and planned_n >= 3:
        try:
            detectable = services.plan_power(
                pilot_id=pilot_id, metric_id=metric_id, baseline=baseline, sd=sd,
                n=planned_n, power=power,
            )
        except LivingLabError as err:
            problems.append(str(err))
    return needed, detectable, "; ".join(dict.fromkeys(problems)) or None


def load(pilot_id: str) -> Pilot:
    """The pilot (as :func:`livinglab.services.load_pilot`)."""
    from livinglab import services

    return services.load_pilot(pilot_id)


def plans_frame(pilot: Pilot, plans: list[MetricPlan], t: Translator) -> pd.DataFrame:
    """The plans as the page's table, in the translator's language: metric, design,
    smallest worthwhile effect, participants needed per cohort, detectable effect
    (proportions in points)."""
    import pandas as pd

    rows = []
    for plan in plans:
        metric = pilot.metric(plan.metric)
        unit = t("points") if plan.binary else metric.unit
        scale = 100.0 if plan.binary else 1.0
        detectable = None
        if plan.detectable is not None:
            found = plan.detectable
            detectable = (
                f"{t.number(found.effect_units * scale, 3)} {unit}"
                if found.effect_units is not None
                else f"d = {t.number(found.effect, 3)}"
            )
        rows.append(
            {
                t("col_metric"): metric.label.get(t.lang),
                t("col_design"): t("power_design_" + plan.design),
                t("planning_min_effect"): None if plan.min_effect is None
                else f"{t.number(plan.min_effect * scale, 3)} {unit}",
                t("planning_needed"): None if plan.needed is None else plan.needed.n_ceiling,
                t("planning_detectable", n=plan.planned_n or "—"): detectable,
            }
        )
    return pd.DataFrame(rows)
