"""From the pilot's effect to the city's yearly impact.

``yearly = effect × population size × adoption × periods per year`` in the metric's
unit (per day: × 365, per week: × 52, per year: × 1), with the effect's CI scaled
the same way, and, where the pilot declares an emission factor (kg CO2e per unit),
``tonnes CO2e = yearly × factor / 1000`` with the factor's source cited. Figures
are signed: a negative figure is a decrease (a saving, for emissions).

The effect is the one the criteria judge (ANCOVA for a randomised did). The
projection assumes that adopters across the city respond like the testers; the
representativeness section says how far the testers are from the city, and the
raked effect, when computed, is projected beside the raw one.
"""

from __future__ import annotations

import math

from livinglab.decision.criteria import basis_of
from livinglab.decision.models import ProjectionResult, Representativeness
from livinglab.decision.text import (
    Bilingual,
    colon,
    day,
    integer,
    interval,
    number,
    numbers,
    percent,
)
from livinglab.spec.models import Pilot
from livinglab.stats.results import MetricResult

PERIODS_PER_YEAR = {"day": 365, "week": 52, "year": 1}


def project(
    pilot: Pilot,
    *,
    result: MetricResult | None,
    representativeness: Representativeness | None = None,
) -> ProjectionResult | None:
    """The city-wide yearly impact of the pilot's projection metric.

    Returns None when the pilot declares no ``projection`` or ``population``.
    """
    spec, population = pilot.projection, pilot.population
    if spec is None or population is None:
        return None
    metric = pilot.metric(spec.metric)
    per_year = PERIODS_PER_YEAR[spec.per]
    adopters = population.size * spec.adoption
    scale = adopters * per_year
    basis = basis_of(result) if result is not None else None
    effect = basis.estimate if basis else None
    low, high = (basis.ci_low, basis.ci_high) if basis else (None, None)
    yearly, y_low, y_high = (_times(v, scale) for v in (effect, low, high))
    factor = spec.emission_factor
    tonnes = [_times(v, factor / 1000) if factor else None for v in (yearly, y_low, y_high)]
    reweighted = None
    if representativeness is not None:
        found = [e for e in representativeness.estimates if e.metric == spec.metric]
        if found and found[0].reweighted is not None:
            reweighted = found[0].reweighted * scale
    text = _reason(pilot, yearly, y_low, y_high, tonnes, level=result.conf_level if result
                   else 0.95, adopters=adopters)
    return ProjectionResult(
        metric=spec.metric, unit=metric.unit, unit_en=metric.unit_en, per=spec.per,
        periods_per_year=per_year,
        basis=basis.name if basis else None, effect=effect, effect_ci_low=low,
        effect_ci_high=high, population_size=population.size, adoption=spec.adoption,
        adopters=adopters, yearly=yearly, yearly_ci_low=y_low, yearly_ci_high=y_high,
        emission_factor=factor, emission_factor_source=spec.emission_factor_source,
        tonnes_co2e=tonnes[0], tonnes_co2e_ci_low=tonnes[1], tonnes_co2e_ci_high=tonnes[2],
        reweighted_yearly=reweighted, reason_fr=text.fr, reason_en=text.en,
    )


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None or not math.isfinite(value) else value * factor


def _reason(pilot: Pilot, yearly: float | None, low: float | None, high: float | None,
            tonnes: list[float | None], *, level: float, adopters: float) -> Bilingual:
    assert pilot.projection is not None
    metric = pilot.metric(pilot.projection.metric)
    if yearly is None:
        return Bilingual(
            f"Projection{colon('fr')}pas d'estimation de l'effet, rien à projeter.",
            "Projection: no estimate of the effect, nothing to project.",
        )
    texts = []
    for lang in ("fr", "en"):
        unit = metric.unit_in(lang).split("/")[0].strip()
        who = number(adopters, lang, decimals=0)
        figure, lo, hi = numbers((yearly, low, high), lang)
        ci = " " + interval(lo, hi, level, lang) if low is not None and high is not None else ""
        if lang == "fr":
            text = (f"Projection à l'échelle de la ville ({who} usagers attendus){colon(lang)}"
                    f"{figure} {unit} par an{ci}")
        else:
            text = f"City-wide projection ({who} expected users): {figure} {unit} a year{ci}"
        if tonnes[0] is not None:
            t_mid, t_lo, t_hi = numbers(tuple(tonnes), lang)
            t_ci = (" " + interval(t_lo, t_hi, level, lang)
                    if tonnes[1] is not None and tonnes[2] is not None else "")
            source = pilot.projection.emission_factor_source
            if lang == "fr":
                cite = f" ; source du facteur{colon(lang)}{source}" if source else ""
                text += f", soit {t_mid} t CO2e par an{t_ci}{cite}"
            else:
                cite = f"; factor source: {source}" if source else ""
                text += f", i.e. {t_mid} t CO2e a year{t_ci}{cite}"
        texts.append(text + ".")
    return Bilingual(*texts) + _assumptions(pilot, ci=low is not None and high is not None)


def _assumptions(pilot: Pilot, *, ci: bool) -> Bilingual:
    """What the projection takes for granted: its interval covers the pilot's sampling
    error only, and a per-day (per-week) effect measured over some months is scaled to
    a whole year, seasons included."""
    assert pilot.projection is not None
    spec, period = pilot.projection, pilot.periods.intervention
    adoption = {lang: percent(100 * spec.adoption, lang, decimals=0) for lang in ("fr", "en")}
    parts = []
    if ci:
        parts.append(Bilingual(
            f" L'intervalle ne couvre que l'erreur d'échantillonnage du pilote{colon('fr')}le "
            f"taux d'adoption ({adoption['fr']}), la population et le facteur d'émission y "
            "sont tenus pour certains.",
            " The interval covers the pilot's sampling error only: the adoption rate "
            f"({adoption['en']}), the population and the emission factor are taken as certain.",
        ))
    if spec.per in ("day", "week"):
        days = (period.end - period.start).days + 1
        times = PERIODS_PER_YEAR[spec.per]
        unit = {"day": ("par jour", "per-day"), "week": ("par semaine", "per-week")}[spec.per]
        parts.append(Bilingual(
            f" L'effet {unit[0]}, mesuré du {day(period.start, 'fr')} au "
            f"{day(period.end, 'fr')} ({integer(days, 'fr')} jours), est multiplié par "
            f"{times}{colon('fr')}cela suppose le même effet toute l'année, saisons comprises.",
            f" The {unit[1]} effect, measured from {day(period.start, 'en')} to "
            f"{day(period.end, 'en')} ({integer(days, 'en')} days), is multiplied by {times}: "
            "this assumes the same effect all year round, whatever the season.",
        ))
    return sum(parts[1:], parts[0]) if parts else Bilingual("", "")
