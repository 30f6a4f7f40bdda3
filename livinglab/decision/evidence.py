"""How strong the evidence is (Maryland Scientific Methods Scale) and its caveats.

Level of one metric's comparison:

====================  =========  ==========
design                volunteer  random
====================  =========  ==========
``pre_post``          2          2
``two_group``         2          5
``did``               3          5
====================  =========  ==========

A volunteer ``two_group`` comparison (testers vs a comparison group after only) is
a cross-section of self-selected groups, level 2 on the scale, not 3: level 3
needs the before/after change of both groups. The pilot's level is the weakest of
the metrics its criteria judge (every metric, when only surveys are judged).

Caveats a reader must know:

* ``seasonal_before_after``: a before/after metric whose baseline and intervention
  periods are more than 2 months apart in the year (period midpoints);
* ``differential_attrition`` / ``high_attrition``: from the checks (drop-out rates
  differ by > 10 points or a ratio > 2; a cohort losing > 20 %);
* ``unbalanced_baseline``: ``|SMD| > 0.1`` testers vs control on a judged metric's
  baseline values;
* ``volunteer_two_group``: self-selected groups compared after only;
* ``single_treated_unit``: one tester, no inference possible;
* ``city_wide_change``, ``pre_trend`` and ``estimates_disagree``: a before/after
  metric cannot separate the service from a city-wide change; the placebo check
  found a trend inside the baseline; a did's ANCOVA and change-score estimates
  differ beyond their uncertainty (see :func:`livinglab.decision.checks.design_caveats`);
* ``unrepresentative_testers``: the testers' make-up differs from the census
  margins (chi-square p < alpha on an attribute): a city-wide projection assumes
  otherwise (see the reweighted estimate).

References
----------
Sherman, L. W. et al. (1997). Preventing Crime: What Works, What Doesn't, What's
Promising. University of Maryland. Madaleno, M. & Waights, S. (2016). Guide to
scoring methods using the Maryland Scientific Methods Scale. What Works Centre
for Local Economic Growth.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from livinglab.decision.checks import design_caveats
from livinglab.decision.models import Caveat, PilotChecks, Representativeness
from livinglab.decision.text import Bilingual, attribute_label, colon, integer, number, percent
from livinglab.spec.models import MetricCriterion, Pilot
from livinglab.stats.results import MetricResult

SEASON_MONTHS = 2.0
HIGH_ATTRITION = 0.20
DAYS_PER_MONTH = 365.25 / 12

LABELS = {
    2: Bilingual(
        "Niveau 2 sur 5 (échelle de Maryland) : comparaison avant/après ou avec un groupe "
        "après coup, sans contrôle de l'évolution.",
        "Level 2 of 5 (Maryland scale): before/after only, or a comparison group after the "
        "fact, without controlling for trends.",
    ),
    3: Bilingual(
        "Niveau 3 sur 5 (échelle de Maryland) : évolution des testeurs comparée à celle d'un "
        "groupe de comparaison (différence des différences).",
        "Level 3 of 5 (Maryland scale): the testers' change compared with a comparison "
        "group's (difference in differences).",
    ),
    5: Bilingual(
        "Niveau 5 sur 5 (échelle de Maryland) : testeurs et témoins tirés au sort.",
        "Level 5 of 5 (Maryland scale): testers and control assigned at random.",
    ),
}


def design_level(design: str, assignment: str) -> int:
    """Maryland level of one comparison."""
    if design == "pre_post":
        return 2
    if assignment == "random":
        return 5
    return 3 if design == "did" else 2


def judged_metrics(pilot: Pilot) -> list[str]:
    """Metrics the criteria judge (every metric when the criteria are surveys only)."""
    ids = [c.metric for c in pilot.decision.criteria if isinstance(c, MetricCriterion)]
    return list(dict.fromkeys(ids)) or [m.id for m in pilot.metrics]


def evidence_level(pilot: Pilot) -> tuple[int, Bilingual]:
    """The pilot's level (its weakest judged comparison) and its label."""
    level = min(design_level(pilot.design_of(pilot.metric(m)), pilot.assignment)
                for m in judged_metrics(pilot))
    return level, LABELS[level]


def season_gap_months(pilot: Pilot) -> float:
    """Months between the periods' midpoints, around the year (0 to 6)."""
    def midpoint(start: date, end: date) -> int:
        return (start + (end - start) / 2).timetuple().tm_yday

    days = abs(midpoint(pilot.periods.baseline.start, pilot.periods.baseline.end)
               - midpoint(pilot.periods.intervention.start, pilot.periods.intervention.end))
    return min(days, 365 - days) / DAYS_PER_MONTH


