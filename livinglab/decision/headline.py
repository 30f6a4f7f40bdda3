"""A metric's headline: the one estimate a reader is told, under its own name.

A difference-in-differences result carries two estimates (Lin's ANCOVA and the
difference of change scores); the criterion judges one of them (``criterion_basis``).
That one is the headline everywhere — the pilot page, ``livinglab evaluate`` (text and
``--json``), the dossier — with the same value, interval, percentage of the baseline
mean, p-value and name; the other is shown only as the named bracket.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from livinglab.decision.criteria import basis_of, basis_text
from livinglab.spec.models import Metric
from livinglab.stats.results import MetricResult, json_safe


@dataclass(frozen=True)
class Headline:
    """The estimate a metric's criterion judges, ready to show.

    Attributes
    ----------
    metric : str
    basis : str or None
        ``ancova``, ``change_score``, ``mean_difference``... (None: the design's own).
    name_fr, name_en : str
        What the estimate is, for people (« ANCOVA ajustée sur la période de référence »).
    estimate, ci_low, ci_high : float or None
        In the metric's unit (a share's change in proportion, 0.05 = 5 points).
    ci_level : float
        ``1 - alpha`` of the pilot.
    estimate_pct, ci_pct_low, ci_pct_high : float or None
        The same in percent of the testers' baseline mean (None without a baseline).
    p_value : float or None
        The p-value of this same estimate (not of the bracket).
    p_value_adjusted : float or None
        That p-value after the multiplicity adjustment of the metric's role.
    """

    metric: str
    basis: str | None
    name_fr: str
    name_en: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    ci_level: float
    estimate_pct: float | None
    ci_pct_low: float | None
    ci_pct_high: float | None
    p_value: float | None
    p_value_adjusted: float | None

    def name(self, lang: str = "fr") -> str:
        return self.name_en if lang == "en" else self.name_fr

    def to_dict(self) -> dict[str, Any]:
        return dict(json_safe(asdict(self)))


def headline(result: MetricResult, metric: Metric | None = None) -> Headline:
    """The headline of ``result`` (``metric`` is accepted for symmetry with the callers;
    the numbers come from the result alone)."""
    basis = basis_of(result)
    base = result.baseline_mean

    def pct(value: float | None) -> float | None:
        if value is None or not base:
            return None
        return 100 * value / abs(base)

    p_value = result.primary_p_value if result.primary_estimate is not None else result.p_value
    return Headline(
        metric=result.metric,
        basis=basis.name,
        name_fr=basis_text(basis.name, result.design, "fr"),
        name_en=basis_text(basis.name, result.design, "en"),
        estimate=basis.estimate,
        ci_low=basis.ci_low,
        ci_high=basis.ci_high,
        ci_level=result.conf_level,
        estimate_pct=pct(basis.estimate),
        ci_pct_low=pct(basis.ci_low),
        ci_pct_high=pct(basis.ci_high),
        p_value=p_value,
        p_value_adjusted=result.p_value_adjusted,
    )
