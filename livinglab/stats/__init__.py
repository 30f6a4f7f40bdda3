"""livinglab.stats: designs, effect sizes, CIs, power, multiplicity, survey scoring.

Pure: pandas/numpy data in, frozen result objects out (no database, no
Streamlit). Thin or degenerate data gives a result with a ``message``; wrong
arguments raise ``ValueError`` / ``TypeError``.

Main entry points
-----------------
analyze_metric
    One usage metric under one design (pre_post, two_group, did), continuous
    or binary -> :class:`MetricResult`.
with_adjusted, adjust_p_values
    Holm over primary metrics, Benjamini-Hochberg over secondary ones (R's
    ``p.adjust``).
non_inferiority, tost
    Guardrails -> :class:`EquivalenceResult`.
power_analysis, additional_participants_needed, participants_needed_for
    Power / sample size -> :class:`PowerResult`, :class:`SampleSizeGap`.
score_survey, compare_waves, cronbach_alpha, response_rate
    Surveys -> :class:`SurveyResult`.
"""

from ._checks import DEFAULT_SEED
from .designs import (
    ASSIGNMENTS,
    BETTER,
    DESIGNS,
    analyze_metric,
    compare_groups,
    compare_periods,
    difference_in_differences,
)
from .effects import cohen_h
from .equivalence import non_inferiority, tost
from .multiplicity import adjust_p_values, with_adjusted
from .power import (
    additional_participants_needed,
    participants_needed_for,
    power_analysis,
)
from .results import (
    EquivalenceResult,
    Exclusion,
    GroupSummary,
    MetricResult,
    PowerResult,
    ReliabilityResult,
    ResponseRate,
    SampleSizeGap,
    SurveyResult,
    TestResult,
    results_frame,
)
from .surveys import (
    compare_waves,
    cronbach_alpha,
    respondent_scores,
    response_rate,
    response_rates,
    score_survey,
    sus_grade,
    sus_percentile,
)

__all__ = [
    "ASSIGNMENTS",
    "BETTER",
    "DEFAULT_SEED",
    "DESIGNS",
    "EquivalenceResult",
    "Exclusion",
    "GroupSummary",
    "MetricResult",
    "PowerResult",
    "ReliabilityResult",
    "ResponseRate",
    "SampleSizeGap",
    "SurveyResult",
    "TestResult",
    "additional_participants_needed",
    "adjust_p_values",
    "analyze_metric",
    "cohen_h",
    "compare_groups",
    "compare_periods",
    "compare_waves",
    "cronbach_alpha",
    "difference_in_differences",
    "non_inferiority",
    "participants_needed_for",
    "power_analysis",
    "respondent_scores",
    "response_rate",
    "response_rates",
    "results_frame",
    "score_survey",
    "sus_grade",
    "sus_percentile",
    "tost",
    "with_adjusted",
]