def caveats(
    pilot: Pilot,
    *,
    checks: PilotChecks | None,
    metric_results: Mapping[str, MetricResult],
    representativeness: Representativeness | None = None,
) -> tuple[Caveat, ...]:
    """Everything a reader of the verdict must know about the evidence."""
    found: list[Caveat] = []
    judged = judged_metrics(pilot)
    gap = season_gap_months(pilot)
    for metric_id in judged:
        metric = pilot.metric(metric_id)
        design = pilot.design_of(metric)
        label = Bilingual(metric.label.get("fr"), metric.label.get("en"))
        if design == "pre_post" and gap > SEASON_MONTHS:
            found.append(_caveat("seasonal_before_after", metric_id, Bilingual(
                f"{label.fr}{colon('fr')}comparaison avant/après sur des périodes éloignées de "
                f"{number(gap, 'fr', decimals=1)} mois dans l'année ; un effet de saison peut "
                "se confondre avec celui du service.",
                f"{label.en}: before/after comparison of periods "
                f"{number(gap, 'en', decimals=1)} months apart in the year; a seasonal effect "
                "can be mistaken for the service's.",
            )))
        if design == "two_group" and pilot.assignment == "volunteer":
            found.append(_caveat("volunteer_two_group", metric_id, Bilingual(
                f"{label.fr}{colon('fr')}testeurs volontaires comparés à un autre groupe après "
                "coup seulement ; l'écart peut venir de qui s'est porté volontaire.",
                f"{label.en}: volunteer testers compared with another group after the fact "
                "only; the difference may come from who volunteered.",
            )))
        result = metric_results.get(metric_id)
        if result is not None and result.n_test == 1:
            found.append(_caveat("single_treated_unit", metric_id, Bilingual(
                f"{label.fr}{colon('fr')}un seul testeur ; aucune inférence n'est possible.",
                f"{label.en}: a single treated unit; no inference is possible.",
            )))
    found += design_caveats(pilot, checks, judged, metric_results)
    if checks is not None:
        found += _attrition(checks)
        found += _balance(pilot, checks, judged)
    if representativeness is not None:
        found += _representativeness(representativeness, pilot.decision.alpha)
    return tuple(found)


def _representativeness(result: Representativeness, alpha: float) -> list[Caveat]:
    off = [f for f in result.fits if f.p_value is not None and f.p_value < alpha]
    if not off:
        return []
    listed = {
        lang: ", ".join(f"{attribute_label(f.attribute, lang)} ({_p_text(f.p_value, lang)})"
                        for f in off)
        for lang in ("fr", "en")
    }
    return [_caveat("unrepresentative_testers", None, Bilingual(
        f"Les testeurs ne ressemblent pas à la population de la ville{colon('fr')}"
        f"{listed['fr']} ; une généralisation suppose le contraire (voir l'estimation "
        "repondérée).",
        f"The testers do not look like the city's population: {listed['en']}; a city-wide "
        "roll-out assumes they do (see the reweighted estimate).",
    ))]


def _p_text(p_value: float | None, lang: str) -> str:
    if p_value is None:
        return "p = —"
    if p_value < 0.001:
        return "p < 0,001" if lang == "fr" else "p < 0.001"
    return f"p = {number(p_value, lang, decimals=3)}"


def _attrition(checks: PilotChecks) -> list[Caveat]:
    found = []
    if checks.differential_attrition:
        t, c = checks.dropout_test, checks.dropout_control
        assert t is not None and c is not None
        found.append(_caveat("differential_attrition", None, Bilingual(
            f"Abandons inégaux{colon('fr')}{percent(100 * t, 'fr')} des testeurs contre "
            f"{percent(100 * c, 'fr')} des témoins ; ceux qui restent ne sont plus "
            "comparables.",
            f"Unequal drop-out: {percent(100 * t, 'en')} of testers against "
            f"{percent(100 * c, 'en')} of the control group; those who stay are no longer "
            "comparable.",
        )))
    for cohort in checks.cohorts:
        if cohort.dropout_rate is not None and cohort.dropout_rate > HIGH_ATTRITION:
            found.append(_caveat("high_attrition", None, Bilingual(
                f"Cohorte {cohort.cohort}{colon('fr')}{integer(cohort.n_dropped, 'fr')} abandons "
                f"sur {integer(cohort.n_baseline, 'fr')} "
                f"({percent(100 * cohort.dropout_rate, 'fr')}) ; les résultats portent sur ceux "
                "qui sont restés.",
                f"Cohort {cohort.cohort}: {integer(cohort.n_dropped, 'en')} dropped out of "
                f"{integer(cohort.n_baseline, 'en')} ({percent(100 * cohort.dropout_rate, 'en')}); "
                "the results describe those who stayed.",
            )))
    return found


def _balance(pilot: Pilot, checks: PilotChecks, judged: list[str]) -> list[Caveat]:
    found = []
    for row in checks.balance:
        if row.kind != "metric" or row.variable not in judged or not row.unbalanced:
            continue
        assert row.smd is not None
        metric = pilot.metric(row.variable)
        found.append(_caveat("unbalanced_baseline", row.variable, Bilingual(
            f"{metric.label.get('fr')}{colon('fr')}testeurs et témoins différaient déjà avant "
            f"le pilote (écart standardisé {_smd_text(row.smd, 'fr')}, au-delà de "
            "0,1).",
            f"{metric.label.get('en')}: testers and control already differed before the pilot "
            f"(standardized difference {_smd_text(row.smd, 'en')}, beyond 0.1).",
        )))
    return found


def _smd_text(value: float, lang: str) -> str:
    # -0.1004 must not read "-0.10, beyond 0.1"
    return number(value, lang, decimals=2 if abs(round(value, 2)) > 0.1 else 3)


def _caveat(code: str, metric: str | None, text: Bilingual) -> Caveat:
    return Caveat(code=code, metric=metric, reason_fr=text.fr, reason_en=text.en)
